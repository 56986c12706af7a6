/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink door, the one place that knows libnl. Every function
 * returns 0 or -errno; the errno is the kernel's own (not libnl's
 * translation), and a message from the kernel's extended ack, if any, is
 * kept for the caller to show.
 */
#ifndef GRID_NL_H
#define GRID_NL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/grid.h>

struct grid_nl;

struct grid_nl_status {
	char release[GRID_RELEASE_LEN];
	uint32_t abi;
	struct grid_status counts;
};

/* -ENOENT if the family is not registered (module not loaded). */
int grid_nl_open(struct grid_nl **out);
void grid_nl_close(struct grid_nl *nl);

int grid_nl_status(struct grid_nl *nl, struct grid_nl_status *st);

/*
 * Sends @cmd with @len bytes of already-encoded attributes and waits for
 * the answer, ignoring any reply data: for tests and fuzzers of the
 * kernel's validation.
 */
int grid_nl_send_raw(struct grid_nl *nl, uint8_t cmd, const void *payload,
		     size_t len);

/* The kernel's extended-ack message for the last failed request, or "". */
const char *grid_nl_extack(const struct grid_nl *nl);



/*
 * Event subscription, on a grid_nl of its own (events carry no sequence
 * numbers). grid_nl_subscribe() joins the "events" group and makes the
 * socket non-blocking; poll grid_nl_fd() and call grid_nl_read_events()
 * when it is readable: @fn sees each event's command number.
 */
int grid_nl_subscribe(struct grid_nl *nl);
int grid_nl_fd(const struct grid_nl *nl);
int grid_nl_read_events(struct grid_nl *nl,
			void (*fn)(uint8_t cmd, void *arg), void *arg);
#endif
