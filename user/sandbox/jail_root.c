// SPDX-License-Identifier: GPL-2.0
/*
 * The job's root, built by the child in its own user and mount namespaces.
 *
 * As bubblewrap does, the root is a fresh tmpfs with folders of the
 * chosen tree bound into it, so that the mount points the job needs
 * (/work, /grid, /tmp) exist whatever that tree holds, and what the job
 * must not see is never there to be uncovered. Of the host's own root
 * only the folders of programs are shown (/usr, /bin, /lib..., /etc,
 * /opt); of a tree made for jobs, everything at its top but the mount
 * points of the job's own (/proc, /dev, /tmp, /work...). In either,
 * /etc/grid (gridd's settings) is covered by an empty folder. The whole
 * of it is then made read-only, nosuid and nodev in one step
 * (mount_setattr, AT_RECURSIVE), and the writable parts are mounted on
 * top: the work dir, a size-limited /tmp, a new /proc for the job's pid
 * namespace and a minimal /dev.
 *
 * Entering it is pivot_root(); where the current root is the initramfs
 * (the test VM), which pivot_root() refuses, the new root is moved over
 * the old one and entered with chroot(), as switch_root does, and only
 * there. The job drops every capability before it runs, so it cannot
 * chroot() back out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail.h"

/* A sentence in err, and the errno of the step that failed. */
#define ERR(...) ({ int e_ = errno ?: EIO; snprintf(err, len, __VA_ARGS__); -e_; })

/*
 * What a tree made for jobs may hold at its top and the job does not see:
 * its own /proc, /dev, /tmp, /work take those places, and the rest is a
 * host's, copied into the tree by mistake.
 */
static const char *const hidden[] = {
	"proc", "sys", "dev", "run", "tmp", "home", "root", "mnt", "media",
	"boot", "lost+found", "work",
};

/* The device files a program expects, bound from the host's /dev. */
static const char *const devices[] = {
	"null", "zero", "full", "random", "urandom", "tty",
};

static bool is_hidden(const char *name, const struct grid_jail *j)
{
	size_t i;

	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (!strcmp(name, hidden[i]))
			return true;
	/* The gridfs takes /grid's place. */
	return j->gridfs && !strcmp(name, "grid");
}

static int set_attr(const char *path, unsigned int flags, __u64 set)
{
	struct mount_attr a = { .attr_set = set };

	return syscall(SYS_mount_setattr, AT_FDCWD, path, flags, &a, sizeof(a)) ? -errno : 0;
}

/* A file to bind a file onto (mount points must exist). */
static int touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * @name in the folder @dfd, shown at the same name in the job's root (the
 * current directory): a folder bound with everything mounted below it, a
 * symbolic link made again with the same text (never followed: it is
 * read in the job's root), anything else left out. The bind is of what
 * open_tree() found, decided by fstat() on it: a name swapped for a link
 * after it was looked at cannot redirect it, as it could a check by path
 * and a mount(2) by path. syscall(), as for mount_setattr: glibc's
 * wrappers are only as old as 2.36.
 */
static int show(int dfd, const char *name, char *err, size_t len)
{
	char link[4096];
	struct stat st;
	ssize_t n;
	int fd, ret = 0;

	fd = syscall(SYS_open_tree, dfd, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
		     AT_RECURSIVE | AT_SYMLINK_NOFOLLOW);
	if (fd < 0) {
		/* Not there (lib32, libx32 on most hosts), or gone since. */
		if (errno == ENOENT)
			return 0;
		return ERR("cannot show /%s in the job's root: %s", name, strerror(errno));
	}
	if (fstat(fd, &st)) {
		ret = ERR("cannot show /%s in the job's root: %s", name, strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		if (mkdir(name, 0755) && errno != EEXIST)
			ret = ERR("cannot make /%s in the job's root: %s", name,
				  strerror(errno));
		else if (syscall(SYS_move_mount, fd, "", AT_FDCWD, name,
				 MOVE_MOUNT_F_EMPTY_PATH))
			ret = ERR("cannot show /%s in the job's root: %s", name,
				  strerror(errno));
	} else if (S_ISLNK(st.st_mode)) {
		/* The link open_tree() found, by its descriptor, not its name. */
		n = readlinkat(fd, "", link, sizeof(link) - 1);
		if (n < 0) {
			ret = ERR("cannot read /%s: %s", name, strerror(errno));
		} else {
			link[n] = '\0';
			if (symlink(link, name))
				ret = ERR("cannot make /%s in the job's root: %s", name,
					  strerror(errno));
		}
	}
	/* Files at the top of a root are not a program's business. */
	close(fd);
	return ret;
}

/*
 * The host's own root: the folders of programs and their settings, and
 * nothing else. Everything else at its top (/var with gridd's state and
 * keys below it and the sockets of the host's daemons, /srv, /grid, a
 * folder some package or admin made) is left out, not listed away, since
 * no deny list can know what a host keeps at its top.
 */
static int show_host(int dfd, char *err, size_t len)
{
	static const char *const shown[] = {
		"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "opt",
	};
	size_t i;
	int ret = 0;

	for (i = 0; i < sizeof(shown) / sizeof(shown[0]) && !ret; i++)
		ret = show(dfd, shown[i], err, len);
	return ret;
}

/*
 * A tree made for jobs: each of its top-level entries but the hidden. Read
 * with getdents64(), not opendir(): the clone's child must not malloc()
 * (it is a copy of a process whose other threads may hold the allocator's
 * locks).
 */
static int show_tree(const struct grid_jail *j, int dfd, char *err, size_t len)
{
	char buf[4096] __attribute__((aligned(8)));
	struct dirent64 *d;
	ssize_t n, off;
	int ret = 0;

	while (!ret && (n = getdents64(dfd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n && !ret; off += d->d_reclen) {
			d = (struct dirent64 *)(buf + off);
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
			    is_hidden(d->d_name, j))
				continue;
			ret = show(dfd, d->d_name, err, len);
		}
	}
	if (!ret && n < 0)
		ret = ERR("cannot read the job's root %s: %s", j->root, strerror(errno));
	return ret;
}

/* The tree the job sees as /, shown in the job's root (the current directory). */
static int show_root(const struct grid_jail *j, char *err, size_t len)
{
	bool host = !j->root || !strcmp(j->root, "/");
	const char *from = host ? "/" : j->root;
	int dfd, ret;

	dfd = open(from, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return ERR("cannot open the job's root %s: %s", from, strerror(errno));
	ret = host ? show_host(dfd, err, len) : show_tree(j, dfd, err, len);
	close(dfd);
	return ret;
}

/*
 * The host's /etc is shown, and /etc/grid in it holds gridd's settings:
 * its peers, its policy, what it provides. No job reads them, nor those
 * a tree made for jobs may hold there. An empty read-only tmpfs covers
 * the folder the job would find at /etc/grid, looked up as the job will
 * look it up: symbolic links followed inside the job's root
 * (RESOLVE_IN_ROOT), never out of it. The tmpfs is made with the new
 * mount API and moved onto the descriptor of what was looked up, so
 * that what is covered is what was found. The job cannot take it off:
 * it holds no capabilities, and its filter refuses every mount call.
 */
static int hide_grid_etc(char *err, size_t len)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;
	int dfd, fs = -1, mnt = -1, ret = 0;

	dfd = syscall(SYS_openat2, AT_FDCWD, "etc/grid", &how, sizeof(how));
	/* None there, or no folder etc to hold one: nothing to hide. */
	if (dfd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 :
		       ERR("cannot look up /etc/grid in the job's root: %s", strerror(errno));
	if (fstat(dfd, &st)) {
		ret = ERR("cannot look up /etc/grid in the job's root: %s", strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		/* Not a folder the tmpfs could cover: the job is not started. */
		errno = ENOTDIR;
		ret = ERR("/etc/grid in the job's root is not a folder, and cannot be hidden");
		goto out;
	}
	fs = syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0 ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "size", "4k", 0) ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", "0755", 0) ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0)) {
		ret = ERR("cannot make the tmpfs that hides /etc/grid: %s", strerror(errno));
		goto out;
	}
	mnt = syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY |
		      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	if (mnt < 0 ||
	    syscall(SYS_move_mount, mnt, "", dfd, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH))
		ret = ERR("cannot hide /etc/grid from the job: %s", strerror(errno));
out:
	if (mnt >= 0)
		close(mnt);
	if (fs >= 0)
		close(fs);
	close(dfd);
	return ret;
}

/* In the job's root, the current directory. */
static int make_dev(const struct grid_jail *j, char *err, size_t len)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };
	char p[64], src[64];
	size_t i;

	if (mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k"))
		return ERR("cannot mount the job's /dev: %s", strerror(errno));
	for (i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		snprintf(p, sizeof(p), "dev/%s", devices[i]);
		snprintf(src, sizeof(src), "/dev/%s", devices[i]);
		if (touch(p) || mount(src, p, NULL, MS_BIND, NULL))
			return ERR("cannot give the job %s: %s", src, strerror(errno));
	}
	if (j->devgrid) {
		if (touch("dev/grid") || mount(j->devgrid, "dev/grid", NULL, MS_BIND, NULL))
			return ERR("cannot give the job /dev/grid: %s", strerror(errno));
	}
	/*
	 * Its own instance, of 64 terminals at most: the host's limit
	 * (kernel.pty.max) is shared by every instance, and a job could
	 * otherwise open them all.
	 */
	if (mkdir("dev/pts", 0755) ||
	    mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620,max=64"))
		return ERR("cannot mount the job's /dev/pts: %s", strerror(errno));
	if (mkdir("dev/shm", 01777))
		return ERR("cannot make the job's /dev/shm: %s", strerror(errno));
	if (symlink("pts/ptmx", "dev/ptmx"))
		return ERR("cannot make the job's /dev/ptmx: %s", strerror(errno));
	if (symlink("/proc/self/fd", "dev/fd"))
		return ERR("cannot make the job's /dev/fd: %s", strerror(errno));
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "dev/%s", names[i]);
		snprintf(src, sizeof(src), "/proc/self/fd/%zu", i);
		if (symlink(src, p))
			return ERR("cannot make the job's /dev/%s: %s", names[i],
				   strerror(errno));
	}
	return 0;
}

/*
 * Whether the mount of id @id is the kernel's rootfs, by the line of
 * /proc/self/mountinfo that starts with it ("ID PARENT MAJ:MIN ROOT
 * MOUNTPOINT OPTIONS [TAGS...] - FSTYPE ..."). Read in pieces into a
 * buffer of its own: no stdio, which would malloc() in the clone's child.
 */
static bool is_rootfs(unsigned long long id)
{
	char buf[4096], *line, *nl, *end, *sep;
	bool rootfs = false;
	size_t have = 0;
	ssize_t n;
	int fd;

	fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	while ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += n;
		buf[have] = '\0';
		for (line = buf; (nl = strchr(line, '\n')); line = nl + 1) {
			*nl = '\0';
			if (strtoull(line, &end, 10) == id && *end == ' ') {
				sep = strstr(end, " - ");
				rootfs = sep && !strncmp(sep + 3, "rootfs ", 7);
				goto out;
			}
		}
		have -= line - buf;
		memmove(buf, line, have);
		/* A line longer than the buffer is not a rootfs line: skipped. */
		if (have == sizeof(buf) - 1)
			have = 0;
	}
out:
	close(fd);
	return rootfs;
}

/*
 * pivot_root() says EINVAL where the current root is the initramfs: the
 * rootfs mount, a ramfs or tmpfs at the bottom of the mount namespace,
 * with no parent to be moved below. Only there is chroot() the way in, as
 * switch_root does: that root cannot be let go of anyway. Elsewhere
 * EINVAL is a root the sandbox does not know (a folder rather than a
 * mount's root, one no longer in the namespace), and a chroot() there
 * would keep whatever the host has around it below the job's root.
 */
static bool root_is_initramfs(void)
{
	struct statx stx;
	struct statfs sfs;

	if (statfs("/", &sfs) ||
	    (sfs.f_type != RAMFS_MAGIC && sfs.f_type != TMPFS_MAGIC))
		return false;
	if (statx(AT_FDCWD, "/", AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) ||
	    !(stx.stx_mask & STATX_MNT_ID) ||
	    !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
	    !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return false;
	return is_rootfs(stx.stx_mnt_id);
}

/* The job's root is the current directory. */
static int enter(char *err, size_t len)
{
	if (!syscall(SYS_pivot_root, ".", ".")) {
		/* The old root is stacked on the new one: let it go. */
		if (umount2(".", MNT_DETACH))
			return ERR("cannot let go of the host's root: %s", strerror(errno));
	} else if (errno == EINVAL) {
		if (!root_is_initramfs()) {
			errno = EINVAL;
			return ERR("cannot enter the job's root: pivot_root() refuses, and the "
				   "root is not the initramfs, where chroot() would do instead");
		}
		if (mount(".", "/", NULL, MS_MOVE, NULL) || chroot("."))
			return ERR("cannot enter the job's root: %s", strerror(errno));
	} else {
		return ERR("cannot enter the job's root: %s", strerror(errno));
	}
	if (chdir("/"))
		return ERR("cannot enter the job's root: %s", strerror(errno));
	return 0;
}

int grid_jail_enter(const struct grid_jail *j, char *err, size_t len)
{
	static const char *const points[] = { "proc", "dev", "tmp", "work" };
	/* No folder named: the one open at dir_fd, the child's cwd (jail.c). */
	const char *dir = j->dir ? j->dir : ".";
	char root[4096], work[4096], opt[64];
	int ret, work_fd;
	size_t i;

	if (snprintf(root, sizeof(root), "%s/root", dir) >= (int)sizeof(root) ||
	    snprintf(work, sizeof(work), "%s/work", dir) >= (int)sizeof(work)) {
		errno = ENAMETOOLONG;
		return ERR("the job's folder %s has too long a name", dir);
	}
	/* Nothing the job mounts travels back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return ERR("cannot make the job's mounts private: %s", strerror(errno));
	/* Taken now: the paths below are the job's root's, and @work may be relative. */
	work_fd = syscall(SYS_open_tree, AT_FDCWD, work, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			  AT_SYMLINK_NOFOLLOW);
	if (work_fd < 0)
		return ERR("cannot take the job's work dir: %s", strerror(errno));
	if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m"))
		return ERR("cannot mount the job's root: %s", strerror(errno));
	/* From here on, paths are the job's root's, relative. */
	if (chdir(root))
		return ERR("cannot enter the job's root: %s", strerror(errno));
	ret = show_root(j, err, len);
	if (!ret)
		ret = hide_grid_etc(err, len);
	if (ret)
		return ret;
	for (i = 0; i < sizeof(points) / sizeof(points[0]); i++)
		if (mkdir(points[i], 0755) && errno != EEXIST)
			return ERR("cannot make /%s in the job's root: %s", points[i],
				   strerror(errno));
	if (j->gridfs && ((mkdir("grid", 0755) && errno != EEXIST) ||
			  mount(j->gridfs, "grid", NULL, MS_BIND, NULL)))
		return ERR("cannot show the grid-grid's gridfs at /grid: %s", strerror(errno));
	/* All of it read-only: what follows is what the job may write. */
	if (set_attr(".", AT_RECURSIVE, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
		     MOUNT_ATTR_NODEV))
		return ERR("cannot make the job's root read-only: %s", strerror(errno));
	if (syscall(SYS_move_mount, work_fd, "", AT_FDCWD, "work", MOVE_MOUNT_F_EMPTY_PATH) ||
	    set_attr("work", 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV))
		return ERR("cannot give the job its work dir: %s", strerror(errno));
	snprintf(opt, sizeof(opt), "mode=1777,size=%llu",
		 (unsigned long long)(j->tmp_bytes ? j->tmp_bytes : 16 << 20));
	if (mount("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, opt))
		return ERR("cannot mount the job's /tmp: %s", strerror(errno));
	if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return ERR("cannot mount the job's /proc: %s", strerror(errno));
	ret = make_dev(j, err, len);
	if (ret)
		return ret;
	if (set_attr("dev", 0, MOUNT_ATTR_RDONLY))
		return ERR("cannot make the job's /dev read-only: %s", strerror(errno));
	if (mount("tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=1777,size=1m"))
		return ERR("cannot mount the job's /dev/shm: %s", strerror(errno));
	return enter(err, len);
}
