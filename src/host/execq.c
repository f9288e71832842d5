/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "execq.h"

#include "exec.h"
#include "say.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>

void hvs_execq_init(struct hvs_execq *q, const char *cmd)
{
	memset(q, 0, sizeof(*q));
	q->cmd = cmd;
}

int hvs_execq_start(struct hvs_execq *q, struct hvs_exec_job *j, long long now)
{
	hvs_dlist_remove(&q->waiting, &j->waiting);
	if (hvs_exec_start(q->cmd, j->peer, j->rec, j->deadline - now, &j->child) < 0)
		return -1;
	q->running[q->nrunning++] = j;
	return 0;
}

int hvs_execq_full(const struct hvs_execq *q)
{
	return q->nrunning >= HVS_MAX_RUNNING_EXECS;
}

void hvs_execq_wait(struct hvs_execq *q, struct hvs_exec_job *j)
{
	hvs_dlist_push(&q->waiting, &j->waiting); /* started when one ends, by its deadline */
}

void hvs_execq_forget(struct hvs_execq *q, struct hvs_exec_job *j)
{
	size_t i;

	hvs_dlist_remove(&q->waiting, &j->waiting);
	for (i = 0; i < q->nrunning; i++)
		if (q->running[i] == j) {
			q->running[i] = q->running[--q->nrunning];
			return;
		}
}

struct hvs_exec_job *hvs_execq_ended(struct hvs_execq *q, int *status)
{
	size_t i;

	for (i = 0; i < q->nrunning; i++) {
		struct hvs_exec_job *j = q->running[i];

		if (hvs_exec_ended(j->child, status)) {
			q->running[i] = q->running[--q->nrunning];
			j->child = 0;
			return j;
		}
	}
	return NULL;
}

struct hvs_exec_job *hvs_execq_next(struct hvs_execq *q)
{
	if (hvs_execq_full(q))
		return NULL;
	return HVS_CONTAINER_OR_NULL(q->waiting.head, struct hvs_exec_job, waiting);
}

long long hvs_execq_expire(struct hvs_execq *q, long long now, long long next)
{
	size_t i;

	for (i = 0; i < q->nrunning; i++) {
		struct hvs_exec_job *j = q->running[i];

		if (now >= j->deadline) {
			say_warn("%s: --exec still running at the deadline; killed with all it started",
			    j->peer);
			hvs_exec_kill(j->child);
			j->deadline = now + HVS_EXEC_KILL_GRACE_MS; /* reaped at its SIGCHLD */
		}
		if (j->deadline < next)
			next = j->deadline;
	}
	return next;
}

void hvs_execq_stop(struct hvs_execq *q)
{
	size_t i;

	for (i = 0; i < q->nrunning; i++) {
		struct hvs_exec_job *j = q->running[i];
		int st;

		hvs_exec_kill(j->child);
		while (waitpid(j->child, &st, 0) < 0 && errno == EINTR)
			;
		j->child = 0;
	}
	q->nrunning = 0;
}
