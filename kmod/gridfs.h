/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside gridfs: what gridfs.c (the tree and its files) and gridfs_mount.c
 * (mounting, options) share.
 */
#ifndef _GRID_GRIDFS_H
#define _GRID_GRIDFS_H

#include <linux/fs.h>
#include <linux/seq_file.h>

#include "grid.h"

#define GRIDFS_MAGIC 0x67726964	/* "grid" */
#define GRIDFS_MODE_DEFAULT 0444

/* A mount's options; sb->s_fs_info. */
struct gridfs_info {
	kuid_t uid;
	kgid_t gid;
	umode_t mode;		/* of files; directories add x where r is */
};

enum node_kind {
	N_ALL,		/* root of a mount without gridgrid= */
	N_GG,		/* a grid-grid */
	N_GG_FILE,	/* name, charter_key */
	N_LIMITS,	/* share/, used/ or a lease's limits/ */
	N_LIMIT_FILE,
	N_LEASES,
	N_LEASE,
	N_LEASE_FILE,
	N_SANDBOXES,
	N_SANDBOX,
	N_SANDBOX_FILE,
};

/* What a limits directory shows. */
enum limits_of { L_SHARE, L_USED, L_LEASE };

/*
 * What an inode shows: a kind, the object (a grid-grid, lease or sandbox,
 * referenced), and which field or which limits.
 */
struct gridfs_node {
	enum node_kind kind;
	int field;
	enum limits_of lim;
	struct grid_gridgrid *gg;
	struct grid_lease *lease;
	struct grid_sandbox *sb;
};

struct gridfs_node *gridfs_node_new(enum node_kind kind,
				    struct grid_gridgrid *gg);
void gridfs_node_free(struct gridfs_node *n);
struct inode *gridfs_make_inode(struct super_block *sb, struct gridfs_node *n);
int gridfs_show_options(struct seq_file *m, struct dentry *root);

extern const struct super_operations gridfs_sops;
extern const struct dentry_operations gridfs_dops;

#endif /* _GRID_GRIDFS_H */
