/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hash of a guest's name, for the receiver's two tables keyed by it
 * (the registry's peers and admission's guests): FNV-1a, cheap on short
 * names. Its collisions cost only a longer chain, never a wrong answer:
 * every lookup compares the whole name.
 */
#ifndef HVS_HASH_H
#define HVS_HASH_H

#include <stdint.h>

static inline uint32_t hvs_name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

#endif
