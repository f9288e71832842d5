/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's command-line parser, reproduced so that hv-swiotlb reads
 * hv_pci_swiotlb= exactly as an early_param handler sees it: next_arg()
 * tokens, the bare "--" stop, '-'/'_' equal in names, memparse() with its
 * silent 64-bit wrap, and the hv_pci patch's handler rules.
 */
#ifndef HVS_KCMDLINE_H
#define HVS_KCMDLINE_H

#include <stddef.h>
#include <stdint.h>

#include "range.h" /* HVS_POOL_ALIGN: the granule the handler rounds to */

/* The kernel's isspace(): ASCII white space and Latin-1 NBSP (0xa0). */
int hvs_kisspace(unsigned char c);

/*
 * One step of the kernel's next_arg(): splits the token at *args in place
 * (it writes NULs, as the kernel does), sets *param and *val (NULL when the
 * token has no '=') and returns where the next token starts.
 */
char *hvs_next_arg(char *args, char **param, char **val);

/* The kernel's parameq(): names equal when '-' and '_' are taken as one. */
int hvs_parameq(const char *a, const char *b);

/* What the last effective hv_pci_swiotlb= occurrence left behind. */
enum hvs_request_state {
	HVS_REQ_ABSENT = 0, /* never given, or only bare/empty occurrences */
	HVS_REQ_SET,        /* a size the kernel will try to allocate */
	HVS_REQ_ZERO,       /* explicitly 0: no pool */
	HVS_REQ_WRAPPED,    /* a non-zero request the kernel's arithmetic wraps to 0 */
	HVS_REQ_LEGACY,     /* the refused legacy <base>,<size> form */
	HVS_REQ_MALFORMED,  /* anything else memparse() leaves unconsumed */
};

#define HVS_REQ_VALUE_MAX 128

struct hvs_request {
	enum hvs_request_state state;
	uint64_t size;         /* what the kernel ends up with; 0 = no pool */
	int overflowed;        /* the size wrapped (still non-zero) */
	unsigned occurrences;  /* handler runs, bare and empty ones included */
	char value[HVS_REQ_VALUE_MAX]; /* text of the deciding value (truncated) */
};

/*
 * Turn what was read from /proc/cmdline (or a file standing for it) into
 * the kernel's own line, in place: exactly one trailing newline goes, and
 * NUL bytes become blanks. Returns the new length.
 */
size_t hvs_cmdline_from_file(char *text, size_t len);

/*
 * Evaluate the whole command line as the kernel's early-parameter pass does.
 * The text is copied into a scratch buffer of at most cap bytes; the caller's
 * string is left untouched. Returns 0, or -1 when the line does not fit.
 */
int hvs_request_from_cmdline(const char *cmdline, char *scratch, size_t cap,
			     struct hvs_request *out);

/* A stable word for a request state (for --dry-run and the status file). */
const char *hvs_request_state_name(enum hvs_request_state s);

#endif
