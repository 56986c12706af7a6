/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A very small test harness, header only; include it once per test file.
 *
 *   TEST(name_that_reads_as_a_sentence) { CHECK(x == 1); }
 *
 * Each test prints "PASS <suite>/<name>" or "FAIL <suite>/<name>: where",
 * or "SKIP <suite>/<name>: why", which tests/run counts. The binary exits 1
 * if any test failed. An argument runs only the tests whose names contain
 * it; "!TEXT" runs those whose names do not.
 */
#ifndef GRID_UNIT_H
#define GRID_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef UNIT_SUITE
#error "define UNIT_SUITE before including unit.h"
#endif

struct unit_test {
	const char *name;
	void (*fn)(void);
};

static struct unit_test unit_tests[256];
static int unit_ntests;
static int unit_failed_now;
static const char *unit_skip_why;

static inline void unit_register(const char *name, void (*fn)(void))
{
	if (unit_ntests < (int)(sizeof(unit_tests) / sizeof(unit_tests[0])))
		unit_tests[unit_ntests++] = (struct unit_test){ name, fn };
}

#define TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void unit_reg_##name(void)	\
	{								\
		unit_register(#name, name);				\
	}								\
	static void name(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("FAIL %s: %s:%d: %s\n", UNIT_SUITE,	\
			       __FILE__, __LINE__, #cond);		\
			unit_failed_now = 1;				\
			return;						\
		}							\
	} while (0)

#define SKIP(why)							\
	do {								\
		unit_skip_why = (why);					\
		return;							\
	} while (0)

int main(int argc, char **argv)
{
	int i, failed = 0;

	for (i = 0; i < unit_ntests; i++) {
		/* PATTERN: the tests named with it; !PATTERN: the others. */
		if (argc > 1 && argv[1][0] == '!' ?
		    !!strstr(unit_tests[i].name, argv[1] + 1) :
		    argc > 1 && !strstr(unit_tests[i].name, argv[1]))
			continue;
		unit_failed_now = 0;
		unit_skip_why = NULL;
		unit_tests[i].fn();
		fflush(stdout);
		if (unit_failed_now) {
			printf("FAIL %s/%s\n", UNIT_SUITE, unit_tests[i].name);
			failed = 1;
		} else if (unit_skip_why) {
			printf("SKIP %s/%s: %s\n", UNIT_SUITE,
			       unit_tests[i].name, unit_skip_why);
		} else {
			printf("PASS %s/%s\n", UNIT_SUITE, unit_tests[i].name);
		}
		fflush(stdout);
	}
	return failed;
}

#endif
