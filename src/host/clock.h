/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The receiver's one clock: CLOCK_MONOTONIC, which no settimeofday(2) or
 * NTP step moves, for its deadlines, its log's windows, the watchdog and
 * systemd's MONOTONIC_USEC=. Times stored in files are the wall clock's,
 * taken where they are written.
 */
#ifndef HVS_CLOCK_H
#define HVS_CLOCK_H

/* Milliseconds, for deadlines and windows. */
long long hvs_now_ms(void);

/* Microseconds, as sd_notify(3)'s MONOTONIC_USEC= takes them. */
unsigned long long hvs_now_usec(void);

#endif
