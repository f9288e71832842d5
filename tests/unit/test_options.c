/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rd.hvswiotlb.* as dracut's getarg/getargbool read them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "numbers.h"
#include "options.h"
#include "wire.h"
#include "table.h"

static struct hvs_options parse(const char *text)
{
	static char scratch[4096];
	struct hvs_options o;

	hvs_options_defaults(&o);
	snprintf(scratch, sizeof(scratch), "%s", text);
	hvs_options_apply(scratch, &o);
	hvs_options_finish(&o);
	return o;
}

static void test_defaults(void **state)
{
	struct hvs_options o = parse("quiet");

	(void)state;
	assert_int_equal(o.enabled, 1);
	assert_int_equal(o.debug, 0);
	assert_int_equal(o.required, 0);
	assert_int_equal(o.timeout_ms, 10000);
	assert_int_equal(o.port, HVS_DEFAULT_PORT);
	assert_int_equal(o.cid, 2);
	assert_int_equal(o.nwarnings, 0);
}

static void test_getargbool(void **state)
{
	(void)state;
	assert_int_equal(parse("rd.hvswiotlb=0").enabled, 0);
	assert_int_equal(parse("rd.hvswiotlb=no").enabled, 0);
	assert_int_equal(parse("rd.hvswiotlb=off").enabled, 0);
	assert_int_equal(parse("rd.hvswiotlb=1").enabled, 1);
	assert_int_equal(parse("rd.hvswiotlb=yes").enabled, 1);
	assert_int_equal(parse("rd.hvswiotlb=whatever").enabled, 1);
	assert_int_equal(parse("rd.hvswiotlb").enabled, 1);
	assert_int_equal(parse("rd.hvswiotlb.debug").debug, 1);
	assert_int_equal(parse("rd.hvswiotlb.debug=0").debug, 0);
	assert_int_equal(parse("rd.hvswiotlb.required").required, 1);
	assert_int_equal(parse("rd.hvswiotlb.required=off").required, 0);
	/* The last occurrence wins; a bare one after a value means yes. */
	assert_int_equal(parse("rd.hvswiotlb=0 rd.hvswiotlb").enabled, 1);
	assert_int_equal(parse("rd.hvswiotlb rd.hvswiotlb=0").enabled, 0);
	/* Exact names, as dracut-getarg compares them: no '-' for '_' here. */
	assert_int_equal(parse("rd.hvswiotlb.Debug").debug, 0);
	assert_int_equal(parse("rd_hvswiotlb=0").enabled, 1);
	/* Quotes are taken off as next_arg() does. */
	assert_int_equal(parse("\"rd.hvswiotlb=0\"").enabled, 0);
	/* dracut does not stop at "--". */
	assert_int_equal(parse("-- rd.hvswiotlb=0").enabled, 0);
}

static void test_values(void **state)
{
	struct hvs_options o;

	(void)state;
	o = parse("rd.hvswiotlb.timeout=2.5 rd.hvswiotlb.port=5000 rd.hvswiotlb.cid=1");
	assert_int_equal(o.timeout_ms, 2500);
	assert_int_equal(o.port, 5000);
	assert_int_equal(o.cid, 1);
	assert_int_equal(parse("rd.hvswiotlb.timeout=0.001").timeout_ms, 1);
	assert_int_equal(parse("rd.hvswiotlb.timeout=600").timeout_ms, 600000);

	/* Bad values keep the default and leave one warning each. */
	o = parse("rd.hvswiotlb.timeout=0 rd.hvswiotlb.port=0 rd.hvswiotlb.cid=4294967295"
		  " rd.hvswiotlb.timeout");
	assert_int_equal(o.timeout_ms, 10000);
	assert_int_equal(o.port, HVS_DEFAULT_PORT);
	assert_int_equal(o.cid, 2);
	assert_int_equal(o.nwarnings, 3);
	assert_string_equal(o.warning[0],
			    "ignoring rd.hvswiotlb.timeout=: expected seconds, more than 0 and at most 600");
	/* The last occurrence decides, even when it is bad: the default, not 3 s. */
	o = parse("rd.hvswiotlb.timeout=3 rd.hvswiotlb.timeout=soon");
	assert_int_equal(o.timeout_ms, 10000);
	assert_int_equal(o.nwarnings, 1);
	/* A value longer than any valid one is refused, not cut into a valid one. */
	o = parse("rd.hvswiotlb.port=1234567890123456789012345678901234567890123456789012");
	assert_int_equal(o.port, HVS_DEFAULT_PORT);
}

static void test_seconds(void **state)
{
	unsigned ms;

	(void)state;
	assert_int_equal(hvs_parse_seconds_ms("10", &ms), 0);
	assert_int_equal(ms, 10000);
	assert_int_equal(hvs_parse_seconds_ms("0.25", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(hvs_parse_seconds_ms("0", &ms), -1);
	assert_int_equal(hvs_parse_seconds_ms("601", &ms), -1);
	assert_int_equal(hvs_parse_seconds_ms("600.001", &ms), -1);
	assert_int_equal(hvs_parse_seconds_ms("1.0001", &ms), -1);
	assert_int_equal(hvs_parse_seconds_ms("1.", &ms), -1);
	assert_int_equal(hvs_parse_seconds_ms(".5", &ms), -1);
	assert_int_equal(hvs_parse_seconds_ms("5s", &ms), -1);
	assert_int_equal(hvs_parse_seconds_ms("-1", &ms), -1);
	assert_int_equal(hvs_parse_seconds_ms("99999999999999999999", &ms), -1);
}

/* The files, then the kernel's line, each source on its own. */
static struct hvs_options read_all(const char *etc, const char *kernel_line)
{
	static char line[4096];
	struct hvs_options o;

	hvs_options_defaults(&o);
	assert_int_equal(hvs_options_read_files(etc, &o), 0);
	snprintf(line, sizeof(line), "%s", kernel_line);
	hvs_options_apply(line, &o);
	hvs_options_finish(&o);
	return o;
}

static void test_files_in_order(void **state)
{
	char d[64], etc[128];
	struct hvs_options o;

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	snprintf(etc, sizeof(etc), "%s/etc", d);
	fixture_write(d, "etc/cmdline.d/20-b.conf", "rd.hvswiotlb.port=2000\n");
	fixture_write(d, "etc/cmdline.d/10-a.conf",
		      "rd.hvswiotlb.port=1000 rd.hvswiotlb.timeout=3\n");
	fixture_write(d, "etc/cmdline.d/30-c.txt", "rd.hvswiotlb=0\n"); /* not .conf */
	fixture_write(d, "etc/cmdline.d/.hidden.conf", "rd.hvswiotlb=0\n");
	fixture_write(d, "etc/cmdline", "rd.hvswiotlb.debug\n");

	o = read_all(etc, "quiet rd.hvswiotlb.timeout=4");
	assert_int_equal(o.port, 2000);        /* 20-b.conf after 10-a.conf */
	assert_int_equal(o.timeout_ms, 4000);  /* the kernel's line comes last */
	assert_int_equal(o.debug, 1);          /* /etc/cmdline counts */
	assert_int_equal(o.enabled, 1);        /* *.txt and dot files do not */
	assert_int_equal(o.nwarnings, 0);

	/* Nothing there at all: just the kernel's line. */
	fixture_rm(d);
	assert_int_equal(read_all(etc, "rd.hvswiotlb=0").enabled, 0);
}

/* A damaged file never hides what the other sources say (issue 9, item 4). */
static void test_damaged_files_hide_nothing(void **state)
{
	char d[64], etc[128], path[256];
	struct hvs_options o;
	int i;

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	snprintf(etc, sizeof(etc), "%s/etc", d);
	/* A NUL byte, then more options in the same file. */
	fixture_write(d, "etc/cmdline.d/10-nul.conf", "rd.hvswiotlb.port=7%crd.hvswiotlb.cid=9\n", 0);
	/* A quote left open: it must not swallow the next file or the kernel's line. */
	fixture_write(d, "etc/cmdline.d/20-quote.conf", "rd.hvswiotlb.x=\"open\n");
	fixture_write(d, "etc/cmdline.d/30-after.conf", "rd.hvswiotlb.debug\n");
	o = read_all(etc, "rd.hvswiotlb=0 rd.hvswiotlb.timeout=1");
	assert_int_equal(o.port, 7);
	assert_int_equal(o.cid, 9);
	assert_int_equal(o.debug, 1);
	assert_int_equal(o.enabled, 0);
	assert_int_equal(o.timeout_ms, 1000);

	/* Too big, or a FIFO: skipped with a warning, at once, and the rest is read. */
	fixture_write(d, "etc/cmdline.d/40-big.conf", "rd.hvswiotlb.port=5 %05000d\n", 0);
	snprintf(path, sizeof(path), "%s/etc/cmdline.d/50-fifo.conf", d);
	assert_int_equal(mkfifo(path, 0600), 0);
	o = read_all(etc, "rd.hvswiotlb.required");
	assert_int_equal(o.port, 7);
	assert_int_equal(o.required, 1);
	assert_int_equal(o.nwarnings, 2);
	assert_non_null(strstr(o.warning[0], "40-big.conf: more than 4095 bytes"));
	assert_non_null(strstr(o.warning[1], "50-fifo.conf: not a regular file"));

	/* More than 32 files: the first 32 in order are read, and it is said. */
	fixture_rm(d);
	for (i = 0; i < 40; i++)
		fixture_write(d, "etc/cmdline.d/x.conf", "");
	for (i = 0; i < 40; i++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "etc/cmdline.d/%02d.conf", i);
		fixture_write(d, rel, "rd.hvswiotlb.port=%d\n", 100 + i);
	}
	o = read_all(etc, "quiet");
	assert_int_equal(o.port, 131); /* 00..31 read, 32..39 and x.conf not */
	assert_int_equal(o.nwarnings, 1);
	assert_non_null(strstr(o.warning[0], "only the first 32"));
	fixture_rm(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_getargbool),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_files_in_order),
		cmocka_unit_test(test_damaged_files_hide_nothing),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
