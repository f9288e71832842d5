/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The status file: its keys, one line each, and the atomic write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "status.h"
#include "table.h"

static void test_format(void **state)
{
	struct hvs_status s;
	char buf[1024];
	size_t n;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.state = "acknowledged";
	s.verdict = "ok";
	s.have_pool = 1;
	s.base = 0x8000000;
	s.size = 67108864;
	s.requested = 67108864;
	s.target = "vsock:2:18515";
	s.attempts = 2;
	s.elapsed_ms = 130;
	s.ack = "accepted";
	s.reason = "two\nlines\\";
	n = hvs_status_format(&s, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf,
			    "state=acknowledged\nverdict=ok\nbase=0x8000000\nsize=67108864\n"
			    "requested=67108864\ntarget=vsock:2:18515\nattempts=2\n"
			    "elapsed_ms=130\nack=accepted\nrequired=0\nexit=0\n"
			    "reason=two\\x0alines\\\\\n");
	/* No value can forge a key: every one is escaped. */
	s.reason = "x\nstate=forged";
	s.target = "unix:/a\nexit=0";
	s.ack = "\033[2J";
	n = hvs_status_format(&s, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\nreason=x\\x0astate=forged\n"));
	assert_non_null(strstr(buf, "\ntarget=unix:/a\\x0aexit=0\n"));
	assert_non_null(strstr(buf, "\nack=\\x1b[2J\n"));
	assert_null(strstr(buf, "\nstate=forged"));
	assert_null(strstr(buf, "\033"));
	/* Too small a buffer: nothing rather than half a file. */
	assert_int_equal(hvs_status_format(&s, buf, 40), 0);
}

static void test_write_is_atomic(void **state)
{
	struct hvs_status s;
	char d[64], path[160], text[512];
	struct stat st;
	FILE *f;
	size_t n;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.state = "pool-absent";
	s.verdict = "no-vmbus";
	s.reason = "r";
	fixture_tmpdir(d, sizeof(d));
	snprintf(path, sizeof(path), "%s/run", d);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(hvs_status_write(path, &s), 0); /* creates run/hv-swiotlb */
	snprintf(path, sizeof(path), "%s/run/hv-swiotlb/status", d);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_non_null(strstr(text, "state=pool-absent\nverdict=no-vmbus\n"));
	assert_null(strstr(text, "base="));
	snprintf(path, sizeof(path), "%s/run/hv-swiotlb/status.tmp", d);
	assert_int_equal(stat(path, &st), -1); /* no temporary left behind */
	fixture_rm(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_write_is_atomic),
	};

	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
