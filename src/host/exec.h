/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --exec: apply a range by running sh -c CMD, contained. Each command runs
 * under a keeper, a child of the receiver that is the subreaper of all the
 * command starts (prctl PR_SET_CHILD_SUBREAPER): whatever process group or
 * session a descendant moves to (setsid, GNU timeout, a daemonizing
 * helper), it stays in the keeper's tree or comes back to it when orphaned.
 * The keeper ends only once its whole tree is killed and reaped, when the
 * command ends, at its deadline, when the receiver asks (SIGTERM), or when
 * the receiver dies however it dies (PR_SET_PDEATHSIG). So when the
 * receiver reaps a keeper, nothing of that command is left running.
 */
#ifndef HVS_EXEC_H
#define HVS_EXEC_H

#include "wire.h"

#include <sys/types.h>

/*
 * Start CMD for this guest's record, for at most limit_ms. 0 and *pid (the
 * keeper's), or -1 with errno.
 */
int hvs_exec_start(const char *cmd, const char *peer, const struct hvs_record *rec,
		   long long limit_ms, pid_t *pid);

/*
 * Has the command ended? 0: still running. 1: ended and reaped, *status as
 * waitpid() gives the command's (a command killed at its deadline: SIGKILL).
 */
int hvs_exec_ended(pid_t pid, int *status);

/* End the command now: its keeper kills everything it started, then ends. */
void hvs_exec_kill(pid_t pid);

#endif
