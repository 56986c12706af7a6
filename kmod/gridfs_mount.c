// SPDX-License-Identifier: GPL-2.0
/*
 * Mounting gridfs: its options (gridgrid=, uid=, gid=, mode=), what a
 * remount may say, and the superblock's life. The tree is gridfs.c.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_parser.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uidgid.h>

#include "gridfs.h"

enum { OPT_GRIDGRID, OPT_UID, OPT_GID, OPT_MODE };

struct gridfs_ctx {
	char gridgrid[GRID_NAME_LEN];
	struct gridfs_info info;
	unsigned int given;		/* BIT(OPT_*) */
};

static const struct fs_parameter_spec gridfs_params[] = {
	fsparam_string("gridgrid", OPT_GRIDGRID),
	fsparam_u32("uid", OPT_UID),
	fsparam_u32("gid", OPT_GID),
	fsparam_u32oct("mode", OPT_MODE),
	{}
};

static int gridfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct gridfs_ctx *ctx = fc->fs_private;
	struct fs_parse_result result;
	kuid_t uid;
	kgid_t gid;
	int opt;

	opt = fs_parse(fc, gridfs_params, param, &result);
	if (opt < 0)
		return opt;
	switch (opt) {
	case OPT_GRIDGRID:
		if (strlen(param->string) >= GRID_NAME_LEN)
			return invalf(fc, "gridfs: gridgrid name too long");
		memset(ctx->gridgrid, 0, GRID_NAME_LEN);
		strscpy(ctx->gridgrid, param->string, GRID_NAME_LEN);
		if (grid_name_check(ctx->gridgrid, false))
			return invalf(fc, "gridfs: bad gridgrid name '%s'",
				      param->string);
		break;
	case OPT_UID:
		uid = make_kuid(current_user_ns(), result.uint_32);
		if (!uid_valid(uid))
			return invalf(fc, "gridfs: uid %u has no mapping",
				      result.uint_32);
		ctx->info.uid = uid;
		break;
	case OPT_GID:
		gid = make_kgid(current_user_ns(), result.uint_32);
		if (!gid_valid(gid))
			return invalf(fc, "gridfs: gid %u has no mapping",
				      result.uint_32);
		ctx->info.gid = gid;
		break;
	case OPT_MODE:
		/* Read permissions only: nothing here can be written. */
		if (result.uint_32 & ~0444)
			return invalf(fc, "gridfs: mode %o gives more than read",
				      result.uint_32);
		ctx->info.mode = result.uint_32;
		break;
	}
	ctx->given |= BIT(opt);
	return 0;
}

int gridfs_show_options(struct seq_file *m, struct dentry *root)
{
	const struct gridfs_info *info = root->d_sb->s_fs_info;
	const struct gridfs_node *n = d_inode(root)->i_private;

	if (n->gg)
		seq_printf(m, ",gridgrid=%s", n->gg->name);
	seq_printf(m, ",uid=%u,gid=%u,mode=%o",
		   from_kuid_munged(&init_user_ns, info->uid),
		   from_kgid_munged(&init_user_ns, info->gid), info->mode);
	return 0;
}

/*
 * A remount may only say again what holds: read-only, and the options
 * the mount has (what /proc/mounts shows), so that a tenant's view can
 * neither become writable nor change hands by a remount.
 */
static int gridfs_reconfigure(struct fs_context *fc)
{
	struct gridfs_ctx *ctx = fc->fs_private;
	struct super_block *sb = fc->root->d_sb;
	const struct gridfs_info *info = sb->s_fs_info;
	const struct gridfs_node *root = d_inode(fc->root)->i_private;

	if ((fc->sb_flags_mask & SB_RDONLY) && !(fc->sb_flags & SB_RDONLY))
		return invalf(fc, "gridfs: read-only, cannot remount rw");
	if (((ctx->given & BIT(OPT_UID)) && !uid_eq(ctx->info.uid, info->uid)) ||
	    ((ctx->given & BIT(OPT_GID)) && !gid_eq(ctx->info.gid, info->gid)) ||
	    ((ctx->given & BIT(OPT_MODE)) && ctx->info.mode != info->mode) ||
	    ((ctx->given & BIT(OPT_GRIDGRID)) &&
	     (!root->gg || strcmp(ctx->gridgrid, root->gg->name))))
		return invalf(fc, "gridfs: options cannot change on remount");
	return 0;
}

static int gridfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct gridfs_ctx *ctx = fc->fs_private;
	struct grid_gridgrid *gg = NULL;
	struct gridfs_node *n;
	struct gridfs_info *info;
	struct inode *inode;

	info = kmemdup(&ctx->info, sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	sb->s_fs_info = info;
	sb->s_magic = GRIDFS_MAGIC;
	sb->s_op = &gridfs_sops;
	sb->s_d_op = &gridfs_dops;
	sb->s_time_gran = 1;
	sb->s_flags |= SB_RDONLY | SB_NOEXEC | SB_NOSUID | SB_NODEV;

	mutex_lock(&grid_mutex);
	if (ctx->gridgrid[0]) {
		gg = grid_gridgrid_find(ctx->gridgrid);
		if (!gg) {
			mutex_unlock(&grid_mutex);
			errorfc(fc, "no gridgrid '%s'", ctx->gridgrid);
			return -ENOENT;
		}
	}
	n = gridfs_node_new(gg ? N_GG : N_ALL, gg);
	mutex_unlock(&grid_mutex);
	if (!n)
		return -ENOMEM;
	inode = gridfs_make_inode(sb, n);
	if (!inode) {
		gridfs_node_free(n);
		return -ENOMEM;
	}
	sb->s_root = d_make_root(inode);
	return sb->s_root ? 0 : -ENOMEM;
}

static int gridfs_get_tree(struct fs_context *fc)
{
	return get_tree_nodev(fc, gridfs_fill_super);
}

static void gridfs_free_fc(struct fs_context *fc)
{
	kfree(fc->fs_private);
}

static const struct fs_context_operations gridfs_ctx_ops = {
	.parse_param = gridfs_parse_param,
	.get_tree = gridfs_get_tree,
	.reconfigure = gridfs_reconfigure,
	.free = gridfs_free_fc,
};

static int gridfs_init_fs_context(struct fs_context *fc)
{
	struct gridfs_ctx *ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	ctx->info.uid = GLOBAL_ROOT_UID;
	ctx->info.gid = GLOBAL_ROOT_GID;
	ctx->info.mode = GRIDFS_MODE_DEFAULT;
	fc->fs_private = ctx;
	fc->ops = &gridfs_ctx_ops;
	return 0;
}

/* Also after a failed fill_super: s_fs_info is ours from its start. */
static void gridfs_kill_sb(struct super_block *sb)
{
	struct gridfs_info *info = sb->s_fs_info;

	kill_anon_super(sb);
	kfree(info);
}

static struct file_system_type gridfs_type = {
	.owner = THIS_MODULE,
	.name = "gridfs",
	.init_fs_context = gridfs_init_fs_context,
	.parameters = gridfs_params,
	.kill_sb = gridfs_kill_sb,
};

int grid_gridfs_init(void)
{
	return register_filesystem(&gridfs_type);
}

void grid_gridfs_uninit(void)
{
	unregister_filesystem(&gridfs_type);
}
