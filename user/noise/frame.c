// SPDX-License-Identifier: GPL-2.0
/*
 * Noise messages on a stream: two bytes of length, big-endian, then the
 * message (Noise §13). Pure code over a buffer; the caller reads.
 */
#include <errno.h>

#include "frame.h"

long frame_next(const uint8_t *buf, size_t len, const uint8_t **msg,
		size_t *msg_len)
{
	size_t n;

	if (len < FRAME_HDR)
		return 0;
	n = (size_t)buf[0] << 8 | buf[1];
	/* Refused now: waiting for a frame no message fits would stall. */
	if (n < FRAME_MIN)
		return -EBADMSG;
	if (len - FRAME_HDR < n)
		return 0;
	*msg = buf + FRAME_HDR;
	*msg_len = n;
	return FRAME_HDR + n;
}

int frame_head(uint8_t hdr[FRAME_HDR], size_t msg_len)
{
	if (msg_len > NOISE_MSG_MAX)
		return -EMSGSIZE;
	hdr[0] = msg_len >> 8;
	hdr[1] = msg_len & 0xff;
	return 0;
}
