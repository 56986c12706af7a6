// SPDX-License-Identifier: GPL-2.0
/*
 * Printing that several objects share: keys, times, limits and lists.
 * JSON gets raw numbers (times as Unix seconds and as *_ns), text gets the
 * same values as the words gridctl reads, so text can be pasted back.
 */
#include <inttypes.h>
#include <string.h>

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

/*
 * A measured time, rounded to what a person reads: "850us", "1.25s",
 * "2m05s", "3h12m". (grid_format_duration() writes limits exactly, so
 * that they parse back; a measurement needs no such thing.)
 */
const char *gridctl_fmt_elapsed(char *buf, size_t len, uint64_t ns)
{
	static const struct { const char *name; uint64_t ns; } u[] = {
		{ "s", 1000000000ULL }, { "ms", 1000000ULL }, { "us", 1000ULL },
	};
	uint64_t s = ns / GRID_NSEC_PER_SEC;
	double v;
	size_t i;
	int n;

	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400,
			 s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s % 3600 / 60);
	else if (s >= 60)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (ns < 1000)
		snprintf(buf, len, "%" PRIu64 "ns", ns);
	else {
		for (i = 0; ns < u[i].ns; i++)
			;
		v = (double)ns / u[i].ns;
		n = snprintf(buf, len, "%.*f", v < 10 ? 2 : v < 100 ? 1 : 0, v);
		while (n > 1 && strchr(buf, '.') &&
		       (buf[n - 1] == '0' || buf[n - 1] == '.'))
			buf[--n] = '\0';
		snprintf(buf + n, len - n, "%s", u[i].name);
	}
	return buf;
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

/*
 * Whether @p starts a UTF-8 sequence that is well formed and not a C1
 * control (U+0080 to U+009F): its length, or 0. As RFC 3629 has it: no
 * overlong forms, no surrogates, nothing past U+10FFFF.
 */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xc2 && p[1] <= 0x9f) || (p[0] == 0xe0 && p[1] < 0xa0) ||
	    (p[0] == 0xed && p[1] > 0x9f) || (p[0] == 0xf0 && p[1] < 0x90) ||
	    (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

char *gridctl_clean(char *dst, size_t len, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t at = 0, n;

	if (!len)
		return dst;
	/* Never longer than @src: @dst may be @src itself. */
	while (*s && at + 1 < len) {
		n = *s >= 0x80 ? utf8_len(s) : 1;
		if (n > 1 && at + n < len) {
			memmove(dst + at, s, n);
			at += n;
			s += n;
			continue;
		}
		if (n > 1)
			break;
		dst[at++] = n && *s >= 0x20 && *s != 0x7f ? (char)*s : '?';
		s++;
	}
	dst[at] = '\0';
	return dst;
}

void gridctl_print_said(const char *key, const char *text_fmt, const char *s)
{
	char buf[GRID_API_TEXT_MAX + 1];

	print_str(PRINT_JSON, key, NULL, s);
	print_str(PRINT_TEXT, NULL, text_fmt, gridctl_clean(buf, sizeof(buf), s));
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
