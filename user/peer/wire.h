/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bytes of grid's peer protocol inside Noise (PROTOCOL.md): the hello
 * that binds a session's Noise static key to a grid's identity, and the
 * messages of an established session, each a deterministic CBOR map with
 * its type at key 0. The readers here check every message against the
 * table of what its type may hold before anyone looks at it, so the code
 * that acts on a message finds each field present, of its type, in its
 * bounds.
 */
#ifndef GRID_PEER_WIRE_H
#define GRID_PEER_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dcbor.h"
#include "keys.h"
#include "noise.h"
#include "record.h"

#define PEER_VERSION		1
#define PEER_PROLOGUE		"grid peer protocol 1"
#define PEER_BINDING_CONTEXT	"grid-noise-static-key:"
#define PEER_PROOFS_MAX		8	/* in a hello, or a proofs message */
#define PEER_TEXT_MAX		512	/* bytes of a sentence (bye, refused) */
#define PEER_PING_MAX		256
/* Record ids in one message: with the message's other items, under the
 * CBOR reader's 1024 items a document. */
#define PEER_IDS_MAX		1000
#define PEER_RECORDS_MAX	32	/* records in one message */
#define PEER_REQ_ID_LEN		16

struct peer_hello {
	uint64_t version;
	uint8_t identity[GRID_PK_LEN];
	uint8_t binding[GRID_SIG_LEN];
	uint64_t port;
	uint32_t n_proofs;
	const uint8_t *proof[PEER_PROOFS_MAX];	/* point into the input */
	size_t proof_len[PEER_PROOFS_MAX];
	const uint8_t *grid;	/* the sender's grid record (its name), or NULL */
	size_t grid_len;
};

/* The statement a grid signs for its Noise static key: 54 bytes. */
#define PEER_BINDING_LEN (sizeof(PEER_BINDING_CONTEXT) - 1 + NOISE_KEY_LEN)
void peer_binding_statement(uint8_t out[PEER_BINDING_LEN],
			    const uint8_t static_pk[NOISE_KEY_LEN]);
void peer_binding_sign(uint8_t sig[GRID_SIG_LEN],
		       const uint8_t static_pk[NOISE_KEY_LEN],
		       const struct grid_key *identity);

/*
 * A hello into @b: @h's fields, proofs included. The caller checks
 * cb_end(). The proofs must be membership bundles' bytes.
 */
void peer_hello_write(struct cb_buf *b, const struct peer_hello *h);
/*
 * Reads a hello and checks that it binds @static_pk (the peer's Noise
 * static key, from the handshake) to its identity: 0, or -EBADMSG /
 * -EPROTONOSUPPORT / -EKEYREJECTED with @why. @h points into @buf.
 */
int peer_hello_read(struct peer_hello *h, const uint8_t *buf, size_t len,
		    const uint8_t static_pk[NOISE_KEY_LEN],
		    struct grid_why *why);

enum peer_msg_type {
	PEER_MSG_PING = 1,
	PEER_MSG_PONG = 2,
	PEER_MSG_BYE = 3,
	PEER_MSG_PROOFS = 4,
	PEER_MSG_HAVE = 10,	/* gossip: a grid-grid's set, in brief */
	PEER_MSG_IDS = 11,	/* gossip: the ids of a set */
	PEER_MSG_WANT = 12,	/* gossip: send me these */
	PEER_MSG_RECORDS = 13,	/* gossip: records and proofs */
	PEER_MSG_LEASE_REQUEST = 20,
	PEER_MSG_LEASE_GRANT = 21,
	PEER_MSG_LEASE_REFUSED = 22,
	PEER_MSG_LEASE_RENEW = 23,
	PEER_MSG_JOB_SUBMIT = 30,	/* jobs (§11): holder -> provider */
	PEER_MSG_JOB_STARTED = 31,	/* provider -> holder */
	PEER_MSG_JOB_REFUSED = 32,	/* provider -> holder */
	PEER_MSG_JOB_INPUT = 33,	/* holder -> provider */
	PEER_MSG_JOB_OUTPUT = 34,	/* provider -> holder */
	PEER_MSG_JOB_ACK = 35,		/* holder -> provider */
	PEER_MSG_JOB_SIGNAL = 36,	/* holder -> provider */
	PEER_MSG_JOB_END = 37,		/* provider -> holder */
	PEER_MSG_JOB_PAUSED = 38,	/* provider -> holder */
	__PEER_MSG_LAST
};

/* The keys of messages, by type (PROTOCOL.md §4 has the table). */
enum {
	PK_TYPE = 0,
	/* ping, pong */
	PK_PING_DATA = 1,
	/* bye */
	PK_BYE_WHY = 1,
	/* proofs */
	PK_PROOFS = 1,
	/* have, ids, want, records */
	PK_GG = 1,
	PK_HAVE_COUNT = 2,
	PK_HAVE_DIGEST = 3,
	PK_IDS = 2,
	PK_IDS_LAST = 3,
	PK_RECORDS = 2,
	PK_RECORDS_PROOFS = 3,
	/* lease request, grant, refused, renew */
	PK_REQ_ID = 1,
	PK_REQ_GG = 2,
	PK_REQ_HOLDER = 3,
	PK_REQ_CERT = 4,
	PK_REQ_LIMITS = 5,
	PK_REQ_SECONDS = 6,
	PK_GRANT_LEASE = 2,
	PK_REFUSED_CODE = 2,
	PK_REFUSED_WHY = 3,
	PK_RENEW_LEASE_ID = 2,
	PK_RENEW_SECONDS = 3,
	PK_RENEW_LIMITS = 4,
	/* jobs: every message names its job first */
	PK_JOB_ID = 1,
	PK_SUBMIT_LEASE = 2,
	PK_SUBMIT_ARGV = 3,
	PK_SUBMIT_TTY = 4,
	PK_SUBMIT_ROWS = 5,
	PK_SUBMIT_COLS = 6,
	PK_SUBMIT_NET = 7,
	PK_IO_OFF = 2,		/* input, output */
	PK_IO_DATA = 3,
	PK_INPUT_EOF = 4,
	PK_OUTPUT_STREAM = 4,
	PK_OUTPUT_IN_DONE = 5,
	PK_ACK_OUT = 2,
	PK_ACK_ERR = 3,
	PK_ACK_DONE = 4,
	PK_SIGNAL_SIG = 2,
	PK_SIGNAL_ROWS = 3,
	PK_SIGNAL_COLS = 4,
	PK_END_STATUS = 2,
	PK_END_WHY = 3,
	PK_END_OUT = 4,
	PK_END_ERR = 5,
	PK_END_CPU_US = 6,
	PK_END_MEM_PEAK = 7,
	PK_END_RECEIPT = 8,
	PK_PAUSED = 2,
	PK_PAUSED_WHY = 3,
};

#define PEER_JOB_ID_LEN		16
#define PEER_ARGV_MAX		16384	/* bytes of a command's words */
#define PEER_JOB_DATA_MAX	24576	/* bytes of input or output a message */

/* A message read and checked: its type, and its map in @doc (item 0). */
struct peer_msg {
	uint32_t type;
	struct cb_doc *doc;
};

/*
 * Reads one message (a transport message's plaintext, not empty) into
 * @m, whose @doc the caller provides: 0, or -EBADMSG with @why naming the
 * first thing wrong.
 */
int peer_msg_read(struct peer_msg *m, const uint8_t *buf, size_t len,
		  struct grid_why *why);
/* Item index of key @key in @m (0 if absent), and typed readers. */
uint32_t peer_msg_get(const struct peer_msg *m, uint64_t key);
uint64_t peer_msg_uint(const struct peer_msg *m, uint64_t key);
/* A byte or text string's bytes and length; NULL if absent. */
const uint8_t *peer_msg_bytes(const struct peer_msg *m, uint64_t key,
			      size_t *len);
const char *peer_msg_type_name(uint32_t type);

#endif
