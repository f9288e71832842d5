/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One hard deadline for the whole run, on a monotonic clock, without
 * clock_gettime() (klibc 2.0.12 has none).
 *
 * ITIMER_REAL is an hrtimer on CLOCK_MONOTONIC: setting the wall clock
 * does not move it. Arming it once gives both halves of a deadline:
 * getitimer() reads the time left (so elapsed = total - left, a monotonic
 * reading with microsecond resolution), and SIGALRM, installed without
 * SA_RESTART, interrupts whatever blocking call is under way when the
 * time is up. The same code runs in the glibc build that the tests use.
 */
#ifndef HVS_DEADLINE_H
#define HVS_DEADLINE_H

/* Arm the deadline total_ms from now. 0, or -1 with errno. */
int hvs_deadline_start(unsigned total_ms);
/* Milliseconds left, rounded up; 0 once the deadline has passed. */
unsigned hvs_deadline_left_ms(void);
/* Milliseconds since hvs_deadline_start(); total_ms once it has passed. */
unsigned hvs_deadline_elapsed_ms(void);
int hvs_deadline_passed(void);
/* Disarm, so that nothing after the handoff is interrupted. */
void hvs_deadline_stop(void);

#endif
