/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv-swiotlb's own boot options, read the way dracut's getarg/getargbool
 * read rd.* options: from /etc/cmdline.d/\*.conf (sorted), /etc/cmdline
 * and the kernel's line, in that order, exact names, the last occurrence
 * winning. This is the only parser of these options: the initramfs hooks
 * ask the tool (hv-swiotlb --plan) instead of reading them themselves.
 *
 * Each source is parsed on its own, so a damaged file (a NUL byte, an
 * unclosed quote, too much text) can never swallow or hide the options
 * of the files after it or of the kernel's line.
 */
#ifndef HVS_OPTIONS_H
#define HVS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define HVS_DEFAULT_TIMEOUT_MS 10000u
#define HVS_DEFAULT_CID 2u   /* VMADDR_CID_HOST */
#define HVS_MAX_WARNINGS 6
#define HVS_OPTION_COUNT 6
#define HVS_OPTION_VALUE_MAX 48

struct hvs_options {
	int enabled;          /* rd.hvswiotlb, default on */
	int debug;            /* rd.hvswiotlb.debug */
	int required;         /* rd.hvswiotlb.required */
	unsigned timeout_ms;  /* rd.hvswiotlb.timeout=<seconds> */
	uint32_t port;        /* rd.hvswiotlb.port=<n> */
	uint32_t cid;         /* rd.hvswiotlb.cid=<n> */
	/*
	 * Kernel parameters that change what the handoff must do, noted only
	 * while kernel_line is set (the caller sets it for the kernel's own
	 * line) and only before "--", where the kernel stops reading them:
	 */
	int kernel_line;
	int nohibernate;      /* nohibernate, hibernate=no...: the kernel's hard "no" */
	int crash;            /* elfcorehdr=: a kdump crash kernel */
	unsigned nwarnings;   /* bad values and unreadable files, logged later */
	unsigned lost_warnings;
	char warning[HVS_MAX_WARNINGS][224];
	/* The last occurrence of each option so far, interpreted by hvs_options_finish(). */
	unsigned char seen[HVS_OPTION_COUNT], bare[HVS_OPTION_COUNT];
	char value[HVS_OPTION_COUNT][HVS_OPTION_VALUE_MAX];
};

void hvs_options_defaults(struct hvs_options *o);

/*
 * Note every rd.hvswiotlb* token of one source (the text is split in
 * place, as next_arg() does): a later occurrence replaces an earlier one.
 * The few kernel parameters above are noted on the way from the kernel's
 * line (kernel_line set); whether a generator resumes is not the tool's
 * to read: hv-swiotlb-boot asks the generator (see hv-swiotlb(7)).
 */
void hvs_options_apply(char *text, struct hvs_options *o);

/* Once every source is applied: the last occurrences become the settings. */
void hvs_options_finish(struct hvs_options *o);

/*
 * Read etc_dir/cmdline.d/\*.conf and etc_dir/cmdline, applying each in
 * order; the caller applies the kernel's line after them. A missing file
 * is fine; an unreadable or oversized one is skipped with a warning.
 * Returns 0, or -1 with errno EINTR when the deadline interrupted a read.
 */
int hvs_options_read_files(const char *etc_dir, struct hvs_options *o);

#endif
