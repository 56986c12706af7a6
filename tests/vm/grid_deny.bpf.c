// SPDX-License-Identifier: GPL-2.0
/*
 * A fault the tests can turn on and off: a BPF LSM program that refuses
 * writes (security_file_permission, which kernel_write() calls too) to
 * the file named deny_name in the directory whose inode is deny_dir, so
 * that a write grid.ko makes to a file it holds open (a sandbox's
 * cgroup.kill, a grid-grid's cgroup.freeze) fails as a real one could,
 * and is seen to be reported and retried. Off while deny_dir is 0.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#define MAY_WRITE	0x2
#define EPERM		1

__u64 deny_dir;
char deny_name[32];
__u64 denied;

SEC("lsm/file_permission")
int BPF_PROG(grid_deny_write, struct file *file, int mask, int ret)
{
	struct dentry *d;
	char name[32];
	int i;

	if (ret || !(mask & MAY_WRITE) || !deny_dir)
		return ret;
	d = BPF_CORE_READ(file, f_path.dentry);
	if (BPF_CORE_READ(d, d_parent, d_inode, i_ino) != deny_dir)
		return 0;
	if (bpf_probe_read_kernel_str(name, sizeof(name),
				      BPF_CORE_READ(d, d_name.name)) < 0)
		return 0;
	for (i = 0; i < (int)sizeof(name); i++) {
		if (name[i] != deny_name[i])
			return 0;
		if (!name[i])
			break;
	}
	__sync_fetch_and_add(&denied, 1);
	return -EPERM;
}
