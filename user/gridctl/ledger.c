// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl ledger [peer NAME|KEY] [receipts]
 *
 * What this grid provided to each peer and used from it, from gridd's
 * ledger: a line per peer and role with the sums over its jobs, and the
 * balance of CPU time (provided minus used: positive, this grid gave
 * more). With receipts, each job's line instead, with the id of its
 * signed receipt (and with -j the receipt's bytes, for any verifier).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "print.h"
#include "units.h"
#include "gridctl.h"

#define LABEL_LEN	(GRID_API_TEXT_MAX + 1)

/*
 * The peer whose roles are being printed. gridd answers them in the
 * order of the peers' keys, so a peer's roles come together, perhaps
 * across two pages: its object closes when another peer's item comes,
 * or at the end.
 */
struct peer_sum {
	bool open;
	uint8_t key[GRID_PK_LEN];
	char label[LABEL_LEN];
	int64_t balance_us;	/* provided minus used */
};

/* A balance of CPU time, signed: "+1.2s", "-350ms", "0s". */
static const char *signed_cpu(char buf[GRID_FMT_LEN + 1], int64_t us)
{
	uint64_t mag = us < 0 ? -(uint64_t)us : (uint64_t)us;

	buf[0] = us > 0 ? '+' : '-';
	gridctl_fmt_elapsed(buf + !!us, GRID_FMT_LEN, mag * 1000);
	return buf;
}

static void peer_close(struct peer_sum *p)
{
	char buf[GRID_FMT_LEN + 1];

	if (!p->open)
		return;
	print_arr_close();
	print_s64(PRINT_JSON, "balance_cpu_us", NULL, p->balance_us);
	print_text("balance with %s: %s cpu\n", p->label, signed_cpu(buf, p->balance_us));
	print_obj_close();
	p->open = false;
}

static void peer_open(struct peer_sum *p, const struct grid_api_map *m)
{
	const uint8_t *key = grid_api_has(m, GRID_A_KEY) ? m->b[GRID_A_KEY] : NULL;
	const char *label = grid_api_has(m, GRID_A_NAME) ? m->t[GRID_A_NAME] : "?";

	if (p->open && (key ? !memcmp(p->key, key, GRID_PK_LEN) : !strcmp(p->label, label)))
		return;
	peer_close(p);
	memset(p->key, 0, sizeof(p->key));
	if (key)
		memcpy(p->key, key, GRID_PK_LEN);
	snprintf(p->label, sizeof(p->label), "%s", label);
	p->balance_us = 0;
	p->open = true;
	print_obj_open(NULL);
	print_str(PRINT_JSON, "peer", NULL, p->label);
	if (key)
		gridctl_print_hexkey("key", NULL, key);
	print_arr_open("roles");
}

/* The usage fields a role's sums and a receipt share. */
static void show_usage(const struct grid_api_map *m)
{
	char buf[GRID_FMT_LEN];
	uint64_t cpu = m->u[GRID_A_CPU_US];

	print_u64(PRINT_JSON, "cpu_us", NULL, cpu);
	print_text(" cpu %s", gridctl_fmt_elapsed(buf, sizeof(buf), cpu * 1000));
	print_u64(PRINT_JSON, "memory_peak", NULL, m->u[GRID_A_MEMORY_PEAK]);
	print_text(" memory-peak %s", grid_format_size(buf, sizeof(buf), m->u[GRID_A_MEMORY_PEAK]));
	print_u64(PRINT_JSON, "bytes_sent", NULL, m->u[GRID_A_BYTES_SENT]);
	print_text(" sent %s", grid_format_size(buf, sizeof(buf), m->u[GRID_A_BYTES_SENT]));
	print_u64(PRINT_JSON, "bytes_received", NULL, m->u[GRID_A_BYTES_RECEIVED]);
	print_text(" received %s", grid_format_size(buf, sizeof(buf),
						    m->u[GRID_A_BYTES_RECEIVED]));
}

static void show_role(struct peer_sum *p, const struct grid_api_map *m)
{
	const char *role = grid_api_has(m, GRID_A_ROLE) ? m->t[GRID_A_ROLE] : "?";
	uint64_t n = m->u[GRID_A_COUNT];

	peer_open(p, m);
	if (!strcmp(role, "provided"))
		p->balance_us += m->u[GRID_A_CPU_US];
	else if (!strcmp(role, "used"))
		p->balance_us -= m->u[GRID_A_CPU_US];
	print_obj_open(NULL);
	print_text("%s", p->label);
	print_str(PRINT_ANY, "role", " %s", role);
	print_u64(PRINT_JSON, "jobs", NULL, n);
	print_text(" %" PRIu64 " %s", n, n == 1 ? "job" : "jobs");
	show_usage(m);
	gridctl_print_time("since", " since %s",
			   (int64_t)m->u[GRID_A_SINCE] * GRID_NSEC_PER_SEC);
	print_text("\n");
	print_obj_close();
}

static void show_receipt(const struct grid_api_map *m)
{
	char *hex;

	print_str(PRINT_ANY, "peer", "%s", grid_api_has(m, GRID_A_NAME) ? m->t[GRID_A_NAME] : "?");
	if (grid_api_has(m, GRID_A_KEY))
		gridctl_print_hexkey("key", NULL, m->b[GRID_A_KEY]);
	print_str(PRINT_ANY, "role", " %s", grid_api_has(m, GRID_A_ROLE) ? m->t[GRID_A_ROLE] : "?");
	print_u64(PRINT_ANY, "lease_id", " lease %" PRIu64, m->u[GRID_A_LEASE_ID]);
	show_usage(m);
	gridctl_print_time("at", " at %s", (int64_t)m->u[GRID_A_SINCE] * GRID_NSEC_PER_SEC);
	if (grid_api_has(m, GRID_A_ID))
		gridctl_print_hexkey("id", "\n\treceipt %s", m->b[GRID_A_ID]);
	if (grid_api_has(m, GRID_A_RECORD)) {
		hex = malloc(2 * m->bn[GRID_A_RECORD] + 1);
		if (hex) {
			sodium_bin2hex(hex, 2 * m->bn[GRID_A_RECORD] + 1,
				       m->b[GRID_A_RECORD], m->bn[GRID_A_RECORD]);
			print_str(PRINT_JSON, "record", NULL, hex);
			free(hex);
		}
	}
	print_text("\n");
}

/*
 * Every page of the answer, asked before anything is printed: a failure
 * on a later page is then said alone, and -j's stdout still parses.
 */
static int fetch(const char *what, struct grid_api_map *a, struct grid_api_in **pages,
		 uint32_t *n)
{
	struct grid_api_in *more, *in;
	uint64_t off = 0;

	*pages = NULL;
	*n = 0;
	for (;;) {
		more = realloc(*pages, (*n + 1) * sizeof(**pages));
		if (!more)
			return gridctl_fail(what, "out of memory");
		*pages = more;
		in = &more[*n];
		if (off)
			grid_api_set_u(a, GRID_A_OFFSET, off);
		if (gridctl_call(what, GRID_OP_LEDGER, a, in))
			return 1;
		(*n)++;
		if (!in->more || !in->n_items)
			return 0;
		off += in->n_items;
	}
}

static void pages_free(struct grid_api_in *pages, uint32_t n)
{
	while (n--)
		grid_api_in_free(&pages[n]);
	free(pages);
}

int do_ledger(int argc, char **argv)
{
	const char *what = "gridctl ledger";
	struct peer_sum p = { .open = false };
	struct grid_api_in *pages;
	struct grid_api_map a;
	uint8_t key[GRID_PK_LEN];
	uint32_t n, k, j;
	bool listed = false;
	int i, ret;

	grid_api_map_init(&a);
	for (i = 0; i < argc; i++) {
		if (gridctl_is_help(argv[i])) {
			printf("Usage: gridctl ledger [peer NAME|KEY] [receipts]\n");
			return 0;
		} else if (!strcmp(argv[i], "peer") && !grid_api_has(&a, GRID_A_KEY) &&
			   !grid_api_has(&a, GRID_A_NAME)) {
			const char *v = gridctl_value(what, argc, argv, &i);
			char name[GRID_NAME_LEN];

			if (!v)
				return 2;
			if (!grid_parse_key(v, key))
				grid_api_set_b(&a, GRID_A_KEY, key, GRID_PK_LEN);
			else if (!grid_parse_name(v, name))
				grid_api_set_t(&a, GRID_A_NAME, v);
			else
				return gridctl_usage(what, "'%s' is not a grid's name or key (64 hex digits)",
						     v);
		} else if (!strcmp(argv[i], "receipts") && !listed) {
			grid_api_set_t(&a, GRID_A_ROLE, "receipts");
			listed = true;
		} else {
			return gridctl_usage(what, "unknown word '%s' (gridctl ledger [peer NAME|KEY] [receipts])",
					     argv[i]);
		}
	}
	ret = fetch(what, &a, &pages, &n);
	if (ret) {
		pages_free(pages, n);
		return ret;
	}
	print_start(stdout, gridctl_json, gridctl_pretty);
	print_arr_open(listed ? "receipts" : "ledger");
	for (j = 0; j < n; j++) {
		for (k = 0; k < pages[j].n_items; k++) {
			if (!listed) {
				show_role(&p, &pages[j].items[k]);
				continue;
			}
			print_obj_open(NULL);
			show_receipt(&pages[j].items[k]);
			print_obj_close();
		}
	}
	peer_close(&p);
	print_arr_close();
	pages_free(pages, n);
	return print_end() ? 1 : 0;
}
