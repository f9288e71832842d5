/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the receiver knows per peer (struct hvs_peer): the boot id and the
 * range last applied for it, and the range being applied now, if any. The
 * rules of hv-swiotlb-protocol(7): the same range again in the same boot
 * is a duplicate, a different one a conflict, any other boot id a new boot
 * (whether or not it was seen before: a resumed kernel's boot comes back),
 * and one peer is applied for by one connection at a time. A failed apply
 * keeps what was applied before. With a state directory (statedir.h) the
 * memory is a cache of it: a peer not in memory is looked up on disk before
 * anything is decided, and nothing counts as applied until it is on disk.
 * Lookups are by name (names.h), eviction of the least recently heard
 * from is O(1) but for the peers mid-apply, which it skips.
 * Each peer also carries what unapplied.c keeps of its announcements that
 * were not applied (struct hvs_peer_notes), which the rules never read:
 * the registry only keeps such a peer in memory while a note of it waits
 * or was just written, so that the bound on its writes holds.
 */
#ifndef HVS_REGISTRY_H
#define HVS_REGISTRY_H

#include "commit.h"
#include "dlist.h"
#include "names.h"
#include "statedir.h"

#include <stddef.h>
#include <stdint.h>

/* A peer's announcements not applied, in memory: unapplied.c's. */
struct hvs_peer_notes {
	struct hvs_unapplied written; /* what its NAME.unapplied holds, if on_disk */
	struct hvs_unapplied pending; /* the latest, waiting for its turn, if has_pending */
	int on_disk, has_pending;
	long long written_ms;         /* when it was last written, monotonic */
	int staged;                   /* notes in the group commit, not durable yet */
	int drop;                     /* a range was applied meanwhile: removed once they are */
	struct hvs_dlink due;         /* on the due list: written in the last HVS_UNAPPLIED_GAP_MS */
};

struct hvs_peer {
	struct hvs_named key; /* key.name: the guest */
	int used;
	int applying;    /* decided new, being applied (--exec, the save) */
	int has_applied; /* applied holds the last range applied */
	int known;       /* with a state directory: has_applied/applied were read from it */
	int reread;      /* a SIGHUP came while applying: once done, read the directory again */
	struct hvs_decision applied, pending;
	struct hvs_dlink lru;       /* least recently heard from first */
	struct hvs_peer *next_free;
	struct hvs_peer_notes notes;
};

struct hvs_registry {
	struct hvs_peer *peers;
	size_t cap;
	struct hvs_names by_name;
	struct hvs_dlist lru; /* every peer in use, least recently heard from first */
	struct hvs_peer *free;
	struct hvs_dlist due; /* notes.due, by written_ms */
	struct hvs_statedir *sd; /* NULL: memory only */
	struct hvs_commit *commit; /* NULL: each file saved on its own, at once */
};

enum hvs_reg_decision {
	HVS_REG_NEW,       /* apply it */
	HVS_REG_DUPLICATE, /* already applied for this boot */
	HVS_REG_CONFLICT,  /* this boot already has another range */
	HVS_REG_BUSY,      /* this guest has a range being applied right now */
	HVS_REG_UNREAD,    /* its file in the state directory cannot be read now */
};

/* peers: cap slots; buckets: nbuckets, a power of two (names.h). */
void hvs_registry_init(struct hvs_registry *r, struct hvs_peer *peers, size_t cap,
		       struct hvs_named **buckets, size_t nbuckets, struct hvs_statedir *sd);

/* The peer of a list link: the due list's head, the next on it. */
#define HVS_REGISTRY_DUE_PEER(k) HVS_CONTAINER_OR_NULL(k, struct hvs_peer, notes.due)

enum hvs_reg_decision hvs_registry_decide(struct hvs_registry *r, const char *peer,
					  const uint8_t boot_id[16], uint64_t base,
					  uint64_t size);

/* Mark peer as applying this range; NULL when every slot is mid-apply. */
struct hvs_peer *hvs_registry_begin(struct hvs_registry *r, const char *peer,
				    const uint8_t boot_id[16], uint64_t base, uint64_t size);

/*
 * The range was applied (ok) or not. With a state directory it counts as
 * applied only once saved, here and now: 0, or -1 with errno when the save
 * failed. Either way a range not applied leaves the peer's previous one in
 * force.
 */
int hvs_registry_finish(struct hvs_registry *r, struct hvs_peer *p, int ok, long long now);

/*
 * The same in two steps, for a group commit: the time the range is
 * applied at (p->pending.when, never older than the guest's note: --list
 * orders by it), then, once the commit says, whether it is durable.
 */
void hvs_registry_stamp(struct hvs_registry *r, struct hvs_peer *p, long long now);
void hvs_registry_committed(struct hvs_registry *r, struct hvs_peer *p, int durable);

/*
 * SIGHUP: open the state directory again by its path, forget what is
 * applied, and read it all again. The number of guests read, or -1.
 * A note waiting or just written is kept, so that its bound holds.
 */
int hvs_registry_reload(struct hvs_registry *r);

/*
 * For the notes: the peer, read from the state directory if it is not in
 * memory, made if it is in neither; NULL when every slot is mid-apply.
 */
struct hvs_peer *hvs_registry_peer(struct hvs_registry *r, const char *peer);

/* Onto the due list, as its newest (just written); off it. */
void hvs_registry_due_push(struct hvs_registry *r, struct hvs_peer *p);
void hvs_registry_due_drop(struct hvs_registry *r, struct hvs_peer *p);

#endif
