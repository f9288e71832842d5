/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The checks a pool range must pass, the same for the guest before it
 * sends a range and for the host before it applies one
 * (hv-swiotlb-protocol(7), "Validation").
 */
#ifndef HVS_RANGE_H
#define HVS_RANGE_H

#include <stdint.h>

#define HVS_POOL_ALIGN (2u * 1024u * 1024u) /* the kernel rounds every size to it */
#define HVS_HOST_PAGE 4096u                 /* the alignment a host can check */
#define HVS_4G ((uint64_t)1 << 32)

enum hvs_range_check {
	HVS_RANGE_OK = 0,
	HVS_RANGE_ZERO_SIZE,
	HVS_RANGE_SIZE_MISMATCH,  /* not the size that was asked for */
	HVS_RANGE_SIZE_UNALIGNED, /* not a multiple of 2 MiB */
	HVS_RANGE_BASE_UNALIGNED, /* not aligned to the page */
	HVS_RANGE_OVERFLOW,       /* base + size wraps */
	HVS_RANGE_ABOVE_4G,       /* ends above 4 GiB */
};

/*
 * expected_size: the size asked for, 0 when there is no expectation.
 * page_size: the guest's page size, or HVS_HOST_PAGE on the host.
 */
enum hvs_range_check hvs_range_check(uint64_t base, uint64_t size,
				     uint64_t expected_size, uint64_t page_size);

#endif
