/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gridd's peers: connections and the sessions on them (peers.c), dial
 * targets (peers_dial.c), gridctl peer (peers_api.c), and what gossip.c,
 * negotiate.c and beacon.c keep per session.
 */
#ifndef GRIDD_PEERS_H
#define GRIDD_PEERS_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "session.h"

#define PEER_CONNS_MAX	256
#define PEER_DIALS_MAX	128
/* The loop's pollfds for peers: connections, listeners, the beacon. */
#define PEER_POLL_MAX	(PEER_CONNS_MAX + GRIDD_LISTEN_MAX + 1)

/* Why a grid is dialed, strongest first. */
enum peer_source {
	PEER_SRC_CONFIG,	/* gridd.conf: kept up */
	PEER_SRC_GRIDCTL,	/* gridctl peer add: kept up */
	PEER_SRC_WANT,		/* something to say to it: until said */
};

struct peer_conn;

struct peer_dial {
	bool used;
	struct peer_addr addr;
	uint8_t pk[GRID_PK_LEN];
	bool has_pk;		/* expected: a session with another is refused */
	bool known_pk;		/* expected, or learnt from a session */
	enum peer_source source;
	bool rekey;		/* dial again now: the session is due a new handshake */
	uint64_t next_try;	/* monotonic ms */
	uint64_t backoff;	/* ms; 0 after a session that lasted */
	uint64_t want_until;	/* PEER_SRC_WANT */
	struct peer_conn *conn;	/* connecting, handshaking or open */
	char last_error[128];
};

/* What gossip.c keeps of one session. */
struct gossip_conn {
	/* (what the peer sent this minute is its key's: gossip.c's budgets) */
	uint8_t proved[16][GRID_PK_LEN];	/* grid-grids we sent proofs of */
	int n_proved;
	uint8_t compared[16][GRID_PK_LEN];	/* and sent a have of */
	int n_compared;
	uint8_t listed[16][GRID_PK_LEN];	/* and sent our ids of */
	int n_listed;
	uint8_t *refused;	/* ids refused on this session, not asked again */
	uint32_t n_refused;
	uint64_t sent_have, sent_records;	/* traffic, for gridctl peer list */
};

struct peer_conn {
	int fd;
	bool connecting;
	bool rekeying;
	struct gridd *g;
	struct peer_addr addr;
	char addr_str[PEER_ADDR_STR];
	char label[GRID_NAME_LEN + 24];	/* who, once authenticated */
	char peer_name[GRID_NAME_LEN];	/* from its grid record, if it sent one */
	struct peer_dial *dial;		/* the target dialed, if we dialed */
	uint64_t since;			/* monotonic ms */
	bool vetted;			/* found to share a grid-grid with us */
	unsigned int refused_strangers;	/* negotiate.c: requests of a non-member */
	struct peer_session s;
	struct gossip_conn gossip;
};

#define BEACON_IFS_MAX		32
#define BEACON_HEARD_MAX	256

/* beacon.c: the link-local beacon, and who was heard where. */
struct gridd_beacon {
	int fd;			/* -1: off */
	uint64_t interval;	/* ms */
	uint64_t next;
	unsigned int ifindex[BEACON_IFS_MAX];
	unsigned int n_if;
	uint64_t sent, received, refused;
	struct {
		uint8_t pk[GRID_PK_LEN];
		struct peer_addr addr;	/* its source address, its port */
		uint64_t at;		/* monotonic ms; 0: free */
	} heard[BEACON_HEARD_MAX];
};

struct gridd_peers {
	int lfd[GRIDD_LISTEN_MAX];
	unsigned int n_lfd;
	unsigned int port;		/* the first one listened on, for hellos */
	struct noise_keypair noise;	/* this run's, bound to the grid's key */
	uint8_t binding[GRID_SIG_LEN];
	struct peer_timers t;
	uint64_t backoff_max;
	uint64_t next_tick;
	/* accept() out of descriptors: the listeners rest until then. */
	uint64_t accept_rest_until;
	uint64_t turned_away, turned_away_logged;	/* a count; ms */
	struct peer_conn *conns[PEER_CONNS_MAX];
	struct peer_dial dials[PEER_DIALS_MAX];
	struct gridd_beacon beacon;
	/* Since gridd started, every session counted: gridctl peer list. */
	struct {
		uint64_t sessions, sent, received, bytes_sent, bytes_received;
		uint64_t records_sent;
	} total;
};

uint64_t gridd_mono_ms(void);
/* Whether @pk is a member of a grid-grid this grid is in. */
bool gridd_fellow(struct gridd *g, const uint8_t pk[GRID_PK_LEN]);

/* peers.c */
int gridd_peers_start(struct gridd *g);
void gridd_peers_stop(struct gridd *g);
int gridd_peers_pollfds(struct gridd *g, struct pollfd *pfd, int max);
void gridd_peers_poll(struct gridd *g, const struct pollfd *pfd, int n);
void gridd_peers_run(struct gridd *g);
int gridd_peers_timeout(struct gridd *g);
struct peer_conn *gridd_peer_session(struct gridd *g,
				     const uint8_t pk[GRID_PK_LEN]);
int gridd_peer_send(struct gridd *g, struct peer_conn *c, const uint8_t *msg,
		    long len);
void gridd_peer_label(struct gridd *g, const uint8_t pk[GRID_PK_LEN],
		      char out[GRID_NAME_LEN + 24]);
void gridd_peer_log(int prio, const struct peer_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A connection on @fd, for dial target @d (NULL: accepted), or NULL. */
struct peer_conn *gridd_peer_conn_new(struct gridd *g, int fd,
				      const struct peer_addr *a,
				      enum noise_role role, struct peer_dial *d);
void gridd_peer_flush(struct peer_conn *c);

/* peers_dial.c */
int gridd_peer_want(struct gridd *g, const uint8_t pk[GRID_PK_LEN]);
struct peer_dial *gridd_peer_dial_add(struct gridd *g, const struct peer_addr *a,
				      const uint8_t *pk, enum peer_source src);
void gridd_peer_dial_del(struct gridd *g, struct peer_dial *d);
void gridd_peer_dials_load(struct gridd *g);
/* Monotonic @now: dials what is due; lowers g->peers->next_tick to the next. */
void gridd_peer_dials_run(struct gridd *g, uint64_t now);
void gridd_peer_dial_closed(struct gridd *g, struct peer_conn *c, uint64_t now);
void gridd_peer_remember(struct gridd *g, struct peer_conn *c);

/* peers_api.c: op_peer_add, op_peer_del, op_peer_list (gridd.h) */

/* gossip.c */
int gridd_gossip_hello(struct gridd *g, struct peer_conn *c,
		       const struct peer_hello *h, struct grid_why *why);
void gridd_gossip_opened(struct gridd *g, struct peer_conn *c);
void gridd_gossip_closed(struct gridd *g, struct peer_conn *c);
int gridd_gg_proof(struct gridd *g, const uint8_t gg[GRID_PK_LEN],
		   uint8_t *out, size_t cap, size_t *len);
int gridd_gossip_message(struct gridd *g, struct peer_conn *c,
			 const struct peer_msg *m, struct grid_why *why);

/* negotiate_holder.c, negotiate.c */
void gridd_negotiate_opened(struct gridd *g, struct peer_conn *c);
int gridd_negotiate_message(struct gridd *g, struct peer_conn *c,
			    const struct peer_msg *m, struct grid_why *why);

/* beacon.c */
int gridd_beacon_start(struct gridd *g);
void gridd_beacon_stop(struct gridd *g);
void gridd_beacon_input(struct gridd *g);
void gridd_beacon_run(struct gridd *g, uint64_t now, uint64_t *next);
/* Where a beacon heard lately said @pk is: 0, or -ENOENT. */
int gridd_beacon_heard(struct gridd *g, const uint8_t pk[GRID_PK_LEN],
		       struct peer_addr *a);


#endif
