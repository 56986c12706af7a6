// SPDX-License-Identifier: GPL-2.0
/*
 * grid-jobinit --probe: the isolation checks of gridctl selftest, run as
 * a job in a real sandbox (user/gridd/selftest.c starts it there, with
 * /proc/self/exe as its command, so that it is this program again, after
 * an exec, with exactly what any job has).
 *
 * One line each on stdout: "PASS name: sentence" or "FAIL name: sentence",
 * the sentence saying what was tried and what happened. A check tries
 * the thing a job must not manage, and passes when the kernel refuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/grid.h>

#include "probe.h"

static int failed;

static void say(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s: ", ok ? "PASS" : "FAIL", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	failed += !ok;
}

/* What a refused call said, for the sentence. */
static const char *refused(int ret)
{
	return ret < 0 ? strerror(errno) : "it worked";
}

static void host_processes(void)
{
	struct dirent *e;
	char comm[32] = "";
	int n = 0, fd;
	DIR *d = opendir("/proc");

	if (!d) {
		say(false, "host_processes", "no /proc to look in: %s", strerror(errno));
		return;
	}
	while ((e = readdir(d)))
		n += e->d_name[0] >= '1' && e->d_name[0] <= '9';
	closedir(d);
	fd = open("/proc/1/comm", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t k = read(fd, comm, sizeof(comm) - 1);

		comm[k > 0 ? k - 1 : 0] = '\0';
		close(fd);
	}
	say(n <= 2 && !strcmp(comm, "grid-jobinit"), "host_processes",
	    "sees %d processes, pid 1 is %s (the host's are not there)", n,
	    comm[0] ? comm : "unknown");
}

static void write_outside_work(void)
{
	static const char *const outside[] = { "/usr/.grid-probe", "/etc/.grid-probe",
					       "/.grid-probe" };
	bool ok = true;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
		fd = open(outside[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			unlink(outside[i]);
			say(false, "write_outside_work", "could create %s", outside[i]);
			return;
		}
	}
	fd = open("/work/.grid-probe", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ok = fd >= 0;
	if (ok) {
		close(fd);
		unlink("/work/.grid-probe");
	}
	say(ok, "write_outside_work", ok ? "/usr, /etc and / are read-only, /work is writable" :
	    "/work is not writable either: %s", strerror(errno));
}

static void capabilities(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct c[2] = { 0 };
	int cap, bounded = 0;

	if (syscall(SYS_capget, &h, c)) {
		say(false, "capabilities", "capget: %s", strerror(errno));
		return;
	}
	for (cap = 0; cap <= 63; cap++)
		bounded += prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1;
	say(!(c[0].effective | c[1].effective | c[0].permitted | c[1].permitted |
	      c[0].inheritable | c[1].inheritable) && !bounded &&
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1, "capabilities",
	    "effective %08x%08x, permitted %08x%08x, %d in the bounding set, no_new_privs %d",
	    c[1].effective, c[0].effective, c[1].permitted, c[0].permitted, bounded,
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

static void load_module(void)
{
	int a = syscall(SYS_init_module, NULL, 0, "");
	int ea = errno;
	int b = syscall(SYS_finit_module, 0, "", 0);
	int eb = errno;

	say(a < 0 && b < 0 && ea == EPERM && eb == EPERM, "load_module",
	    "init_module: %s, finit_module: %s", a < 0 ? strerror(ea) : "it worked",
	    b < 0 ? strerror(eb) : "it worked");
}

static void network(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53),
				  .sin_addr.s_addr = htonl(0x01010101) };
	int n = 0, fd, ret, raw;
	char names[128] = "";

	for (i = ifs; i && i->if_name; i++) {
		n++;
		if (strlen(names) + strlen(i->if_name) + 2 < sizeof(names)) {
			strcat(names, " ");
			strcat(names, i->if_name);
		}
	}
	if (ifs)
		if_freenameindex(ifs);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ret = fd >= 0 ? connect(fd, (struct sockaddr *)&sa, sizeof(sa)) : -1;
	if (fd >= 0)
		close(fd);
	raw = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (raw >= 0)
		close(raw);
	say(n == 1 && !strcmp(names, " lo") && ret < 0 && raw < 0, "network_none",
	    "links:%s; a connect to 1.1.1.1: %s; a packet socket: %s", names,
	    ret < 0 ? strerror(errno) : "it worked", raw < 0 ? "refused" : "it worked");
}

static void cgroup(void)
{
	char line[256] = "";
	int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC), ret;
	ssize_t k = fd >= 0 ? read(fd, line, sizeof(line) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (k > 0)
		line[strcspn(line, "\n")] = '\0';
	ret = mount("none", "/tmp", "cgroup2", 0, NULL);
	say(!strcmp(line, "0::/") && ret < 0 && access("/sys/fs/cgroup", F_OK), "leave_cgroup",
	    "its cgroup is %s, the cgroup tree is %s, mounting one: %s", line,
	    access("/sys/fs/cgroup", F_OK) ? "not there" : "there", refused(ret));
}

static void limits(void)
{
	struct rlimit r;
	int ret = -1, u;

	if (!getrlimit(RLIMIT_NPROC, &r) && r.rlim_max != RLIM_INFINITY) {
		r.rlim_max++;
		r.rlim_cur = r.rlim_max;
		ret = setrlimit(RLIMIT_NPROC, &r);
	} else {
		/* No hard limit to raise: a new user namespace is the way up. */
		ret = -1;
		errno = 0;
	}
	u = unshare(CLONE_NEWUSER | CLONE_NEWNS);
	say(ret < 0 && u < 0, "raise_limits",
	    "raising a hard rlimit: %s; a new user namespace: %s",
	    ret < 0 ? (errno ? strerror(errno) : "none to raise") : "it worked", refused(u));
}

static void devgrid(void)
{
	struct grid_status st = { .size = sizeof(st) };
	struct grid_self me = { .size = sizeof(me) };
	int fd = open("/dev/grid", O_RDWR | O_CLOEXEC), a, b, ea, eb;

	if (fd < 0) {
		say(errno == ENOENT, "devgrid_scoped", "no /dev/grid in the job: %s",
		    strerror(errno));
		return;
	}
	a = ioctl(fd, GRID_IOC_STATUS, &st);
	ea = errno;
	errno = 0;
	b = ioctl(fd, GRID_IOC_SELF, &me);
	eb = errno;
	close(fd);
	/* Status is the owner's; SELF answers, or says this probe has no lease. */
	say(a < 0 && ea == EPERM && (b == 0 || eb == ENOENT), "devgrid_scoped",
	    "GRID_IOC_STATUS: %s; GRID_IOC_SELF: %s", a < 0 ? strerror(ea) : "it worked",
	    b == 0 ? "answered" : strerror(eb));
}

static void devices(void)
{
	int a = mknod("/work/.grid-sda", S_IFBLK | 0600, makedev(8, 0));
	int ea = errno;
	int b = syscall(SYS_ptrace, PTRACE_ATTACH, 1, 0, 0);
	int eb = errno;
	char c = 'x';
	int t = ioctl(0, TIOCSTI, &c);

	if (!a)
		unlink("/work/.grid-sda");
	say(a < 0 && b < 0 && t < 0, "devices_and_tasks",
	    "mknod: %s; ptrace of pid 1: %s; TIOCSTI: %s", a < 0 ? strerror(ea) : "it worked",
	    b < 0 ? strerror(eb) : "it worked", t < 0 ? "refused" : "it worked");
}

int grid_probe_main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	host_processes();
	write_outside_work();
	capabilities();
	load_module();
	network();
	cgroup();
	limits();
	devgrid();
	devices();
	return failed ? 1 : 0;
}
