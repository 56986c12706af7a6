/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The contract between the BPF programs in bpf/ and their loader in user/:
 * plain C types only, so that both sides (and BTF, hence bpftool) see the
 * same named structs.
 */
#ifndef GRID_BPF_H
#define GRID_BPF_H

enum grid_dir {
	GRID_DIR_EGRESS = 0,
	GRID_DIR_INGRESS = 1,
};

/* Key of the usage map: one entry per cgroup and direction. */
struct grid_usage_key {
	__u64 cgroup_id;	/* cgroup v2 id (the directory's inode number) */
	__u32 dir;		/* enum grid_dir */
	__u32 pad;		/* zero */
};

/* Counters; updated with atomic adds, several CPUs at once. */
struct grid_usage {
	__u64 bytes;
	__u64 packets;
	__u64 drops;
};

#define GRID_USAGE_ENTRIES 16384

#endif
