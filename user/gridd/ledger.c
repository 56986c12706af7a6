// SPDX-License-Identifier: GPL-2.0
/*
 * The ledger: what this grid provided to each peer and used from it, as
 * the lines jobs_provider.c (sign_receipt, role 'provided') and
 * jobs_holder.c (keep_receipt, role 'used') keep when a remote job ends,
 * each beside the signed receipt it was made from. Read here, never
 * written.
 */
#include <errno.h>
#include <string.h>

#include "gridd.h"
#include "peers.h"

/*
 * The peer @rq names, by key or by name: 1 with its key in @pk, 0 if it
 * names none, or fails. A name is a member's or one a session taught;
 * two grids may take one, and then the one this grid has a ledger with
 * is meant, unless it has one with both.
 */
static int peer_of(struct gridd *g, struct request *rq, uint8_t pk[GRID_PK_LEN])
{
	const struct grid_api_map *a = rq->args;
	const char *name = a->t[GRID_A_NAME];
	sqlite3_stmt *st;
	int ret;

	if (grid_api_has(a, GRID_A_KEY) && grid_api_has(a, GRID_A_NAME))
		return gridd_fail(rq, -EINVAL, "say the peer by its key or by its name, not both");
	if (grid_api_has(a, GRID_A_KEY)) {
		memcpy(pk, a->b[GRID_A_KEY], GRID_PK_LEN);
		return 1;
	}
	if (!grid_api_has(a, GRID_A_NAME))
		return 0;
	/* "founder" stands in for a founder whose own name is not known yet. */
	st = store_prep(&g->st, "SELECT pk, pk IN (SELECT peer FROM ledger) FROM"
			" (SELECT pk FROM members WHERE name = ?1 AND name != 'founder'"
			" UNION SELECT pk FROM peers WHERE name = ?1) ORDER BY 2 DESC",
			"t", name);
	ret = st ? store_step(&g->st, st) : -EIO;
	if (ret == 1) {
		bool kept = sqlite3_column_int(st, 1);

		ret = store_col_key(st, 0, pk) ? -EIO : 1;
		if (ret == 1 && kept && store_step(&g->st, st) == 1 &&
		    sqlite3_column_int(st, 1))
			ret = gridd_fail(rq, -ENOTUNIQ,
					 "this grid has a ledger with more than one grid called '%s': say which by its key",
					 name);
	} else if (!ret) {
		ret = gridd_fail(rq, -ENOENT, "no peer grid '%s' is known here", name);
	}
	store_done(&g->st, st);
	return ret;
}

/* The peer's key and printable name, into an item. */
static void peer_fields(struct gridd *g, struct grid_api_map *m, sqlite3_stmt *st,
			uint8_t pk[GRID_PK_LEN], char label[GRID_NAME_LEN + 24])
{
	if (store_col_key(st, 0, pk))
		return;
	gridd_peer_label(g, pk, label);
	grid_api_set_b(m, GRID_A_KEY, pk, GRID_PK_LEN);
	grid_api_set_t(m, GRID_A_NAME, label);
}

/* One item per peer and role: the sums over its lines. */
static int sums(struct gridd *g, struct request *rq, bool one,
		const uint8_t *peer, uint64_t off)
{
	sqlite3_stmt *st;
	int ret;

	st = store_prep(&g->st, "SELECT peer, role, count(*), sum(cpu_us), max(memory_peak),"
			" sum(bytes_out), sum(bytes_in), min(at) FROM ledger"
			" WHERE ?1 = 0 OR peer = ?2 GROUP BY peer, role ORDER BY peer, role"
			" LIMIT -1 OFFSET ?3", "iki", (int64_t)one, peer, (int64_t)off);
	if (!st)
		return -EIO;
	while ((ret = store_step(&g->st, st)) == 1) {
		char label[GRID_NAME_LEN + 24];
		uint8_t pk[GRID_PK_LEN];
		struct grid_api_map m;

		grid_api_map_init(&m);
		peer_fields(g, &m, st, pk, label);
		grid_api_set_t(&m, GRID_A_ROLE, (const char *)sqlite3_column_text(st, 1));
		grid_api_set_u(&m, GRID_A_COUNT, sqlite3_column_int64(st, 2));
		grid_api_set_u(&m, GRID_A_CPU_US, sqlite3_column_int64(st, 3));
		grid_api_set_u(&m, GRID_A_MEMORY_PEAK, sqlite3_column_int64(st, 4));
		grid_api_set_u(&m, GRID_A_BYTES_SENT, sqlite3_column_int64(st, 5));
		grid_api_set_u(&m, GRID_A_BYTES_RECEIVED, sqlite3_column_int64(st, 6));
		grid_api_set_u(&m, GRID_A_SINCE, sqlite3_column_int64(st, 7));
		ret = grid_api_add_item(rq->out, &m);
		if (ret)
			break;
	}
	store_done(&g->st, st);
	if (ret == -ENOSPC) {
		rq->out->more = true;
		ret = 0;
	}
	return ret;
}

/* One item per line that has its receipt, with the signed record. */
static int receipts(struct gridd *g, struct request *rq, bool one,
		    const uint8_t *peer, uint64_t off)
{
	sqlite3_stmt *st;
	int ret;

	st = store_prep(&g->st, "SELECT l.peer, l.role, l.receipt, l.lease_id, l.cpu_us,"
			" l.memory_peak, l.bytes_out, l.bytes_in, l.at, r.bytes FROM ledger l"
			" LEFT JOIN records r ON r.id = l.receipt WHERE l.receipt IS NOT NULL"
			" AND (?1 = 0 OR l.peer = ?2) ORDER BY l.seq LIMIT -1 OFFSET ?3",
			"iki", (int64_t)one, peer, (int64_t)off);
	if (!st)
		return -EIO;
	while ((ret = store_step(&g->st, st)) == 1) {
		char label[GRID_NAME_LEN + 24];
		uint8_t pk[GRID_PK_LEN];
		struct grid_api_map m;

		grid_api_map_init(&m);
		peer_fields(g, &m, st, pk, label);
		grid_api_set_t(&m, GRID_A_ROLE, (const char *)sqlite3_column_text(st, 1));
		if (sqlite3_column_bytes(st, 2) == GRID_ID_LEN)
			grid_api_set_b(&m, GRID_A_ID, sqlite3_column_blob(st, 2), GRID_ID_LEN);
		grid_api_set_u(&m, GRID_A_LEASE_ID, sqlite3_column_int64(st, 3));
		grid_api_set_u(&m, GRID_A_CPU_US, sqlite3_column_int64(st, 4));
		grid_api_set_u(&m, GRID_A_MEMORY_PEAK, sqlite3_column_int64(st, 5));
		grid_api_set_u(&m, GRID_A_BYTES_SENT, sqlite3_column_int64(st, 6));
		grid_api_set_u(&m, GRID_A_BYTES_RECEIVED, sqlite3_column_int64(st, 7));
		grid_api_set_u(&m, GRID_A_SINCE, sqlite3_column_int64(st, 8));
		if (sqlite3_column_type(st, 9) == SQLITE_BLOB)
			grid_api_set_b(&m, GRID_A_RECORD, sqlite3_column_blob(st, 9),
				       sqlite3_column_bytes(st, 9));
		ret = grid_api_add_item(rq->out, &m);
		if (ret)
			break;
	}
	store_done(&g->st, st);
	if (ret == -ENOSPC) {
		rq->out->more = true;
		ret = 0;
	}
	return ret;
}

int op_ledger(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	uint64_t off = grid_api_has(a, GRID_A_OFFSET) ? a->u[GRID_A_OFFSET] : 0;
	uint8_t pk[GRID_PK_LEN] = { 0 };
	bool listed = false;
	int ret;

	/*
	 * The ledger is the grid's account with its peers, not any agent's:
	 * the lines name no agent (a job's holder may be any of them), so an
	 * agent sees all of it, as root does. A uid that is no agent is not
	 * of this grid, and sees none of it.
	 */
	if (!rq->who->root && !rq->who->has_agent)
		return gridd_fail(rq, -EPERM,
			"uid %u is none of this grid's agents: root can make it one with 'gridctl agent add NAME uid %u'",
			(unsigned int)rq->who->uid, (unsigned int)rq->who->uid);
	if (grid_api_has(a, GRID_A_ROLE)) {
		if (strcmp(a->t[GRID_A_ROLE], "receipts"))
			return gridd_fail(rq, -EINVAL, "the ledger's role is 'receipts' or none, not '%s'",
					  a->t[GRID_A_ROLE]);
		listed = true;
	}
	ret = peer_of(g, rq, pk);
	if (ret < 0)
		return ret;
	return listed ? receipts(g, rq, ret, pk, off) : sums(g, rq, ret, pk, off);
}
