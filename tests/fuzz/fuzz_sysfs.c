// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: the strict sysfs value parsers and the kernel-log scanner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klog.h"
#include "pool.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char text[128], again[64];
	struct hvs_klog k;
	uint64_t v, w;

	memset(&k, 0, sizeof(k));
	hvs_klog_scan_line((const char *)data, size, &k);
	if (strlen(k.create_error) >= sizeof(k.create_error) ||
	    strlen(k.alloc_bytes) >= sizeof(k.alloc_bytes))
		abort();

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* Whatever parses must be what the kernel would print for it. */
	if (hvs_parse_sysfs_hex(text, &v) == 0) {
		snprintf(again, sizeof(again), "0x%llx\n", (unsigned long long)v);
		if (hvs_parse_sysfs_hex(again, &w) != 0 || w != v)
			abort();
	}
	if (hvs_parse_sysfs_dec(text, &v) == 0) {
		snprintf(again, sizeof(again), "%llu\n", (unsigned long long)v);
		if (hvs_parse_sysfs_dec(again, &w) != 0 || w != v)
			abort();
	}
	return 0;
}
