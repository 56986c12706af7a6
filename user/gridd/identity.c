// SPDX-License-Identifier: GPL-2.0
/*
 * The grid's identity: its key, its agents (users and services, each with
 * a key the grid certifies, and the local uid that acts as it), and the
 * member grids it certifies. Keys are made here and kept under keys/ in
 * the state folder, mode 0600; only their public halves and file names go
 * into the database, and no secret is ever logged or sent.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "dev.h"
#include "gridd.h"
#include "log.h"
#include "token.h"
#include "units.h"

int gridd_sign_keep(struct gridd *g, struct grid_record *r,
		    const struct grid_key *key, struct grid_signed *out,
		    struct grid_why *why)
{
	int ret;

	ret = grid_record_sign(out, r, key, why);
	if (ret)
		return ret;
	ret = store_record_put(&g->st, out);
	if (ret)
		return grid_why_set(why, ret, "the record cannot be kept");
	return 0;
}

int gridd_key_new(struct gridd *g, const char *file, const char *role,
		  struct grid_key *k)
{
	struct request *rq = g->serving;
	char path[sizeof(rq->key_made)];
	int ret;

	ret = grid_key_generate(k);
	if (ret)
		return ret;
	/* The key's own name in the file: a retry never meets an orphan. */
	snprintf(path, sizeof(path), "keys/%s-%02x%02x%02x%02x.key", file,
		 k->pk[0], k->pk[1], k->pk[2], k->pk[3]);
	ret = grid_key_save(k, g->state_fd, path);
	if (ret) {
		grid_key_free(k);
		return ret;
	}
	ret = store_exec(&g->st, store_prep(&g->st,
		"INSERT INTO keys (file, pk, role, created) VALUES (?, ?, ?, ?)",
		"tkti", path, k->pk, role, (int64_t)gridd_now(g)));
	if (ret) {
		unlinkat(g->state_fd, path, 0);
		grid_key_free(k);
		return ret;
	}
	/*
	 * The file is on disk now, its row only once the batch commits: if
	 * the request is undone, serve_one or serve_batch removes it. One a
	 * request: a second (none makes two) is left to the sweep at start.
	 */
	if (rq && !rq->key_made[0])
		snprintf(rq->key_made, sizeof(rq->key_made), "%s", path);
	return 0;
}

void gridd_key_undo(struct gridd *g, struct request *rq)
{
	if (!rq->key_made[0])
		return;
	if (unlinkat(g->state_fd, rq->key_made, 0) && errno != ENOENT)
		log_warn("keys: %s, made by a request undone, cannot be removed: %s",
			 rq->key_made, strerror(errno));
	rq->key_made[0] = '\0';
}

/*
 * At start: key files that no row of the state names are what requests
 * that were undone (or a crash before their commit) left; nothing was
 * acknowledged with them, and a secret kept for nothing is a risk.
 * Skipped while the state names no key at all: that is a state lost or
 * made anew, and its keys may be what the owner recovers from.
 */
int gridd_keys_sweep(struct gridd *g)
{
	struct dirent *e;
	int64_t rows = 0, n;
	int fd, removed = 0;
	DIR *d;

	if (store_int(&g->st, &rows, "SELECT count(*) FROM keys", "") || !rows)
		return 0;
	fd = openat(g->state_fd, "keys", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((e = readdir(d))) {
		char path[300];
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".key"))
			continue;
		if (e->d_type != DT_REG) {
			struct stat sb;

			/* Some file systems do not say a name's type. */
			if (e->d_type != DT_UNKNOWN ||
			    fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) ||
			    !S_ISREG(sb.st_mode))
				continue;
		}
		snprintf(path, sizeof(path), "keys/%s", e->d_name);
		n = 1;
		if (store_int(&g->st, &n, "SELECT count(*) FROM keys WHERE file = ?",
			      "t", path) || n)
			continue;
		if (!unlinkat(dirfd(d), e->d_name, 0))
			removed++;
	}
	closedir(d);
	if (removed)
		log_info("keys: %d key file%s no record names removed", removed,
			 removed == 1 ? "" : "s");
	return 0;
}

int gridd_key_open(struct gridd *g, const uint8_t pk[GRID_PK_LEN],
		   struct grid_key *k)
{
	sqlite3_stmt *st;
	int ret;

	st = store_prep(&g->st, "SELECT file FROM keys WHERE pk = ?", "k", pk);
	if (!st)
		return -EIO;
	ret = store_step(&g->st, st);
	if (ret == 1) {
		ret = grid_key_load(k, g->state_fd,
				    (const char *)sqlite3_column_text(st, 0));
		if (!ret && sodium_memcmp(k->pk, pk, GRID_PK_LEN)) {
			grid_key_free(k);
			ret = -EKEYREJECTED;
		}
		if (ret)
			log_err("keys: the key file %s cannot be used: %s",
				sqlite3_column_text(st, 0), strerror(-ret));
	} else if (!ret) {
		ret = -ENOKEY;
	}
	store_done(&g->st, st);
	return ret;
}

int gridd_identity_load(struct gridd *g)
{
	sqlite3_stmt *st;
	int ret;

	st = store_prep(&g->st, "SELECT name, pk FROM self", "");
	if (!st)
		return -EIO;
	ret = store_step(&g->st, st);
	if (ret == 1) {
		uint8_t pk[GRID_PK_LEN];

		snprintf(g->name, sizeof(g->name), "%s",
			 (const char *)sqlite3_column_text(st, 0));
		ret = store_col_key(st, 1, pk);
		if (!ret)
			ret = gridd_key_open(g, pk, &g->key);
		g->has_grid = !ret;
	}
	store_done(&g->st, st);
	return ret < 0 ? ret : 0;
}

/* Forgets init's grid: its batch, or its own request, did not commit. */
static void drop_grid(struct gridd *g)
{
	grid_key_free(&g->key);
	g->has_grid = false;
	g->grid_uncommitted = false;
	memset(g->name, 0, sizeof(g->name));
}

/*
 * After a commit that failed: the grid in memory is the state's again.
 * Only init changes it, and init sets it up before its batch commits (the
 * requests after it in the batch sign with it), so what a batch that did
 * not reach the disk takes back is init's grid, if it made one. A grid
 * from before the batch stays as it is: nothing is read again.
 */
void gridd_identity_reload(struct gridd *g)
{
	if (g->grid_uncommitted)
		drop_grid(g);
}

int op_status(struct gridd *g, struct request *rq)
{
	struct grid_api_map m;
	int64_t n = 0;

	grid_api_map_init(&m);
	if (g->has_grid) {
		grid_api_set_t(&m, GRID_A_NAME, g->name);
		grid_api_set_b(&m, GRID_A_KEY, g->key.pk, GRID_PK_LEN);
		store_int(&g->st, &n, "SELECT count(*) FROM gridgrids WHERE left_at IS NULL", "");
		grid_api_set_u(&m, GRID_A_COUNT, n);
	}
	grid_api_set_t(&m, GRID_A_KERNEL, g->kernel);
	grid_api_set_t(&m, GRID_A_ROLE, g->dev >= 0 ? "provider and consumer" :
		       "consumer only");
	grid_api_set_u(&m, GRID_A_UID, rq->who->uid);
	if (rq->who->root)
		grid_api_set_t(&m, GRID_A_HOLDER, "the grid");
	else if (rq->who->has_agent)
		grid_api_set_t(&m, GRID_A_HOLDER, rq->who->agent);
	return grid_api_add_item(rq->out, &m);
}

/* After init's commit: the grid in grid.ko, or init undone. */
static int init_after(struct gridd *g, struct request *rq)
{
	struct grid_ioc_grid ig = { .size = sizeof(ig) };
	int ret;

	/* Committed: the grid in memory is the state's now. */
	g->grid_uncommitted = false;
	if (g->dev < 0)
		return 0;
	memcpy(ig.name, g->name, GRID_NAME_LEN);
	memcpy(ig.key, g->key.pk, GRID_PK_LEN);
	ret = grid_dev_grid_add(g->dev, &ig);
	if (!ret || ret == -EEXIST)
		return 0;
	/* The kernel is the module's, not ours: undo, say why. */
	if (!store_begin(&g->st)) {
		store_exec(&g->st, store_prep(&g->st, "DELETE FROM self", ""));
		store_commit(&g->st);
	}
	g->has_grid = false;
	grid_key_free(&g->key);
	return gridd_fail(rq, ret, "grid.ko refused the grid '%s': %s",
			  g->name, strerror(-ret));
}

int op_init(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	struct grid_signed *s = NULL;
	struct grid_record r;
	char name[GRID_NAME_LEN];
	int ret;

	if (g->has_grid)
		return gridd_fail(rq, -EEXIST, "this machine's grid is '%s' already",
				  g->name);
	if (!grid_api_has(a, GRID_A_NAME) ||
	    grid_parse_name(a->t[GRID_A_NAME], name))
		return gridd_fail(rq, -EINVAL,
				  "a grid's name is 1 to 31 of a-z 0-9 . _ -");
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = gridd_key_new(g, "grid", "grid", &g->key);
	if (ret) {
		gridd_fail(rq, ret, "cannot make the grid's key: %s",
			   strerror(-ret));
		goto out;
	}
	grid_record_init(&r, GRID_REC_GRID, g->key.pk, gridd_now(g));
	memcpy(r.name, name, GRID_NAME_LEN);
	grid_record_set(&r, GRID_K_NAME);
	ret = gridd_sign_keep(g, &r, &g->key, s, &rq->why);
	if (!ret)
		ret = store_exec(&g->st, store_prep(&g->st,
			"INSERT INTO self (one, name, pk, record, created)"
			" VALUES (1, ?, ?, ?, ?)", "tkki", name, g->key.pk,
			s->id, (int64_t)gridd_now(g)));
	if (ret) {
		grid_key_free(&g->key);
		goto out;
	}
	memcpy(g->name, name, GRID_NAME_LEN);
	g->has_grid = true;
	g->grid_uncommitted = true;
	rq->after = init_after;
	ret = op_status(g, rq);
	/* Not answered, so undone: the grid with it. */
	if (ret)
		drop_grid(g);
out:
	free(s);
	return ret;
}

int gridd_agent_of_uid(struct gridd *g, uid_t uid, struct caller *c)
{
	sqlite3_stmt *st;
	int ret;

	c->has_agent = false;
	st = store_prep(&g->st, "SELECT name, pk FROM agents WHERE uid = ?",
			"i", (int64_t)uid);
	if (!st)
		return -EIO;
	ret = store_step(&g->st, st);
	if (ret == 1 && !store_col_key(st, 1, c->agent_pk)) {
		snprintf(c->agent, sizeof(c->agent), "%s",
			 (const char *)sqlite3_column_text(st, 0));
		c->has_agent = true;
	}
	store_done(&g->st, st);
	return ret < 0 ? ret : 0;
}

int op_agent_add(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	struct grid_signed *s = NULL;
	struct grid_record r;
	struct grid_key k = { 0 };
	char name[GRID_NAME_LEN];
	int64_t uid = -1;
	int ret;

	if (!grid_api_has(a, GRID_A_NAME) ||
	    grid_parse_name(a->t[GRID_A_NAME], name))
		return gridd_fail(rq, -EINVAL,
				  "an agent's name is 1 to 31 of a-z 0-9 . _ -");
	if (grid_api_has(a, GRID_A_UID)) {
		if (a->u[GRID_A_UID] >= (uint32_t)-1)
			return gridd_fail(rq, -EINVAL, "uid %llu is not a uid",
					  (unsigned long long)a->u[GRID_A_UID]);
		uid = a->u[GRID_A_UID];
	} else {
		/* By default the local user of the same name acts as it. */
		struct passwd *pw = getpwnam(name);

		if (pw)
			uid = pw->pw_uid;
	}
	if (uid == 0)
		return gridd_fail(rq, -EINVAL,
				  "root acts as the grid, not as an agent");
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	ret = gridd_key_new(g, "agent", "agent", &k);
	if (ret) {
		gridd_fail(rq, ret, "cannot make the agent's key: %s",
			   strerror(-ret));
		goto out;
	}
	grid_record_init(&r, GRID_REC_AGENT, g->key.pk, gridd_now(g));
	memcpy(r.name, name, GRID_NAME_LEN);
	memcpy(r.subject, k.pk, GRID_PK_LEN);
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT);
	ret = gridd_sign_keep(g, &r, &g->key, s, &rq->why);
	if (ret)
		goto out;
	ret = store_exec(&g->st, uid >= 0 ?
		store_prep(&g->st, "INSERT INTO agents (name, pk, uid, cert, created)"
			   " VALUES (?, ?, ?, ?, ?)", "tkiki", name, k.pk, uid,
			   s->id, (int64_t)gridd_now(g)) :
		store_prep(&g->st, "INSERT INTO agents (name, pk, uid, cert, created)"
			   " VALUES (?, ?, NULL, ?, ?)", "tkki", name, k.pk,
			   s->id, (int64_t)gridd_now(g)));
	if (ret == -EEXIST) {
		int64_t n = 0;

		store_int(&g->st, &n, "SELECT count(*) FROM agents WHERE name = ?",
			  "t", name);
		ret = n ? gridd_fail(rq, ret, "agent '%s' exists already", name) :
		      gridd_fail(rq, ret, "uid %lld acts as another agent already",
				 (long long)uid);
		goto out;
	}
	if (!ret) {
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_NAME, name);
		grid_api_set_b(&m, GRID_A_KEY, k.pk, GRID_PK_LEN);
		if (uid >= 0)
			grid_api_set_u(&m, GRID_A_UID, uid);
		grid_api_set_b(&m, GRID_A_ID, s->id, GRID_ID_LEN);
		ret = grid_api_add_item(rq->out, &m);
	}
out:
	grid_key_free(&k);
	free(s);
	return ret;
}

int op_agent_list(struct gridd *g, struct request *rq)
{
	sqlite3_stmt *st;
	int ret;

	st = store_prep(&g->st, "SELECT name, pk, uid, cert FROM agents"
			" ORDER BY name LIMIT ? OFFSET ?", "ii",
			(int64_t)GRID_API_ITEMS_MAX + 1,
			(int64_t)rq->args->u[GRID_A_OFFSET] *
			grid_api_has(rq->args, GRID_A_OFFSET));
	if (!st)
		return -EIO;
	while ((ret = store_step(&g->st, st)) == 1) {
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_NAME, (const char *)sqlite3_column_text(st, 0));
		grid_api_set_b(&m, GRID_A_KEY, sqlite3_column_blob(st, 1),
			       GRID_PK_LEN);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			grid_api_set_u(&m, GRID_A_UID, sqlite3_column_int64(st, 2));
		grid_api_set_b(&m, GRID_A_ID, sqlite3_column_blob(st, 3),
			       GRID_ID_LEN);
		if (grid_api_add_item(rq->out, &m)) {
			rq->out->more = true;
			break;
		}
	}
	store_done(&g->st, st);
	return ret < 0 ? ret : 0;
}

int op_agent_del(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	uint8_t pk[GRID_PK_LEN];
	sqlite3_stmt *st;
	int ret;

	if (!grid_api_has(a, GRID_A_NAME))
		return gridd_fail(rq, -EINVAL, "which agent?");
	st = store_prep(&g->st, "SELECT pk FROM agents WHERE name = ?", "t",
			a->t[GRID_A_NAME]);
	if (!st)
		return -EIO;
	ret = store_step(&g->st, st);
	if (ret == 1)
		ret = store_col_key(st, 0, pk) ? -EIO : 0;
	else if (!ret)
		ret = gridd_fail(rq, -ENOENT, "no agent '%s'", a->t[GRID_A_NAME]);
	store_done(&g->st, st);
	if (ret)
		return ret;
	/* Leases it holds stay until they end: they were signed for it. */
	ret = store_exec(&g->st, store_prep(&g->st,
		"DELETE FROM agents WHERE name = ?", "t", a->t[GRID_A_NAME]));
	if (!ret)
		log_info("agent %s deleted", a->t[GRID_A_NAME]);
	return ret;
}

int op_grid_certify(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	struct grid_signed *s;
	struct grid_record r;
	char name[GRID_NAME_LEN];
	int ret;

	if (!grid_api_has(a, GRID_A_KEY) || !grid_pk_ok(a->b[GRID_A_KEY]))
		return gridd_fail(rq, -EINVAL,
				  "the member grid's key is not a valid Ed25519 public key");
	if (!grid_api_has(a, GRID_A_NAME) ||
	    grid_parse_name(a->t[GRID_A_NAME], name))
		return gridd_fail(rq, -EINVAL,
				  "a grid's name is 1 to 31 of a-z 0-9 . _ -");
	if (!sodium_memcmp(a->b[GRID_A_KEY], g->key.pk, GRID_PK_LEN))
		return gridd_fail(rq, -EINVAL, "a grid cannot be its own member");
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	grid_record_init(&r, GRID_REC_MEMBER_GRID, g->key.pk, gridd_now(g));
	memcpy(r.name, name, GRID_NAME_LEN);
	memcpy(r.subject, a->b[GRID_A_KEY], GRID_PK_LEN);
	r.has |= GRID_HAS(GRID_K_NAME) | GRID_HAS(GRID_K_SUBJECT);
	ret = gridd_sign_keep(g, &r, &g->key, s, &rq->why);
	if (!ret) {
		ret = store_exec(&g->st, store_prep(&g->st,
			"INSERT INTO member_grids (name, pk, cert, created)"
			" VALUES (?, ?, ?, ?)", "tkki", name, r.subject, s->id,
			(int64_t)gridd_now(g)));
		if (ret == -EEXIST)
			gridd_fail(rq, ret, "member grid '%s' or its key is certified already",
				   name);
	}
	if (!ret) {
		struct grid_api_map m;
		char *tok = malloc(GRID_TOKEN_MAX);
		struct grid_bundle *b = calloc(1, sizeof(*b));

		ret = -ENOMEM;
		if (tok && b) {
			b->kind = GRID_BUNDLE_RECORDS;
			b->n = 1;
			b->rec[0] = *s;
			ret = grid_token_write(b, tok, GRID_TOKEN_MAX);
		}
		if (!ret) {
			grid_api_map_init(&m);
			grid_api_set_t(&m, GRID_A_NAME, name);
			grid_api_set_b(&m, GRID_A_ID, s->id, GRID_ID_LEN);
			grid_api_set_t(&m, GRID_A_TOKEN, tok);
			ret = grid_api_add_item(rq->out, &m);
		}
		free(b);
		free(tok);
	}
	free(s);
	return ret;
}

int op_grid_list(struct gridd *g, struct request *rq)
{
	sqlite3_stmt *st;
	int ret;

	st = store_prep(&g->st, "SELECT name, pk, cert FROM member_grids ORDER BY name", "");
	if (!st)
		return -EIO;
	while ((ret = store_step(&g->st, st)) == 1) {
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_t(&m, GRID_A_NAME, (const char *)sqlite3_column_text(st, 0));
		grid_api_set_b(&m, GRID_A_KEY, sqlite3_column_blob(st, 1), GRID_PK_LEN);
		grid_api_set_b(&m, GRID_A_ID, sqlite3_column_blob(st, 2), GRID_ID_LEN);
		if (grid_api_add_item(rq->out, &m)) {
			rq->out->more = true;
			break;
		}
	}
	store_done(&g->st, st);
	return ret < 0 ? ret : 0;
}

int op_record_list(struct gridd *g, struct request *rq)
{
	const struct grid_api_map *a = rq->args;
	uint32_t type = 0;
	sqlite3_stmt *st;
	int ret;

	if (grid_api_has(a, GRID_A_TYPE) &&
	    grid_record_type_parse(a->t[GRID_A_TYPE], &type))
		return gridd_fail(rq, -EINVAL, "no record type '%s'",
				  a->t[GRID_A_TYPE]);
	st = store_prep(&g->st, "SELECT id, type, bytes FROM records"
			" WHERE ?1 = 0 OR type = ?1 ORDER BY kept, id"
			" LIMIT ?2 OFFSET ?3", "iii", (int64_t)type,
			(int64_t)GRID_API_ITEMS_MAX + 1,
			(int64_t)(grid_api_has(a, GRID_A_OFFSET) ?
				  a->u[GRID_A_OFFSET] : 0));
	if (!st)
		return -EIO;
	while ((ret = store_step(&g->st, st)) == 1) {
		struct grid_api_map m;

		grid_api_map_init(&m);
		grid_api_set_b(&m, GRID_A_ID, sqlite3_column_blob(st, 0), GRID_ID_LEN);
		grid_api_set_t(&m, GRID_A_TYPE,
			       grid_record_type_name(sqlite3_column_int(st, 1)) ?: "?");
		grid_api_set_b(&m, GRID_A_RECORD, sqlite3_column_blob(st, 2),
			       sqlite3_column_bytes(st, 2));
		if (grid_api_add_item(rq->out, &m)) {
			rq->out->more = true;
			break;
		}
	}
	store_done(&g->st, st);
	return ret < 0 ? ret : 0;
}
