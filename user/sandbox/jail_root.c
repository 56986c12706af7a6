// SPDX-License-Identifier: GPL-2.0
/*
 * The job's root, built by the child in its own user and mount namespaces.
 *
 * As bubblewrap does, the root is a fresh tmpfs with the chosen tree's
 * top-level folders bound into it, so that the mount points the job
 * needs (/work, /grid, /tmp) exist whatever that tree holds, and what the
 * job must not see of the host (/proc, /sys, /dev, /run, /home, /root,
 * /tmp, /mnt, /media, /boot) is never there to be uncovered. The whole
 * of it is then made read-only, nosuid and nodev in one step
 * (mount_setattr, AT_RECURSIVE), and the writable parts are mounted on
 * top: the work dir, a size-limited /tmp, a new /proc for the job's pid
 * namespace and a minimal /dev.
 *
 * Entering it is pivot_root(); where the current root is the initramfs
 * (the test VM), which pivot_root() refuses, the new root is moved over
 * the old one and entered with chroot(), as switch_root does. The job
 * drops every capability before it runs, so it cannot chroot() back out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "jail.h"

/* A sentence in err, and the errno of the step that failed. */
#define ERR(...) ({ int e_ = errno ?: EIO; snprintf(err, len, __VA_ARGS__); -e_; })

/* Host folders the job does not see, whatever the root it is given. */
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

/* Each top-level entry of @from, bound (folders) or copied (links). */
/* ... into the job's root, the current directory. */
static int bind_tops(const struct grid_jail *j, const char *from, char *err, size_t len)
{
	char src[4096], link[4096];
	const char *dst;
	struct dirent *d;
	struct stat st;
	ssize_t n;
	DIR *dir;
	int ret = 0;

	dir = opendir(from);
	if (!dir)
		return ERR("cannot read the job's root %s: %s", from, strerror(errno));
	while ((d = readdir(dir)) && !ret) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
		    is_hidden(d->d_name, j))
			continue;
		if (snprintf(src, sizeof(src), "%s/%s", strcmp(from, "/") ? from : "",
			     d->d_name) >= (int)sizeof(src))
			continue;
		dst = d->d_name;
		if (lstat(src, &st))
			continue;
		if (S_ISLNK(st.st_mode)) {
			n = readlink(src, link, sizeof(link) - 1);
			if (n < 0)
				continue;
			link[n] = '\0';
			if (symlink(link, dst))
				ret = ERR("cannot make %s in the job's root: %s", d->d_name,
					  strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			if (mkdir(dst, 0755) && errno != EEXIST)
				ret = ERR("cannot make /%s in the job's root: %s", d->d_name,
					  strerror(errno));
			else if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL))
				ret = ERR("cannot show %s in the job's root: %s", src,
					  strerror(errno));
		}
		/* Files at the top of a root are not a program's business. */
	}
	closedir(dir);
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
	if (mkdir("dev/pts", 0755) ||
	    mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		  "newinstance,ptmxmode=0666,mode=0620"))
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

/* The job's root is the current directory. */
static int enter(char *err, size_t len)
{
	if (!syscall(SYS_pivot_root, ".", ".")) {
		/* The old root is stacked on the new one: let it go. */
		if (umount2(".", MNT_DETACH))
			return ERR("cannot let go of the host's root: %s", strerror(errno));
	} else if (errno == EINVAL) {
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
	char root[4096], work[4096], opt[64];
	const char *from = j->root ? j->root : "/";
	size_t i;
	int ret;

	if (snprintf(root, sizeof(root), "%s/root", j->dir) >= (int)sizeof(root) ||
	    snprintf(work, sizeof(work), "%s/work", j->dir) >= (int)sizeof(work)) {
		errno = ENAMETOOLONG;
		return ERR("the job's folder %s has too long a name", j->dir);
	}
	/* Nothing the job mounts travels back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return ERR("cannot make the job's mounts private: %s", strerror(errno));
	if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m"))
		return ERR("cannot mount the job's root: %s", strerror(errno));
	/* From here on, paths are the job's root's, relative. */
	if (chdir(root))
		return ERR("cannot enter the job's root: %s", strerror(errno));
	ret = bind_tops(j, from, err, len);
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
	if (mount(work, "work", NULL, MS_BIND, NULL) ||
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
