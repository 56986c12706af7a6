// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl self
 *
 * From inside a sandbox, through the /dev/grid bound into it: the lease the
 * sandbox runs under, its limits and what the sandbox uses now.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "dev.h"
#include "units.h"
#include "names.h"
#include "objects.h"
#include "print.h"
#include "gridctl.h"

static void show(const struct grid_self *s)
{
	const char *state = grid_lease_state_name(s->state);
	struct grid_obj_limits lim;
	char buf[GRID_FMT_LEN];

	gridctl_limits_from(&lim, &s->limits);
	print_u64(PRINT_ANY, "lease_id", "lease %" PRIu64, s->lease_id);
	print_u64(PRINT_ANY, "serial", " serial %" PRIu64, s->serial);
	print_str(PRINT_ANY, "state", " %s", state ? state : "unknown");
	print_str(PRINT_ANY, "gridgrid", " gridgrid %s", s->gridgrid);
	gridctl_print_time("not_before", "\n\tnot-before %s", s->not_before_ns);
	gridctl_print_time("not_after", " not-after %s", s->not_after_ns);
	print_text("\n\tlimits");
	gridctl_print_limits("limits", &lim, NULL);
	print_u64(PRINT_ANY, "cgroup_id", "\n\tcgroup %" PRIu64, s->cgroup_id);
	print_u64(PRINT_JSON, "cpu_usage_us", NULL, s->cpu_usage_us);
	print_text(" cpu-usage %" PRIu64 ".%03" PRIu64 "s",
		   (uint64_t)s->cpu_usage_us / 1000000,
		   (uint64_t)s->cpu_usage_us / 1000 % 1000);
	print_u64(PRINT_JSON, "memory_current", NULL, s->memory_current);
	print_text(" memory %s", grid_format_size(buf, sizeof(buf),
						  s->memory_current));
	print_u64(PRINT_ANY, "pids_current", " pids %" PRIu64, s->pids_current);
	print_text("\n");
}

int do_self(int argc, char **argv)
{
	const char *what = "self";
	struct grid_self s;
	int fd, ret;

	if (argc && gridctl_is_help(argv[0])) {
		printf("Usage: gridctl [-j] self\n");
		return 0;
	}
	if (argc)
		return gridctl_usage(what, "unexpected '%s'", argv[0]);
	if (gridctl_dev(what, &fd))
		return 1;
	ret = grid_dev_self(fd, &s);
	close(fd);
	if (ret == -ENOENT)
		return gridctl_fail(what, "this task is not inside a grid sandbox");
	if (ret)
		return gridctl_fail_errno(what, ret, NULL);
	s.gridgrid[sizeof(s.gridgrid) - 1] = '\0';
	print_start(stdout, gridctl_json, gridctl_pretty);
	show(&s);
	return print_end() ? 1 : 0;
}
