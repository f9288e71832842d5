/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * /run/hv-swiotlb/status: the outcome as key=value lines, replaced
 * atomically. /run survives switch_root, so the booted system can read
 * it, and the unit for boots without an initramfs knows by it that the
 * initramfs already ran.
 *
 * Formatting and writing use no stdio and no heap, so that guard.c can
 * write the file from a signal handler.
 */
#ifndef HVS_STATUS_H
#define HVS_STATUS_H

#include <stddef.h>
#include <stdint.h>

struct hvs_status {
	const char *state;    /* acknowledged, disabled, pool-absent, ... */
	const char *verdict;  /* the verification verdict word */
	int have_pool;        /* base/size below are the published pair */
	uint64_t base, size;
	uint64_t requested;   /* the command line's rounded size, 0 if none */
	const char *target;   /* NULL when nothing was sent */
	unsigned attempts;
	unsigned elapsed_ms;
	const char *ack;      /* the host's status word, NULL if none */
	int required;
	int crash;            /* a kdump crash kernel */
	int exit_code;
	const char *reason;
	/* Not in the file: the outcome's log line (none if line_prio is 0); its write begun. */
	const char *line;
	int line_prio;
	volatile int logged;
	/*
	 * The outcome is decided; only reporting is left. Set last, once every
	 * field above is: guard.c's handler reads them when it sees it.
	 */
	volatile int final;
};

/* Format into buf (values escaped); returns the length, 0 if it does not fit. */
size_t hvs_status_format(const struct hvs_status *s, char *buf, size_t cap);

/* Write run_dir/hv-swiotlb/status atomically; 0, or -1 with errno. */
int hvs_status_write(const char *run_dir, const struct hvs_status *s);

#endif
