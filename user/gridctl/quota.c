// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl quota { attach | set | detach | list | show | help }
 *
 * A grid-grid's network and CPU quota, kept by the BPF programs pinned
 * under /sys/fs/bpf/grid (see bpf_loader.h): attach links them to the
 * grid-grid's cgroup with its limits, set changes the limits given and
 * nothing else, detach takes it all away. The first attach loads the
 * programs if gridd has not. list and show are in quota_show.c.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "bpf_loader.h"
#include "dev.h"
#include "units.h"
#include "gridctl.h"

#define QUOTA_HELP "egress RATE | ingress RATE | burst SIZE | egress-budget SIZE | ingress-budget SIZE | period TIME | horizon TIME | cpu CORES | cpu-budget TIME | cpu-period TIME | dev DEV | netns NAME"

#define DEVS_MAX	16

enum how { RATE, SIZE, TIME, CORES };

static const struct {
	const char *takes;
	int (*parse)(const char *s, uint64_t *v);
} hows[] = {
	[RATE] = { "a rate like 5M/s or 40mbit, or 0 or max for none", grid_parse_rate },
	[SIZE] = { "a size like 512M or 2G, or 0 or max for none", grid_parse_size },
	[TIME] = { "a duration like 100ms, 90s, 10m, 24h or 1d", grid_parse_duration },
	[CORES] = { "a number of cores like 1.5, or 0 or max for none", grid_parse_cores },
};

#define NET(f)	offsetof(struct grid_quota_limits, net.f)
#define CPU(f)	offsetof(struct grid_quota_limits, cpu.f)

/* Indexed by enum grid_quota_field; the word is grid_quota_word()'s. */
static const struct {
	enum how how;
	size_t off;
} fields[GRID_QUOTA_NR_FIELDS] = {
	[GRID_QUOTA_EGRESS] = { RATE, NET(egress_rate) },
	[GRID_QUOTA_INGRESS] = { RATE, NET(ingress_rate) },
	[GRID_QUOTA_BURST] = { SIZE, NET(ingress_burst) },
	[GRID_QUOTA_EGRESS_BUDGET] = { SIZE, NET(egress_budget) },
	[GRID_QUOTA_INGRESS_BUDGET] = { SIZE, NET(ingress_budget) },
	[GRID_QUOTA_PERIOD] = { TIME, NET(period_ns) },
	[GRID_QUOTA_HORIZON] = { TIME, NET(horizon_ns) },
	[GRID_QUOTA_CPU] = { CORES, offsetof(struct grid_quota_limits, cpu_nanocores) },
	[GRID_QUOTA_CPU_BUDGET] = { TIME, CPU(budget_ns) },
	[GRID_QUOTA_CPU_PERIOD] = { TIME, CPU(period_ns) },
};

struct args {
	char name[GRID_NAME_LEN];
	const char *cgroup;
	struct grid_quota_limits q;
	const char *said[GRID_QUOTA_NR_FIELDS];	/* each value as typed */
	const char *devs[DEVS_MAX];
	struct grid_bpf_fq fq;
};

static int field_of(const char *word)
{
	int f;

	for (f = 0; f < GRID_QUOTA_NR_FIELDS; f++)
		if (!strcmp(grid_quota_word(f), word))
			return f;
	return -1;
}

/* GG [cgroup PATH] QUOTA...; cgroup only if @cgroup_ok. */
static int read_args(const char *what, int argc, char **argv, bool cgroup_ok,
		     struct args *a)
{
	const char *word, *val;
	uint64_t v;
	int i, f, ret;

	memset(a, 0, sizeof(*a));
	a->fq.devs = a->devs;
	if (argc < 1)
		return gridctl_usage(what, "missing the grid-grid's NAME");
	if (gridctl_name(what, "GG", argv[0], a->name))
		return 2;
	for (i = 1; i < argc; i++) {
		word = argv[i];
		f = field_of(word);
		if (f < 0 && strcmp(word, "dev") && strcmp(word, "netns") &&
		    (!cgroup_ok || strcmp(word, "cgroup")))
			return gridctl_usage(what, "unexpected '%s'; QUOTA is %s%s",
					     word, cgroup_ok ? "cgroup PATH | " : "",
					     QUOTA_HELP);
		val = gridctl_value(what, argc, argv, &i);
		if (!val)
			return 2;
		if (!strcmp(word, "dev")) {
			if (a->fq.n_devs == DEVS_MAX)
				return gridctl_usage(what, "at most %d devices", DEVS_MAX);
			if (!*val || strlen(val) >= IF_NAMESIZE || strchr(val, '/'))
				return gridctl_usage(what, "'dev' takes a network device's name, not '%s'",
						     val);
			a->devs[a->fq.n_devs++] = val;
			continue;
		}
		if (!strcmp(word, "netns")) {
			if (a->fq.netns)
				return gridctl_usage(what, "'netns' given twice");
			if (!*val)
				return gridctl_usage(what, "'netns' takes a name from 'ip netns' or a path");
			a->fq.netns = val;
			continue;
		}
		if (f < 0) {
			if (a->cgroup)
				return gridctl_usage(what, "'cgroup' given twice");
			a->cgroup = val;
			continue;
		}
		if (a->q.given & GRID_QUOTA_BIT(f))
			return gridctl_usage(what, "'%s' given twice", word);
		/* A rate of nothing is no limit, as for budgets and cores. */
		if (fields[f].how == RATE && !strcmp(val, "0")) {
			v = 0;
			ret = 0;
		} else {
			ret = hows[fields[f].how].parse(val, &v);
		}
		if (ret == -ERANGE)
			return gridctl_usage(what, "'%s' takes %s; '%s' is too large",
					     word, hows[fields[f].how].takes, val);
		if (ret)
			return gridctl_usage(what, "'%s' takes %s, not '%s'",
					     word, hows[fields[f].how].takes, val);
		memcpy((char *)&a->q + fields[f].off, &v, sizeof(v));
		a->q.given |= GRID_QUOTA_BIT(f);
		a->said[f] = val;
	}
	return 0;
}

/* Why grid_quota_resolve() refused field @f: a usage error (2). */
static int refused(const char *what, const struct args *a,
		   enum grid_quota_field f, int err)
{
	const char *word = grid_quota_word(f);
	const char *said = a->said[f] ? a->said[f] : "it";
	uint64_t min_cores = grid_cpu_nanocores(GRID_QUOTA_CPU_QUOTA_MIN_US,
						GRID_QUOTA_CPU_PERIOD_US);
	char lo[GRID_FMT_LEN], hi[GRID_FMT_LEN];

	if (err == -EINVAL) {
		switch (f) {
		case GRID_QUOTA_BURST:
			return gridctl_usage(what, "'burst' is the size of the ingress bucket and needs an 'ingress' rate");
		case GRID_QUOTA_HORIZON:
			return gridctl_usage(what, "'horizon' is how far ahead egress is paced and needs an 'egress' rate");
		case GRID_QUOTA_EGRESS_BUDGET:
		case GRID_QUOTA_INGRESS_BUDGET:
			return gridctl_usage(what, "'%s' counts bytes per 'period'; give the period too, like 'period 1d'",
					     word);
		case GRID_QUOTA_CPU_BUDGET:
			return gridctl_usage(what, "'cpu-budget' counts CPU time per 'cpu-period'; give the period too, like 'cpu-period 1h'");
		case GRID_QUOTA_PERIOD:
			return gridctl_usage(what, "'period' is the period of 'egress-budget' and 'ingress-budget', and there is neither");
		case GRID_QUOTA_CPU_PERIOD:
			return gridctl_usage(what, "'cpu-period' is the period of 'cpu-budget', and there is none");
		default:
			break;
		}
		return gridctl_usage(what, "'%s' cannot be %s", word, said);
	}
	switch (f) {
	case GRID_QUOTA_EGRESS:
	case GRID_QUOTA_INGRESS:
		return gridctl_usage(what, "'%s' takes at most %s; %s is more",
				     word, grid_format_rate(hi, sizeof(hi), GRID_NET_RATE_MAX),
				     said);
	case GRID_QUOTA_BURST:
		return gridctl_usage(what, "'burst' takes from %s to %s, not %s",
				     grid_format_size(lo, sizeof(lo), GRID_NET_BURST_MIN),
				     grid_format_size(hi, sizeof(hi), GRID_NET_BURST_MAX),
				     said);
	case GRID_QUOTA_EGRESS_BUDGET:
	case GRID_QUOTA_INGRESS_BUDGET:
		return gridctl_usage(what, "'%s' takes at most %s; %s is more",
				     word, grid_format_size(hi, sizeof(hi), GRID_NET_BUDGET_MAX),
				     said);
	case GRID_QUOTA_HORIZON:
		return gridctl_usage(what, "'horizon' takes more than 0s and at most %s, not %s",
				     grid_format_duration(hi, sizeof(hi), GRID_NET_HORIZON_MAX),
				     said);
	case GRID_QUOTA_PERIOD:
	case GRID_QUOTA_CPU_PERIOD:
		grid_format_duration(lo, sizeof(lo), GRID_QUOTA_PERIOD_MIN);
		grid_format_duration(hi, sizeof(hi), GRID_PERIOD_MAX);
		return gridctl_usage(what, "'%s' takes from %s to %s, not %s",
				     word, lo, hi, said);
	case GRID_QUOTA_CPU:
		grid_format_cores(lo, sizeof(lo), min_cores);
		return gridctl_usage(what, "'cpu' takes at least %s cores (cpu.max's 1000 us a period), not %s",
				     lo, said);
	case GRID_QUOTA_CPU_BUDGET:
		grid_format_duration(hi, sizeof(hi), GRID_QUOTA_CPU_BUDGET_MAX);
		return gridctl_usage(what, "'cpu-budget' takes at most %s, not %s",
				     hi, said);
	default:
		return gridctl_usage(what, "'%s' is out of range", word);
	}
}

/* Whether we run in another mount namespace than init, as ip netns exec does. */
static bool other_mount_ns(void)
{
	char self[64] = "", init[64] = "";

	if (readlink("/proc/self/ns/mnt", self, sizeof(self) - 1) < 0 ||
	    readlink("/proc/1/ns/mnt", init, sizeof(init) - 1) < 0)
		return false;
	return strcmp(self, init) != 0;
}

static int open_bpf(const char *what, unsigned int flags, const char *gg,
		    struct grid_bpf **b)
{
	int ret = grid_bpf_open(b, flags);

	if (!ret)
		return 0;
	if (ret == -ENODEV && other_mount_ns())
		return gridctl_fail(what, "bpffs is not mounted at %s in this mount namespace; under 'ip netns exec', /sys is mounted again without it: give 'netns NAME' to gridctl instead",
				    GRID_BPF_FS);
	if (ret == -ENODEV)
		return gridctl_fail(what, "bpffs is not mounted at %s; mount it with 'mount -t bpf bpf %s'",
				    GRID_BPF_FS, GRID_BPF_FS);
	if (ret == -ENOENT && !(flags & GRID_BPF_LOAD))
		return gridctl_fail(what, "grid-grid '%s' is not attached", gg);
	if (ret == -EPERM || ret == -EACCES)
		return gridctl_fail(what, "cannot use the BPF programs under %s: %s (it takes root)",
				    GRID_BPF_PIN_DIR, strerror(-ret));
	return gridctl_fail(what, "cannot load the BPF programs: %s", strerror(-ret));
}

static int explain_cpu_max(const char *what, int err, const char *path)
{
	const char *file = strrchr(path, '/');
	bool subtree = file && !strcmp(file, "/cgroup.subtree_control");

	if (subtree && err == -EBUSY)
		return gridctl_fail(what, "cannot enable the cpu controller (%s): that cgroup has processes of its own, and cgroup v2 allows none beside controlled children",
				    path);
	if (subtree && (err == -ENOENT || err == -EINVAL))
		return gridctl_fail(what, "the cpu controller is not available in this cgroup v2 tree (%s refused it); is it bound to cgroup v1?",
				    path);
	return gridctl_fail(what, "cannot write %s: %s", path, strerror(-err));
}

static int explain_watch(const char *what, int err)
{
	switch (-err) {
	case ENOENT:
		return gridctl_fail(what, "grid.ko enforces CPU budgets, and %s does not exist; is grid.ko loaded?",
				    GRID_DEV_PATH);
	case EPROTO:
		return gridctl_fail(what, "grid.ko does not speak ABI %d as gridctl does; rebuild one of them",
				    GRID_ABI_VERSION);
	case ENOSPC:
		return gridctl_fail(what, "grid.ko already watches the CPU budgets of %d grid-grids, its most",
				    GRID_GG_ENTRIES);
	case ENOTTY:
		return gridctl_fail(what, "grid.ko does not know CPU budgets; is it older than gridctl?");
	default:
		return gridctl_fail(what, "grid.ko refused to watch the CPU budget: %s",
				    strerror(-err));
	}
}

/* A failed change, in the words of the step that failed. */
static int explain(const char *what, const struct args *a, int err,
		   const struct grid_bpf_fail *f)
{
	switch (f->at) {
	case GRID_BPF_AT_LIMITS:
		return refused(what, a, f->field, err);
	case GRID_BPF_AT_NAME:
		return gridctl_usage(what, "'%s' is reserved and cannot name a grid-grid here",
				     a->name);
	case GRID_BPF_AT_PROGS:
		return gridctl_fail(what, "the BPF programs are not pinned under %s",
				    GRID_BPF_PIN_DIR);
	case GRID_BPF_AT_CGROUP:
		if (err == -EBUSY)
			return gridctl_fail(what, "cgroup %s is, contains or is inside the cgroup of another attached grid-grid; grid-grids do not nest",
					    f->path);
		if (err == -EINVAL)
			return gridctl_fail(what, "%s is not a cgroup v2 directory", f->path);
		if (err == -ESTALE)
			return gridctl_fail(what, "the cgroup of grid-grid '%s' is gone; detach it and attach it again",
					    a->name);
		if (err == -EMLINK)
			return gridctl_fail(what, "cgroup %s cannot be a grid-grid's: it must be 1 to %d levels below the root, for the programs find it from the top",
					    f->path, GRID_BPF_MAX_LEVEL - 1);
		if (err == -EREMOTE)
			return gridctl_fail(what, "attach from the initial cgroup namespace: from this one, how deep cgroup %s is cannot be known",
					    f->path);
		return gridctl_fail(what, "cgroup %s: %s", f->path, strerror(-err));
	case GRID_BPF_AT_CPU_MAX:
		return explain_cpu_max(what, err, f->path);
	case GRID_BPF_AT_NETNS:
		return gridctl_fail(what, "cannot enter network namespace '%s': %s", f->path,
				    strerror(-err));
	case GRID_BPF_AT_FQ:
		if (err == -ENODEV)
			return gridctl_fail(what, "no network device '%s' to install fq on", f->dev);
		if (err == -ENOENT)
			return gridctl_fail(what, "the kernel has no fq qdisc (sch_fq) for %s",
					    f->dev);
		return gridctl_fail(what, "cannot make fq the root qdisc of %s: %s", f->dev,
				    strerror(-err));
	case GRID_BPF_AT_ROUTES:
		if (err == -ENOENT)
			return gridctl_fail(what, "an egress rate needs fq on the devices the grid-grid sends by, and no default route is up to find them; name them with 'dev DEV'");
		return gridctl_fail(what, "cannot read the default routes: %s; name the devices with 'dev DEV'",
				    strerror(-err));
	case GRID_BPF_AT_MAPS:
		if (err == -ENOSPC || err == -E2BIG)
			return gridctl_fail(what, "the quota maps are full (%d grid-grids)",
					    GRID_GG_ENTRIES);
		return gridctl_fail(what, "cannot write the quota maps: %s", strerror(-err));
	case GRID_BPF_AT_LINKS:
		return gridctl_fail(what, "cannot link the programs (%s): %s", f->path,
				    strerror(-err));
	case GRID_BPF_AT_WATCH:
		return explain_watch(what, err);
	case GRID_BPF_AT_UNWATCH:
		return gridctl_fail(what, "grid.ko did not stop watching the CPU budget (%s); nothing was changed",
				    strerror(-err));
	case GRID_BPF_AT_NONE:
		break;
	}
	if (err == -EEXIST)
		return gridctl_fail(what, "grid-grid '%s' is already attached; change it with 'gridctl quota set'",
				    a->name);
	if (err == -ENOENT)
		return gridctl_fail(what, "grid-grid '%s' is not attached", a->name);
	if (err == -EPERM || err == -EACCES)
		return gridctl_fail(what, "%s (it takes root)", strerror(-err));
	return gridctl_fail(what, "%s", strerror(-err));
}

static int quota_attach(int argc, char **argv)
{
	const char *what = "quota attach";
	struct grid_bpf_fail fail;
	struct grid_bpf *b;
	struct args a;
	int ret = read_args(what, argc, argv, true, &a);

	if (ret)
		return ret;
	if (open_bpf(what, GRID_BPF_LOAD, a.name, &b))
		return 1;
	ret = grid_bpf_attach(b, a.name, a.cgroup, &a.q, &a.fq, &fail);
	grid_bpf_close(b);
	return ret ? explain(what, &a, ret, &fail) : gridctl_done();
}

static int quota_set(int argc, char **argv)
{
	const char *what = "quota set";
	struct grid_bpf_fail fail;
	struct grid_bpf *b;
	struct args a;
	int ret = read_args(what, argc, argv, false, &a);

	if (ret)
		return ret;
	if (!a.q.given && !a.fq.n_devs)
		return gridctl_usage(what, "nothing to change; QUOTA is %s",
				     QUOTA_HELP);
	if (open_bpf(what, 0, a.name, &b))
		return 1;
	ret = grid_bpf_set(b, a.name, &a.q, &a.fq, &fail);
	grid_bpf_close(b);
	return ret ? explain(what, &a, ret, &fail) : gridctl_done();
}

static int quota_detach(int argc, char **argv)
{
	const char *what = "quota detach";
	struct grid_bpf_fail fail;
	struct grid_bpf *b;
	struct args a;
	int ret;

	if (argc != 1)
		return gridctl_usage(what, "takes one grid-grid NAME");
	ret = read_args(what, argc, argv, false, &a);
	if (ret)
		return ret;
	if (open_bpf(what, 0, a.name, &b))
		return 1;
	ret = grid_bpf_detach(b, a.name, &fail);
	grid_bpf_close(b);
	return ret ? explain(what, &a, ret, &fail) : gridctl_done();
}

static const struct gridctl_cmd cmds[] = {
	{ "attach", quota_attach, "GG [cgroup PATH] [QUOTA...]" },
	{ "set", quota_set, "GG QUOTA..." },
	{ "detach", quota_detach, "GG" },
	{ "list", quota_list, "" },
	{ "show", quota_show, "GG" },
	{ NULL, NULL, NULL },
};

int do_quota(int argc, char **argv)
{
	if (!argc)
		return quota_list(0, argv);
	if (gridctl_is_help(argv[0])) {
		gridctl_list_cmds(stdout, "gridctl quota", cmds);
		printf("QUOTA := { %s }\n", QUOTA_HELP);
		return 0;
	}
	return gridctl_dispatch("gridctl quota", cmds, argc, argv);
}
