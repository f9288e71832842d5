/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv-swiotlb's exit codes: documented in hv-swiotlb(8), read by
 * hv-swiotlb-boot and by scripts, so they never change meaning.
 */
#ifndef HVS_EXITCODE_H
#define HVS_EXITCODE_H

#define HVS_EXIT_OK 0           /* handed off, or nothing to do */
#define HVS_EXIT_POOL_ABSENT 1  /* asked for, but the kernel published none */
#define HVS_EXIT_POOL_INVALID 2 /* published, but fails a check */
#define HVS_EXIT_UNREACHABLE 3  /* no acknowledgement before the deadline */
#define HVS_EXIT_REFUSED 4      /* the host answered and said no */
#define HVS_EXIT_PROTOCOL 5     /* the host's answer was not a valid acknowledgement */
#define HVS_EXIT_SYSTEM 6       /* the guest itself failed (no /proc/cmdline, ...) */
#define HVS_EXIT_USAGE 64       /* bad arguments (EX_USAGE) */
/* 128 + N: stopped by signal N (SIGTERM, SIGINT, SIGHUP), state=interrupted */

#endif
