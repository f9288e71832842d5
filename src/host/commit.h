/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Group commit: the state files of one loop turn made durable together, so
 * that a storm of decisions costs two syncs per turn, not two per decision.
 * A file goes through two steps, each ended by the same kind of sync:
 *
 *   turn k:    staged   (written under a temporary name)
 *              sync     (syncfs: the data of every file staged in turn k)
 *              placed   (renamed or linked under the guest's name)
 *   turn k+1:  sync     (the names placed in turn k, with what turn k+1 staged)
 *              done     (the decision is durable: the guest hears it)
 *
 * so every sync after the first serves two turns at once, and a guest
 * waits about two syncs, whatever the number deciding with it. A failed
 * sync fails every file it was for: staged ones are removed, placed ones
 * taken back (statedir.h), each owner told. A turn takes at most
 * HVS_COMMIT_MAX files; beyond that a file is saved on its own at once
 * (correct, only slower), so that the loop's turns stay bounded.
 */
#ifndef HVS_COMMIT_H
#define HVS_COMMIT_H

#include "statedir.h"

#include <stddef.h>
#include <stdint.h>

#define HVS_COMMIT_MAX 512

struct hvs_conn;
struct hvs_peer;

/* One file on its way, and whom to tell once it is durable or not. */
struct hvs_commit_entry {
	struct hvs_statedir_staged st;
	struct hvs_unapplied what;  /* what was staged: a decision (answer accepted) or a note */
	struct hvs_decision prev;   /* a decision's: the guest's file before, to put back */
	int has_prev;
	struct hvs_peer *peer;      /* the registry's */
	struct hvs_conn *conn;      /* a decision's connection (NULL for a note), */
	uint32_t gen;               /* while it still holds this generation */
};

/* Told once per entry: err 0, durable; else an errno, and nothing of it kept. */
typedef void hvs_commit_done_fn(void *arg, const struct hvs_commit_entry *e, int err);

struct hvs_commit {
	struct hvs_statedir *sd;
	hvs_commit_done_fn *done;
	void *arg;
	struct hvs_commit_entry *staged, *placed;
	size_t nstaged, nplaced;
	unsigned long long syncs, files; /* for STATUS= and the bench */
};

/* done(arg, ...) is told of each file. 0, or -1 (out of memory). */
int hvs_commit_init(struct hvs_commit *c, struct hvs_statedir *sd, hvs_commit_done_fn *done,
		    void *arg);
void hvs_commit_free(struct hvs_commit *c);

/*
 * Stage a file (kind as in statedir.h) for the next sync: the entry, for
 * the caller to fill in whom to tell, or NULL with errno (ENOBUFS: this
 * turn has HVS_COMMIT_MAX already; else the file could not be written).
 */
struct hvs_commit_entry *hvs_commit_stage(struct hvs_commit *c, const char *peer,
					  enum hvs_state_kind kind, const struct hvs_unapplied *u);

/*
 * End of a loop turn: one sync, then the files it made durable told (done),
 * and those staged placed. 1 when placed files wait for the next turn's
 * sync (the loop must not sleep), else 0.
 */
int hvs_commit_turn(struct hvs_commit *c);

/* Turns until nothing waits: before a SIGHUP's reopen, and at stop. */
void hvs_commit_drain(struct hvs_commit *c);

/* Files waiting for a sync. */
size_t hvs_commit_waiting(const struct hvs_commit *c);

#endif
