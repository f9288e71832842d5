/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pool as the kernel publishes it in
 * /sys/bus/vmbus/drivers/hv_pci/swiotlb_{base,size}: strict parsing of
 * "0x%llx\n" and "%zu\n", and every check a range must pass before it is
 * handed to a host (range.h).
 */
#ifndef HVS_POOL_H
#define HVS_POOL_H

#include <stdint.h>

#include "range.h"

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

/*
 * Read both attributes below sysfs_root ("/sys" normally). Returns 0, or
 * -1 with errno EINTR when the deadline interrupted a read.
 */
int hvs_pool_read(const char *sysfs_root, struct hvs_pool *p);

/* The parts of sysfs that explain an absent pool. */
struct hvs_sysfs_facts {
	int has_vmbus;          /* /sys/bus/vmbus */
	int has_hv_pci;         /* /sys/bus/vmbus/drivers/hv_pci */
	int pci_hyperv_modular; /* /sys/module/pci_hyperv/initstate: a loadable module */
};

void hvs_sysfs_facts_read(const char *sysfs_root, struct hvs_sysfs_facts *f);

#endif
