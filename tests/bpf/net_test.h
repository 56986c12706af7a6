/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host tests of the network programs share (net_quota_test,
 * with BPF_PROG_TEST_RUN; net_attach_test, with real packets): checks
 * that show the values they compared, and a few cgroup helpers.
 * Include after unit.h, <linux/grid_bpf.h> and <bpf/libbpf.h>.
 */
#ifndef GRID_NET_TEST_H
#define GRID_NET_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Why a test cannot run, for its SKIP line. */
static char why_buf[PATH_MAX + 128];

#define CHECK_EQ(a, b)							\
	do {								\
		unsigned long long a_ = (a), b_ = (b);			\
		if (a_ != b_) {						\
			printf("FAIL %s: %s:%d: %s == %s (%llu != %llu)\n", \
			       UNIT_SUITE, __FILE__, __LINE__, #a, #b,	\
			       a_, b_);					\
			unit_failed_now = 1;				\
			return;						\
		}							\
	} while (0)

#define CHECK_IN(x, lo, hi)						\
	do {								\
		unsigned long long x_ = (x), lo_ = (lo), hi_ = (hi);	\
		if (x_ < lo_ || x_ > hi_) {				\
			printf("FAIL %s: %s:%d: %s in [%s, %s] (%llu not in [%llu, %llu])\n", \
			       UNIT_SUITE, __FILE__, __LINE__, #x, #lo,	\
			       #hi, x_, lo_, hi_);			\
			unit_failed_now = 1;				\
			return;						\
		}							\
	} while (0)

/* Calls a helper that checks, and stops the test if it failed. */
#define CALL(f)								\
	do {								\
		f;							\
		if (unit_failed_now)					\
			return;						\
	} while (0)

/* Counters are bytes, packets, drops: all three shown when one is off. */
#define CHECK_USAGE(u, b, p, d)						\
	do {								\
		struct grid_usage u_ = (u);				\
		unsigned long long b_ = (b), p_ = (p), d_ = (d);	\
		if (u_.bytes != b_ || u_.packets != p_ || u_.drops != d_) { \
			printf("FAIL %s: %s:%d: %s is %llu B %llu packets %llu drops, not %llu B %llu packets %llu drops\n", \
			       UNIT_SUITE, __FILE__, __LINE__, #u,	\
			       (unsigned long long)u_.bytes,		\
			       (unsigned long long)u_.packets,		\
			       (unsigned long long)u_.drops, b_, p_, d_); \
			unit_failed_now = 1;				\
			return;						\
		}							\
	} while (0)

static inline const char *why(const char *what, int err)
{
	snprintf(why_buf, sizeof(why_buf), "%s: %s", what, strerror(err));
	return why_buf;
}

static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, s, strlen(s)) < 0)
		err = errno;
	close(fd);
	return err;
}

/* Moves this process (all its threads) into the cgroup at @dir. */
static inline int move_to(const char *dir)
{
	char path[PATH_MAX + 16], pid[32];

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return ENAMETOOLONG;
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	return write_str(path, pid);
}

static inline int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN && getenv("GRID_BPF_VERBOSE") ?
		vfprintf(stderr, fmt, ap) : 0;
}

#endif
