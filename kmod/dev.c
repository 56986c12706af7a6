// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/grid: the door for changes. Each open file is a handle; each ioctl
 * takes an extensible struct whose rules are written in the uapi header.
 */
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
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

	h = kzalloc(sizeof(*h), GFP_KERNEL);
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

static long ioc_version(void __user *uarg)
{
	struct grid_version v;
	int usize;

	BUILD_BUG_ON(sizeof(v) != GRID_VERSION_SIZE_VER0);
	usize = uarg_copy_in(&v, sizeof(v), GRID_VERSION_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;

	memset(&v, 0, sizeof(v));
	v.abi = GRID_ABI_VERSION;
	strscpy(v.release, GRID_RELEASE, sizeof(v.release));
	return uarg_copy_out(uarg, &v, sizeof(v), usize);
}

static long ioc_status(void __user *uarg)
{
	struct grid_status st;
	int usize;

	BUILD_BUG_ON(sizeof(st) != GRID_STATUS_SIZE_VER0);
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	usize = uarg_copy_in(&st, sizeof(st), GRID_STATUS_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (st.flags)
		return -EINVAL;

	grid_status_read(&st);
	return uarg_copy_out(uarg, &st, sizeof(st), usize);
}

static long grid_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	/*
	 * Dispatch on type and number only: the size lives in the struct, so
	 * a caller built against a newer header still reaches the same
	 * handler (see the uapi header).
	 */
	if (_IOC_TYPE(cmd) != GRID_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(GRID_IOC_VERSION):
		return ioc_version(uarg);
	case _IOC_NR(GRID_IOC_STATUS):
		return ioc_status(uarg);
	}
	return -ENOTTY;
}

static const struct file_operations grid_fops = {
	.owner = THIS_MODULE,
	.open = grid_open,
	.release = grid_release,
	.unlocked_ioctl = grid_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

static struct miscdevice grid_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = GRID_DEVICE_NAME,
	.fops = &grid_fops,
	.mode = 0600,
};

int grid_dev_init(void)
{
	return misc_register(&grid_misc);
}

void grid_dev_uninit(void)
{
	misc_deregister(&grid_misc);
}
