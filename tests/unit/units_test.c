// SPDX-License-Identifier: GPL-2.0
/* Human values: sizes, rates, durations, cores, times, keys and names. */
#define UNIT_SUITE "unit/units"
#include <errno.h>
#include <stdint.h>

#include "unit.h"
#include "units.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define TiB (1ULL << 40)
#define SEC 1000000000ULL
#define NOW 1795600000LL * 1000000000LL

static uint64_t v;
static int64_t t;
static char buf[GRID_FMT_LEN];

/* ---- sizes ---------------------------------------------------------- */

TEST(a_plain_number_is_a_count_of_bytes)
{
	CHECK(grid_parse_size("1048576", &v) == 0 && v == 1048576);
	CHECK(grid_parse_size("0", &v) == 0 && v == 0);
}

TEST(size_suffixes_are_binary)
{
	CHECK(grid_parse_size("4K", &v) == 0 && v == 4 * KiB);
	CHECK(grid_parse_size("512M", &v) == 0 && v == 512 * MiB);
	CHECK(grid_parse_size("2G", &v) == 0 && v == 2 * GiB);
	CHECK(grid_parse_size("3T", &v) == 0 && v == 3 * TiB);
}

TEST(iec_suffixes_mean_the_same_as_the_short_ones)
{
	CHECK(grid_parse_size("4KiB", &v) == 0 && v == 4 * KiB);
	CHECK(grid_parse_size("512MiB", &v) == 0 && v == 512 * MiB);
	CHECK(grid_parse_size("2GiB", &v) == 0 && v == 2 * GiB);
	CHECK(grid_parse_size("1TiB", &v) == 0 && v == TiB);
}

TEST(lowercase_suffixes_are_accepted)
{
	CHECK(grid_parse_size("512m", &v) == 0 && v == 512 * MiB);
	CHECK(grid_parse_size("2gib", &v) == 0 && v == 2 * GiB);
}

TEST(a_fraction_with_a_suffix_is_exact)
{
	CHECK(grid_parse_size("1.5G", &v) == 0 && v == 1610612736ULL);
	CHECK(grid_parse_size("0.5K", &v) == 0 && v == 512);
	CHECK(grid_parse_size("0.25GiB", &v) == 0 && v == 256 * MiB);
}

TEST(a_fraction_that_is_not_whole_bytes_rounds_down)
{
	CHECK(grid_parse_size("1.1K", &v) == 0 && v == 1126);
}

TEST(a_fraction_of_a_byte_is_rejected)
{
	CHECK(grid_parse_size("1.5", &v) == -EINVAL);
}

TEST(max_is_no_limit)
{
	CHECK(grid_parse_size("max", &v) == 0 && v == GRID_LIMIT_MAX);
	CHECK(grid_parse_rate("max", &v) == 0 && v == GRID_LIMIT_MAX);
	CHECK(grid_parse_duration("max", &v) == 0 && v == GRID_LIMIT_MAX);
	CHECK(grid_parse_cores("max", &v) == 0 && v == GRID_LIMIT_MAX);
	CHECK(grid_parse_count("max", &v) == 0 && v == GRID_LIMIT_MAX);
}

TEST(a_plain_number_does_not_take_max)
{
	CHECK(grid_parse_u64("max", &v) == -EINVAL);
}

TEST(sizes_refuse_words_that_are_not_sizes)
{
	static const char *const bad[] = {
		"", "lots", "-1", "+1", " 1", "1 ", "1 G", "1GB", "1.", ".5",
		"1.5.5", "0x10", "1e3", "G", "1GG", "1Gi", "Max", "1,5G",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(grid_parse_size(bad[i], &v) == -EINVAL);
}

TEST(the_largest_size_that_fits_is_accepted)
{
	CHECK(grid_parse_size("18446744073709551615", &v) == 0 &&
	      v == UINT64_MAX);
	CHECK(grid_parse_size("16777215T", &v) == 0 && v == 16777215 * TiB);
}

TEST(a_size_past_64_bits_is_out_of_range)
{
	CHECK(grid_parse_size("18446744073709551616", &v) == -ERANGE);
	CHECK(grid_parse_size("16777216T", &v) == -ERANGE);
	CHECK(grid_parse_size("99999999999999999999999999G", &v) == -ERANGE);
}

TEST(a_failed_parse_leaves_the_value_alone)
{
	v = 42;
	CHECK(grid_parse_size("lots", &v) == -EINVAL && v == 42);
	CHECK(grid_parse_size("16777216T", &v) == -ERANGE && v == 42);
}

/* ---- rates ---------------------------------------------------------- */

TEST(a_size_per_second_is_bytes_per_second)
{
	CHECK(grid_parse_rate("5M/s", &v) == 0 && v == 5 * MiB);
	CHECK(grid_parse_rate("1048576/s", &v) == 0 && v == MiB);
	CHECK(grid_parse_rate("1.5KiB/s", &v) == 0 && v == 1536);
}

TEST(bit_rates_are_decimal_bits_per_second)
{
	CHECK(grid_parse_rate("40mbit", &v) == 0 && v == 5000000);
	CHECK(grid_parse_rate("1gbit", &v) == 0 && v == 125000000);
	CHECK(grid_parse_rate("100kbit/s", &v) == 0 && v == 12500);
	CHECK(grid_parse_rate("8bit", &v) == 0 && v == 1);
	CHECK(grid_parse_rate("1.5Mbit", &v) == 0 && v == 187500);
}

TEST(a_rate_needs_per_second_or_bits)
{
	CHECK(grid_parse_rate("5M", &v) == -EINVAL);
	CHECK(grid_parse_rate("5000", &v) == -EINVAL);
	CHECK(grid_parse_rate("5M/h", &v) == -EINVAL);
	CHECK(grid_parse_rate("/s", &v) == -EINVAL);
	CHECK(grid_parse_rate("fast", &v) == -EINVAL);
}

TEST(a_rate_past_64_bits_is_out_of_range)
{
	CHECK(grid_parse_rate("16777216T/s", &v) == -ERANGE);
}

/* 0 is "no limit" to the quotas: a rate must not round down to it. */
TEST(a_rate_below_one_byte_per_second_is_out_of_range)
{
	v = 42;
	CHECK(grid_parse_rate("7bit", &v) == -ERANGE && v == 42);
	CHECK(grid_parse_rate("1bit/s", &v) == -ERANGE && v == 42);
	CHECK(grid_parse_rate("0.5kbit", &v) == 0 && v == 62);
	/* Fractions that round to nothing, in any unit. */
	v = 42;
	CHECK(grid_parse_rate("0.0001kbit", &v) == -ERANGE && v == 42);
	CHECK(grid_parse_rate("0.0001K/s", &v) == -ERANGE && v == 42);
	CHECK(grid_parse_size("0.0001K", &v) == -ERANGE && v == 42);
	CHECK(grid_parse_rate("0/s", &v) == 0 && v == 0);
}

/* ---- durations ------------------------------------------------------ */

TEST(durations_take_the_usual_units)
{
	CHECK(grid_parse_duration("100ms", &v) == 0 && v == 100000000ULL);
	CHECK(grid_parse_duration("90s", &v) == 0 && v == 90 * SEC);
	CHECK(grid_parse_duration("10m", &v) == 0 && v == 600 * SEC);
	CHECK(grid_parse_duration("24h", &v) == 0 && v == 86400 * SEC);
	CHECK(grid_parse_duration("1d", &v) == 0 && v == 86400 * SEC);
	CHECK(grid_parse_duration("250us", &v) == 0 && v == 250000);
	CHECK(grid_parse_duration("7ns", &v) == 0 && v == 7);
}

TEST(a_bare_duration_is_seconds)
{
	CHECK(grid_parse_duration("30", &v) == 0 && v == 30 * SEC);
	CHECK(grid_parse_duration("0.5", &v) == 0 && v == SEC / 2);
}

TEST(a_fraction_of_an_hour_is_exact)
{
	CHECK(grid_parse_duration("1.5h", &v) == 0 && v == 5400 * SEC);
}

TEST(durations_refuse_unknown_units)
{
	CHECK(grid_parse_duration("10x", &v) == -EINVAL);
	CHECK(grid_parse_duration("h", &v) == -EINVAL);
	CHECK(grid_parse_duration("1.5ns", &v) == -EINVAL);
	CHECK(grid_parse_duration("10M", &v) == -EINVAL);
	CHECK(grid_parse_duration("-1s", &v) == -EINVAL);
}

TEST(a_duration_past_64_bits_of_nanoseconds_is_out_of_range)
{
	CHECK(grid_parse_duration("1000000d", &v) == -ERANGE);
}

/* ---- cores ---------------------------------------------------------- */

TEST(cores_are_read_in_nanocores)
{
	CHECK(grid_parse_cores("1.5", &v) == 0 && v == 1500000000ULL);
	CHECK(grid_parse_cores("4", &v) == 0 && v == 4 * SEC);
	CHECK(grid_parse_cores("0.25", &v) == 0 && v == 250000000ULL);
}

TEST(cores_refuse_signs_and_units)
{
	CHECK(grid_parse_cores("-1", &v) == -EINVAL);
	CHECK(grid_parse_cores("1.5c", &v) == -EINVAL);
	CHECK(grid_parse_cores("150%", &v) == -EINVAL);
}

TEST(cores_become_a_quota_in_the_period)
{
	CHECK(grid_cpu_quota_us(1500000000ULL, 100000) == 150000);
	CHECK(grid_cpu_quota_us(1500000000ULL, 50000) == 75000);
	CHECK(grid_cpu_quota_us(GRID_LIMIT_MAX, 100000) == GRID_LIMIT_MAX);
}

TEST(a_quota_in_its_period_is_nanocores)
{
	CHECK(grid_cpu_nanocores(150000, 100000) == 1500000000ULL);
	CHECK(grid_cpu_nanocores(50000, 1000000) == 50000000ULL);
	CHECK(grid_cpu_nanocores(GRID_LIMIT_MAX, 100000) == GRID_LIMIT_MAX);
	CHECK(grid_cpu_nanocores(1000, 0) == GRID_LIMIT_MAX);
}

/* ---- times ---------------------------------------------------------- */

TEST(now_is_the_time_given)
{
	CHECK(grid_parse_time("now", NOW, &t) == 0 && t == NOW);
}

TEST(relative_times_count_from_now)
{
	CHECK(grid_parse_time("+1h", NOW, &t) == 0 && t == NOW + 3600 * (int64_t)SEC);
	CHECK(grid_parse_time("+90s", NOW, &t) == 0 && t == NOW + 90 * (int64_t)SEC);
	CHECK(grid_parse_time("-90s", NOW, &t) == 0 && t == NOW - 90 * (int64_t)SEC);
}

TEST(an_at_sign_takes_unix_seconds)
{
	CHECK(grid_parse_time("@1795600000", 0, &t) == 0 &&
	      t == 1795600000LL * (int64_t)SEC);
	CHECK(grid_parse_time("@1795600000.5", 0, &t) == 0 &&
	      t == 1795600000LL * (int64_t)SEC + 500000000);
}

TEST(rfc3339_times_are_read_in_utc)
{
	CHECK(grid_parse_time("2026-11-25T12:00:00Z", 0, &t) == 0 &&
	      t == 1795608000LL * (int64_t)SEC);
	CHECK(grid_parse_time("2026-11-25t12:00:00z", 0, &t) == 0 &&
	      t == 1795608000LL * (int64_t)SEC);
	CHECK(grid_parse_time("1969-12-31T23:59:59Z", 0, &t) == 0 &&
	      t == -(int64_t)SEC);
}

TEST(rfc3339_offsets_and_fractions_are_honoured)
{
	CHECK(grid_parse_time("2026-11-25T13:00:00+01:00", 0, &t) == 0 &&
	      t == 1795608000LL * (int64_t)SEC);
	CHECK(grid_parse_time("2026-11-25T06:30:00-05:30", 0, &t) == 0 &&
	      t == 1795608000LL * (int64_t)SEC);
	CHECK(grid_parse_time("2026-11-25T12:00:00.25Z", 0, &t) == 0 &&
	      t == 1795608000LL * (int64_t)SEC + 250000000);
}

TEST(the_29th_of_february_exists_only_in_leap_years)
{
	CHECK(grid_parse_time("2028-02-29T00:00:00Z", 0, &t) == 0 &&
	      t == 1835395200LL * (int64_t)SEC);
	CHECK(grid_parse_time("2026-02-29T00:00:00Z", 0, &t) == -EINVAL);
	CHECK(grid_parse_time("2100-02-29T00:00:00Z", 0, &t) == -EINVAL);
	CHECK(grid_parse_time("2000-02-29T00:00:00Z", 0, &t) == 0);
}

TEST(times_refuse_what_is_not_a_time)
{
	static const char *const bad[] = {
		"", "tomorrow", "2026-11-25", "2026-11-25T12:00:00",
		"2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z",
		"2026-11-25T24:00:00Z", "2026-11-25T12:60:00Z",
		"2026-11-25T12:00:60Z", "2026-11-25T12:00:00+1:00",
		"26-11-25T12:00:00Z", "2026-11-25T12:00:00Zjunk",
		"+", "+1x", "@", "@-5", "2026-11-25T12:00:00.Z",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(grid_parse_time(bad[i], NOW, &t) == -EINVAL);
}

TEST(times_past_2262_are_out_of_range)
{
	CHECK(grid_parse_time("9999-12-31T23:59:59Z", 0, &t) == -ERANGE);
	CHECK(grid_parse_time("+100000d", NOW, &t) == -ERANGE);
	CHECK(grid_parse_time("@99999999999", 0, &t) == -ERANGE);
}

/* ---- keys and names --------------------------------------------------- */

#define KEY_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

TEST(a_key_is_exactly_64_hex_digits)
{
	uint8_t key[GRID_KEY_LEN];
	int i;

	CHECK(grid_parse_key(KEY_HEX, key) == 0);
	for (i = 0; i < GRID_KEY_LEN; i++)
		CHECK(key[i] == i);
	CHECK(grid_parse_key("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
			     key) == 0 && key[10] == 10);
}

TEST(a_key_of_the_wrong_length_or_alphabet_is_refused)
{
	uint8_t key[GRID_KEY_LEN];

	CHECK(grid_parse_key(KEY_HEX "0", key) == -EINVAL);
	CHECK(grid_parse_key(KEY_HEX + 1, key) == -EINVAL);
	CHECK(grid_parse_key("", key) == -EINVAL);
	CHECK(grid_parse_key("g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
			     key) == -EINVAL);
	CHECK(grid_parse_key(" 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
			     key) == -EINVAL);
}

TEST(an_all_zero_key_is_not_a_key)
{
	uint8_t key[GRID_KEY_LEN];

	CHECK(grid_parse_key("0000000000000000000000000000000000000000000000000000000000000000",
			     key) == -EINVAL);
}

TEST(a_key_formats_back_to_the_same_hex)
{
	uint8_t key[GRID_KEY_LEN];
	char hex[GRID_KEY_HEX_LEN + 1];

	CHECK(grid_parse_key(KEY_HEX, key) == 0);
	CHECK(!strcmp(grid_format_key(hex, sizeof(hex), key), KEY_HEX));
}

TEST(names_are_short_lowercase_words)
{
	char name[GRID_NAME_LEN];

	memset(name, 'x', sizeof(name));
	CHECK(grid_parse_name("clubhouse", name) == 0 &&
	      !strcmp(name, "clubhouse") && name[GRID_NAME_LEN - 1] == '\0');
	CHECK(grid_parse_name("a", name) == 0);
	CHECK(grid_parse_name("my-grid_2.0", name) == 0);
	CHECK(grid_parse_name("0123456789012345678901234567890", name) == 0);
}

TEST(names_refuse_other_characters_and_lengths)
{
	static const char *const bad[] = {
		"", "Clubhouse", "club house", "club/house", "clubhöuse",
		"01234567890123456789012345678901", ".", "..", "a\n",
	};
	char name[GRID_NAME_LEN];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(grid_parse_name(bad[i], name) == -EINVAL);
}

/* ---- formatting ----------------------------------------------------- */

TEST(sizes_format_in_the_biggest_binary_unit)
{
	CHECK(!strcmp(grid_format_size(buf, sizeof(buf), 1610612736ULL), "1.5G"));
	CHECK(!strcmp(grid_format_size(buf, sizeof(buf), 512 * MiB), "512M"));
	CHECK(!strcmp(grid_format_size(buf, sizeof(buf), 2 * GiB), "2G"));
	CHECK(!strcmp(grid_format_size(buf, sizeof(buf), 1536), "1.5K"));
	CHECK(!strcmp(grid_format_size(buf, sizeof(buf), 1000), "1000"));
	CHECK(!strcmp(grid_format_size(buf, sizeof(buf), 0), "0"));
	CHECK(!strcmp(grid_format_size(buf, sizeof(buf), GRID_LIMIT_MAX), "max"));
}

TEST(an_inexact_size_shows_two_decimals_rounded_down)
{
	CHECK(!strcmp(grid_format_size(buf, sizeof(buf), 5000000), "4.76M"));
	CHECK(!strcmp(grid_format_size(buf, sizeof(buf), 2 * GiB - 1), "1.99G"));
}

TEST(rates_format_as_sizes_per_second)
{
	CHECK(!strcmp(grid_format_rate(buf, sizeof(buf), 5 * MiB), "5M/s"));
	CHECK(!strcmp(grid_format_rate(buf, sizeof(buf), GRID_LIMIT_MAX), "max"));
}

TEST(durations_format_in_the_biggest_exact_unit)
{
	CHECK(!strcmp(grid_format_duration(buf, sizeof(buf), 90 * SEC), "90s"));
	CHECK(!strcmp(grid_format_duration(buf, sizeof(buf), 5400 * SEC), "90m"));
	CHECK(!strcmp(grid_format_duration(buf, sizeof(buf), 86400 * SEC), "1d"));
	CHECK(!strcmp(grid_format_duration(buf, sizeof(buf), 36 * 3600 * SEC), "36h"));
	CHECK(!strcmp(grid_format_duration(buf, sizeof(buf), 100000000ULL), "100ms"));
	CHECK(!strcmp(grid_format_duration(buf, sizeof(buf), 0), "0s"));
	CHECK(!strcmp(grid_format_duration(buf, sizeof(buf), GRID_LIMIT_MAX), "max"));
}

TEST(cores_format_with_at_least_one_decimal)
{
	CHECK(!strcmp(grid_format_cores(buf, sizeof(buf), 1500000000ULL), "1.5"));
	CHECK(!strcmp(grid_format_cores(buf, sizeof(buf), 2 * SEC), "2.0"));
	CHECK(!strcmp(grid_format_cores(buf, sizeof(buf), 250000000ULL), "0.25"));
	CHECK(!strcmp(grid_format_cores(buf, sizeof(buf), 1333333333ULL), "1.333"));
	CHECK(!strcmp(grid_format_cores(buf, sizeof(buf), GRID_LIMIT_MAX), "max"));
}

TEST(times_format_as_rfc3339_in_utc)
{
	CHECK(!strcmp(grid_format_time(buf, sizeof(buf), 1795608000LL * (int64_t)SEC),
		      "2026-11-25T12:00:00Z"));
	CHECK(!strcmp(grid_format_time(buf, sizeof(buf),
				       1795608000LL * (int64_t)SEC + 250000000),
		      "2026-11-25T12:00:00.25Z"));
	CHECK(!strcmp(grid_format_time(buf, sizeof(buf), -1), "1969-12-31T23:59:59.999999999Z"));
}

TEST(formatted_values_parse_back_to_themselves)
{
	static const uint64_t sizes[] = { 0, 1000, 1536, 512 * MiB, 3 * GiB / 2, 7 * TiB };
	static const uint64_t spans[] = { 1, 1000, 90 * SEC, 5400 * SEC, 86400 * SEC };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		grid_format_size(buf, sizeof(buf), sizes[i]);
		CHECK(grid_parse_size(buf, &v) == 0 && v == sizes[i]);
	}
	for (i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
		grid_format_duration(buf, sizeof(buf), spans[i]);
		CHECK(grid_parse_duration(buf, &v) == 0 && v == spans[i]);
	}
	grid_format_time(buf, sizeof(buf), 1795608000LL * (int64_t)SEC + 5);
	CHECK(grid_parse_time(buf, 0, &t) == 0 &&
	      t == 1795608000LL * (int64_t)SEC + 5);
}

TEST(each_limit_formats_in_its_own_unit)
{
	CHECK(!strcmp(grid_format_limit(buf, sizeof(buf), GRID_LIMITS_A_MEMORY, 2 * GiB), "2G"));
	CHECK(!strcmp(grid_format_limit(buf, sizeof(buf), GRID_LIMITS_A_CPU_RATE, 1500000000ULL), "1.5"));
	CHECK(!strcmp(grid_format_limit(buf, sizeof(buf), GRID_LIMITS_A_CPU_BUDGET_US, 3600000000ULL), "1h"));
	CHECK(!strcmp(grid_format_limit(buf, sizeof(buf), GRID_LIMITS_A_NET_EGRESS_RATE, 5 * MiB), "5M/s"));
	CHECK(!strcmp(grid_format_limit(buf, sizeof(buf), GRID_LIMITS_A_BUDGET_PERIOD_S, 86400), "1d"));
	CHECK(!strcmp(grid_format_limit(buf, sizeof(buf), GRID_LIMITS_A_PIDS, 100), "100"));
	CHECK(!strcmp(grid_format_limit(buf, sizeof(buf), GRID_LIMITS_A_PIDS, GRID_LIMIT_MAX), "max"));
}
