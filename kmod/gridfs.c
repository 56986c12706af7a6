// SPDX-License-Identifier: GPL-2.0
/*
 * gridfs: a read-only view of grid-grids as small text files, one value
 * per file, Plan 9 style.
 *
 *   mount -t gridfs -o gridgrid=NAME none DIR     one grid-grid at DIR
 *   mount -t gridfs none DIR                      DIR/<grid-grid>/... each
 *
 * A grid-grid directory holds name, charter_key, share/ (if it has one),
 * used/, leases/<id>/ and sandboxes/<cgroup id>/. Nothing is cached:
 * directories are listed and files are rendered from the objects when
 * they are read, under grid_mutex, which is never held across a user
 * copy or cgroup work (a sandbox's path is made after letting go).
 *
 * Who may read is the mounter's choice (uid=, gid=, mode=): the view is
 * meant to be mounted into tenants' containers. Inode numbers follow
 * from what an inode shows, so readdir and stat agree and a file keeps
 * its number while its object lives.
 *
 * Lifetimes: an inode holds a reference on the object it shows, so its
 * memory stays valid however the object is removed; a removed object's
 * dentries fail revalidation and its files read as -ENOENT. A mounted
 * gridfs holds a reference on the module (the file system's owner), so
 * rmmod is refused until the unmount; unmount and object removal are otherwise
 * free to happen in any order (rmmod is refused while a gridfs is mounted).
 */
#include <linux/cgroup.h>
#include <linux/fs.h>
#include <linux/namei.h>
#include <linux/nsproxy.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "gridfs.h"

static const char *const gg_files[] = { "name", "charter_key" };
static const char *const lease_files[] = {
	"id", "serial", "issuer", "holder", "gridgrid", "state",
	"not_before", "not_after", "sandboxes",
};

static const char *const sandbox_files[] = { "lease", "state", "path" };
static const char *const lease_states[] = {
	[GRID_LEASE_PENDING] = "pending", [GRID_LEASE_ACTIVE] = "active",
	[GRID_LEASE_EXPIRED] = "expired", [GRID_LEASE_REVOKED] = "revoked",
};

static const struct {
	const char *name;
	size_t off;
} limit_files[] = {
#define LF(n, f) { n, offsetof(struct grid_limits, f) }
	LF("cpu_quota_us", cpu_quota_us), LF("cpu_period_us", cpu_period_us),
	LF("cpu_budget_us", cpu_budget_us), LF("memory", memory_bytes),
	LF("pids", pids), LF("egress_rate", net_egress_rate),
	LF("ingress_rate", net_ingress_rate),
	LF("egress_budget", net_egress_budget),
	LF("ingress_budget", net_ingress_budget),
	{ "budget_period_s", offsetof(struct grid_limits, budget_period_s) },
#undef LF
};

static bool node_dead(const struct gridfs_node *n)
{
	return (n->gg && n->gg->dead) || (n->lease && n->lease->dead) ||
	       (n->sb && n->sb->dead) ||
	       ((n->kind == N_LIMITS || n->kind == N_LIMIT_FILE) &&
		n->lim == L_SHARE && !n->gg->has_share);
}

void gridfs_node_free(struct gridfs_node *n)
{
	if (n->sb)
		grid_sandbox_put(n->sb);
	if (n->lease)
		grid_lease_put(n->lease);
	if (n->gg)
		grid_gridgrid_put(n->gg);
	kfree(n);
}

/* A child node of @parent, with references taken under grid_mutex. */
static struct gridfs_node *node_child(const struct gridfs_node *parent,
				      enum node_kind kind, int field,
				      struct grid_gridgrid *gg,
				      struct grid_lease *l,
				      struct grid_sandbox *sb)
{
	struct gridfs_node *n = kzalloc(sizeof(*n), GFP_KERNEL);

	lockdep_assert_held(&grid_mutex);
	if (!n)
		return NULL;
	n->kind = kind;
	n->field = field;
	n->lim = parent->lim;
	n->gg = gg;
	n->lease = l;
	n->sb = sb;
	if (gg)
		grid_gridgrid_get(gg);
	if (l)
		grid_lease_get(l);
	if (sb)
		kref_get(&sb->ref);
	return n;
}

/*
 * One directory entry. list_dir() calls @emit for each entry of @dir in a
 * stable order; emit returns true to stop.
 */
struct entry {
	char name[GRID_NAME_LEN];
	enum node_kind kind;
	int field;
	enum limits_of lim;
	struct grid_gridgrid *gg;
	struct grid_lease *lease;
	struct grid_sandbox *sb;
};

typedef bool (*emit_fn)(void *arg, const struct entry *e);

static bool emit_one(emit_fn emit, void *arg, struct entry *e,
		     const char *name, enum node_kind kind, int field)
{
	strscpy(e->name, name, sizeof(e->name));
	e->kind = kind;
	e->field = field;
	return emit(arg, e);
}

static bool list_dir(const struct gridfs_node *dir, emit_fn emit, void *arg)
{
	struct entry e = { .gg = dir->gg, .lease = dir->lease, .sb = dir->sb,
			   .lim = dir->lim };
	struct grid_gridgrid *gg;
	struct grid_lease *l;
	struct grid_sandbox *sb;
	int i;

	lockdep_assert_held(&grid_mutex);
	switch (dir->kind) {
	case N_ALL:
		list_for_each_entry(gg, &grid_gridgrids, node) {
			e.gg = gg;
			if (emit_one(emit, arg, &e, gg->name, N_GG, 0))
				return true;
		}
		break;
	case N_GG:
		for (i = 0; i < ARRAY_SIZE(gg_files); i++)
			if (emit_one(emit, arg, &e, gg_files[i], N_GG_FILE, i))
				return true;
		if (dir->gg->has_share) {
			e.lim = L_SHARE;
			if (emit_one(emit, arg, &e, "share", N_LIMITS, 0))
				return true;
		}
		e.lim = L_USED;
		if (emit_one(emit, arg, &e, "used", N_LIMITS, 0))
			return true;
		if (emit_one(emit, arg, &e, "leases", N_LEASES, 0))
			return true;
		if (emit_one(emit, arg, &e, "sandboxes", N_SANDBOXES, 0))
			return true;
		break;
	case N_LIMITS:
		for (i = 0; i < ARRAY_SIZE(limit_files); i++)
			if (emit_one(emit, arg, &e, limit_files[i].name, N_LIMIT_FILE, i))
				return true;
		break;
	case N_LEASES:
		list_for_each_entry(l, &grid_leases, node) {
			if (l->gg != dir->gg)
				continue;
			e.lease = l;
			snprintf(e.name, sizeof(e.name), "%llu", l->id);
			e.kind = N_LEASE;
			if (emit(arg, &e))
				return true;
		}
		break;
	case N_LEASE:
		for (i = 0; i < ARRAY_SIZE(lease_files); i++)
			if (emit_one(emit, arg, &e, lease_files[i], N_LEASE_FILE, i))
				return true;
		e.lim = L_LEASE;
		if (emit_one(emit, arg, &e, "limits", N_LIMITS, 0))
			return true;
		break;
	case N_SANDBOXES:
		list_for_each_entry(sb, &grid_sandboxes, node) {
			if (sb->lease->gg != dir->gg)
				continue;
			e.sb = sb;
			e.lease = NULL;
			snprintf(e.name, sizeof(e.name), "%llu", sb->cgroup_id);
			e.kind = N_SANDBOX;
			if (emit(arg, &e))
				return true;
		}
		break;
	case N_SANDBOX:
		for (i = 0; i < ARRAY_SIZE(sandbox_files); i++)
			if (emit_one(emit, arg, &e, sandbox_files[i], N_SANDBOX_FILE, i))
				return true;
		break;
	default:
		break;
	}
	return false;
}

/*
 * The inode number of what an entry shows: the creation number of its
 * object, then which limits, kind and field. Never 0 (libc skips those).
 */
static unsigned long ino_of(enum node_kind kind, int field,
			    enum limits_of lim, const struct grid_gridgrid *gg,
			    const struct grid_lease *l,
			    const struct grid_sandbox *sb)
{
	unsigned long seq = sb ? sb->seq : l ? l->seq : gg ? gg->seq : 0;

	if (kind != N_LIMITS && kind != N_LIMIT_FILE)
		lim = 0;
	return ((seq << 12) | (lim << 10) | (kind << 5) | field) + 1;
}

static bool is_dir(enum node_kind k)
{
	return !(k == N_GG_FILE || k == N_LIMIT_FILE || k == N_LEASE_FILE ||
		 k == N_SANDBOX_FILE);
}

/* ---- files ------------------------------------------------------------- */

static void show_u64(struct seq_file *m, u64 v)
{
	if (v == GRID_LIMIT_MAX)
		seq_puts(m, "max\n");
	else
		seq_printf(m, "%llu\n", v);
}

static void show_limit(struct seq_file *m, const struct gridfs_node *n)
{
	size_t off = limit_files[n->field].off;
	const struct grid_limits *l;
	struct grid_limits used;
	struct grid_amounts am;

	if (n->lim == L_LEASE) {
		l = &n->lease->limits;
	} else if (n->lim == L_SHARE) {
		l = &n->gg->share;
	} else {
		grid_used_limits(n->gg, &used, &am);
		l = &used;
	}
	if (off == offsetof(struct grid_limits, budget_period_s))
		show_u64(m, l->budget_period_s);
	else
		show_u64(m, *(const u64 *)((const char *)l + off));
}

static void show_lease(struct seq_file *m, const struct grid_lease *l,
		       int field)
{
	switch (field) {
	case 0:
		seq_printf(m, "%llu\n", l->id);
		break;
	case 1:
		seq_printf(m, "%llu\n", l->serial);
		break;
	case 2:
		seq_printf(m, "%*phN\n", GRID_KEY_LEN, l->issuer_key);
		break;
	case 3:
		seq_printf(m, "%*phN\n", GRID_KEY_LEN, l->holder);
		break;
	case 4:
		seq_printf(m, "%s\n", l->gg->name);
		break;
	case 5:
		seq_printf(m, "%s\n", lease_states[l->state]);
		break;
	case 6:
		seq_printf(m, "%lld\n", l->not_before);
		break;
	case 7:
		seq_printf(m, "%lld\n", l->not_after);
		break;
	case 8:
		seq_printf(m, "%u\n", l->nr_sandboxes);
		break;
	}
}

/* A sandbox's path, made without grid_mutex (it takes cgroup_mutex). */
static void show_path(struct seq_file *m, struct cgroup *cgrp)
{
	char *path = kmalloc(PATH_MAX, GFP_KERNEL);

	/* Outside the reader's cgroup namespace: not shown. */
	if (path && cgroup_path_ns(cgrp, path, PATH_MAX,
				   current->nsproxy->cgroup_ns) >= 0 &&
	    strncmp(path, "/..", 3))
		seq_printf(m, "%s\n", path);
	kfree(path);
	cgroup_put(cgrp);
}

static const char *const sandbox_states[] = {
	[GRID_SANDBOX_BOUND] = "bound", [GRID_SANDBOX_KILLED] = "killed",
	[GRID_SANDBOX_KILL_FAILED] = "kill-failed",
};

static int gridfs_show(struct seq_file *m, void *v)
{
	const struct gridfs_node *n = m->private;
	struct cgroup *cgrp = NULL;
	int ret = 0;

	mutex_lock(&grid_mutex);
	if (node_dead(n)) {
		ret = -ENOENT;
		goto out;
	}
	switch (n->kind) {
	case N_GG_FILE:
		if (n->field == 0)
			seq_printf(m, "%s\n", n->gg->name);
		else
			seq_printf(m, "%*phN\n", GRID_KEY_LEN,
				   n->gg->charter_key);
		break;
	case N_LIMIT_FILE:
		show_limit(m, n);
		break;
	case N_LEASE_FILE:
		show_lease(m, n->lease, n->field);
		break;
	case N_SANDBOX_FILE:
		if (n->field == 0) {
			seq_printf(m, "%llu\n", n->sb->lease->id);
		} else if (n->field == 1) {
			seq_printf(m, "%s\n", sandbox_states[n->sb->state]);
		} else {
			cgrp = n->sb->cgrp;
			cgroup_get(cgrp);
		}
		break;
	default:
		ret = -EISDIR;
	}
out:
	mutex_unlock(&grid_mutex);
	if (cgrp)
		show_path(m, cgrp);
	return ret;
}

static int gridfs_open(struct inode *inode, struct file *file)
{
	return single_open(file, gridfs_show, inode->i_private);
}

static const struct file_operations gridfs_file_fops = {
	.owner = THIS_MODULE,
	.open = gridfs_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

/* ---- directories ----------------------------------------------------------- */

static const struct inode_operations gridfs_dir_iops;
static const struct file_operations gridfs_dir_fops;

struct inode *gridfs_make_inode(struct super_block *sb, struct gridfs_node *n)
{
	const struct gridfs_info *info = sb->s_fs_info;
	struct inode *inode = new_inode(sb);

	if (!inode)
		return NULL;
	inode->i_ino = ino_of(n->kind, n->field, n->lim, n->gg, n->lease,
			      n->sb);
	grid_inode_times_now(inode);
	inode->i_uid = info->uid;
	inode->i_gid = info->gid;
	inode->i_private = n;
	if (is_dir(n->kind)) {
		inode->i_mode = S_IFDIR | info->mode | ((info->mode & 0444) >> 2);
		inode->i_op = &gridfs_dir_iops;
		inode->i_fop = &gridfs_dir_fops;
		set_nlink(inode, 2);
	} else {
		inode->i_mode = S_IFREG | info->mode;
		inode->i_fop = &gridfs_file_fops;
	}
	return inode;
}

struct lookup_ctx {
	const struct gridfs_node *dir;
	const char *name;
	struct gridfs_node *found;
};

static bool lookup_emit(void *arg, const struct entry *e)
{
	struct lookup_ctx *c = arg;

	if (strcmp(c->name, e->name))
		return false;
	c->found = node_child(c->dir, e->kind, e->field, e->gg, e->lease,
			      e->sb);
	if (c->found)
		c->found->lim = e->lim;
	return true;
}

static struct dentry *gridfs_lookup(struct inode *dir, struct dentry *dentry,
				    unsigned int flags)
{
	struct lookup_ctx c = { .dir = dir->i_private,
				.name = dentry->d_name.name };
	struct inode *inode = NULL;

	if (dentry->d_name.len >= sizeof(((struct entry *)0)->name))
		return d_splice_alias(NULL, dentry);
	mutex_lock(&grid_mutex);
	if (!node_dead(c.dir))
		list_dir(c.dir, lookup_emit, &c);
	mutex_unlock(&grid_mutex);
	if (c.found) {
		inode = gridfs_make_inode(dir->i_sb, c.found);
		if (!inode) {
			gridfs_node_free(c.found);
			return ERR_PTR(-ENOMEM);
		}
	}
	return d_splice_alias(inode, dentry);
}

/*
 * readdir copies names out in batches, so that no user copy (which may
 * fault, or be stalled by userfaultfd) happens under grid_mutex.
 */
#define BATCH 32

struct readdir_ctx {
	loff_t skip;
	int n;
	struct {
		char name[GRID_NAME_LEN];
		bool dir;
		unsigned long ino;
	} e[BATCH];
};

static bool readdir_emit(void *arg, const struct entry *e)
{
	struct readdir_ctx *c = arg;

	if (c->skip) {
		c->skip--;
		return false;
	}
	strscpy(c->e[c->n].name, e->name, sizeof(c->e[0].name));
	c->e[c->n].dir = is_dir(e->kind);
	c->e[c->n].ino = ino_of(e->kind, e->field, e->lim, e->gg, e->lease,
				e->sb);
	return ++c->n == BATCH;
}

static int gridfs_readdir(struct file *file, struct dir_context *ctx)
{
	const struct gridfs_node *dir = file_inode(file)->i_private;
	struct readdir_ctx *c;
	int i, ret = 0;

	if (!dir_emit_dots(file, ctx))
		return 0;
	c = kmalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	for (;;) {
		c->skip = ctx->pos - 2;
		c->n = 0;
		mutex_lock(&grid_mutex);
		if (!node_dead(dir))
			list_dir(dir, readdir_emit, c);
		mutex_unlock(&grid_mutex);
		for (i = 0; i < c->n; i++) {
			if (!dir_emit(ctx, c->e[i].name, strlen(c->e[i].name),
				      c->e[i].ino, c->e[i].dir ? DT_DIR : DT_REG))
				goto out;
			ctx->pos++;
		}
		if (c->n < BATCH)
			break;
	}
out:
	kfree(c);
	return ret;
}

static const struct inode_operations gridfs_dir_iops = {
	.lookup = gridfs_lookup,
};

static const struct file_operations gridfs_dir_fops = {
	.owner = THIS_MODULE,
	.read = generic_read_dir,
	.iterate_shared = gridfs_readdir,
	.llseek = generic_file_llseek,
};

/* A dentry of a removed object, or of a share taken away, is stale. */
static int gridfs_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct inode *inode;
	int valid;

	if (flags & LOOKUP_RCU)
		return -ECHILD;
	inode = d_inode(dentry);
	if (!inode)
		return 0;
	mutex_lock(&grid_mutex);
	valid = !node_dead(inode->i_private);
	mutex_unlock(&grid_mutex);
	return valid;
}

const struct dentry_operations gridfs_dops = {
	.d_revalidate = gridfs_d_revalidate,
	.d_delete = always_delete_dentry,
};

static void gridfs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (inode->i_private)
		gridfs_node_free(inode->i_private);
}

const struct super_operations gridfs_sops = {
	.statfs = simple_statfs,
	.evict_inode = gridfs_evict_inode,
	.show_options = gridfs_show_options,
};

/* The root of a mount: one grid-grid, or all (@gg NULL); under grid_mutex. */
struct gridfs_node *gridfs_node_new(enum node_kind kind,
				    struct grid_gridgrid *gg)
{
	struct gridfs_node root = { .kind = N_ALL };

	return node_child(&root, kind, 0, gg, NULL, NULL);
}
