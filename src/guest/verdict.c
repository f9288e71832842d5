/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "verdict.h"

#include "exitcode.h"
#include "text.h"

#include <stdio.h>
#include <string.h>

#define SAY(...) hvs_snprintf(d->reason, sizeof(d->reason), __VA_ARGS__)

/* Said three times below; the initramfs binary carries it once. */
static const char no_files[] = "hv_pci publishes no swiotlb_base/swiotlb_size";

/* The request was text the kernel refused: say so before anything else. */
static int diagnose_request(const struct hvs_request *req, const struct hvs_klog *k,
			    struct hvs_diagnosis *d)
{
	const char *logged = (k->flags & HVS_KLOG_IGNORED_PARAM)
		? " (the kernel logged \"ignoring hv_pci_swiotlb=\")" : "";

	switch (req->state) {
	case HVS_REQ_LEGACY:
		d->verdict = HVS_V_LEGACY_PARAM;
		SAY("hv_pci_swiotlb=%s is the legacy <base>,<size> form, which the kernel "
		    "refuses%s: the guest picks the base now, so give only the size, "
		    "e.g. hv_pci_swiotlb=64M", req->value, logged);
		return 1;
	case HVS_REQ_MALFORMED:
		d->verdict = HVS_V_MALFORMED_PARAM;
		SAY("hv_pci_swiotlb=%s is not a size the kernel reads%s: use a number "
		    "with at most one K, M, G, T, P or E suffix, e.g. hv_pci_swiotlb=64M",
		    req->value, logged);
		return 1;
	case HVS_REQ_WRAPPED:
		d->verdict = HVS_V_WRAPPED_PARAM;
		SAY("hv_pci_swiotlb=%s overflows 64 bits and the kernel's arithmetic "
		    "wraps it to 0, so it makes no pool: ask for a real size, e.g. "
		    "hv_pci_swiotlb=64M", req->value);
		return 1;
	default:
		return 0;
	}
}

/* Any of these lines means the kernel has the patch and read the parameter. */
#define PATCH_SPOKE (HVS_KLOG_IGNORED_PARAM | HVS_KLOG_NO_CONTIG | HVS_KLOG_ALLOC_FAILED | \
		     HVS_KLOG_RESERVED | HVS_KLOG_CREATE_FAILED | HVS_KLOG_PUBLISH_FAILED)

/*
 * Nothing published although a pool was asked for: the patch's own
 * messages first, in the order of its stages, then what sysfs shows.
 */
static void diagnose_absent(const struct hvs_request *req, const struct hvs_klog *k,
			    const struct hvs_sysfs_facts *f, struct hvs_diagnosis *d)
{
	unsigned long long mib = (unsigned long long)(req->size >> 20);

	if (k->flags & HVS_KLOG_NO_CONTIG) {
		d->verdict = HVS_V_NO_CONTIG_ALLOC;
		SAY("the kernel ignored hv_pci_swiotlb= because CONFIG_CONTIG_ALLOC is off: "
		    "rebuild it with CONFIG_CONTIG_ALLOC=y (selected by CONFIG_CMA)");
		return;
	}
	if (k->flags & HVS_KLOG_ALLOC_FAILED) {
		d->verdict = HVS_V_ALLOC_FAILED;
		SAY("the kernel could not allocate %s contiguous bytes below 4 GiB for the "
		    "pool: ask for less than hv_pci_swiotlb=%lluM, or give the guest more "
		    "memory below 4 GiB", k->alloc_bytes[0] ? k->alloc_bytes : "the",
		    mib);
		return;
	}
	if (k->flags & HVS_KLOG_CREATE_FAILED) {
		d->verdict = HVS_V_POOL_CREATE_FAILED;
		SAY("the kernel allocated the pool but swiotlb could not use it (error %s) "
		    "and freed it: see the swiotlb messages in dmesg; a smaller "
		    "hv_pci_swiotlb= may help", k->create_error[0] ? k->create_error : "?");
		return;
	}
	/*
	 * Only without any of the patch's own messages: those prove the
	 * parameter was read, whatever else the kernel said about it.
	 */
	if (!(k->flags & PATCH_SPOKE) &&
	    (k->flags & HVS_KLOG_UNKNOWN_PARAM || (f->has_hv_pci && f->pci_hyperv_modular))) {
		if (f->pci_hyperv_modular) {
			d->verdict = HVS_V_HV_PCI_MODULE;
			SAY("pci-hyperv is a loadable module here, and hv_pci_swiotlb= is only "
			    "read when it is built in: use a kernel with CONFIG_PCI_HYPERV=y");
		} else {
			d->verdict = HVS_V_UNPATCHED_KERNEL;
			SAY("the kernel does not know hv_pci_swiotlb= (it passed it on to user "
			    "space): boot a kernel with the hv_pci swiotlb patch and "
			    "CONFIG_PCI_HYPERV=y");
		}
		return;
	}
	if (!f->has_vmbus) {
		d->verdict = HVS_V_NO_VMBUS;
		SAY("no /sys/bus/vmbus: this is not a Hyper-V guest, or hv_vmbus is not "
		    "loaded");
		return;
	}
	if (!f->has_hv_pci) {
		d->verdict = HVS_V_NO_HV_PCI;
		SAY("no hv_pci driver on the vmbus bus: pci-hyperv is not loaded; the pool "
		    "exists only when pci-hyperv is built in (CONFIG_PCI_HYPERV=y)");
		return;
	}
	if (k->flags & HVS_KLOG_PUBLISH_FAILED) {
		d->verdict = HVS_V_PUBLISH_FAILED;
		SAY("the kernel made the pool but failed to publish it in sysfs, so its "
		    "range is unknown to user space: see the sysfs errors in dmesg");
		return;
	}
	d->verdict = HVS_V_NOT_PUBLISHED;
	if (!(k->flags & HVS_KLOG_READABLE))
		SAY("%s and the kernel log could not be read to say why: check "
		    "'dmesg | grep hv_pci'", no_files);
	else if (k->flags & HVS_KLOG_RESERVED)
		SAY("the kernel reserved the pool but %s: this kernel lacks the publishing "
		    "half of the hv_pci swiotlb patch", no_files);
	else
		SAY("%s and the kernel log says nothing about the pool: this kernel "
		    "probably lacks the hv_pci swiotlb patch (or its log rotated out: "
		    "check 'dmesg | grep hv_pci')", no_files);
}

static void diagnose_published(const struct hvs_request *req, const struct hvs_pool *p,
			       unsigned long page_size, struct hvs_diagnosis *d)
{
	unsigned long long base = (unsigned long long)p->base;
	unsigned long long size = (unsigned long long)p->size;
	uint64_t expect = req->state == HVS_REQ_SET ? req->size : 0;

	switch (hvs_range_check(p->base, p->size, expect, page_size)) {
	case HVS_RANGE_OK:
		d->verdict = HVS_V_OK;
		SAY("pool [0x%llx..0x%llx) of %llu bytes", base, base + size, size);
		return;
	case HVS_RANGE_ZERO_SIZE:
		d->verdict = HVS_V_ZERO_SIZE;
		SAY("the kernel publishes a pool of size 0 at 0x%llx: there is nothing to "
		    "hand over; this is a kernel bug", base);
		return;
	case HVS_RANGE_SIZE_MISMATCH:
		d->verdict = HVS_V_SIZE_MISMATCH;
		SAY("the published pool has %llu bytes but hv_pci_swiotlb=%s asks for %llu "
		    "after rounding to 2 MiB: the kernel and its command line disagree",
		    size, req->value, (unsigned long long)req->size);
		return;
	case HVS_RANGE_SIZE_UNALIGNED:
		d->verdict = HVS_V_SIZE_UNALIGNED;
		SAY("the published size %llu is not a multiple of 2 MiB, which the kernel "
		    "always rounds to: refusing to hand over a range the host will refuse",
		    size);
		return;
	case HVS_RANGE_BASE_UNALIGNED:
		d->verdict = HVS_V_BASE_UNALIGNED;
		SAY("the published base 0x%llx is not aligned to the %lu-byte page: "
		    "refusing to hand over a range the kernel cannot have allocated",
		    base, page_size);
		return;
	case HVS_RANGE_OVERFLOW:
		d->verdict = HVS_V_RANGE_OVERFLOW;
		SAY("the published range 0x%llx + %llu overflows 64 bits: refusing to "
		    "hand it over", base, size);
		return;
	case HVS_RANGE_ABOVE_4G:
		d->verdict = HVS_V_ABOVE_4G;
		SAY("the published range [0x%llx..0x%llx) ends above 4 GiB, but the pool "
		    "must lie below it: refusing to hand it over", base, base + size);
		return;
	}
}

void hvs_diagnose(const struct hvs_request *req, const struct hvs_pool *pool,
		  const struct hvs_klog *klog, const struct hvs_sysfs_facts *facts,
		  unsigned long page_size, struct hvs_diagnosis *d)
{
	memset(d, 0, sizeof(*d));
	switch (pool->presence) {
	case HVS_POOL_BOTH:
		/* The published pair is the truth; the command line only an expectation. */
		diagnose_published(req, pool, page_size, d);
		return;
	case HVS_POOL_HALF:
		d->verdict = HVS_V_HALF_PUBLISHED;
		SAY("hv_pci publishes half a pool (%s): the kernel removes both on a "
		    "publish failure, so something else changed sysfs", pool->detail);
		return;
	case HVS_POOL_UNREADABLE:
		d->verdict = HVS_V_UNREADABLE;
		SAY("the published pool %s: run hv-swiotlb as root with sysfs mounted",
		    pool->detail);
		return;
	case HVS_POOL_BAD_FORMAT:
		d->verdict = HVS_V_BAD_FORMAT;
		SAY("the published pool is not in the kernel's format (%s; expected "
		    "swiotlb_base as 0x<hex> and swiotlb_size as <decimal>, each with one "
		    "newline)", pool->detail);
		return;
	case HVS_POOL_NONE:
		break;
	}
	if (diagnose_request(req, klog, d))
		return;
	if (req->state != HVS_REQ_SET) {
		d->verdict = HVS_V_NONE;
		SAY("no pool requested (no hv_pci_swiotlb=<size> on the kernel command "
		    "line) and none published");
		return;
	}
	diagnose_absent(req, klog, facts, d);
}

/*
 * The words in enum order, one string: a table of pointers would cost the
 * initramfs binary 8 bytes a word more. The check below keeps them in step.
 */
static const char verdict_words[] =
	"none\0disabled\0ok\0legacy-param\0malformed-param\0wrapped-param\0"
	"unpatched-kernel\0hv-pci-module\0no-contig-alloc\0alloc-failed\0"
	"pool-create-failed\0no-vmbus\0no-hv-pci\0publish-failed\0not-published\0"
	"half-published\0unreadable\0bad-format\0zero-size\0size-mismatch\0"
	"size-unaligned\0base-unaligned\0range-overflow\0above-4g\0";
#define VERDICT_COUNT ((int)HVS_V_ABOVE_4G + 1)

const char *hvs_verdict_word(enum hvs_verdict v)
{
	const char *w = verdict_words;
	int i;

	if ((int)v < 0 || (int)v >= VERDICT_COUNT)
		return "unknown";
	for (i = 0; i < (int)v; i++)
		w += strlen(w) + 1;
	return w;
}

int hvs_verdict_exit_code(enum hvs_verdict v)
{
	if (v <= HVS_V_OK)
		return HVS_EXIT_OK;
	if (v < HVS_V_HALF_PUBLISHED)
		return HVS_EXIT_POOL_ABSENT;
	return HVS_EXIT_POOL_INVALID;
}
