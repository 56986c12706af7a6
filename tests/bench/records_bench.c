// SPDX-License-Identifier: GPL-2.0
/*
 * records_bench [SECONDS]: what a signed record costs beside the raw
 * signature under it, side by side in one run.
 *
 *   sign    grid_record_sign() of a lease (encode the payload, build the
 *           COSE Sig_structure, sign, hash for its id) against
 *           crypto_sign_detached() over a message of the same length as
 *           the COSE bytes
 *   verify  grid_record_open() of that lease (COSE structure, issuer key
 *           checked, signature, payload decoded, re-encoded and compared,
 *           id) against crypto_sign_verify_detached()
 *
 * Rounds alternate between the two sides, short ones, so that a
 * neighbour's load or a change of CPU frequency hits both alike; each
 * ratio is the median of the rounds' ratios (one round of each side
 * beside the other), each rate the median of its rounds. The issuer is
 * one key throughout, as in gridd, whose key checks are remembered (grid_pk_ok()'s cache): the verify figure is that
 * of a provider reading its members' records, not of a first sight.
 * Prints "BENCH name value unit" lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "record.h"

#define ROUNDS 25

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v)
{
	qsort(v, ROUNDS, sizeof(*v), cmp);
	return v[ROUNDS / 2];
}

static struct grid_key key;
static struct grid_record rec;
static struct grid_signed s, back;
static uint8_t msg[GRID_RECORD_MAX], sig[crypto_sign_BYTES];
static size_t msg_len;

/* One lease as gridd writes it. */
static void make_lease(void)
{
	uint8_t other[GRID_PK_LEN];
	struct grid_key holder;

	if (grid_key_generate(&holder)) {
		fputs("records_bench: no key\n", stderr);
		exit(1);
	}
	memcpy(other, holder.pk, GRID_PK_LEN);
	grid_key_free(&holder);
	grid_record_init(&rec, GRID_REC_LEASE, key.pk, 1800000000);
	grid_limits_none(&rec.limits);
	rec.limits.cpu_quota_us = 50000;
	rec.limits.memory_bytes = 512ULL << 20;
	rec.limits.pids = 64;
	snprintf(rec.name, sizeof(rec.name), "clubhouse");
	memcpy(rec.subject, other, GRID_PK_LEN);
	memcpy(rec.holder_grid, other, GRID_PK_LEN);
	memcpy(rec.gridgrid, key.pk, GRID_PK_LEN);
	rec.not_before = 1800000000;
	rec.not_after = 1800007200;
	rec.lease_id = 123456789;
	rec.serial = 1;
	rec.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT) |
		   GRID_HAS(GRID_K_HOLDER_GRID) | GRID_HAS(GRID_K_GRIDGRID) |
		   GRID_HAS(GRID_K_LIMITS) | GRID_HAS(GRID_K_NOT_BEFORE) |
		   GRID_HAS(GRID_K_NOT_AFTER) | GRID_HAS(GRID_K_LEASE_ID) |
		   GRID_HAS(GRID_K_SERIAL);
}

static void fail(const char *what, const struct grid_why *why)
{
	fprintf(stderr, "records_bench: %s: %s\n", what, why ? why->msg : "");
	exit(1);
}

static long run_sign(double secs)
{
	struct grid_why why;
	double end = now() + secs;
	long n = 0;

	while (now() < end) {
		for (int i = 0; i < 64; i++, n++) {
			rec.serial = n + 1;
			if (grid_record_sign(&s, &rec, &key, &why))
				fail("sign", &why);
		}
	}
	return n;
}

static long run_raw_sign(double secs)
{
	double end = now() + secs;
	long n = 0;

	while (now() < end) {
		for (int i = 0; i < 64; i++, n++) {
			msg[0] = n;
			crypto_sign_detached(sig, NULL, msg, msg_len, key.sk);
		}
	}
	return n;
}

static long run_verify(double secs)
{
	struct grid_why why;
	double end = now() + secs;
	long n = 0;

	while (now() < end) {
		for (int i = 0; i < 64; i++, n++) {
			if (grid_record_open(&back, s.bytes, s.len, &why))
				fail("open", &why);
		}
	}
	return n;
}

static long run_raw_verify(double secs)
{
	double end = now() + secs;
	long n = 0;

	while (now() < end) {
		for (int i = 0; i < 64; i++, n++) {
			if (crypto_sign_verify_detached(sig, msg, msg_len, key.pk))
				fail("raw verify", NULL);
		}
	}
	return n;
}

static double rate(long (*fn)(double), double secs)
{
	double t = now();
	long n = fn(secs);

	return n / (now() - t);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) / (4.0 * ROUNDS) : 0.25;
	double sg[ROUNDS], rs[ROUNDS], vf[ROUNDS], rv[ROUNDS];
	double sq[ROUNDS], vq[ROUNDS];
	struct grid_why why;
	int i;

	if (secs <= 0 || grid_crypto_init() || grid_key_generate(&key))
		return 2;
	make_lease();
	if (grid_record_sign(&s, &rec, &key, &why))
		fail("sign", &why);
	msg_len = s.len;
	memcpy(msg, s.bytes, s.len);
	crypto_sign_detached(sig, NULL, msg, msg_len, key.sk);
	for (i = 0; i < ROUNDS; i++) {
		sg[i] = rate(run_sign, secs);
		rs[i] = rate(run_raw_sign, secs);
		vf[i] = rate(run_verify, secs);
		rv[i] = rate(run_raw_verify, secs);
		sq[i] = sg[i] / rs[i];
		vq[i] = vf[i] / rv[i];
	}
	double a = median(sg), b = median(rs), c = median(vf), d = median(rv);
	double sr = median(sq), vr = median(vq);

	printf("BENCH records_sign %.0f /s\n", a);
	printf("BENCH raw_sign %.0f /s\n", b);
	printf("BENCH records_verify %.0f /s\n", c);
	printf("BENCH raw_verify %.0f /s\n", d);
	printf("BENCH records_sign_ratio %.3f x\n", sr);
	printf("BENCH records_verify_ratio %.3f x\n", vr);
	printf("records: a lease of %zu bytes: sign %.0f/s, %.3f of raw crypto_sign_detached (%.0f/s); verify %.0f/s, %.3f of raw crypto_sign_verify_detached (%.0f/s)\n",
	       s.len, a, sr, b, c, vr, d);
	grid_key_free(&key);
	return 0;
}
