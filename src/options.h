/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv-swiotlb's own boot options, read the way dracut's getarg/getargbool
 * read rd.* options: from /etc/cmdline.d/\*.conf, /etc/cmdline and
 * /proc/cmdline in that order, exact names, the last occurrence wins.
 */
#ifndef HVS_OPTIONS_H
#define HVS_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define HVS_DEFAULT_TIMEOUT_MS 10000u
#define HVS_MAX_TIMEOUT_MS 600000u
#define HVS_DEFAULT_CID 2u   /* VMADDR_CID_HOST */
#define HVS_MAX_WARNINGS 4

struct hvs_options {
	int enabled;          /* rd.hvswiotlb, default on */
	int debug;            /* rd.hvswiotlb.debug */
	int required;         /* rd.hvswiotlb.required */
	unsigned timeout_ms;  /* rd.hvswiotlb.timeout=<seconds> */
	uint32_t port;        /* rd.hvswiotlb.port=<n> */
	uint32_t cid;         /* rd.hvswiotlb.cid=<n> */
	unsigned nwarnings;   /* bad values, reported once logging is up */
	char warning[HVS_MAX_WARNINGS][112];
};

void hvs_options_defaults(struct hvs_options *o);

/* Apply every rd.hvswiotlb* token in text; scratch gets a copy of text. */
int hvs_options_parse(const char *text, char *scratch, size_t cap,
		      struct hvs_options *o);

/*
 * Build the text dracut's getcmdline would: etc_dir/cmdline.d/\*.conf
 * (sorted), etc_dir/cmdline, then the kernel's line. Missing files are
 * fine. Returns 0, or -1 when it does not fit.
 */
int hvs_options_gather(const char *etc_dir, const char *kernel_cmdline,
		       char *out, size_t cap);

/* Value parsers, shared with the command-line interface. 0 ok, -1 bad. */
int hvs_parse_seconds_ms(const char *s, unsigned *ms);
int hvs_parse_u32(const char *s, uint32_t *v);
int hvs_valid_port(uint32_t port);
int hvs_valid_cid(uint32_t cid);

#endif
