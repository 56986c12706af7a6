// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl as gridd's client: requests on the local API's socket
 * (GRID_SOCKET in the environment, or -S, names another), each answered
 * before the next on its connection. Most commands make one request on a
 * connection of its own; run and job attach keep theirs. A gridd that is
 * not running is said plainly; gridd's refusals are its sentences.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "print.h"
#include "gridctl.h"
#include "units.h"

const char *gridctl_socket;

static const char *socket_path(void)
{
	const char *env = getenv("GRID_SOCKET");

	if (gridctl_socket)
		return gridctl_socket;
	return env && *env ? env : GRID_API_SOCK;
}

int gridctl_connect(const char *what, int *fd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = socket_path();
	int err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return gridctl_fail(what, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return gridctl_fail(what, "cannot make a socket: %s",
				    strerror(errno));
	if (!connect(*fd, (struct sockaddr *)&sa, sizeof(sa)))
		return 0;
	err = errno;
	close(*fd);
	*fd = -1;
	if (err == ENOENT || err == ECONNREFUSED)
		return gridctl_fail(what, "gridd is not running (nothing listens on %s); start it with 'systemctl start gridd' or 'gridd --foreground'",
				    path);
	if (err == EACCES)
		return gridctl_fail(what, "cannot reach gridd on %s: permission denied (root, or the group gridd.conf names)",
				    path);
	return gridctl_fail(what, "cannot reach gridd on %s: %s", path,
			    strerror(err));
}

int gridctl_no_answer(const char *what, int err)
{
	return gridctl_fail(what, "gridd did not answer: %s",
			    err == -EPIPE ? "it closed the connection" :
			    strerror(-err));
}

int gridctl_answer(const char *what, uint8_t *buf, size_t len,
		   struct grid_api_in *in)
{
	struct grid_why why = { "" };

	if (grid_api_parse_response(in, buf, len, &why)) {
		free(buf);
		return gridctl_fail(what, "gridd's answer does not read: %s",
				    why.msg);
	}
	/* Bytes in the answer point into @buf: it goes with @in. */
	in->raw = buf;
	return 0;
}

int gridctl_refused(const char *what, struct grid_api_in *in)
{
	gridctl_fail(what, "%s", in->msg[0] ? in->msg : strerror(-in->status));
	grid_api_in_free(in);
	return 1;
}

int gridctl_ask(const char *what, int fd, uint32_t op,
		const struct grid_api_map *args, struct grid_api_in *in)
{
	struct grid_api_out out;
	uint8_t *buf;
	size_t len;
	int ret;

	memset(in, 0, sizeof(*in));
	if (grid_api_out_init(&out))
		return gridctl_fail(what, "out of memory");
	if (grid_api_request(&out, op, args)) {
		grid_api_out_free(&out);
		return gridctl_fail(what, "the request is too long");
	}
	buf = malloc(GRID_API_MSG_MAX);
	if (!buf) {
		grid_api_out_free(&out);
		return gridctl_fail(what, "out of memory");
	}
	ret = grid_api_write(fd, out.buf, out.len);
	grid_api_out_free(&out);
	if (!ret)
		ret = grid_api_read(fd, buf, &len);
	if (ret) {
		free(buf);
		return gridctl_no_answer(what, ret);
	}
	return gridctl_answer(what, buf, len, in);
}

int gridctl_call(const char *what, uint32_t op, const struct grid_api_map *args,
		 struct grid_api_in *in)
{
	int fd, ret;

	memset(in, 0, sizeof(*in));
	if (gridctl_connect(what, &fd))
		return 1;
	ret = gridctl_ask(what, fd, op, args, in);
	close(fd);
	if (!ret && in->status)
		ret = gridctl_refused(what, in);
	return ret;
}

int gridctl_has_gridd(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ok;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", socket_path());
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	ok = !connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return ok;
}

/* ---- printing an item ---------------------------------------------------- */

void gridctl_print_hexkey(const char *key, const char *fmt, const uint8_t *pk)
{
	char hex[2 * GRID_PK_LEN + 1];

	sodium_bin2hex(hex, sizeof(hex), pk, GRID_PK_LEN);
	print_str(fmt ? PRINT_ANY : PRINT_JSON, key, fmt, hex);
}

/* Durations for the words "for" and "expires": whole seconds, at least 1. */
int gridctl_seconds(const char *what, const char *word, const char *val,
		    uint64_t *secs)
{
	uint64_t ns;

	if (grid_parse_duration(val, &ns) || ns == GRID_LIMIT_MAX ||
	    ns < GRID_NSEC_PER_SEC)
		return gridctl_usage(what, "'%s' takes a duration like 90s, 2h or 1d, not '%s'",
				     word, val);
	*secs = ns / GRID_NSEC_PER_SEC;
	return 0;
}
