// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl selftest: the isolation checks a cautious owner wants to see
 * before strangers' code runs here. A probe job (grid-jobinit --probe,
 * user/jobinit/probe.c) runs in a real sandbox, made as every job's is
 * (jobs_provider.c gridd_job_launch), in CGROUP_ROOT/selftest, and says
 * one line per check. The result is kept by kernel release: a provider
 * refuses other grids' jobs until the selftest has passed on the kernel
 * it runs now (gridd_selftest_passed).
 *
 * It runs inside the request, gridd waiting for the probe (a few hundred
 * milliseconds, PROBE_MS at most): an owner's command, rarely run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "jobmsg.h"
#include "jobs.h"
#include "log.h"

#define PROBE_MS	20000
#define REPORT_MAX	8192

/*
 * What a pass is of: this kernel, this gridd (its jail, its filter, its
 * grid-jobinit come with it) and this grid.ko. An upgrade of any asks for
 * the selftest again.
 */
static void release(const struct gridd *g, char *buf, size_t len)
{
	struct utsname u;

	snprintf(buf, len, "%s, gridd " GRID_RELEASE ", %s",
		 uname(&u) ? "unknown" : u.release, g->kernel);
}

bool gridd_selftest_passed(struct gridd *g)
{
	char k[192];
	int64_t passed = 0;

	release(g, k, sizeof(k));
	return !store_int(&g->st, &passed, "SELECT passed FROM selftests WHERE kernel = ?",
			  "t", k) && passed;
}

static void clean(const char *dir, const char *cg)
{
	static const char *const files[] = { "out", "err", "status", "ctl" };
	char p[PATH_MAX + 16];
	size_t i;

	grid_cgroup_write(cg, "cgroup.kill", "1");
	snprintf(p, sizeof(p), "%s/work", dir);
	umount2(p, MNT_DETACH);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Until the probe's init has gone: its messages read and let be. */
static int wait_probe(struct gridd_launch *l, struct grid_why *why)
{
	long long end = now_ms() + PROBE_MS;
	struct grid_jobmsg m;
	siginfo_t si = { 0 };

	for (;;) {
		struct pollfd p[2] = { { .fd = l->ctl, .events = POLLIN },
				       { .fd = l->pidfd, .events = POLLIN } };
		long long left = end - now_ms();

		if (left <= 0)
			return grid_why_set(why, -ETIMEDOUT, "the probe did not end within %d s",
					    PROBE_MS / 1000);
		if (poll(p, 2, (int)left) < 0 && errno != EINTR)
			return -errno;
		if (p[0].revents) {
			ssize_t n;

			errno = 0;
			n = recv(l->ctl, &m, sizeof(m), MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				close(l->ctl);
				l->ctl = -1;
			}
		}
		if (p[1].revents)
			break;
	}
	if (waitid(P_PIDFD, l->pidfd, &si, WEXITED))
		return -errno;
	return 0;
}

/* The probe's lines as items: PASS/FAIL name: sentence. */
static int report(struct request *rq, const char *out, int *failed, int *n)
{
	const char *line = out, *nl;
	char name[64];
	struct grid_api_map m;
	int ret;

	for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
		const char *colon;
		bool pass;

		nl = strchr(line, '\n');
		pass = !strncmp(line, "PASS ", 5);
		if (!pass && strncmp(line, "FAIL ", 5))
			continue;
		colon = strchr(line + 5, ':');
		if (!colon || (nl && colon > nl) || colon - line - 5 >= (int)sizeof(name))
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)(colon - line - 5), line + 5);
		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_NAME, name);
		grid_api_set_t(&m, GRID_A_STATE, pass ? "pass" : "fail");
		/* The sentence, up to its line's end (a copy: items refer). */
		{
			static char why[64][GRID_API_TEXT_MAX + 1];
			int len = (int)((nl ? nl : line + strlen(line)) - colon - 2);

			if (*n >= 64)
				return -E2BIG;
			snprintf(why[*n], sizeof(why[*n]), "%.*s", len > 0 ? len : 0, colon + 2);
			grid_api_set_t(&m, GRID_A_REASON, why[*n]);
		}
		ret = grid_api_add_item(rq->out, &m);
		if (ret)
			return ret;
		*failed += !pass;
		(*n)++;
	}
	return 0;
}

int op_selftest(struct gridd *g, struct request *rq)
{
	static char *argv[] = { "/proc/self/exe", "--probe", NULL };
	char dir[PATH_MAX], cg[PATH_MAX], failed_at[PATH_MAX], kernel[192];
	static char out[REPORT_MAX];
	struct gridd_launch l = {
		.dir = dir, .cgroup = cg, .uid = GRIDD_PROBE_UID, .work_bytes = 1 << 20,
		.argv = argv, .dev = -1,
	};
	struct grid_api_map m;
	int ret, failed = 0, n = 0, status = -1, fd;
	ssize_t len = 0;
	bool created;

	if (g->dev < 0)
		return gridd_fail(rq, -EOPNOTSUPP,
				  "grid.ko is not loaded: the selftest checks the sandbox with it (%s)",
				  g->kernel);
	release(g, kernel, sizeof(kernel));
	snprintf(dir, sizeof(dir), "%s/jobs/selftest", g->cfg.state_dir);
	snprintf(cg, sizeof(cg), "%s/selftest", g->cfg.cgroup_root);
	snprintf(failed_at, sizeof(failed_at), "%s/jobs", g->cfg.state_dir);
	mkdir(failed_at, 0700);
	clean(dir, cg);
	ret = grid_cgroup_mkdir(cg, &created);
	if (!ret)
		ret = grid_cgroup_enable(cg, "pids", failed_at, sizeof(failed_at));
	if (!ret)
		ret = grid_cgroup_enable(cg, "memory", failed_at, sizeof(failed_at));
	if (ret)
		return gridd_fail(rq, ret, "cannot make the probe's cgroup %s: %s", cg,
				  strerror(-ret));
	/* Small: a probe that forks or allocates far is stopped here. */
	if (grid_cgroup_write(cg, "pids.max", "16") || grid_cgroup_write(cg, "memory.max", "67108864"))
		return gridd_fail(rq, -EIO, "cannot limit the probe's cgroup %s", cg);
	ret = gridd_job_launch(&l, &rq->why);
	if (!ret)
		ret = wait_probe(&l, &rq->why);
	if (!ret) {
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			int sfd = openat(fd, "status", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			char line[32];
			ssize_t k = sfd >= 0 ? read(sfd, line, sizeof(line) - 1) : -1;

			if (k > 0) {
				line[k] = '\0';
				status = atoi(line);
			}
			if (sfd >= 0)
				close(sfd);
			close(fd);
		}
		len = l.out >= 0 ? pread(l.out, out, sizeof(out) - 1, 0) : -1;
		out[len > 0 ? len : 0] = '\0';
	}
	if (l.ctl >= 0)
		close(l.ctl);
	if (l.pidfd >= 0)
		close(l.pidfd);
	if (l.out >= 0)
		close(l.out);
	if (l.err >= 0)
		close(l.err);
	clean(dir, cg);
	rmdir(cg);
	if (ret)
		return ret == -ETIMEDOUT || rq->why.msg[0] ? gridd_fail(rq, ret, "%s", rq->why.msg) :
		       gridd_fail(rq, ret, "the probe failed: %s", strerror(-ret));
	grid_api_map_init(&m);
	grid_api_set_t(&m, GRID_A_KERNEL, kernel);
	ret = report(rq, out, &failed, &n);
	if (ret)
		return ret;
	/* Every check said, and the probe itself ended well: passed. */
	if (!n || status != 0)
		failed++;
	grid_api_set_t(&m, GRID_A_NAME, "selftest");
	grid_api_set_t(&m, GRID_A_STATE, failed ? "fail" : "pass");
	grid_api_set_u(&m, GRID_A_COUNT, n);
	grid_api_set_u(&m, GRID_A_STATUS, status < 0 ? 0xffff : status);
	ret = grid_api_add_item(rq->out, &m);
	if (ret)
		return ret;
	ret = store_exec(&g->st, store_prep(&g->st,
		"INSERT OR REPLACE INTO selftests (kernel, at, passed, report) VALUES (?, ?, ?, ?)",
		"tiit", kernel, (int64_t)gridd_now(g), (int64_t)!failed, out));
	if (ret)
		return ret;
	log_info("selftest on %s: %s, %d checks", kernel, failed ? "failed" : "passed", n);
	return 0;
}
