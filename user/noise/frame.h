/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Noise messages on a stream (Noise §13): each behind its length as two
 * bytes, big-endian. No message of grid's protocol is shorter than
 * FRAME_MIN (a transport message is at least its tag; the first
 * handshake message at least its ephemeral key), so a shorter length is
 * refused rather than waited on.
 */
#ifndef GRID_FRAME_H
#define GRID_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "noise.h"

#define FRAME_HDR	2
#define FRAME_MIN	NOISE_TAG_LEN
#define FRAME_MAX	(FRAME_HDR + NOISE_MSG_MAX)

/*
 * The first frame of @buf (@len bytes read so far): its message in @msg
 * and @msg_len, and the bytes it took (> 0); 0 if the frame is not all
 * there yet; -EBADMSG if its length is below FRAME_MIN.
 */
long frame_next(const uint8_t *buf, size_t len, const uint8_t **msg,
		size_t *msg_len);
/* Writes the header of a @msg_len-byte message: -EMSGSIZE if too long. */
int frame_head(uint8_t hdr[FRAME_HDR], size_t msg_len);

#endif
