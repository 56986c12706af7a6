// SPDX-License-Identifier: GPL-2.0
/*
 * grid.ko's watch of the attached grid-grids' CPU budgets
 * (GRID_IOC_CPU_WATCH): started at attach and set, stopped at detach, and
 * started again for every budget pinned after grid.ko was reloaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "bpf_gg.h"
#include "dev.h"

static int watch(struct grid_bpf *b, int dev_fd, int cgroup_fd)
{
	struct grid_ioc_cpu_watch w;

	memset(&w, 0, sizeof(w));
	w.cgroup_fd = cgroup_fd;
	w.limits_fd = b->map[GRID_BPF_MAP_CPU_LIMITS];
	w.usage_fd = b->map[GRID_BPF_MAP_CPU_USAGE];
	w.run_fd = b->map[GRID_BPF_MAP_CPU_RUN];
	return grid_dev_cpu_watch(dev_fd, &w);
}

int grid_bpf_watch_fd(struct grid_bpf *b, int cgroup_fd,
		    struct grid_bpf_fail *fail)
{
	int dev, ret;

	ret = grid_dev_open(&dev);
	if (!ret) {
		ret = watch(b, dev, cgroup_fd);
		close(dev);
	}
	if (ret)
		grid_bpf_fail_at(fail, GRID_BPF_AT_WATCH, GRID_DEV_PATH);
	return ret;
}

int grid_bpf_watch_path(struct grid_bpf *b, const char *cgroup,
		      struct grid_bpf_fail *fail)
{
	int fd, ret;

	fd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		grid_bpf_fail_at(fail, GRID_BPF_AT_CGROUP, cgroup);
		return ret;
	}
	ret = grid_bpf_watch_fd(b, fd, fail);
	close(fd);
	return ret;
}

/*
 * Stops the watch of cgroup @id, which thaws it. A module that is not
 * loaded watches nothing, and one that does not watch @id has nothing
 * to stop: both are done already.
 */
int grid_bpf_unwatch(uint64_t id)
{
	struct grid_ioc_cpu_watch w;
	int dev, ret;

	ret = grid_dev_open(&dev);
	if (ret == -ENOENT || ret == -ENODEV || ret == -ENXIO)
		return 0;
	if (ret)
		return ret;
	memset(&w, 0, sizeof(w));
	w.cgroup_id = id;
	ret = grid_dev_cpu_unwatch(dev, &w);
	close(dev);
	return ret == -ENOENT ? 0 : ret;
}

struct rewatch {
	struct grid_bpf *b;
	unsigned int watched;
	int first;		/* error */
};

static int rewatch_one(const struct grid_bpf_gg *gg, void *arg)
{
	struct rewatch *r = arg;
	int ret;

	if (!gg->limits.cpu.budget_ns)
		return 0;
	ret = *gg->cgroup ? grid_bpf_watch_path(r->b, gg->cgroup, NULL) : -ESTALE;
	if (!ret)
		r->watched++;
	else if (!r->first)
		r->first = ret;
	return 0;
}

int grid_bpf_rewatch(struct grid_bpf *b, unsigned int *watched)
{
	struct rewatch r = { .b = b };
	int ret = grid_bpf_lock(b);

	*watched = 0;
	if (ret)
		return ret;
	/* Under the lock: a detach in between would leave a watch behind. */
	ret = grid_bpf_each(b, rewatch_one, &r);
	grid_bpf_unlock(b);
	*watched = r.watched;
	return ret ? ret : r.first;
}
