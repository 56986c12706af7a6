// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/grid: the door for changes. Each open file is a handle; each ioctl
 * takes an extensible struct whose rules are written in the uapi header.
 */
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "grid.h"

/*
 * One per open file. It will carry the opener's scope (whether it sits in a
 * sandbox); for now it only makes open files visible in the status counts.
 */
struct grid_handle {
	u64 id;
};

static atomic64_t handle_ids = ATOMIC64_INIT(0);

static int grid_open(struct inode *inode, struct file *file)
{
	struct grid_handle *h;

	/* Anyone may open it: the opener's memory cgroup pays for it. */
	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	h->id = atomic64_inc_return(&handle_ids);
	file->private_data = h;
	grid_obj_created(GRID_OBJ_HANDLE);
	pr_debug("handle %llu created\n", h->id);
	return nonseekable_open(inode, file);
}

static int grid_release(struct inode *inode, struct file *file)
{
	struct grid_handle *h = file->private_data;

	pr_debug("handle %llu destroyed\n", h->id);
	kfree(h);
	grid_obj_destroyed(GRID_OBJ_HANDLE);
	return 0;
}

/*
 * Copies the caller's extensible struct into @karg (@ksize bytes) under the
 * rules of the uapi header. Returns the caller's size, or -errno.
 */
static int uarg_copy_in(void *karg, size_t ksize, size_t ver0,
			void __user *uarg)
{
	u32 usize;
	int ret;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < ver0)
		return -EINVAL;
	if (usize > GRID_IOC_SIZE_MAX)
		return -E2BIG;
	ret = copy_struct_from_user(karg, ksize, uarg, usize);
	if (ret)
		return ret;
	return usize;
}

/* Writes back as much of @karg as the caller's struct holds. */
static int uarg_copy_out(void __user *uarg, void *karg, size_t ksize,
			 u32 usize)
{
	u32 n = min_t(u32, usize, ksize);

	/* Every ioctl struct starts with its size. */
	*(u32 *)karg = n;
	return copy_to_user(uarg, karg, n) ? -EFAULT : 0;
}

static long ioc_version(void *karg)
{
	struct grid_version *v = karg;

	v->abi = GRID_ABI_VERSION;
	strscpy_pad(v->release, GRID_RELEASE, sizeof(v->release));
	return 0;
}

static long ioc_status(void *karg)
{
	grid_status_read(karg);
	return 0;
}

static long ioc_grid_add(void *karg)
{
	return grid_grid_add(karg);
}

static long ioc_grid_set(void *karg)
{
	return grid_grid_set(karg);
}

static long ioc_grid_del(void *karg)
{
	return grid_grid_del(((struct grid_ioc_grid *)karg)->name);
}

static long ioc_gridgrid_add(void *karg)
{
	return grid_gridgrid_add(karg);
}

static long ioc_gridgrid_set(void *karg)
{
	return grid_gridgrid_set(karg);
}

static long ioc_gridgrid_del(void *karg)
{
	return grid_gridgrid_del(((struct grid_ioc_gridgrid *)karg)->name);
}

static long ioc_share_add(void *karg)
{
	return grid_share_add(karg);
}

static long ioc_share_set(void *karg)
{
	return grid_share_set(karg);
}

static long ioc_share_del(void *karg)
{
	return grid_share_del(((struct grid_ioc_share *)karg)->gridgrid);
}

static long ioc_peer_add(void *karg)
{
	return grid_peer_add(karg);
}

static long ioc_peer_set(void *karg)
{
	return grid_peer_set(karg);
}

static long ioc_peer_del(void *karg)
{
	struct grid_ioc_peer *a = karg;

	if (a->reserved)
		return -EINVAL;
	return grid_peer_del(a->key);
}

/* Copies the signed lease bytes in; NULL with no bytes. */
static void *lease_blob(const struct grid_ioc_lease *a)
{
	if (a->blob_len > GRID_LEASE_BLOB_MAX)
		return ERR_PTR(-EINVAL);
	if (!a->blob_len)
		return NULL;
	return memdup_user(u64_to_user_ptr(a->blob), a->blob_len);
}

static long ioc_lease_change(void *karg, bool add)
{
	struct grid_ioc_lease *a = karg;
	void *blob = lease_blob(a);
	long ret;

	if (IS_ERR(blob))
		return PTR_ERR(blob);
	ret = add ? grid_lease_add(a, blob) : grid_lease_set(a, blob);
	if (ret)
		kfree(blob);
	return ret;
}

static long ioc_lease_add(void *karg)
{
	return ioc_lease_change(karg, true);
}

static long ioc_lease_set(void *karg)
{
	return ioc_lease_change(karg, false);
}

static long ioc_lease_del(void *karg)
{
	return grid_lease_del(((struct grid_ioc_lease_ref *)karg)->id);
}

static long ioc_lease_revoke(void *karg)
{
	return grid_lease_revoke(((struct grid_ioc_lease_ref *)karg)->id);
}

static long ioc_sandbox_bind(void *karg)
{
	return grid_sandbox_bind(karg);
}

static long ioc_cpu_watch(void *karg)
{
	struct grid_ioc_cpu_watch *a = karg;

	return grid_cpu_watch(a);
}

static long ioc_cpu_unwatch(void *karg)
{
	return grid_cpu_unwatch(karg);
}

static long ioc_cpu_watch_get(void *karg)
{
	return grid_cpu_watch_get(karg);
}

static long ioc_sandbox_unbind(void *karg)
{
	struct grid_ioc_sandbox *a = karg;

	if (a->reserved)
		return -EINVAL;
	return grid_sandbox_unbind(a->cgroup_id);
}

static long ioc_self(void *karg)
{
	return grid_self(karg);
}

/*
 * One entry per ioctl number. @ver0 is the struct's first published size,
 * @ksize the size this module knows. Every struct but grid_version has
 * its flags at offset 4; flags outside @flags_ok are -EINVAL. @anyone:
 * no CAP_SYS_ADMIN needed. @in_sandbox: allowed to a task inside a
 * sandbox. @change: runs under grid_change_mutex (see grid.h). @edquot:
 * the struct is written back on -EDQUOT too (it says what ran out).
 */
struct ioc_desc {
	long (*fn)(void *karg);
	u32 ver0;
	u32 ksize;
	bool no_flags;
	u32 flags_ok;
	bool anyone;
	bool in_sandbox;
	bool change;
	bool edquot;
};

#define IOC(nr, f, type, v0, ...)					\
	[_IOC_NR(nr)] = { .fn = (f), .ver0 = (v0),			\
			  .ksize = sizeof(type), __VA_ARGS__ }

static const struct ioc_desc iocs[] = {
	IOC(GRID_IOC_VERSION, ioc_version, struct grid_version,
	    GRID_VERSION_SIZE_VER0, .no_flags = true, .anyone = true,
	    .in_sandbox = true),
	IOC(GRID_IOC_STATUS, ioc_status, struct grid_status,
	    GRID_STATUS_SIZE_VER0),
	IOC(GRID_IOC_GRID_ADD, ioc_grid_add, struct grid_ioc_grid,
	    GRID_IOC_GRID_SIZE_VER0, .change = true),
	IOC(GRID_IOC_GRID_SET, ioc_grid_set, struct grid_ioc_grid,
	    GRID_IOC_GRID_SIZE_VER0, .change = true),
	IOC(GRID_IOC_GRID_DEL, ioc_grid_del, struct grid_ioc_grid,
	    GRID_IOC_GRID_SIZE_VER0, .change = true),
	IOC(GRID_IOC_GRIDGRID_ADD, ioc_gridgrid_add, struct grid_ioc_gridgrid,
	    GRID_IOC_GRIDGRID_SIZE_VER0, .change = true),
	IOC(GRID_IOC_GRIDGRID_SET, ioc_gridgrid_set, struct grid_ioc_gridgrid,
	    GRID_IOC_GRIDGRID_SIZE_VER0, .change = true),
	IOC(GRID_IOC_GRIDGRID_DEL, ioc_gridgrid_del, struct grid_ioc_gridgrid,
	    GRID_IOC_GRIDGRID_SIZE_VER0, .change = true),
	IOC(GRID_IOC_SHARE_ADD, ioc_share_add, struct grid_ioc_share,
	    GRID_IOC_SHARE_SIZE_VER0, .flags_ok = GRID_SHARE_CGROUP,
	    .change = true),
	IOC(GRID_IOC_SHARE_SET, ioc_share_set, struct grid_ioc_share,
	    GRID_IOC_SHARE_SIZE_VER0, .flags_ok = GRID_SHARE_CGROUP,
	    .change = true, .edquot = true),
	IOC(GRID_IOC_SHARE_DEL, ioc_share_del, struct grid_ioc_share,
	    GRID_IOC_SHARE_SIZE_VER0, .change = true),
	IOC(GRID_IOC_PEER_ADD, ioc_peer_add, struct grid_ioc_peer,
	    GRID_IOC_PEER_SIZE_VER0, .change = true),
	IOC(GRID_IOC_PEER_SET, ioc_peer_set, struct grid_ioc_peer,
	    GRID_IOC_PEER_SIZE_VER0, .change = true),
	IOC(GRID_IOC_PEER_DEL, ioc_peer_del, struct grid_ioc_peer,
	    GRID_IOC_PEER_SIZE_VER0, .change = true),
	IOC(GRID_IOC_LEASE_ADD, ioc_lease_add, struct grid_ioc_lease,
	    GRID_IOC_LEASE_SIZE_VER0, .change = true, .edquot = true),
	IOC(GRID_IOC_LEASE_SET, ioc_lease_set, struct grid_ioc_lease,
	    GRID_IOC_LEASE_SIZE_VER0, .change = true, .edquot = true),
	IOC(GRID_IOC_LEASE_DEL, ioc_lease_del, struct grid_ioc_lease_ref,
	    GRID_IOC_LEASE_REF_SIZE_VER0, .change = true),
	/* Not a change to wait for: ending a lease must never queue. */
	IOC(GRID_IOC_LEASE_REVOKE, ioc_lease_revoke, struct grid_ioc_lease_ref,
	    GRID_IOC_LEASE_REF_SIZE_VER0),
	IOC(GRID_IOC_SANDBOX_BIND, ioc_sandbox_bind, struct grid_ioc_sandbox,
	    GRID_IOC_SANDBOX_SIZE_VER0, .flags_ok = GRID_SANDBOX_REBIND,
	    .change = true),
	IOC(GRID_IOC_SANDBOX_UNBIND, ioc_sandbox_unbind,
	    struct grid_ioc_sandbox, GRID_IOC_SANDBOX_SIZE_VER0,
	    .change = true),
	IOC(GRID_IOC_SELF, ioc_self, struct grid_self, GRID_SELF_SIZE_VER0,
	    .anyone = true, .in_sandbox = true),
	IOC(GRID_IOC_CPU_WATCH, ioc_cpu_watch, struct grid_ioc_cpu_watch,
	    GRID_IOC_CPU_WATCH_SIZE_VER0),
	IOC(GRID_IOC_CPU_UNWATCH, ioc_cpu_unwatch, struct grid_ioc_cpu_watch,
	    GRID_IOC_CPU_WATCH_SIZE_VER0),
	IOC(GRID_IOC_CPU_WATCH_GET, ioc_cpu_watch_get,
	    struct grid_ioc_cpu_watch, GRID_IOC_CPU_WATCH_SIZE_VER0),
};

static void __maybe_unused sizes_are_published(void)
{
	BUILD_BUG_ON(sizeof(struct grid_version) != GRID_VERSION_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct grid_status) != GRID_STATUS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct grid_ioc_grid) != GRID_IOC_GRID_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct grid_ioc_gridgrid) !=
		     GRID_IOC_GRIDGRID_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct grid_ioc_share) != GRID_IOC_SHARE_SIZE_VER1);
	BUILD_BUG_ON(sizeof(struct grid_ioc_peer) != GRID_IOC_PEER_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct grid_ioc_lease) != GRID_IOC_LEASE_SIZE_VER1);
	BUILD_BUG_ON(sizeof(struct grid_ioc_lease_ref) !=
		     GRID_IOC_LEASE_REF_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct grid_ioc_sandbox) !=
		     GRID_IOC_SANDBOX_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct grid_self) != GRID_SELF_SIZE_VER0);
	BUILD_BUG_ON(sizeof(struct grid_ioc_cpu_watch) !=
		     GRID_IOC_CPU_WATCH_SIZE_VER1);
}

static long grid_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct ioc_desc *d;
	void *karg;
	int usize;
	long ret;

	/*
	 * Dispatch on type and number only: the size lives in the struct, so
	 * a caller built against a newer header still reaches the same
	 * handler (see the uapi header).
	 */
	if (_IOC_TYPE(cmd) != GRID_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE) ||
	    _IOC_NR(cmd) >= ARRAY_SIZE(iocs) || !iocs[_IOC_NR(cmd)].fn)
		return -ENOTTY;
	d = &iocs[array_index_nospec(_IOC_NR(cmd), ARRAY_SIZE(iocs))];

	/*
	 * A task inside a sandbox sees only itself, whatever its
	 * capabilities: it may have been given root in a user namespace,
	 * or /dev/grid by mistake.
	 */
	if (!d->anyone && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* (After the capability: the lookup takes grid_mutex.) */
	if (!d->in_sandbox && grid_current_in_sandbox())
		return -EPERM;

	karg = kzalloc(d->ksize, GFP_KERNEL);
	if (!karg)
		return -ENOMEM;
	ret = uarg_copy_in(karg, d->ksize, d->ver0, uarg);
	if (ret < 0)
		goto out;
	usize = ret;
	ret = -EINVAL;
	if (!d->no_flags && (((u32 *)karg)[1] & ~d->flags_ok))
		goto out;
	if (d->change)
		mutex_lock(&grid_change_mutex);
	ret = d->fn(karg);
	if (d->change)
		mutex_unlock(&grid_change_mutex);
	if (!ret)
		ret = uarg_copy_out(uarg, karg, d->ksize, usize);
	else if (ret == -EDQUOT && d->edquot && uarg_copy_out(uarg, karg,
							      d->ksize, usize))
		ret = -EFAULT;
out:
	kfree(karg);
	return ret;
}

static const struct file_operations grid_fops = {
	.owner = THIS_MODULE,
	.open = grid_open,
	.release = grid_release,
	.unlocked_ioctl = grid_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice grid_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = GRID_DEVICE_NAME,
	.fops = &grid_fops,
	/*
	 * Anyone may open it, as /dev/net/tun: each ioctl says who may use
	 * it (iocs[]), and a job's sandbox needs GRID_IOC_SELF.
	 */
	.mode = 0666,
};

int grid_dev_init(void)
{
	return misc_register(&grid_misc);
}

void grid_dev_uninit(void)
{
	misc_deregister(&grid_misc);
}
