/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Admission and eviction: which connections may be open, in O(1) of how
 * many are. A fixed table of slots with a free list; every open connection
 * on a list by age, those without a whole record on a second one, and per
 * guest (struct hvs_guest, found by hash) a count and a third. Under
 * pressure (three quarters full) a connection without a whole record gets
 * at most HVS_PRESSURE_MS; a new connection beyond --max-per-guest takes
 * the place of that guest's that has waited longest without a whole
 * record, and beyond --max-conns of the one that has waited longest of
 * all, so that idle connections, from one guest or many, hold up no guest.
 */
#ifndef HVS_ADMISSION_H
#define HVS_ADMISSION_H

#include "connlist.h"
#include "peer.h"

#include <stddef.h>

#define HVS_PRESSURE_MS 1000

struct hvs_guest {
	char name[HVS_PEER_MAX];
	size_t open;
	struct hvs_list reading; /* its connections without a whole record, oldest first */
	struct hvs_guest *chain; /* in its bucket, or the free list */
};

struct hvs_admission {
	struct hvs_conn *conns, *free;
	size_t max_conns, max_per_peer, open;
	struct hvs_list by_age;  /* open, but not running --exec: oldest first */
	struct hvs_list reading; /* without a whole record: oldest first */
	struct hvs_guest *guests, *free_guests, **buckets;
	size_t nbuckets;
};

enum hvs_admit {
	HVS_ADMIT_OK,
	HVS_ADMIT_EVICT_GUEST,   /* *victim: this guest's idle longest */
	HVS_ADMIT_EVICT_OLDEST,  /* *victim: the one idle longest of all */
	HVS_ADMIT_REFUSE_GUEST,  /* the guest's connections are all busy */
	HVS_ADMIT_REFUSE_FULL,   /* every connection is busy */
};

/* 0, or -1 (out of memory). */
int hvs_admission_init(struct hvs_admission *a, size_t max_conns, size_t max_per_peer);
void hvs_admission_free(struct hvs_admission *a);

/* May a new connection from peer be taken? If a victim must go first, which. */
enum hvs_admit hvs_admission_check(struct hvs_admission *a, const char *peer,
				   struct hvs_conn **victim);

/* A slot for a connection from peer (after HVS_ADMIT_OK), on every list. */
struct hvs_conn *hvs_admission_take(struct hvs_admission *a, const char *peer, int fd,
				    long long now, long long deadline);

/* Its whole record is in: off the reading lists. */
void hvs_admission_record_whole(struct hvs_admission *a, struct hvs_conn *c);

/* Running --exec: off the list by age (the exec queue keeps its deadline). */
void hvs_admission_leave_age(struct hvs_admission *a, struct hvs_conn *c);

/* Closed: off every list, the slot free. */
void hvs_admission_release(struct hvs_admission *a, struct hvs_conn *c);

/* When c, without a whole record, must be closed (shorter under pressure). */
long long hvs_admission_read_deadline(const struct hvs_admission *a, const struct hvs_conn *c);

/* The index of a slot, for epoll's data. */
size_t hvs_admission_index(const struct hvs_admission *a, const struct hvs_conn *c);

#endif
