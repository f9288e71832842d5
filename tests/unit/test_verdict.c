/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel log scan and the diagnosis of a missing or wrong pool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "verdict.h"
#include "table.h"

#define MiB (1024ull * 1024ull)

static unsigned scan(const char *line)
{
	struct hvs_klog k;

	memset(&k, 0, sizeof(k));
	hvs_klog_scan_line(line, strlen(line), &k);
	return k.flags;
}

static void test_klog_lines(void **state)
{
	struct hvs_klog k;
	const char *l;

	(void)state;
	assert_int_equal(scan("4,512,1000,-;hv_pci: ignoring hv_pci_swiotlb=0x1,64M; "
			      "expected hv_pci_swiotlb=<size>"), HVS_KLOG_IGNORED_PARAM);
	assert_int_equal(scan("4,1,2,-;hv_pci: CONFIG_CONTIG_ALLOC disabled; "
			      "hv_pci_swiotlb= ignored"), HVS_KLOG_NO_CONTIG);
	assert_int_equal(scan("6,3,4,-;hv_pci: reserved swiotlb pool "
			      "[0x0000000008000000..0x000000000c000000)"), HVS_KLOG_RESERVED);
	assert_int_equal(scan("4,5,6,-;hv_pci: failed to publish swiotlb range to sysfs"),
			 HVS_KLOG_PUBLISH_FAILED);
	assert_int_equal(scan("5,0,0,-;Unknown kernel command line parameters "
			      "\"hv_pci_swiotlb=64M\", will be passed to user space."),
			 HVS_KLOG_UNKNOWN_PARAM);
	assert_int_equal(scan("5,0,0,-;Unknown kernel command line parameters "
			      "\"foo=1\", will be passed to user space."), 0);
	/* Metadata continuation lines and other drivers say nothing. */
	assert_int_equal(scan(" SUBSYSTEM=hv_pci failed to publish swiotlb range"), 0);
	assert_int_equal(scan("4,5,6,-;xen: failed to allocate 64 bytes"), 0);

	memset(&k, 0, sizeof(k));
	l = "4,7,8,-;hv_pci: failed to allocate 67108864-byte swiotlb pool below 4G; "
	    "feature disabled";
	hvs_klog_scan_line(l, strlen(l), &k);
	assert_int_equal(k.flags, HVS_KLOG_ALLOC_FAILED);
	assert_string_equal(k.alloc_bytes, "67108864-byte");
	memset(&k, 0, sizeof(k));
	l = "3,9,10,-;hv_pci: failed to create swiotlb pool: -12";
	hvs_klog_scan_line(l, strlen(l), &k);
	assert_int_equal(k.flags, HVS_KLOG_CREATE_FAILED);
	assert_string_equal(k.create_error, "-12");
}

static void test_klog_read_file(void **state)
{
	char d[64], path[128];
	struct hvs_klog k;

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	fixture_write(d, "kmsg", "6,1,1,-;Linux version 6.18\n SUBSYSTEM=x\n"
		      "4,2,2,-;hv_pci: CONFIG_CONTIG_ALLOC disabled; hv_pci_swiotlb= ignored\n"
		      "6,3,3,-;no newline at the end: hv_pci: failed to publish swiotlb "
		      "range to sysfs");
	snprintf(path, sizeof(path), "%s/kmsg", d);
	memset(&k, 0, sizeof(k));
	assert_int_equal(hvs_klog_read(path, &k), 0);
	assert_int_equal(k.flags, HVS_KLOG_READABLE | HVS_KLOG_NO_CONTIG |
			 HVS_KLOG_PUBLISH_FAILED);
	fixture_rm(d);
	memset(&k, 0, sizeof(k));
	assert_int_equal(hvs_klog_read(path, &k), -1);
	assert_int_equal(k.flags, 0);
}

struct scenario {
	const char *cmdline;
	unsigned klog;
	int vmbus, hv_pci, modular;
	enum hvs_pool_presence presence;
	uint64_t base, size;
	enum hvs_verdict want;
	const char *word;
	int exit_code;
};

static void test_diagnosis(void **state)
{
	static const struct scenario s[] = {
		{ "quiet", 0, 1, 1, 0, HVS_POOL_NONE, 0, 0, HVS_V_NONE, "none", 0 },
		{ "hv_pci_swiotlb=0", 0, 1, 1, 0, HVS_POOL_NONE, 0, 0, HVS_V_NONE, "none", 0 },
		{ "hv_pci_swiotlb=64M", 0, 1, 1, 0, HVS_POOL_BOTH, 0x8000000, 64 * MiB,
		  HVS_V_OK, "ok", 0 },
		/* The published pair is the truth even with no request. */
		{ "quiet", 0, 1, 1, 0, HVS_POOL_BOTH, 0x8000000, 64 * MiB, HVS_V_OK, "ok", 0 },
		{ "hv_pci_swiotlb=1,2", HVS_KLOG_IGNORED_PARAM, 1, 1, 0, HVS_POOL_NONE, 0, 0,
		  HVS_V_LEGACY_PARAM, "legacy-param", 1 },
		{ "hv_pci_swiotlb=4KB", 0, 1, 1, 0, HVS_POOL_NONE, 0, 0,
		  HVS_V_MALFORMED_PARAM, "malformed-param", 1 },
		{ "hv_pci_swiotlb=16E", 0, 1, 1, 0, HVS_POOL_NONE, 0, 0,
		  HVS_V_WRAPPED_PARAM, "wrapped-param", 1 },
		{ "hv_pci_swiotlb=64M", HVS_KLOG_UNKNOWN_PARAM, 1, 1, 0, HVS_POOL_NONE, 0, 0,
		  HVS_V_UNPATCHED_KERNEL, "unpatched-kernel", 1 },
		{ "hv_pci_swiotlb=64M", HVS_KLOG_UNKNOWN_PARAM, 1, 1, 1, HVS_POOL_NONE, 0, 0,
		  HVS_V_HV_PCI_MODULE, "hv-pci-module", 1 },
		{ "hv_pci_swiotlb=64M", 0, 1, 1, 1, HVS_POOL_NONE, 0, 0,
		  HVS_V_HV_PCI_MODULE, "hv-pci-module", 1 },
		/* The patch's own lines beat the unknown-parameter inference. */
		{ "hv_pci_swiotlb=64M", HVS_KLOG_UNKNOWN_PARAM | HVS_KLOG_ALLOC_FAILED, 1, 1, 0,
		  HVS_POOL_NONE, 0, 0, HVS_V_ALLOC_FAILED, "alloc-failed", 1 },
		{ "hv_pci_swiotlb=64M", HVS_KLOG_UNKNOWN_PARAM | HVS_KLOG_RESERVED, 1, 0, 0,
		  HVS_POOL_NONE, 0, 0, HVS_V_NO_HV_PCI, "no-hv-pci", 1 },
		{ "hv_pci_swiotlb=64M", HVS_KLOG_NO_CONTIG, 0, 0, 0, HVS_POOL_NONE, 0, 0,
		  HVS_V_NO_CONTIG_ALLOC, "no-contig-alloc", 1 },
		{ "hv_pci_swiotlb=64M", HVS_KLOG_ALLOC_FAILED, 1, 1, 0, HVS_POOL_NONE, 0, 0,
		  HVS_V_ALLOC_FAILED, "alloc-failed", 1 },
		{ "hv_pci_swiotlb=64M", HVS_KLOG_RESERVED | HVS_KLOG_CREATE_FAILED, 1, 1, 0,
		  HVS_POOL_NONE, 0, 0, HVS_V_POOL_CREATE_FAILED, "pool-create-failed", 1 },
		{ "hv_pci_swiotlb=64M", HVS_KLOG_RESERVED, 0, 0, 0, HVS_POOL_NONE, 0, 0,
		  HVS_V_NO_VMBUS, "no-vmbus", 1 },
		{ "hv_pci_swiotlb=64M", HVS_KLOG_RESERVED, 1, 0, 0, HVS_POOL_NONE, 0, 0,
		  HVS_V_NO_HV_PCI, "no-hv-pci", 1 },
		{ "hv_pci_swiotlb=64M", HVS_KLOG_RESERVED | HVS_KLOG_PUBLISH_FAILED, 1, 1, 0,
		  HVS_POOL_NONE, 0, 0, HVS_V_PUBLISH_FAILED, "publish-failed", 1 },
		{ "hv_pci_swiotlb=64M", HVS_KLOG_RESERVED, 1, 1, 0, HVS_POOL_NONE, 0, 0,
		  HVS_V_NOT_PUBLISHED, "not-published", 1 },
		{ "hv_pci_swiotlb=64M", 0, 1, 1, 0, HVS_POOL_HALF, 0, 0,
		  HVS_V_HALF_PUBLISHED, "half-published", 2 },
		{ "hv_pci_swiotlb=64M", 0, 1, 1, 0, HVS_POOL_BAD_FORMAT, 0, 0,
		  HVS_V_BAD_FORMAT, "bad-format", 2 },
		{ "hv_pci_swiotlb=64M", 0, 1, 1, 0, HVS_POOL_UNREADABLE, 0, 0,
		  HVS_V_UNREADABLE, "unreadable", 2 },
		{ "hv_pci_swiotlb=64M", 0, 1, 1, 0, HVS_POOL_BOTH, 0x8000000, 0,
		  HVS_V_ZERO_SIZE, "zero-size", 2 },
		{ "hv_pci_swiotlb=128M", 0, 1, 1, 0, HVS_POOL_BOTH, 0x8000000, 64 * MiB,
		  HVS_V_SIZE_MISMATCH, "size-mismatch", 2 },
		{ "quiet", 0, 1, 1, 0, HVS_POOL_BOTH, 0x8000000, 3 * MiB,
		  HVS_V_SIZE_UNALIGNED, "size-unaligned", 2 },
		{ "hv_pci_swiotlb=64M", 0, 1, 1, 0, HVS_POOL_BOTH, 0x8000010, 64 * MiB,
		  HVS_V_BASE_UNALIGNED, "base-unaligned", 2 },
		{ "quiet", 0, 1, 1, 0, HVS_POOL_BOTH, 0xffffffffffe00000ull, 4 * MiB,
		  HVS_V_RANGE_OVERFLOW, "range-overflow", 2 },
		{ "hv_pci_swiotlb=64M", 0, 1, 1, 0, HVS_POOL_BOTH, 0xfe000000, 64 * MiB,
		  HVS_V_ABOVE_4G, "above-4g", 2 },
	};
	char scratch[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		struct hvs_request req;
		struct hvs_pool pool;
		struct hvs_klog k;
		struct hvs_sysfs_facts f = { s[i].vmbus, s[i].hv_pci, s[i].modular };
		struct hvs_diagnosis d;

		assert_int_equal(hvs_request_from_cmdline(s[i].cmdline, scratch,
							  sizeof(scratch), &req), 0);
		memset(&pool, 0, sizeof(pool));
		pool.presence = s[i].presence;
		pool.base = s[i].base;
		pool.size = s[i].size;
		memset(&k, 0, sizeof(k));
		k.flags = s[i].klog | HVS_KLOG_READABLE;
		hvs_diagnose(&req, &pool, &k, &f, 4096, &d);
		if (d.verdict != s[i].want)
			fail_msg("scenario %zu: got %s, want %s (%s)", i,
				 hvs_verdict_word(d.verdict), s[i].word, d.reason);
		assert_string_equal(hvs_verdict_word(d.verdict), s[i].word);
		assert_int_equal(hvs_verdict_exit_code(d.verdict), s[i].exit_code);
		/* Every verdict comes with one line of explanation. */
		assert_true(strlen(d.reason) > 20);
		assert_null(strchr(d.reason, '\n'));
	}
}

static void test_reason_names_the_fix(void **state)
{
	char scratch[256];
	struct hvs_request req;
	struct hvs_pool pool;
	struct hvs_klog k;
	struct hvs_sysfs_facts f = { 1, 1, 0 };
	struct hvs_diagnosis d;

	(void)state;
	memset(&pool, 0, sizeof(pool));
	memset(&k, 0, sizeof(k));
	k.flags = HVS_KLOG_READABLE | HVS_KLOG_IGNORED_PARAM;
	hvs_request_from_cmdline("hv_pci_swiotlb=0x8000000,64M", scratch, sizeof(scratch),
				 &req);
	hvs_diagnose(&req, &pool, &k, &f, 4096, &d);
	assert_non_null(strstr(d.reason, "hv_pci_swiotlb=0x8000000,64M is the legacy"));
	assert_non_null(strstr(d.reason, "the kernel logged"));
	assert_non_null(strstr(d.reason, "e.g. hv_pci_swiotlb=64M"));

	k.flags = HVS_KLOG_READABLE | HVS_KLOG_ALLOC_FAILED;
	strcpy(k.alloc_bytes, "67108864-byte");
	hvs_request_from_cmdline("hv_pci_swiotlb=64M", scratch, sizeof(scratch), &req);
	hvs_diagnose(&req, &pool, &k, &f, 4096, &d);
	assert_non_null(strstr(d.reason, "could not allocate 67108864-byte contiguous"));
	assert_non_null(strstr(d.reason, "less than hv_pci_swiotlb=64M"));

	/* No readable log: say so rather than guess. */
	k.flags = 0;
	hvs_diagnose(&req, &pool, &k, &f, 4096, &d);
	assert_int_equal(d.verdict, HVS_V_NOT_PUBLISHED);
	assert_non_null(strstr(d.reason, "could not be read"));
}

/* One word per verdict, in enum order, none empty, none twice, the last in its place. */
static void test_verdict_words(void **state)
{
	int v, w;

	(void)state;
	for (v = HVS_V_NONE; v <= HVS_V_ABOVE_4G; v++) {
		const char *word = hvs_verdict_word((enum hvs_verdict)v);

		assert_true(strlen(word) > 0);
		assert_string_not_equal(word, "unknown");
		for (w = HVS_V_NONE; w < v; w++)
			assert_string_not_equal(word, hvs_verdict_word((enum hvs_verdict)w));
	}
	assert_string_equal(hvs_verdict_word(HVS_V_NONE), "none");
	assert_string_equal(hvs_verdict_word(HVS_V_OK), "ok");
	assert_string_equal(hvs_verdict_word(HVS_V_ABOVE_4G), "above-4g");
	assert_string_equal(hvs_verdict_word((enum hvs_verdict)(HVS_V_ABOVE_4G + 1)), "unknown");
	assert_string_equal(hvs_verdict_word((enum hvs_verdict)-1), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_klog_lines),
		cmocka_unit_test(test_klog_read_file),
		cmocka_unit_test(test_diagnosis),
		cmocka_unit_test(test_reason_names_the_fix),
		cmocka_unit_test(test_verdict_words),
	};

	return cmocka_run_group_tests_name("verdict", tests, NULL, NULL);
}
