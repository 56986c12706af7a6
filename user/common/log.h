/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging for gridd. One line per call on stderr, prefixed "gridd: ". When
 * stderr is the journal (systemd sets JOURNAL_STREAM), each line starts with
 * a syslog priority "<N>" instead, which journald turns into the level.
 * Never pass a secret.
 */
#ifndef GRID_LOG_H
#define GRID_LOG_H

#include <stdbool.h>
#include <syslog.h>

void log_init(const char *ident, bool verbose);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
