/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Strict parsing of the sysfs pair, reading it, and every range check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fileio.h"
#include "pool.h"
#include "table.h"

#define MiB (1024ull * 1024ull)

static void test_hex_format(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(hvs_parse_sysfs_hex("0x8000000\n", &v), 0);
	assert_true(v == 0x8000000);
	assert_int_equal(hvs_parse_sysfs_hex("0x0\n", &v), 0);
	assert_true(v == 0);
	assert_int_equal(hvs_parse_sysfs_hex("0xffffffffffffffff\n", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(hvs_parse_sysfs_hex("0x10000000000000000\n", &v), -1);
	assert_int_equal(hvs_parse_sysfs_hex("0x8000000", &v), -1);     /* no newline */
	assert_int_equal(hvs_parse_sysfs_hex("0x8000000\n\n", &v), -1); /* two */
	assert_int_equal(hvs_parse_sysfs_hex("0x8000000 \n", &v), -1);
	assert_int_equal(hvs_parse_sysfs_hex("8000000\n", &v), -1);     /* no 0x */
	assert_int_equal(hvs_parse_sysfs_hex("0X8000000\n", &v), -1);   /* %llx says x */
	assert_int_equal(hvs_parse_sysfs_hex("0x8ABC000\n", &v), -1);   /* and lower case */
	assert_int_equal(hvs_parse_sysfs_hex("0x\n", &v), -1);
	assert_int_equal(hvs_parse_sysfs_hex(" 0x1\n", &v), -1);
	assert_int_equal(hvs_parse_sysfs_hex("", &v), -1);
}

static void test_dec_format(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(hvs_parse_sysfs_dec("67108864\n", &v), 0);
	assert_true(v == 64 * MiB);
	assert_int_equal(hvs_parse_sysfs_dec("18446744073709551615\n", &v), 0);
	assert_int_equal(hvs_parse_sysfs_dec("18446744073709551616\n", &v), -1);
	assert_int_equal(hvs_parse_sysfs_dec("67108864", &v), -1);
	assert_int_equal(hvs_parse_sysfs_dec("-1\n", &v), -1);
	assert_int_equal(hvs_parse_sysfs_dec("0x4000000\n", &v), -1);
	assert_int_equal(hvs_parse_sysfs_dec("64M\n", &v), -1);
	assert_int_equal(hvs_parse_sysfs_dec("\n", &v), -1);
}

static void test_checks(void **state)
{
	(void)state;
	assert_int_equal(hvs_range_check(0x8000000, 64 * MiB, 64 * MiB, 4096), HVS_RANGE_OK);
	assert_int_equal(hvs_range_check(0x8000000, 64 * MiB, 0, 4096), HVS_RANGE_OK);
	assert_int_equal(hvs_range_check(0x8000000, 0, 0, 4096), HVS_RANGE_ZERO_SIZE);
	assert_int_equal(hvs_range_check(0x8000000, 64 * MiB, 128 * MiB, 4096),
			 HVS_RANGE_SIZE_MISMATCH);
	assert_int_equal(hvs_range_check(0x8000000, 3 * MiB, 0, 4096),
			 HVS_RANGE_SIZE_UNALIGNED);
	assert_int_equal(hvs_range_check(0x8000800, 64 * MiB, 0, 4096),
			 HVS_RANGE_BASE_UNALIGNED);
	/* Page size is the guest's: 64 KiB pages make 4 KiB alignment too weak. */
	assert_int_equal(hvs_range_check(0x8001000, 64 * MiB, 0, 65536),
			 HVS_RANGE_BASE_UNALIGNED);
	assert_int_equal(hvs_range_check(0xfffffffffff00000ull, 2 * MiB, 0, 4096),
			 HVS_RANGE_OVERFLOW);
	/* Ends exactly at 4 GiB: allowed. One page further: not. */
	assert_int_equal(hvs_range_check(HVS_4G - 64 * MiB, 64 * MiB, 0, 4096), HVS_RANGE_OK);
	assert_int_equal(hvs_range_check(HVS_4G - 64 * MiB + 4096, 64 * MiB, 0, 4096),
			 HVS_RANGE_ABOVE_4G);
	assert_int_equal(hvs_range_check(HVS_4G, 2 * MiB, 0, 4096), HVS_RANGE_ABOVE_4G);
}

#define DIR "sys/bus/vmbus/drivers/hv_pci/"

static void test_read(void **state)
{
	char d[64], sys[128], path[256];
	struct hvs_pool p;

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	snprintf(sys, sizeof(sys), "%s/sys", d);

	assert_int_equal(hvs_pool_read(sys, &p), 0);
	assert_int_equal(p.presence, HVS_POOL_NONE);

	fixture_write(d, DIR "swiotlb_base", "0x8000000\n");
	hvs_pool_read(sys, &p);
	assert_int_equal(p.presence, HVS_POOL_HALF);
	assert_string_equal(p.detail, "only swiotlb_base exists");

	fixture_write(d, DIR "swiotlb_size", "67108864\n");
	hvs_pool_read(sys, &p);
	assert_int_equal(p.presence, HVS_POOL_BOTH);
	assert_true(p.base == 0x8000000 && p.size == 64 * MiB);

	fixture_write(d, DIR "swiotlb_size", "64M\n");
	hvs_pool_read(sys, &p);
	assert_int_equal(p.presence, HVS_POOL_BAD_FORMAT);
	/* Quoted as read: the sinks escape it (tests/integration.sh checks them). */
	assert_string_equal(p.detail, "swiotlb_size is \"64M\n\"");

	/* Longer than any value the kernel prints: refused, not truncated. */
	fixture_write(d, DIR "swiotlb_size", "%0100d\n", 1);
	hvs_pool_read(sys, &p);
	assert_int_equal(p.presence, HVS_POOL_UNREADABLE);
	assert_int_equal(p.err, EFBIG);

	/* A NUL byte after a good value: not what the kernel prints. */
	fixture_write(d, DIR "swiotlb_size", "67108864\n%c", 0);
	hvs_pool_read(sys, &p);
	assert_int_equal(p.presence, HVS_POOL_BAD_FORMAT);

	/* A FIFO in place of an attribute: refused at once, never waited on. */
	snprintf(path, sizeof(path), "%s/" DIR "swiotlb_size", d);
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	hvs_pool_read(sys, &p);
	assert_int_equal(p.presence, HVS_POOL_UNREADABLE);
	assert_int_equal(p.err, HVS_ENOTREG);
	assert_string_equal(p.detail, "cannot read swiotlb_size: not a regular file");

	fixture_rm(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_format),
		cmocka_unit_test(test_dec_format),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests_name("pool", tests, NULL, NULL);
}
