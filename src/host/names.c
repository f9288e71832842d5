/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "names.h"

#include <stdint.h>
#include <string.h>

/*
 * FNV-1a: cheap on short names. A collision costs only a longer chain,
 * never a wrong answer: every lookup compares the whole name.
 */
static struct hvs_named **bucket(const struct hvs_names *t, const char *name)
{
	uint32_t h = 2166136261u;
	const char *s;

	for (s = name; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return &t->buckets[h & (t->nbuckets - 1)];
}

void hvs_names_init(struct hvs_names *t, struct hvs_named **buckets, size_t nbuckets)
{
	memset(buckets, 0, nbuckets * sizeof(*buckets));
	t->buckets = buckets;
	t->nbuckets = nbuckets;
}

size_t hvs_names_buckets_for(size_t n)
{
	size_t b;

	for (b = 16; b < 2 * n; b *= 2)
		;
	return b;
}

struct hvs_named *hvs_names_find(const struct hvs_names *t, const char *name)
{
	struct hvs_named *n;

	for (n = *bucket(t, name); n; n = n->chain)
		if (strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

int hvs_names_add(struct hvs_names *t, struct hvs_named *n, const char *name)
{
	size_t len = strlen(name);
	struct hvs_named **b;

	if (len >= sizeof(n->name))
		return -1;
	memcpy(n->name, name, len + 1);
	b = bucket(t, name);
	n->chain = *b;
	*b = n;
	return 0;
}

void hvs_names_del(struct hvs_names *t, struct hvs_named *n)
{
	struct hvs_named **pp = bucket(t, n->name);

	while (*pp && *pp != n)
		pp = &(*pp)->chain;
	if (*pp)
		*pp = n->chain;
	n->chain = NULL;
}
