// SPDX-License-Identifier: GPL-2.0
/*
 * Printing that several objects share: keys, times, limits and lists.
 * JSON gets raw numbers (times as Unix seconds and as *_ns), text gets the
 * same values as the words gridctl reads, so text can be pasted back.
 */
#include <inttypes.h>

#include "units.h"
#include "names.h"
#include "objects.h"
#include "print.h"
#include "quota.h"
#include "gridctl.h"

void gridctl_print_key(const char *key, const char *text_fmt,
		       const uint8_t k[GRID_KEY_LEN])
{
	char hex[GRID_KEY_HEX_LEN + 1];

	print_str(PRINT_ANY, key, text_fmt,
		  grid_format_key(hex, sizeof(hex), k));
}

void gridctl_print_time(const char *key, const char *text_fmt, int64_t ns)
{
	char buf[GRID_FMT_LEN], key_ns[64];
	int64_t s = ns / GRID_NSEC_PER_SEC;

	if (ns < 0 && ns % GRID_NSEC_PER_SEC)
		s--;
	snprintf(key_ns, sizeof(key_ns), "%s_ns", key);
	print_s64(PRINT_JSON, key, NULL, s);
	print_s64(PRINT_JSON, key_ns, NULL, ns);
	print_str(PRINT_TEXT, NULL, text_fmt,
		  grid_format_time(buf, sizeof(buf), ns));
}

/* The LIMITS words in the order gridctl shows them. */
static const uint32_t shown[] = {
	GRID_LIMITS_A_CPU_RATE,
	GRID_LIMITS_A_CPU_BUDGET_US,
	GRID_LIMITS_A_MEMORY,
	GRID_LIMITS_A_PIDS,
	GRID_LIMITS_A_NET_EGRESS_RATE,
	GRID_LIMITS_A_NET_INGRESS_RATE,
	GRID_LIMITS_A_NET_EGRESS_BUDGET,
	GRID_LIMITS_A_NET_INGRESS_BUDGET,
};

static void limits_json(const char *key, const struct grid_obj_limits *o)
{
	const struct grid_limits *l = &o->l;

	print_obj_open(key);
	print_u64(PRINT_JSON, "cpu_quota_us", NULL, l->cpu_quota_us);
	print_u64(PRINT_JSON, "cpu_period_us", NULL, l->cpu_period_us);
	print_u64(PRINT_JSON, "cpu_nanocores", NULL, o->cpu_rate);
	print_u64(PRINT_JSON, "cpu_budget_us", NULL, l->cpu_budget_us);
	print_u64(PRINT_JSON, "memory_bytes", NULL, l->memory_bytes);
	print_u64(PRINT_JSON, "pids", NULL, l->pids);
	print_u64(PRINT_JSON, "net_egress_rate", NULL, l->net_egress_rate);
	print_u64(PRINT_JSON, "net_ingress_rate", NULL, l->net_ingress_rate);
	print_u64(PRINT_JSON, "net_egress_budget", NULL, l->net_egress_budget);
	print_u64(PRINT_JSON, "net_ingress_budget", NULL,
		  l->net_ingress_budget);
	print_u64(PRINT_JSON, "budget_period_s", NULL, l->budget_period_s);
	print_obj_close();
}

void gridctl_print_limits(const char *key, const struct grid_obj_limits *l,
			  const struct grid_obj_limits *mask)
{
	const struct grid_obj_limits *m = mask ? mask : l;
	char buf[GRID_FMT_LEN];
	bool any = false, budget = false;
	size_t i;

	limits_json(key, l);
	if (print_is_json())
		return;
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		uint32_t a = shown[i];

		if (grid_limits_get(m, a) == GRID_LIMIT_MAX)
			continue;
		print_text(" %s %s", grid_limit_name(a),
			   grid_format_limit(buf, sizeof(buf), a,
					     grid_limits_get(l, a)));
		any = true;
		if (a == GRID_LIMITS_A_CPU_RATE && !mask &&
		    l->l.cpu_period_us != GRID_CPU_PERIOD_DEFAULT)
			print_text(" cpu-period %" PRIu64,
				   (uint64_t)l->l.cpu_period_us);
		if (a == GRID_LIMITS_A_CPU_BUDGET_US ||
		    a == GRID_LIMITS_A_NET_EGRESS_BUDGET ||
		    a == GRID_LIMITS_A_NET_INGRESS_BUDGET)
			budget = true;
	}
	if (budget && !mask && l->l.budget_period_s)
		print_text(" period %s",
			   grid_format_limit(buf, sizeof(buf),
					     GRID_LIMITS_A_BUDGET_PERIOD_S,
					     l->l.budget_period_s));
	if (!any)
		print_text(mask ? " nothing limited" : " no limits");
}

void gridctl_list_item(struct gridctl_list *l)
{
	if (l->started)
		return;
	print_start(stdout, gridctl_json, gridctl_pretty);
	print_arr_open(l->key);
	l->started = true;
}

int gridctl_list_end(struct gridctl_list *l)
{
	gridctl_list_item(l);
	print_arr_close();
	return print_end() ? 1 : 0;
}
