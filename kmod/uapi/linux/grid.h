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
 *
 * The object model. Every ioctl below needs CAP_SYS_ADMIN, and a task
 * inside a bound sandbox gets -EPERM for all of them but GRID_IOC_SELF.
 * Names are 1..31 bytes of [a-z0-9._-], NUL-padded to GRID_NAME_LEN, and
 * neither "." nor ".." (otherwise -EINVAL). Keys are raw 32-byte Ed25519 public keys; all-zero
 * is not a key (-EINVAL). Errors common to the object ioctls:
 *
 *   the object already exists (ADD)                    -EEXIST
 *   the object, or one it names, does not exist         -ENOENT
 *   deleting an object others still refer to           -EBUSY
 *   a lease or share change past the grid-grid's share  -EDQUOT
 *
 * GRID_IOC_GRID_ADD / _SET / _DEL (struct grid_ioc_grid)
 *	A local security domain: name, public key, optional parent grid
 *	(empty parent: none). Keys are unique among grids (-EEXIST). SET
 *	changes key and parent; a parent may not be the grid itself or one
 *	of its descendants (-ELOOP); the key cannot change while live leases
 *	were issued under it (-EBUSY). DEL of a grid that is a parent, or
 *	whose key issued live leases: -EBUSY.
 *
 * GRID_IOC_GRIDGRID_ADD / _SET / _DEL (struct grid_ioc_gridgrid)
 *	A federation: name and charter public key. SET changes the key.
 *	DEL while peers, a share or leases refer to it: -EBUSY. Ended
 *	(expired, revoked) leases still refer to it until they are deleted.
 *
 * GRID_IOC_SHARE_ADD / _SET / _DEL (struct grid_ioc_share)
 *	This machine's share for a grid-grid (struct grid_limits). Leases of
 *	a grid-grid without a share are refused (-EDQUOT). SET to less than
 *	the live leases of the grid-grid hold, or DEL while it has live
 *	leases: -EDQUOT. SET of another budget_period_s while leases are
 *	live: -EBUSY. CPU is admitted as a rate in nanocores
 *	(quota * 10^9 / period), a lease's rounded up and a share's down.
 *	A limit of GRID_LIMIT_MAX in a lease fits only a share without
 *	that limit.
 *
 * GRID_IOC_PEER_ADD / _SET / _DEL (struct grid_ioc_peer)
 *	A remote grid: public key, a name for people, and the grid-grids it
 *	is a member of (up to GRID_PEER_GRIDGRIDS_MAX; each must exist).
 *
 * GRID_IOC_LEASE_ADD / _SET / _DEL (struct grid_ioc_lease)
 *	A lease: id (non-zero, chosen by the issuer, unique here), serial,
 *	issuer (the
 *	key of a local grid, otherwise -ENOKEY), holder key, grid-grid,
 *	limits, and a validity window in CLOCK_REALTIME nanoseconds. A
 *	budget_period_s of 0 takes the share's; any other value must equal
 *	it (-EINVAL). A cpu_quota_us below 1000 is -EINVAL, as in cpu.max. The
 *	signed lease bytes (up to GRID_LEASE_BLOB_MAX, else -EINVAL) are kept
 *	for audit; the kernel does not interpret them. The state field is
 *	out only. ADD admits the lease against the
 *	share: the sum over the grid-grid's live (pending or active) leases of
 *	every limit must stay within the share's, else -EDQUOT. A window that
 *	has already ended is -EKEYEXPIRED; not_after <= not_before is -EINVAL.
 *	SET replaces limits and not_after of a live lease; its serial must be
 *	greater than the lease's (-ESTALE), it is admitted like ADD, and an
 *	ended lease cannot be changed (-EKEYEXPIRED, -EKEYREVOKED). DEL of a
 *	lease with bound sandboxes: -EBUSY. At not_after a timer on the
 *	absolute wall clock (it follows clock changes) ends the lease: every
 *	task in every bound sandbox is killed through cgroup.kill, with or
 *	without a daemon.
 *
 * GRID_IOC_LEASE_REVOKE (struct grid_ioc_lease_ref)
 *	Ends a live lease now, as expiry does, but marks it revoked.
 *
 * GRID_IOC_SANDBOX_BIND (struct grid_ioc_sandbox)
 *	Binds the cgroup v2 directory open at cgroup_fd to a live lease.
 *	cgroup_fd must be a directory of the cgroup2 filesystem (-EBADF for
 *	a bad fd, -ENOTDIR or -EINVAL otherwise). Returns the cgroup id. A
 *	cgroup already bound: -EEXIST. The root cgroup, or a threaded one
 *	(cgroup.kill cannot kill it): -EINVAL. A cgroup inside another
 *	sandbox, or with one inside it: -EBUSY. A cgroup the caller itself
 *	is in (or below): -EDEADLK. A lease that has ended: -EKEYEXPIRED
 *	or -EKEYREVOKED. With flags GRID_SANDBOX_REBIND, a cgroup that is
 *	already bound moves to lease_id in one step (-ENOENT if it is not
 *	bound); a killed sandbox so moved is bound again.
 *
 * GRID_IOC_SANDBOX_UNBIND (struct grid_ioc_sandbox)
 *	Unbinds the sandbox with cgroup_id (cgroup_fd is ignored). Its tasks
 *	are left alone.
 *
 * GRID_IOC_SELF (struct grid_self)
 *	For a task inside a bound sandbox (the only request it may make,
 *	with GRID_IOC_VERSION): its lease, limits and usage. Outside any
 *	sandbox: -ENOENT.
 *
 * GRID_IOC_CPU_WATCH (struct grid_ioc_cpu_watch)
 *	Has grid.ko enforce a grid-grid's CPU-time budget, with or without
 *	a daemon alive: cgroup_fd is the grid-grid's cgroup2 directory,
 *	limits_fd, usage_fd and run_fd the BPF maps "grid_cpu_limits",
 *	"grid_cpu_usage" and "grid_cpu_run" (see linux/grid_bpf.h). grid.ko
 *	reads the entries of the cgroup's id, adds the time its tasks have
 *	run on each CPU since they were last charged, freezes the cgroup
 *	(cgroup.freeze) once the period's usage reaches the budget and
 *	thaws it when the period ends; the maps are referenced until
 *	unwatched. Watching a watched
 *	cgroup again takes the new maps (a restarted loader adopts).
 *	Returns the cgroup's id. -EBADF: an fd is not open; -ENOTDIR: not a
 *	cgroup2 directory; -EINVAL: flags or reserved, the root cgroup, or
 *	a map of the wrong type, key or value size; -ENOSPC: GRID_GG_ENTRIES
 *	watched.
 *
 * GRID_IOC_CPU_UNWATCH (struct grid_ioc_cpu_watch)
 *	Stops watching cgroup_id (the fds are ignored) and thaws it if
 *	grid.ko froze it. -ENOENT if not watched.
 *
 * GRID_IOC_CPU_WATCH_GET (struct grid_ioc_cpu_watch)
 *	Reports on cgroup_id: frozen, freezes and overshoot_ns. -ENOENT if
 *	not watched.
 *
 * ------------------------------------------------------------------------
 * gridfs
 * ------------------------------------------------------------------------
 *
 *   mount -t gridfs -o gridgrid=NAME none DIR   one grid-grid at DIR
 *   mount -t gridfs none DIR                    DIR/<grid-grid>/ for each
 *
 * Read-only; one value per file, newline-terminated; "max" for
 * GRID_LIMIT_MAX; keys in hex; times in CLOCK_REALTIME nanoseconds.
 *
 *   name  charter_key
 *   share/  used/          cpu_quota_us cpu_period_us cpu_budget_us memory
 *                          pids egress_rate ingress_rate egress_budget
 *                          ingress_budget budget_period_s
 *                          (share/ only while there is a share; used/
 *                          sums the live leases, CPU as quota per 1 s)
 *   leases/<id>/           id serial issuer holder gridgrid state
 *                          (pending, active, expired, revoked) not_before
 *                          not_after sandboxes, limits/ as share/
 *   sandboxes/<cgroup id>/ lease state (bound, killed) path
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

#define GRID_NAME_LEN		32
#define GRID_KEY_LEN		32
#define GRID_PEER_GRIDGRIDS_MAX	16
#define GRID_LEASE_BLOB_MAX	4096

/* A limit of GRID_LIMIT_MAX means "no limit", as "max" in cgroup files. */
#define GRID_LIMIT_MAX		(~(__u64)0)

/*
 * The limits of a share or a lease. CPU: cpu_quota_us per cpu_period_us,
 * as cpu.max (period 1000..1000000); a quota of GRID_LIMIT_MAX is no rate
 * limit. Budgets (CPU time, bytes) are per budget_period_s seconds, which a
 * lease shares with its grid-grid's share. Rates are bytes per second.
 */
struct grid_limits {
	__u64	cpu_quota_us;
	__u64	cpu_period_us;
	__u64	cpu_budget_us;
	__u64	memory_bytes;
	__u64	pids;
	__u64	net_egress_rate;
	__u64	net_ingress_rate;
	__u64	net_egress_budget;
	__u64	net_ingress_budget;
	__u32	budget_period_s;
	__u32	reserved;		/* must be 0 */
};

struct grid_ioc_grid {
	__u32	size;
	__u32	flags;			/* must be 0 */
	char	name[GRID_NAME_LEN];
	char	parent[GRID_NAME_LEN];	/* "" for none */
	__u8	key[GRID_KEY_LEN];	/* ignored by DEL */
};

#define GRID_IOC_GRID_SIZE_VER0	104

struct grid_ioc_gridgrid {
	__u32	size;
	__u32	flags;			/* must be 0 */
	char	name[GRID_NAME_LEN];
	__u8	charter_key[GRID_KEY_LEN];	/* ignored by DEL */
};

#define GRID_IOC_GRIDGRID_SIZE_VER0	72

struct grid_ioc_share {
	__u32	size;
	__u32	flags;			/* must be 0 */
	char	gridgrid[GRID_NAME_LEN];
	struct grid_limits limits;	/* ignored by DEL */
};

#define GRID_IOC_SHARE_SIZE_VER0	120

struct grid_ioc_peer {
	__u32	size;
	__u32	flags;			/* must be 0 */
	__u8	key[GRID_KEY_LEN];
	char	name[GRID_NAME_LEN];	/* ignored by DEL */
	__u32	n_gridgrids;		/* 0..GRID_PEER_GRIDGRIDS_MAX */
	__u32	reserved;		/* must be 0 */
	char	gridgrids[GRID_PEER_GRIDGRIDS_MAX][GRID_NAME_LEN];
};

#define GRID_IOC_PEER_SIZE_VER0	592

enum grid_lease_state {
	GRID_LEASE_PENDING,	/* admitted, not_before still ahead */
	GRID_LEASE_ACTIVE,
	GRID_LEASE_EXPIRED,
	GRID_LEASE_REVOKED,
};

struct grid_ioc_lease {
	__u32	size;
	__u32	flags;			/* must be 0 */
	__u64	id;
	__u64	serial;
	__u8	issuer[GRID_KEY_LEN];
	__u8	holder[GRID_KEY_LEN];
	char	gridgrid[GRID_NAME_LEN];
	struct grid_limits limits;
	__s64	not_before_ns;		/* CLOCK_REALTIME */
	__s64	not_after_ns;
	__u64	blob;			/* pointer to the signed lease bytes */
	__u32	blob_len;
	__u32	state;			/* out: enum grid_lease_state */
};

#define GRID_IOC_LEASE_SIZE_VER0	232

struct grid_ioc_lease_ref {
	__u32	size;
	__u32	flags;			/* must be 0 */
	__u64	id;
};

#define GRID_IOC_LEASE_REF_SIZE_VER0	16

#define GRID_SANDBOX_REBIND	0x1

struct grid_ioc_sandbox {
	__u32	size;
	__u32	flags;			/* BIND: GRID_SANDBOX_REBIND; else 0 */
	__u64	lease_id;		/* BIND: in; UNBIND: ignored */
	__u64	cgroup_id;		/* BIND: out; UNBIND: in */
	__s32	cgroup_fd;		/* BIND: in */
	__u32	reserved;		/* must be 0 */
};

#define GRID_IOC_SANDBOX_SIZE_VER0	32

struct grid_self {
	__u32	size;
	__u32	flags;			/* must be 0 */
	__u64	lease_id;
	__u64	serial;
	char	gridgrid[GRID_NAME_LEN];
	struct grid_limits limits;
	__s64	not_before_ns;
	__s64	not_after_ns;
	__u32	state;			/* enum grid_lease_state */
	__u32	reserved;
	__u64	cgroup_id;		/* the sandbox the caller is in */
	__u64	cpu_usage_us;		/* the sandbox's cpu.stat usage_usec */
	__u64	memory_current;		/* the sandbox's memory.current */
	__u64	pids_current;		/* the sandbox's pids.current */
};

#define GRID_SELF_SIZE_VER0	192

struct grid_ioc_cpu_watch {
	__u32	size;
	__u32	flags;			/* must be 0 */
	__s32	cgroup_fd;		/* WATCH: in */
	__s32	limits_fd;		/* WATCH: in, "grid_cpu_limits" */
	__s32	usage_fd;		/* WATCH: in, "grid_cpu_usage" */
	__u32	frozen;			/* GET: out, 1 while grid.ko holds it frozen */
	__u64	cgroup_id;		/* WATCH: out; UNWATCH, GET: in */
	__u64	freezes;		/* GET: out, times frozen since watched */
	__u64	overshoot_ns;		/* GET: out, used past the budget when last frozen */
	__s32	run_fd;			/* WATCH: in, "grid_cpu_run" */
	__u32	reserved;		/* must be 0 */
};

#define GRID_IOC_CPU_WATCH_SIZE_VER0	56

#define GRID_IOC_VERSION	_IOWR(GRID_IOC_MAGIC, 0x00, struct grid_version)
#define GRID_IOC_STATUS		_IOWR(GRID_IOC_MAGIC, 0x01, struct grid_status)
#define GRID_IOC_GRID_ADD	_IOWR(GRID_IOC_MAGIC, 0x02, struct grid_ioc_grid)
#define GRID_IOC_GRID_SET	_IOWR(GRID_IOC_MAGIC, 0x03, struct grid_ioc_grid)
#define GRID_IOC_GRID_DEL	_IOWR(GRID_IOC_MAGIC, 0x04, struct grid_ioc_grid)
#define GRID_IOC_GRIDGRID_ADD	_IOWR(GRID_IOC_MAGIC, 0x05, struct grid_ioc_gridgrid)
#define GRID_IOC_GRIDGRID_SET	_IOWR(GRID_IOC_MAGIC, 0x06, struct grid_ioc_gridgrid)
#define GRID_IOC_GRIDGRID_DEL	_IOWR(GRID_IOC_MAGIC, 0x07, struct grid_ioc_gridgrid)
#define GRID_IOC_SHARE_ADD	_IOWR(GRID_IOC_MAGIC, 0x08, struct grid_ioc_share)
#define GRID_IOC_SHARE_SET	_IOWR(GRID_IOC_MAGIC, 0x09, struct grid_ioc_share)
#define GRID_IOC_SHARE_DEL	_IOWR(GRID_IOC_MAGIC, 0x0a, struct grid_ioc_share)
#define GRID_IOC_PEER_ADD	_IOWR(GRID_IOC_MAGIC, 0x0b, struct grid_ioc_peer)
#define GRID_IOC_PEER_SET	_IOWR(GRID_IOC_MAGIC, 0x0c, struct grid_ioc_peer)
#define GRID_IOC_PEER_DEL	_IOWR(GRID_IOC_MAGIC, 0x0d, struct grid_ioc_peer)
#define GRID_IOC_LEASE_ADD	_IOWR(GRID_IOC_MAGIC, 0x0e, struct grid_ioc_lease)
#define GRID_IOC_LEASE_SET	_IOWR(GRID_IOC_MAGIC, 0x0f, struct grid_ioc_lease)
#define GRID_IOC_LEASE_DEL	_IOWR(GRID_IOC_MAGIC, 0x10, struct grid_ioc_lease_ref)
#define GRID_IOC_LEASE_REVOKE	_IOWR(GRID_IOC_MAGIC, 0x11, struct grid_ioc_lease_ref)
#define GRID_IOC_SANDBOX_BIND	_IOWR(GRID_IOC_MAGIC, 0x12, struct grid_ioc_sandbox)
#define GRID_IOC_SANDBOX_UNBIND	_IOWR(GRID_IOC_MAGIC, 0x13, struct grid_ioc_sandbox)
#define GRID_IOC_SELF		_IOWR(GRID_IOC_MAGIC, 0x14, struct grid_self)
#define GRID_IOC_CPU_WATCH	_IOWR(GRID_IOC_MAGIC, 0x15, struct grid_ioc_cpu_watch)
#define GRID_IOC_CPU_UNWATCH	_IOWR(GRID_IOC_MAGIC, 0x16, struct grid_ioc_cpu_watch)
#define GRID_IOC_CPU_WATCH_GET	_IOWR(GRID_IOC_MAGIC, 0x17, struct grid_ioc_cpu_watch)

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
 * GRID_CMD_GET_GRID, GRID_CMD_GET_GRIDGRID, GRID_CMD_GET_PEER,
 * GRID_CMD_GET_LEASE, GRID_CMD_GET_SANDBOX
 *	With NLM_F_DUMP: every object of the kind, one message each, in
 *	creation order; a dump resumes where the last message left off and is
 *	marked NLM_F_DUMP_INTR if any object changed while it ran (start
 *	again). Without: the one object the request's key attribute names
 *	(GRID_GRID_A_NAME, GRID_GRIDGRID_A_NAME, GRID_PEER_A_KEY,
 *	GRID_LEASE_A_ID, GRID_SANDBOX_A_CGROUP_ID), or -ENOENT.
 *	A dump of leases or sandboxes may be narrowed to one grid-grid with
 *	GRID_LEASE_A_GRIDGRID / GRID_SANDBOX_A_GRIDGRID (an unknown one
 *	gives an empty dump).
 *
 *	grid:      NAME string, KEY binary[32], PARENT string (if any)
 *	gridgrid:  NAME, CHARTER_KEY binary[32], SHARE nest (grid_limits_attr,
 *	           if a share is set), USED nest (the sum over live leases),
 *	           LEASES u32, PEERS u32, SANDBOXES u32
 *	peer:      KEY, NAME, GRIDGRIDS nest of GRID_PEER_A_GRIDGRID strings
 *	lease:     ID u64, SERIAL u64, ISSUER, HOLDER binary[32], GRIDGRID,
 *	           LIMITS nest, NOT_BEFORE, NOT_AFTER s64 ns, STATE u32
 *	           (enum grid_lease_state), BLOB binary, SANDBOXES u32
 *	sandbox:   CGROUP_ID u64, LEASE_ID u64, GRIDGRID, STATE u32
 *	           (enum grid_sandbox_state), PATH string (in the caller's
 *	           cgroup namespace, if visible)
 *
 * Multicast group "events" (GRID_GENL_MCGRP_EVENTS): joining needs
 * CAP_SYS_ADMIN in the initial user namespace. Unlike the commands, the
 * join is not refused to a task inside a sandbox: 6.1 has no per-family
 * hook for it. gridd starts jobs without CAP_SYS_ADMIN and in a network
 * namespace of their own, where the family does not exist.
 *
 * Each event is a GRID_CMD_EVENT message with GRID_EVENT_A_TYPE (enum
 * grid_event) and what it concerns:
 * GRID_EVENT_A_LEASE_ID, GRID_EVENT_A_CGROUP_ID, GRID_EVENT_A_GRIDGRID,
 * GRID_EVENT_A_RESOURCE (a grid_limits_attr, for SHARE_EXHAUSTED).
 *
 *	LEASE_GRANTED	a lease was admitted (ADD)
 *	LEASE_EXPIRED	its not_after passed; its sandboxes were killed
 *	LEASE_REVOKED	GRID_IOC_LEASE_REVOKE; its sandboxes were killed
 *	SANDBOX_BOUND	a cgroup was bound to a lease
 *	SANDBOX_KILLED	the tasks of a sandbox were killed
 *	SHARE_EXHAUSTED	a lease was refused: the share has no room left for
 *			the resource named
 *	CPU_BUDGET_SPENT	a watched grid-grid (CGROUP_ID) spent its CPU
 *			budget and was frozen
 *	CPU_BUDGET_RENEWED	it was thawed: a new period, or the budget was
 *			raised or removed
 */
#define GRID_GENL_NAME		"grid"
#define GRID_GENL_VERSION	1
#define GRID_GENL_MCGRP_EVENTS	"events"

enum grid_cmd {
	GRID_CMD_UNSPEC,
	GRID_CMD_GET_STATUS,
	GRID_CMD_GET_GRID,
	GRID_CMD_GET_GRIDGRID,
	GRID_CMD_GET_PEER,
	GRID_CMD_GET_LEASE,
	GRID_CMD_GET_SANDBOX,
	GRID_CMD_EVENT,

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

enum grid_limits_attr {
	GRID_LIMITS_A_UNSPEC,
	GRID_LIMITS_A_PAD,
	GRID_LIMITS_A_CPU_QUOTA_US,	/* u64 */
	GRID_LIMITS_A_CPU_PERIOD_US,	/* u64 */
	GRID_LIMITS_A_CPU_BUDGET_US,	/* u64 */
	GRID_LIMITS_A_MEMORY,		/* u64, bytes */
	GRID_LIMITS_A_PIDS,		/* u64 */
	GRID_LIMITS_A_NET_EGRESS_RATE,	/* u64, bytes/s */
	GRID_LIMITS_A_NET_INGRESS_RATE,	/* u64, bytes/s */
	GRID_LIMITS_A_NET_EGRESS_BUDGET,	/* u64, bytes per period */
	GRID_LIMITS_A_NET_INGRESS_BUDGET,	/* u64, bytes per period */
	GRID_LIMITS_A_BUDGET_PERIOD_S,	/* u32 */
	GRID_LIMITS_A_CPU_RATE,		/* u64, nanocores: the admitted unit */

	__GRID_LIMITS_A_LAST
};

#define GRID_LIMITS_A_MAX (__GRID_LIMITS_A_LAST - 1)

enum grid_grid_attr {
	GRID_GRID_A_UNSPEC,
	GRID_GRID_A_NAME,
	GRID_GRID_A_KEY,
	GRID_GRID_A_PARENT,

	__GRID_GRID_A_LAST
};

#define GRID_GRID_A_MAX (__GRID_GRID_A_LAST - 1)

enum grid_gridgrid_attr {
	GRID_GRIDGRID_A_UNSPEC,
	GRID_GRIDGRID_A_NAME,
	GRID_GRIDGRID_A_CHARTER_KEY,
	GRID_GRIDGRID_A_SHARE,
	GRID_GRIDGRID_A_USED,
	GRID_GRIDGRID_A_LEASES,
	GRID_GRIDGRID_A_PEERS,
	GRID_GRIDGRID_A_SANDBOXES,

	__GRID_GRIDGRID_A_LAST
};

#define GRID_GRIDGRID_A_MAX (__GRID_GRIDGRID_A_LAST - 1)

enum grid_peer_attr {
	GRID_PEER_A_UNSPEC,
	GRID_PEER_A_KEY,
	GRID_PEER_A_NAME,
	GRID_PEER_A_GRIDGRIDS,
	GRID_PEER_A_GRIDGRID,		/* inside GRIDGRIDS */

	__GRID_PEER_A_LAST
};

#define GRID_PEER_A_MAX (__GRID_PEER_A_LAST - 1)

enum grid_lease_attr {
	GRID_LEASE_A_UNSPEC,
	GRID_LEASE_A_PAD,
	GRID_LEASE_A_ID,
	GRID_LEASE_A_SERIAL,
	GRID_LEASE_A_ISSUER,
	GRID_LEASE_A_HOLDER,
	GRID_LEASE_A_GRIDGRID,
	GRID_LEASE_A_LIMITS,
	GRID_LEASE_A_NOT_BEFORE,
	GRID_LEASE_A_NOT_AFTER,
	GRID_LEASE_A_STATE,
	GRID_LEASE_A_BLOB,
	GRID_LEASE_A_SANDBOXES,

	__GRID_LEASE_A_LAST
};

#define GRID_LEASE_A_MAX (__GRID_LEASE_A_LAST - 1)

enum grid_sandbox_state {
	GRID_SANDBOX_BOUND,
	GRID_SANDBOX_KILLED,	/* its lease ended; its tasks were killed */
};

enum grid_sandbox_attr {
	GRID_SANDBOX_A_UNSPEC,
	GRID_SANDBOX_A_PAD,
	GRID_SANDBOX_A_CGROUP_ID,
	GRID_SANDBOX_A_LEASE_ID,
	GRID_SANDBOX_A_GRIDGRID,
	GRID_SANDBOX_A_STATE,
	GRID_SANDBOX_A_PATH,

	__GRID_SANDBOX_A_LAST
};

#define GRID_SANDBOX_A_MAX (__GRID_SANDBOX_A_LAST - 1)

enum grid_event {
	GRID_EVENT_UNSPEC,
	GRID_EVENT_LEASE_GRANTED,
	GRID_EVENT_LEASE_EXPIRED,
	GRID_EVENT_LEASE_REVOKED,
	GRID_EVENT_SANDBOX_BOUND,
	GRID_EVENT_SANDBOX_KILLED,
	GRID_EVENT_SHARE_EXHAUSTED,
	GRID_EVENT_CPU_BUDGET_SPENT,
	GRID_EVENT_CPU_BUDGET_RENEWED,
};

enum grid_event_attr {
	GRID_EVENT_A_UNSPEC,
	GRID_EVENT_A_PAD,
	GRID_EVENT_A_TYPE,		/* u32, enum grid_event */
	GRID_EVENT_A_LEASE_ID,		/* u64 */
	GRID_EVENT_A_CGROUP_ID,		/* u64 */
	GRID_EVENT_A_GRIDGRID,		/* string */
	GRID_EVENT_A_RESOURCE,		/* u32, enum grid_limits_attr */

	__GRID_EVENT_A_LAST
};

#define GRID_EVENT_A_MAX (__GRID_EVENT_A_LAST - 1)

#endif /* _UAPI_LINUX_GRID_H */
