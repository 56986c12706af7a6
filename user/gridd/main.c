// SPDX-License-Identifier: GPL-2.0
/*
 * gridd: the grid daemon. This file wires the subsystems: configuration,
 * state (store.c), identity (identity.c), grid-grids (gridgrid.c,
 * members.c), shares and leases (share.c, lease.c, held.c), grid.ko
 * (kernel.c) and the local API that gridctl speaks (api.c). It never
 * forks into the background; run it under a service manager.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf_loader.h"
#include "dev.h"
#include "gridd.h"
#include "jobs.h"
#include "log.h"
#include "nl.h"

#define CONFIG_DEFAULT "/etc/grid/gridd.conf"

static void usage(FILE *out)
{
	fprintf(out, "Usage: gridd [-v] [--foreground] [--config FILE] [--no-bpf]\n"
		"       gridd [--config FILE] --check | --check-config\n"
		"       gridd -V | -h\n"
		"  -v              log debug lines too\n"
		"  --foreground    stay in the foreground (gridd always does)\n"
		"  --config FILE   the configuration (default " CONFIG_DEFAULT ")\n"
		"  --check         check that grid.ko is usable, then exit\n"
		"  --check-config  read the configuration, say what is wrong, exit\n"
		"  --no-bpf        neither load nor adopt the BPF quota programs\n"
		"  -V              print the version\n"
		"  -h, --help      this help\n");
}

static void on_libbpf(const char *msg)
{
	log_debug("libbpf: %s", msg);
}

static int count_gg(const struct grid_bpf_gg *gg, void *arg)
{
	(void)gg;
	++*(unsigned int *)arg;
	return 0;
}

/*
 * The quota programs: adopted if pinned, else loaded and pinned, and the
 * CPU budgets watched again in case grid.ko was loaded since they were
 * set. Without bpffs or BPF in this kernel gridd goes on without quotas;
 * any other failure stops it.
 */
static int bpf_start(struct grid_bpf **b, bool verbose)
{
	unsigned int n = 0, watched;
	int ret;

	grid_bpf_set_log(on_libbpf);
	ret = grid_bpf_open(b, GRID_BPF_LOAD);
	if (ret == -ENODEV) {
		log_warn("bpf: bpffs is not mounted at %s; running without quotas",
			 GRID_BPF_FS);
		return 0;
	}
	if (ret == -ENOSYS || ret == -EOPNOTSUPP || ret == -EPERM) {
		log_warn("bpf: this kernel does not let gridd use BPF (%s); running without quotas",
			 strerror(-ret));
		return 0;
	}
	if (ret) {
		log_err("bpf: cannot load the quota programs: %s%s",
			strerror(-ret), verbose ? "" : " (-v shows libbpf's messages)");
		return ret;
	}
	/* A count we cannot make is no reason to stop: it is only said. */
	grid_bpf_each(*b, count_gg, &n);
	if (grid_bpf_loaded(*b))
		log_info("bpf: loaded");
	else
		log_info("bpf: adopted (%u grid-grid%s)", n, n == 1 ? "" : "s");
	ret = grid_bpf_rewatch(*b, &watched);
	if (ret)
		log_warn("bpf: cannot watch every CPU budget again (%s); those not watched are not enforced",
			 strerror(-ret));
	else if (watched)
		log_debug("bpf: %u CPU budget%s watched", watched,
			  watched == 1 ? "" : "s");
	return 0;
}

/* mkdir -p with @mode for the folders gridd makes. */
static int make_dirs(const char *path, mode_t mode)
{
	char buf[256], *p;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

static int open_state(struct gridd *g)
{
	struct grid_why why;
	char sockdir[108];
	int ret;

	ret = make_dirs(g->cfg.state_dir, 0700);
	if (ret) {
		log_err("cannot make %s: %s", g->cfg.state_dir, strerror(-ret));
		return ret;
	}
	g->state_fd = open(g->cfg.state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (g->state_fd < 0) {
		ret = -errno;
		log_err("cannot open %s: %s", g->cfg.state_dir, strerror(errno));
		return ret;
	}
	if (mkdirat(g->state_fd, "keys", 0700) && errno != EEXIST) {
		ret = -errno;
		log_err("cannot make %s/keys: %s", g->cfg.state_dir, strerror(errno));
		return ret;
	}
	snprintf(sockdir, sizeof(sockdir), "%s", g->cfg.socket);
	ret = make_dirs(dirname(sockdir), 0755);
	if (ret) {
		log_err("cannot make the folder of %s: %s", g->cfg.socket,
			strerror(-ret));
		return ret;
	}
	ret = store_open(&g->st, g->cfg.state_dir, &why);
	if (ret) {
		log_err("state: %s", why.msg);
		return ret;
	}
	ret = gridd_keys_sweep(g);
	if (ret)
		log_warn("keys: the folder cannot be swept: %s", strerror(-ret));
	ret = gridd_identity_load(g);
	if (ret) {
		log_err("state: the grid's key cannot be read: %s", strerror(-ret));
		return ret;
	}
	if (g->has_grid)
		log_info("grid %s", g->name);
	else
		log_info("no grid yet: gridctl init NAME makes one");
	return 0;
}

/*
 * gridd.conf 'netns': the peers' sockets (sessions, the beacon) in that
 * network namespace, grid.ko's netlink sockets where gridd started, the
 * only namespace its family is in. Like a WireGuard interface whose UDP
 * socket stays in the namespace it was made in.
 */
static int enter_netns(struct gridd *g)
{
	int ret;

	if (!g->cfg.netns[0])
		return 0;
	g->root_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	g->peer_netns = open(g->cfg.netns, O_RDONLY | O_CLOEXEC);
	if (g->root_netns < 0 || g->peer_netns < 0 ||
	    setns(g->peer_netns, CLONE_NEWNET)) {
		ret = -errno;
		log_err("netns: cannot enter %s: %s", g->cfg.netns, strerror(errno));
		return ret;
	}
	log_info("netns: peers in %s", g->cfg.netns);
	return 0;
}

int main(int argc, char **argv)
{
	static struct gridd g;
	struct grid_nl *events = NULL;
	const char *config = NULL, *now;
	bool check = false, verbose = false, no_bpf = false, check_config = false;
	struct grid_why why;
	sigset_t mask;
	int ret, i, sfd = -1;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = true;
		} else if (!strcmp(argv[i], "--check")) {
			check = true;
		} else if (!strcmp(argv[i], "--check-config")) {
			check_config = true;
		} else if (!strcmp(argv[i], "--no-bpf")) {
			no_bpf = true;
		} else if (!strcmp(argv[i], "--foreground") || !strcmp(argv[i], "-f")) {
			/* gridd never forks: the service manager keeps it. */
		} else if (!strcmp(argv[i], "--config")) {
			if (i + 1 == argc) {
				fprintf(stderr, "gridd: --config needs a FILE\n");
				return 2;
			}
			config = argv[++i];
		} else if (!strcmp(argv[i], "-V")) {
			printf("gridd " GRID_RELEASE " (abi %d)\n",
			       GRID_ABI_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			fprintf(stderr, "gridd: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	log_init("gridd", verbose);
	umask(077);
	g.dev = -1;
	g.state_fd = -1;
	g.root_netns = g.peer_netns = -1;
	gridd_config_defaults(&g.cfg);
	if (config || access(CONFIG_DEFAULT, F_OK) == 0) {
		ret = gridd_config_read(&g.cfg, config ?: CONFIG_DEFAULT, &why);
		if (ret) {
			log_err("%s", why.msg);
			return 2;
		}
	}
	if (check_config)
		return 0;
	now = getenv("GRIDD_NOW");
	if (now)
		g.now_override = strtoull(now, NULL, 10);
	now = getenv("GRIDD_HELD_MAX");
	g.held_max = now ? (unsigned int)strtoul(now, NULL, 10) : 0;
	if (!g.held_max)
		g.held_max = GRIDD_HELD_MAX;

	if (check) {
		ret = grid_dev_open(&g.dev);
		if (ret == -EPROTO)
			log_err("grid.ko does not speak ABI %d", GRID_ABI_VERSION);
		else if (ret)
			log_err("cannot open %s: %s%s", GRID_DEV_PATH, strerror(-ret),
				ret == -ENOENT ? " (is grid.ko loaded?)" : "");
		if (!ret) {
			gridd_kernel_close(&g);
			ret = gridd_kernel_open(&g);
			if (!ret)
				log_info("%s", g.kernel);
		}
		gridd_kernel_close(&g);
		return ret ? 1 : 0;
	}
	ret = grid_crypto_init();
	if (ret) {
		log_err("libsodium cannot start");
		return 1;
	}
	ret = open_state(&g);
	if (ret)
		goto out;
	if (gridd_kernel_open(&g) == 0) {
		log_info("%s", g.kernel);
		ret = grid_nl_open(&events);
		if (!ret)
			ret = grid_nl_subscribe(events);
		if (ret) {
			log_err("cannot subscribe to the '%s' events: %s%s",
				GRID_GENL_NAME, strerror(-ret), ret == -ENOENT ?
				" (grid.ko's netlink family is in the first network namespace only: run gridd there, and put its peers in another with 'netns' in gridd.conf)" : "");
			goto out;
		}
		if (!no_bpf && g.cfg.bpf) {
			ret = bpf_start(&g.bpf, verbose);
			if (ret)
				goto out;
		}
		ret = gridd_kernel_reconcile(&g);
		if (ret)
			log_warn("reconcile: %s", strerror(-ret));
	} else {
		log_info("%s: consumer only", g.kernel);
	}

	ret = enter_netns(&g);
	if (ret)
		goto out;
	/*
	 * Each running job holds four descriptors here (its init's socket,
	 * its pidfd, its two output files): 256 of them pass the usual soft
	 * limit of 1024 with the API's and the peers' own.
	 */
	{
		struct rlimit r;

		if (!getrlimit(RLIMIT_NOFILE, &r) && r.rlim_cur < r.rlim_max) {
			r.rlim_cur = r.rlim_max;
			setrlimit(RLIMIT_NOFILE, &r);
		}
	}
	/* Jobs that ran while gridd was away: reattached, or ended. */
	ret = gridd_jobs_start(&g);
	if (ret)
		log_warn("jobs: %s", strerror(-ret));
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		ret = -errno;
		goto out;
	}
	sigdelset(&mask, SIGPIPE);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		ret = -errno;
		goto out;
	}
	ret = gridd_api_serve(&g, sfd, events);
	if (ret)
		log_err("stopped: %s", strerror(-ret));
out:
	gridd_jobs_stop(&g);
	if (sfd >= 0)
		close(sfd);
	grid_bpf_close(g.bpf);
	grid_nl_close(events);
	gridd_kernel_close(&g);
	store_close(&g.st);
	if (g.has_grid)
		grid_key_free(&g.key);
	if (g.state_fd >= 0)
		close(g.state_fd);
	return ret ? 1 : 0;
}
