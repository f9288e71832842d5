/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "range.h"

enum hvs_range_check hvs_range_check(uint64_t base, uint64_t size,
				     uint64_t expected_size, uint64_t page_size)
{
	if (size == 0)
		return HVS_RANGE_ZERO_SIZE;
	if (expected_size && size != expected_size)
		return HVS_RANGE_SIZE_MISMATCH;
	if (size % HVS_POOL_ALIGN)
		return HVS_RANGE_SIZE_UNALIGNED;
	if (page_size == 0 || base % page_size)
		return HVS_RANGE_BASE_UNALIGNED;
	if (base > UINT64_MAX - size)
		return HVS_RANGE_OVERFLOW;
	if (base + size > HVS_4G)
		return HVS_RANGE_ABOVE_4G;
	return HVS_RANGE_OK;
}
