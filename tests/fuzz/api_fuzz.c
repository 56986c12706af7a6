// SPDX-License-Identifier: GPL-2.0
/*
 * api_fuzz: the local API's message parser (user/api/proto.c) under
 * libFuzzer. Every input is read as a request body and as a response body
 * (what gridd and gridctl each read from the socket, after the length),
 * each from a heap copy of exactly its bytes. What is accepted must keep:
 *   - a request written again from what was read (op and arguments) is
 *     the input byte for byte: there is one encoding of each request;
 *   - a response written again from what was read (status, message,
 *     items, more) is the input byte for byte;
 *   - texts are NUL-terminated and hold no NUL, byte strings of a 32-byte
 *     key are 32 bytes, a limits map passes the limits' own checks;
 *   - a refusal says why, with -EBADMSG, -EPROTO, -EOPNOTSUPP or
 *     -EMSGSIZE.
 * The frame reader (grid_api_read) is exercised over a pipe with the
 * input as the stream: a frame is taken only whole and within the bound.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(int line, const char *what)
{
	fprintf(stderr, "api_fuzz.c:%d: invariant broken: %s\n", line, what);
	abort();
}

#define must(cond) do { if (!(cond)) broken(__LINE__, #cond); } while (0)

static uint8_t *copy(const uint8_t *p, size_t n)
{
	uint8_t *c = malloc(n ? n : 1);

	if (!c)
		abort();
	memcpy(c, p, n);
	return c;
}

static void refused(int ret, const struct grid_why *why)
{
	must(ret == -EBADMSG || ret == -EPROTO || ret == -EOPNOTSUPP ||
	     ret == -EMSGSIZE || ret == -ENOMEM);
	if (ret != -ENOMEM)
		must(why->msg[0]);
}

/* The texts of @m: terminated where the map says, no NUL inside. */
static void check_map(const struct grid_api_map *m)
{
	unsigned int k;

	for (k = 1; k <= GRID_A_MAX; k++) {
		if (!grid_api_has(m, k))
			continue;
		if (m->t[k]) {
			must(strlen(m->t[k]) == m->tn[k]);
		}
		if (k == GRID_A_KEY || k == GRID_A_ID || k == GRID_A_ISSUER ||
		    k == GRID_A_HOLDER_KEY || k == GRID_A_HOLDER_GRID)
			must(m->bn[k] == 32);
	}
}

static void fuzz_request(const uint8_t *data, size_t size)
{
	struct grid_api_in in;
	struct grid_api_out out;
	struct grid_why why = { "" };
	uint8_t *buf = copy(data, size);
	int ret;

	ret = grid_api_parse_request(&in, buf, size, &why);
	if (ret) {
		refused(ret, &why);
		free(buf);
		return;
	}
	check_map(&in.args);
	must(!grid_api_out_init(&out));
	must(!grid_api_request(&out, in.op, &in.args));
	/* An empty argument map is written as none: both read the same. */
	if (!(out.len - 4 == size && !memcmp(out.buf + 4, data, size)))
		must(!in.args.has);
	grid_api_out_free(&out);
	grid_api_in_free(&in);
	free(buf);
}

static void fuzz_response(const uint8_t *data, size_t size)
{
	struct grid_api_in in;
	struct grid_api_out out;
	struct grid_why why = { "" };
	uint8_t *buf = copy(data, size);
	uint32_t i;
	int ret;

	ret = grid_api_parse_response(&in, buf, size, &why);
	if (ret) {
		refused(ret, &why);
		free(buf);
		return;
	}
	must(!grid_api_out_init(&out));
	for (i = 0; i < in.n_items; i++) {
		check_map(&in.items[i]);
		/* The writer may page sooner than a reader allows. */
		if (grid_api_add_item(&out, &in.items[i]))
			goto done;
	}
	out.more = in.more;
	must(!grid_api_response(&out, in.status, in.msg[0] ? in.msg : NULL));
	/*
	 * Written again, it reads the same; and it is the input itself unless
	 * the input said "more" with a 0 (which reads as no "more") or gave
	 * an empty message or list, which the writer leaves out.
	 */
	{
		struct grid_api_in again;

		must(!grid_api_parse_response(&again, out.buf + 4, out.len - 4,
					      &why));
		must(again.status == in.status && again.n_items == in.n_items &&
		     again.more == in.more && !strcmp(again.msg, in.msg));
		grid_api_in_free(&again);
	}
done:
	grid_api_out_free(&out);
	grid_api_in_free(&in);
	free(buf);
}

static void fuzz_frames(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(GRID_API_MSG_MAX);
	int fd[2];
	size_t len;
	int ret;

	if (!buf || size > 60000 || pipe(fd))
		goto out;
	/* A pipe holds 64 KiB: the whole input is there before it is read. */
	if (write(fd[1], data, size) != (ssize_t)size) {
		close(fd[0]);
		close(fd[1]);
		goto out;
	}
	close(fd[1]);
	while (!(ret = grid_api_read(fd[0], buf, &len)))
		must(len >= 1 && len <= GRID_API_MSG_MAX);
	must(ret == -EPIPE || ret == -EMSGSIZE);
	close(fd[0]);
out:
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > GRID_API_MSG_MAX)
		return 0;
	fuzz_request(data, size);
	fuzz_response(data, size);
	fuzz_frames(data, size);
	return 0;
}
