/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few kernel interfaces that differ between the kernels grid.ko is
 * built for (Debian 12's 6.1 and its 6.12 from the security archive),
 * behind one name each, so that the code reads the same on both. Only
 * what a difference forces is here; each says when the kernel changed.
 */
#ifndef _GRID_COMPAT_H
#define _GRID_COMPAT_H

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/version.h>
#include <net/genetlink.h>

/* 6.2 split the genl ops: pre_doit takes a struct genl_split_ops. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define grid_genl_ops_t	struct genl_split_ops
#else
#define grid_genl_ops_t	struct genl_ops
#endif

/* 6.2 moved a dump's parsed attributes into a struct genl_info. */
static inline struct nlattr **grid_dump_attrs(struct netlink_callback *cb)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return genl_dumpit_info(cb)->info.attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * 6.6 made ctime private to accessors, 6.7 the others, with
 * simple_inode_init_ts() for all three.
 */
static inline void grid_inode_times_now(struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	simple_inode_init_ts(inode);
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	inode->i_atime = inode_set_ctime_current(inode);
	inode->i_mtime = inode->i_atime;
#else
	inode->i_atime = current_time(inode);
	inode->i_mtime = inode->i_atime;
	inode->i_ctime = inode->i_atime;
#endif
}

/*
 * By 6.12 bpf_map_get() is exported in the BPF_INTERNAL namespace (6.1
 * exports it plainly); cpubudget.c takes the CPU maps by fd with it.
 * 6.13 will spell the namespace as a string.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define GRID_IMPORT_BPF_NS() MODULE_IMPORT_NS(BPF_INTERNAL)
#else
#define GRID_IMPORT_BPF_NS()
#endif

#endif /* _GRID_COMPAT_H */
