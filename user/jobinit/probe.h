/* SPDX-License-Identifier: GPL-2.0 */
/* grid-jobinit --probe: gridctl selftest's checks, from inside a sandbox. */
#ifndef GRID_PROBE_H
#define GRID_PROBE_H

/* Prints one line per check; 0 if every one passed, else 1. */
int grid_probe_main(void);

#endif
