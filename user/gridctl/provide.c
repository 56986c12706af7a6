// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl share { set GG LIMITS | del GG | list | help }
 * gridctl lease { issue | renew | revoke | import | list | help }
 *
 * Shares and leases as an owner works with them, through gridd: each is
 * a signed record, kept before it is acknowledged and then registered in
 * grid.ko. LIMITS are the words of 'gridctl kernel share', plus "cpu N%"
 * (of this machine's CPUs), "egress"/"ingress" for the rates, and a
 * budget "per" a period: "egress-budget 10G/day", "cpu-budget 2h/day".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "objects.h"
#include "print.h"
#include "gridctl.h"
#include "units.h"

static const struct {
	const char *name;
	uint32_t seconds;
} periods[] = {
	{ "h", 3600 }, { "hour", 3600 }, { "day", 86400 }, { "d", 86400 },
	{ "week", 7 * 86400 }, { NULL, 0 },
};

/*
 * Reads the LIMITS word at argv[*i] into @e (and a budget's "/PERIOD"
 * into @period). 1 if argv[*i] was not a LIMITS word, 0 when one was read
 * (and *@i is on its value), 2 on a usage error.
 */
int gridctl_owner_limit(const char *what, int argc, char **argv, int *i,
			struct gridctl_limits *e, uint32_t *period)
{
	char *word = argv[*i], *val, cores[32], *slash, unit_buf[64];
	char *fake[2];
	int k = 0, ret;

	if (!strcmp(word, "egress"))
		word = "egress-rate";
	else if (!strcmp(word, "ingress"))
		word = "ingress-rate";
	if (*i + 1 >= argc) {
		/* No value: a usage error if it is a LIMITS word at all. */
		ret = gridctl_limits_word(what, argc, argv, i, e);
		return ret == 0 ? 1 : 2;
	}
	val = argv[*i + 1];
	/* "cpu 20%": a part of this machine's CPUs, in cores. */
	if (!strcmp(word, "cpu") && val[0] && val[strlen(val) - 1] == '%') {
		double pct = strtod(val, NULL);
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		if (pct <= 0 || pct > 100 || n < 1)
			return gridctl_usage(what, "'cpu' takes a percentage of this machine's CPUs up to 100%%, not '%s'",
					     val);
		snprintf(cores, sizeof(cores), "%.4f", pct / 100 * n);
		val = cores;
	}
	/*
	 * "5MB/s", "2GB": the byte units people write, read as K M G T (which
	 * are binary here). Only an upper-case B: "Gb" could be bits.
	 */
	if (strlen(val) < sizeof(unit_buf)) {
		char *b;

		strcpy(unit_buf, val);
		b = strstr(unit_buf, "B");
		if (b && b > unit_buf && strchr("KMGT", b[-1]) &&
		    (!b[1] || b[1] == '/')) {
			memmove(b, b + 1, strlen(b));
			val = unit_buf;
		}
	}
	/* "10G/day": a budget and its period together. */
	slash = strchr(val, '/');
	if (slash && strstr(word, "budget") && strcmp(slash, "/s")) {
		for (k = 0; periods[k].name; k++) {
			if (!strcmp(slash + 1, periods[k].name))
				break;
		}
		if (!periods[k].name)
			return gridctl_usage(what, "'%s' takes a budget per h, day or week, not '%s'",
					     word, val);
		if (*period && *period != periods[k].seconds)
			return gridctl_usage(what, "budgets of one share count over one period; '%s' has another",
					     val);
		*period = periods[k].seconds;
		val = strndup(val, slash - val);
		if (!val)
			return gridctl_fail(what, "out of memory");
	}
	fake[0] = word;
	fake[1] = val;
	k = 0;
	ret = gridctl_limits_word(what, 2, fake, &k, e);
	if (slash && val != argv[*i + 1] && val != cores && val != unit_buf)
		free(val);
	if (ret == 0)
		return 1;
	if (ret == 2)
		return 2;
	(*i)++;
	return 0;
}

static int limits_done(const char *what, struct gridctl_limits *e,
		       uint32_t period, struct grid_limits *l)
{
	gridctl_limits_unlimited(l, period ? period : GRID_BUDGET_PERIOD_DEFAULT);
	if (period && (e->given & (1u << GRID_LIMITS_A_BUDGET_PERIOD_S)) &&
	    e->l.budget_period_s != period)
		return gridctl_usage(what, "'period' and a budget's '/PERIOD' disagree");
	gridctl_limits_apply(e, l);
	if (l->cpu_quota_us != GRID_LIMIT_MAX && l->cpu_quota_us < 1000)
		return gridctl_usage(what, "that much CPU is less than 1 ms per %" PRIu64 " us period",
				     (uint64_t)l->cpu_period_us);
	return 0;
}

/* A lease counts its budgets over its share's period: it names none. */
static int no_period(const char *what, const struct gridctl_limits *e,
		     uint32_t period)
{
	if (period || (e->given & (1u << GRID_LIMITS_A_BUDGET_PERIOD_S)))
		return gridctl_usage(what, "a lease's budgets count over its share's period: name a budget alone ('cpu-budget 1h'), without 'period' or '/PERIOD'");
	return 0;
}

int gridctl_lease_limits(const char *what, struct gridctl_limits *e,
			 uint32_t period, struct grid_limits *l)
{
	if (no_period(what, e, period) || limits_done(what, e, period, l))
		return 2;
	return 0;
}

static void show_limits(const struct grid_api_map *m)
{
	struct grid_obj_limits o;

	if (!grid_api_has(m, GRID_A_LIMITS))
		return;
	gridctl_limits_from(&o, grid_api_lim(m, GRID_A_LIMITS));
	gridctl_print_limits("limits", &o, NULL);
}

static void show_share(const struct grid_api_map *m)
{
	print_str(PRINT_ANY, "gridgrid", "%s", m->t[GRID_A_GRIDGRID]);
	print_u64(PRINT_ANY, "serial", " serial %" PRIu64, m->u[GRID_A_SERIAL]);
	show_limits(m);
	gridctl_print_hexkey("id", NULL, m->b[GRID_A_ID]);
	print_text("\n");
}

static int share_set(int argc, char **argv)
{
	const char *what = "gridctl share set";
	struct gridctl_limits e = { 0 };
	struct grid_limits l;
	struct grid_api_map a;
	struct grid_api_in in;
	uint32_t period = 0;
	int i, ret;

	if (argc < 2)
		return gridctl_usage(what, "gridctl share set GRIDGRID LIMITS");
	for (i = 1; i < argc; i++) {
		ret = gridctl_owner_limit(what, argc, argv, &i, &e, &period);
		if (ret == 1)
			return gridctl_usage(what, "unknown word '%s'", argv[i]);
		if (ret)
			return ret;
	}
	if (limits_done(what, &e, period, &l))
		return 2;
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_GRIDGRID, argv[0]);
	grid_api_set_lim(&a, GRID_A_LIMITS, &l);
	if (gridctl_call(what, GRID_OP_SHARE_SET, &a, &in))
		return 1;
	gridctl_print_items(&in, NULL, show_share);
	return gridctl_items_end(&in);
}

static int share_del(int argc, char **argv)
{
	struct grid_api_map a;
	struct grid_api_in in;

	if (argc != 1)
		return gridctl_usage("gridctl share del", "which grid-grid?");
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_GRIDGRID, argv[0]);
	if (gridctl_call("gridctl share del", GRID_OP_SHARE_DEL, &a, &in))
		return 1;
	grid_api_in_free(&in);
	return gridctl_done();
}

static int share_list(int argc, char **argv)
{
	struct grid_api_in in;

	(void)argv;
	if (argc)
		return gridctl_usage("gridctl share list", "takes no arguments");
	if (gridctl_call("gridctl share list", GRID_OP_SHARE_LIST, NULL, &in))
		return 1;
	gridctl_print_items(&in, "shares", show_share);
	return gridctl_items_end(&in);
}

int do_share_owner(int argc, char **argv)
{
	static const struct gridctl_cmd cmds[] = {
		{ "set", share_set, "GRIDGRID LIMITS" },
		{ "del", share_del, "GRIDGRID" },
		{ "list", share_list, "" },
		{ NULL, NULL, NULL },
	};

	return gridctl_dispatch("gridctl share", cmds, argc, argv);
}

static bool with_token;

static void show_lease(const struct grid_api_map *m)
{
	print_u64(PRINT_ANY, "id", "%" PRIu64, m->u[GRID_A_LEASE_ID]);
	print_u64(PRINT_ANY, "serial", " serial %" PRIu64, m->u[GRID_A_SERIAL]);
	if (grid_api_has(m, GRID_A_ROLE))
		print_str(PRINT_ANY, "role", " %s", m->t[GRID_A_ROLE]);
	if (grid_api_has(m, GRID_A_STATE))
		print_str(PRINT_ANY, "state", " %s", m->t[GRID_A_STATE]);
	print_str(PRINT_ANY, "gridgrid", " gridgrid %s", m->t[GRID_A_GRIDGRID]);
	if (grid_api_has(m, GRID_A_NOT_AFTER))
		gridctl_print_time("not_after", " until %s",
				   (int64_t)m->u[GRID_A_NOT_AFTER] * GRID_NSEC_PER_SEC);
	if (grid_api_has(m, GRID_A_HOLDER_KEY))
		gridctl_print_hexkey("holder", "\n\tholder %s", m->b[GRID_A_HOLDER_KEY]);
	if (grid_api_has(m, GRID_A_ISSUER))
		gridctl_print_hexkey("issuer", NULL, m->b[GRID_A_ISSUER]);
	show_limits(m);
	gridctl_print_hexkey("record", NULL, m->b[GRID_A_ID]);
	print_text("\n");
	if (with_token && grid_api_has(m, GRID_A_TOKEN))
		print_str(PRINT_ANY, "token", "%s\n", m->t[GRID_A_TOKEN]);
}

static int lease_issue(int argc, char **argv)
{
	const char *what = "gridctl lease issue";
	struct gridctl_limits e = { 0 };
	struct grid_limits l;
	struct grid_api_map a;
	struct grid_api_in in;
	uint32_t period = 0;
	uint64_t secs;
	int64_t from;
	int i, ret;

	if (argc < 3 || strcmp(argv[1], "to"))
		return gridctl_usage(what, "gridctl lease issue GRIDGRID to AGENT-OR-KEY LIMITS for DURATION [from TIME]");
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_GRIDGRID, argv[0]);
	grid_api_set_t(&a, GRID_A_HOLDER, argv[2]);
	for (i = 3; i < argc; i++) {
		const char *v;

		if (!strcmp(argv[i], "for")) {
			v = gridctl_value(what, argc, argv, &i);
			if (!v || gridctl_seconds(what, "for", v, &secs))
				return 2;
			grid_api_set_u(&a, GRID_A_SECONDS, secs);
			continue;
		}
		if (!strcmp(argv[i], "from")) {
			v = gridctl_value(what, argc, argv, &i);
			if (!v || gridctl_time(what, "from", v, &from))
				return 2;
			grid_api_set_u(&a, GRID_A_NOT_BEFORE, from / GRID_NSEC_PER_SEC);
			continue;
		}
		ret = gridctl_owner_limit(what, argc, argv, &i, &e, &period);
		if (ret == 1)
			return gridctl_usage(what, "unknown word '%s'", argv[i]);
		if (ret)
			return ret;
	}
	if (!grid_api_has(&a, GRID_A_SECONDS))
		return gridctl_usage(what, "for how long? ... for DURATION");
	if (gridctl_lease_limits(what, &e, period, &l))
		return 2;
	grid_api_set_lim(&a, GRID_A_LIMITS, &l);
	if (gridctl_call(what, GRID_OP_LEASE_ISSUE, &a, &in))
		return 1;
	with_token = true;
	gridctl_print_items(&in, NULL, show_lease);
	return gridctl_items_end(&in);
}

void gridctl_lease_request_args(struct grid_api_map *a, const char *gridgrid,
				const char *provider, uint64_t secs,
				const struct grid_limits *l, uint8_t req[16])
{
	grid_api_set_t(a, GRID_A_GRIDGRID, gridgrid);
	grid_api_set_t(a, GRID_A_PROVIDER, provider);
	grid_api_set_u(a, GRID_A_SECONDS, secs);
	grid_api_set_lim(a, GRID_A_LIMITS, l);
	randombytes_buf(req, 16);
	grid_api_set_b(a, GRID_A_REQUEST, req, 16);
}

/*
 * gridctl lease request GRIDGRID on GRID LIMITS for DURATION [as AGENT]:
 * gridd asks the provider over the network and waits for its answer.
 * The request's id is made here, so that gridd can tell it from another.
 */
static int lease_request(int argc, char **argv)
{
	const char *what = "gridctl lease request";
	struct gridctl_limits e = { 0 };
	uint8_t req[16];
	struct grid_limits l;
	struct grid_api_map a;
	struct grid_api_in in;
	uint32_t period = 0;
	uint64_t secs = 0;
	int i, ret;

	if (argc < 3 || strcmp(argv[1], "on"))
		return gridctl_usage(what, "gridctl lease request GRIDGRID on GRID LIMITS for DURATION [as AGENT]");
	grid_api_map_init(&a);
	for (i = 3; i < argc; i++) {
		const char *v;

		if (!strcmp(argv[i], "for")) {
			v = gridctl_value(what, argc, argv, &i);
			if (!v || gridctl_seconds(what, "for", v, &secs))
				return 2;
			continue;
		}
		if (!strcmp(argv[i], "as")) {
			v = gridctl_value(what, argc, argv, &i);
			if (!v)
				return 2;
			grid_api_set_t(&a, GRID_A_HOLDER, v);
			continue;
		}
		ret = gridctl_owner_limit(what, argc, argv, &i, &e, &period);
		if (ret == 1)
			return gridctl_usage(what, "unknown word '%s'", argv[i]);
		if (ret)
			return ret;
	}
	if (!secs)
		return gridctl_usage(what, "for how long? ... for DURATION");
	if (gridctl_lease_limits(what, &e, period, &l))
		return 2;
	gridctl_lease_request_args(&a, argv[0], argv[2], secs, &l, req);
	if (gridctl_call(what, GRID_OP_LEASE_REQUEST, &a, &in))
		return 1;
	with_token = true;
	gridctl_print_items(&in, NULL, show_lease);
	return gridctl_items_end(&in);
}

static int lease_renew(int argc, char **argv)
{
	const char *what = "gridctl lease renew";
	struct gridctl_limits e = { 0 };
	uint8_t req[16];
	struct grid_limits l;
	struct grid_api_map a;
	struct grid_api_in in;
	uint32_t period = 0;
	uint64_t id, secs;
	int i, ret;

	if (argc < 1 || gridctl_u64(what, "lease", argv[0], &id))
		return argc < 1 ? gridctl_usage(what, "gridctl lease renew ID [for DURATION] [LIMITS]") : 2;
	grid_api_map_init(&a);
	grid_api_set_u(&a, GRID_A_LEASE_ID, id);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "for")) {
			const char *v = gridctl_value(what, argc, argv, &i);

			if (!v || gridctl_seconds(what, "for", v, &secs))
				return 2;
			grid_api_set_u(&a, GRID_A_SECONDS, secs);
			continue;
		}
		ret = gridctl_owner_limit(what, argc, argv, &i, &e, &period);
		if (ret == 1)
			return gridctl_usage(what, "unknown word '%s'", argv[i]);
		if (ret)
			return ret;
	}
	if (e.given || period) {
		if (gridctl_lease_limits(what, &e, period, &l))
			return 2;
		grid_api_set_lim(&a, GRID_A_LIMITS, &l);
	}
	/* A lease held is renewed by its provider: the request's id. */
	randombytes_buf(req, sizeof(req));
	grid_api_set_b(&a, GRID_A_REQUEST, req, sizeof(req));
	if (gridctl_call(what, GRID_OP_LEASE_RENEW, &a, &in))
		return 1;
	with_token = true;
	gridctl_print_items(&in, NULL, show_lease);
	return gridctl_items_end(&in);
}

static int lease_revoke(int argc, char **argv)
{
	const char *what = "gridctl lease revoke";
	struct grid_api_map a;
	struct grid_api_in in;
	uint64_t id;
	int i;

	if (argc < 1)
		return gridctl_usage(what, "gridctl lease revoke ID [reason TEXT]");
	if (gridctl_u64(what, "lease", argv[0], &id))
		return 2;
	grid_api_map_init(&a);
	grid_api_set_u(&a, GRID_A_LEASE_ID, id);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "reason")) {
			const char *v = gridctl_value(what, argc, argv, &i);

			if (!v)
				return 2;
			grid_api_set_t(&a, GRID_A_REASON, v);
		} else {
			return gridctl_usage(what, "unknown word '%s'", argv[i]);
		}
	}
	if (gridctl_call(what, GRID_OP_LEASE_REVOKE, &a, &in))
		return 1;
	grid_api_in_free(&in);
	return gridctl_done();
}

static int lease_import(int argc, char **argv)
{
	const char *what = "gridctl lease import";
	struct grid_api_map a;
	struct grid_api_in in;
	char *buf = NULL;
	size_t cap = 0;
	const char *tok;
	int ret;

	if (argc != 1)
		return gridctl_usage(what, "gridctl lease import TOKEN (or - to read it)");
	tok = argv[0];
	if (!strcmp(tok, "-")) {
		if (getline(&buf, &cap, stdin) <= 0)
			return gridctl_usage(what, "no token on stdin");
		tok = buf;
	}
	grid_api_map_init(&a);
	grid_api_set_t(&a, GRID_A_TOKEN, tok);
	ret = gridctl_call(what, GRID_OP_LEASE_IMPORT, &a, &in);
	free(buf);
	if (ret)
		return 1;
	gridctl_print_items(&in, NULL, show_lease);
	return gridctl_items_end(&in);
}

static int lease_list(int argc, char **argv)
{
	const char *what = "gridctl lease list";
	struct grid_api_map a;
	struct grid_api_in in;
	uint64_t off = 0;
	bool more;
	int ret = 0;

	(void)argv;
	if (argc)
		return gridctl_usage(what, "takes no arguments");
	grid_api_map_init(&a);
	print_start(stdout, gridctl_json, gridctl_pretty);
	print_arr_open("leases");
	do {
		uint32_t k;

		grid_api_set_u(&a, GRID_A_OFFSET, off);
		if (gridctl_call(what, GRID_OP_LEASE_LIST, &a, &in)) {
			ret = 1;
			break;
		}
		for (k = 0; k < in.n_items; k++) {
			if (print_is_json())
				print_obj_open(NULL);
			show_lease(&in.items[k]);
			if (print_is_json())
				print_obj_close();
		}
		off += in.n_items;
		more = in.more && in.n_items;
		grid_api_in_free(&in);
	} while (more);
	print_arr_close();
	if (print_end())
		ret = 1;
	return ret;
}

int do_lease_owner(int argc, char **argv)
{
	static const struct gridctl_cmd cmds[] = {
		{ "issue", lease_issue, "GRIDGRID to AGENT-OR-KEY LIMITS for DURATION [from TIME]" },
		{ "request", lease_request, "GRIDGRID on GRID LIMITS for DURATION [as AGENT]" },
		{ "renew", lease_renew, "ID [for DURATION] [LIMITS]" },
		{ "revoke", lease_revoke, "ID [reason TEXT]" },
		{ "import", lease_import, "TOKEN" },
		{ "list", lease_list, "" },
		{ NULL, NULL, NULL },
	};

	return gridctl_dispatch("gridctl lease", cmds, argc, argv);
}
