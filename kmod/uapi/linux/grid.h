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
 * A misc character device, mode 0666, owned by root: each ioctl says who
 * may make it (a job in its sandbox asks GRID_IOC_SELF). Changes go through
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
 * A request that fails changes nothing, and -EDQUOT says which resource
 * ran out without a second (racy) read: LEASE_ADD, LEASE_SET and
 * SHARE_SET then write their struct back with "exhausted" set to the
 * grid_limits_attr of the first resource that did not fit
 * (GRID_LIMITS_A_UNSPEC: the grid-grid has no share at all).
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
 *	that limit. The sum of the live leases' limits never wraps: a
 *	lease that would carry a sum to GRID_LIMIT_MAX or past it is
 *	refused (-EDQUOT), whatever the share.
 *
 *	With flags GRID_SHARE_CGROUP, cgroup_fd is the grid-grid's cgroup
 *	v2 directory (by convention /sys/fs/cgroup/grid/<grid-grid>),
 *	recorded on ADD and SET: its leases' sandboxes may only be bound
 *	below it (see SANDBOX_BIND). It may be neither the root cgroup nor
 *	deeper than GRID_GRIDGRID_LEVEL_MAX (-EINVAL), nor inside, around
 *	or equal to another grid-grid's cgroup (-EBUSY); a SET that moves
 *	it while sandboxes are bound: -EBUSY. SET without the flag keeps
 *	the recorded cgroup; DEL forgets it, and while sandboxes (of ended
 *	leases) are still bound is -EBUSY. The flag in a struct too short
 *	to hold cgroup_fd (GRID_IOC_SHARE_SIZE_VER0): -EINVAL. fd errors as
 *	for SANDBOX_BIND.
 *
 * GRID_IOC_PEER_ADD / _SET / _DEL (struct grid_ioc_peer)
 *	A remote grid: public key, a name for people, and the grid-grids it
 *	is a member of (up to GRID_PEER_GRIDGRIDS_MAX; each must exist).
 *	The slots of gridgrids[] past n_gridgrids must be all zero
 *	(-EINVAL).
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
 *	SET replaces limits, not_after and the signed bytes of a live lease
 *	(a SET without bytes leaves the lease with none: the old ones no
 *	longer describe it); its serial must be greater than the lease's
 *	(-ESTALE), it is admitted like ADD, and an ended lease cannot be
 *	changed (-EKEYEXPIRED, -EKEYREVOKED). SET writes the new limits into
 *	the lease cgroup of every bound sandbox first (see SANDBOX_BIND) and
 *	fails, changing nothing, if it cannot. DEL of a lease with bound
 *	sandboxes: -EBUSY. A deleted lease's id is remembered with its
 *	serial until the latest not_after it ever had (a SET may have
 *	shortened it; the first bytes are still signed): an ADD of that id
 *	again needs a greater serial (-ESTALE), so an old signed lease
 *	cannot be replayed. At not_after a timer on the absolute wall clock
 *	(it follows clock changes) ends the lease: every task in the lease
 *	cgroup of each bound sandbox is killed through cgroup.kill (a task
 *	moved out of its sandbox but not out of the lease cgroup dies too),
 *	with or without a daemon.
 *
 * GRID_IOC_LEASE_REVOKE (struct grid_ioc_lease_ref)
 *	Ends a live lease now, as expiry does, but marks it revoked.
 *
 * GRID_IOC_SANDBOX_BIND (struct grid_ioc_sandbox)
 *	Binds the cgroup v2 directory open at cgroup_fd to an active lease.
 *	cgroup_fd must be a directory of the cgroup2 filesystem (-EBADF for
 *	a bad fd, -ENOTDIR or -EINVAL otherwise). Returns the cgroup id. A
 *	cgroup already bound: -EEXIST. The root cgroup, or one (or a lease
 *	cgroup) whose cgroup.type is not "domain" or "domain threaded"
 *	(cgroup.kill cannot kill a threaded one): -EINVAL. A cgroup inside
 *	another sandbox, or with one inside it: -EBUSY. A cgroup the caller
 *	itself is in (or below), or whose lease cgroup it is in: -EDEADLK.
 *	A lease that has ended: -EKEYEXPIRED or -EKEYREVOKED; one still
 *	pending (before not_before): -EAGAIN.
 *
 *	Where a sandbox may be. The cgroup must lie strictly below the
 *	cgroup recorded for the lease's grid-grid (GRID_SHARE_CGROUP);
 *	otherwise, or when none is recorded, -EXDEV. Its ancestor one level
 *	below the grid-grid's (the cgroup itself, or the one it is in) is
 *	the lease cgroup: it serves one lease only, and a lease has one
 *	(-EBUSY if a sandbox of another lease is below it, or one of this
 *	lease is below another), so that the limits it carries bound all
 *	of the lease's sandboxes together; it must be reachable through the
 *	mount cgroup_fd was opened on (-EXDEV). This is the layout
 *	/sys/fs/cgroup/grid/<grid-grid>/<lease>/<job> with a sandbox at the
 *	lease or the job level.
 *
 *	Who writes the lease's limits: the module, so that a bound sandbox
 *	can never run above its lease. BIND (and REBIND, and LEASE_SET)
 *	writes the lease's cpu.max ("quota period", "max" for
 *	GRID_LIMIT_MAX), memory.max and pids.max into the lease cgroup,
 *	with the caller's credentials, before the sandbox is bound. A limit
 *	that cannot be written refuses the bind with the write's errno
 *	(-EROFS through a read-only mount, say); a finite limit whose file
 *	does not exist (its controller is not enabled in the grid-grid's
 *	cgroup.subtree_control) is -EOPNOTSUPP. A first bind that fails may
 *	have written some of those files (the lease cgroup serves this lease
 *	only); a REBIND that fails writes the old lease's back.
 *
 *	The kill at the lease's end. BIND opens the lease cgroup's
 *	cgroup.kill (which kills the sandbox, and whatever of the lease's
 *	was moved out of it within the lease cgroup) for writing, with the
 *	caller's credentials, and refuses with that
 *	open's errno if it cannot (a read-only mount of cgroup2: -EROFS); the
 *	end of the lease then writes to the file held open, needing neither
 *	credentials nor the path again. A write that fails marks the
 *	sandbox GRID_SANDBOX_KILL_FAILED, says so with a SANDBOX_KILL_FAILED
 *	event carrying the errno, and is retried (after 100 ms, then twice
 *	as long each time up to 10 s) until it succeeds or the sandbox is
 *	unbound.
 *
 *	With flags GRID_SANDBOX_REBIND, a cgroup that is already bound moves
 *	to lease_id in one step (-ENOENT if it is not bound), writing the
 *	new lease's limits; the new lease must be of the same grid-grid
 *	(-EXDEV), and the lease cgroup rules hold after the move (-EBUSY:
 *	another sandbox of the old lease shares the lease cgroup, or the new
 *	lease has sandboxes in another). A killed sandbox so moved is bound
 *	again.
 *
 * GRID_IOC_SANDBOX_UNBIND (struct grid_ioc_sandbox)
 *	Unbinds the sandbox with cgroup_id (cgroup_fd is ignored). Its tasks
 *	are left alone (unless another sandbox of the lease stays bound in
 *	the same lease cgroup: its end kills them too); a retried kill stops.
 *
 * GRID_IOC_SELF (struct grid_self)
 *	For a task inside a bound sandbox (the only request it may make,
 *	with GRID_IOC_VERSION): its lease, limits and the usage of its lease
 *	cgroup, which those limits hold (see SANDBOX_BIND). Outside any
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
 *	directory; -EINVAL: not cgroup2, flags or reserved, the root cgroup
 *	or one deeper than GRID_GRIDGRID_LEVEL_MAX (never charged), or
 *	a map of the wrong type, key or value size; -ENOENT: the maps hold
 *	no entry for the cgroup (the loader makes both at attach, so that a
 *	full map can never leave a budget unenforced); -ENOSPC:
 *	GRID_GG_ENTRIES watched. cgroup.freeze is opened for writing here,
 *	with the caller's credentials (that open's errno otherwise, -EROFS
 *	through a read-only mount). While the budget is spent the module
 *	looks at the cgroup's real freeze state every few milliseconds and
 *	freezes it again if anyone thawed it (counted in refreezes). A
 *	freeze or thaw write that fails is retried at the next look, said
 *	once with a CPU_FREEZE_FAILED event carrying the errno, and kept in
 *	error until a write succeeds. A period shorter than a millisecond
 *	is looked at once a millisecond, no more.
 *
 * GRID_IOC_CPU_UNWATCH (struct grid_ioc_cpu_watch)
 *	Stops watching cgroup_id (the fds are ignored) and thaws it if
 *	grid.ko froze it, before a new watch of the cgroup can start.
 *	-ENOENT if not watched.
 *
 * GRID_IOC_CPU_WATCH_GET (struct grid_ioc_cpu_watch)
 *	Reports on cgroup_id: frozen, freezes, overshoot_ns, refreezes and
 *	error. -ENOENT if not watched.
 *
 * ------------------------------------------------------------------------
 * gridfs
 * ------------------------------------------------------------------------
 *
 *   mount -t gridfs -o gridgrid=NAME none DIR   one grid-grid at DIR
 *   mount -t gridfs none DIR                    DIR/<grid-grid>/ for each
 *
 * Options: uid=N, gid=N (in the mounter's user namespace; default 0) and
 * mode=OCTAL (default 0444) set the owner and the permissions of every
 * file; a directory gets x wherever the mode gives r. An owner who mounts
 * a grid-grid's view into a tenant's container so chooses who there may
 * read it (mode=0440,gid=N: only that group). The file system is
 * read-only: a remount that asks for rw, or changes an option, is
 * -EINVAL. Inode numbers are stable and the same in readdir and stat.
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
 *   sandboxes/<cgroup id>/ lease state (bound, killed, kill-failed) path
 *
 * A reader never holds up the control plane: the module copies what a
 * file shows while it holds its lock and does any cgroup work (a path)
 * after it has let go.
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

#define GRID_SHARE_CGROUP	0x1	/* ADD, SET: cgroup_fd is given */

/* How deep below the root a grid-grid's cgroup may be (the BPF side). */
#define GRID_GRIDGRID_LEVEL_MAX	15

struct grid_ioc_share {
	__u32	size;
	__u32	flags;			/* ADD, SET: GRID_SHARE_CGROUP; DEL: 0 */
	char	gridgrid[GRID_NAME_LEN];
	struct grid_limits limits;	/* ignored by DEL */
	__s32	cgroup_fd;		/* with GRID_SHARE_CGROUP */
	__u32	exhausted;		/* out, on -EDQUOT: grid_limits_attr */
};

#define GRID_IOC_SHARE_SIZE_VER0	120
#define GRID_IOC_SHARE_SIZE_VER1	128

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
	__u32	exhausted;		/* out, on -EDQUOT: grid_limits_attr */
	__u32	reserved;		/* must be 0 */
};

#define GRID_IOC_LEASE_SIZE_VER0	232
#define GRID_IOC_LEASE_SIZE_VER1	240

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
	__u64	cpu_usage_us;		/* its lease cgroup's cpu.stat usage_usec */
	__u64	memory_current;		/* its lease cgroup's memory.current */
	__u64	pids_current;		/* its lease cgroup's pids.current */
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
	__u32	error;			/* GET: out, errno of the last failed
					 * cgroup.freeze write, 0 once one works
					 */
	__u32	refreezes;		/* GET: out, thaws by others undone */
};

#define GRID_IOC_CPU_WATCH_SIZE_VER0	56
#define GRID_IOC_CPU_WATCH_SIZE_VER1	64

/*
 * The numbers encode the size of each struct as first published, and keep
 * it: a struct that grew (share, lease, cpu watch) is still reached by the
 * number its older callers use.
 */
#define GRID_IOC_V0(nr, size)	_IOC(_IOC_READ | _IOC_WRITE, GRID_IOC_MAGIC, (nr), (size))

#define GRID_IOC_VERSION	_IOWR(GRID_IOC_MAGIC, 0x00, struct grid_version)
#define GRID_IOC_STATUS		_IOWR(GRID_IOC_MAGIC, 0x01, struct grid_status)
#define GRID_IOC_GRID_ADD	_IOWR(GRID_IOC_MAGIC, 0x02, struct grid_ioc_grid)
#define GRID_IOC_GRID_SET	_IOWR(GRID_IOC_MAGIC, 0x03, struct grid_ioc_grid)
#define GRID_IOC_GRID_DEL	_IOWR(GRID_IOC_MAGIC, 0x04, struct grid_ioc_grid)
#define GRID_IOC_GRIDGRID_ADD	_IOWR(GRID_IOC_MAGIC, 0x05, struct grid_ioc_gridgrid)
#define GRID_IOC_GRIDGRID_SET	_IOWR(GRID_IOC_MAGIC, 0x06, struct grid_ioc_gridgrid)
#define GRID_IOC_GRIDGRID_DEL	_IOWR(GRID_IOC_MAGIC, 0x07, struct grid_ioc_gridgrid)
#define GRID_IOC_SHARE_ADD	GRID_IOC_V0(0x08, GRID_IOC_SHARE_SIZE_VER0)
#define GRID_IOC_SHARE_SET	GRID_IOC_V0(0x09, GRID_IOC_SHARE_SIZE_VER0)
#define GRID_IOC_SHARE_DEL	GRID_IOC_V0(0x0a, GRID_IOC_SHARE_SIZE_VER0)
#define GRID_IOC_PEER_ADD	_IOWR(GRID_IOC_MAGIC, 0x0b, struct grid_ioc_peer)
#define GRID_IOC_PEER_SET	_IOWR(GRID_IOC_MAGIC, 0x0c, struct grid_ioc_peer)
#define GRID_IOC_PEER_DEL	_IOWR(GRID_IOC_MAGIC, 0x0d, struct grid_ioc_peer)
#define GRID_IOC_LEASE_ADD	GRID_IOC_V0(0x0e, GRID_IOC_LEASE_SIZE_VER0)
#define GRID_IOC_LEASE_SET	GRID_IOC_V0(0x0f, GRID_IOC_LEASE_SIZE_VER0)
#define GRID_IOC_LEASE_DEL	_IOWR(GRID_IOC_MAGIC, 0x10, struct grid_ioc_lease_ref)
#define GRID_IOC_LEASE_REVOKE	_IOWR(GRID_IOC_MAGIC, 0x11, struct grid_ioc_lease_ref)
#define GRID_IOC_SANDBOX_BIND	_IOWR(GRID_IOC_MAGIC, 0x12, struct grid_ioc_sandbox)
#define GRID_IOC_SANDBOX_UNBIND	_IOWR(GRID_IOC_MAGIC, 0x13, struct grid_ioc_sandbox)
#define GRID_IOC_SELF		_IOWR(GRID_IOC_MAGIC, 0x14, struct grid_self)
#define GRID_IOC_CPU_WATCH	GRID_IOC_V0(0x15, GRID_IOC_CPU_WATCH_SIZE_VER0)
#define GRID_IOC_CPU_UNWATCH	GRID_IOC_V0(0x16, GRID_IOC_CPU_WATCH_SIZE_VER0)
#define GRID_IOC_CPU_WATCH_GET	GRID_IOC_V0(0x17, GRID_IOC_CPU_WATCH_SIZE_VER0)

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
 *		GRID_STATUS_A_GENERATION	u64, the current generation
 *
 * GRID_CMD_GET_GRID, GRID_CMD_GET_GRIDGRID, GRID_CMD_GET_PEER,
 * GRID_CMD_GET_LEASE, GRID_CMD_GET_SANDBOX
 *	With NLM_F_DUMP: every object of the kind, one message each, in
 *	creation order. A dump always finishes, however fast objects change:
 *	each part resumes after the last object sent (found by its creation
 *	number, not by a walk from the head), every object that lives from
 *	the dump's start to its end is sent exactly once, each as it was when
 *	its message was made, and one made during the dump is sent too.
 *	Nothing is marked NLM_F_DUMP_INTR. Each object carries GEN, the
 *	generation of its last change; GRID_STATUS_A_GENERATION is the
 *	current one. A reader that wants a consistent view joins "events"
 *	first, then dumps, and then applies the events whose generation is
 *	above the object's. Without NLM_F_DUMP: the one object the request's
 *	key attribute names
 *	(GRID_GRID_A_NAME, GRID_GRIDGRID_A_NAME, GRID_PEER_A_KEY,
 *	GRID_LEASE_A_ID, GRID_SANDBOX_A_CGROUP_ID): -ENOENT if there is
 *	no such object, -EINVAL (with extack) if the key is missing.
 *	A dump of leases or sandboxes may be narrowed to one grid-grid with
 *	GRID_LEASE_A_GRIDGRID / GRID_SANDBOX_A_GRIDGRID (an unknown one
 *	gives an empty dump).
 *
 *	grid:      NAME string, KEY binary[32], PARENT string (if any), GEN
 *	gridgrid:  NAME, CHARTER_KEY binary[32], SHARE nest (grid_limits_attr,
 *	           if a share is set), USED nest (the sum over live leases),
 *	           LEASES u32, PEERS u32, SANDBOXES u32, CGROUP_ID u64 (the
 *	           share's cgroup, if one is recorded), GEN
 *	peer:      KEY, NAME, GRIDGRIDS nest of GRID_PEER_A_GRIDGRID strings,
 *	           GEN
 *	lease:     ID u64, SERIAL u64, ISSUER, HOLDER binary[32], GRIDGRID,
 *	           LIMITS nest, NOT_BEFORE, NOT_AFTER s64 ns, STATE u32
 *	           (enum grid_lease_state), BLOB binary, SANDBOXES u32, GEN
 *	sandbox:   CGROUP_ID u64, LEASE_ID u64, GRIDGRID, STATE u32
 *	           (enum grid_sandbox_state), PATH string (in the caller's
 *	           cgroup namespace, if visible), LEASE_CGROUP_ID u64, ERROR
 *	           u32 (the errno of the last failed kill, while
 *	           KILL_FAILED), KILL_TRIES u32, GEN
 *	GEN is a u64 in every kind.
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
 * GRID_EVENT_A_RESOURCE (a grid_limits_attr, for SHARE_EXHAUSTED),
 * GRID_EVENT_A_NAME (a grid's name), GRID_EVENT_A_KEY (a peer's key),
 * GRID_EVENT_A_ERROR (a positive errno, for the failures).
 *
 * Every event about the object model carries GRID_EVENT_A_GENERATION,
 * the generation its change made (the GEN its object now shows; for a
 * deletion, the generation of the deletion). Generations only grow, and
 * every change of an object makes a new one, so a reader that lost
 * events (ENOBUFS on its socket) dumps again and drops the events whose
 * generation is not above the objects'. The CPU events, from the
 * budget's own timer, carry none.
 *
 *	LEASE_GRANTED	a lease was admitted (ADD)
 *	LEASE_EXPIRED	its not_after passed; its sandboxes were killed
 *	LEASE_REVOKED	GRID_IOC_LEASE_REVOKE; its sandboxes were killed
 *	SANDBOX_BOUND	a cgroup was bound to a lease (or rebound)
 *	SANDBOX_KILLED	the tasks of a sandbox were killed
 *	SHARE_EXHAUSTED	a lease was refused: the share has no room left for
 *			the resource named
 *	CPU_BUDGET_SPENT	a watched grid-grid (CGROUP_ID) spent its CPU
 *			budget and was frozen (or frozen again, after
 *			someone thawed it)
 *	CPU_BUDGET_RENEWED	it was thawed: a new period, or the budget was
 *			raised or removed
 *	LEASE_ACTIVE	a pending lease reached not_before
 *	LEASE_CHANGED	GRID_IOC_LEASE_SET
 *	LEASE_DELETED	GRID_IOC_LEASE_DEL
 *	SANDBOX_UNBOUND	GRID_IOC_SANDBOX_UNBIND
 *	SANDBOX_KILL_FAILED	writing cgroup.kill failed (ERROR); it is
 *			retried, and SANDBOX_KILLED follows when it works
 *	SHARE_ADDED, SHARE_CHANGED, SHARE_DELETED	(GRIDGRID)
 *	PEER_ADDED, PEER_CHANGED, PEER_DELETED		(KEY)
 *	GRID_ADDED, GRID_CHANGED, GRID_DELETED		(NAME)
 *	GRIDGRID_ADDED, GRIDGRID_CHANGED, GRIDGRID_DELETED	(GRIDGRID)
 *	CPU_FREEZE_FAILED	writing a watched grid-grid's cgroup.freeze
 *			failed (CGROUP_ID, ERROR); it is retried
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
	GRID_STATUS_A_GENERATION,	/* u64 */

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
	GRID_GRID_A_PAD,
	GRID_GRID_A_GEN,

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
	GRID_GRIDGRID_A_PAD,
	GRID_GRIDGRID_A_CGROUP_ID,
	GRID_GRIDGRID_A_GEN,

	__GRID_GRIDGRID_A_LAST
};

#define GRID_GRIDGRID_A_MAX (__GRID_GRIDGRID_A_LAST - 1)

enum grid_peer_attr {
	GRID_PEER_A_UNSPEC,
	GRID_PEER_A_KEY,
	GRID_PEER_A_NAME,
	GRID_PEER_A_GRIDGRIDS,
	GRID_PEER_A_GRIDGRID,		/* inside GRIDGRIDS */
	GRID_PEER_A_PAD,
	GRID_PEER_A_GEN,

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
	GRID_LEASE_A_GEN,

	__GRID_LEASE_A_LAST
};

#define GRID_LEASE_A_MAX (__GRID_LEASE_A_LAST - 1)

enum grid_sandbox_state {
	GRID_SANDBOX_BOUND,
	GRID_SANDBOX_KILLED,	/* its lease ended; its tasks were killed */
	GRID_SANDBOX_KILL_FAILED,	/* its lease ended; the kill is retried */
};

enum grid_sandbox_attr {
	GRID_SANDBOX_A_UNSPEC,
	GRID_SANDBOX_A_PAD,
	GRID_SANDBOX_A_CGROUP_ID,
	GRID_SANDBOX_A_LEASE_ID,
	GRID_SANDBOX_A_GRIDGRID,
	GRID_SANDBOX_A_STATE,
	GRID_SANDBOX_A_PATH,
	GRID_SANDBOX_A_LEASE_CGROUP_ID,
	GRID_SANDBOX_A_ERROR,
	GRID_SANDBOX_A_KILL_TRIES,
	GRID_SANDBOX_A_GEN,

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
	GRID_EVENT_LEASE_ACTIVE,
	GRID_EVENT_LEASE_CHANGED,
	GRID_EVENT_LEASE_DELETED,
	GRID_EVENT_SANDBOX_UNBOUND,
	GRID_EVENT_SANDBOX_KILL_FAILED,
	GRID_EVENT_SHARE_ADDED,
	GRID_EVENT_SHARE_CHANGED,
	GRID_EVENT_SHARE_DELETED,
	GRID_EVENT_PEER_ADDED,
	GRID_EVENT_PEER_CHANGED,
	GRID_EVENT_PEER_DELETED,
	GRID_EVENT_GRID_ADDED,
	GRID_EVENT_GRID_CHANGED,
	GRID_EVENT_GRID_DELETED,
	GRID_EVENT_GRIDGRID_ADDED,
	GRID_EVENT_GRIDGRID_CHANGED,
	GRID_EVENT_GRIDGRID_DELETED,
	GRID_EVENT_CPU_FREEZE_FAILED,
};

enum grid_event_attr {
	GRID_EVENT_A_UNSPEC,
	GRID_EVENT_A_PAD,
	GRID_EVENT_A_TYPE,		/* u32, enum grid_event */
	GRID_EVENT_A_LEASE_ID,		/* u64 */
	GRID_EVENT_A_CGROUP_ID,		/* u64 */
	GRID_EVENT_A_GRIDGRID,		/* string */
	GRID_EVENT_A_RESOURCE,		/* u32, enum grid_limits_attr */
	GRID_EVENT_A_GENERATION,	/* u64 */
	GRID_EVENT_A_ERROR,		/* u32, a positive errno */
	GRID_EVENT_A_NAME,		/* string, a grid's name */
	GRID_EVENT_A_KEY,		/* binary[32], a peer's key */

	__GRID_EVENT_A_LAST
};

#define GRID_EVENT_A_MAX (__GRID_EVENT_A_LAST - 1)

#endif /* _UAPI_LINUX_GRID_H */
