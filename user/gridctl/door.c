// SPDX-License-Identifier: GPL-2.0
/*
 * Opening grid.ko's two doors, and the failures every object shares, in
 * sentences. What only one object can explain is explained in its file.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "dev.h"
#include "nl.h"
#include "print.h"
#include "gridctl.h"

int gridctl_dev(const char *what, int *fd)
{
	int ret = grid_dev_open(fd);

	if (!ret)
		return 0;
	if (ret == -EPROTO)
		return gridctl_fail(what, "grid.ko does not speak ABI %d as gridctl does; rebuild one of them",
				    GRID_ABI_VERSION);
	if (ret == -ENOENT)
		return gridctl_fail(what, "%s does not exist; is grid.ko loaded?",
				    GRID_DEV_PATH);
	if (ret == -EACCES || ret == -EPERM)
		return gridctl_fail(what, "cannot open %s: %s (it is root's, mode 0600)",
				    GRID_DEV_PATH, strerror(-ret));
	return gridctl_fail(what, "cannot open %s: %s", GRID_DEV_PATH,
			    strerror(-ret));
}

int gridctl_nl(const char *what, struct grid_nl **nl)
{
	int ret = grid_nl_open(nl);

	if (!ret)
		return 0;
	if (ret == -ENOENT)
		return gridctl_fail(what, "the netlink family '%s' is not registered; is grid.ko loaded?",
				    GRID_GENL_NAME);
	return gridctl_fail(what, "cannot reach the netlink family '%s': %s",
			    GRID_GENL_NAME, strerror(-ret));
}

int gridctl_fail_errno(const char *what, int err, const struct grid_nl *nl)
{
	const char *why = nl ? grid_nl_extack(nl) : "";
	const char *msg;

	switch (-err) {
	case EPERM:
		msg = "not permitted: changing or reading grid objects needs CAP_SYS_ADMIN, and inside a sandbox only 'gridctl self' works";
		break;
	case ENOTTY:
	case E2BIG:
	case EOPNOTSUPP:
		msg = "grid.ko does not know this request; is it older than gridctl?";
		break;
	case EPROTO:
		msg = "grid.ko answered in a way gridctl cannot read; are they from the same release?";
		break;
	case EAGAIN:
		msg = "the objects kept changing while they were listed; try again";
		break;
	case EINVAL:
		msg = "grid.ko refused the request as invalid";
		break;
	default:
		msg = strerror(-err);
	}
	if (*why)
		return gridctl_fail(what, "%s: %s", msg, why);
	return gridctl_fail(what, "%s", msg);
}

int gridctl_done(void)
{
	print_start(stdout, gridctl_json, gridctl_pretty);
	return print_end() ? 1 : 0;
}

int64_t gridctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
