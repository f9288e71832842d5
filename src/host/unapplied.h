/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A guest's latest announcement that was not applied (answered conflict,
 * invalid, unsupported or failed), kept beside its applied range in the
 * state directory (NAME.unapplied, statedir.h) so that --list can answer
 * "applied or not". It is bookkeeping: the registry's rules never read it,
 * and it changes nothing a guest hears. A looping or hostile guest must not
 * make the receiver write without bound, so a guest's file is written
 *   - only for an announcement that differs from the one the file holds
 *     (its time aside: the file keeps the first of a run of the same);
 *   - at most once per HVS_UNAPPLIED_GAP_MS: a later announcement waits in
 *     memory, the latest replacing any before it, and is written when its
 *     turn comes, or when the receiver stops (dropped, if a range of that
 *     guest is applied first);
 * and removed once a later range of that guest is applied. It is written
 * after the guest's answer went out, and a failure is only logged.
 * Without a state directory nothing is kept.
 */
#ifndef HVS_UNAPPLIED_H
#define HVS_UNAPPLIED_H

#include "registry.h"
#include "statedir.h"

#define HVS_UNAPPLIED_GAP_MS 1000

/* peer's announcement u was not applied; now_ms: the monotonic clock. */
void hvs_unapplied_note(struct hvs_registry *r, const char *peer, const struct hvs_unapplied *u,
			long long now_ms);

/* A range of p was applied: what was kept of it not applied before is out of date. */
void hvs_unapplied_applied(struct hvs_registry *r, struct hvs_peer *p);

/* The group commit says whether a note u of p staged by this module is durable (err 0). */
void hvs_unapplied_committed(struct hvs_registry *r, struct hvs_peer *p,
			     const struct hvs_unapplied *u, int err);

/* Write the waiting notes whose turn has come; the earlier of next and the next turn. */
long long hvs_unapplied_due(struct hvs_registry *r, long long now_ms, long long next);

/* Stopping: every waiting note now, its turn or not (at most one per guest). */
void hvs_unapplied_flush(struct hvs_registry *r, long long now_ms);

#endif
