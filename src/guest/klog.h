/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel said about the pool: the hv_pci patch's own messages,
 * read back from the kernel log (/dev/kmsg records, or plain lines in a
 * test fixture), so a missing pool is explained by its real cause.
 */
#ifndef HVS_KLOG_H
#define HVS_KLOG_H

#include <stddef.h>

enum {
	HVS_KLOG_READABLE = 1 << 0,      /* the log could be read at all */
	HVS_KLOG_IGNORED_PARAM = 1 << 1, /* "ignoring hv_pci_swiotlb=..." */
	HVS_KLOG_NO_CONTIG = 1 << 2,     /* "CONFIG_CONTIG_ALLOC disabled" */
	HVS_KLOG_ALLOC_FAILED = 1 << 3,  /* "failed to allocate ... below 4G" */
	HVS_KLOG_RESERVED = 1 << 4,      /* "reserved swiotlb pool [...)" */
	HVS_KLOG_CREATE_FAILED = 1 << 5, /* "failed to create swiotlb pool: E" */
	HVS_KLOG_PUBLISH_FAILED = 1 << 6,/* "failed to publish swiotlb range" */
	HVS_KLOG_UNKNOWN_PARAM = 1 << 7, /* hv_pci_swiotlb passed to user space */
};

struct hvs_klog {
	unsigned flags;
	char create_error[16];   /* the errno the kernel printed */
	char alloc_bytes[24];    /* the size it failed to allocate */
};

/* Feed one log line (kmsg prefix and all); updates k. */
void hvs_klog_scan_line(const char *line, size_t len, struct hvs_klog *k);

/*
 * The hv_pci lines come at core_initcall, near the start of the log: what
 * is read of it is bounded, so an endless source cannot hold the run.
 */
#define HVS_KLOG_MAX_BYTES (1024u * 1024u)

/*
 * Read the log at path without blocking, at most HVS_KLOG_MAX_BYTES of it;
 * 0, or -1 with errno (EINTR: the deadline).
 */
int hvs_klog_read(const char *path, struct hvs_klog *k);

#endif
