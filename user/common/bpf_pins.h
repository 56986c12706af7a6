/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the BPF loader, shared by bpf_loader.c (the programs and maps)
 * and bpf_gridgrid.c (the grid-grids attached to them) only: the pinned
 * layout of linux/grid_bpf.h as paths, and the handle.
 */
#ifndef GRID_BPF_PINS_H
#define GRID_BPF_PINS_H

#include "bpf_loader.h"

#define GRID_BPF_PIN(x)		GRID_BPF_PIN_DIR "/" x
#define GRID_BPF_LINKS_DIR	GRID_BPF_PIN("links")
#define GRID_BPF_CPU_LINK	GRID_BPF_PIN("links/cpu_runtime")
#define GRID_BPF_SWITCH_LINK	GRID_BPF_PIN("links/cpu_switch")
#define GRID_BPF_GONE_LINK	GRID_BPF_PIN("links/cgroup_gone")

struct grid_bpf {
	int map[GRID_BPF_NR_MAPS];
	int prog[GRID_BPF_NR_PROGS];
	int lock_fd;			/* while changing the pins */
	bool loaded;
};

/*
 * Changes of the pins take turns: two first loads would load twice, two
 * attaches of one name would both find it free. The lock is an flock()
 * of GRID_BPF_PIN_DIR, held from grid_bpf_lock() to grid_bpf_unlock().
 */
int grid_bpf_lock(struct grid_bpf *b);
void grid_bpf_unlock(struct grid_bpf *b);

/* An fd of the object pinned at @path, or -errno. */
int grid_bpf_get_pin(const char *path);
int grid_bpf_mkdir_pin(const char *path);
/* Unlinks @path; one that is not there is no error. */
int grid_bpf_unlink_pin(const char *path);

/* libbpf 1.x returns -errno; older calls return -1 and set errno. */
int grid_bpf_err(int ret);

#endif
