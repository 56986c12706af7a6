// SPDX-License-Identifier: GPL-2.0
/*
 * record-samples: prints the sample of every record type (record_samples.h)
 * as "TYPE HEX-BYTES HEX-ID", one per line, and with "keys" the public key
 * of each sample key as "NAME HEX". The Python verifier and RECORDS.md
 * take their examples from it.
 *
 * "forged" prints records that someone without the right made, each after
 * a line "# CASE: what verify.py must say": some with a signature that is
 * not their issuer's, some well signed by a key the chain gives no right.
 *
 * "token" prints the membership proof of the samples (charter, invitation,
 * membership) as a token, "grid1:..." (token.h).
 *
 * "open" reads lines "[TYPE] HEX [ID]" (as printed here; '#' lines and
 * blank lines skipped) and opens each with grid_record_open(), printing
 * "ok TYPE ID" or "FAIL TYPE: why", so that tests can hold the C reader
 * and the Python verifier to the same verdicts.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "record_samples.h"

static void hex(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void print_signed(const char *what, const struct grid_signed *s)
{
	printf("# %s\n%s ", what, grid_record_type_name(s->r.type));
	hex(s->bytes, s->len);
	printf(" ");
	hex(s->id, GRID_ID_LEN);
	printf("\n");
}

/*
 * @r signed by @key whatever its issuer says: what a forger without the
 * issuer's key can make. grid_record_sign() refuses to, so this goes a
 * layer down.
 */
static int sign_as(struct grid_signed *s, const struct grid_record *r,
		   const struct grid_key *key)
{
	uint8_t payload[GRID_PAYLOAD_MAX];
	struct grid_why why;
	size_t n;
	int ret;

	ret = grid_record_encode(r, payload, sizeof(payload), &n, &why);
	if (!ret)
		ret = cose_sign1_make(s->bytes, sizeof(s->bytes), &s->len,
				      payload, n, key);
	if (ret) {
		fprintf(stderr, "record-samples: %s\n", why.msg);
		return ret;
	}
	s->r = *r;
	grid_record_id(s->id, s->bytes, s->len);
	return 0;
}

/* Samples re-signed by a key that is not their issuer's. */
static const struct {
	const char *what;
	uint32_t type;
	enum sample_key by;
} resigned[] = {
	{ "lease-forged: signature", GRID_REC_LEASE, S_FRIEND },
	{ "invitation-forged: signature", GRID_REC_INVITATION, S_FRIEND },
	{ "charter-forged: signature", GRID_REC_CHARTER, S_HOME },
};

static int forged(const struct grid_signed *s)
{
	static struct grid_signed f;
	struct grid_key k[S_NKEYS];
	struct grid_record r;
	struct grid_why why;
	int i, ret = 0;

	for (i = 0; i < S_NKEYS; i++) {
		ret = sample_key(i, &k[i]);
		if (ret)
			return ret;
	}
	for (i = 0; i < (int)(sizeof(resigned) / sizeof(resigned[0])); i++) {
		ret = sign_as(&f, &s[resigned[i].type].r, &k[resigned[i].by]);
		if (ret)
			goto out;
		print_signed(resigned[i].what, &f);
	}

	/* Friend, a member but not an admin, invites alice itself. */
	r = s[GRID_REC_INVITATION].r;
	memcpy(r.issuer, k[S_FRIEND].pk, GRID_PK_LEN);
	memcpy(r.subject, k[S_ALICE].pk, GRID_PK_LEN);
	if (grid_record_sign(&f, &r, &k[S_FRIEND], &why))
		goto why;
	print_signed("invitation-by-friend: chain may not invite", &f);
	/* Home invites for longer than the charter's invite_max allows. */
	r = s[GRID_REC_INVITATION].r;
	r.not_after = r.issued + 8 * 86400;
	if (grid_record_sign(&f, &r, &k[S_HOME], &why))
		goto why;
	print_signed("invitation-too-long: chain lives longer", &f);
	/* Alice accepts the invitation that is friend's. */
	r = s[GRID_REC_MEMBERSHIP].r;
	memcpy(r.issuer, k[S_ALICE].pk, GRID_PK_LEN);
	if (grid_record_sign(&f, &r, &k[S_ALICE], &why))
		goto why;
	print_signed("membership-by-alice: chain not signed by the invitee", &f);
	/* Friend leases out of home's share, in its own name. */
	r = s[GRID_REC_LEASE].r;
	memcpy(r.issuer, k[S_FRIEND].pk, GRID_PK_LEN);
	if (grid_record_sign(&f, &r, &k[S_FRIEND], &why))
		goto why;
	print_signed("lease-by-friend: chain not the share's issuer", &f);
	goto out;
why:
	fprintf(stderr, "record-samples: %s\n", why.msg);
	ret = -EINVAL;
out:
	for (i = 0; i < S_NKEYS; i++)
		grid_key_free(&k[i]);
	return ret;
}

static bool is_hex(const char *t)
{
	for (; *t; t++) {
		if (!isxdigit((unsigned char)*t))
			return false;
	}
	return true;
}

/* See the top of the file. Returns 1 if any record failed. */
static int open_lines(FILE *in)
{
	static struct grid_signed s;
	static uint8_t raw[GRID_RECORD_MAX + 1];
	char *line = NULL, *tok[4], *save;
	size_t cap = 0, len;
	int failed = 0;

	while (getline(&line, &cap, in) >= 0) {
		const char *type = NULL, *hexrec, *id = NULL;
		struct grid_why why = { "" };
		char idhex[2 * GRID_ID_LEN + 1];
		int n = 0, ret;

		memset(tok, 0, sizeof(tok));
		for (tok[n] = strtok_r(line, " \t\r\n", &save); tok[n] && n < 3;
		     tok[++n] = strtok_r(NULL, " \t\r\n", &save))
			;
		if (!n || tok[0][0] == '#')
			continue;
		n = 0;
		if (!is_hex(tok[0]))
			type = tok[n++];
		hexrec = tok[n++];
		if (hexrec && tok[n])
			id = tok[n];
		if (!hexrec || sodium_hex2bin(raw, sizeof(raw), hexrec,
					      strlen(hexrec), NULL, &len, NULL)) {
			printf("FAIL %s: not hex, or longer than %d bytes\n",
			       type ?: "record", GRID_RECORD_MAX);
			failed = 1;
			continue;
		}
		ret = grid_record_open(&s, raw, len, &why);
		if (!ret && type && strcmp(type, grid_record_type_name(s.r.type)))
			ret = grid_why_set(&why, -EBADMSG, "the line says %s",
					   type);
		sodium_bin2hex(idhex, sizeof(idhex), s.id, GRID_ID_LEN);
		if (!ret && id && strcmp(id, idhex))
			ret = grid_why_set(&why, -EBADMSG, "another id");
		if (ret) {
			printf("FAIL %s: %s\n", type ?: "record", why.msg);
			failed = 1;
		} else {
			printf("ok %s %s\n", grid_record_type_name(s.r.type), idhex);
		}
	}
	free(line);
	return failed;
}

int main(int argc, char **argv)
{
	static struct grid_signed s[GRID_REC_MAX + 1];
	static const char *const names[S_NKEYS] = {
		"home", "pi", "clubhouse", "friend", "alice", "once" };
	uint32_t t;
	int i;

	if (grid_crypto_init())
		return 1;
	if (argc > 1 && !strcmp(argv[1], "keys")) {
		for (i = 0; i < S_NKEYS; i++) {
			struct grid_key k;

			if (sample_key(i, &k))
				return 1;
			printf("%s ", names[i]);
			hex(k.pk, GRID_PK_LEN);
			printf("\n");
			grid_key_free(&k);
		}
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "open"))
		return open_lines(stdin);
	if (sample_records(s))
		return 1;
	if (argc > 1 && !strcmp(argv[1], "forged"))
		return forged(s) ? 1 : 0;
	if (argc > 1 && !strcmp(argv[1], "token")) {
		static struct grid_bundle b;
		static char tok[GRID_TOKEN_MAX];

		b.kind = GRID_BUNDLE_MEMBERSHIP;
		b.n = 3;
		b.rec[0] = s[GRID_REC_CHARTER];
		b.rec[1] = s[GRID_REC_INVITATION];
		b.rec[2] = s[GRID_REC_MEMBERSHIP];
		if (grid_token_write(&b, tok, sizeof(tok)))
			return 1;
		printf("%s\n", tok);
		return 0;
	}
	for (t = 1; t <= GRID_REC_MAX; t++) {
		printf("%s ", grid_record_type_name(t));
		hex(s[t].bytes, s[t].len);
		printf(" ");
		hex(s[t].id, GRID_ID_LEN);
		printf("\n");
	}
	return 0;
}
