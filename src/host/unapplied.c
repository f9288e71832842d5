/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "unapplied.h"

#include "errname.h"
#include "say.h"
#include "wire.h"

#include <errno.h>
#include <string.h>

/* The same announcement with the same answer, whenever it came. */
static int same(const struct hvs_unapplied *a, const struct hvs_unapplied *b)
{
	if (a->answer != b->answer || a->has_range != b->has_range)
		return 0;
	return !a->has_range || (a->d.base == b->d.base && a->d.size == b->d.size &&
				 memcmp(a->d.boot_id, b->d.boot_id, 16) == 0);
}

/* The note u of p is on disk (err 0) or not: only logged, the guest's answer stands. */
static void noted(struct hvs_registry *r, struct hvs_peer *p, const struct hvs_unapplied *u,
		  int err)
{
	struct hvs_peer_notes *n = &p->notes;

	if (!err) {
		n->written = *u;
		n->on_disk = 1;
		return;
	}
	say_warn("%s: cannot keep its '%s' answer in %s for --list (%s): --list shows the one "
	    "before, if any; the guest's answer stands", p->key.name,
	    hvs_ack_status_name(u->answer), r->sd->dir, hvs_errname(err));
}

/*
 * Its turn: the waiting note to disk, with the turn's group commit if there
 * is one (on its own, at once, when the commit has no room this turn). A
 * failure takes its turn too, so that a failing directory is not tried
 * again for every record of a looping guest.
 */
static void write_note(struct hvs_registry *r, struct hvs_peer *p, long long now_ms)
{
	struct hvs_peer_notes *n = &p->notes;
	struct hvs_commit_entry *e = NULL;

	n->has_pending = 0;
	/* --list tells which of a guest's two files is newer by their times: a
	 * clock stepped back must not make this one look older than its range. */
	if (p->has_applied && n->pending.d.when < p->applied.when)
		n->pending.d.when = p->applied.when;
	if (r->commit)
		e = hvs_commit_stage(r->commit, p->key.name, HVS_STATE_UNAPPLIED, &n->pending);
	if (e) {
		e->peer = p;
		n->staged++;
		n->drop = 0; /* this one is later than the range applied */
	} else if (r->commit && errno != ENOBUFS) {
		noted(r, p, &n->pending, errno);
	} else {
		noted(r, p, &n->pending,
		      hvs_statedir_note(r->sd, p->key.name, &n->pending) < 0 ? errno : 0);
	}
	n->written_ms = now_ms;
	hvs_registry_due_push(r, p);
}

void hvs_unapplied_committed(struct hvs_registry *r, struct hvs_peer *p,
			     const struct hvs_unapplied *u, int err)
{
	struct hvs_peer_notes *n = &p->notes;

	n->staged--;
	noted(r, p, u, err);
	/* A range applied after it was staged: out of date as soon as it lands. */
	if (!n->staged && n->drop) {
		n->drop = 0;
		hvs_unapplied_applied(r, p);
	}
}

void hvs_unapplied_note(struct hvs_registry *r, const char *peer, const struct hvs_unapplied *u,
			long long now_ms)
{
	struct hvs_peer_notes *n;
	struct hvs_peer *p;

	/* Memory only, or every slot mid-apply: there is nowhere to keep it. */
	if (!r->sd || !(p = hvs_registry_peer(r, peer)))
		return;
	n = &p->notes;
	if (n->on_disk && same(&n->written, u)) {
		n->has_pending = 0; /* the latest is what the file says already */
		return;
	}
	if (n->has_pending && same(&n->pending, u))
		return; /* waiting already, with the time it first came */
	n->pending = *u;
	n->has_pending = 1;
	if (!n->due.on || now_ms - n->written_ms >= HVS_UNAPPLIED_GAP_MS)
		write_note(r, p, now_ms);
}

void hvs_unapplied_applied(struct hvs_registry *r, struct hvs_peer *p)
{
	struct hvs_peer_notes *n = &p->notes;

	if (!r->sd)
		return;
	n->has_pending = 0;
	if (n->staged)
		n->drop = 1; /* not on disk yet: removed once it is */
	if (!n->on_disk)
		return;
	if (hvs_statedir_unnote(r->sd, p->key.name) == 0)
		n->on_disk = 0;
	else
		say_warn("%s: cannot remove its out-of-date %s file from %s (%s): --list shows it "
		    "only if it is not older than the range applied", p->key.name,
		    HVS_STATEDIR_UNAPPLIED, r->sd->dir, hvs_errname(errno));
}

long long hvs_unapplied_due(struct hvs_registry *r, long long now_ms, long long next)
{
	struct hvs_peer *p;

	/* Oldest first, so only the head can be due; one written goes to the tail. */
	while ((p = HVS_REGISTRY_DUE_PEER(r->due.head)) != NULL && now_ms - p->notes.written_ms >= HVS_UNAPPLIED_GAP_MS) {
		hvs_registry_due_drop(r, p);
		if (p->notes.has_pending)
			write_note(r, p, now_ms);
	}
	if (p && p->notes.written_ms + HVS_UNAPPLIED_GAP_MS < next)
		next = p->notes.written_ms + HVS_UNAPPLIED_GAP_MS;
	return next;
}

void hvs_unapplied_flush(struct hvs_registry *r, long long now_ms)
{
	struct hvs_peer *p, *next;

	/* Every waiting note is on the due list; one written goes to its tail, done. */
	for (p = HVS_REGISTRY_DUE_PEER(r->due.head); p; p = next) {
		next = HVS_REGISTRY_DUE_PEER(p->notes.due.next);
		if (p->notes.has_pending)
			write_note(r, p, now_ms);
	}
}
