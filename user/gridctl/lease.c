// SPDX-License-Identifier: GPL-2.0
/*
 * gridctl lease { add | set | del | revoke | list | show | help }
 *
 * Leases out of a grid-grid's share. The kernel admits a lease against the
 * share and ends it at not-after; gridctl explains a refusal by reading the
 * share and what the live leases use of it. set is read-modify-write: the
 * lease is read by netlink and only what is given changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev.h"
#include "units.h"
#include "names.h"
#include "nl.h"
#include "print.h"
#include "gridctl.h"

static void show(const struct grid_obj_lease *l, bool full)
{
	const char *state = grid_lease_state_name(l->state);
	char hex[2 * GRID_LEASE_BLOB_MAX + 1];
	uint32_t i;

	print_u64(PRINT_ANY, "id", "%" PRIu64, l->id);
	print_u64(PRINT_ANY, "serial", " serial %" PRIu64, l->serial);
	print_str(PRINT_ANY, "state", " %s", state ? state : "unknown");
	print_str(PRINT_ANY, "gridgrid", " gridgrid %s", l->gridgrid);
	print_u64(PRINT_ANY, "sandboxes", " sandboxes %" PRIu64, l->sandboxes);
	gridctl_print_key("issuer", "\n\tissuer %s", l->issuer);
	gridctl_print_key("holder", "\n\tholder %s", l->holder);
	gridctl_print_time("not_before", "\n\tnot-before %s", l->not_before_ns);
	gridctl_print_time("not_after", " not-after %s", l->not_after_ns);
	print_text("\n\tlimits");
	gridctl_print_limits("limits", &l->limits, NULL);
	print_u64(PRINT_JSON, "blob_len", NULL, l->blob_len);
	if (full) {
		print_text("\n\tblob %u bytes", l->blob_len);
		for (i = 0; i < l->blob_len; i++)
			snprintf(hex + 2 * i, 3, "%02x", l->blob[i]);
		hex[2 * l->blob_len] = '\0';
		print_str(PRINT_JSON, "blob", NULL, hex);
	}
	print_text("\n");
}

/* Reads the signed lease bytes from @path ("-": standard input). */
static int read_blob(const char *what, const char *path,
		     uint8_t buf[GRID_LEASE_BLOB_MAX], uint32_t *len)
{
	uint8_t extra;
	size_t got = 0;
	ssize_t n = 0;
	int fd;

	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		return gridctl_fail(what, "cannot open the blob '%s': %s", path,
				    strerror(errno));
	while (got < GRID_LEASE_BLOB_MAX) {
		n = read(fd, buf + got, GRID_LEASE_BLOB_MAX - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	if (n >= 0 && got == GRID_LEASE_BLOB_MAX)
		n = read(fd, &extra, 1);
	if (fd)
		close(fd);
	if (n < 0)
		return gridctl_fail(what, "cannot read the blob '%s': %s", path,
				    strerror(errno));
	if (n > 0 && got == GRID_LEASE_BLOB_MAX)
		return gridctl_fail(what, "the blob '%s' is larger than %d bytes",
				    path, GRID_LEASE_BLOB_MAX);
	*len = got;
	return 0;
}

struct lease_args {
	struct grid_ioc_lease l;
	struct gridctl_limits e;
	uint8_t blob[GRID_LEASE_BLOB_MAX];
	bool serial, issuer, holder, gridgrid, not_before, not_after, blob_given;
};

/*
 * ID followed by keywords in any order. @add says which may be given:
 * set changes only serial, limits, not-after and the blob.
 */
static int read_args(const char *what, int argc, char **argv, bool add,
		     struct lease_args *a)
{
	const char *w, *v;
	uint64_t u;
	int64_t t;
	int i, ret;

	memset(a, 0, sizeof(*a));
	if (argc < 1)
		return gridctl_usage(what, "missing the lease's ID");
	if (gridctl_u64(what, "ID", argv[0], &u))
		return 2;
	a->l.id = u;
	for (i = 1; i < argc; i++) {
		w = argv[i];
		ret = gridctl_limits_word(what, argc, argv, &i, &a->e);
		if (ret == 2)
			return 2;
		if (ret)
			continue;
		if (strcmp(w, "serial") && strcmp(w, "not-after") &&
		    strcmp(w, "blob") &&
		    (!add || (strcmp(w, "issuer") && strcmp(w, "holder") &&
			      strcmp(w, "gridgrid") && strcmp(w, "not-before"))))
			return gridctl_usage(what, "unexpected '%s'%s", w,
					     add ? "" : " (set changes serial, LIMITS, not-after and blob)");
		v = gridctl_value(what, argc, argv, &i);
		if (!v)
			return 2;
		if (!strcmp(w, "serial")) {
			ret = gridctl_u64(what, w, v, &u);
			a->l.serial = u;
			a->serial = true;
		} else if (!strcmp(w, "issuer")) {
			ret = gridctl_key(what, w, v, a->l.issuer);
			a->issuer = true;
		} else if (!strcmp(w, "holder")) {
			ret = gridctl_key(what, w, v, a->l.holder);
			a->holder = true;
		} else if (!strcmp(w, "gridgrid")) {
			ret = gridctl_name(what, w, v, a->l.gridgrid);
			a->gridgrid = true;
		} else if (!strcmp(w, "not-before")) {
			ret = gridctl_time(what, w, v, &t);
			a->l.not_before_ns = t;
			a->not_before = true;
		} else if (!strcmp(w, "not-after")) {
			ret = gridctl_time(what, w, v, &t);
			a->l.not_after_ns = t;
			a->not_after = true;
		} else {
			ret = read_blob(what, v, a->blob, &a->l.blob_len);
			if (ret)
				return ret;
			a->blob_given = true;
		}
		if (ret)
			return 2;
	}
	if (!a->serial)
		return gridctl_usage(what, "missing 'serial N'");
	return 0;
}

/* -EINVAL past our own checks: most likely a budget period not the share's. */
static int invalid(const char *what, const struct grid_ioc_lease *l)
{
	char have[GRID_FMT_LEN], given[GRID_FMT_LEN];
	struct grid_obj_gridgrid gg;
	struct grid_nl *nl;
	int ret = -ENOENT;

	if (l->limits.budget_period_s && !grid_nl_open(&nl)) {
		ret = grid_nl_gridgrid_get(nl, l->gridgrid, &gg);
		grid_nl_close(nl);
	}
	if (ret || !gg.has_share ||
	    gg.share.l.budget_period_s == l->limits.budget_period_s)
		return gridctl_fail_errno(what, -EINVAL, NULL);
	return gridctl_fail(what, "a lease's budget period is its share's: the share of '%s' has period %s, not %s",
			    l->gridgrid,
			    grid_format_limit(have, sizeof(have),
					      GRID_LIMITS_A_BUDGET_PERIOD_S,
					      gg.share.l.budget_period_s),
			    grid_format_limit(given, sizeof(given),
					      GRID_LIMITS_A_BUDGET_PERIOD_S,
					      l->limits.budget_period_s));
}

static int explain(const char *what, int err, const struct grid_ioc_lease *l,
		   const struct grid_obj_lease *cur)
{
	uint64_t id = l->id;
	char t[GRID_FMT_LEN];

	switch (-err) {
	case EEXIST:
		return gridctl_fail(what, "lease %" PRIu64 " already exists", id);
	case ENOENT:
		if (cur)
			return gridctl_fail(what, "no lease %" PRIu64, id);
		return gridctl_fail(what, "no grid-grid '%s'", l->gridgrid);
	case ENOKEY:
		return gridctl_fail(what, "the issuer key is not a local grid's");
	case EKEYEXPIRED:
		if (cur)
			return gridctl_fail(what, "lease %" PRIu64 " has expired and cannot be changed",
					    id);
		return gridctl_fail(what, "the lease's window has already ended (not-after %s)",
				    grid_format_time(t, sizeof(t), l->not_after_ns));
	case EKEYREVOKED:
		return gridctl_fail(what, "lease %" PRIu64 " was revoked and cannot be changed",
				    id);
	case ESTALE:
		if (cur)
			return gridctl_fail(what, "serial %" PRIu64 " is not newer than the lease's (%" PRIu64 ")",
					    (uint64_t)l->serial, cur->serial);
		/* A tombstone: the deleted lease's window has not ended. */
		return gridctl_fail(what, "lease %" PRIu64 " was deleted at a serial of at least %" PRIu64 " before its window ended; until then the id takes only a newer serial",
				    id, (uint64_t)l->serial);
	case EDQUOT:
		return gridctl_share_refusal(what, NULL, l->gridgrid, &l->limits,
					     cur ? &cur->limits : NULL,
					     l->exhausted);
	case EINVAL:
		return invalid(what, l);
	default:
		return gridctl_fail_errno(what, err, NULL);
	}
}

static int submit(const char *what, struct lease_args *a,
		  const struct grid_obj_lease *cur)
{
	int fd, ret;

	if (a->l.not_after_ns <= a->l.not_before_ns)
		return gridctl_usage(what, "'not-after' must be later than 'not-before'");
	if (a->l.blob_len)
		a->l.blob = (uint64_t)(uintptr_t)a->blob;
	if (gridctl_dev(what, &fd))
		return 1;
	ret = cur ? grid_dev_lease_set(fd, &a->l) : grid_dev_lease_add(fd, &a->l);
	close(fd);
	return ret ? explain(what, ret, &a->l, cur) : gridctl_done();
}

static int lease_add(int argc, char **argv)
{
	const char *what = "kernel lease add";
	static struct lease_args a;
	int ret = read_args(what, argc, argv, true, &a);

	if (ret)
		return ret;
	if (!a.issuer || !a.holder || !a.gridgrid || !a.not_before ||
	    !a.not_after)
		return gridctl_usage(what, "missing '%s'",
				     !a.issuer ? "issuer HEX" :
				     !a.holder ? "holder HEX" :
				     !a.gridgrid ? "gridgrid GG" :
				     !a.not_before ? "not-before TIME" :
				     "not-after TIME");
	/* Unlimited unless told; the kernel fills in the share's period. */
	gridctl_limits_unlimited(&a.l.limits, 0);
	gridctl_limits_apply(&a.e, &a.l.limits);
	return submit(what, &a, NULL);
}

static int lease_set(int argc, char **argv)
{
	const char *what = "kernel lease set";
	static struct lease_args a;
	static struct grid_obj_lease cur;
	struct grid_nl *nl;
	int ret = read_args(what, argc, argv, false, &a);

	if (ret)
		return ret;
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_lease_get(nl, a.l.id, &cur);
	if (ret == -ENOENT)
		ret = gridctl_fail(what, "no lease %" PRIu64, (uint64_t)a.l.id);
	else if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	grid_nl_close(nl);
	if (ret)
		return ret;
	memcpy(a.l.issuer, cur.issuer, sizeof(a.l.issuer));
	memcpy(a.l.holder, cur.holder, sizeof(a.l.holder));
	memcpy(a.l.gridgrid, cur.gridgrid, sizeof(a.l.gridgrid));
	a.l.limits = cur.limits.l;
	gridctl_limits_apply(&a.e, &a.l.limits);
	a.l.not_before_ns = cur.not_before_ns;
	if (!a.not_after)
		a.l.not_after_ns = cur.not_after_ns;
	return submit(what, &a, &cur);
}

static int lease_ref(const char *what, int argc, char **argv, bool revoke)
{
	struct grid_ioc_lease_ref r;
	struct grid_obj_lease *l = NULL;
	struct grid_nl *nl;
	uint64_t id;
	int fd, ret;

	memset(&r, 0, sizeof(r));
	if (argc != 1)
		return gridctl_usage(what, "takes one lease ID");
	if (gridctl_u64(what, "ID", argv[0], &id))
		return 2;
	r.id = id;
	if (gridctl_dev(what, &fd))
		return 1;
	ret = revoke ? grid_dev_lease_revoke(fd, &r) : grid_dev_lease_del(fd, &r);
	close(fd);
	switch (-ret) {
	case 0:
		return gridctl_done();
	case ENOENT:
		return gridctl_fail(what, "no lease %" PRIu64, (uint64_t)r.id);
	case EKEYEXPIRED:
		return gridctl_fail(what, "lease %" PRIu64 " has already expired",
				    (uint64_t)r.id);
	case EKEYREVOKED:
		return gridctl_fail(what, "lease %" PRIu64 " is already revoked",
				    (uint64_t)r.id);
	case EBUSY:
		break;
	default:
		return gridctl_fail_errno(what, ret, NULL);
	}
	l = malloc(sizeof(*l));
	if (l && grid_nl_open(&nl) == 0) {
		if (grid_nl_lease_get(nl, r.id, l))
			l->sandboxes = 0;
		grid_nl_close(nl);
	}
	if (l && l->sandboxes)
		ret = gridctl_fail(what, "lease %" PRIu64 " is still in use by %u sandbox%s; unbind them first",
				   (uint64_t)r.id, l->sandboxes,
				   l->sandboxes == 1 ? "" : "es");
	else
		ret = gridctl_fail(what, "lease %" PRIu64 " is still in use by sandboxes; unbind them first",
				   (uint64_t)r.id);
	free(l);
	return ret;
}

static int lease_del(int argc, char **argv)
{
	return lease_ref("kernel lease del", argc, argv, false);
}

static int lease_revoke(int argc, char **argv)
{
	return lease_ref("kernel lease revoke", argc, argv, true);
}

static int list_one(const struct grid_obj_lease *l, void *arg)
{
	gridctl_list_item(arg);
	print_obj_open(NULL);
	show(l, false);
	print_obj_close();
	return 0;
}

static int lease_list(int argc, char **argv)
{
	const char *what = "kernel lease list";
	struct gridctl_list l = { .key = "leases" };
	char gg[GRID_NAME_LEN];
	struct grid_obj_gridgrid found;
	struct grid_nl *nl;
	int ret;

	if (argc == 2 && !strcmp(argv[0], "gridgrid")) {
		if (gridctl_name(what, "gridgrid", argv[1], gg))
			return 2;
	} else if (argc) {
		return gridctl_usage(what, "unexpected '%s'; try 'gridctl kernel lease list gridgrid GG'",
				     argv[0]);
	}
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_leases(nl, argc ? gg : NULL, list_one, &l);
	/* The kernel narrows to a grid-grid that does not exist in silence. */
	if (!ret && argc && !l.started)
		ret = grid_nl_gridgrid_get(nl, gg, &found);
	if (ret == -ENOENT && argc)
		ret = gridctl_fail(what, "no grid-grid '%s'", gg);
	else if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	grid_nl_close(nl);
	return ret ? ret : gridctl_list_end(&l);
}

static int lease_show(int argc, char **argv)
{
	const char *what = "kernel lease show";
	static struct grid_obj_lease l;
	struct grid_nl *nl;
	uint64_t id;
	int ret;

	if (argc != 1)
		return gridctl_usage(what, "takes one lease ID");
	if (gridctl_u64(what, "ID", argv[0], &id))
		return 2;
	if (gridctl_nl(what, &nl))
		return 1;
	ret = grid_nl_lease_get(nl, id, &l);
	if (ret == -ENOENT)
		ret = gridctl_fail(what, "no lease %" PRIu64, id);
	else if (ret)
		ret = gridctl_fail_errno(what, ret, nl);
	grid_nl_close(nl);
	if (ret)
		return ret;
	print_start(stdout, gridctl_json, gridctl_pretty);
	show(&l, true);
	return print_end() ? 1 : 0;
}

static const struct gridctl_cmd cmds[] = {
	{ "add", lease_add, "ID serial N issuer HEX holder HEX gridgrid GG [LIMITS...] not-before TIME not-after TIME [blob FILE]" },
	{ "set", lease_set, "ID serial N [LIMITS...] [not-after TIME] [blob FILE]" },
	{ "del", lease_del, "ID" },
	{ "revoke", lease_revoke, "ID" },
	{ "list", lease_list, "[gridgrid GG]" },
	{ "show", lease_show, "ID" },
	{ NULL, NULL, NULL },
};

int do_lease(int argc, char **argv)
{
	if (argc && gridctl_is_help(argv[0])) {
		gridctl_list_cmds(stdout, "gridctl kernel lease", cmds);
		printf("LIMITS := { %s }\n", GRIDCTL_LIMITS_HELP);
		printf("TIME := { now | +DURATION | -DURATION | @UNIX-SECONDS | RFC-3339 }\n");
		return 0;
	}
	return gridctl_dispatch("gridctl kernel lease", cmds, argc, argv);
}
