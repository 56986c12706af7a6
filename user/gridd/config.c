// SPDX-License-Identifier: GPL-2.0
/*
 * /etc/grid/gridd.conf: one "setting value" per line, '#' to the end of a
 * line is a comment, blank lines are fine. Every line is checked and the
 * first wrong one is named with its number; a setting given twice is an
 * error, not a silent override.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>

#include "gridd.h"
#include "units.h"

void gridd_config_defaults(struct gridd_config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->state_dir, "/var/lib/grid");
	strcpy(c->socket, GRID_API_SOCK);
	c->bpf = true;
	strcpy(c->cgroup_root, "/sys/fs/cgroup/grid");
	c->beacon = true;
}

static int path_value(char *dst, size_t cap, const char *v)
{
	if (v[0] != '/' || strlen(v) >= cap)
		return -EINVAL;
	strcpy(dst, v);
	return 0;
}

static int key_value(uint8_t pk[GRID_PK_LEN], const char *v)
{
	return grid_parse_key(v, pk) || !grid_pk_ok(pk) ? -EINVAL : 0;
}

/* listen ADDR | none: up to GRIDD_LISTEN_MAX, or none at all. */
static int listen_value(struct gridd_config *c, const char *v)
{
	struct peer_addr *a;

	if (!strcmp(v, "none")) {
		if (c->n_listen)
			return -EINVAL;
		c->listen_none = true;
		return 0;
	}
	if (c->listen_none || c->n_listen == GRIDD_LISTEN_MAX)
		return -E2BIG;
	a = &c->listen[c->n_listen];
	if (peer_addr_parse(a, v, PEER_PORT))
		return -EINVAL;
	c->n_listen++;
	return 0;
}

/* peer ADDR [key KEY] */
static int peer_value(struct gridd_config *c, char **v, int n)
{
	struct gridd_static_peer *p;

	if (c->n_peers == GRIDD_PEERS_MAX)
		return -E2BIG;
	p = &c->peers[c->n_peers];
	memset(p, 0, sizeof(*p));
	if (peer_addr_parse(&p->addr, v[0], PEER_PORT))
		return -EINVAL;
	if (n == 3) {
		if (strcmp(v[1], "key") || key_value(p->pk, v[2]))
			return -EINVAL;
		p->has_pk = true;
	} else if (n != 1) {
		return -EINVAL;
	}
	c->n_peers++;
	return 0;
}

/* policy GRIDGRID GRID|* allow|deny [longest DURATION] */
static int policy_value(struct gridd_config *c, char **v, int n)
{
	struct gridd_policy *p;
	uint64_t ns;

	if (c->n_policies == GRIDD_POLICIES_MAX)
		return -E2BIG;
	p = &c->policies[c->n_policies];
	memset(p, 0, sizeof(*p));
	if ((n != 3 && n != 5) || grid_parse_name(v[0], p->gridgrid))
		return -EINVAL;
	if (!strcmp(v[1], "*"))
		p->any_grid = true;
	else if (!grid_parse_key(v[1], p->pk) && grid_pk_ok(p->pk))
		p->has_pk = true;
	else if (grid_parse_name(v[1], p->grid))
		return -EINVAL;
	if (!strcmp(v[2], "deny"))
		p->deny = true;
	else if (strcmp(v[2], "allow"))
		return -EINVAL;
	if (n == 5) {
		if (strcmp(v[3], "longest") || p->deny ||
		    grid_parse_duration(v[4], &ns) || ns < GRID_NSEC_PER_SEC)
			return -EINVAL;
		p->longest = ns / GRID_NSEC_PER_SEC;
	}
	c->n_policies++;
	return 0;
}

static int yes_no(bool *b, const char *v)
{
	if (!strcmp(v, "yes"))
		*b = true;
	else if (!strcmp(v, "no"))
		*b = false;
	else
		return -EINVAL;
	return 0;
}

/* pause battery | pause file PATH | pause schedule HH:MM-HH:MM */
static int pause_value(struct gridd_pause *p, char **v, int n)
{
	unsigned int h1, m1, h2, m2;
	char x;

	if (n == 1 && !strcmp(v[0], "battery")) {
		p->battery = true;
		return 0;
	}
	if (n == 2 && !strcmp(v[0], "file"))
		return v[1][0] == '/' ? path_value(p->file, sizeof(p->file), v[1]) : -EINVAL;
	if (n == 2 && !strcmp(v[0], "schedule")) {
		if (sscanf(v[1], "%2u:%2u-%2u:%2u%c", &h1, &m1, &h2, &m2, &x) != 4 ||
		    h1 > 23 || h2 > 24 || m1 > 59 || m2 > 59 || (h2 == 24 && m2))
			return -EINVAL;
		if (p->n_sched == GRIDD_PAUSES_MAX)
			return -E2BIG;
		p->sched[p->n_sched].from = h1 * 60 + m1;
		p->sched[p->n_sched++].to = h2 * 60 + m2;
		return 0;
	}
	return -EINVAL;
}

enum { S_STATE_DIR, S_SOCKET, S_GROUP, S_BPF, S_CGROUP_ROOT, S_LISTEN, S_PEER,
       S_BEACON, S_POLICY, S_NETNS, S_PAUSE };

static const struct {
	const char *name;
	bool many;		/* may be given again */
	int max;		/* values on the line */
	const char *what;	/* a valid value, for the error */
} settings[] = {
	[S_STATE_DIR] = { "state_dir", false, 1, "absolute path, not too long" },
	[S_SOCKET] = { "socket", false, 1, "absolute path, not too long" },
	[S_GROUP] = { "group", false, 1, "group" },
	[S_BPF] = { "bpf", false, 1, "yes or no" },
	[S_CGROUP_ROOT] = { "cgroup_root", false, 1, "absolute path, not too long" },
	[S_LISTEN] = { "listen", true, 1,
		       "address: [IPv6]:PORT, IPv4:PORT, or none (at most 4, or none alone)" },
	[S_PEER] = { "peer", true, 3,
		     "peer: [IPv6]:PORT or IPv4:PORT, then optionally 'key KEY' (at most 32)" },
	[S_BEACON] = { "beacon", false, 1, "yes or no" },
	[S_POLICY] = { "policy", true, 5,
		       "policy: GRIDGRID GRID|KEY|* allow|deny [longest DURATION] (at most 64)" },
	[S_NETNS] = { "netns", false, 1,
		      "network namespace: a name of 'ip netns' or an absolute path" },
	[S_PAUSE] = { "pause", true, 2,
		      "pause: battery, file PATH, or schedule HH:MM-HH:MM (at most 8)" },
};

#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))

int gridd_config_read(struct gridd_config *c, const char *path,
		      struct grid_why *why)
{
	unsigned int seen = 0, lineno = 0;
	char line[512];
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f)
		return grid_why_set(why, -errno, "%s: %s", path, strerror(errno));
	while (!ret && fgets(line, sizeof(line), f)) {
		char *p = line, *key, *val, *end, *hash, *v[6];
		unsigned int i;
		int n = 0;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = grid_why_set(why, -EINVAL,
					   "%s:%u: line longer than %zu bytes",
					   path, lineno, sizeof(line) - 2);
			break;
		}
		hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		key = strtok_r(p, " \t\r\n", &end);
		if (!key)
			continue;
		for (i = 0; i < N_SETTINGS && strcmp(settings[i].name, key); i++)
			;
		if (i == N_SETTINGS) {
			ret = grid_why_set(why, -EINVAL,
					   "%s:%u: unknown setting '%s'", path,
					   lineno, key);
			break;
		}
		while (n < 6 && (val = strtok_r(NULL, " \t\r\n", &end)))
			v[n++] = val;
		if (!n) {
			ret = grid_why_set(why, -EINVAL, "%s:%u: '%s' needs a value",
					   path, lineno, key);
			break;
		}
		if (n > settings[i].max) {
			ret = grid_why_set(why, -EINVAL,
					   "%s:%u: '%s' takes %s", path, lineno,
					   key, settings[i].max == 1 ? "one value" :
					   settings[i].max == 3 ? "at most three values" :
					   "at most five values");
			break;
		}
		if (!settings[i].many && (seen & (1u << i))) {
			ret = grid_why_set(why, -EINVAL,
					   "%s:%u: '%s' is set twice", path,
					   lineno, key);
			break;
		}
		seen |= 1u << i;
		val = v[0];
		switch (i) {
		case S_STATE_DIR:
			ret = path_value(c->state_dir, sizeof(c->state_dir), val);
			break;
		case S_SOCKET:
			ret = path_value(c->socket, sizeof(c->socket), val);
			break;
		case S_GROUP: {
			struct group *gr = getgrnam(val);

			if (!gr || strlen(val) >= sizeof(c->group)) {
				ret = grid_why_set(why, -EINVAL,
						   "%s:%u: no group '%s'", path,
						   lineno, val);
				goto out;
			}
			strcpy(c->group, val);
			c->gid = gr->gr_gid;
			break;
		}
		case S_BPF:
			ret = yes_no(&c->bpf, val);
			break;
		case S_CGROUP_ROOT:
			ret = path_value(c->cgroup_root, sizeof(c->cgroup_root),
					 val);
			break;
		case S_LISTEN:
			ret = listen_value(c, val);
			break;
		case S_PEER:
			ret = peer_value(c, v, n);
			break;
		case S_BEACON:
			ret = yes_no(&c->beacon, val);
			break;
		case S_POLICY:
			ret = policy_value(c, v, n);
			break;
		case S_PAUSE:
			ret = pause_value(&c->pause, v, n);
			break;
		case S_NETNS:
			if (val[0] == '/')
				ret = path_value(c->netns, sizeof(c->netns), val);
			else if (strchr(val, '/') || !strcmp(val, ".") ||
				 !strcmp(val, "..") ||
				 (size_t)snprintf(c->netns, sizeof(c->netns),
						  "/run/netns/%s", val) >= sizeof(c->netns))
				ret = -EINVAL;
			break;
		}
		if (ret == -E2BIG)
			ret = grid_why_set(why, -EINVAL, "%s:%u: too many '%s' lines (%s)",
					   path, lineno, key, settings[i].what);
		else if (ret)
			ret = grid_why_set(why, -EINVAL,
					   "%s:%u: '%s' is not a valid %s (%s)",
					   path, lineno, val, key, settings[i].what);
	}
out:
	fclose(f);
	return ret;
}
