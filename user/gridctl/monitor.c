// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl monitor
 *
 * Prints grid.ko's events as they arrive, until interrupted: one line each,
 * and with -j one JSON object per line, flushed at once so that a pipe
 * sees every event when it happens.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "names.h"
#include "units.h"
#include "nl.h"
#include "print.h"
#include "gridctl.h"

static void on_event(const struct grid_obj_event *ev, void *arg)
{
	const char *name = grid_event_name(ev->type);
	const char *res;
	int *failed = arg;

	print_start(stdout, gridctl_json, false);
	if (name)
		print_str(PRINT_ANY, "event", "%s", name);
	else
		print_u64(PRINT_ANY, "event", "event-%" PRIu64, ev->type);
	if (ev->has_lease_id)
		print_u64(PRINT_ANY, "lease_id", " lease %" PRIu64, ev->lease_id);
	if (ev->has_cgroup_id)
		print_u64(PRINT_ANY, "cgroup_id", " cgroup %" PRIu64,
			  ev->cgroup_id);
	if (ev->gridgrid[0])
		print_str(PRINT_ANY, "gridgrid", " gridgrid %s", ev->gridgrid);
	if (ev->name[0])
		print_str(PRINT_ANY, "name", " grid %s", ev->name);
	if (ev->has_key) {
		char hex[GRID_KEY_HEX_LEN + 1];

		grid_format_key(hex, sizeof(hex), ev->key);
		print_str(PRINT_ANY, "key", " key %s", hex);
	}
	if (ev->error)
		print_str(PRINT_ANY, "error", " error '%s'", strerror(ev->error));
	if (ev->gen)
		print_u64(PRINT_ANY, "generation", " gen %" PRIu64, ev->gen);
	if (ev->has_resource) {
		res = grid_limit_name(ev->resource);
		if (res)
			print_str(PRINT_ANY, "resource", " resource %s", res);
		else
			print_u64(PRINT_ANY, "resource", " resource %" PRIu64,
				  ev->resource);
	}
	print_text("\n");
	if (print_end())
		*failed = 1;
}

static int watch(const char *what, struct grid_nl *nl)
{
	struct pollfd pfd[2];
	sigset_t mask;
	int sfd, ret = 0, failed = 0;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return gridctl_fail(what, "cannot block signals: %s", strerror(errno));
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0)
		return gridctl_fail(what, "cannot make a signalfd: %s", strerror(errno));
	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = grid_nl_fd(nl), .events = POLLIN };
	while (!failed) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = gridctl_fail(what, "poll: %s", strerror(errno));
			break;
		}
		/* Interrupted: that is how a monitor ends, so it is success. */
		if (pfd[0].revents)
			break;
		if (!pfd[1].revents)
			continue;
		ret = grid_nl_read_events(nl, on_event, &failed);
		if (ret == -ENOBUFS) {
			gridctl_fail(what, "events were lost: the socket's buffer overflowed");
			ret = 0;
		} else if (ret) {
			ret = gridctl_fail(what, "reading events: %s", strerror(-ret));
			break;
		}
	}
	close(sfd);
	/* A reader that went away (a closed pipe) is not worth a message. */
	return ret ? ret : failed;
}

int do_monitor(int argc, char **argv)
{
	const char *what = "monitor";
	struct grid_nl *nl;
	int ret;

	if (argc && gridctl_is_help(argv[0])) {
		printf("Usage: gridctl [-j] monitor\n");
		return 0;
	}
	if (argc)
		return gridctl_usage(what, "unexpected '%s'", argv[0]);
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_subscribe(nl);
	if (ret == -EPERM || ret == -EACCES)
		ret = gridctl_fail(what, "not permitted: the '%s' events need CAP_SYS_ADMIN",
				   GRID_GENL_MCGRP_EVENTS);
	else if (ret)
		ret = gridctl_fail(what, "cannot join the '%s' events: %s",
				   GRID_GENL_MCGRP_EVENTS, strerror(-ret));
	else
		ret = watch(what, nl);
	grid_nl_close(nl);
	return ret;
}
