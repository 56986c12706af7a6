// SPDX-License-Identifier: GPL-2.0
/*
 * gridd: the grid daemon.
 *
 * What it does so far: it checks that grid.ko speaks its ABI, adopts the
 * pinned BPF quota programs (loading them if nothing is pinned) and has
 * grid.ko watch the CPU budgets again, subscribes to the module's event
 * group and logs each event until SIGTERM or SIGINT.
 * Identity keys, peers, leases and jobs arrive with their issues; this file
 * stays the wiring, as DESIGN.md lays out.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "bpf_loader.h"
#include "dev.h"
#include "log.h"
#include "names.h"
#include "nl.h"

static void usage(FILE *out)
{
	fprintf(out, "Usage: gridd [-v] [--check] [--no-bpf]\n"
		"  -v        log debug lines too\n"
		"  --check   check that grid.ko is usable, then exit\n"
		"  --no-bpf  neither load nor adopt the BPF quota programs\n"
		"  -V        print the version\n");
}

static void on_event(const struct grid_obj_event *ev, void *arg)
{
	const char *name = grid_event_name(ev->type);
	const char *res = ev->has_resource ? grid_limit_name(ev->resource) : NULL;
	char lease[32] = "", cg[32] = "", gg[48] = "", rs[48] = "";

	(void)arg;
	if (ev->has_lease_id)
		snprintf(lease, sizeof(lease), " lease %" PRIu64, ev->lease_id);
	if (ev->has_cgroup_id)
		snprintf(cg, sizeof(cg), " cgroup %" PRIu64, ev->cgroup_id);
	if (ev->gridgrid[0])
		snprintf(gg, sizeof(gg), " gridgrid %s", ev->gridgrid);
	if (ev->has_resource)
		snprintf(rs, sizeof(rs), " resource %s", res ? res : "unknown");
	if (name)
		log_info("event: %s%s%s%s%s", name, lease, cg, gg, rs);
	else
		log_info("event: type %u%s%s%s%s", ev->type, lease, cg, gg, rs);
}

static void on_libbpf(const char *msg)
{
	log_debug("libbpf: %s", msg);
}

static int count_gg(const struct grid_bpf_gg *gg, void *arg)
{
	(void)gg;
	++*(unsigned int *)arg;
	return 0;
}

/*
 * The quota programs: adopted if pinned, else loaded and pinned, and the
 * CPU budgets watched again in case grid.ko was loaded since they were
 * set. Without bpffs or BPF in this kernel gridd goes on without quotas;
 * any other failure stops it.
 */
static int bpf_start(struct grid_bpf **b, bool verbose)
{
	unsigned int n = 0, watched;
	int ret;

	grid_bpf_set_log(on_libbpf);
	ret = grid_bpf_open(b, GRID_BPF_LOAD);
	if (ret == -ENODEV) {
		log_warn("bpf: bpffs is not mounted at %s; running without quotas",
			 GRID_BPF_FS);
		return 0;
	}
	if (ret == -ENOSYS || ret == -EOPNOTSUPP || ret == -EPERM) {
		log_warn("bpf: this kernel does not let gridd use BPF (%s); running without quotas",
			 strerror(-ret));
		return 0;
	}
	if (ret) {
		log_err("bpf: cannot load the quota programs: %s%s",
			strerror(-ret), verbose ? "" : " (-v shows libbpf's messages)");
		return ret;
	}
	/* A count we cannot make is no reason to stop: it is only said. */
	grid_bpf_each(*b, count_gg, &n);
	if (grid_bpf_loaded(*b))
		log_info("bpf: loaded");
	else
		log_info("bpf: adopted (%u grid-grid%s)", n, n == 1 ? "" : "s");
	ret = grid_bpf_rewatch(*b, &watched);
	if (ret)
		log_warn("bpf: cannot watch every CPU budget again (%s); those not watched are not enforced",
			 strerror(-ret));
	else if (watched)
		log_debug("bpf: %u CPU budget%s watched", watched,
			  watched == 1 ? "" : "s");
	return 0;
}

static int serve(struct grid_nl *events)
{
	struct pollfd pfd[2];
	sigset_t mask;
	int sfd, ret;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0)
		return -errno;

	pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = grid_nl_fd(events), .events = POLLIN };
	log_info("ready");
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		if (pfd[0].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				log_info("signal %u: stopping", si.ssi_signo);
			ret = 0;
			break;
		}
		if (pfd[1].revents) {
			ret = grid_nl_read_events(events, on_event, NULL);
			if (ret == -ENOBUFS) {
				log_warn("events were lost: the socket's buffer overflowed");
				ret = 0;
			}
			if (ret) {
				log_err("reading events: %s", strerror(-ret));
				break;
			}
		}
	}
	close(sfd);
	return ret;
}

int main(int argc, char **argv)
{
	struct grid_nl *events = NULL;
	struct grid_bpf *bpf = NULL;
	struct grid_version v;
	bool check = false, verbose = false, no_bpf = false;
	int fd = -1, ret, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (!strcmp(argv[i], "--check")) {
			check = true;
		} else if (!strcmp(argv[i], "--no-bpf")) {
			no_bpf = true;
		} else if (!strcmp(argv[i], "-V")) {
			printf("gridd " GRID_RELEASE " (abi %d)\n",
			       GRID_ABI_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			fprintf(stderr, "gridd: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	log_init("gridd", verbose);

	ret = grid_dev_open(&fd);
	if (ret == -EPROTO) {
		log_err("grid.ko does not speak ABI %d", GRID_ABI_VERSION);
		goto out;
	}
	if (ret) {
		log_err("cannot open %s: %s%s", GRID_DEV_PATH, strerror(-ret),
			ret == -ENOENT ? " (is grid.ko loaded?)" : "");
		goto out;
	}
	ret = grid_dev_version(fd, &v);
	if (ret) {
		log_err("version query failed: %s", strerror(-ret));
		goto out;
	}
	ret = grid_nl_open(&events);
	if (!ret)
		ret = grid_nl_subscribe(events);
	if (ret) {
		log_err("cannot subscribe to the '%s' events: %s",
			GRID_GENL_NAME, strerror(-ret));
		goto out;
	}
	log_info("grid.ko %s (abi %u)", v.release, v.abi);
	if (check)
		goto out;
	if (!no_bpf) {
		ret = bpf_start(&bpf, verbose);
		if (ret)
			goto out;
	}
	ret = serve(events);
	if (ret)
		log_err("stopped: %s", strerror(-ret));
out:
	grid_bpf_close(bpf);
	grid_nl_close(events);
	if (fd >= 0)
		close(fd);
	return ret ? 1 : 0;
}
