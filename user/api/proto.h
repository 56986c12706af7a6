/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The local API between gridctl and gridd, on the unix socket
 * /run/grid/gridd.sock. API.md beside this file is its specification.
 *
 * A message is a 4-byte big-endian length (1..GRID_API_MSG_MAX) and that
 * many bytes of deterministic CBOR (the record codec's, user/record):
 *
 *   request  = { 1: version, 2: op, ? 3: { key: value, ... } }
 *   response = { 1: version, 2: status, ? 3: message, ? 4: [ item, ... ],
 *                ? 5: more }
 *
 * status is 0 or a negative errno; message is one sentence, the cause of
 * a failure; each item is a map of the same keys as a request's
 * arguments. Every key has one value type wherever it appears.
 */
#ifndef GRID_API_PROTO_H
#define GRID_API_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/grid.h>

#include "record.h"

#define GRID_API_VERSION	1
#define GRID_API_MSG_MAX	65536
#define GRID_API_SOCK		"/run/grid/gridd.sock"
#define GRID_API_ITEMS_MAX	128	/* per response; "more" says there are others */
#define GRID_API_TEXT_MAX	255	/* bytes of a text value but a token */
/* job-io: the most output of one stream an answer carries, the most input
 * a request may, and how far past the input the job has taken (in_done)
 * a client may send. */
#define GRID_API_JOB_CHUNK	(24U << 10)
#define GRID_API_JOB_WINDOW	(256U << 10)

enum grid_api_op {
	GRID_OP_STATUS = 1,
	GRID_OP_INIT,
	GRID_OP_AGENT_ADD,
	GRID_OP_AGENT_LIST,
	GRID_OP_AGENT_DEL,
	GRID_OP_GRID_CERTIFY,
	GRID_OP_GRID_LIST,
	GRID_OP_GG_CREATE,
	GRID_OP_GG_INVITE,
	GRID_OP_GG_JOIN,
	GRID_OP_GG_LEAVE,
	GRID_OP_GG_LIST,
	GRID_OP_GG_REVOKE,
	GRID_OP_GG_PROOF,
	GRID_OP_GG_ADMIT,
	GRID_OP_SHARE_SET,
	GRID_OP_SHARE_DEL,
	GRID_OP_SHARE_LIST,
	GRID_OP_LEASE_ISSUE,
	GRID_OP_LEASE_RENEW,
	GRID_OP_LEASE_REVOKE,
	GRID_OP_LEASE_IMPORT,
	GRID_OP_LEASE_LIST,
	GRID_OP_RECORD_LIST,
	GRID_OP_PEER_ADD,
	GRID_OP_PEER_DEL,
	GRID_OP_PEER_LIST,
	GRID_OP_LEASE_REQUEST,
	GRID_OP_JOB_RUN,
	GRID_OP_JOB_IO,
	GRID_OP_JOB_LIST,
	GRID_OP_JOB_SIGNAL,
	GRID_OP_LEDGER,
	GRID_OP_SELFTEST,
	__GRID_OP_LAST,
};
#define GRID_OP_MAX (__GRID_OP_LAST - 1)

enum grid_api_key {
	GRID_A_NAME = 1,	/* text: a name */
	GRID_A_KEY,		/* bytes(32): an Ed25519 public key */
	GRID_A_GRIDGRID,	/* text: a grid-grid's name */
	GRID_A_TOKEN,		/* text: "grid1:..." */
	GRID_A_LIMITS,		/* map: as a record's limits */
	GRID_A_SECONDS,		/* uint: a duration */
	GRID_A_ADMIN,		/* uint 0/1 */
	GRID_A_UID,		/* uint */
	GRID_A_LEASE_ID,	/* uint */
	GRID_A_SERIAL,		/* uint */
	GRID_A_HOLDER,		/* text: an agent's name or a key in hex */
	GRID_A_REASON,		/* text */
	GRID_A_ONE_TIME,	/* uint 0/1 */
	GRID_A_NOT_BEFORE,	/* uint: Unix seconds */
	GRID_A_NOT_AFTER,	/* uint: Unix seconds */
	GRID_A_OFFSET,		/* uint: the first item of a list */
	GRID_A_STATE,		/* text */
	GRID_A_ISSUED,		/* uint: Unix seconds */
	GRID_A_ID,		/* bytes(32): a record's id */
	GRID_A_TYPE,		/* text: a record type */
	GRID_A_RECORD,		/* bytes: a signed record */
	GRID_A_ISSUER,		/* bytes(32) */
	GRID_A_HOLDER_KEY,	/* bytes(32) */
	GRID_A_ROLE,		/* text */
	GRID_A_COUNT,		/* uint */
	GRID_A_FOUNDER,		/* uint 0/1 */
	GRID_A_KERNEL,		/* text: what grid.ko is to gridd */
	GRID_A_POLICY,		/* uint: charter policy bits */
	GRID_A_HOLDER_GRID,	/* bytes(32) */
	GRID_A_USED,		/* map: limits the live leases hold */
	GRID_A_ADDR,		/* text: a peer's address, [IPv6]:PORT or IPv4:PORT */
	GRID_A_PROVIDER,	/* text: a member grid's name or key in hex */
	GRID_A_REQUEST,		/* bytes(16): a lease request's id */
	GRID_A_SINCE,		/* uint: Unix seconds */
	GRID_A_SENT,		/* uint: messages or records sent */
	GRID_A_RECEIVED,	/* uint: messages received */
	GRID_A_BYTES_SENT,	/* uint */
	GRID_A_BYTES_RECEIVED,	/* uint */
	GRID_A_JOB,		/* bytes(16): a job's id, made by its holder */
	GRID_A_ARGV,		/* bytes: a command, each word NUL-terminated */
	GRID_A_TTY,		/* uint 0/1: a pseudo-terminal */
	GRID_A_ROWS,		/* uint: a terminal's size */
	GRID_A_COLS,		/* uint */
	GRID_A_NET,		/* text: "none" or "egress" */
	GRID_A_OUT,		/* bytes: a job's output from OUT_OFF */
	GRID_A_ERR,		/* bytes: its error output from ERR_OFF */
	GRID_A_OUT_OFF,		/* uint: an offset in its output */
	GRID_A_ERR_OFF,		/* uint */
	GRID_A_IN,		/* bytes: its input at IN_OFF */
	GRID_A_IN_OFF,		/* uint */
	GRID_A_IN_DONE,		/* uint: input the job has been given */
	GRID_A_EOF,		/* uint 0/1: no more input */
	GRID_A_SIGNAL,		/* uint: a signal's number */
	GRID_A_STATUS,		/* uint: a wait status, as waitpid() gives it */
	GRID_A_DONE,		/* uint 0/1: the holder has all of it */
	GRID_A_CPU_US,		/* uint: CPU time used, microseconds */
	GRID_A_MEMORY_PEAK,	/* uint: bytes */
	__GRID_A_LAST,
};
#define GRID_A_MAX (__GRID_A_LAST - 1)
/* A map says which keys it has in one 64-bit word. */
_Static_assert(GRID_A_MAX < 64, "the API's keys fit struct grid_api_map's has");

/* A map of arguments or of an item's fields, each key at most once. */
struct grid_api_map {
	uint64_t has;		/* bit k: key k is there */
	uint64_t u[GRID_A_MAX + 1];
	const char *t[GRID_A_MAX + 1];	/* NUL-terminated, in the message */
	uint32_t tn[GRID_A_MAX + 1];
	const uint8_t *b[GRID_A_MAX + 1];	/* bytes, in the message */
	uint32_t bn[GRID_A_MAX + 1];
	struct grid_limits lim[2];	/* GRID_A_LIMITS, GRID_A_USED */
};

static inline bool grid_api_has(const struct grid_api_map *m, unsigned int k)
{
	return m->has & (1ULL << k);
}

void grid_api_map_init(struct grid_api_map *m);
/* Setters; text and bytes are referred to, not copied, until encoded. */
void grid_api_set_u(struct grid_api_map *m, unsigned int k, uint64_t v);
void grid_api_set_t(struct grid_api_map *m, unsigned int k, const char *s);
void grid_api_set_b(struct grid_api_map *m, unsigned int k, const void *p,
		    size_t n);
void grid_api_set_lim(struct grid_api_map *m, unsigned int k,
		      const struct grid_limits *l);
const struct grid_limits *grid_api_lim(const struct grid_api_map *m,
				       unsigned int k);

/* "status", "lease-issue", ...; NULL if unknown. */
const char *grid_api_op_name(uint32_t op);

/*
 * A message being written: the frame's length, then the map. Items are
 * added one by one; grid_api_end() writes the header in front.
 */
struct grid_api_out {
	uint8_t *buf;		/* GRID_API_MSG_MAX + 4 */
	size_t len;
	uint32_t n_items;
	uint32_t nodes;		/* CBOR items the answer holds so far */
	bool more;
	bool overflow;
	uint8_t *items;		/* the items' bytes, kept apart */
	size_t items_len;
};

int grid_api_out_init(struct grid_api_out *o);
void grid_api_out_free(struct grid_api_out *o);
/* 0, or -ENOSPC when the item does not fit (nothing added). */
int grid_api_add_item(struct grid_api_out *o, const struct grid_api_map *m);
/* The whole request frame. */
int grid_api_request(struct grid_api_out *o, uint32_t op,
		     const struct grid_api_map *args);
/* The whole response frame (after the items). @msg may be NULL. */
int grid_api_response(struct grid_api_out *o, int status, const char *msg);

/* A message that was read, decoded. Pointers point into @buf. */
struct grid_api_in {
	uint32_t op;		/* requests */
	struct grid_api_map args;
	int status;		/* responses */
	char msg[256];
	bool more;
	uint32_t n_items;
	struct grid_api_map *items;	/* GRID_API_ITEMS_MAX, malloc()ed */
	char *text;		/* the texts of args and items, NUL-terminated */
	uint8_t *raw;		/* the message, if the reader hands it over */
};

/*
 * Decodes the body of a request (without the 4-byte length): 0, or
 * -EBADMSG / -EPROTO (another version) / -EOPNOTSUPP (unknown op) with
 * @why naming what was wrong.
 */
int grid_api_parse_request(struct grid_api_in *in, const uint8_t *buf,
			   size_t len, struct grid_why *why);
int grid_api_parse_response(struct grid_api_in *in, const uint8_t *buf,
			    size_t len, struct grid_why *why);
void grid_api_in_free(struct grid_api_in *in);

/*
 * Frame I/O on a stream socket: one whole message each, with the length
 * checked before anything is read into @buf (GRID_API_MSG_MAX bytes).
 * -EMSGSIZE for a length of 0 or past the maximum, -EPIPE at EOF.
 */
int grid_api_read(int fd, uint8_t *buf, size_t *len);
int grid_api_write(int fd, const uint8_t *buf, size_t len);

#endif
