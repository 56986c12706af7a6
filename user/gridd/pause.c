// SPDX-License-Identifier: GPL-2.0
/*
 * A nomad provider's pauses (gridd.conf 'pause'): on battery, while a file
 * exists (a NetworkManager dispatcher script can make it on a metered
 * link), or by a schedule of the local day. While one holds, the jobs
 * here are frozen (cgroup.freeze), not killed, and new ones are refused;
 * jobs_provider.c tells their holders when they stop and go again.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jobs.h"

#define POWER "/sys/class/power_supply"

/* Whether a battery discharges: "Discharging" is the kernel's word for it. */
static bool on_battery(void)
{
	char p[512], v[32];
	struct dirent *e;
	bool yes = false;
	DIR *d = opendir(POWER);
	FILE *f;

	if (!d)
		return false;
	while (!yes && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), POWER "/%s/type", e->d_name);
		f = fopen(p, "re");
		if (!f)
			continue;
		if (!fgets(v, sizeof(v), f) || strncmp(v, "Battery", 7)) {
			fclose(f);
			continue;
		}
		fclose(f);
		snprintf(p, sizeof(p), POWER "/%s/status", e->d_name);
		f = fopen(p, "re");
		if (f) {
			yes = fgets(v, sizeof(v), f) && !strncmp(v, "Discharging", 11);
			fclose(f);
		}
	}
	closedir(d);
	return yes;
}

bool gridd_paused(const struct gridd *g, char *why, size_t len)
{
	const struct gridd_pause *p = &g->cfg.pause;
	time_t now = time(NULL);
	struct tm tm;
	unsigned int i;
	int m;

	if (p->battery && on_battery()) {
		snprintf(why, len, "the provider is on battery");
		return true;
	}
	if (p->file[0] && !access(p->file, F_OK)) {
		snprintf(why, len, "the provider pauses while %s exists (a metered link, say)",
			 p->file);
		return true;
	}
	if (!p->n_sched || !localtime_r(&now, &tm))
		return false;
	m = tm.tm_hour * 60 + tm.tm_min;
	for (i = 0; i < p->n_sched; i++) {
		int from = p->sched[i].from, to = p->sched[i].to;

		/* A span that passes midnight is the two ends of the day. */
		if (from <= to ? (m >= from && m < to) : (m >= from || m < to)) {
			snprintf(why, len, "the provider pauses by schedule from %02d:%02d to %02d:%02d",
				 from / 60, from % 60, to / 60, to % 60);
			return true;
		}
	}
	return false;
}
