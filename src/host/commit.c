/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "commit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int hvs_commit_init(struct hvs_commit *c, struct hvs_statedir *sd, hvs_commit_done_fn *done,
		    void *arg)
{
	memset(c, 0, sizeof(*c));
	c->sd = sd;
	c->done = done;
	c->arg = arg;
	c->staged = calloc(HVS_COMMIT_MAX, sizeof(*c->staged));
	c->placed = calloc(HVS_COMMIT_MAX, sizeof(*c->placed));
	if (c->staged && c->placed)
		return 0;
	hvs_commit_free(c);
	return -1;
}

void hvs_commit_free(struct hvs_commit *c)
{
	free(c->staged);
	free(c->placed);
	c->staged = c->placed = NULL;
}

struct hvs_commit_entry *hvs_commit_stage(struct hvs_commit *c, const char *peer,
					  enum hvs_state_kind kind, const struct hvs_unapplied *u)
{
	struct hvs_commit_entry *e;

	if (c->nstaged >= HVS_COMMIT_MAX) {
		errno = ENOBUFS;
		return NULL;
	}
	e = &c->staged[c->nstaged];
	memset(e, 0, sizeof(*e));
	if (hvs_statedir_stage(c->sd, peer, kind, u, &e->st) < 0)
		return NULL;
	e->what = *u;
	c->nstaged++;
	return e;
}

size_t hvs_commit_waiting(const struct hvs_commit *c)
{
	return c->nstaged + c->nplaced;
}

int hvs_commit_turn(struct hvs_commit *c)
{
	size_t i, n = c->nplaced, m = c->nstaged;
	int err;

	if (!n && !m)
		return 0;
	err = hvs_statedir_sync(c->sd) < 0 ? errno : 0;
	c->syncs++;
	/* Placed last turn: durable now, or taken back. */
	for (i = 0; i < n; i++) {
		struct hvs_commit_entry *e = &c->placed[i];

		hvs_statedir_settle(c->sd, &e->st, !err, e->has_prev ? &e->prev : NULL);
		if (!err)
			c->files++;
		c->done(c->arg, e, err);
	}
	/*
	 * Staged this turn: their data durable, now under their names (made
	 * durable by the next turn's sync). What the owners told above stage
	 * now goes after these m, to be synced before it is placed.
	 */
	c->nplaced = 0;
	for (i = 0; i < m; i++) {
		struct hvs_commit_entry *e = &c->staged[i];

		if (err) {
			hvs_statedir_unstage(c->sd, &e->st);
			c->done(c->arg, e, err);
		} else if (hvs_statedir_place(c->sd, &e->st) < 0) {
			c->done(c->arg, e, errno);
		} else {
			c->placed[c->nplaced++] = *e;
		}
	}
	memmove(c->staged, c->staged + m, (c->nstaged - m) * sizeof(*c->staged));
	c->nstaged -= m;
	return c->nplaced > 0 || c->nstaged > 0;
}

void hvs_commit_drain(struct hvs_commit *c)
{
	/* Each turn either finishes files or moves them on: at most a few turns. */
	while (hvs_commit_turn(c))
		;
}
