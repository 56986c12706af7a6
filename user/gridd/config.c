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

void gridd_config_defaults(struct gridd_config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->state_dir, "/var/lib/grid");
	strcpy(c->socket, GRID_API_SOCK);
	c->bpf = true;
	strcpy(c->cgroup_root, "/sys/fs/cgroup/grid");
}

static int path_value(char *dst, size_t cap, const char *v)
{
	if (v[0] != '/' || strlen(v) >= cap)
		return -EINVAL;
	strcpy(dst, v);
	return 0;
}

int gridd_config_read(struct gridd_config *c, const char *path,
		      struct grid_why *why)
{
	static const char *const names[] = {
		"state_dir", "socket", "group", "bpf", "cgroup_root", NULL,
	};
	unsigned int seen = 0, lineno = 0;
	char line[512];
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f)
		return grid_why_set(why, -errno, "%s: %s", path, strerror(errno));
	while (!ret && fgets(line, sizeof(line), f)) {
		char *p = line, *key, *val, *end, *hash;
		unsigned int i;

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
		val = strtok_r(NULL, " \t\r\n", &end);
		if (!val) {
			ret = grid_why_set(why, -EINVAL, "%s:%u: '%s' needs a value",
					   path, lineno, key);
			break;
		}
		if (strtok_r(NULL, " \t\r\n", &end)) {
			ret = grid_why_set(why, -EINVAL,
					   "%s:%u: '%s' takes one value",
					   path, lineno, key);
			break;
		}
		for (i = 0; names[i] && strcmp(names[i], key); i++)
			;
		if (!names[i]) {
			ret = grid_why_set(why, -EINVAL,
					   "%s:%u: unknown setting '%s'", path,
					   lineno, key);
			break;
		}
		if (seen & (1u << i)) {
			ret = grid_why_set(why, -EINVAL,
					   "%s:%u: '%s' is set twice", path,
					   lineno, key);
			break;
		}
		seen |= 1u << i;
		switch (i) {
		case 0:
			ret = path_value(c->state_dir, sizeof(c->state_dir), val);
			break;
		case 1:
			ret = path_value(c->socket, sizeof(c->socket), val);
			break;
		case 2: {
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
		case 3:
			if (!strcmp(val, "yes"))
				c->bpf = true;
			else if (!strcmp(val, "no"))
				c->bpf = false;
			else
				ret = -EINVAL;
			break;
		case 4:
			ret = path_value(c->cgroup_root, sizeof(c->cgroup_root),
					 val);
			break;
		}
		if (ret)
			ret = grid_why_set(why, -EINVAL,
					   "%s:%u: '%s' is not a valid %s (%s)",
					   path, lineno, val, key,
					   i == 3 ? "yes or no" :
					   "absolute path, not too long");
	}
out:
	fclose(f);
	return ret;
}
