// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "units.h"

typedef unsigned __int128 u128;

#define NS	1ULL
#define US	1000ULL
#define MS	1000000ULL
#define SEC	1000000000ULL
#define FRAC_DIGITS_MAX 18

struct unit {
	const char *name;
	uint64_t mult;
};

static const struct unit size_units[] = {
	{ "", 1 },
	{ "K", 1ULL << 10 }, { "KiB", 1ULL << 10 },
	{ "M", 1ULL << 20 }, { "MiB", 1ULL << 20 },
	{ "G", 1ULL << 30 }, { "GiB", 1ULL << 30 },
	{ "T", 1ULL << 40 }, { "TiB", 1ULL << 40 },
	{ NULL, 0 },
};

static const struct unit bit_units[] = {
	{ "bit", 1 },
	{ "kbit", 1000ULL },
	{ "mbit", 1000000ULL },
	{ "gbit", 1000000000ULL },
	{ "tbit", 1000000000000ULL },
	{ NULL, 0 },
};

static const struct unit duration_units[] = {
	{ "", SEC },
	{ "ns", NS }, { "us", US }, { "ms", MS }, { "s", SEC },
	{ "m", 60 * SEC }, { "min", 60 * SEC },
	{ "h", 3600 * SEC }, { "d", 86400 * SEC },
	{ NULL, 0 },
};

static const struct unit core_units[] = {
	{ "", SEC },
	{ NULL, 0 },
};

static const struct unit *find_unit(const struct unit *units, const char *s,
				    bool nocase)
{
	for (; units->name; units++)
		if (nocase ? !strcasecmp(units->name, s) : !strcmp(units->name, s))
			return units;
	return NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * "<digits>[.<digits>]<unit>", the unit one of @units. The value is the
 * number times the unit's multiplier, rounded toward zero. A fraction needs
 * a unit bigger than the smallest one: "1.5" bytes is a typo, not a size.
 */
static int parse_scaled(const char *s, const struct unit *units, bool nocase,
			u128 *out)
{
	const struct unit *u;
	u128 ip = 0, v, div = 1;
	uint64_t frac = 0;
	bool big = false;
	int nfrac = 0;

	if (!is_digit(*s))
		return -EINVAL;
	for (; is_digit(*s); s++) {
		ip = ip * 10 + (unsigned int)(*s - '0');
		if (ip > UINT64_MAX) {
			big = true;
			ip = UINT64_MAX;
		}
	}
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return -EINVAL;
		for (; is_digit(*s); s++) {
			if (++nfrac > FRAC_DIGITS_MAX)
				return -EINVAL;
			frac = frac * 10 + (unsigned int)(*s - '0');
			div *= 10;
		}
	}
	u = find_unit(units, s, nocase);
	if (!u || (nfrac && u->mult == 1))
		return -EINVAL;
	if (big)
		return -ERANGE;
	v = ip * u->mult + (u128)frac * u->mult / div;
	/* A figure that rounds to 0 would read as no limit at all. */
	if (v > UINT64_MAX || (!v && (ip || frac)))
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_u64_units(const char *s, const struct unit *units,
			   bool nocase, bool max_ok, uint64_t *out)
{
	u128 v;
	int ret;

	if (max_ok && !strcmp(s, "max")) {
		*out = GRID_LIMIT_MAX;
		return 0;
	}
	ret = parse_scaled(s, units, nocase, &v);
	if (!ret)
		*out = (uint64_t)v;
	return ret;
}

int grid_parse_u64(const char *s, uint64_t *out)
{
	static const struct unit none[] = { { "", 1 }, { NULL, 0 } };

	return parse_u64_units(s, none, false, false, out);
}

int grid_parse_count(const char *s, uint64_t *out)
{
	if (!strcmp(s, "max")) {
		*out = GRID_LIMIT_MAX;
		return 0;
	}
	return grid_parse_u64(s, out);
}

int grid_parse_size(const char *s, uint64_t *bytes)
{
	return parse_u64_units(s, size_units, true, true, bytes);
}

int grid_parse_rate(const char *s, uint64_t *bytes_per_s)
{
	char word[64];
	size_t n = strlen(s);
	bool per_s = n > 2 && !strcmp(s + n - 2, "/s");
	u128 bits;
	int ret;

	if (!strcmp(s, "max")) {
		*bytes_per_s = GRID_LIMIT_MAX;
		return 0;
	}
	if (per_s)
		n -= 2;
	if (n >= sizeof(word))
		return -EINVAL;
	memcpy(word, s, n);
	word[n] = '\0';
	ret = parse_scaled(word, bit_units, true, &bits);
	/* Less than a byte a second would round to 0, which is no limit. */
	if (!ret && bits && bits < 8)
		return -ERANGE;
	if (!ret) {
		*bytes_per_s = (uint64_t)(bits / 8);
		return 0;
	}
	/* A size alone is ambiguous (tc reads bare numbers as bits): want "/s". */
	if (ret != -EINVAL || !per_s)
		return ret;
	return parse_u64_units(word, size_units, true, false, bytes_per_s);
}

int grid_parse_duration(const char *s, uint64_t *ns)
{
	return parse_u64_units(s, duration_units, false, true, ns);
}

int grid_parse_cores(const char *s, uint64_t *nanocores)
{
	return parse_u64_units(s, core_units, false, true, nanocores);
}

/* Reads exactly @n digits. */
static int fixed_digits(const char **p, int n, int *out)
{
	int v = 0;

	while (n--) {
		if (!is_digit(**p))
			return -EINVAL;
		v = v * 10 + (*(*p)++ - '0');
	}
	*out = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -EINVAL;
	(*p)++;
	return 0;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era;
	unsigned int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* YYYY-MM-DD[Tt ]HH:MM:SS[.frac](Z|z|+HH:MM|-HH:MM) */
static int parse_rfc3339(const char *s, int64_t *ns)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p = s;
	int64_t frac = 0, scale = GRID_NSEC_PER_SEC, t;
	int nfrac = 0;

	if (fixed_digits(&p, 4, &y) || expect(&p, '-') ||
	    fixed_digits(&p, 2, &mo) || expect(&p, '-') ||
	    fixed_digits(&p, 2, &d))
		return -EINVAL;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -EINVAL;
	p++;
	if (fixed_digits(&p, 2, &h) || expect(&p, ':') ||
	    fixed_digits(&p, 2, &mi) || expect(&p, ':') ||
	    fixed_digits(&p, 2, &sec))
		return -EINVAL;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return -EINVAL;
		for (; is_digit(*p); p++) {
			/* Digits past nanoseconds are dropped, not rounded. */
			if (++nfrac > 9)
				continue;
			scale /= 10;
			frac += (*p - '0') * scale;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (fixed_digits(&p, 2, &oh) || expect(&p, ':') ||
		    fixed_digits(&p, 2, &om) || oh > 23 || om > 59)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
		return -EINVAL;
	if (d > mdays[mo - 1] + (mo == 2 && is_leap(y)))
		return -EINVAL;
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    sign * (oh * 3600 + om * 60);
	if (t > INT64_MAX / GRID_NSEC_PER_SEC - 1 ||
	    t < INT64_MIN / GRID_NSEC_PER_SEC + 1)
		return -ERANGE;
	*ns = t * GRID_NSEC_PER_SEC + frac;
	return 0;
}

int grid_parse_time(const char *s, int64_t now_ns, int64_t *ns)
{
	u128 v;
	int ret;

	if (!strcmp(s, "now")) {
		*ns = now_ns;
		return 0;
	}
	if (*s == '+' || *s == '-') {
		ret = parse_scaled(s + 1, duration_units, false, &v);
		if (ret)
			return ret;
		if (v > INT64_MAX)
			return -ERANGE;
		if (*s == '+' ? __builtin_add_overflow(now_ns, (int64_t)v, ns) :
				__builtin_sub_overflow(now_ns, (int64_t)v, ns))
			return -ERANGE;
		return 0;
	}
	if (*s == '@') {
		ret = parse_scaled(s + 1, core_units, false, &v);
		if (ret)
			return ret;
		if (v > INT64_MAX)
			return -ERANGE;
		*ns = (int64_t)v;
		return 0;
	}
	return parse_rfc3339(s, ns);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int grid_parse_key(const char *s, uint8_t key[GRID_KEY_LEN])
{
	uint8_t k[GRID_KEY_LEN], any = 0;
	int i, hi, lo;

	if (strlen(s) != GRID_KEY_HEX_LEN)
		return -EINVAL;
	for (i = 0; i < GRID_KEY_LEN; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		k[i] = (uint8_t)(hi << 4 | lo);
		any |= k[i];
	}
	/* The kernel refuses an all-zero key too; say so before asking it. */
	if (!any)
		return -EINVAL;
	memcpy(key, k, GRID_KEY_LEN);
	return 0;
}

int grid_parse_name(const char *s, char name[GRID_NAME_LEN])
{
	size_t i, n = strlen(s);

	if (n < 1 || n >= GRID_NAME_LEN)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '.' ||
		      c == '_' || c == '-'))
			return -EINVAL;
	}
	/* Names become cgroup directories; these two would not be new ones. */
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return -EINVAL;
	memset(name, 0, GRID_NAME_LEN);
	memcpy(name, s, n);
	return 0;
}

uint64_t grid_cpu_nanocores(uint64_t quota_us, uint64_t period_us)
{
	u128 v;

	if (quota_us == GRID_LIMIT_MAX || !period_us)
		return GRID_LIMIT_MAX;
	v = (u128)quota_us * SEC / period_us;
	return v >= GRID_LIMIT_MAX ? GRID_LIMIT_MAX : (uint64_t)v;
}

uint64_t grid_cpu_quota_us(uint64_t nanocores, uint64_t period_us)
{
	u128 v;

	if (nanocores == GRID_LIMIT_MAX)
		return GRID_LIMIT_MAX;
	v = (u128)nanocores * period_us / SEC;
	return v >= GRID_LIMIT_MAX ? GRID_LIMIT_MAX : (uint64_t)v;
}

/* "<whole>.<fraction>" with the fraction's trailing zeros cut, then @unit. */
static const char *decimal(char *buf, size_t len, uint64_t whole,
			   uint64_t frac, int digits, bool keep_one,
			   const char *unit)
{
	char f[24];
	int n;

	n = snprintf(f, sizeof(f), "%0*" PRIu64, digits, frac);
	while (n > (keep_one ? 1 : 0) && f[n - 1] == '0')
		f[--n] = '\0';
	if (n)
		snprintf(buf, len, "%" PRIu64 ".%s%s", whole, f, unit);
	else
		snprintf(buf, len, "%" PRIu64 "%s", whole, unit);
	return buf;
}

const char *grid_format_size(char *buf, size_t len, uint64_t bytes)
{
	static const struct unit units[] = {
		{ "T", 1ULL << 40 }, { "G", 1ULL << 30 },
		{ "M", 1ULL << 20 }, { "K", 1ULL << 10 },
	};
	size_t i;

	if (bytes == GRID_LIMIT_MAX) {
		snprintf(buf, len, "max");
		return buf;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		uint64_t u = units[i].mult;

		if (bytes >= u)
			return decimal(buf, len, bytes / u,
				       (bytes % u) * 100 / u, 2, false,
				       units[i].name);
	}
	snprintf(buf, len, "%" PRIu64, bytes);
	return buf;
}

const char *grid_format_rate(char *buf, size_t len, uint64_t bps)
{
	char s[GRID_FMT_LEN];

	if (bps == GRID_LIMIT_MAX)
		snprintf(buf, len, "max");
	else
		snprintf(buf, len, "%s/s", grid_format_size(s, sizeof(s), bps));
	return buf;
}

const char *grid_format_duration(char *buf, size_t len, uint64_t ns)
{
	static const struct unit units[] = {
		{ "d", 86400 * SEC }, { "h", 3600 * SEC }, { "m", 60 * SEC },
		{ "s", SEC }, { "ms", MS }, { "us", US }, { "ns", NS },
	};
	size_t i;

	if (ns == GRID_LIMIT_MAX) {
		snprintf(buf, len, "max");
		return buf;
	}
	if (!ns) {
		snprintf(buf, len, "0s");
		return buf;
	}
	/* The biggest unit that says it exactly, so the text parses back. */
	for (i = 0; ns % units[i].mult; i++)
		;
	snprintf(buf, len, "%" PRIu64 "%s", ns / units[i].mult, units[i].name);
	return buf;
}

const char *grid_format_cores(char *buf, size_t len, uint64_t nanocores)
{
	if (nanocores == GRID_LIMIT_MAX) {
		snprintf(buf, len, "max");
		return buf;
	}
	return decimal(buf, len, nanocores / SEC, nanocores % SEC / MS, 3,
		       true, "");
}

const char *grid_format_time(char *buf, size_t len, int64_t ns)
{
	int64_t s = ns / GRID_NSEC_PER_SEC, frac = ns % GRID_NSEC_PER_SEC;
	char f[16] = "";
	time_t t;
	struct tm tm;

	if (frac < 0) {
		frac += GRID_NSEC_PER_SEC;
		s--;
	}
	t = (time_t)s;
	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, len, "@%" PRId64, s);
		return buf;
	}
	if (frac) {
		int n = snprintf(f, sizeof(f), ".%09" PRId64, frac);

		while (f[n - 1] == '0')
			f[--n] = '\0';
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%sZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, f);
	return buf;
}

const char *grid_format_key(char *buf, size_t len,
			    const uint8_t key[GRID_KEY_LEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	if (len < GRID_KEY_HEX_LEN + 1) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	for (i = 0; i < GRID_KEY_LEN; i++) {
		buf[2 * i] = hex[key[i] >> 4];
		buf[2 * i + 1] = hex[key[i] & 15];
	}
	buf[GRID_KEY_HEX_LEN] = '\0';
	return buf;
}

const char *grid_format_limit(char *buf, size_t len, uint32_t attr,
			      uint64_t v)
{
	switch (attr) {
	case GRID_LIMITS_A_CPU_RATE:
		return grid_format_cores(buf, len, v);
	case GRID_LIMITS_A_CPU_BUDGET_US:
		if (v != GRID_LIMIT_MAX && v > GRID_LIMIT_MAX / US)
			v = GRID_LIMIT_MAX;
		return grid_format_duration(buf, len,
					    v == GRID_LIMIT_MAX ? v : v * US);
	case GRID_LIMITS_A_BUDGET_PERIOD_S:
		return grid_format_duration(buf, len, v * SEC);
	case GRID_LIMITS_A_MEMORY:
	case GRID_LIMITS_A_NET_EGRESS_BUDGET:
	case GRID_LIMITS_A_NET_INGRESS_BUDGET:
		return grid_format_size(buf, len, v);
	case GRID_LIMITS_A_NET_EGRESS_RATE:
	case GRID_LIMITS_A_NET_INGRESS_RATE:
		return grid_format_rate(buf, len, v);
	default:
		if (v == GRID_LIMIT_MAX)
			snprintf(buf, len, "max");
		else
			snprintf(buf, len, "%" PRIu64, v);
		return buf;
	}
}
