/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The run's last line of defence. Whatever the run is doing when its
 * deadline passes or a stop signal (SIGTERM, SIGINT, SIGHUP) arrives, it
 * ends here, from the signal handler if need be, with one kernel-log line
 * and a status file that say what it was doing:
 *
 *   - a step whose read the deadline interrupted ends the run at once
 *     (hvs_guard_stall(): exit 3, state=stalled);
 *   - a run still going HVS_GRACE_MS after the deadline, whatever it is
 *     blocked in, is ended by the second alarm the same way;
 *   - a stop signal ends it with state=interrupted and exit 128 + signal;
 *   - once the outcome is decided (st->final), neither changes it: the
 *     decided status is written, the outcome's log line if the run had
 *     not written it yet, and the decided exit code returned;
 *   - the status write and the log line are each bounded (guard.c), so
 *     neither a slow /run nor a stalled console holds the run.
 *
 * Only async-signal-safe calls are made on these paths: the messages are
 * built with text.h, the status is written by status.c, which uses
 * neither stdio nor the heap.
 */
#ifndef HVS_GUARD_H
#define HVS_GUARD_H

#include "status.h"

/*
 * Install the handlers; the caller arms the deadline (deadline.h) right
 * after. st is the run's status, kept up to date by the caller; run_dir
 * NULL writes no status file (--dry-run, --plan).
 */
int hvs_guard_start(struct hvs_status *st, const char *run_dir);

/* Name the step under way, for the report: hvs_step("reading", path). */
void hvs_step(const char *verb, const char *object);

/* The deadline interrupted the current step: report it and exit 3. */
void hvs_guard_stall(void) __attribute__((noreturn));

#endif
