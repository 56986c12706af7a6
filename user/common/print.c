// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "print.h"

#define DEPTH_MAX 16

static struct {
	FILE *out;
	bool json;
	bool pretty;
	int depth;
	char close;		/* what ends the document: '}' or ']' */
	/* Whether the container at each depth already holds a member. */
	bool filled[DEPTH_MAX];
} p;

void json_write_string(FILE *out, const char *s)
{
	const unsigned char *c;

	fputc('"', out);
	for (c = (const unsigned char *)s; *c; c++) {
		switch (*c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*c < 0x20 || *c == 0x7f)
				fprintf(out, "\\u%04x", *c);
			else
				fputc(*c, out);
		}
	}
	fputc('"', out);
}

static void indent(void)
{
	int i;

	if (!p.pretty)
		return;
	fputc('\n', p.out);
	for (i = 0; i < p.depth; i++)
		fputs("  ", p.out);
}

/* Separator and key before a new member of the current container. */
static void member(const char *key)
{
	if (p.filled[p.depth])
		fputc(',', p.out);
	p.filled[p.depth] = true;
	indent();
	if (key) {
		json_write_string(p.out, key);
		fputs(p.pretty ? ": " : ":", p.out);
	}
}

static void open_container(const char *key, char c)
{
	member(key);
	fputc(c, p.out);
	if (p.depth < DEPTH_MAX - 1)
		p.depth++;
	p.filled[p.depth] = false;
}

static void close_container(char c)
{
	bool had = p.filled[p.depth];

	if (p.depth > 0)
		p.depth--;
	if (had)
		indent();
	fputc(c, p.out);
}

static void start(FILE *out, bool json, bool pretty, char open, char close)
{
	memset(&p, 0, sizeof(p));
	p.out = out;
	p.json = json;
	p.pretty = pretty;
	p.close = close;
	if (json) {
		fputc(open, out);
		p.depth = 1;
	}
}

void print_start(FILE *out, bool json, bool pretty)
{
	start(out, json, pretty, '{', '}');
}

void print_start_array(FILE *out, bool json, bool pretty)
{
	start(out, json, pretty, '[', ']');
}

int print_end(void)
{
	if (p.json) {
		close_container(p.close);
		fputc('\n', p.out);
	}
	if (fflush(p.out) || ferror(p.out))
		return -EIO;
	return 0;
}

bool print_is_json(void)
{
	return p.json;
}

void print_obj_open(const char *key)
{
	if (p.json)
		open_container(key, '{');
}

void print_obj_close(void)
{
	if (p.json)
		close_container('}');
}

void print_arr_open(const char *key)
{
	if (p.json)
		open_container(key, '[');
}

void print_arr_close(void)
{
	if (p.json)
		close_container(']');
}

static bool wants_json(enum print_mode m)
{
	return p.json && m != PRINT_TEXT;
}

static bool wants_text(enum print_mode m)
{
	return !p.json && m != PRINT_JSON;
}

/*
 * The format strings are the callers' own literals; the warning cannot see
 * that through the indirection.
 */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

void print_str(enum print_mode m, const char *key, const char *fmt,
	       const char *val)
{
	if (wants_json(m)) {
		member(key);
		json_write_string(p.out, val);
	} else if (wants_text(m)) {
		fprintf(p.out, fmt, val);
	}
}

void print_u64(enum print_mode m, const char *key, const char *fmt,
	       uint64_t val)
{
	if (wants_json(m)) {
		member(key);
		fprintf(p.out, "%" PRIu64, val);
	} else if (wants_text(m)) {
		fprintf(p.out, fmt, val);
	}
}

void print_s64(enum print_mode m, const char *key, const char *fmt,
	       int64_t val)
{
	if (wants_json(m)) {
		member(key);
		fprintf(p.out, "%" PRId64, val);
	} else if (wants_text(m)) {
		fprintf(p.out, fmt, val);
	}
}

void print_null(const char *key)
{
	if (p.json) {
		member(key);
		fputs("null", p.out);
	}
}

void print_bool(enum print_mode m, const char *key, const char *fmt,
		bool val)
{
	if (wants_json(m)) {
		member(key);
		fputs(val ? "true" : "false", p.out);
	} else if (wants_text(m)) {
		fprintf(p.out, fmt, val ? "yes" : "no");
	}
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (p.json)
		return;
	va_start(ap, fmt);
	vfprintf(p.out, fmt, ap);
	va_end(ap);
}
