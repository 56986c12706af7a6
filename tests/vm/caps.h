/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers for the in-guest C tests: run a check with fewer privileges. */
#ifndef GRID_TEST_CAPS_H
#define GRID_TEST_CAPS_H

#include <stdbool.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

/* Removes CAP_SYS_ADMIN from this process's effective and permitted sets. */
static inline int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].permitted &= ~(1u << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].inheritable &= ~(1u << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

/*
 * Runs @fn in a child after @prepare (which lowers privileges); true if
 * both succeeded and @fn returned true.
 */
static inline bool in_child(int (*prepare)(void), bool (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return false;
	if (pid == 0)
		_exit(prepare() == 0 && fn() ? 0 : 1);
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static inline int become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
		return -1;
	return 0;
}

#endif
