/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What gridd and a job's grid-jobinit say to each other, one message per
 * SOCK_SEQPACKET packet: a fixed header, then (STDIN only) the bytes.
 *
 * The job's output does not travel here: grid-jobinit appends it to the
 * files it was given (GRID_JAIL_FD_OUT, _ERR), whose sizes are the streams'
 * offsets, and says how far they have grown (OUTPUT). A gridd that dies
 * loses nothing: the files stay, and a restarted one connects to the job's
 * listening socket, says HELLO with how far its reader has taken each
 * stream, and is told where things stand. What grid-jobinit has appended
 * and gridd has not yet acknowledged is bounded (GRID_JOB_SPOOL_MAX a
 * stream): past it the init stops reading, and the job waits on its pipe.
 *
 *	gridd -> init
 *	HELLO	a = out taken, b = err taken	(answered with STATE)
 *	STDIN	the bytes after the header, at offset a of the input
 *	EOF	no more input after offset a
 *	SIGNAL	a = the signal, sent to the job's process group
 *	WINSZ	a = rows, b = columns of the job's terminal
 *	ACK	a = out taken, b = err taken
 *
 *	init -> gridd
 *	STATE	a = input written to the job, b = out size, c = err size
 *	OUTPUT	a = input written to the job, b = out size, c = err size
 *
 * Input is sent within a window: gridd may send up to offset a +
 * GRID_JOB_STDIN_WINDOW, where a is the last "input written" it was told
 * (STATE, OUTPUT), and grid-jobinit buffers what it receives until the job
 * reads it. An input message is ignored where it repeats bytes already
 * received (a gridd resending after a restart), and ends the connection
 * where it would leave a gap or overrun the window.
 */
#ifndef GRID_JOBMSG_H
#define GRID_JOBMSG_H

#include <stdint.h>

enum grid_jobmsg_type {
	GRID_JOBMSG_HELLO = 1,
	GRID_JOBMSG_STDIN,
	GRID_JOBMSG_EOF,
	GRID_JOBMSG_SIGNAL,
	GRID_JOBMSG_WINSZ,
	GRID_JOBMSG_ACK,
	GRID_JOBMSG_STATE = 16,
	GRID_JOBMSG_OUTPUT,
};

struct grid_jobmsg {
	uint32_t type;
	uint32_t len;		/* of the bytes after the header */
	uint64_t a, b, c;
};

/* The most bytes one STDIN message carries. */
#define GRID_JOBMSG_DATA_MAX 32768
/* How far past what the job has read gridd may send its input. */
#define GRID_JOB_STDIN_WINDOW (256U << 10)
/* What a stream may hold that gridd has not taken. */
#define GRID_JOB_SPOOL_MAX (8ULL << 20)

#endif
