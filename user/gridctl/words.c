// SPDX-License-Identifier: GPL-2.0
/*
 * The words of gridctl's grammar that several objects share: names, keys,
 * numbers, times and the LIMITS of shares and leases. A word that does not
 * parse is a usage error saying which word and what it takes.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "units.h"
#include "objects.h"
#include "gridctl.h"

#define TAKES_NAME	"a name of 1 to 31 characters from a-z, 0-9, '.', '_' and '-'"
#define TAKES_KEY	"a public key of 64 hex digits, not all zero"
#define TAKES_NUMBER	"a whole number"
#define TAKES_TIME	"a time like now, +1h, @1795600000 or 2026-11-25T12:00:00Z"
#define TAKES_SIZE	"a size like 512M or 2G, or max"
#define TAKES_RATE	"a rate like 5M/s or 40mbit, or max"
#define TAKES_DURATION	"a duration like 100ms, 90s, 10m, 24h or 1d, or max"
#define TAKES_CORES	"a number of cores like 1.5, or max"
#define TAKES_COUNT	"a whole number, or max"
#define TAKES_PERIOD_US	"microseconds from 1000 to 1000000"
#define TAKES_PERIOD_S	"whole seconds like 3600, 1h or 1d"

/* Returns 2, the exit status of a usage error. */
static int bad(const char *what, const char *word, const char *takes,
	       const char *val, int err)
{
	if (err == -ERANGE)
		return gridctl_usage(what, "'%s' takes %s; '%s' is too large",
				     word, takes, val);
	return gridctl_usage(what, "'%s' takes %s, not '%s'", word, takes,
			     val);
}

const char *gridctl_value(const char *what, int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		gridctl_usage(what, "'%s' needs a value", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

int gridctl_name(const char *what, const char *word, const char *val,
		 char name[GRID_NAME_LEN])
{
	int ret = grid_parse_name(val, name);

	return ret ? bad(what, word, TAKES_NAME, val, ret) : 0;
}

int gridctl_key(const char *what, const char *word, const char *val,
		uint8_t key[GRID_KEY_LEN])
{
	int ret = grid_parse_key(val, key);

	return ret ? bad(what, word, TAKES_KEY, val, ret) : 0;
}

int gridctl_u64(const char *what, const char *word, const char *val,
		uint64_t *out)
{
	int ret = grid_parse_u64(val, out);

	return ret ? bad(what, word, TAKES_NUMBER, val, ret) : 0;
}

int gridctl_time(const char *what, const char *word, const char *val,
		 int64_t *ns)
{
	int ret = grid_parse_time(val, gridctl_now_ns(), ns);

	return ret ? bad(what, word, TAKES_TIME, val, ret) : 0;
}

/* Each LIMITS word: what it sets, how its value reads, what that takes. */
enum how { CORES, COUNT, PERIOD_US, DURATION_US, SIZE, RATE, PERIOD_S };

static const struct {
	const char *word;
	uint32_t attr;
	enum how how;
	size_t off;
} words[] = {
	{ "cpu", GRID_LIMITS_A_CPU_RATE, CORES, 0 },
	{ "cpu-quota", GRID_LIMITS_A_CPU_QUOTA_US, COUNT,
	  offsetof(struct grid_limits, cpu_quota_us) },
	{ "cpu-period", GRID_LIMITS_A_CPU_PERIOD_US, PERIOD_US,
	  offsetof(struct grid_limits, cpu_period_us) },
	{ "cpu-budget", GRID_LIMITS_A_CPU_BUDGET_US, DURATION_US,
	  offsetof(struct grid_limits, cpu_budget_us) },
	{ "memory", GRID_LIMITS_A_MEMORY, SIZE,
	  offsetof(struct grid_limits, memory_bytes) },
	{ "pids", GRID_LIMITS_A_PIDS, COUNT,
	  offsetof(struct grid_limits, pids) },
	{ "egress-rate", GRID_LIMITS_A_NET_EGRESS_RATE, RATE,
	  offsetof(struct grid_limits, net_egress_rate) },
	{ "ingress-rate", GRID_LIMITS_A_NET_INGRESS_RATE, RATE,
	  offsetof(struct grid_limits, net_ingress_rate) },
	{ "egress-budget", GRID_LIMITS_A_NET_EGRESS_BUDGET, SIZE,
	  offsetof(struct grid_limits, net_egress_budget) },
	{ "ingress-budget", GRID_LIMITS_A_NET_INGRESS_BUDGET, SIZE,
	  offsetof(struct grid_limits, net_ingress_budget) },
	{ "period", GRID_LIMITS_A_BUDGET_PERIOD_S, PERIOD_S, 0 },
};

#define BIT(attr) (1u << (attr))

static int read_value(enum how how, const char *val, uint64_t *v,
		      const char **takes)
{
	int ret;

	switch (how) {
	case CORES:
		*takes = TAKES_CORES;
		return grid_parse_cores(val, v);
	case COUNT:
		*takes = TAKES_COUNT;
		return grid_parse_count(val, v);
	case PERIOD_US:
		*takes = TAKES_PERIOD_US;
		ret = grid_parse_u64(val, v);
		if (!ret && (*v < GRID_CPU_PERIOD_MIN || *v > GRID_CPU_PERIOD_MAX))
			ret = -EINVAL;
		return ret;
	case DURATION_US:
		*takes = TAKES_DURATION;
		ret = grid_parse_duration(val, v);
		if (!ret && *v != GRID_LIMIT_MAX)
			*v /= 1000;
		return ret;
	case SIZE:
		*takes = TAKES_SIZE;
		return grid_parse_size(val, v);
	case RATE:
		*takes = TAKES_RATE;
		return grid_parse_rate(val, v);
	case PERIOD_S:
		*takes = TAKES_PERIOD_S;
		ret = grid_parse_duration(val, v);
		if (ret)
			return ret;
		if (*v == GRID_LIMIT_MAX || !*v || *v % GRID_NSEC_PER_SEC)
			return -EINVAL;
		*v /= GRID_NSEC_PER_SEC;
		return *v > UINT32_MAX ? -ERANGE : 0;
	}
	return -EINVAL;
}

int gridctl_limits_word(const char *what, int argc, char **argv, int *i,
			struct gridctl_limits *e)
{
	const char *word = argv[*i], *val, *takes = "";
	uint64_t v;
	size_t k;
	int ret;

	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++)
		if (!strcmp(words[k].word, word))
			break;
	if (k == sizeof(words) / sizeof(words[0]))
		return 0;
	val = gridctl_value(what, argc, argv, i);
	if (!val)
		return 2;
	ret = read_value(words[k].how, val, &v, &takes);
	if (ret)
		return bad(what, word, takes, val, ret);

	/* Both say what the quota is; which one wins would be a guess. */
	if ((words[k].attr == GRID_LIMITS_A_CPU_RATE &&
	     (e->given & BIT(GRID_LIMITS_A_CPU_QUOTA_US))) ||
	    (words[k].attr == GRID_LIMITS_A_CPU_QUOTA_US &&
	     (e->given & BIT(GRID_LIMITS_A_CPU_RATE))))
		return gridctl_usage(what, "'cpu' and 'cpu-quota' both set the CPU quota; give one of them");

	e->given |= BIT(words[k].attr);
	if (words[k].how == CORES)
		e->nanocores = v;
	else if (words[k].how == PERIOD_S)
		e->l.budget_period_s = (uint32_t)v;
	else
		memcpy((char *)&e->l + words[k].off, &v, sizeof(v));
	return 1;
}

void gridctl_limits_apply(const struct gridctl_limits *e,
			  struct grid_limits *base)
{
	size_t k;

	for (k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (!(e->given & BIT(words[k].attr)) ||
		    words[k].how == CORES || words[k].how == PERIOD_S)
			continue;
		memcpy((char *)base + words[k].off, (const char *)&e->l +
		       words[k].off, sizeof(uint64_t));
	}
	if (e->given & BIT(GRID_LIMITS_A_BUDGET_PERIOD_S))
		base->budget_period_s = e->l.budget_period_s;
	if (!base->cpu_period_us)
		base->cpu_period_us = GRID_CPU_PERIOD_DEFAULT;
	/* Cores become a quota in whatever period is in force after this. */
	if (e->given & BIT(GRID_LIMITS_A_CPU_RATE))
		base->cpu_quota_us = grid_cpu_quota_us(e->nanocores,
						       base->cpu_period_us);
}

void gridctl_limits_unlimited(struct grid_limits *l, uint32_t budget_period_s)
{
	memset(l, 0, sizeof(*l));
	l->cpu_quota_us = GRID_LIMIT_MAX;
	l->cpu_period_us = GRID_CPU_PERIOD_DEFAULT;
	l->cpu_budget_us = GRID_LIMIT_MAX;
	l->memory_bytes = GRID_LIMIT_MAX;
	l->pids = GRID_LIMIT_MAX;
	l->net_egress_rate = GRID_LIMIT_MAX;
	l->net_ingress_rate = GRID_LIMIT_MAX;
	l->net_egress_budget = GRID_LIMIT_MAX;
	l->net_ingress_budget = GRID_LIMIT_MAX;
	l->budget_period_s = budget_period_s;
}

void gridctl_limits_from(struct grid_obj_limits *out,
			 const struct grid_limits *l)
{
	memset(out, 0, sizeof(*out));
	out->l = *l;
	out->cpu_rate = grid_cpu_nanocores(l->cpu_quota_us, l->cpu_period_us);
	out->present = ~0u;
}
