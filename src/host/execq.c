/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "execq.h"

#include "connection.h"
#include "exec.h"
#include "say.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#define WAITING offsetof(struct hvs_conn, waiting)

void hvs_execq_init(struct hvs_execq *q, const char *cmd)
{
	memset(q, 0, sizeof(*q));
	q->cmd = cmd;
}

int hvs_execq_start(struct hvs_execq *q, struct hvs_conn *c, long long now)
{
	hvs_list_remove(&q->waiting, c, WAITING);
	if (hvs_exec_start(q->cmd, c->peer, &c->rec, c->deadline - now, &c->child) < 0)
		return -1;
	c->phase = HVS_PHASE_EXEC;
	q->running[q->nrunning++] = c;
	return 0;
}

int hvs_execq_full(const struct hvs_execq *q)
{
	return q->nrunning >= HVS_MAX_RUNNING_EXECS;
}

void hvs_execq_wait(struct hvs_execq *q, struct hvs_conn *c)
{
	c->phase = HVS_PHASE_QUEUED; /* started when one ends, by its deadline */
	hvs_list_push(&q->waiting, c, WAITING);
}

void hvs_execq_forget(struct hvs_execq *q, struct hvs_conn *c)
{
	size_t i;

	hvs_list_remove(&q->waiting, c, WAITING);
	for (i = 0; i < q->nrunning; i++)
		if (q->running[i] == c) {
			q->running[i] = q->running[--q->nrunning];
			return;
		}
}

struct hvs_conn *hvs_execq_ended(struct hvs_execq *q, int *status)
{
	size_t i;

	for (i = 0; i < q->nrunning; i++) {
		struct hvs_conn *c = q->running[i];

		if (hvs_exec_ended(c->child, status)) {
			q->running[i] = q->running[--q->nrunning];
			c->child = 0;
			return c;
		}
	}
	return NULL;
}

struct hvs_conn *hvs_execq_next(struct hvs_execq *q)
{
	return hvs_execq_full(q) ? NULL : q->waiting.head;
}

long long hvs_execq_expire(struct hvs_execq *q, long long now, long long next)
{
	size_t i;

	for (i = 0; i < q->nrunning; i++) {
		struct hvs_conn *c = q->running[i];

		if (now >= c->deadline) {
			say("%s: --exec still running at the deadline; killed with all it started",
			    c->peer);
			hvs_exec_kill(c->child);
			c->deadline = now + HVS_EXEC_KILL_GRACE_MS; /* reaped at its SIGCHLD */
		}
		if (c->deadline < next)
			next = c->deadline;
	}
	return next;
}

void hvs_execq_stop(struct hvs_execq *q)
{
	size_t i;

	for (i = 0; i < q->nrunning; i++) {
		struct hvs_conn *c = q->running[i];
		int st;

		hvs_exec_kill(c->child);
		while (waitpid(c->child, &st, 0) < 0 && errno == EINTR)
			;
		c->child = 0;
	}
	q->nrunning = 0;
}
