/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Human values: what people type and what they read. Parsers return 0,
 * -EINVAL for a word they do not understand or -ERANGE for one too large;
 * the caller says which word was wrong. "max" is GRID_LIMIT_MAX, no limit,
 * wherever a limit may be unlimited. Formatters write into @buf (at least
 * GRID_FMT_LEN bytes; keys GRID_KEY_HEX_LEN + 1) and return it.
 */
#ifndef GRID_UNITS_H
#define GRID_UNITS_H

#include <stddef.h>
#include <stdint.h>
#include <linux/grid.h>

#define GRID_FMT_LEN		48
#define GRID_KEY_HEX_LEN	(2 * GRID_KEY_LEN)
#define GRID_NSEC_PER_SEC	1000000000LL
#define GRID_CPU_PERIOD_DEFAULT	100000		/* us, as cgroup v2's cpu.max */
#define GRID_CPU_PERIOD_MIN	1000
#define GRID_CPU_PERIOD_MAX	1000000
#define GRID_BUDGET_PERIOD_DEFAULT 86400	/* s: a day */

/* Plain decimal digits, no sign, no unit. */
int grid_parse_u64(const char *s, uint64_t *out);
/* Decimal digits or "max". */
int grid_parse_count(const char *s, uint64_t *out);
/* Bytes: "1048576", "512M", "1.5G", "2GiB"; K M G T are binary; "max". */
int grid_parse_size(const char *s, uint64_t *bytes);
/* Bytes per second: "5M/s" (a size per second) or "40mbit" (decimal bits); "max". */
int grid_parse_rate(const char *s, uint64_t *bytes_per_s);
/* Nanoseconds: "100ms", "90s", "10m", "24h", "1d", "1.5h"; a bare number is seconds; "max". */
int grid_parse_duration(const char *s, uint64_t *ns);
/* CPU cores in nanocores: "1.5", "0.25", "4"; "max". */
int grid_parse_cores(const char *s, uint64_t *nanocores);
/*
 * A wall-clock time in CLOCK_REALTIME nanoseconds: "now", "+1h", "-90s"
 * (from @now_ns), "@1795600000" (Unix seconds) or RFC 3339
 * "2026-11-25T12:00:00Z", "2026-11-25T13:00:00.5+01:00".
 */
int grid_parse_time(const char *s, int64_t now_ns, int64_t *ns);
/* Exactly 64 hex digits, not all zero. */
int grid_parse_key(const char *s, uint8_t key[GRID_KEY_LEN]);
/* [a-z0-9._-]{1,31}, not "." or ".."; NUL-padded into @name. */
int grid_parse_name(const char *s, char name[GRID_NAME_LEN]);

/* cpu_quota_us per cpu_period_us in nanocores, as the kernel admits CPU. */
uint64_t grid_cpu_nanocores(uint64_t quota_us, uint64_t period_us);
/* The quota that gives @nanocores in @period_us, rounded down. */
uint64_t grid_cpu_quota_us(uint64_t nanocores, uint64_t period_us);

const char *grid_format_size(char *buf, size_t len, uint64_t bytes);	/* "1.5G" */
const char *grid_format_rate(char *buf, size_t len, uint64_t bps);	/* "5M/s" */
const char *grid_format_duration(char *buf, size_t len, uint64_t ns);	/* "90s" */
const char *grid_format_cores(char *buf, size_t len, uint64_t nanocores); /* "1.5" */
/* RFC 3339 in UTC: "2026-11-25T12:00:00Z". */
const char *grid_format_time(char *buf, size_t len, int64_t ns);
const char *grid_format_key(char *buf, size_t len,
			    const uint8_t key[GRID_KEY_LEN]);
/* @v of GRID_LIMITS_A_@attr in the unit people read it in. */
const char *grid_format_limit(char *buf, size_t len, uint32_t attr,
			      uint64_t v);

#endif
