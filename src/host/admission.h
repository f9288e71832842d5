/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Admission and eviction: which connections may be open, in O(1) of how
 * many are. Each connection holds a struct hvs_slot (its peer, times and
 * the links of admission's lists); free slots wait on a free list. Every
 * open slot is on a list by age, those without a whole record on a second
 * one, and per guest (struct hvs_guest, in a names.h table) a count and a
 * third. Under pressure (three quarters full) a connection without a whole
 * record gets at most HVS_PRESSURE_MS; a new connection beyond
 * --max-per-guest takes the place of that guest's that has waited longest
 * without a whole record, and beyond --max-conns of the one that has
 * waited longest of all, so that idle connections, from one guest or many,
 * hold up no guest. What a connection does is connection.h's: admission
 * never sees more of it than its slot.
 */
#ifndef HVS_ADMISSION_H
#define HVS_ADMISSION_H

#include "dlist.h"
#include "names.h"
#include "peer.h"

#include <stddef.h>

#define HVS_PRESSURE_MS 1000

struct hvs_guest {
	struct hvs_named key;
	size_t open;
	struct hvs_dlist reading; /* its slots without a whole record, oldest first */
	struct hvs_guest *next_free;
};

struct hvs_slot {
	char peer[HVS_PEER_MAX];
	long long since;    /* taken at */
	long long deadline; /* the connection's, whatever it is doing */
	struct hvs_guest *guest;
	struct hvs_dlink age, reading, guest_reading;
	struct hvs_slot *next_free;
};

struct hvs_admission {
	struct hvs_slot *free;
	size_t max_conns, max_per_peer, open;
	struct hvs_dlist by_age;  /* open, but not running --exec: oldest first */
	struct hvs_dlist reading; /* without a whole record: oldest first */
	struct hvs_guest *guests, *free_guests;
	struct hvs_named **buckets;
	struct hvs_names by_name;
};

enum hvs_admit {
	HVS_ADMIT_OK,
	HVS_ADMIT_EVICT_GUEST,   /* *victim: this guest's idle longest */
	HVS_ADMIT_EVICT_OLDEST,  /* *victim: the one idle longest of all */
	HVS_ADMIT_REFUSE_GUEST,  /* the guest's connections are all busy */
	HVS_ADMIT_REFUSE_FULL,   /* every connection is busy */
};

/* 0, or -1 (out of memory). The slots are the caller's, given with hvs_admission_add. */
int hvs_admission_init(struct hvs_admission *a, size_t max_conns, size_t max_per_peer);
void hvs_admission_free(struct hvs_admission *a);

/* One of the max_conns slots, free. */
void hvs_admission_add(struct hvs_admission *a, struct hvs_slot *s);

/* May a new connection from peer be taken? If a victim must go first, which. */
enum hvs_admit hvs_admission_check(struct hvs_admission *a, const char *peer,
				   struct hvs_slot **victim);

/* A slot for a connection from peer (after HVS_ADMIT_OK), on every list. */
struct hvs_slot *hvs_admission_take(struct hvs_admission *a, const char *peer, long long now,
				    long long deadline);

/* Its whole record is in: off the reading lists. */
void hvs_admission_record_whole(struct hvs_admission *a, struct hvs_slot *s);

/* Running --exec or in a group commit: off the list by age (another keeps its deadline). */
void hvs_admission_leave_age(struct hvs_admission *a, struct hvs_slot *s);

/* Back to be answered: on the list by age again, as its newest. */
void hvs_admission_rejoin_age(struct hvs_admission *a, struct hvs_slot *s);

/* Closed: off every list, the slot free. */
void hvs_admission_release(struct hvs_admission *a, struct hvs_slot *s);

/* The slot without a whole record that has waited longest; NULL when none. */
struct hvs_slot *hvs_admission_idlest(const struct hvs_admission *a);

/* The oldest on the list by age; NULL when none. */
struct hvs_slot *hvs_admission_oldest(const struct hvs_admission *a);

/* When s, without a whole record, must be closed (shorter under pressure). */
long long hvs_admission_read_deadline(const struct hvs_admission *a, const struct hvs_slot *s);

#endif
