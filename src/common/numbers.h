/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Number parsing shared by both programs: strict decimal for ports, CIDs
 * and seconds, and the kernel's own memparse() for sizes, quirks and all,
 * so that "64M" means on the host what it means on the kernel's command
 * line.
 */
#ifndef HVS_NUMBERS_H
#define HVS_NUMBERS_H

#include <stddef.h>
#include <stdint.h>

#define HVS_MAX_TIMEOUT_MS 600000u

/* Decimal digits only, no sign, no blanks, at most UINT32_MAX. 0 or -1. */
int hvs_parse_u32(const char *s, uint32_t *v);

/* "<seconds>[.<up to 3 digits>]", more than 0 and at most 600 s. 0 or -1. */
int hvs_parse_seconds_ms(const char *s, unsigned *ms);

/* 1 to 4294967294: 0 and UINT32_MAX are the wildcards of AF_VSOCK. */
int hvs_valid_port(uint32_t port);
int hvs_valid_cid(uint32_t cid);

/*
 * The kernel's memparse(): simple_strtoull(s, &end, 0) and at most one
 * K/M/G/T/P/E suffix, wrapping silently. *overflowed is set when the exact
 * value does not fit 64 bits (the kernel does not tell; we do, to explain).
 */
uint64_t hvs_memparse(const char *s, const char **end, int *overflowed);

#endif
