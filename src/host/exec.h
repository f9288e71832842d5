/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --exec: apply a range by running sh -c CMD. Each command leads a process
 * group of its own, and the whole group is killed when the command ends or
 * runs out of time: nothing it started outlives it, the group is killed
 * before its leader is reaped, so the group id cannot have been reused.
 */
#ifndef HVS_EXEC_H
#define HVS_EXEC_H

#include "wire.h"

#include <sys/types.h>

/* Start CMD for this guest's record. 0 and *pid, or -1 with errno. */
int hvs_exec_start(const char *cmd, const char *peer, const struct hvs_record *rec,
		   pid_t *pid);

/*
 * Has the command ended? 0: still running. 1: ended, *status as waitpid()
 * gives it, and whatever was left of its group is killed and it is reaped.
 */
int hvs_exec_ended(pid_t pid, int *status);

/* Kill the command's whole group (the deadline, a stop). */
void hvs_exec_kill(pid_t pid);

#endif
