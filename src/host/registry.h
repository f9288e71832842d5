/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the receiver knows per peer: the latest boot id and the range
 * applied for it. The rules of hv-swiotlb-protocol(7): the same range
 * again in the same boot is a duplicate, a different one a conflict, a new
 * boot id replaces the old, and one peer is applied for by one connection
 * at a time. With a state directory (state.h) the memory is a cache of it:
 * a peer not in memory is looked up on disk before anything is decided,
 * and nothing counts as applied until it is on disk.
 */
#ifndef HVS_REGISTRY_H
#define HVS_REGISTRY_H

#include "state.h"

#include <stddef.h>
#include <stdint.h>

enum hvs_reg_state {
	HVS_REG_FREE = 0,
	HVS_REG_APPLYING, /* decided new, being applied (--exec, the save) */
	HVS_REG_APPLIED,
};

struct hvs_reg_entry {
	enum hvs_reg_state state;
	struct hvs_saved v;
	unsigned long age; /* for evicting the least recently used */
};

struct hvs_registry {
	struct hvs_reg_entry *entries;
	size_t cap;
	unsigned long clock;
	struct hvs_state *state; /* NULL: memory only */
};

enum hvs_reg_decision {
	HVS_REG_NEW,       /* apply it */
	HVS_REG_DUPLICATE, /* already applied for this boot */
	HVS_REG_CONFLICT,  /* this boot already has another range */
	HVS_REG_BUSY,      /* this guest has a range being applied right now */
};

void hvs_registry_init(struct hvs_registry *r, struct hvs_reg_entry *slots, size_t cap,
		       struct hvs_state *state);

enum hvs_reg_decision hvs_registry_decide(struct hvs_registry *r, const char *peer,
					  const uint8_t boot_id[16], uint64_t base,
					  uint64_t size);

/* Mark peer as applying this range; NULL when every slot is mid-apply. */
struct hvs_reg_entry *hvs_registry_begin(struct hvs_registry *r, const char *peer,
					 const uint8_t boot_id[16], uint64_t base,
					 uint64_t size);

/*
 * The range was applied (ok) or not. With a state directory it counts as
 * applied only once saved: 0, or -1 with errno when the save failed (then
 * it is forgotten, as a failed apply is).
 */
int hvs_registry_finish(struct hvs_registry *r, struct hvs_reg_entry *e, int ok,
			long long now);

/* Forget what is applied, and read the state directory again. */
int hvs_registry_reload(struct hvs_registry *r);

#endif
