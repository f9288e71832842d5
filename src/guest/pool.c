/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pool.h"

#include "errname.h"
#include "fileio.h"
#include "guard.h"
#include "text.h"

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

/* 1 read, 0 absent, -1 unreadable (errno kept: EINTR is the deadline). */
static int read_attr(const char *sysfs_root, const char *name, char *buf, size_t cap)
{
	char path[512];
	ssize_t n;

	if (hvs_snprintf(path, sizeof(path), "%s" HV_PCI_DIR "/%s", sysfs_root, name) >=
	    sizeof(path) - 1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	hvs_step("reading", path);
	n = hvs_read_file(path, buf, cap);
	if (n < 0)
		return errno == ENOENT ? 0 : -1;
	/* A NUL byte is never in what the kernel prints: make it fail the parse. */
	if (strlen(buf) != (size_t)n)
		buf[0] = '?';
	return 1;
}

/* Quote what was read; the sinks escape it, so only the length is cut here. */
static void show_text(char *out, size_t cap, const char *name, const char *text)
{
	hvs_snprintf(out, cap, "%s is \"%.40s\"", name, text);
}

int hvs_pool_read(const char *sysfs_root, struct hvs_pool *p)
{
	char base_text[64], size_text[64];
	int have_base, have_size;

	memset(p, 0, sizeof(*p));
	have_base = read_attr(sysfs_root, "swiotlb_base", base_text, sizeof(base_text));
	if (have_base < 0 && errno == EINTR)
		return -1;
	if (have_base < 0) {
		p->err = errno;
		p->presence = HVS_POOL_UNREADABLE;
		hvs_snprintf(p->detail, sizeof(p->detail), "cannot read swiotlb_base: %s",
			 hvs_errname(p->err));
		return 0;
	}
	have_size = read_attr(sysfs_root, "swiotlb_size", size_text, sizeof(size_text));
	if (have_size < 0 && errno == EINTR)
		return -1;
	if (have_size < 0) {
		p->err = errno;
		p->presence = HVS_POOL_UNREADABLE;
		hvs_snprintf(p->detail, sizeof(p->detail), "cannot read swiotlb_size: %s",
			 hvs_errname(p->err));
		return 0;
	}
	if (!have_base && !have_size) {
		p->presence = HVS_POOL_NONE;
		return 0;
	}
	if (!have_base || !have_size) {
		p->presence = HVS_POOL_HALF;
		hvs_snprintf(p->detail, sizeof(p->detail), "only %s exists",
			 have_base ? "swiotlb_base" : "swiotlb_size");
		return 0;
	}
	if (hvs_parse_sysfs_hex(base_text, &p->base) < 0) {
		p->presence = HVS_POOL_BAD_FORMAT;
		show_text(p->detail, sizeof(p->detail), "swiotlb_base", base_text);
		return 0;
	}
	if (hvs_parse_sysfs_dec(size_text, &p->size) < 0) {
		p->presence = HVS_POOL_BAD_FORMAT;
		show_text(p->detail, sizeof(p->detail), "swiotlb_size", size_text);
		return 0;
	}
	p->presence = HVS_POOL_BOTH;
	return 0;
}

void hvs_sysfs_facts_read(const char *sysfs_root, struct hvs_sysfs_facts *f)
{
	f->has_vmbus = hvs_path_exists(sysfs_root, "/bus/vmbus");
	f->has_hv_pci = hvs_path_exists(sysfs_root, "/bus/vmbus/drivers/hv_pci");
	f->pci_hyperv_modular = hvs_path_exists(sysfs_root, "/module/pci_hyperv/initstate");
}
