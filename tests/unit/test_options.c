/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rd.hvswiotlb.* as dracut's getarg/getargbool read them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "options.h"
#include "wire.h"
#include "table.h"

static struct hvs_options parse(const char *text)
{
	static char scratch[4096];
	struct hvs_options o;

	hvs_options_defaults(&o);
	assert_int_equal(hvs_options_parse(text, scratch, sizeof(scratch), &o), 0);
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

static void test_gather_order(void **state)
{
	static char text[8192];
	char d[64], etc[128];
	struct hvs_options o;

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	snprintf(etc, sizeof(etc), "%s/etc", d);
	fixture_write(d, "etc/cmdline.d/20-b.conf", "rd.hvswiotlb.port=2000\n");
	fixture_write(d, "etc/cmdline.d/10-a.conf",
		      "rd.hvswiotlb.port=1000 rd.hvswiotlb.timeout=3\n");
	fixture_write(d, "etc/cmdline.d/30-c.txt", "rd.hvswiotlb=0\n"); /* not .conf */
	fixture_write(d, "etc/cmdline", "rd.hvswiotlb.debug\n");

	assert_int_equal(hvs_options_gather(etc, "quiet rd.hvswiotlb.timeout=4\n", text,
					    sizeof(text)), 0);
	o = parse(text);
	assert_int_equal(o.port, 2000);        /* 20-b.conf after 10-a.conf */
	assert_int_equal(o.timeout_ms, 4000);  /* /proc/cmdline comes last */
	assert_int_equal(o.debug, 1);          /* /etc/cmdline counts */
	assert_int_equal(o.enabled, 1);        /* *.txt does not */

	/* Nothing there at all: just the kernel's line. */
	fixture_rm(d);
	assert_int_equal(hvs_options_gather(etc, "rd.hvswiotlb=0", text, sizeof(text)), 0);
	assert_int_equal(parse(text).enabled, 0);
	assert_int_equal(hvs_options_gather(etc, "rd.hvswiotlb=0", text, 8), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_getargbool),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_gather_order),
	};

	return cmocka_run_group_tests_name("options", tests, NULL, NULL);
}
