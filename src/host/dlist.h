/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intrusive doubly-linked lists, so that what is on a list (a connection
 * slot by age, an exec job waiting, a guest heard from least recently) is
 * taken off it in O(1) without a search. An item carries one struct
 * hvs_dlink per list it may be on; HVS_CONTAINER finds the item from it.
 * Lists are kept oldest first by appending only: every user's "oldest" is
 * the head.
 */
#ifndef HVS_DLIST_H
#define HVS_DLIST_H

#include "container.h"

#include <stddef.h>

struct hvs_dlink {
	struct hvs_dlink *prev, *next;
	int on; /* on its list: removing twice, or what was never pushed, is harmless */
};

struct hvs_dlist {
	struct hvs_dlink *head, *tail;
	size_t len;
};

static inline void hvs_dlist_push(struct hvs_dlist *l, struct hvs_dlink *k)
{
	k->prev = l->tail;
	k->next = NULL;
	k->on = 1;
	*(l->tail ? &l->tail->next : &l->head) = k;
	l->tail = k;
	l->len++;
}

static inline void hvs_dlist_remove(struct hvs_dlist *l, struct hvs_dlink *k)
{
	if (!k->on)
		return;
	*(k->prev ? &k->prev->next : &l->head) = k->next;
	*(k->next ? &k->next->prev : &l->tail) = k->prev;
	k->prev = k->next = NULL;
	k->on = 0;
	l->len--;
}

/* Removed, then pushed: now the newest. */
static inline void hvs_dlist_touch(struct hvs_dlist *l, struct hvs_dlink *k)
{
	hvs_dlist_remove(l, k);
	hvs_dlist_push(l, k);
}

#endif
