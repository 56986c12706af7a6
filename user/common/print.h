/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output for people and for scripts from the same calls, after iproute2's
 * print_*(PRINT_ANY, ...) idea: each call names a JSON key and a printf
 * format; in text mode the format is used, in JSON mode the key.
 */
#ifndef GRID_PRINT_H
#define GRID_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum print_mode {
	PRINT_ANY,	/* both: the key in JSON, the format in text */
	PRINT_TEXT,	/* text only */
	PRINT_JSON,	/* JSON only */
};

/* Starts a document on @out; in JSON mode that opens the top-level object. */
void print_start(FILE *out, bool json, bool pretty);
/* The same, for a document that is a JSON array of unnamed members. */
void print_start_array(FILE *out, bool json, bool pretty);
/* Ends the document; returns 0, or -EIO if writing failed. */
int print_end(void);
bool print_is_json(void);

void print_obj_open(const char *key);
void print_obj_close(void);
void print_arr_open(const char *key);
void print_arr_close(void);

void print_str(enum print_mode m, const char *key, const char *fmt,
	       const char *val);
void print_u64(enum print_mode m, const char *key, const char *fmt,
	       uint64_t val);
void print_s64(enum print_mode m, const char *key, const char *fmt,
	       int64_t val);
void print_bool(enum print_mode m, const char *key, const char *fmt,
		bool val);
/* JSON null, for a member that is there but has no value; JSON only. */
void print_null(const char *key);
/* Free text, shown only in text mode. */
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes @s as a JSON string literal, quotes included. */
void json_write_string(FILE *out, const char *s);

#endif
