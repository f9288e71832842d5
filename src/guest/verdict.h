/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Steps 1 to 3 brought together: what the command line asked for, what
 * sysfs publishes and what the kernel logged become one verdict, a stable
 * word, an exit code and one line that names the cause and the fix.
 */
#ifndef HVS_VERDICT_H
#define HVS_VERDICT_H

#include "kcmdline.h"
#include "klog.h"
#include "pool.h"

enum hvs_verdict {
	HVS_V_NONE = 0,   /* nothing requested, nothing published */
	HVS_V_DISABLED,   /* rd.hvswiotlb=0 */
	HVS_V_OK,         /* a valid published pool */
	/* absent: */
	HVS_V_LEGACY_PARAM,
	HVS_V_MALFORMED_PARAM,
	HVS_V_WRAPPED_PARAM,
	HVS_V_UNPATCHED_KERNEL,
	HVS_V_HV_PCI_MODULE,
	HVS_V_NO_CONTIG_ALLOC,
	HVS_V_ALLOC_FAILED,
	HVS_V_POOL_CREATE_FAILED,
	HVS_V_NO_VMBUS,
	HVS_V_NO_HV_PCI,
	HVS_V_PUBLISH_FAILED,
	HVS_V_NOT_PUBLISHED,
	/* invalid: */
	HVS_V_HALF_PUBLISHED,
	HVS_V_UNREADABLE,
	HVS_V_BAD_FORMAT,
	HVS_V_ZERO_SIZE,
	HVS_V_SIZE_MISMATCH,
	HVS_V_SIZE_UNALIGNED,
	HVS_V_BASE_UNALIGNED,
	HVS_V_RANGE_OVERFLOW,
	HVS_V_ABOVE_4G,
};

struct hvs_diagnosis {
	enum hvs_verdict verdict;
	char reason[384];
};

void hvs_diagnose(const struct hvs_request *req, const struct hvs_pool *pool,
		  const struct hvs_klog *klog, const struct hvs_sysfs_facts *facts,
		  unsigned long page_size, struct hvs_diagnosis *d);

const char *hvs_verdict_word(enum hvs_verdict v);
int hvs_verdict_exit_code(enum hvs_verdict v);

#endif
