// SPDX-License-Identifier: GPL-2.0
/*
 * Deterministic CBOR: what the writer makes the reader takes back byte for
 * byte, RFC 8949's examples in our subset read and write as printed there,
 * and every other form of the same value is refused.
 */
#define UNIT_SUITE "unit/dcbor"
#include <errno.h>
#include <stdint.h>

#include "unit.h"
#include "dcbor.h"

/* One document at a time; struct cb_doc is 40 KiB, too big for the stack. */
static struct cb_doc doc;
static uint8_t in[CB_INPUT_MAX + 16];
static uint8_t out[CB_INPUT_MAX + 16];

/* @hex (spaces allowed) into @buf; its length, or -1 for bad hex. */
static long unhex(uint8_t *buf, size_t cap, const char *hex)
{
	size_t n = 0;
	unsigned int v;

	while (*hex) {
		if (*hex == ' ') {
			hex++;
			continue;
		}
		if (n == cap || sscanf(hex, "%2x", &v) != 1 || !hex[1])
			return -1;
		buf[n++] = v;
		hex += 2;
	}
	return n;
}

/* cb_decode() of @hex. */
static int decode_hex(const char *hex)
{
	long n = unhex(in, sizeof(in), hex);

	if (n < 0)
		return -1000;
	return cb_decode(&doc, in, n);
}

/* That @hex decodes and that re-encoding its whole gives @hex again. */
static bool round_trips(const char *hex)
{
	struct cb_buf b;
	long n = unhex(in, sizeof(in), hex);

	if (n < 0 || cb_decode(&doc, in, n))
		return false;
	cb_init(&b, out, sizeof(out));
	cb_reencode(&b, &doc, 0);
	return cb_end(&b) == n && !memcmp(out, in, n);
}

/* That what the writer put in @b is @hex. */
static bool wrote(const struct cb_buf *b, const char *hex)
{
	uint8_t want[256];
	long n = unhex(want, sizeof(want), hex);

	return n >= 0 && cb_end(b) == n && !memcmp(b->p, want, n);
}

/* RFC 8949 Appendix A, the examples without floats or simple values. */
static const char *const rfc8949[] = {
	"00", "01", "0a", "17", "1818", "1819", "1864", "1903e8", "1a000f4240",
	"1b000000e8d4a51000", "1bffffffffffffffff",
	"c249010000000000000000", "3bffffffffffffffff",
	"c349010000000000000000", "20", "29", "3863", "3903e7",
	"c074323031332d30332d32315432303a30343a30305a", "c11a514b67b0",
	"d74401020304", "d818456449455446",
	"d82076687474703a2f2f7777772e6578616d706c652e636f6d",
	"40", "4401020304", "60", "6161", "6449455446", "62225c", "62c3bc",
	"63e6b0b4", "64f0908591", "80", "83010203", "8301820203820405",
	"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
	"a0", "a201020304", "a26161016162820203", "826161a161626163",
	"a56161614161626142616361436164614461656145",
};

TEST(rfc8949_examples_in_our_subset_decode_and_encode_to_the_same_bytes)
{
	size_t i;

	for (i = 0; i < sizeof(rfc8949) / sizeof(rfc8949[0]); i++) {
		if (!round_trips(rfc8949[i])) {
			printf("  example %s\n", rfc8949[i]);
			CHECK(0);
		}
	}
}

TEST(rfc8949_integers_decode_to_their_values)
{
	static const struct { const char *hex; uint8_t kind; uint64_t v; } t[] = {
		{ "00", CB_UINT, 0 }, { "01", CB_UINT, 1 }, { "0a", CB_UINT, 10 },
		{ "17", CB_UINT, 23 }, { "1818", CB_UINT, 24 },
		{ "1864", CB_UINT, 100 }, { "1903e8", CB_UINT, 1000 },
		{ "1a000f4240", CB_UINT, 1000000 },
		{ "1b000000e8d4a51000", CB_UINT, 1000000000000ULL },
		{ "1bffffffffffffffff", CB_UINT, UINT64_MAX },
		{ "20", CB_NINT, 0 }, { "29", CB_NINT, 9 }, { "3863", CB_NINT, 99 },
		{ "3903e7", CB_NINT, 999 },
		{ "3bffffffffffffffff", CB_NINT, UINT64_MAX },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(decode_hex(t[i].hex) == 0);
		CHECK(doc.n == 1 && doc.it[0].kind == t[i].kind);
		CHECK(doc.it[0].v == t[i].v);
		CHECK(doc.it[0].off == 0 && doc.it[0].len == strlen(t[i].hex) / 2);
	}
}

TEST(the_writer_makes_rfc8949_integers)
{
	static const struct { int64_t v; const char *hex; } t[] = {
		{ 0, "00" }, { 1, "01" }, { 10, "0a" }, { 23, "17" },
		{ 24, "1818" }, { 100, "1864" }, { 1000, "1903e8" },
		{ 1000000, "1a000f4240" }, { 1000000000000LL, "1b000000e8d4a51000" },
		{ -1, "20" }, { -10, "29" }, { -100, "3863" }, { -1000, "3903e7" },
		{ INT64_MIN, "3b7fffffffffffffff" }, { INT64_MAX, "1b7fffffffffffffff" },
	};
	uint8_t buf[16];
	struct cb_buf b;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cb_init(&b, buf, sizeof(buf));
		cb_int(&b, t[i].v);
		CHECK(wrote(&b, t[i].hex));
	}
	cb_init(&b, buf, sizeof(buf));
	cb_uint(&b, UINT64_MAX);
	CHECK(wrote(&b, "1bffffffffffffffff"));
}

TEST(the_writer_makes_rfc8949_strings_arrays_maps_and_tags)
{
	uint8_t buf[64];
	struct cb_buf b;

	cb_init(&b, buf, sizeof(buf));
	cb_bytes(&b, NULL, 0);
	cb_bytes(&b, "\x01\x02\x03\x04", 4);
	cb_text(&b, "", 0);
	cb_text(&b, "a", 1);
	cb_text(&b, "IETF", 4);
	cb_text(&b, "\"\\", 2);
	cb_text(&b, "\xc3\xbc", 2);
	cb_text(&b, "\xe6\xb0\xb4", 3);
	CHECK(wrote(&b, "40 4401020304 60 6161 6449455446 62225c 62c3bc 63e6b0b4"));

	cb_init(&b, buf, sizeof(buf));
	cb_array(&b, 0);
	cb_array(&b, 3);
	cb_uint(&b, 1);
	cb_uint(&b, 2);
	cb_uint(&b, 3);
	cb_array(&b, 3);
	cb_uint(&b, 1);
	cb_array(&b, 2);
	cb_uint(&b, 2);
	cb_uint(&b, 3);
	cb_array(&b, 2);
	cb_uint(&b, 4);
	cb_uint(&b, 5);
	CHECK(wrote(&b, "80 83010203 8301820203820405"));

	cb_init(&b, buf, sizeof(buf));
	cb_map(&b, 0);
	cb_map(&b, 2);
	cb_uint(&b, 1);
	cb_uint(&b, 2);
	cb_uint(&b, 3);
	cb_uint(&b, 4);
	cb_tag(&b, 1);
	cb_uint(&b, 1363896240);
	cb_tag(&b, 18);
	cb_bytes_head(&b, 2);
	cb_raw(&b, "\xab\xcd", 2);
	CHECK(wrote(&b, "a0 a201020304 c11a514b67b0 d242abcd"));
}

TEST(every_kind_the_writer_makes_reads_back_with_its_value)
{
	static const uint8_t bytes[300] = { 1, 2, 3 };
	static const char text[] = "gr\xc3\xbc\xc3\x9f dich";
	uint8_t buf[512];
	struct cb_buf b;
	const struct cb_item *it = doc.it;
	long n;

	cb_init(&b, buf, sizeof(buf));
	cb_array(&b, 7);
	cb_uint(&b, 65536);
	cb_int(&b, -4294967297LL);
	cb_bytes(&b, bytes, sizeof(bytes));
	cb_text(&b, text, strlen(text));
	cb_map(&b, 1);
	cb_uint(&b, 7);
	cb_array(&b, 0);
	cb_tag(&b, 1000);
	cb_bytes(&b, NULL, 0);
	cb_map(&b, 0);
	n = cb_end(&b);
	CHECK(n > 0);
	CHECK(cb_decode(&doc, buf, n) == 0);
	CHECK(doc.n == 11);
	CHECK(it[0].kind == CB_ARRAY && it[0].n == 7 && it[0].end == 11);
	CHECK(it[0].depth == 0 && it[0].off == 0 && it[0].len == n);
	CHECK(it[1].kind == CB_UINT && it[1].v == 65536 && it[1].depth == 1);
	CHECK(it[2].kind == CB_NINT && it[2].v == 4294967296ULL);
	CHECK(it[3].kind == CB_BYTES && it[3].n == sizeof(bytes));
	CHECK(it[3].p == buf + it[3].off + 3 && !memcmp(it[3].p, bytes, sizeof(bytes)));
	CHECK(it[4].kind == CB_TEXT && it[4].n == strlen(text));
	CHECK(!memcmp(it[4].p, text, strlen(text)));
	CHECK(it[5].kind == CB_MAP && it[5].n == 1 && it[5].end == 8);
	CHECK(it[6].kind == CB_UINT && it[6].v == 7 && it[6].depth == 2);
	CHECK(it[7].kind == CB_ARRAY && it[7].n == 0 && it[7].end == 8);
	CHECK(it[8].kind == CB_TAG && it[8].v == 1000 && it[8].end == 10);
	CHECK(it[9].kind == CB_BYTES && it[9].n == 0 && it[9].depth == 2);
	CHECK(it[10].kind == CB_MAP && it[10].n == 0 && it[10].end == 11);
	CHECK(cb_next(&doc, 5) == 8 && cb_next(&doc, 8) == 10);

	cb_init(&b, out, sizeof(out));
	cb_reencode(&b, &doc, 0);
	CHECK(cb_end(&b) == n && !memcmp(out, buf, n));
}

TEST(integers_at_every_head_size_boundary_round_trip)
{
	static const uint64_t v[] = {
		0, 23, 24, 255, 256, 65535, 65536, 4294967295ULL, 4294967296ULL,
		INT64_MAX, UINT64_MAX,
	};
	static const long len[] = { 1, 1, 2, 2, 3, 3, 5, 5, 9, 9, 9 };
	uint8_t buf[16];
	struct cb_buf b;
	size_t i;
	int neg;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (neg = 0; neg < 2; neg++) {
			/* cb_int() reaches -1 - v for v up to INT64_MAX. */
			if (neg && v[i] > INT64_MAX)
				continue;
			cb_init(&b, buf, sizeof(buf));
			if (neg)
				cb_int(&b, -1 - (int64_t)v[i]);
			else
				cb_uint(&b, v[i]);
			CHECK(cb_end(&b) == len[i]);
			CHECK(buf[0] >> 5 == neg);
			CHECK(cb_decode(&doc, buf, b.len) == 0);
			CHECK(doc.it[0].kind == (neg ? CB_NINT : CB_UINT));
			CHECK(doc.it[0].v == v[i]);
		}
	}
}

TEST(non_shortest_heads_are_refused)
{
	static const char *const bad[] = {
		"1800", "1817", "190001", "1900ff", "1a00000001", "1a0000ffff",
		"1b0000000000000001", "1b00000000ffffffff", "3817", "39000f",
		"3a0000ffff", "3b00000000ffffffff", "580101", "590001 01",
		"5a00000001 01", "780161", "79000161", "980101", "99000101",
		"b8010101", "b900010101", "d80600", "d81200", "d81700", "d9000100",
		"da0000000100", "a1 1801 00", "81 1800",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (decode_hex(bad[i]) != -EBADMSG) {
			printf("  %s\n", bad[i]);
			CHECK(0);
		}
	}
	/* The shortest forms of the same values are fine. */
	CHECK(decode_hex("17") == 0 && decode_hex("1818") == 0);
	CHECK(decode_hex("18ff") == 0 && decode_hex("190100") == 0);
	CHECK(decode_hex("d81800") == 0 && decode_hex("d90100 00") == 0);
	CHECK(decode_hex("5818 000102030405060708090a0b0c0d0e0f1011121314151617") == 0);
	CHECK(decode_hex("5817 000102030405060708090a0b0c0d0e0f10111213141516") == -EBADMSG);
}

TEST(indefinite_lengths_are_refused)
{
	static const char *const bad[] = {
		"5fff", "5f4101ff", "5f41014102ff", "7fff", "7f6161ff", "9fff",
		"9f01ff", "9f0102ff", "bfff", "bf0101ff", "81 9f01ff", "ff",
		"a1 01 9fff",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (decode_hex(bad[i]) != -EBADMSG) {
			printf("  %s\n", bad[i]);
			CHECK(0);
		}
	}
}

TEST(floats_are_refused_as_not_carried)
{
	static const char *const bad[] = {
		"f90000", "f98000", "f93c00", "f97bff", "f97c00", "f97e00",
		"fa47c35000", "fa7f800000", "fb3ff199999999999a",
		"fb7ff0000000000000", "81 f93c00", "a1 01 fa47c35000",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (decode_hex(bad[i]) != -EPROTONOSUPPORT) {
			printf("  %s\n", bad[i]);
			CHECK(0);
		}
	}
}

TEST(simple_values_are_refused)
{
	static const char *const unsupported[] = {
		"f4", "f5", "f6", "f7", "82 01 f5", "a1 01 f6",
	};
	static const char *const bad[] = { "f0", "f3", "f818", "f8ff", "e0" };
	size_t i;

	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		CHECK(decode_hex(unsupported[i]) == -EPROTONOSUPPORT);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(decode_hex(bad[i]) < 0);
}

TEST(reserved_additional_information_is_refused)
{
	static const char *const bad[] = {
		"1c", "1d", "1e", "1f", "3c", "5c", "7c", "9c", "bc", "dc", "fc",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(decode_hex(bad[i]) < 0);
}

TEST(map_keys_out_of_order_or_repeated_are_refused)
{
	CHECK(decode_hex("a2 01 00 02 00") == 0);
	CHECK(decode_hex("a2 02 00 01 00") == -EBADMSG);
	CHECK(decode_hex("a2 01 00 01 00") == -EBADMSG);
	CHECK(decode_hex("a3 01 00 02 00 02 00") == -EBADMSG);
	CHECK(decode_hex("a3 01 00 03 00 02 00") == -EBADMSG);
	CHECK(decode_hex("a2 6161 00 6161 01") == -EBADMSG);
	/* Inside an array, inside a map value, inside a tag. */
	CHECK(decode_hex("82 a0 a2 02 00 01 00") == -EBADMSG);
	CHECK(decode_hex("a1 01 a2 01 00 01 00") == -EBADMSG);
	CHECK(decode_hex("c1 a2 02 00 01 00") == -EBADMSG);
	/* A map as a key is ordered by its encoding like any other. */
	CHECK(decode_hex("a2 a10100 00 a10200 00") == 0);
	CHECK(decode_hex("a2 a10200 00 a10100 00") == -EBADMSG);
}

TEST(map_keys_are_in_bytewise_order_of_their_encodings_not_numeric_order)
{
	/* 10 is 0a, 100 is 18 64, -1 is 20: bytewise, shorter heads first. */
	CHECK(decode_hex("a3 0a 00 1864 00 20 00") == 0);
	CHECK(decode_hex("a3 1864 00 0a 00 20 00") == -EBADMSG);
	CHECK(decode_hex("a3 0a 00 20 00 1864 00") == -EBADMSG);
	CHECK(decode_hex("a2 20 00 0a 00") == -EBADMSG);
	/* "b" (61 62) comes before "aa" (62 61 61): length first. */
	CHECK(decode_hex("a2 6162 00 626161 00") == 0);
	CHECK(decode_hex("a2 626161 00 6162 00") == -EBADMSG);
	/* Major types in order: uint, nint, bytes, text. */
	CHECK(decode_hex("a4 17 00 37 00 40 00 60 00") == 0);
	CHECK(decode_hex("a2 60 00 40 00") == -EBADMSG);
	/* 255 (18 ff) before 256 (19 01 00), 65535 before 65536. */
	CHECK(decode_hex("a2 18ff 00 190100 00") == 0);
	CHECK(decode_hex("a2 19ffff 00 1a00010000 00") == 0);
	CHECK(decode_hex("a2 1a00010000 00 19ffff 00") == -EBADMSG);
}

TEST(text_that_is_not_utf8_is_refused)
{
	static const char *const bad[] = {
		"62c0af",		/* overlong '/' */
		"62c180",		/* overlong 0x40 */
		"63e08080",		/* overlong NUL in three bytes */
		"63e09fbf",		/* overlong U+07FF */
		"64f0808080",		/* overlong NUL in four bytes */
		"64f08fbfbf",		/* overlong U+FFFF */
		"63eda080",		/* U+D800, a surrogate */
		"63edbfbf",		/* U+DFFF */
		"66eda0bdedb2a9",	/* a surrogate pair, CESU-8 */
		"64f4908080",		/* U+110000 */
		"64f7bfbfbf",		/* past U+10FFFF */
		"61c3",			/* cut short */
		"62e282",		/* cut short */
		"63f09f98",		/* cut short */
		"62c341",		/* not a continuation byte */
		"6180",			/* a lone continuation byte */
		"61ff", "61fe", "61f8",
		"65 6869c3a9 80",	/* a good one, then a stray continuation */
		"82 6161 61c3",		/* inside an array */
		"a1 61c3 00",		/* as a map key */
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (decode_hex(bad[i]) != -EBADMSG) {
			printf("  %s\n", bad[i]);
			CHECK(0);
		}
	}
}

TEST(utf8_up_to_the_edges_of_its_ranges_is_accepted)
{
	static const char *const good[] = {
		"6100", "617f", "62c280", "62dfbf", "63e0a080", "63ed9fbf",
		"63ee8080", "63efbfbf", "64f0908080", "64f48fbfbf", "64f0908591",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(round_trips(good[i]));
	/* The same bytes as a byte string are anything. */
	CHECK(decode_hex("42c0af") == 0 && decode_hex("41ff") == 0);
}

TEST(bytes_after_the_item_are_refused)
{
	CHECK(decode_hex("00") == 0);
	CHECK(decode_hex("0000") == -EBADMSG);
	CHECK(decode_hex("8100 00") == -EBADMSG);
	CHECK(decode_hex("a0 a0") == -EBADMSG);
	CHECK(decode_hex("4101 ff") == -EBADMSG);
}

TEST(a_document_cut_short_anywhere_is_refused)
{
	static const char hex[] =
		"a5 01 1b0102030405060708 02 3903e7 03 5818 000102030405060708090a0b0c0d0e0f1011121314151617"
		" 04 83 6449455446 c11a514b67b0 a1 01 80 05 d2 84 43a10127 a0 41 00 42 0102";
	long n = unhex(in, sizeof(in), hex), i;

	CHECK(n > 0);
	CHECK(cb_decode(&doc, in, n) == 0);
	for (i = 0; i < n; i++) {
		int ret = cb_decode(&doc, in, i);

		if (ret != -EBADMSG) {
			printf("  cut at %ld: %d\n", i, ret);
			CHECK(0);
		}
	}
}

/* @levels nested arrays of one member each, around @leaf. */
static long nested(uint8_t head, int levels, uint8_t leaf)
{
	int i;

	for (i = 0; i < levels; i++)
		in[i] = head;
	in[levels] = leaf;
	return levels + 1;
}

TEST(nesting_up_to_cb_depth_max_is_accepted_and_past_it_refused)
{
	static const uint8_t heads[] = { 0x81, 0xc1, 0xd2 };
	size_t h;
	long n;

	for (h = 0; h < sizeof(heads); h++) {
		n = nested(heads[h], CB_DEPTH_MAX, 0x00);
		CHECK(cb_decode(&doc, in, n) == 0);
		CHECK(doc.n == CB_DEPTH_MAX + 1);
		CHECK(doc.it[CB_DEPTH_MAX].depth == CB_DEPTH_MAX);
		n = nested(heads[h], CB_DEPTH_MAX + 1, 0x00);
		CHECK(cb_decode(&doc, in, n) == -EMSGSIZE);
		n = nested(heads[h], 200, 0x00);
		CHECK(cb_decode(&doc, in, n) == -EMSGSIZE);
	}
	/* Maps count as a level: {0: {0: ... 0}}. */
	for (n = 0; n < 2 * (CB_DEPTH_MAX + 1); n += 2) {
		in[n] = 0xa1;
		in[n + 1] = 0x00;
	}
	in[n] = 0x00;
	CHECK(cb_decode(&doc, in, n + 1) == -EMSGSIZE);
	CHECK(cb_decode(&doc, in + 2, n - 1) == 0);
}

TEST(more_items_than_cb_items_max_are_refused)
{
	long i;

	/* An array and CB_ITEMS_MAX - 1 members: exactly the bound. */
	in[0] = 0x99;
	in[1] = (CB_ITEMS_MAX - 1) >> 8;
	in[2] = (CB_ITEMS_MAX - 1) & 0xff;
	for (i = 0; i < CB_ITEMS_MAX; i++)
		in[3 + i] = 0x00;
	CHECK(cb_decode(&doc, in, 3 + CB_ITEMS_MAX - 1) == 0);
	CHECK(doc.n == CB_ITEMS_MAX);
	in[1] = CB_ITEMS_MAX >> 8;
	in[2] = CB_ITEMS_MAX & 0xff;
	CHECK(cb_decode(&doc, in, 3 + CB_ITEMS_MAX) == -EMSGSIZE);
	/* Counts that could never fit are refused before anything is read. */
	CHECK(decode_hex("9a00010000") == -EMSGSIZE);
	CHECK(decode_hex("9b0000000100000000") == -EMSGSIZE);
	CHECK(decode_hex("9bffffffffffffffff") == -EMSGSIZE);
	CHECK(decode_hex("bbffffffffffffffff") == -EMSGSIZE);
	/* 513 pairs could not fit either, but are simply cut short here. */
	CHECK(decode_hex("b90201") < 0);
	/* 512 pairs are 1025 items with the map. */
	in[0] = 0xb9;
	in[1] = 0x02;
	in[2] = 0x00;
	for (i = 0; i < 512; i++) {
		in[3 + 3 * i] = 0x19;
		in[4 + 3 * i] = i >> 8;
		in[5 + 3 * i] = i & 0xff;
	}
	CHECK(cb_decode(&doc, in, 3 + 3 * 512) < 0);
}

TEST(input_longer_than_cb_input_max_is_refused)
{
	size_t n = CB_INPUT_MAX - 3;

	/* A byte string filling the bound exactly, then one byte more. */
	in[0] = 0x59;
	in[1] = n >> 8;
	in[2] = n;
	memset(in + 3, 0xee, n + 1);
	CHECK(cb_decode(&doc, in, CB_INPUT_MAX) == 0);
	CHECK(doc.it[0].n == n);
	n++;
	in[1] = n >> 8;
	in[2] = n;
	CHECK(cb_decode(&doc, in, CB_INPUT_MAX + 1) == -EMSGSIZE);
	/* Long enough is refused before it is read: here, not even CBOR. */
	memset(in, 0xff, CB_INPUT_MAX + 1);
	CHECK(cb_decode(&doc, in, CB_INPUT_MAX + 1) == -EMSGSIZE);
}

TEST(heads_that_promise_more_than_the_input_holds_are_refused)
{
	static const char *const bad[] = {
		"", "18", "19 01", "1a 0001", "1b 00000001", "5805 0102", "45 01",
		"65 6161", "82 01", "a1 01", "a2 01 02 03", "c1", "d8", "d8 20",
		"5bffffffffffffffff", "7bffffffffffffffff 61",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (decode_hex(bad[i]) != -EBADMSG) {
			printf("  %s\n", bad[i]);
			CHECK(0);
		}
	}
}

TEST(one_byte_tag_heads_c6_to_d4_decode_as_tags)
{
	uint8_t buf[4];
	struct cb_buf b;
	unsigned int t;

	/* libcbor 0.8 refuses these heads itself; every tag 0..23 reads. */
	for (t = 0; t <= 23; t++) {
		in[0] = 0xc0 + t;
		in[1] = 0x01;
		CHECK(cb_decode(&doc, in, 2) == 0);
		CHECK(doc.n == 2 && doc.it[0].kind == CB_TAG && doc.it[0].v == t);
		CHECK(doc.it[0].end == 2 && doc.it[1].kind == CB_UINT);
		CHECK(doc.it[1].depth == 1);
		cb_init(&b, buf, sizeof(buf));
		cb_reencode(&b, &doc, 0);
		CHECK(cb_end(&b) == 2 && !memcmp(buf, in, 2));
		/* A tag head alone is cut short. */
		CHECK(cb_decode(&doc, in, 1) == -EBADMSG);
	}
	/* COSE_Sign1's tag, as COSE writes it. */
	CHECK(decode_hex("d2 84 43a10127 a0 40 40") == 0);
	CHECK(doc.it[0].v == 18 && doc.it[1].kind == CB_ARRAY);
	CHECK(round_trips("d2 d2 d2 00"));
	CHECK(round_trips("dbffffffffffffffff 00"));
}

TEST(cb_map_get_finds_unsigned_keys_only_in_that_map)
{
	CHECK(decode_hex("a4 01 61 61 03 a1 05 06 20 07 6161 08") == 0);
	CHECK(doc.it[cb_map_get(&doc, 0, 1)].kind == CB_TEXT);
	CHECK(cb_map_get(&doc, 0, 3) == 4);
	CHECK(doc.it[4].kind == CB_MAP);
	CHECK(cb_map_get(&doc, 0, 5) == 0);	/* a key of the inner map */
	CHECK(cb_map_get(&doc, 4, 5) == 6);
	CHECK(cb_map_get(&doc, 0, 0) == 0);	/* -1 is not 0 */
	CHECK(cb_map_get(&doc, 0, 2) == 0);
	CHECK(cb_map_get(&doc, 1, 1) == 0);	/* not a map */
	CHECK(cb_map_get(&doc, 1000, 1) == 0);	/* past the document */
}

TEST(the_writer_overflows_cleanly_and_says_so_once_at_the_end)
{
	uint8_t buf[64], fill[64];
	struct cb_buf b;
	size_t cap;
	long full = -1;

	for (cap = 0; cap <= sizeof(buf); cap++) {
		memset(buf, 0x5a, sizeof(buf));
		cb_init(&b, buf, cap);
		cb_map(&b, 2);
		cb_uint(&b, 1);
		cb_text(&b, "clubhouse", 9);
		cb_uint(&b, 2);
		cb_array(&b, 2);
		cb_int(&b, -70000);
		cb_bytes(&b, "0123456789abcdef0123", 20);
		if (cb_end(&b) >= 0) {
			if (full < 0)
				full = cb_end(&b);
			CHECK((size_t)full <= cap);
			continue;
		}
		CHECK(cb_end(&b) == -EMSGSIZE);
		CHECK(b.len <= cap);
		memset(fill, 0x5a, sizeof(fill));
		CHECK(!memcmp(buf + cap, fill, sizeof(buf) - cap));
	}
	CHECK(full == 1 + 1 + 10 + 1 + 1 + 5 + 21);
	/* After an overflow, even what would fit is not written. */
	cb_init(&b, buf, 2);
	cb_uint(&b, 1000);
	cb_uint(&b, 1);
	CHECK(b.len == 0 && cb_end(&b) == -EMSGSIZE);
}

TEST(cb_reencode_of_a_member_gives_exactly_its_bytes)
{
	static const char hex[] = "83 01 a2 01 82 6161 c1 00 02 40 5820"
		"00000000000000000000000000000000000000000000000000000000000000ff";
	long n = unhex(in, sizeof(in), hex);
	struct cb_buf b;
	uint32_t i;

	CHECK(n > 0 && cb_decode(&doc, in, n) == 0);
	for (i = 0; i < doc.n; i++) {
		cb_init(&b, out, sizeof(out));
		cb_reencode(&b, &doc, i);
		CHECK(cb_end(&b) == doc.it[i].len);
		CHECK(!memcmp(out, in + doc.it[i].off, doc.it[i].len));
	}
}

TEST(every_single_byte_change_of_a_document_is_read_as_another_or_refused)
{
	/*
	 * The reader accepts exactly what the writer makes, so any change
	 * that still decodes must re-encode to the changed bytes.
	 */
	static const char hex[] = "a3 01 1903e8 02 83 6449455446 c11a514b67b0 20 03 a1 0a 4401020304";
	uint8_t orig[64];
	long n = unhex(orig, sizeof(orig), hex), i;
	struct cb_buf b;
	unsigned int v;

	CHECK(n > 0);
	for (i = 0; i < n; i++) {
		for (v = 0; v < 256; v++) {
			memcpy(in, orig, n);
			in[i] = v;
			if (cb_decode(&doc, in, n))
				continue;
			cb_init(&b, out, sizeof(out));
			cb_reencode(&b, &doc, 0);
			CHECK(cb_end(&b) == n && !memcmp(out, in, n));
		}
	}
}
