// SPDX-License-Identifier: GPL-2.0
/*
 * hv_swiotlb_stub: the guest-visible contract of the hv_pci swiotlb patch,
 * for boot tests on machines without Hyper-V. It registers a "vmbus" bus
 * (refusing to load where a real one exists) with an "hv_pci" driver,
 * allocates a real zeroed region below 4 GiB and publishes it as the
 * patch does:
 *
 *   /sys/bus/vmbus/drivers/hv_pci/swiotlb_base   "0x%llx\n"
 *   /sys/bus/vmbus/drivers/hv_pci/swiotlb_size   "%zu\n"
 *
 * Each failure mode of the patch can be chosen with fail=, and prints the
 * patch's own kernel message, so that hv-swiotlb's diagnosis is tested on
 * real kernel-log lines:
 *
 *   hv_swiotlb_stub.size=4M           the pool size (a buddy allocation:
 *                                     at most 4 MiB)
 *   hv_swiotlb_stub.fail=alloc        "failed to allocate ..." (no pool)
 *   hv_swiotlb_stub.fail=contig       "CONFIG_CONTIG_ALLOC disabled ..."
 *   hv_swiotlb_stub.fail=create       "failed to create swiotlb pool: -12"
 *   hv_swiotlb_stub.fail=publish      "failed to publish swiotlb range ..."
 *   hv_swiotlb_stub.fail=nodriver     the bus, but no hv_pci driver
 *   hv_swiotlb_stub.legacy=VALUE      "ignoring hv_pci_swiotlb=VALUE; ..."
 *   hv_swiotlb_stub.avoid=BASE        a pool anywhere but at BASE: blocks of
 *                                     the pool's size that start there are
 *                                     taken and kept, and the next one is
 *                                     the pool (the fresh kernel of a resume
 *                                     boot, whose pool must differ from the
 *                                     hibernated kernel's: where a buddy
 *                                     allocation lands is not the same from
 *                                     one boot to the next, so a fixed
 *                                     number of blocks taken first is not
 *                                     enough)
 */
#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/version.h>

/*
 * What changed across the kernels the boot matrix builds this for (6.1 to
 * the newest): the bus's match() takes a const driver from 6.11 on, and
 * the largest buddy order is MAX_ORDER - 1 before 6.4, MAX_ORDER from 6.4
 * (inclusive), named MAX_PAGE_ORDER from 6.8.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define STUB_MATCH_DRIVER const struct device_driver
#else
#define STUB_MATCH_DRIVER struct device_driver
#endif
#if defined(MAX_PAGE_ORDER)
#define STUB_ORDER_FITS(order) ((order) <= MAX_PAGE_ORDER)
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define STUB_ORDER_FITS(order) ((order) <= MAX_ORDER)
#else
#define STUB_ORDER_FITS(order) ((order) < MAX_ORDER)
#endif

static char *size = "4M";
module_param(size, charp, 0444);
MODULE_PARM_DESC(size, "pool size, as hv_pci_swiotlb= takes it");
static char *fail = "";
module_param(fail, charp, 0444);
MODULE_PARM_DESC(fail, "alloc, contig, create, publish or nodriver");
static char *legacy;
module_param(legacy, charp, 0444);
MODULE_PARM_DESC(legacy, "log the patch's refusal of hv_pci_swiotlb=VALUE");
static unsigned long avoid;
module_param(avoid, ulong, 0444);
MODULE_PARM_DESC(avoid, "a physical base the pool must not have");

static struct page *kept; /* the block at avoid, held so that the pool is another */

static struct page *pool_pages;
static unsigned int pool_order;
static phys_addr_t pool_base;
static size_t pool_size;
static bool driver_registered, published;

static int stub_match(struct device *dev, STUB_MATCH_DRIVER *drv)
{
	return 0; /* there are no devices on this bus */
}

static struct bus_type stub_vmbus = {
	.name = "vmbus",
	.match = stub_match,
};

static struct device_driver stub_hv_pci = {
	.name = "hv_pci",
	.bus = &stub_vmbus,
	.owner = THIS_MODULE,
};

static ssize_t swiotlb_base_show(struct device_driver *drv, char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", (unsigned long long)pool_base);
}
static DRIVER_ATTR_RO(swiotlb_base);

static ssize_t swiotlb_size_show(struct device_driver *drv, char *buf)
{
	return sysfs_emit(buf, "%zu\n", pool_size);
}
static DRIVER_ATTR_RO(swiotlb_size);

static bool failing(const char *mode)
{
	return strcmp(fail, mode) == 0;
}

/* Contiguous, zeroed, below 4 GiB: as the patch's pool. */
static struct page *alloc_pool(unsigned int order)
{
	return alloc_pages(GFP_KERNEL | __GFP_DMA32 | __GFP_ZERO | __GFP_NOWARN, order);
}

/* The patch's core_initcall: allocate, or say why not. */
static void stub_alloc_pool(void)
{
	unsigned long long want;
	phys_addr_t end;

	if (legacy) {
		pr_warn("hv_pci: ignoring hv_pci_swiotlb=%s; expected hv_pci_swiotlb=<size>\n",
			legacy);
		return;
	}
	want = memparse(size, NULL);
	if (!want)
		return;
	want = ALIGN(want, SZ_2M);
	if (failing("contig")) {
		pr_warn("hv_pci: CONFIG_CONTIG_ALLOC disabled; hv_pci_swiotlb= ignored\n");
		return;
	}
	pool_order = get_order(want);
	if (!failing("alloc") && STUB_ORDER_FITS(pool_order))
		pool_pages = alloc_pool(pool_order);
	/* Blocks of one order are aligned: another one is disjoint from the kept one. */
	if (pool_pages && avoid && page_to_phys(pool_pages) == avoid) {
		kept = pool_pages;
		pool_pages = alloc_pool(pool_order);
		pr_info("hv_swiotlb_stub: the first block was at avoid=0x%lx: kept, the pool is "
			"the next\n", avoid);
	}
	if (!pool_pages) {
		pr_warn("hv_pci: failed to allocate %llu-byte swiotlb pool below 4G; feature disabled\n",
			want);
		return;
	}
	pool_base = page_to_phys(pool_pages);
	pool_size = want;
	end = pool_base + pool_size;
	pr_info("hv_pci: reserved swiotlb pool [%pa..%pa)\n", &pool_base, &end);
	if (failing("create")) {
		pr_err("hv_pci: failed to create swiotlb pool: %d\n", -ENOMEM);
		__free_pages(pool_pages, pool_order);
		pool_pages = NULL;
		pool_base = 0;
		pool_size = 0;
	}
}

static int __init stub_init(void)
{
	int ret = bus_register(&stub_vmbus);

	if (ret) {
		pr_err("hv_swiotlb_stub: cannot register a vmbus bus (%d); this stub is only for machines without Hyper-V\n",
		       ret);
		return ret;
	}
	stub_alloc_pool();
	if (failing("nodriver"))
		return 0;
	ret = driver_register(&stub_hv_pci);
	if (ret) {
		bus_unregister(&stub_vmbus);
		return ret;
	}
	driver_registered = true;
	if (!pool_pages)
		return 0;
	/* As the patch does after vmbus_driver_register(). */
	if (failing("publish") ||
	    driver_create_file(&stub_hv_pci, &driver_attr_swiotlb_base) ||
	    driver_create_file(&stub_hv_pci, &driver_attr_swiotlb_size)) {
		pr_warn("hv_pci: failed to publish swiotlb range to sysfs\n");
		driver_remove_file(&stub_hv_pci, &driver_attr_swiotlb_size);
		driver_remove_file(&stub_hv_pci, &driver_attr_swiotlb_base);
		return 0;
	}
	published = true;
	return 0;
}

static void __exit stub_exit(void)
{
	if (published) {
		driver_remove_file(&stub_hv_pci, &driver_attr_swiotlb_size);
		driver_remove_file(&stub_hv_pci, &driver_attr_swiotlb_base);
	}
	if (driver_registered)
		driver_unregister(&stub_hv_pci);
	bus_unregister(&stub_vmbus);
	if (pool_pages)
		__free_pages(pool_pages, pool_order);
	if (kept)
		__free_pages(kept, pool_order);
}

module_init(stub_init);
module_exit(stub_exit);
MODULE_DESCRIPTION("Test stand-in for the hv_pci swiotlb pool (no Hyper-V)");
MODULE_LICENSE("GPL");
