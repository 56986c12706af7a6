/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The job's privileges, dropped by its init just before the job's execve,
 * and before grid_filter_load().
 *
 * The init is root in the job's user namespace, with every capability in
 * it. Afterwards it holds none, in any set, can get none back from a file
 * or from uid 0 at execve, and cannot undo any of this. A new user
 * namespace would give a fresh full set again; the filter (filter.h)
 * denies making one.
 */
#ifndef GRID_PRIVS_H
#define GRID_PRIVS_H

/* Drops every capability of the calling thread for good. 0 or -errno. */
int grid_privs_drop(void);

#endif
