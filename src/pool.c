/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "errname.h"
#include "pool.h"

#include "fileio.h"
#include "kcmdline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int parse_digits(const char *s, unsigned base, uint64_t *v)
{
	uint64_t acc = 0;
	const char *start = s;

	for (;; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else
			break;
		if (acc > (UINT64_MAX - d) / base)
			return -1; /* cannot be a 64-bit value the kernel printed */
		acc = acc * base + d;
	}
	/* Exactly one newline, then the end: sysfs show() output. */
	if (s == start || s[0] != '\n' || s[1] != '\0')
		return -1;
	*v = acc;
	return 0;
}

int hvs_parse_sysfs_hex(const char *text, uint64_t *v)
{
	if (text[0] != '0' || text[1] != 'x')
		return -1;
	return parse_digits(text + 2, 16, v);
}

int hvs_parse_sysfs_dec(const char *text, uint64_t *v)
{
	return parse_digits(text, 10, v);
}

#define HV_PCI_DIR "/bus/vmbus/drivers/hv_pci"

/* 1 read, 0 absent, -1 unreadable (errno kept). */
static int read_attr(const char *sysfs_root, const char *name, char *buf, size_t cap)
{
	char path[512];

	if (snprintf(path, sizeof(path), "%s" HV_PCI_DIR "/%s", sysfs_root, name) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (hvs_read_file(path, buf, cap) < 0)
		return errno == ENOENT ? 0 : -1;
	return 1;
}

static void show_text(char *out, size_t cap, const char *name, const char *text)
{
	char clean[40];
	size_t i;

	/* Quote what was read, with control bytes made visible. */
	for (i = 0; text[i] && i < sizeof(clean) - 1; i++)
		clean[i] = (text[i] >= 0x20 && text[i] < 0x7f) ? text[i] : '?';
	clean[i] = '\0';
	snprintf(out, cap, "%s is \"%s\"", name, clean);
}

void hvs_pool_read(const char *sysfs_root, struct hvs_pool *p)
{
	char base_text[64], size_text[64];
	int have_base, have_size;

	memset(p, 0, sizeof(*p));
	have_base = read_attr(sysfs_root, "swiotlb_base", base_text, sizeof(base_text));
	if (have_base < 0) {
		p->err = errno;
		p->presence = HVS_POOL_UNREADABLE;
		snprintf(p->detail, sizeof(p->detail), "cannot read swiotlb_base: %s",
			 hvs_errname(p->err));
		return;
	}
	have_size = read_attr(sysfs_root, "swiotlb_size", size_text, sizeof(size_text));
	if (have_size < 0) {
		p->err = errno;
		p->presence = HVS_POOL_UNREADABLE;
		snprintf(p->detail, sizeof(p->detail), "cannot read swiotlb_size: %s",
			 hvs_errname(p->err));
		return;
	}
	if (!have_base && !have_size) {
		p->presence = HVS_POOL_NONE;
		return;
	}
	if (!have_base || !have_size) {
		p->presence = HVS_POOL_HALF;
		snprintf(p->detail, sizeof(p->detail), "only %s exists",
			 have_base ? "swiotlb_base" : "swiotlb_size");
		return;
	}
	if (hvs_parse_sysfs_hex(base_text, &p->base) < 0) {
		p->presence = HVS_POOL_BAD_FORMAT;
		show_text(p->detail, sizeof(p->detail), "swiotlb_base", base_text);
		return;
	}
	if (hvs_parse_sysfs_dec(size_text, &p->size) < 0) {
		p->presence = HVS_POOL_BAD_FORMAT;
		show_text(p->detail, sizeof(p->detail), "swiotlb_size", size_text);
		return;
	}
	p->presence = HVS_POOL_BOTH;
}

enum hvs_pool_check hvs_pool_check(uint64_t base, uint64_t size,
				   uint64_t expected_size, uint64_t page_size)
{
	if (size == 0)
		return HVS_CHECK_ZERO_SIZE;
	if (expected_size && size != expected_size)
		return HVS_CHECK_SIZE_MISMATCH;
	if (size % HVS_POOL_ALIGN)
		return HVS_CHECK_SIZE_UNALIGNED;
	if (page_size == 0 || base % page_size)
		return HVS_CHECK_BASE_UNALIGNED;
	if (base > UINT64_MAX - size)
		return HVS_CHECK_OVERFLOW;
	if (base + size > HVS_4G)
		return HVS_CHECK_ABOVE_4G;
	return HVS_CHECK_OK;
}
