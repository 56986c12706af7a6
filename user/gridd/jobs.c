// SPDX-License-Identifier: GPL-2.0
/*
 * Remote jobs, what both sides share: the dispatch of a session's job
 * messages to the side that takes them, and the writing of the small
 * ones (PROTOCOL.md §11).
 */
#include <errno.h>
#include <stdarg.h>

#include <sodium.h>

#include "dcbor.h"
#include "jobs.h"
#include "peers.h"

void gridd_job_hex(char out[2 * PEER_JOB_ID_LEN + 1], const uint8_t *id)
{
	sodium_bin2hex(out, 2 * PEER_JOB_ID_LEN + 1, id, PEER_JOB_ID_LEN);
}

int gridd_job_send(struct gridd *g, struct peer_conn *c, uint32_t type,
		   const uint8_t *id, int n, ...)
{
	uint8_t buf[256];
	struct cb_buf b;
	va_list ap;
	int i;

	cb_init(&b, buf, sizeof(buf));
	cb_map(&b, 2 + n);
	cb_uint(&b, PK_TYPE);
	cb_uint(&b, type);
	cb_uint(&b, PK_JOB_ID);
	cb_bytes(&b, id, PEER_JOB_ID_LEN);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		/* Keys in increasing order, as deterministic CBOR wants. */
		cb_uint(&b, va_arg(ap, unsigned int));
		cb_uint(&b, va_arg(ap, uint64_t));
	}
	va_end(ap);
	return gridd_peer_send(g, c, buf, cb_end(&b));
}

int gridd_jobs_message(struct gridd *g, struct peer_conn *c,
		       const struct peer_msg *m, struct grid_why *why)
{
	switch (m->type) {
	case PEER_MSG_JOB_SUBMIT:
	case PEER_MSG_JOB_INPUT:
	case PEER_MSG_JOB_ACK:
	case PEER_MSG_JOB_SIGNAL:
		return gridd_jobs_provider_message(g, c, m, why);
	case PEER_MSG_JOB_STARTED:
	case PEER_MSG_JOB_REFUSED:
	case PEER_MSG_JOB_OUTPUT:
	case PEER_MSG_JOB_END:
	case PEER_MSG_JOB_PAUSED:
		return gridd_jobs_holder_message(g, c, m, why);
	}
	return grid_why_set(why, -EBADMSG, "sent a %s, which is no job message",
			    peer_msg_type_name(m->type));
}

void gridd_jobs_opened(struct gridd *g, struct peer_conn *c)
{
	gridd_jobs_provider_opened(g, c);
	gridd_jobs_holder_opened(g, c);
}
