// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/grid ioctls: every success path and every error path of the
 * extensible-struct rules in the uapi header. Runs in the VM as root with
 * grid.ko loaded.
 */
#define UNIT_SUITE "vm/ioctl"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/grid.h>

#include "unit.h"
#include "caps.h"
#include "dev.h"

static int fd = -1;

/* An ioctl's errno, or 0 on success. */
static int ioc(unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

static struct grid_status status_now(void)
{
	struct grid_status st;

	if (grid_dev_status(fd, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

TEST(device_is_a_root_owned_char_device_with_mode_0666)
{
	struct stat s;

	CHECK(stat(GRID_DEV_PATH, &s) == 0);
	CHECK(S_ISCHR(s.st_mode));
	CHECK((s.st_mode & 07777) == 0666);
	CHECK(s.st_uid == 0 && s.st_gid == 0);
}

TEST(version_reports_the_abi_and_a_release)
{
	struct grid_version v = { .size = sizeof(v) };

	CHECK(ioc(GRID_IOC_VERSION, &v) == 0);
	CHECK(v.abi == GRID_ABI_VERSION);
	CHECK(v.size == GRID_VERSION_SIZE_VER0);
	CHECK(v.release[0] != '\0');
	CHECK(memchr(v.release, '\0', sizeof(v.release)));
}

TEST(a_size_below_the_first_published_size_is_einval)
{
	struct grid_version v = { .size = GRID_VERSION_SIZE_VER0 - 1 };
	struct grid_status st = { .size = 4 };

	CHECK(ioc(GRID_IOC_VERSION, &v) == EINVAL);
	v.size = 0;
	CHECK(ioc(GRID_IOC_VERSION, &v) == EINVAL);
	CHECK(ioc(GRID_IOC_STATUS, &st) == EINVAL);
}

TEST(a_size_over_4096_is_e2big)
{
	static unsigned char big[8192];

	memset(big, 0, sizeof(big));
	*(__u32 *)big = GRID_IOC_SIZE_MAX + 1;
	CHECK(ioc(GRID_IOC_VERSION, big) == E2BIG);
	*(__u32 *)big = 0xffffffff;
	CHECK(ioc(GRID_IOC_STATUS, big) == E2BIG);
}

TEST(a_larger_struct_with_nonzero_unknown_bytes_is_e2big)
{
	unsigned char buf[128] = { 0 };

	*(__u32 *)buf = sizeof(buf);
	buf[GRID_VERSION_SIZE_VER0 + 5] = 1;
	CHECK(ioc(GRID_IOC_VERSION, buf) == E2BIG);
	buf[GRID_VERSION_SIZE_VER0 + 5] = 0;
	buf[sizeof(buf) - 1] = 0x80;
	*(__u32 *)buf = sizeof(buf);
	CHECK(ioc(GRID_IOC_STATUS, buf) == E2BIG);
}

TEST(a_larger_struct_with_zero_unknown_bytes_works_and_learns_the_kernel_size)
{
	unsigned char buf[200];
	struct grid_version *v = (void *)buf;

	memset(buf, 0, sizeof(buf));
	v->size = sizeof(buf);
	CHECK(ioc(GRID_IOC_VERSION, buf) == 0);
	CHECK(v->size == GRID_VERSION_SIZE_VER0);
	CHECK(v->abi == GRID_ABI_VERSION);
	/* Nothing is written past the kernel's struct. */
	for (size_t i = GRID_VERSION_SIZE_VER0; i < sizeof(buf); i++)
		CHECK(buf[i] == 0);
}

TEST(status_with_nonzero_flags_is_einval)
{
	struct grid_status st = { .size = sizeof(st), .flags = 1 };

	CHECK(ioc(GRID_IOC_STATUS, &st) == EINVAL);
	st.flags = 0x80000000u;
	CHECK(ioc(GRID_IOC_STATUS, &st) == EINVAL);
}

TEST(an_unknown_ioctl_number_is_enotty)
{
	struct grid_version v = { .size = sizeof(v) };

	CHECK(ioc(_IOWR(GRID_IOC_MAGIC, 0x7f, struct grid_version), &v) == ENOTTY);
	/* One past the last ioctl of the header. */
	CHECK(ioc(_IOWR(GRID_IOC_MAGIC, _IOC_NR(GRID_IOC_CPU_WATCH_GET) + 1,
			 struct grid_version), &v) == ENOTTY);
}

TEST(another_ioctl_type_or_direction_is_enotty)
{
	struct grid_version v = { .size = sizeof(v) };

	CHECK(ioc(_IOWR('x', 0x00, struct grid_version), &v) == ENOTTY);
	CHECK(ioc(_IOR(GRID_IOC_MAGIC, 0x00, struct grid_version), &v) == ENOTTY);
	CHECK(ioc(_IOW(GRID_IOC_MAGIC, 0x01, struct grid_status), &v) == ENOTTY);
	CHECK(ioc(_IO(GRID_IOC_MAGIC, 0x00), &v) == ENOTTY);
	CHECK(ioc(FIONREAD, &v) == ENOTTY);
}

TEST(a_bad_pointer_is_efault)
{
	CHECK(ioc(GRID_IOC_VERSION, NULL) == EFAULT);
	CHECK(ioc(GRID_IOC_STATUS, (void *)16) == EFAULT);
}

TEST(status_counts_every_open_handle)
{
	struct grid_status a, b, c;
	int fd2;

	a = status_now();
	CHECK(a.size == GRID_STATUS_SIZE_VER0);
	CHECK(a.handles >= 1);
	fd2 = open(GRID_DEV_PATH, O_RDWR | O_CLOEXEC);
	CHECK(fd2 >= 0);
	b = status_now();
	close(fd2);
	c = status_now();
	CHECK(b.handles == a.handles + 1);
	CHECK(c.handles == a.handles);
}

TEST(failed_calls_change_nothing)
{
	struct grid_status before = status_now(), after;
	struct grid_status st = { .size = sizeof(st), .flags = 2 };

	CHECK(ioc(GRID_IOC_STATUS, &st) == EINVAL);
	CHECK(ioc(GRID_IOC_VERSION, NULL) == EFAULT);
	after = status_now();
	CHECK(!memcmp(&before, &after, sizeof(before)));
}

static bool status_is_eperm_and_version_still_works(void)
{
	struct grid_status st = { .size = sizeof(st) };
	struct grid_version v = { .size = sizeof(v) };

	return ioc(GRID_IOC_STATUS, &st) == EPERM &&
	       ioc(GRID_IOC_VERSION, &v) == 0 && v.abi == GRID_ABI_VERSION;
}

TEST(status_without_cap_sys_admin_is_eperm)
{
	CHECK(in_child(drop_cap_sys_admin,
		       status_is_eperm_and_version_still_works));
}

/* Its own handle: the one it inherited was opened by root. */
static bool opens_but_only_version_answers(void)
{
	struct grid_status st = { .size = sizeof(st) };
	struct grid_version v = { .size = sizeof(v) };
	int own = open(GRID_DEV_PATH, O_RDWR | O_CLOEXEC);
	bool ok;

	if (own < 0)
		return false;
	ok = ioctl(own, GRID_IOC_STATUS, &st) < 0 && errno == EPERM &&
	     !ioctl(own, GRID_IOC_VERSION, &v) && v.abi == GRID_ABI_VERSION;
	close(own);
	return ok;
}

/* Anyone opens it (0666, as a job's sandbox must); each ioctl says who may. */
TEST(an_unprivileged_user_opens_it_and_may_ask_only_the_version)
{
	CHECK(in_child(become_nobody, opens_but_only_version_answers));
}

__attribute__((constructor(101))) static void open_device(void)
{
	fd = open(GRID_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("grid_ioctl_test: " GRID_DEV_PATH);
		exit(1);
	}
}
