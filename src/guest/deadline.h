/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One hard deadline for the whole run, on a monotonic clock, without
 * clock_gettime() (klibc 2.0.12 has none).
 *
 * ITIMER_REAL is an hrtimer on CLOCK_MONOTONIC: setting the wall clock
 * does not move it. Armed once, at the very start, it gives both halves of
 * a deadline: getitimer() reads the time left (so elapsed = total - left,
 * a monotonic reading with microsecond resolution), and SIGALRM, whose
 * handler guard.c installs without SA_RESTART, interrupts whatever
 * blocking call is under way when the time is up.
 *
 * When it fires, the timer is armed once more for HVS_GRACE_MS: a run that
 * has not ended by then is ended by guard.c, whatever it was doing.
 *
 * hvs_deadline_set() is the one door to the deadline: run.c calls it with
 * the value it decided, first before any file is read and again once the
 * boot options are known. Everything else only reads the clock.
 */
#ifndef HVS_DEADLINE_H
#define HVS_DEADLINE_H

#define HVS_GRACE_MS 15u

/*
 * The first call arms the deadline total_ms from now; a later one moves it
 * to total_ms after that first call (it may then pass at once). 0, or -1
 * with errno.
 */
int hvs_deadline_set(unsigned total_ms);
unsigned hvs_deadline_total_ms(void);
/* Milliseconds left, rounded up; 0 once the deadline has passed. */
unsigned hvs_deadline_left_ms(void);
/* Milliseconds since the start; the total once the deadline has passed. */
unsigned hvs_deadline_elapsed_ms(void);
int hvs_deadline_passed(void);
/* The deadline's alarm has come; unlike the above, without a system call. */
int hvs_deadline_fired(void);

/* Arm the timer ms from now, nothing else (for guard.c's final report). */
void hvs_deadline_arm_ms(unsigned ms);

/*
 * For the SIGALRM handler: returns 1 when this is the deadline itself (the
 * grace timer is now armed), 0 when the grace period is over too.
 */
int hvs_deadline_on_alarm(void);

#endif
