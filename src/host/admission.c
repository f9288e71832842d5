/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "admission.h"

#include "connection.h"
#include "hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AGE offsetof(struct hvs_conn, age)
#define READING offsetof(struct hvs_conn, reading)
#define GUEST_READING offsetof(struct hvs_conn, guest_reading)

int hvs_admission_init(struct hvs_admission *a, size_t max_conns, size_t max_per_peer)
{
	size_t i;

	memset(a, 0, sizeof(*a));
	/* At most one guest per open connection; buckets at least twice that. */
	for (a->nbuckets = 16; a->nbuckets < 2 * max_conns; a->nbuckets *= 2)
		;
	a->conns = calloc(max_conns, sizeof(*a->conns));
	a->guests = calloc(max_conns, sizeof(*a->guests));
	a->buckets = calloc(a->nbuckets, sizeof(*a->buckets));
	if (!a->conns || !a->guests || !a->buckets) {
		hvs_admission_free(a);
		return -1;
	}
	a->max_conns = max_conns;
	a->max_per_peer = max_per_peer;
	for (i = max_conns; i-- > 0;) {
		a->conns[i].fd = -1;
		a->conns[i].next_free = a->free;
		a->free = &a->conns[i];
		a->guests[i].chain = a->free_guests;
		a->free_guests = &a->guests[i];
	}
	return 0;
}

void hvs_admission_free(struct hvs_admission *a)
{
	free(a->conns);
	free(a->guests);
	free(a->buckets);
	a->conns = NULL;
	a->guests = NULL;
	a->buckets = NULL;
}

static struct hvs_guest **bucket(struct hvs_admission *a, const char *name)
{
	return &a->buckets[hvs_name_hash(name) & (a->nbuckets - 1)];
}

static struct hvs_guest *find(struct hvs_admission *a, const char *name)
{
	struct hvs_guest *g;

	for (g = *bucket(a, name); g; g = g->chain)
		if (strcmp(g->name, name) == 0)
			return g;
	return NULL;
}

enum hvs_admit hvs_admission_check(struct hvs_admission *a, const char *peer,
				   struct hvs_conn **victim)
{
	struct hvs_guest *g = find(a, peer);

	*victim = NULL;
	if (g && g->open >= a->max_per_peer) {
		/* One guest may not take the slots of the others, nor its own. */
		*victim = g->reading.head;
		return *victim ? HVS_ADMIT_EVICT_GUEST : HVS_ADMIT_REFUSE_GUEST;
	}
	if (!a->free) {
		*victim = a->reading.head;
		return *victim ? HVS_ADMIT_EVICT_OLDEST : HVS_ADMIT_REFUSE_FULL;
	}
	return HVS_ADMIT_OK;
}

static struct hvs_guest *guest_for(struct hvs_admission *a, const char *peer)
{
	struct hvs_guest *g = find(a, peer), **b;

	if (g)
		return g;
	g = a->free_guests; /* never NULL: there are as many as slots */
	a->free_guests = g->chain;
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", peer);
	b = bucket(a, peer);
	g->chain = *b;
	*b = g;
	return g;
}

struct hvs_conn *hvs_admission_take(struct hvs_admission *a, const char *peer, int fd,
				    long long now, long long deadline)
{
	struct hvs_conn *c = a->free;
	uint32_t gen = c->gen + 1;

	a->free = c->next_free;
	memset(c, 0, sizeof(*c));
	c->gen = gen & 0xffffffffu;
	c->fd = fd;
	c->phase = HVS_PHASE_READ;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->since = now;
	c->deadline = deadline;
	c->guest = guest_for(a, peer);
	c->guest->open++;
	a->open++;
	/* now never goes back: appending keeps every list oldest first. */
	hvs_list_push(&a->by_age, c, AGE);
	hvs_list_push(&a->reading, c, READING);
	hvs_list_push(&c->guest->reading, c, GUEST_READING);
	return c;
}

void hvs_admission_record_whole(struct hvs_admission *a, struct hvs_conn *c)
{
	hvs_list_remove(&a->reading, c, READING);
	hvs_list_remove(&c->guest->reading, c, GUEST_READING);
}

void hvs_admission_leave_age(struct hvs_admission *a, struct hvs_conn *c)
{
	hvs_list_remove(&a->by_age, c, AGE);
}

void hvs_admission_release(struct hvs_admission *a, struct hvs_conn *c)
{
	struct hvs_guest *g = c->guest, **pp;

	hvs_admission_record_whole(a, c);
	hvs_admission_leave_age(a, c);
	if (--g->open == 0) {
		for (pp = bucket(a, g->name); *pp != g; pp = &(*pp)->chain)
			;
		*pp = g->chain;
		g->chain = a->free_guests;
		a->free_guests = g;
	}
	a->open--;
	c->guest = NULL;
	c->fd = -1;
	c->phase = HVS_PHASE_FREE;
	c->next_free = a->free;
	a->free = c;
}

long long hvs_admission_read_deadline(const struct hvs_admission *a, const struct hvs_conn *c)
{
	int pressure = a->open * 4 >= a->max_conns * 3;

	if (pressure && c->since + HVS_PRESSURE_MS < c->deadline)
		return c->since + HVS_PRESSURE_MS;
	return c->deadline;
}

size_t hvs_admission_index(const struct hvs_admission *a, const struct hvs_conn *c)
{
	return (size_t)(c - a->conns);
}
