/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intrusive doubly-linked lists of connections, so that admission, eviction
 * and the deadlines are O(1) in the number of open connections: a
 * connection is on up to four lists at once, each through its own links.
 */
#ifndef HVS_CONNLIST_H
#define HVS_CONNLIST_H

#include <stddef.h>

struct hvs_conn;

struct hvs_link {
	struct hvs_conn *prev, *next;
	int on;
};

struct hvs_list {
	struct hvs_conn *head, *tail;
	size_t len;
};

/* The links of c at offset off (offsetof(struct hvs_conn, member)). */
#define HVS_LINK(c, off) ((struct hvs_link *)(void *)((char *)(c) + (off)))

static inline void hvs_list_push(struct hvs_list *l, struct hvs_conn *c, size_t off)
{
	struct hvs_link *k = HVS_LINK(c, off);

	k->prev = l->tail;
	k->next = NULL;
	k->on = 1;
	if (l->tail)
		HVS_LINK(l->tail, off)->next = c;
	else
		l->head = c;
	l->tail = c;
	l->len++;
}

static inline void hvs_list_remove(struct hvs_list *l, struct hvs_conn *c, size_t off)
{
	struct hvs_link *k = HVS_LINK(c, off);

	if (!k->on)
		return;
	if (k->prev)
		HVS_LINK(k->prev, off)->next = k->next;
	else
		l->head = k->next;
	if (k->next)
		HVS_LINK(k->next, off)->prev = k->prev;
	else
		l->tail = k->prev;
	k->prev = k->next = NULL;
	k->on = 0;
	l->len--;
}

#endif
