/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gridd's durable state: one SQLite database in WAL mode with
 * synchronous=FULL, so a COMMIT has reached the disk (the WAL fsync()ed)
 * before it returns, and gridd acknowledges nothing before its COMMIT.
 * The schema is versioned by PRAGMA user_version and migrated forward at
 * open, each step in its own transaction.
 *
 * Every signed record gridd keeps is in one table by id; the other tables
 * are what gridd knows about them (whose key, which grid-grid, which
 * lease), pointing at records by id.
 */
#ifndef GRIDD_STORE_H
#define GRIDD_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "record.h"

#define STORE_FILE	"state.db"
#define STORE_SCHEMA	4	/* the user_version this gridd writes */

/*
 * Statements gridd runs again and again (every lease issue runs the same
 * dozen) are kept prepared, keyed by the address of their SQL text: the
 * callers pass string literals. Parsing SQL was 40% of a lease issue.
 */
#define STORE_CACHE	48

struct store_cached {
	const char *sql;	/* the key; NULL: a free slot */
	sqlite3_stmt *idle;	/* ready to be taken, or NULL */
	sqlite3_stmt *busy;	/* taken, to come back by store_done() */
};

struct store {
	sqlite3 *db;
	int depth;	/* of store_begin() */
	struct store_cached cache[STORE_CACHE];
};

/*
 * Opens (creating if need be) @dir/state.db. -EPROTO if its schema is
 * newer than this gridd knows, -EIO with @why for anything SQLite says.
 */
int store_open(struct store *s, const char *dir, struct grid_why *why);
void store_close(struct store *s);

/*
 * Transactions nest: the outermost is BEGIN IMMEDIATE .. COMMIT, inner
 * ones savepoints; store_rollback() undoes the innermost level only.
 */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/*
 * A prepared statement with its parameters bound from @fmt: 'i' int64_t,
 * 'u' uint64_t (stored as int64), 't' text, 'b' blob (pointer, size_t),
 * 'k' 32-byte key or id, 'n' NULL. NULL on error (logged as failed).
 * @sql must outlive the store (a string literal): it keys the cache.
 * Every statement goes back by store_done() or store_exec().
 */
sqlite3_stmt *store_prep(struct store *s, const char *sql, const char *fmt,
			 ...);
/* Gives back a statement from store_prep() (NULL is fine). */
void store_done(struct store *s, sqlite3_stmt *st);
/* Runs @st to the end and gives it back: 0, -EEXIST (constraint), -EIO. */
int store_exec(struct store *s, sqlite3_stmt *st);
/* One step: 1 for a row, 0 at the end, -EIO. */
int store_step(struct store *s, sqlite3_stmt *st);
/* Column @i as a 32-byte key: 0, or -EINVAL if it is not one. */
int store_col_key(sqlite3_stmt *st, int i, uint8_t out[GRID_PK_LEN]);
/* The integer result of a one-row, one-column query; -ENOENT if none. */
int store_int(struct store *s, int64_t *out, const char *sql, const char *fmt,
	      ...);

/* Keeps a signed record by id (kept once, whoever sends it again). */
int store_record_put(struct store *s, const struct grid_signed *rec);
/* The record of @id, opened again (its signature checked): -ENOENT. */
int store_record_get(struct store *s, const uint8_t id[GRID_ID_LEN],
		     struct grid_signed *rec);

/* PRAGMA integrity_check: 0 if "ok", else -EIO with SQLite's first line. */
int store_check(struct store *s, struct grid_why *why);

#endif
