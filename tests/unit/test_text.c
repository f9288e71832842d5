/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one escaping function, the small printf, and the errno names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "errname.h"
#include "fileio.h"
#include "text.h"
#include "table.h"

static void test_escape(void **state)
{
	char out[64], all[256];
	size_t used, i;

	(void)state;
	assert_int_equal(hvs_escape(out, sizeof(out), "plain text", 10, NULL), 10);
	assert_string_equal(out, "plain text");
	hvs_escape(out, sizeof(out), "a\nb\\c\x1b[2J\xa0\x7f", 11, NULL);
	assert_string_equal(out, "a\\x0ab\\\\c\\x1b[2J\\xa0\\x7f");
	/* A NUL in the middle is a byte like another. */
	hvs_escape(out, sizeof(out), "x\0y", 3, NULL);
	assert_string_equal(out, "x\\x00y");
	/* Never half an escape: "ab" + "\x0a" does not fit in 6 bytes with its NUL. */
	assert_int_equal(hvs_escape(out, 6, "ab\ncd", 5, &used), 2);
	assert_int_equal(used, 2);
	assert_string_equal(out, "ab");
	/* Whatever goes in, what comes out is printable ASCII on one line. */
	for (i = 0; i < sizeof(all); i++)
		all[i] = (char)i;
	{
		char big[1100];

		hvs_escape(big, sizeof(big), all, sizeof(all), &used);
		assert_int_equal(used, sizeof(all));
		for (i = 0; big[i]; i++)
			assert_true(big[i] >= 0x20 && big[i] < 0x7f);
	}
}

static void test_format(void **state)
{
	char out[128];
	struct hvs_text t;

	(void)state;
	hvs_snprintf(out, sizeof(out), "%s=%u,%d,%llu,%llx,%016llx,%zu,%.3s,%c,%%,%x,%lu",
		     "k", 42u, -7, 18446744073709551615ull, 0x8000000ull, 0xabcull,
		     (size_t)12, "abcdef", 'z', 255u, 7ul);
	assert_string_equal(out, "k=42,-7,18446744073709551615,8000000,0000000000000abc,12,"
			    "abc,z,%,ff,7");
	hvs_snprintf(out, sizeof(out), "%d %lld", -2147483647 - 1, -9223372036854775807ll - 1);
	assert_string_equal(out, "-2147483648 -9223372036854775808");
	/* Truncated, always terminated, and the builder says so. */
	assert_int_equal(hvs_snprintf(out, 5, "%s", "abcdefgh"), 4);
	assert_string_equal(out, "abcd");
	hvs_text_init(&t, out, 8);
	hvs_text_str(&t, "key=");
	hvs_text_esc(&t, "\n\n");
	assert_true(t.cut);
	assert_string_equal(out, "key=");
	hvs_text_init(&t, out, sizeof(out));
	hvs_text_hex(&t, 0);
	hvs_text_char(&t, ' ');
	hvs_text_u64(&t, 0);
	assert_string_equal(out, "0x0 0");
}

/* The inverse reads back every escaped string, and nothing hvs_escape() never writes. */
static void test_unescape(void **state)
{
	static const char *const bad[] = { "a\\", "\\x4", "\\x41", "\\xZZ", "\\xA9", "\\x00",
					   "\\n", "\t", "\xc3" };
	char in[256], esc[1100], back[256];
	size_t i;

	(void)state;
	for (i = 0; i < 255; i++)
		in[i] = (char)(i + 1);
	in[255] = '\0';
	hvs_escape(esc, sizeof(esc), in, 255, NULL);
	assert_int_equal(hvs_unescape(back, sizeof(back), esc, strlen(esc)), 255);
	assert_memory_equal(back, in, 256);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hvs_unescape(back, sizeof(back), bad[i], strlen(bad[i])), -1);
	assert_int_equal(hvs_unescape(back, 3, "abc", 3), -1); /* too long */
}

static void test_errname(void **state)
{
	(void)state;
	/* The table and the string of names must stay in step: check both ends. */
	assert_string_equal(hvs_errname(EPERM), "EPERM");
	assert_string_equal(hvs_errname(ECONNREFUSED), "ECONNREFUSED");
	assert_string_equal(hvs_errname(EDQUOT), "EDQUOT");
	assert_string_equal(hvs_errname(HVS_ENOTREG), "not a regular file");
	assert_string_equal(hvs_errname(ENOENT), "ENOENT");
	assert_string_equal(hvs_errname(4095), "errno 4095");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_errname),
		cmocka_unit_test(test_unescape),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
