/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One sample of every record type, from fixed keys and times, so that its
 * bytes are fixed too (Ed25519 signatures are deterministic). The unit
 * tests compare them with the hex in RECORDS.md; tests/tools/record-samples
 * prints them for the Python verifier and the spec.
 *
 * The story: grid "home" (seed 11..) founded grid-grid "clubhouse" (seed
 * 33..), invites grid "friend" (seed 44..), which joins; home certifies
 * its agent "alice" (seed 55..) and member grid "pi" (seed 22..), shares
 * and leases to alice, and writes a receipt.
 */
#ifndef GRID_RECORD_SAMPLES_H
#define GRID_RECORD_SAMPLES_H

#include <string.h>

#include "chain.h"
#include "record.h"

enum sample_key { S_HOME, S_PI, S_CLUB, S_FRIEND, S_ALICE, S_ONCE, S_NKEYS };

#define SAMPLE_T0 1796000000ULL	/* 2026-11-30T00:53:20Z */

static inline int sample_key(enum sample_key which, struct grid_key *k)
{
	static const uint8_t byte[S_NKEYS] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66 };
	uint8_t seed[GRID_SEED_LEN];

	memset(seed, byte[which], sizeof(seed));
	return grid_key_from_seed(k, seed);
}

/* Builds the samples up to @type (each may refer to earlier ones) into @s. */
static inline int sample_records(struct grid_signed s[GRID_REC_MAX + 1])
{
	struct grid_key k[S_NKEYS];
	struct grid_record r;
	struct grid_why why;
	uint8_t msg[13 + GRID_ID_LEN + GRID_PK_LEN];
	int i, ret = 0;

	for (i = 0; i < S_NKEYS; i++) {
		ret = sample_key(i, &k[i]);
		if (ret)
			return ret;
	}

#define SIGN(type, key)							\
	do {								\
		ret = grid_record_sign(&s[type], &r, &k[key], &why);	\
		if (ret) {						\
			fprintf(stderr, "sample %d: %s\n", type, why.msg); \
			goto out;					\
		}							\
	} while (0)

	grid_record_init(&r, GRID_REC_GRID, k[S_HOME].pk, SAMPLE_T0);
	strcpy(r.name, "home");
	grid_record_set(&r, GRID_K_NAME);
	SIGN(GRID_REC_GRID, S_HOME);

	grid_record_init(&r, GRID_REC_AGENT, k[S_HOME].pk, SAMPLE_T0);
	strcpy(r.name, "alice");
	memcpy(r.subject, k[S_ALICE].pk, GRID_PK_LEN);
	r.not_after = SAMPLE_T0 + 365 * 86400;
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT) |
		 GRID_HAS(GRID_K_NOT_AFTER);
	SIGN(GRID_REC_AGENT, S_HOME);

	grid_record_init(&r, GRID_REC_MEMBER_GRID, k[S_HOME].pk, SAMPLE_T0);
	strcpy(r.name, "pi");
	memcpy(r.subject, k[S_PI].pk, GRID_PK_LEN);
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT);
	SIGN(GRID_REC_MEMBER_GRID, S_HOME);

	grid_record_init(&r, GRID_REC_CHARTER, k[S_CLUB].pk, SAMPLE_T0);
	strcpy(r.name, "clubhouse");
	memcpy(r.subject, k[S_HOME].pk, GRID_PK_LEN);
	r.n_admins = 0;
	r.policy = 0;
	r.invite_max = 7 * 86400;
	r.serial = 1;
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT) |
		 GRID_HAS(GRID_K_ADMINS) | GRID_HAS(GRID_K_POLICY) |
		 GRID_HAS(GRID_K_INVITE_MAX) | GRID_HAS(GRID_K_SERIAL);
	SIGN(GRID_REC_CHARTER, S_CLUB);

	grid_record_init(&r, GRID_REC_INVITATION, k[S_HOME].pk, SAMPLE_T0);
	strcpy(r.name, "clubhouse");
	memcpy(r.subject, k[S_FRIEND].pk, GRID_PK_LEN);
	memcpy(r.gridgrid, k[S_CLUB].pk, GRID_PK_LEN);
	r.not_after = SAMPLE_T0 + 86400;
	r.admin = 0;
	memset(r.nonce, 0xa5, GRID_NONCE_LEN);
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT) |
		 GRID_HAS(GRID_K_GRIDGRID) | GRID_HAS(GRID_K_NOT_AFTER) |
		 GRID_HAS(GRID_K_ADMIN) | GRID_HAS(GRID_K_NONCE);
	SIGN(GRID_REC_INVITATION, S_HOME);

	grid_record_init(&r, GRID_REC_MEMBERSHIP, k[S_FRIEND].pk, SAMPLE_T0 + 60);
	strcpy(r.name, "friend");
	memcpy(r.gridgrid, k[S_CLUB].pk, GRID_PK_LEN);
	memcpy(r.ref, s[GRID_REC_INVITATION].id, GRID_ID_LEN);
	r.admin = 0;
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_GRIDGRID) |
		 GRID_HAS(GRID_K_REF) | GRID_HAS(GRID_K_ADMIN);
	SIGN(GRID_REC_MEMBERSHIP, S_FRIEND);

	grid_record_init(&r, GRID_REC_LEAVE, k[S_FRIEND].pk, SAMPLE_T0 + 7200);
	memcpy(r.gridgrid, k[S_CLUB].pk, GRID_PK_LEN);
	memcpy(r.ref, s[GRID_REC_MEMBERSHIP].id, GRID_ID_LEN);
	r.has |= GRID_HAS(GRID_K_GRIDGRID) | GRID_HAS(GRID_K_REF);
	SIGN(GRID_REC_LEAVE, S_FRIEND);

	grid_record_init(&r, GRID_REC_REVOCATION, k[S_HOME].pk, SAMPLE_T0 + 3600);
	memcpy(r.gridgrid, k[S_CLUB].pk, GRID_PK_LEN);
	r.kind = GRID_REVOKE_LEASE;
	r.lease_id = 1;
	strcpy(r.reason, "job misbehaved");
	r.has |= GRID_HAS(GRID_K_GRIDGRID) | GRID_HAS(GRID_K_KIND) |
		 GRID_HAS(GRID_K_LEASE_ID) | GRID_HAS(GRID_K_REASON);
	SIGN(GRID_REC_REVOCATION, S_HOME);

	grid_record_init(&r, GRID_REC_SHARE, k[S_HOME].pk, SAMPLE_T0);
	strcpy(r.name, "clubhouse");
	memcpy(r.gridgrid, k[S_CLUB].pk, GRID_PK_LEN);
	r.limits.cpu_quota_us = 20000;
	r.limits.cpu_period_us = 100000;
	r.limits.cpu_budget_us = 7200ULL * 1000000;
	r.limits.memory_bytes = 2ULL << 30;
	r.limits.pids = 256;
	r.limits.net_egress_rate = 5ULL << 20;
	r.limits.net_egress_budget = 10ULL << 30;
	r.limits.budget_period_s = 86400;
	r.serial = 1;
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_GRIDGRID) |
		 GRID_HAS(GRID_K_LIMITS) | GRID_HAS(GRID_K_SERIAL);
	SIGN(GRID_REC_SHARE, S_HOME);

	grid_record_init(&r, GRID_REC_LEASE, k[S_HOME].pk, SAMPLE_T0);
	strcpy(r.name, "clubhouse");
	memcpy(r.subject, k[S_ALICE].pk, GRID_PK_LEN);
	memcpy(r.holder_grid, k[S_HOME].pk, GRID_PK_LEN);
	memcpy(r.gridgrid, k[S_CLUB].pk, GRID_PK_LEN);
	r.limits.cpu_quota_us = 50000;
	r.limits.cpu_period_us = 100000;
	r.limits.memory_bytes = 512ULL << 20;
	r.limits.budget_period_s = 86400;
	r.not_before = SAMPLE_T0;
	r.not_after = SAMPLE_T0 + 7200;
	r.lease_id = 1;
	r.serial = 1;
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT) |
		 GRID_HAS(GRID_K_HOLDER_GRID) | GRID_HAS(GRID_K_GRIDGRID) |
		 GRID_HAS(GRID_K_LIMITS) | GRID_HAS(GRID_K_NOT_BEFORE) |
		 GRID_HAS(GRID_K_NOT_AFTER) | GRID_HAS(GRID_K_LEASE_ID) |
		 GRID_HAS(GRID_K_SERIAL);
	SIGN(GRID_REC_LEASE, S_HOME);

	grid_record_init(&r, GRID_REC_RECEIPT, k[S_HOME].pk, SAMPLE_T0 + 7200);
	memcpy(r.subject, k[S_ALICE].pk, GRID_PK_LEN);
	memcpy(r.gridgrid, k[S_CLUB].pk, GRID_PK_LEN);
	memcpy(r.ref, s[GRID_REC_LEASE].id, GRID_ID_LEN);
	r.lease_id = 1;
	r.usage = (struct grid_rec_usage){ 1500000, 300ULL << 20, 1 << 20,
				       4 << 20, 0, SAMPLE_T0 + 10,
				       SAMPLE_T0 + 1800 };
	r.has |= GRID_HAS(GRID_K_SUBJECT) | GRID_HAS(GRID_K_GRIDGRID) |
		 GRID_HAS(GRID_K_REF) | GRID_HAS(GRID_K_LEASE_ID) |
		 GRID_HAS(GRID_K_USAGE);
	SIGN(GRID_REC_RECEIPT, S_HOME);
#undef SIGN
	(void)msg;
out:
	for (i = 0; i < S_NKEYS; i++)
		grid_key_free(&k[i]);
	return ret;
}

#endif
