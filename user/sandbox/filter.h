/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The syscall filter a job runs under, loaded by its init just before the
 * job's execve, after grid_privs_drop().
 *
 * A job runs arbitrary programs, so the filter is a deny list over an
 * ALLOW default: it takes away what reaches past the job's namespaces
 * (modules, kexec, BPF, perf, keyrings, mounts, swap, clocks, raw I/O
 * ports, file handles, new namespaces) and what the kernel has got wrong
 * before (TIOCSTI, line disciplines, userfaultfd, io_uring, the socket
 * families other than local, IP and netlink). Denied calls fail with
 * EPERM, clone3 with ENOSYS, a socket of another family with
 * EAFNOSUPPORT; a syscall made through any ABI other than the native one
 * kills the process. filter.c lists every rule and why.
 */
#ifndef GRID_FILTER_H
#define GRID_FILTER_H

/*
 * Loads the filter for the calling thread; it is inherited across fork and
 * kept across execve. The caller has set PR_SET_NO_NEW_PRIVS. 0 or -errno.
 */
int grid_filter_load(void);

/* Writes the same filter to @fd as classic BPF, for tests and inspection. */
int grid_filter_export(int fd);

#endif
