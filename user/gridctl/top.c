// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl top [-d SECONDS] [-n ITERATIONS]
 *
 * The quota table of every grid-grid, refreshed until interrupted, with
 * what each grid-grid and lease uses now: bytes per second and CPU cores
 * over the last interval, busiest first. On a terminal each refresh
 * replaces the last; with -j each is one JSON object on its own line.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "units.h"
#include "print.h"
#include "gridctl.h"
#include "quota_read.h"

#define CLEAR_SCREEN	"\033[H\033[2J"

/* @d of @dt_ns per second, or 0 if the counter went back (re-attached). */
static uint64_t per_s(uint64_t now, uint64_t then, uint64_t dt_ns)
{
	unsigned __int128 v;

	if (now < then || !dt_ns)
		return 0;
	v = (unsigned __int128)(now - then) * GRID_NSEC_PER_SEC / dt_ns;
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

static void rate_of(struct quota_rate *r, const struct grid_usage now[2],
		    const struct grid_usage then[2], uint64_t cpu_now,
		    uint64_t cpu_then, uint64_t dt_ns)
{
	int d;

	r->known = true;
	for (d = GRID_DIR_EGRESS; d <= GRID_DIR_INGRESS; d++)
		r->bytes_per_s[d] = per_s(now[d].bytes, then[d].bytes, dt_ns);
	r->nanocores = per_s(cpu_now, cpu_then, dt_ns);
}

static const struct quota_lease *find_lease(const struct quota_gg *g,
					    uint64_t cgroup_id)
{
	size_t i;

	for (i = 0; i < g->nr_leases; i++)
		if (g->leases[i].cgroup_id == cgroup_id)
			return &g->leases[i];
	return NULL;
}

static void rates(struct quota_snap *s, const struct quota_snap *prev)
{
	const struct quota_lease *ol;
	const struct quota_gg *og;
	uint64_t dt = s->mono_ns - prev->mono_ns;
	size_t i, j;

	for (i = 0; i < s->nr; i++) {
		struct quota_gg *g = &s->gg[i];

		og = quota_snap_find(prev, g->cgroup_id);
		if (!og)
			continue;
		rate_of(&g->rate, g->usage, og->usage, g->cpu_usage.runtime_ns,
			og->cpu_usage.runtime_ns, dt);
		for (j = 0; j < g->nr_leases; j++) {
			struct quota_lease *l = &g->leases[j];

			ol = find_lease(og, l->cgroup_id);
			if (ol)
				rate_of(&l->rate, l->net, ol->net,
					l->cpu_runtime_ns, ol->cpu_runtime_ns,
					dt);
		}
	}
}

/* Busiest first: CPU, then bytes both ways, then by name. */
static int busier(const struct quota_rate *a, const struct quota_rate *b)
{
	uint64_t ab = a->bytes_per_s[0] + a->bytes_per_s[1];
	uint64_t bb = b->bytes_per_s[0] + b->bytes_per_s[1];

	if (a->nanocores != b->nanocores)
		return a->nanocores > b->nanocores ? -1 : 1;
	if (ab != bb)
		return ab > bb ? -1 : 1;
	return 0;
}

static int gg_order(const void *x, const void *y)
{
	const struct quota_gg *a = x, *b = y;

	return busier(&a->rate, &b->rate) ?: strcmp(a->name, b->name);
}

static int lease_order(const void *x, const void *y)
{
	const struct quota_lease *a = x, *b = y;

	return busier(&a->rate, &b->rate) ?: strcmp(a->name, b->name);
}

static void sort(struct quota_snap *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		if (s->gg[i].nr_leases)
			qsort(s->gg[i].leases, s->gg[i].nr_leases,
			      sizeof(s->gg[i].leases[0]), lease_order);
	if (s->nr)
		qsort(s->gg, s->nr, sizeof(s->gg[0]), gg_order);
}

static int refresh(const struct quota_snap *s, uint64_t delay_ns, bool tty)
{
	char every[GRID_FMT_LEN];

	if (tty && !gridctl_json)
		fputs(CLEAR_SCREEN, stdout);
	print_start(stdout, gridctl_json, gridctl_pretty);
	gridctl_print_time("time", "gridctl top  %s", s->real_ns);
	print_text("  every %s  %zu grid-grid%s\n\n",
		   grid_format_duration(every, sizeof(every), delay_ns), s->nr,
		   s->nr == 1 ? "" : "s");
	if (!s->nr)
		print_text("no quota attached\n");
	print_arr_open("gridgrids");
	quota_print(s, true);
	print_arr_close();
	if (!tty)
		print_text("\n");
	return print_end();
}

static int loop(const char *what, uint64_t delay_ns, uint64_t count)
{
	struct quota_snap snap[2], *cur = &snap[0], *prev = NULL, *t;
	bool tty = isatty(STDOUT_FILENO);
	struct pollfd pfd;
	uint64_t n;
	sigset_t mask;
	int ret = 0, sfd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return gridctl_fail(what, "cannot block signals: %s",
				    strerror(errno));
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0)
		return gridctl_fail(what, "cannot make a signalfd: %s",
				    strerror(errno));
	pfd = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (n = 0; !count || n < count; n++) {
		if (n) {
			/* Interrupted: that is how top ends, so it is success. */
			if (poll(&pfd, 1, delay_ns / 1000000) > 0)
				break;
		}
		ret = quota_read(cur, NULL);
		if (ret) {
			ret = quota_read_fail(what, ret, cur);
			break;
		}
		if (prev)
			rates(cur, prev);
		sort(cur);
		/* A reader that went away (a closed pipe) needs no message. */
		if (refresh(cur, delay_ns, tty)) {
			ret = 1;
			quota_snap_free(cur);
			break;
		}
		if (prev)
			quota_snap_free(prev);
		t = prev ? prev : &snap[1];
		prev = cur;
		cur = t;
	}
	if (prev)
		quota_snap_free(prev);
	close(sfd);
	return ret;
}

int do_top(int argc, char **argv)
{
	const char *what = "top";
	uint64_t delay_ns = GRID_NSEC_PER_SEC, count = 0;
	const char *v;
	int i;

	for (i = 0; i < argc; i++) {
		if (gridctl_is_help(argv[i])) {
			printf("Usage: gridctl [-j] top [-d SECONDS] [-n ITERATIONS]\n");
			return 0;
		}
		if (strcmp(argv[i], "-d") && strcmp(argv[i], "-n"))
			return gridctl_usage(what, "unexpected '%s'", argv[i]);
		v = gridctl_value(what, argc, argv, &i);
		if (!v)
			return 2;
		if (argv[i - 1][1] == 'n') {
			if (gridctl_u64(what, "-n", v, &count))
				return 2;
			if (!count)
				return gridctl_usage(what, "'-n' takes at least 1");
		} else if (grid_parse_duration(v, &delay_ns) ||
			   delay_ns < GRID_NSEC_PER_SEC / 100 ||
			   delay_ns > 3600 * GRID_NSEC_PER_SEC) {
			return gridctl_usage(what, "'-d' takes seconds from 0.01 to 3600, not '%s'",
					     v);
		}
	}
	return loop(what, delay_ns, count);
}
