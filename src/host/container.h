/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From a member to the struct that holds it: how the intrusive lists
 * (dlist.h) and the table by name (names.h) give back their items, and how
 * a connection is found from its admission slot or its exec job.
 */
#ifndef HVS_CONTAINER_H
#define HVS_CONTAINER_H

#include <stddef.h>

/* The type holding *p as member; p is never NULL. */
#define HVS_CONTAINER(p, type, member) ((type *)(void *)((char *)(p) - offsetof(type, member)))

/* The same for what may be NULL (a list's head, a lookup): p is read twice. */
#define HVS_CONTAINER_OR_NULL(p, type, member) \
	((p) ? HVS_CONTAINER(p, type, member) : (type *)NULL)

#endif
