/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * errno as its symbolic name ("ECONNREFUSED"). klibc's strerror() carries
 * a 4 KiB message table that would push the initramfs binary past its
 * 28 KiB budget; the names are shorter, exact and easy to search for.
 */
#ifndef HVS_ERRNAME_H
#define HVS_ERRNAME_H

/* The name, or "errno N" in a static buffer for the rare others. */
const char *hvs_errname(int err);

#endif
