// SPDX-License-Identifier: GPL-2.0
/*
 * A grid-grid's entries in the pinned maps, made at attach and removed at
 * detach; only ids known to be the grid-grid's are ever removed: its own,
 * its name's, and the cgroups found below its own cgroup.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "bpf_gg.h"

/* Only leases are below a grid-grid; the usage of this many is cleaned. */
#define LEASES_MAX	4096

/*
 * The ids of the cgroups directly below @dir, the only ones lease
 * entries are kept for (a job's deeper cgroups count as its lease), at
 * most @max of them. Returns how many.
 */
static size_t children(const char *dir, uint64_t *ids, size_t max)
{
	struct dirent *e;
	struct stat st;
	size_t n = 0;
	DIR *d;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while (n < max && (e = readdir(d))) {
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") ||
		    !strcmp(e->d_name, ".."))
			continue;
		if (!fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			ids[n++] = st.st_ino;
	}
	closedir(d);
	return n;
}

int grid_bpf_update(int fd, const void *key, const void *val, uint64_t flags)
{
	return grid_bpf_err(bpf_map_update_elem(fd, key, val, flags));
}

static void delete(int fd, const void *key)
{
	bpf_map_delete_elem(fd, key);
}

/*
 * What a new grid-grid's enforcement needs, once its links exist (they
 * make its cgroup storage): its CPU entries, its network limits in the
 * storage, its name. Every one must be there, or the attach fails: a
 * budget nobody could charge would be enforced by nobody.
 */
int grid_bpf_write_entries(struct grid_bpf *b, const char *gg, uint64_t id,
			   const struct grid_quota_limits *q)
{
	struct grid_gg_key key = { .cgroup_id = id };
	struct grid_cpu_usage zero;
	struct grid_gg_name name;
	struct grid_gg_net st;
	int ret;

	memset(&zero, 0, sizeof(zero));
	ret = grid_bpf_update(b->map[GRID_BPF_MAP_CPU_USAGE], &key, &zero, BPF_ANY);
	/* Even without a CPU budget: the entry has its runtime counted. */
	if (!ret)
		ret = grid_bpf_update(b->map[GRID_BPF_MAP_CPU_LIMITS], &key, &q->cpu,
			     BPF_ANY);
	memset(&name, 0, sizeof(name));
	snprintf(name.name, sizeof(name.name), "%s", gg);
	if (!ret)
		ret = grid_bpf_update(b->map[GRID_BPF_MAP_GG_IDS], &name, &key, BPF_ANY);
	/* Last, as the programs act on a grid-grid once its id is set. */
	memset(&st, 0, sizeof(st));
	st.cgroup_id = id;
	st.limits = q->net;
	if (!ret)
		ret = grid_bpf_update(b->map[GRID_BPF_MAP_GG_NET], &id, &st,
			     BPF_EXIST);
	return ret;
}

/* A lease's entries; one that is not there is no error. */
static void delete_lease(struct grid_bpf *b, uint64_t id)
{
	struct grid_gg_key key = { .cgroup_id = id };

	delete(b->map[GRID_BPF_MAP_LEASE_NET], &key);
	delete(b->map[GRID_BPF_MAP_LEASE_CPU], &key);
}

/*
 * Everything grid-grid @gg has in the maps: its own id's entries, its
 * name, and those of the cgroups below its cgroup (@cgroup, "" if it is
 * gone: then the programs deleted theirs when the cgroups went). The
 * cgroup storage goes with the links.
 */
void grid_bpf_delete_entries(struct grid_bpf *b, const char *gg, uint64_t id,
			     const char *cgroup)
{
	struct grid_gg_key key = { .cgroup_id = id };
	struct grid_gg_name name;
	uint64_t *ids = NULL;
	size_t n = 0, i;

	delete(b->map[GRID_BPF_MAP_CPU_LIMITS], &key);
	delete(b->map[GRID_BPF_MAP_CPU_USAGE], &key);
	delete_lease(b, id);
	memset(&name, 0, sizeof(name));
	snprintf(name.name, sizeof(name.name), "%s", gg);
	delete(b->map[GRID_BPF_MAP_GG_IDS], &name);
	if (*cgroup) {
		ids = calloc(LEASES_MAX, sizeof(*ids));
		if (ids)
			n = children(cgroup, ids, LEASES_MAX);
	}
	for (i = 0; i < n; i++)
		delete_lease(b, ids[i]);
	free(ids);
}
