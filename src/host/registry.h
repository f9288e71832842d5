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
 * Lookups are by hash, eviction of the least recently heard from is O(1).
 */
#ifndef HVS_REGISTRY_H
#define HVS_REGISTRY_H

#include "statedir.h"

#include <stddef.h>
#include <stdint.h>

struct hvs_peer {
	char name[HVS_PEER_MAX];
	int used;
	int applying;    /* decided new, being applied (--exec, the save) */
	int has_applied; /* applied holds the last range applied */
	struct hvs_decision applied, pending;
	struct hvs_peer *chain;         /* in its bucket, or the free list */
	struct hvs_peer *older, *newer; /* least recently heard from first */
};

struct hvs_registry {
	struct hvs_peer *peers;
	size_t cap;
	struct hvs_peer **buckets;
	size_t nbuckets; /* a power of two */
	struct hvs_peer *oldest, *newest, *free;
	struct hvs_statedir *sd; /* NULL: memory only */
};

enum hvs_reg_decision {
	HVS_REG_NEW,       /* apply it */
	HVS_REG_DUPLICATE, /* already applied for this boot */
	HVS_REG_CONFLICT,  /* this boot already has another range */
	HVS_REG_BUSY,      /* this guest has a range being applied right now */
};

/* peers: cap slots; buckets: nbuckets, a power of two. */
void hvs_registry_init(struct hvs_registry *r, struct hvs_peer *peers, size_t cap,
		       struct hvs_peer **buckets, size_t nbuckets, struct hvs_statedir *sd);

enum hvs_reg_decision hvs_registry_decide(struct hvs_registry *r, const char *peer,
					  const uint8_t boot_id[16], uint64_t base,
					  uint64_t size);

/* Mark peer as applying this range; NULL when every slot is mid-apply. */
struct hvs_peer *hvs_registry_begin(struct hvs_registry *r, const char *peer,
				    const uint8_t boot_id[16], uint64_t base, uint64_t size);

/*
 * The range was applied (ok) or not. With a state directory it counts as
 * applied only once saved: 0, or -1 with errno when the save failed. Either
 * way a range not applied leaves the peer's previous one in force.
 */
int hvs_registry_finish(struct hvs_registry *r, struct hvs_peer *p, int ok, long long now);

/*
 * SIGHUP: open the state directory again by its path, forget what is
 * applied, and read it all again. The number of guests read, or -1.
 */
int hvs_registry_reload(struct hvs_registry *r);

#endif
