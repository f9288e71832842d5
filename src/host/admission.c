/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "admission.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOT(k, member) HVS_CONTAINER_OR_NULL(k, struct hvs_slot, member)

int hvs_admission_init(struct hvs_admission *a, size_t max_conns, size_t max_per_peer)
{
	size_t i, nbuckets = hvs_names_buckets_for(max_conns);

	memset(a, 0, sizeof(*a));
	/* At most one guest per open connection. */
	a->guests = calloc(max_conns, sizeof(*a->guests));
	a->buckets = calloc(nbuckets, sizeof(*a->buckets));
	if (!a->guests || !a->buckets) {
		hvs_admission_free(a);
		return -1;
	}
	hvs_names_init(&a->by_name, a->buckets, nbuckets);
	a->max_conns = max_conns;
	a->max_per_peer = max_per_peer;
	for (i = max_conns; i-- > 0;) {
		a->guests[i].next_free = a->free_guests;
		a->free_guests = &a->guests[i];
	}
	return 0;
}

void hvs_admission_free(struct hvs_admission *a)
{
	free(a->guests);
	free(a->buckets);
	a->guests = NULL;
	a->buckets = NULL;
	a->free = NULL;
}

void hvs_admission_add(struct hvs_admission *a, struct hvs_slot *s)
{
	memset(s, 0, sizeof(*s));
	s->next_free = a->free;
	a->free = s;
}

static struct hvs_guest *find(const struct hvs_admission *a, const char *name)
{
	struct hvs_named *n = hvs_names_find(&a->by_name, name);

	return HVS_CONTAINER_OR_NULL(n, struct hvs_guest, key);
}

enum hvs_admit hvs_admission_check(struct hvs_admission *a, const char *peer,
				   struct hvs_slot **victim)
{
	struct hvs_guest *g = find(a, peer);

	*victim = NULL;
	if (g && g->open >= a->max_per_peer) {
		/* One guest may not take the slots of the others, nor its own. */
		*victim = SLOT(g->reading.head, guest_reading);
		return *victim ? HVS_ADMIT_EVICT_GUEST : HVS_ADMIT_REFUSE_GUEST;
	}
	if (!a->free) {
		*victim = hvs_admission_idlest(a);
		return *victim ? HVS_ADMIT_EVICT_OLDEST : HVS_ADMIT_REFUSE_FULL;
	}
	return HVS_ADMIT_OK;
}

static struct hvs_guest *guest_for(struct hvs_admission *a, const char *peer)
{
	struct hvs_guest *g = find(a, peer);

	if (g)
		return g;
	g = a->free_guests; /* never NULL: there are as many as slots */
	a->free_guests = g->next_free;
	memset(g, 0, sizeof(*g));
	(void)hvs_names_add(&a->by_name, &g->key, peer); /* fits: the slot's peer did */
	return g;
}

struct hvs_slot *hvs_admission_take(struct hvs_admission *a, const char *peer, long long now,
				    long long deadline)
{
	struct hvs_slot *s = a->free;

	a->free = s->next_free;
	memset(s, 0, sizeof(*s));
	snprintf(s->peer, sizeof(s->peer), "%s", peer); /* fits: a peer.h name */
	s->since = now;
	s->deadline = deadline;
	s->guest = guest_for(a, s->peer);
	s->guest->open++;
	a->open++;
	/* now never goes back: appending keeps every list oldest first. */
	hvs_dlist_push(&a->by_age, &s->age);
	hvs_dlist_push(&a->reading, &s->reading);
	hvs_dlist_push(&s->guest->reading, &s->guest_reading);
	return s;
}

void hvs_admission_record_whole(struct hvs_admission *a, struct hvs_slot *s)
{
	hvs_dlist_remove(&a->reading, &s->reading);
	hvs_dlist_remove(&s->guest->reading, &s->guest_reading);
}

void hvs_admission_leave_age(struct hvs_admission *a, struct hvs_slot *s)
{
	hvs_dlist_remove(&a->by_age, &s->age);
}

void hvs_admission_rejoin_age(struct hvs_admission *a, struct hvs_slot *s)
{
	if (!s->age.on)
		hvs_dlist_push(&a->by_age, &s->age);
}

void hvs_admission_release(struct hvs_admission *a, struct hvs_slot *s)
{
	struct hvs_guest *g = s->guest;

	hvs_admission_record_whole(a, s);
	hvs_admission_leave_age(a, s);
	if (--g->open == 0) {
		hvs_names_del(&a->by_name, &g->key);
		g->next_free = a->free_guests;
		a->free_guests = g;
	}
	a->open--;
	s->guest = NULL;
	s->next_free = a->free;
	a->free = s;
}

struct hvs_slot *hvs_admission_idlest(const struct hvs_admission *a)
{
	return SLOT(a->reading.head, reading);
}

struct hvs_slot *hvs_admission_oldest(const struct hvs_admission *a)
{
	return SLOT(a->by_age.head, age);
}

long long hvs_admission_read_deadline(const struct hvs_admission *a, const struct hvs_slot *s)
{
	int pressure = a->open * 4 >= a->max_conns * 3;

	if (pressure && s->since + HVS_PRESSURE_MS < s->deadline)
		return s->since + HVS_PRESSURE_MS;
	return s->deadline;
}
