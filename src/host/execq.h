/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exec queue: at most HVS_MAX_RUNNING_EXECS --exec commands at once,
 * the ranges beyond that waiting in order of arrival, each within its own
 * deadline. A range to apply is a struct hvs_exec_job, held by whoever
 * asks (a connection embeds one); the queue sees nothing else of it. How
 * one command runs, contained, is exec.h's.
 */
#ifndef HVS_EXECQ_H
#define HVS_EXECQ_H

#include "dlist.h"
#include "wire.h"

#include <stddef.h>
#include <sys/types.h>

#define HVS_MAX_RUNNING_EXECS 64
#define HVS_EXEC_KILL_GRACE_MS 1000 /* after the deadline, for the keeper to end */

struct hvs_exec_job {
	const char *peer;             /* the guest, for the command and the log */
	const struct hvs_record *rec; /* the range */
	long long deadline;           /* killed then; reaped within the grace after */
	pid_t child;                  /* running: its keeper */
	struct hvs_dlink waiting;
};

struct hvs_execq {
	const char *cmd;
	struct hvs_exec_job *running[HVS_MAX_RUNNING_EXECS];
	size_t nrunning;
	struct hvs_dlist waiting; /* oldest first */
};

void hvs_execq_init(struct hvs_execq *q, const char *cmd);

/* Start j's command now (0), or -1 with errno if it cannot be started. */
int hvs_execq_start(struct hvs_execq *q, struct hvs_exec_job *j, long long now);

/* No slot free: j waits. */
int hvs_execq_full(const struct hvs_execq *q);
void hvs_execq_wait(struct hvs_execq *q, struct hvs_exec_job *j);

/* j leaves the queue or the running set (answered, closed). */
void hvs_execq_forget(struct hvs_execq *q, struct hvs_exec_job *j);

/* A command that has ended and been reaped, with its status; NULL when none. */
struct hvs_exec_job *hvs_execq_ended(struct hvs_execq *q, int *status);

/* The next waiting job when a slot is free; NULL when none. */
struct hvs_exec_job *hvs_execq_next(struct hvs_execq *q);

/* Kill what is past its deadline (logged); returns the next deadline of those running. */
long long hvs_execq_expire(struct hvs_execq *q, long long now, long long next);

/* Stop: every command ended and reaped. */
void hvs_execq_stop(struct hvs_execq *q);

#endif
