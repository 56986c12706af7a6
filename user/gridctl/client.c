// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl as gridd's client: one request, one answer, on the local API's
 * socket (GRID_SOCKET in the environment, or -S, names another). A gridd
 * that is not running is said plainly; gridd's refusals are its sentences.
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

static int connect_gridd(const char *what, int *fd)
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
	if (err == ENOENT || err == ECONNREFUSED)
		return gridctl_fail(what, "gridd is not running (nothing listens on %s); start it with 'systemctl start gridd' or 'gridd --foreground'",
				    path);
	if (err == EACCES)
		return gridctl_fail(what, "cannot reach gridd on %s: permission denied (root, or the group gridd.conf names)",
				    path);
	return gridctl_fail(what, "cannot reach gridd on %s: %s", path,
			    strerror(err));
}

int gridctl_call(const char *what, uint32_t op, const struct grid_api_map *args,
		 struct grid_api_in *in)
{
	struct grid_api_out out;
	struct grid_why why = { "" };
	uint8_t *buf = NULL;
	size_t len;
	int fd = -1, ret;

	memset(in, 0, sizeof(*in));
	if (grid_api_out_init(&out))
		return gridctl_fail(what, "out of memory");
	ret = grid_api_request(&out, op, args);
	if (ret) {
		ret = gridctl_fail(what, "the request is too long");
		goto out;
	}
	if (connect_gridd(what, &fd)) {
		ret = 1;
		goto out;
	}
	buf = malloc(GRID_API_MSG_MAX);
	if (!buf) {
		ret = gridctl_fail(what, "out of memory");
		goto out;
	}
	ret = grid_api_write(fd, out.buf, out.len);
	if (!ret)
		ret = grid_api_read(fd, buf, &len);
	if (ret) {
		ret = gridctl_fail(what, "gridd did not answer: %s",
				   ret == -EPIPE ? "it closed the connection" :
				   strerror(-ret));
		goto out;
	}
	ret = grid_api_parse_response(in, buf, len, &why);
	if (ret) {
		ret = gridctl_fail(what, "gridd's answer does not read: %s",
				   why.msg);
		goto out;
	}
	if (in->status) {
		ret = gridctl_fail(what, "%s", in->msg[0] ? in->msg :
				   strerror(-in->status));
		grid_api_in_free(in);
		goto out;
	}
	/* Bytes in the answer point into @buf: it goes with @in. */
	in->raw = buf;
	buf = NULL;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	grid_api_out_free(&out);
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
