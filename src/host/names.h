/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A table of guests by name (peer.h), intrusive: what is kept per guest
 * embeds a struct hvs_named, and the table only links them, so that it
 * never allocates and a lookup is a hash and a short chain.
 *
 * The receiver keeps two such tables, for two lives of a guest: admission
 * counts a guest's open connections (an entry exactly while it has one),
 * the registry caches what the state directory decided for it (an entry
 * until the least recently heard from must make room). One table for both
 * would tie the cache's eviction to open sockets, and make accepting a
 * connection read the state directory; two instances of one table do not.
 */
#ifndef HVS_NAMES_H
#define HVS_NAMES_H

#include "container.h"
#include "peer.h"

#include <stddef.h>

struct hvs_named {
	struct hvs_named *chain; /* in its bucket */
	char name[HVS_PEER_MAX];
};

struct hvs_names {
	struct hvs_named **buckets;
	size_t nbuckets; /* a power of two */
};

/* buckets: nbuckets of them, a power of two; emptied here. */
void hvs_names_init(struct hvs_names *t, struct hvs_named **buckets, size_t nbuckets);

/* The smallest power of two of at least twice n buckets (and 16): chains stay short. */
size_t hvs_names_buckets_for(size_t n);

struct hvs_named *hvs_names_find(const struct hvs_names *t, const char *name);

/* n, not in the table, under name: 0, or -1 when name does not fit HVS_PEER_MAX. */
int hvs_names_add(struct hvs_names *t, struct hvs_named *n, const char *name);

/* n, in the table, out of it. */
void hvs_names_del(struct hvs_names *t, struct hvs_named *n);

#endif
