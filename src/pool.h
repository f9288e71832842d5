/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pool as the kernel publishes it in
 * /sys/bus/vmbus/drivers/hv_pci/swiotlb_{base,size}: strict parsing of
 * "0x%llx\n" and "%zu\n", and every check a range must pass before it is
 * handed to a host.
 */
#ifndef HVS_POOL_H
#define HVS_POOL_H

#include <stdint.h>

#define HVS_4G ((uint64_t)1 << 32)

/* 0 and *v set, or -1: not exactly 0x<hex digits>\n (lower case, as %llx). */
int hvs_parse_sysfs_hex(const char *text, uint64_t *v);
/* 0 and *v set, or -1: not exactly <decimal digits>\n (as %zu). */
int hvs_parse_sysfs_dec(const char *text, uint64_t *v);

enum hvs_pool_presence {
	HVS_POOL_NONE = 0,   /* neither file exists */
	HVS_POOL_BOTH,       /* both exist and were read */
	HVS_POOL_HALF,       /* exactly one exists */
	HVS_POOL_UNREADABLE, /* a file exists but could not be read */
	HVS_POOL_BAD_FORMAT, /* read, but not the kernel's format */
};

struct hvs_pool {
	enum hvs_pool_presence presence;
	uint64_t base;
	uint64_t size;
	int err;             /* errno for UNREADABLE */
	char detail[96];     /* which file, and what was wrong */
};

/* Read both attributes below sysfs_root ("/sys" normally). */
void hvs_pool_read(const char *sysfs_root, struct hvs_pool *p);

enum hvs_pool_check {
	HVS_CHECK_OK = 0,
	HVS_CHECK_ZERO_SIZE,
	HVS_CHECK_SIZE_MISMATCH, /* not what the command line asked for */
	HVS_CHECK_SIZE_UNALIGNED,/* not a multiple of 2 MiB */
	HVS_CHECK_BASE_UNALIGNED,/* not page-aligned */
	HVS_CHECK_OVERFLOW,      /* base + size wraps */
	HVS_CHECK_ABOVE_4G,      /* ends above 4 GiB */
};

/*
 * expected_size is the command line's rounded request, 0 when it sets no
 * expectation. page_size is the guest's page size.
 */
enum hvs_pool_check hvs_pool_check(uint64_t base, uint64_t size,
				   uint64_t expected_size, uint64_t page_size);

#endif
