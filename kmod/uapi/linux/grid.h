/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * grid: share compute between independent owners.
 *
 * This header is the one contract between grid.ko and userland (gridd,
 * gridctl, the tests). The kernel includes it as "uapi/linux/grid.h",
 * userland as <linux/grid.h>. There is no second copy.
 *
 * Everything here is append-only. GRID_ABI_VERSION is bumped only for an
 * incompatible change, which we intend never to make.
 *
 * ------------------------------------------------------------------------
 * /dev/grid
 * ------------------------------------------------------------------------
 *
 * A misc character device, mode 0600, owned by root. Changes go through
 * ioctls on it; reads of the object model go through generic netlink (below).
 *
 * Every ioctl argument is an extensible struct in the manner of clone3(2)
 * and openat2(2): it starts with "__u32 size", the size of the struct as the
 * caller knows it. The kernel dispatches on the ioctl's type and number only;
 * the size encoded in the ioctl number is informational, the size field is
 * authoritative. Then:
 *
 *   size < the struct's first published size      -EINVAL
 *   size > 4096                                    -E2BIG
 *   size > the kernel's size, and any byte past
 *     the kernel's size is non-zero                -E2BIG
 *   a reserved field or flag that is not zero      -EINVAL
 *
 * A caller that is newer than the kernel therefore works as long as it
 * leaves the fields the kernel does not know at zero. On return the kernel
 * writes min(size, its own size) bytes and stores that number in size, so
 * an older caller is never written past its struct.
 *
 * Other errors common to every ioctl:
 *
 *   an ioctl type or number grid does not know   -ENOTTY
 *   a bad pointer                                 -EFAULT
 *   a request that needs CAP_SYS_ADMIN in the
 *     initial user namespace, without it          -EPERM
 *
 * GRID_IOC_VERSION (struct grid_version)
 *	Anyone holding an open /dev/grid may ask. Returns the ABI version
 *	(GRID_ABI_VERSION), and the module's release as a NUL-terminated
 *	string. A client refuses to talk to a module whose abi differs from
 *	the one it was built with.
 *
 * GRID_IOC_STATUS (struct grid_status)
 *	Needs CAP_SYS_ADMIN. Returns how many objects of each kind the
 *	module holds. The same numbers are reported by GRID_CMD_GET_STATUS.
 */
#ifndef _UAPI_LINUX_GRID_H
#define _UAPI_LINUX_GRID_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define GRID_ABI_VERSION	1
#define GRID_DEVICE_NAME	"grid"
#define GRID_IOC_MAGIC		0xB8

/* The largest ioctl argument the kernel will look at. */
#define GRID_IOC_SIZE_MAX	4096

#define GRID_RELEASE_LEN	64

struct grid_version {
	__u32	size;		/* in/out: see above */
	__u32	abi;		/* out: GRID_ABI_VERSION */
	char	release[GRID_RELEASE_LEN];	/* out: "0.1.0-3-gabcdef" */
};

#define GRID_VERSION_SIZE_VER0	72	/* sizeof first published struct */

struct grid_status {
	__u32	size;		/* in/out */
	__u32	flags;		/* in: must be 0 */
	__u64	grids;		/* out: local security domains */
	__u64	gridgrids;	/* out: federations this machine shares with */
	__u64	peers;		/* out: known remote grids */
	__u64	leases;		/* out: leases in any state */
	__u64	sandboxes;	/* out: cgroups bound to a lease */
	__u64	handles;	/* out: open /dev/grid files */
};

#define GRID_STATUS_SIZE_VER0	56

#define GRID_IOC_VERSION	_IOWR(GRID_IOC_MAGIC, 0x00, struct grid_version)
#define GRID_IOC_STATUS		_IOWR(GRID_IOC_MAGIC, 0x01, struct grid_status)

/*
 * ------------------------------------------------------------------------
 * Generic netlink family "grid"
 * ------------------------------------------------------------------------
 *
 * Family version GRID_GENL_VERSION, only in the initial network namespace.
 * Every command needs CAP_SYS_ADMIN in the initial user namespace (checked
 * against the socket's opener as well as the sender); otherwise -EPERM.
 * Attribute validation is strict: an attribute the kernel does not know, or
 * trailing data in one it does, is refused with -EINVAL and an extended ack
 * naming the attribute. An unknown command is -EOPNOTSUPP.
 *
 * GRID_CMD_GET_STATUS
 *	Request: no attributes.
 *	Reply:   GRID_CMD_GET_STATUS with
 *		GRID_STATUS_A_RELEASE	NUL-terminated string
 *		GRID_STATUS_A_ABI	u32, GRID_ABI_VERSION
 *		GRID_STATUS_A_GRIDS	u64
 *		GRID_STATUS_A_GRIDGRIDS	u64
 *		GRID_STATUS_A_PEERS	u64
 *		GRID_STATUS_A_LEASES	u64
 *		GRID_STATUS_A_SANDBOXES	u64
 *		GRID_STATUS_A_HANDLES	u64
 *
 * Multicast group "events" (GRID_GENL_MCGRP_EVENTS): joining needs
 * CAP_SYS_ADMIN. Events are defined with the objects that raise them.
 */
#define GRID_GENL_NAME		"grid"
#define GRID_GENL_VERSION	1
#define GRID_GENL_MCGRP_EVENTS	"events"

enum grid_cmd {
	GRID_CMD_UNSPEC,
	GRID_CMD_GET_STATUS,

	__GRID_CMD_MAX
};

#define GRID_CMD_MAX (__GRID_CMD_MAX - 1)

enum grid_status_attr {
	GRID_STATUS_A_UNSPEC,
	GRID_STATUS_A_PAD,
	GRID_STATUS_A_RELEASE,
	GRID_STATUS_A_ABI,
	GRID_STATUS_A_GRIDS,
	GRID_STATUS_A_GRIDGRIDS,
	GRID_STATUS_A_PEERS,
	GRID_STATUS_A_LEASES,
	GRID_STATUS_A_SANDBOXES,
	GRID_STATUS_A_HANDLES,

	__GRID_STATUS_A_LAST
};

#define GRID_STATUS_A_MAX (__GRID_STATUS_A_LAST - 1)

#endif /* _UAPI_LINUX_GRID_H */
