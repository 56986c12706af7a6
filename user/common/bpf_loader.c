// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and adopting the pinned BPF programs and maps (see bpf_loader.h
 * and linux/grid_bpf.h for the layout); bpf_gridgrid.c attaches them.
 *
 * The pins are the state: nothing is remembered in a process. A loader
 * that finds everything pinned takes fds of the pins and loads nothing,
 * so gridd, gridctl and a gridd restarted after a crash share one set of
 * programs and maps and every counter survives them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_pins.h"
#include "grid_net.skel.h"
#include "grid_cpu.skel.h"

#define PIN(x)		GRID_BPF_PIN(x)

static const char *const map_pins[GRID_BPF_NR_MAPS] = {
	[GRID_BPF_MAP_GG_NET] = PIN("grid_gg_net"),
	[GRID_BPF_MAP_GG_COUNT] = PIN("grid_gg_count"),
	[GRID_BPF_MAP_LEASE_NET] = PIN("grid_lease_net"),
	[GRID_BPF_MAP_GG_IDS] = PIN("grid_gg_ids"),
	[GRID_BPF_MAP_CPU_LIMITS] = PIN("grid_cpu_limits"),
	[GRID_BPF_MAP_CPU_USAGE] = PIN("grid_cpu_usage"),
	[GRID_BPF_MAP_LEASE_CPU] = PIN("grid_lease_cpu"),
	[GRID_BPF_MAP_CPU_RUN] = PIN("grid_cpu_run"),
};

static const char *const prog_pins[GRID_BPF_NR_PROGS] = {
	[GRID_BPF_PROG_NET_EGRESS] = PIN("prog/net_egress"),
	[GRID_BPF_PROG_NET_INGRESS] = PIN("prog/net_ingress"),
	[GRID_BPF_PROG_CPU_RUNTIME] = PIN("prog/cpu_runtime"),
	[GRID_BPF_PROG_CPU_SWITCH] = PIN("prog/cpu_switch"),
	[GRID_BPF_PROG_CGROUP_GONE] = PIN("prog/cgroup_gone"),
};

/*
 * The tracing hooks: attached once, for everyone, their links pinned. The
 * scheduler's switch first, so that no charge finds a CPU's entry stale;
 * the cgroup_release one last.
 */
#define NR_HOOKS	3
static const struct {
	enum grid_bpf_prog prog;
	const char *link;
} hooks[NR_HOOKS] = {
	{ GRID_BPF_PROG_CPU_SWITCH, GRID_BPF_SWITCH_LINK },
	{ GRID_BPF_PROG_CPU_RUNTIME, GRID_BPF_CPU_LINK },
	{ GRID_BPF_PROG_CGROUP_GONE, GRID_BPF_GONE_LINK },
};

static void (*log_fn)(const char *msg);

static int on_libbpf(enum libbpf_print_level level, const char *fmt,
		     va_list ap)
{
	char msg[512];

	if (!log_fn || level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_fn(msg);
	return 0;
}

void grid_bpf_set_log(void (*fn)(const char *msg))
{
	log_fn = fn;
}

/* ---- pins and the lock ----------------------------------------------------- */

int grid_bpf_err(int ret)
{
	if (ret >= 0)
		return 0;
	return ret == -1 && errno ? -errno : ret;
}

int grid_bpf_mkdir_pin(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int grid_bpf_unlink_pin(const char *path)
{
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int lock_as(struct grid_bpf *b, int op)
{
	b->lock_fd = open(GRID_BPF_PIN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->lock_fd < 0)
		return -errno;
	if (flock(b->lock_fd, op) < 0) {
		int err = errno;

		close(b->lock_fd);
		b->lock_fd = -1;
		return -err;
	}
	return 0;
}

int grid_bpf_lock(struct grid_bpf *b)
{
	return lock_as(b, LOCK_EX);
}

void grid_bpf_unlock(struct grid_bpf *b)
{
	if (b->lock_fd >= 0)
		close(b->lock_fd);
	b->lock_fd = -1;
}

/* ---- the programs and the maps -------------------------------------------- */

static void close_fds(struct grid_bpf *b)
{
	int i;

	for (i = 0; i < GRID_BPF_NR_MAPS; i++) {
		if (b->map[i] >= 0)
			close(b->map[i]);
		b->map[i] = -1;
	}
	for (i = 0; i < GRID_BPF_NR_PROGS; i++) {
		if (b->prog[i] >= 0)
			close(b->prog[i]);
		b->prog[i] = -1;
	}
}

int grid_bpf_get_pin(const char *path)
{
	int fd = bpf_obj_get(path);

	return fd < 0 ? grid_bpf_err(fd) : fd;
}

/*
 * Takes what is pinned; -ENOENT if anything is missing (the rest is
 * taken). @linked[h] says whether hook h's link is pinned.
 */
static int adopt(struct grid_bpf *b, bool linked[NR_HOOKS])
{
	int i, fd, ret = 0;

	for (i = 0; i < GRID_BPF_NR_MAPS; i++) {
		if (b->map[i] < 0)
			b->map[i] = grid_bpf_get_pin(map_pins[i]);
		if (b->map[i] < 0 && !ret)
			ret = b->map[i] == -ENOENT ? -ENOENT : b->map[i];
	}
	for (i = 0; i < GRID_BPF_NR_PROGS; i++) {
		if (b->prog[i] < 0)
			b->prog[i] = grid_bpf_get_pin(prog_pins[i]);
		if (b->prog[i] < 0 && !ret)
			ret = b->prog[i] == -ENOENT ? -ENOENT : b->prog[i];
	}
	for (i = 0; i < NR_HOOKS; i++) {
		fd = grid_bpf_get_pin(hooks[i].link);
		linked[i] = fd >= 0;
		if (fd >= 0)
			close(fd);
		else if (!ret)
			ret = fd;
	}
	return ret;
}

static int pin_maps_at(struct bpf_object *obj)
{
	char path[PATH_MAX];
	struct bpf_map *m;
	int ret;

	bpf_object__for_each_map(m, obj) {
		snprintf(path, sizeof(path), "%s/%s", GRID_BPF_PIN_DIR,
			 bpf_map__name(m));
		ret = bpf_map__set_pin_path(m, path);
		if (ret)
			return grid_bpf_err(ret);
	}
	return 0;
}

static int pin_prog(struct bpf_program *p, const char *path)
{
	int ret = grid_bpf_unlink_pin(path);

	return ret ? ret : grid_bpf_err(bpf_program__pin(p, path));
}

/*
 * The network programs with their maps: pinned maps are reused by their
 * pin paths, new ones pinned there, then the programs are pinned. A
 * program pinned before is replaced; links keep the one they hold.
 */
static int load_net(void)
{
	struct grid_net_bpf *skel = grid_net_bpf__open();
	int ret;

	if (!skel)
		return -errno;
	ret = pin_maps_at(skel->obj);
	if (!ret)
		ret = grid_bpf_err(grid_net_bpf__load(skel));
	if (!ret)
		ret = pin_prog(skel->progs.grid_net_egress,
			       prog_pins[GRID_BPF_PROG_NET_EGRESS]);
	if (!ret)
		ret = pin_prog(skel->progs.grid_net_ingress,
			       prog_pins[GRID_BPF_PROG_NET_INGRESS]);
	grid_net_bpf__destroy(skel);
	return ret;
}

static int pin_link(struct bpf_program *p, const char *path)
{
	struct bpf_link *link = bpf_program__attach(p);
	int ret;

	if (!link)
		return -errno;
	/* Replacing a pin of an older program's link detaches that one. */
	ret = grid_bpf_unlink_pin(path);
	if (!ret)
		ret = grid_bpf_err(bpf_link__pin(link, path));
	/* Closes our fd; the pin holds the link. */
	bpf_link__destroy(link);
	return ret;
}

/* The same for the CPU programs, with their links. */
static int load_cpu(void)
{
	struct grid_cpu_bpf *skel = grid_cpu_bpf__open();
	struct bpf_program *progs[NR_HOOKS];
	int i, ret;

	if (!skel)
		return -errno;
	progs[0] = skel->progs.grid_cpu_switch;
	progs[1] = skel->progs.grid_cpu_runtime;
	progs[2] = skel->progs.grid_cgroup_gone;
	ret = pin_maps_at(skel->obj);
	if (!ret)
		ret = grid_bpf_err(grid_cpu_bpf__load(skel));
	for (i = 0; i < NR_HOOKS && !ret; i++)
		ret = pin_prog(progs[i], prog_pins[hooks[i].prog]);
	for (i = 0; i < NR_HOOKS && !ret; i++)
		ret = pin_link(progs[i], hooks[i].link);
	grid_cpu_bpf__destroy(skel);
	return ret;
}

/* A scheduler hook alone, for a pinned program whose link went. */
static int attach_hook(int prog_fd, const char *link)
{
	int fd = bpf_raw_tracepoint_open(NULL, prog_fd);
	int ret;

	if (fd < 0)
		return grid_bpf_err(fd);
	ret = grid_bpf_err(bpf_obj_pin(fd, link));
	close(fd);
	return ret;
}

static int load_missing(struct grid_bpf *b, const bool linked[NR_HOOKS])
{
	bool relinked[NR_HOOKS];
	int i, ret;

	if (b->map[GRID_BPF_MAP_GG_NET] < 0 ||
	    b->map[GRID_BPF_MAP_GG_COUNT] < 0 ||
	    b->map[GRID_BPF_MAP_LEASE_NET] < 0 ||
	    b->map[GRID_BPF_MAP_GG_IDS] < 0 ||
	    b->prog[GRID_BPF_PROG_NET_EGRESS] < 0 ||
	    b->prog[GRID_BPF_PROG_NET_INGRESS] < 0) {
		ret = load_net();
		if (ret)
			return ret;
		b->loaded = true;
	}
	if (b->map[GRID_BPF_MAP_CPU_LIMITS] < 0 ||
	    b->map[GRID_BPF_MAP_CPU_USAGE] < 0 ||
	    b->map[GRID_BPF_MAP_LEASE_CPU] < 0 ||
	    b->map[GRID_BPF_MAP_CPU_RUN] < 0 ||
	    b->prog[GRID_BPF_PROG_CPU_RUNTIME] < 0 ||
	    b->prog[GRID_BPF_PROG_CPU_SWITCH] < 0 ||
	    b->prog[GRID_BPF_PROG_CGROUP_GONE] < 0) {
		ret = load_cpu();
		if (ret)
			return ret;
		b->loaded = true;
	} else {
		for (i = 0; i < NR_HOOKS; i++) {
			if (linked[i])
				continue;
			ret = attach_hook(b->prog[hooks[i].prog], hooks[i].link);
			if (ret)
				return ret;
			b->loaded = true;
		}
	}
	/* Take fds of the new pins, in place of what was adopted before. */
	close_fds(b);
	return adopt(b, relinked);
}

int grid_bpf_open(struct grid_bpf **out, unsigned int flags)
{
	bool linked[NR_HOOKS] = { false };
	struct grid_bpf *b;
	struct statfs sfs;
	int i, ret;

	*out = NULL;
	if (flags & ~GRID_BPF_LOAD)
		return -EINVAL;
	if (statfs(GRID_BPF_FS, &sfs) < 0 || sfs.f_type != BPF_FS_MAGIC)
		return -ENODEV;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (i = 0; i < GRID_BPF_NR_MAPS; i++)
		b->map[i] = -1;
	for (i = 0; i < GRID_BPF_NR_PROGS; i++)
		b->prog[i] = -1;
	b->lock_fd = -1;
	libbpf_set_print(on_libbpf);

	if (flags & GRID_BPF_LOAD) {
		ret = grid_bpf_mkdir_pin(GRID_BPF_PIN_DIR);
		if (!ret)
			ret = grid_bpf_mkdir_pin(PIN("prog"));
		if (!ret)
			ret = grid_bpf_mkdir_pin(GRID_BPF_LINKS_DIR);
		if (ret)
			goto out;
	}
	/* Readers (gridctl quota, top) only take fds: they share the lock. */
	ret = lock_as(b, flags & GRID_BPF_LOAD ? LOCK_EX : LOCK_SH);
	if (ret)
		goto out;
	ret = adopt(b, linked);
	if (ret == -ENOENT && (flags & GRID_BPF_LOAD))
		ret = load_missing(b, linked);
	/* Without loading, the maps are enough to read and change limits. */
	if (ret == -ENOENT && !(flags & GRID_BPF_LOAD)) {
		for (i = 0, ret = 0; i < GRID_BPF_NR_MAPS; i++)
			if (b->map[i] < 0)
				ret = -ENOENT;
	}
	grid_bpf_unlock(b);
out:
	if (ret) {
		grid_bpf_close(b);
		return ret;
	}
	*out = b;
	return 0;
}

void grid_bpf_close(struct grid_bpf *b)
{
	if (!b)
		return;
	close_fds(b);
	grid_bpf_unlock(b);
	free(b);
}

bool grid_bpf_loaded(const struct grid_bpf *b)
{
	return b->loaded;
}

int grid_bpf_map_fd(const struct grid_bpf *b, enum grid_bpf_map m)
{
	return (unsigned int)m < GRID_BPF_NR_MAPS ? b->map[m] : -1;
}

int grid_bpf_prog_fd(const struct grid_bpf *b, enum grid_bpf_prog p)
{
	return (unsigned int)p < GRID_BPF_NR_PROGS ? b->prog[p] : -1;
}

