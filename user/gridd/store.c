// SPDX-License-Identifier: GPL-2.0
/* gridd's SQLite state; see store.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "store.h"

/*
 * Each step takes the schema from user_version i to i + 1. Append only:
 * a database made by an older gridd is carried forward step by step.
 */
static const char *const migrations[STORE_SCHEMA] = {
	/* 0 -> 1 */
	"CREATE TABLE records ("
	"  id BLOB PRIMARY KEY, type INTEGER NOT NULL, issuer BLOB NOT NULL,"
	"  bytes BLOB NOT NULL, kept INTEGER NOT NULL) WITHOUT ROWID;"
	/* Key files under keys/: whose key, for what. */
	"CREATE TABLE keys ("
	"  file TEXT PRIMARY KEY, pk BLOB NOT NULL UNIQUE, role TEXT NOT NULL,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE self ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1), name TEXT NOT NULL,"
	"  pk BLOB NOT NULL, record BLOB NOT NULL REFERENCES records(id),"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE agents ("
	"  name TEXT PRIMARY KEY, pk BLOB NOT NULL UNIQUE, uid INTEGER UNIQUE,"
	"  cert BLOB NOT NULL REFERENCES records(id), created INTEGER NOT NULL);"
	"CREATE TABLE member_grids ("
	"  name TEXT PRIMARY KEY, pk BLOB NOT NULL UNIQUE,"
	"  cert BLOB NOT NULL REFERENCES records(id), created INTEGER NOT NULL);"
	/* Grid-grids this grid founded or joined. */
	"CREATE TABLE gridgrids ("
	"  name TEXT PRIMARY KEY, pk BLOB NOT NULL UNIQUE,"
	"  charter BLOB NOT NULL REFERENCES records(id),"
	"  founder INTEGER NOT NULL, admin INTEGER NOT NULL,"
	"  membership BLOB REFERENCES records(id), proof BLOB,"
	"  joined INTEGER NOT NULL, left_at INTEGER);"
	/* Members of those grid-grids that this grid has seen proofs of. */
	"CREATE TABLE members ("
	"  gridgrid BLOB NOT NULL, pk BLOB NOT NULL, name TEXT NOT NULL,"
	"  admin INTEGER NOT NULL, membership BLOB REFERENCES records(id),"
	"  invitation BLOB, proof BLOB, ended BLOB REFERENCES records(id),"
	"  PRIMARY KEY (gridgrid, pk)) WITHOUT ROWID;"
	/* Other grids' agents, certified by a member grid we know. */
	"CREATE TABLE peer_agents ("
	"  pk BLOB PRIMARY KEY, grid BLOB NOT NULL, name TEXT NOT NULL,"
	"  cert BLOB NOT NULL REFERENCES records(id)) WITHOUT ROWID;"
	"CREATE TABLE invitations ("
	"  id BLOB PRIMARY KEY REFERENCES records(id), gridgrid TEXT NOT NULL,"
	"  subject BLOB NOT NULL, admin INTEGER NOT NULL,"
	"  not_after INTEGER NOT NULL, one_time INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE shares ("
	"  gridgrid TEXT PRIMARY KEY, serial INTEGER NOT NULL,"
	"  record BLOB NOT NULL REFERENCES records(id));"
	"CREATE TABLE leases_issued ("
	"  lease_id INTEGER PRIMARY KEY, serial INTEGER NOT NULL,"
	"  gridgrid TEXT NOT NULL, holder BLOB NOT NULL,"
	"  holder_grid BLOB NOT NULL, not_before INTEGER NOT NULL,"
	"  not_after INTEGER NOT NULL,"
	"  record BLOB NOT NULL REFERENCES records(id),"
	"  revoked BLOB REFERENCES records(id));"
	"CREATE TABLE leases_held ("
	"  issuer BLOB NOT NULL, lease_id INTEGER NOT NULL,"
	"  serial INTEGER NOT NULL, gridgrid TEXT NOT NULL,"
	"  holder BLOB NOT NULL, not_after INTEGER NOT NULL,"
	"  record BLOB NOT NULL REFERENCES records(id),"
	"  revoked BLOB REFERENCES records(id),"
	"  PRIMARY KEY (issuer, lease_id)) WITHOUT ROWID;"
	"CREATE TABLE ledger ("
	"  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, peer BLOB NOT NULL,"
	"  lease_id INTEGER NOT NULL,"
	"  role TEXT NOT NULL CHECK (role IN ('provided', 'used')),"
	"  receipt BLOB REFERENCES records(id), cpu_us INTEGER NOT NULL,"
	"  memory_peak INTEGER NOT NULL, bytes_out INTEGER NOT NULL,"
	"  bytes_in INTEGER NOT NULL);",
	/* 1 -> 2: peers, gossip and negotiation (issue "gridd, part 2") */
	/* Grids this one has had an authenticated session with. */
	"CREATE TABLE peers ("
	"  pk BLOB PRIMARY KEY, name TEXT, addr TEXT, first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL) WITHOUT ROWID;"
	/* Addresses gridctl peer add gave, dialed and kept like gridd.conf's. */
	"CREATE TABLE dials ("
	"  addr TEXT PRIMARY KEY, pk BLOB, added INTEGER NOT NULL);"
	/*
	 * The records of each grid-grid's gossip set (gossip.c): what this
	 * grid passes on to the other members. kind: 1 a record, 2 a
	 * membership, whose proof is the member's bundle.
	 */
	"CREATE TABLE gossip ("
	"  gridgrid BLOB NOT NULL, id BLOB NOT NULL, kind INTEGER NOT NULL,"
	"  kept INTEGER NOT NULL, PRIMARY KEY (gridgrid, id)) WITHOUT ROWID;"
	/* A holder's requests for leases, and renewals (renew: the lease). */
	"CREATE TABLE asked ("
	"  req BLOB PRIMARY KEY, provider BLOB NOT NULL, gridgrid TEXT NOT NULL,"
	"  holder BLOB NOT NULL, limits BLOB NOT NULL, seconds INTEGER NOT NULL,"
	"  made INTEGER NOT NULL, lease_id INTEGER, renew INTEGER,"
	"  state TEXT NOT NULL CHECK (state IN ('pending', 'granted', 'refused')),"
	"  code INTEGER, why TEXT) WITHOUT ROWID;"
	/* A provider's answers, by request: a request asked again gets the same. */
	"CREATE TABLE answered ("
	"  peer BLOB NOT NULL, req BLOB NOT NULL, lease_id INTEGER,"
	"  code INTEGER, why TEXT, at INTEGER NOT NULL,"
	"  PRIMARY KEY (peer, req)) WITHOUT ROWID;",
	/*
	 * 2 -> 3: indexes for what every lease request and grant looks up.
	 * Without them a holder's bound (how many it holds and awaits) and
	 * the expiry of old requests scan every lease ever held and every
	 * request ever made, which grows without end; with them, the live
	 * rows only.
	 */
	"CREATE INDEX leases_held_by_holder ON leases_held (holder, not_after);"
	"CREATE INDEX asked_by_holder ON asked (holder, state);"
	"CREATE INDEX asked_by_provider ON asked (provider, state);"
	"CREATE INDEX asked_pending ON asked (made) WHERE state = 'pending';"
	"CREATE INDEX leases_issued_by_record ON leases_issued (record);"
	"CREATE INDEX leases_issued_by_holder ON leases_issued (holder_grid, gridgrid);"
	"CREATE INDEX leases_issued_by_gridgrid ON leases_issued (gridgrid, not_after);"
	"CREATE INDEX leases_issued_by_revocation ON leases_issued (revoked);",
	/*
	 * 3 -> 4: remote jobs (jobs_provider.c, jobs_holder.c). A provider's
	 * job, from its acceptance until its holder has all its output; slot
	 * is its uid's (GRIDD_JOB_UID_BASE + slot).
	 */
	"CREATE TABLE jobs_provided ("
	"  id BLOB PRIMARY KEY, holder_grid BLOB NOT NULL, lease_id INTEGER NOT NULL,"
	"  gridgrid TEXT NOT NULL, slot INTEGER NOT NULL UNIQUE, argv BLOB NOT NULL,"
	"  started INTEGER NOT NULL, ended INTEGER, status INTEGER, why TEXT,"
	"  cpu_us INTEGER, mem_peak INTEGER, out_size INTEGER, err_size INTEGER,"
	"  receipt BLOB REFERENCES records(id)) WITHOUT ROWID;"
	/* A holder's jobs: delivered is what gridctl has written out. */
	"CREATE TABLE jobs_held ("
	"  id BLOB PRIMARY KEY, provider BLOB NOT NULL, holder BLOB NOT NULL,"
	"  lease_id INTEGER NOT NULL, argv BLOB NOT NULL, tty INTEGER NOT NULL,"
	"  rows INTEGER NOT NULL, cols INTEGER NOT NULL, net INTEGER NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('asked', 'running', 'ended', 'refused')),"
	"  made INTEGER NOT NULL, ended INTEGER, status INTEGER, code INTEGER, why TEXT,"
	"  cpu_us INTEGER, mem_peak INTEGER, out_size INTEGER, err_size INTEGER,"
	"  delivered_out INTEGER NOT NULL DEFAULT 0, delivered_err INTEGER NOT NULL DEFAULT 0,"
	"  receipt BLOB REFERENCES records(id)) WITHOUT ROWID;"
	"CREATE INDEX jobs_held_by_provider ON jobs_held (provider, state);"
	"CREATE INDEX jobs_held_by_holder ON jobs_held (holder, made);"
	/* gridctl selftest, by kernel release: no foreign job before it passed. */
	"CREATE TABLE selftests ("
	"  kernel TEXT PRIMARY KEY, at INTEGER NOT NULL, passed INTEGER NOT NULL,"
	"  report TEXT NOT NULL);",
};

static int sql_err(struct store *s, const char *what)
{
	log_err("state: %s: %s", what, sqlite3_errmsg(s->db));
	return -EIO;
}

static int run(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_err("state: %s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static int migrate(struct store *s, struct grid_why *why)
{
	int64_t v;
	int ret;

	ret = store_int(s, &v, "PRAGMA user_version", "");
	if (ret)
		return grid_why_set(why, ret, "cannot read the schema version");
	if (v > STORE_SCHEMA)
		return grid_why_set(why, -EPROTO,
			"the state was written by a newer gridd (schema %lld, this one knows %d)",
			(long long)v, STORE_SCHEMA);
	for (; v < STORE_SCHEMA; v++) {
		char bump[64];

		snprintf(bump, sizeof(bump), "PRAGMA user_version = %lld",
			 (long long)v + 1);
		ret = store_begin(s);
		if (!ret)
			ret = run(s, migrations[v]);
		if (!ret)
			ret = run(s, bump);
		if (ret) {
			store_rollback(s);
			return grid_why_set(why, ret,
					    "migrating the schema from %lld failed",
					    (long long)v);
		}
		ret = store_commit(s);
		if (ret)
			return grid_why_set(why, ret,
					    "migrating the schema from %lld failed",
					    (long long)v);
		log_info("state: schema %lld", (long long)v + 1);
	}
	return 0;
}

int store_open(struct store *s, const char *dir, struct grid_why *why)
{
	char path[4096];
	int ret;

	memset(s, 0, sizeof(*s));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, STORE_FILE) >=
	    sizeof(path))
		return grid_why_set(why, -ENAMETOOLONG, "state path too long");
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
			    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		ret = grid_why_set(why, -EIO, "cannot open %s: %s", path,
				   s->db ? sqlite3_errmsg(s->db) : "no memory");
		store_close(s);
		return ret;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/*
	 * WAL with synchronous=FULL: every COMMIT fsync()s the WAL, so what
	 * is committed survives a power cut, not just a crash of gridd.
	 */
	ret = run(s, "PRAGMA journal_mode = WAL;"
		     "PRAGMA synchronous = FULL;"
		     "PRAGMA foreign_keys = ON;"
		     "PRAGMA busy_timeout = 5000;");
	if (!ret)
		ret = migrate(s, why);
	else
		grid_why_set(why, ret, "cannot set up %s: %s", path,
			     sqlite3_errmsg(s->db));
	if (ret)
		store_close(s);
	return ret;
}

void store_close(struct store *s)
{
	int i;

	for (i = 0; i < STORE_CACHE; i++) {
		/* A busy one is a caller's leak; finalizing it is still right. */
		sqlite3_finalize(s->cache[i].idle);
		sqlite3_finalize(s->cache[i].busy);
	}
	memset(s->cache, 0, sizeof(s->cache));
	if (s->db)
		sqlite3_close(s->db);
	s->db = NULL;
}

/*
 * The outermost level is a real transaction; inner ones are savepoints,
 * so one request of a batch can be undone while the batch commits (group
 * commit: one fsync for every request that was waiting).
 */
int store_begin(struct store *s)
{
	char sql[32];

	if (s->depth++ == 0)
		/* IMMEDIATE: the write lock now, not at the first write. */
		return run(s, "BEGIN IMMEDIATE") ? (s->depth = 0, -EIO) : 0;
	snprintf(sql, sizeof(sql), "SAVEPOINT s%d", s->depth);
	if (run(s, sql)) {
		s->depth--;
		return -EIO;
	}
	return 0;
}

/*
 * Keeps what was done since the matching store_begin(). A level that
 * cannot be kept is undone and closed: after a failed commit there is
 * nothing left to roll back at that level, and the level above is as it
 * was before the store_begin().
 */
int store_commit(struct store *s)
{
	char sql[32];

	if (!s->depth)
		return -EINVAL;
	if (s->depth > 1) {
		snprintf(sql, sizeof(sql), "RELEASE s%d", s->depth);
		if (run(s, sql)) {
			store_rollback(s);	/* this level, and closes it */
			/* SQLite may have rolled the whole transaction back. */
			if (sqlite3_get_autocommit(s->db))
				s->depth = 0;
			return -EIO;
		}
		s->depth--;
		return 0;
	}
	s->depth = 0;
	if (run(s, "COMMIT")) {
		/* A COMMIT that failed may leave the transaction open. */
		if (!sqlite3_get_autocommit(s->db))
			run(s, "ROLLBACK");
		return -EIO;
	}
	return 0;
}

void store_rollback(struct store *s)
{
	char sql[64];

	if (!s->depth)
		return;
	if (s->depth > 1) {
		snprintf(sql, sizeof(sql), "ROLLBACK TO s%d; RELEASE s%d",
			 s->depth, s->depth);
		s->depth--;
		run(s, sql);
		return;
	}
	s->depth = 0;
	if (!sqlite3_get_autocommit(s->db))
		run(s, "ROLLBACK");
}

/*
 * A prepared @sql: the cached one if it is idle, else a new one, kept in
 * the cache if there is room. One in use (a query open while the same
 * query runs again) gets a fresh statement of its own, never shared.
 */
static sqlite3_stmt *take(struct store *s, const char *sql)
{
	struct store_cached *c, *slot = NULL;
	sqlite3_stmt *st;
	int i;

	for (i = 0; i < STORE_CACHE; i++) {
		c = &s->cache[i];
		if (c->sql == sql) {
			if (c->idle) {
				c->busy = c->idle;
				c->idle = NULL;
				return c->busy;
			}
			slot = NULL;
			break;
		}
		if (!c->sql && !slot)
			slot = c;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1,
			       slot ? SQLITE_PREPARE_PERSISTENT : 0, &st,
			       NULL) != SQLITE_OK) {
		sql_err(s, sql);
		return NULL;
	}
	if (slot) {
		slot->sql = sql;
		slot->busy = st;
	}
	return st;
}

void store_done(struct store *s, sqlite3_stmt *st)
{
	int i;

	if (!st)
		return;
	for (i = 0; i < STORE_CACHE; i++) {
		if (s->cache[i].busy == st) {
			/* Reset: no read transaction stays open behind it. */
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			s->cache[i].busy = NULL;
			s->cache[i].idle = st;
			return;
		}
	}
	sqlite3_finalize(st);
}

static sqlite3_stmt *vprep(struct store *s, const char *sql, const char *fmt,
			   va_list ap)
{
	sqlite3_stmt *st;
	int i, rc = SQLITE_OK;

	st = take(s, sql);
	if (!st)
		return NULL;
	for (i = 0; fmt[i] && rc == SQLITE_OK; i++) {
		const void *p;

		switch (fmt[i]) {
		case 'i':
			rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 'u':
			rc = sqlite3_bind_int64(st, i + 1,
						(int64_t)va_arg(ap, uint64_t));
			break;
		case 't':
			rc = sqlite3_bind_text(st, i + 1, va_arg(ap, const char *),
					       -1, SQLITE_TRANSIENT);
			break;
		case 'b':
			p = va_arg(ap, const void *);
			rc = sqlite3_bind_blob(st, i + 1, p,
					       (int)va_arg(ap, size_t),
					       SQLITE_TRANSIENT);
			break;
		case 'k':
			rc = sqlite3_bind_blob(st, i + 1, va_arg(ap, const void *),
					       GRID_PK_LEN, SQLITE_TRANSIENT);
			break;
		case 'n':
			rc = sqlite3_bind_null(st, i + 1);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	if (rc != SQLITE_OK) {
		sql_err(s, sql);
		store_done(s, st);
		return NULL;
	}
	return st;
}

sqlite3_stmt *store_prep(struct store *s, const char *sql, const char *fmt,
			 ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, fmt);
	st = vprep(s, sql, fmt, ap);
	va_end(ap);
	return st;
}

int store_step(struct store *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sql_err(s, sqlite3_sql(st));
}

int store_exec(struct store *s, sqlite3_stmt *st)
{
	int rc, ret = 0;

	if (!st)
		return -EIO;
	rc = sqlite3_step(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		/* A constraint is the caller's to explain, not a failure. */
		ret = -EEXIST;
	} else if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		ret = sql_err(s, sqlite3_sql(st));
	}
	store_done(s, st);
	return ret;
}

int store_col_key(sqlite3_stmt *st, int i, uint8_t out[GRID_PK_LEN])
{
	if (sqlite3_column_type(st, i) != SQLITE_BLOB ||
	    sqlite3_column_bytes(st, i) != GRID_PK_LEN)
		return -EINVAL;
	memcpy(out, sqlite3_column_blob(st, i), GRID_PK_LEN);
	return 0;
}

int store_int(struct store *s, int64_t *out, const char *sql, const char *fmt,
	      ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	st = vprep(s, sql, fmt, ap);
	va_end(ap);
	if (!st)
		return -EIO;
	ret = store_step(s, st);
	if (ret == 1) {
		*out = sqlite3_column_int64(st, 0);
		ret = 0;
	} else if (ret == 0) {
		ret = -ENOENT;
	}
	store_done(s, st);
	return ret;
}

int store_record_put(struct store *s, const struct grid_signed *rec)
{
	return store_exec(s, store_prep(s,
		"INSERT INTO records (id, type, issuer, bytes, kept)"
		" VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
		"kikbi", rec->id, (int64_t)rec->r.type, rec->r.issuer,
		rec->bytes, rec->len, (int64_t)time(NULL)));
}

int store_record_get(struct store *s, const uint8_t id[GRID_ID_LEN],
		     struct grid_signed *rec)
{
	sqlite3_stmt *st;
	int ret;

	st = store_prep(s, "SELECT bytes FROM records WHERE id = ?", "k", id);
	if (!st)
		return -EIO;
	ret = store_step(s, st);
	if (ret == 1) {
		struct grid_why why;

		/* Verified before it was kept; the state is as safe as the keys. */
		ret = grid_record_open_kept(rec, sqlite3_column_blob(st, 0),
					    sqlite3_column_bytes(st, 0), &why);
		if (ret)
			log_err("state: a stored record no longer opens: %s",
				why.msg);
	} else if (ret == 0) {
		ret = -ENOENT;
	}
	store_done(s, st);
	return ret;
}

int store_check(struct store *s, struct grid_why *why)
{
	sqlite3_stmt *st;
	int ret;

	st = store_prep(s, "PRAGMA integrity_check", "");
	if (!st)
		return -EIO;
	ret = store_step(s, st);
	if (ret == 1) {
		const char *r = (const char *)sqlite3_column_text(st, 0);

		ret = r && !strcmp(r, "ok") ? 0 :
		      grid_why_set(why, -EIO, "state: %s", r ? r : "?");
	} else if (ret == 0) {
		ret = grid_why_set(why, -EIO, "state: no integrity result");
	}
	store_done(s, st);
	return ret;
}
