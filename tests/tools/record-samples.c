// SPDX-License-Identifier: GPL-2.0
/*
 * record-samples: prints the sample of every record type (record_samples.h)
 * as "TYPE HEX-BYTES HEX-ID", one per line, and with "keys" the public key
 * of each sample key as "NAME HEX". The Python verifier and RECORDS.md
 * take their examples from it.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "record_samples.h"

static void hex(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
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
	if (sample_records(s))
		return 1;
	for (t = 1; t <= GRID_REC_MAX; t++) {
		printf("%s ", grid_record_type_name(t));
		hex(s[t].bytes, s[t].len);
		printf(" ");
		hex(s[t].id, GRID_ID_LEN);
		printf("\n");
	}
	return 0;
}
