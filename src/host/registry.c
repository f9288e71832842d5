/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "registry.h"

#include <errno.h>

#include <string.h>

void hvs_registry_init(struct hvs_registry *r, struct hvs_peer *peers, size_t cap,
		       struct hvs_named **buckets, size_t nbuckets, struct hvs_statedir *sd)
{
	size_t i;

	memset(peers, 0, cap * sizeof(*peers));
	memset(r, 0, sizeof(*r));
	hvs_names_init(&r->by_name, buckets, nbuckets);
	r->peers = peers;
	r->cap = cap;
	r->sd = sd;
	for (i = cap; i-- > 0;) {
		peers[i].next_free = r->free;
		r->free = &peers[i];
	}
}

static struct hvs_peer *find(struct hvs_registry *r, const char *name)
{
	struct hvs_named *n = hvs_names_find(&r->by_name, name);

	return HVS_CONTAINER_OR_NULL(n, struct hvs_peer, key);
}

/* Heard from now: the newest. */
static void touch(struct hvs_registry *r, struct hvs_peer *p)
{
	hvs_dlist_touch(&r->lru, &p->lru);
}

void hvs_registry_due_drop(struct hvs_registry *r, struct hvs_peer *p)
{
	hvs_dlist_remove(&r->due, &p->notes.due);
}

/* Written now: the newest of the due list, which is so in the order of written_ms. */
void hvs_registry_due_push(struct hvs_registry *r, struct hvs_peer *p)
{
	hvs_dlist_touch(&r->due, &p->notes.due);
}

/* A note of p waits, or was just written: p stays, or the bound on its writes would not hold. */
static int notes_waiting(const struct hvs_peer *p)
{
	return p->notes.has_pending || p->notes.due.on || p->notes.staged;
}

static void forget(struct hvs_registry *r, struct hvs_peer *p)
{
	hvs_names_del(&r->by_name, &p->key);
	hvs_dlist_remove(&r->lru, &p->lru);
	hvs_registry_due_drop(r, p);
	memset(p, 0, sizeof(*p));
	p->next_free = r->free;
	r->free = p;
}

/* A slot for name: a free one, else that of the peer heard from least recently. */
static struct hvs_peer *take(struct hvs_registry *r, const char *name)
{
	struct hvs_peer *p = r->free;
	struct hvs_dlink *k;

	if (strlen(name) >= HVS_PEER_MAX)
		return NULL;
	if (!p) {
		/* Those mid-apply or mid-commit are skipped: the commit holds their pointers. */
		for (k = r->lru.head; k; k = k->next) {
			p = HVS_CONTAINER(k, struct hvs_peer, lru);
			if (!p->applying && !p->notes.staged)
				break;
		}
		if (!k)
			return NULL;
		forget(r, p);
	}
	r->free = p->next_free;
	p->next_free = NULL;
	(void)hvs_names_add(&r->by_name, &p->key, name); /* fits: measured above */
	p->used = 1;
	touch(r, p);
	return p;
}

static void remember(struct hvs_registry *r, const char *name, const struct hvs_decision *d)
{
	struct hvs_peer *p = find(r, name);

	if (!p)
		p = take(r, name);
	if (!p || p->applying)
		return;
	p->applied = *d;
	p->has_applied = 1;
	p->known = 1;
}

static void remember_note(struct hvs_registry *r, const char *name, const struct hvs_unapplied *u)
{
	struct hvs_peer *p = find(r, name);

	if (!p)
		p = take(r, name);
	if (!p)
		return;
	p->notes.written = *u;
	p->notes.on_disk = 1;
}

/*
 * A miss of the cache: what the state directory holds of the peer, now in
 * memory (without one, memory is all there is). A peer kept in memory for
 * its note but not read back (a SIGHUP whose scan failed) is a miss too.
 * *out: the peer, or NULL if neither holds it. -1 (errno) when its file
 * cannot be read now: nothing may be decided.
 */
static int from_disk(struct hvs_registry *r, const char *name, struct hvs_peer **out)
{
	struct hvs_decision d;
	struct hvs_unapplied u;
	int got;

	*out = find(r, name);
	if (!r->sd)
		return 0;
	if ((got = hvs_statedir_load(r->sd, name, &d)) < 0)
		return -1;
	if (got == 1)
		remember(r, name, &d);
	if (hvs_statedir_load_note(r->sd, name, &u) == 1)
		remember_note(r, name, &u);
	if ((*out = find(r, name)) != NULL && !(*out)->applying)
		(*out)->known = 1; /* read: the directory holds no range of it, or applied */
	return 0;
}

enum hvs_reg_decision hvs_registry_decide(struct hvs_registry *r, const char *peer,
					  const uint8_t boot_id[16], uint64_t base,
					  uint64_t size)
{
	struct hvs_peer *p = find(r, peer);

	/* Memory is a cache of the state directory: look there before deciding. */
	if ((!p || !p->known) && from_disk(r, peer, &p) < 0)
		return HVS_REG_UNREAD;
	/*
	 * One apply per guest at a time, whatever its boot id: the peer is
	 * owned by the connection that started it until that one finishes.
	 */
	if (p && p->applying)
		return HVS_REG_BUSY;
	if (p)
		touch(r, p);
	/* First time, or another boot than the one kept: seen before or not. */
	if (!p || !p->has_applied || memcmp(p->applied.boot_id, boot_id, 16) != 0)
		return HVS_REG_NEW;
	if (p->applied.base == base && p->applied.size == size)
		return HVS_REG_DUPLICATE;
	return HVS_REG_CONFLICT;
}

struct hvs_peer *hvs_registry_begin(struct hvs_registry *r, const char *peer,
				    const uint8_t boot_id[16], uint64_t base, uint64_t size)
{
	struct hvs_peer *p = find(r, peer);

	if (!p && (p = take(r, peer)) != NULL)
		p->known = 1; /* hvs_registry_decide read the directory: nothing of it there */
	if (!p || p->applying)
		return NULL;
	p->applying = 1;
	memset(&p->pending, 0, sizeof(p->pending));
	memcpy(p->pending.boot_id, boot_id, 16);
	p->pending.base = base;
	p->pending.size = size;
	return p;
}

void hvs_registry_stamp(struct hvs_registry *r, struct hvs_peer *p, long long now)
{
	(void)r;
	p->pending.when = p->notes.on_disk && now < p->notes.written.d.when
				  ? p->notes.written.d.when
				  : now;
}

void hvs_registry_committed(struct hvs_registry *r, struct hvs_peer *p, int durable)
{
	p->applying = 0;
	if (durable)
		p->applied = p->pending, p->has_applied = 1, p->known = 1, p->reread = 0;
	if (p->reread) {
		/* Not applied, after a SIGHUP: the directory says what stands. */
		p->reread = 0;
		p->has_applied = 0;
		p->known = 0;
	}
	if (!p->has_applied && !notes_waiting(p))
		forget(r, p); /* nothing to keep */
}

int hvs_registry_finish(struct hvs_registry *r, struct hvs_peer *p, int ok, long long now)
{
	int durable = ok, err = 0;

	if (ok) {
		hvs_registry_stamp(r, p, now);
		if (r->sd && hvs_statedir_save(r->sd, p->key.name, &p->pending,
					       p->has_applied ? &p->applied : NULL) < 0) {
			err = errno;
			durable = 0; /* not durable: not decided */
		}
	}
	hvs_registry_committed(r, p, durable);
	errno = err;
	return ok && !durable ? -1 : 0;
}

static void remember_cb(void *arg, const char *file, const char *peer,
			const struct hvs_decision *d, const struct hvs_unapplied *u,
			const char *why)
{
	(void)file;
	(void)why;
	if (d)
		remember(arg, peer, d);
	if (u)
		remember_note(arg, peer, u);
}

int hvs_registry_reload(struct hvs_registry *r)
{
	size_t i;

	if (!r->sd)
		return 0;
	/* What is staged is in the directory open now: finished before another is. */
	if (r->commit)
		hvs_commit_drain(r->commit);
	(void)hvs_statedir_reopen(r->sd); /* logged; the old one stays in use */
	for (i = 0; i < r->cap; i++) {
		struct hvs_peer *p = &r->peers[i];

		if (!p->used)
			continue;
		if (p->applying) {
			/* Its file may be gone: what it held is not trusted once the
			 * apply is done (kept till then, to put back should the
			 * save not be durable). */
			p->reread = 1;
			continue;
		}
		if (!notes_waiting(p)) {
			forget(r, p);
			continue;
		}
		/* Kept for its note's bound, but what is on disk is read again (or on demand). */
		p->has_applied = 0;
		p->known = 0;
		p->notes.on_disk = 0;
	}
	return hvs_statedir_scan(r->sd, remember_cb, r);
}

struct hvs_peer *hvs_registry_peer(struct hvs_registry *r, const char *peer)
{
	struct hvs_peer *p = find(r, peer);

	if (!p) {
		if (from_disk(r, peer, &p) < 0)
			return NULL; /* a note is not worth a guess */
		if (!p && (p = take(r, peer)) != NULL)
			p->known = 1; /* the directory was read: it holds nothing of it */
	}
	if (p)
		touch(r, p);
	return p;
}
