// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl quota [list] | quota show GG, and the table top refreshes.
 *
 * Read-only: what the loader pinned and grid.ko reports, never a load.
 * Text is a table, three rows per grid-grid (egress, ingress, cpu) and
 * three per lease below it; JSON is an array with every field raw.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_loader.h"
#include "units.h"
#include "print.h"
#include "gridctl.h"
#include "quota_read.h"

enum { C_NAME, C_DIR, C_NOW, C_LIMIT, C_USED, C_TOTAL, C_PACKETS, C_DROPS,
       NR_COLS };

static const char *const heads[NR_COLS] = {
	"GRIDGRID", "DIR", "NOW", "LIMIT", "USED/BUDGET", "TOTAL", "PACKETS",
	"DROPS",
};

static const char *const dirs[2] = { "egress", "ingress" };

struct row {
	char cell[NR_COLS][NAME_MAX + 3];
	char note[128];		/* after TOTAL, in place of the counters */
};

struct table {
	struct row *rows;
	size_t nr, cap;
	bool rates;
};

static struct row *add_row(struct table *t)
{
	struct row *more;

	if (t->nr == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		more = realloc(t->rows, t->cap * sizeof(*more));
		if (!more)
			return NULL;
		t->rows = more;
	}
	memset(&t->rows[t->nr], 0, sizeof(t->rows[0]));
	return &t->rows[t->nr++];
}

#define SET(r, c, ...) snprintf((r)->cell[c], sizeof((r)->cell[c]), __VA_ARGS__)

static void now_cell(struct row *r, const struct quota_rate *rate, int dir)
{
	char a[GRID_FMT_LEN];

	if (!rate->known)
		SET(r, C_NOW, "-");
	else if (dir < 0)
		SET(r, C_NOW, "%s cores",
		    grid_format_cores(a, sizeof(a), rate->nanocores));
	else
		SET(r, C_NOW, "%s",
		    grid_format_rate(a, sizeof(a), rate->bytes_per_s[dir]));
}

static void net_counters(struct row *r, const struct grid_usage *u)
{
	char a[GRID_FMT_LEN];

	SET(r, C_TOTAL, "%s", grid_format_size(a, sizeof(a), u->bytes));
	SET(r, C_PACKETS, "%" PRIu64, (uint64_t)u->packets);
	SET(r, C_DROPS, "%" PRIu64, (uint64_t)u->drops);
}

static void cpu_note(struct row *r, const struct quota_gg *g)
{
	const struct grid_ioc_cpu_watch *w = &g->watch;
	char a[GRID_FMT_LEN];
	int n;

	if (!g->watched) {
		if (g->cpu.budget_ns)
			snprintf(r->note, sizeof(r->note),
				 "not enforced: grid.ko is not watching");
		return;
	}
	n = snprintf(r->note, sizeof(r->note), "%s, %" PRIu64 " freeze%s",
		     w->frozen ? "frozen" : "running", (uint64_t)w->freezes,
		     w->freezes == 1 ? "" : "s");
	if (w->freezes)
		snprintf(r->note + n, sizeof(r->note) - n, ", last %s over",
			 gridctl_fmt_elapsed(a, sizeof(a), w->overshoot_ns));
}

static int gg_rows(struct table *t, const struct quota_gg *g)
{
	char a[GRID_FMT_LEN], b[GRID_FMT_LEN], c[GRID_FMT_LEN];
	const struct grid_net_limit *n = &g->net;
	uint64_t rate[2] = { n->egress_rate, n->ingress_rate };
	uint64_t budget[2] = { n->egress_budget, n->ingress_budget };
	struct row *r;
	int d;

	for (d = GRID_DIR_EGRESS; d <= GRID_DIR_INGRESS; d++) {
		r = add_row(t);
		if (!r)
			return -ENOMEM;
		if (d == GRID_DIR_EGRESS)
			SET(r, C_NAME, "%s", g->name);
		SET(r, C_DIR, "%s", dirs[d]);
		now_cell(r, &g->rate, d);
		SET(r, C_LIMIT, "%s",
		    rate[d] ? grid_format_rate(a, sizeof(a), rate[d]) : "-");
		if (budget[d])
			SET(r, C_USED, "%s/%s per %s",
			    grid_format_size(a, sizeof(a), g->used[d]),
			    grid_format_size(b, sizeof(b), budget[d]),
			    grid_format_duration(c, sizeof(c), n->period_ns));
		else
			SET(r, C_USED, "-");
		net_counters(r, &g->usage[d]);
	}
	r = add_row(t);
	if (!r)
		return -ENOMEM;
	SET(r, C_DIR, "cpu");
	now_cell(r, &g->rate, -1);
	if (g->cpu_nanocores)
		SET(r, C_LIMIT, "%s cores",
		    grid_format_cores(a, sizeof(a), g->cpu_nanocores));
	else
		SET(r, C_LIMIT, "-");
	if (g->cpu.budget_ns)
		SET(r, C_USED, "%s/%s per %s",
		    gridctl_fmt_elapsed(a, sizeof(a), g->cpu_period_used_ns),
		    grid_format_duration(b, sizeof(b), g->cpu.budget_ns),
		    grid_format_duration(c, sizeof(c), g->cpu.period_ns));
	else
		SET(r, C_USED, "-");
	SET(r, C_TOTAL, "%s",
	    gridctl_fmt_elapsed(a, sizeof(a), g->cpu_usage.runtime_ns));
	cpu_note(r, g);
	return 0;
}

static int lease_rows(struct table *t, const struct quota_lease *l)
{
	char a[GRID_FMT_LEN];
	struct row *r;
	int d;

	for (d = GRID_DIR_EGRESS; d <= GRID_DIR_INGRESS; d++) {
		r = add_row(t);
		if (!r)
			return -ENOMEM;
		if (d == GRID_DIR_EGRESS)
			SET(r, C_NAME, "  %s", l->name);
		SET(r, C_DIR, "%s", dirs[d]);
		now_cell(r, &l->rate, d);
		net_counters(r, &l->net[d]);
	}
	r = add_row(t);
	if (!r)
		return -ENOMEM;
	SET(r, C_DIR, "cpu");
	now_cell(r, &l->rate, -1);
	SET(r, C_TOTAL, "%s", gridctl_fmt_elapsed(a, sizeof(a), l->cpu_runtime_ns));
	return 0;
}

static void print_row(const struct row *r, const size_t width[NR_COLS],
		      bool rates)
{
	static const bool right[NR_COLS] = {
		[C_NOW] = true, [C_TOTAL] = true, [C_PACKETS] = true,
		[C_DROPS] = true,
	};
	int c, last = r->note[0] ? C_TOTAL : NR_COLS - 1;
	const char *sep = "";

	/* No trailing blanks: stop at the last cell with something in it. */
	while (last > 0 && !r->cell[last][0])
		last--;
	for (c = 0; c <= last; c++) {
		if (c == C_NOW && !rates)
			continue;
		if (right[c])
			print_text("%s%*s", sep, (int)width[c], r->cell[c]);
		else if (c == last)
			print_text("%s%s", sep, r->cell[c]);
		else
			print_text("%s%-*s", sep, (int)width[c], r->cell[c]);
		sep = "  ";
	}
	if (r->note[0])
		print_text("  %s", r->note);
	print_text("\n");
}

/*
 * The table needs every row before its first line, for the widths; so
 * text is built here and JSON printed apart, from the same snapshot.
 */
static int print_table(const struct quota_snap *s, bool rates)
{
	struct table t = { .rates = rates };
	size_t width[NR_COLS], i, j;
	struct row head;
	int c, ret = 0;

	memset(&head, 0, sizeof(head));
	for (c = 0; c < NR_COLS; c++) {
		SET(&head, c, "%s", heads[c]);
		width[c] = strlen(heads[c]);
	}
	for (i = 0; i < s->nr && !ret; i++) {
		ret = gg_rows(&t, &s->gg[i]);
		for (j = 0; j < s->gg[i].nr_leases && !ret; j++)
			ret = lease_rows(&t, &s->gg[i].leases[j]);
	}
	for (i = 0; i < t.nr; i++)
		for (c = 0; c < NR_COLS; c++)
			if (strlen(t.rows[i].cell[c]) > width[c])
				width[c] = strlen(t.rows[i].cell[c]);
	if (!ret && t.nr) {
		print_row(&head, width, rates);
		for (i = 0; i < t.nr; i++)
			print_row(&t.rows[i], width, rates);
	}
	free(t.rows);
	return ret;
}

static void json_net(const char *key, const struct grid_usage *u,
		     const uint64_t *used, const struct quota_rate *rate,
		     int dir, bool rates)
{
	print_obj_open(key);
	print_u64(PRINT_JSON, "bytes", NULL, u->bytes);
	print_u64(PRINT_JSON, "packets", NULL, u->packets);
	print_u64(PRINT_JSON, "drops", NULL, u->drops);
	if (used)
		print_u64(PRINT_JSON, "used", NULL, *used);
	if (rates && rate->known)
		print_u64(PRINT_JSON, "bytes_per_s", NULL,
			  rate->bytes_per_s[dir]);
	else if (rates)
		print_null("bytes_per_s");
	print_obj_close();
}

static void json_rate_cores(const char *key, const struct quota_rate *rate)
{
	if (rate->known)
		print_u64(PRINT_JSON, key, NULL, rate->nanocores);
	else
		print_null(key);
}

static void json_lease(const struct quota_lease *l, bool rates)
{
	int d;

	print_obj_open(NULL);
	print_str(PRINT_JSON, "name", NULL, l->name);
	print_u64(PRINT_JSON, "cgroup_id", NULL, l->cgroup_id);
	for (d = GRID_DIR_EGRESS; d <= GRID_DIR_INGRESS; d++)
		json_net(dirs[d], &l->net[d], NULL, &l->rate, d, rates);
	print_u64(PRINT_JSON, "cpu_runtime_ns", NULL, l->cpu_runtime_ns);
	if (rates)
		json_rate_cores("cpu_used_nanocores", &l->rate);
	print_obj_close();
}

static void json_gg(const struct quota_gg *g, bool rates)
{
	const struct grid_net_limit *n = &g->net;
	size_t i;
	int d;

	print_obj_open(NULL);
	print_str(PRINT_JSON, "gridgrid", NULL, g->name);
	print_u64(PRINT_JSON, "cgroup_id", NULL, g->cgroup_id);
	if (g->cgroup)
		print_str(PRINT_JSON, "cgroup", NULL, g->cgroup);
	else
		print_null("cgroup");
	print_u64(PRINT_JSON, "egress_rate", NULL, n->egress_rate);
	print_u64(PRINT_JSON, "ingress_rate", NULL, n->ingress_rate);
	print_u64(PRINT_JSON, "ingress_burst", NULL, n->ingress_burst);
	print_u64(PRINT_JSON, "egress_budget", NULL, n->egress_budget);
	print_u64(PRINT_JSON, "ingress_budget", NULL, n->ingress_budget);
	print_u64(PRINT_JSON, "period_ns", NULL, n->period_ns);
	print_u64(PRINT_JSON, "horizon_ns", NULL, n->horizon_ns);
	for (d = GRID_DIR_EGRESS; d <= GRID_DIR_INGRESS; d++)
		json_net(dirs[d], &g->usage[d], &g->used[d], &g->rate, d,
			 rates);

	print_obj_open("cpu");
	print_u64(PRINT_JSON, "nanocores", NULL, g->cpu_nanocores);
	print_u64(PRINT_JSON, "budget_ns", NULL, g->cpu.budget_ns);
	print_u64(PRINT_JSON, "period_ns", NULL, g->cpu.period_ns);
	print_u64(PRINT_JSON, "runtime_ns", NULL, g->cpu_usage.runtime_ns);
	print_u64(PRINT_JSON, "period_used_ns", NULL, g->cpu_period_used_ns);
	print_bool(PRINT_JSON, "watched", NULL, g->watched);
	print_u64(PRINT_JSON, "frozen", NULL, g->watch.frozen);
	print_u64(PRINT_JSON, "freezes", NULL, g->watch.freezes);
	print_u64(PRINT_JSON, "overshoot_ns", NULL, g->watch.overshoot_ns);
	if (rates)
		json_rate_cores("used_nanocores", &g->rate);
	print_obj_close();

	print_arr_open("leases");
	for (i = 0; i < g->nr_leases; i++)
		json_lease(&g->leases[i], rates);
	print_arr_close();
	print_obj_close();
}

void quota_print(const struct quota_snap *s, bool rates)
{
	size_t i;

	if (!print_is_json()) {
		if (print_table(s, rates))
			print_text("(out of memory for the table)\n");
		return;
	}
	for (i = 0; i < s->nr; i++)
		json_gg(&s->gg[i], rates);
}

int quota_read_fail(const char *what, int err, const struct quota_snap *s)
{
	if (err == -EACCES || err == -EPERM)
		return gridctl_fail(what, "cannot read %s: %s (the pinned quota maps are root's)",
				    s->failed, strerror(-err));
	return gridctl_fail(what, "cannot read %s: %s", s->failed,
			    strerror(-err));
}

static int show(const char *what, const char *name)
{
	struct quota_snap s;
	int ret;

	ret = quota_read(&s, name);
	if (ret == -ENOENT)
		return gridctl_fail(what, "no quota attached to grid-grid '%s'",
				    name);
	/* As under "ip netns exec", which mounts /sys again without it. */
	if (ret == -ENODEV)
		return gridctl_fail(what, "no quota attached to grid-grid '%s': no bpffs is mounted at %s here",
				    name, GRID_BPF_FS);
	if (ret)
		return quota_read_fail(what, ret, &s);
	print_start_array(stdout, gridctl_json, gridctl_pretty);
	quota_print(&s, false);
	quota_snap_free(&s);
	return print_end() ? 1 : 0;
}

int quota_list(int argc, char **argv)
{
	if (argc && gridctl_is_help(argv[0])) {
		printf("Usage: gridctl [-j] quota [list]\n");
		return 0;
	}
	if (argc)
		return gridctl_usage("quota list", "unexpected '%s'", argv[0]);
	return show("quota list", NULL);
}

int quota_show(int argc, char **argv)
{
	const char *what = "quota show";
	char name[GRID_NAME_LEN];

	if (argc && gridctl_is_help(argv[0])) {
		printf("Usage: gridctl [-j] quota show GG\n");
		return 0;
	}
	if (argc != 1)
		return gridctl_usage(what, "takes one grid-grid name");
	if (gridctl_name(what, "GG", argv[0], name))
		return 2;
	return show(what, name);
}
