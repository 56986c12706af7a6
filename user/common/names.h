/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The words for the uapi's enum values, shared by gridctl and gridd so that
 * both say the same thing. Each returns NULL for a value it does not know
 * (a newer module); callers show the number then.
 */
#ifndef GRID_NAMES_H
#define GRID_NAMES_H

#include <stdint.h>

const char *grid_event_name(uint32_t type);		/* "lease-granted" */
const char *grid_lease_state_name(uint32_t state);	/* "active" */
const char *grid_sandbox_state_name(uint32_t state);	/* "bound" */
/* A GRID_LIMITS_A_* attribute as gridctl's LIMITS word: "memory". */
const char *grid_limit_name(uint32_t attr);

#endif
