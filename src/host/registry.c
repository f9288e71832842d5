/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "registry.h"

#include <string.h>

void hvs_registry_init(struct hvs_registry *r, struct hvs_reg_entry *slots, size_t cap,
		       struct hvs_state *state)
{
	memset(slots, 0, cap * sizeof(*slots));
	r->entries = slots;
	r->cap = cap;
	r->clock = 0;
	r->state = state;
}

static struct hvs_reg_entry *find(struct hvs_registry *r, const char *peer)
{
	size_t i;

	for (i = 0; i < r->cap; i++)
		if (r->entries[i].state != HVS_REG_FREE &&
		    strcmp(r->entries[i].v.peer, peer) == 0)
			return &r->entries[i];
	return NULL;
}

/* A free slot, else the applied one heard from least recently. */
static struct hvs_reg_entry *slot(struct hvs_registry *r)
{
	struct hvs_reg_entry *e = NULL;
	size_t i;

	for (i = 0; i < r->cap; i++) {
		struct hvs_reg_entry *c = &r->entries[i];

		if (c->state == HVS_REG_FREE)
			return c;
		if (c->state == HVS_REG_APPLIED && (!e || c->age < e->age))
			e = c;
	}
	return e;
}

static void remember(struct hvs_registry *r, const struct hvs_saved *v)
{
	struct hvs_reg_entry *e = find(r, v->peer);

	if (!e)
		e = slot(r);
	if (!e || e->state == HVS_REG_APPLYING)
		return;
	e->state = HVS_REG_APPLIED;
	e->v = *v;
	e->age = ++r->clock;
}

enum hvs_reg_decision hvs_registry_decide(struct hvs_registry *r, const char *peer,
					  const uint8_t boot_id[16], uint64_t base,
					  uint64_t size)
{
	struct hvs_reg_entry *e = find(r, peer);
	struct hvs_saved v;

	/* Memory is a cache of the state directory: look there before deciding. */
	if (!e && r->state && hvs_state_load(r->state, peer, &v) == 1) {
		remember(r, &v);
		e = find(r, peer);
	}
	/*
	 * One apply per guest at a time, whatever its boot id: the entry is
	 * owned by the connection that started it until that one finishes.
	 */
	if (e && e->state == HVS_REG_APPLYING)
		return HVS_REG_BUSY;
	if (e)
		e->age = ++r->clock;
	if (!e || memcmp(e->v.boot_id, boot_id, 16) != 0)
		return HVS_REG_NEW; /* first time, or the peer rebooted */
	if (e->v.base == base && e->v.size == size)
		return HVS_REG_DUPLICATE;
	return HVS_REG_CONFLICT;
}

struct hvs_reg_entry *hvs_registry_begin(struct hvs_registry *r, const char *peer,
					 const uint8_t boot_id[16], uint64_t base,
					 uint64_t size)
{
	struct hvs_reg_entry *e = find(r, peer);
	size_t n = strlen(peer);

	if (!e)
		e = slot(r);
	if (!e || n >= sizeof(e->v.peer))
		return NULL; /* every slot is mid-apply */
	memset(e, 0, sizeof(*e));
	e->state = HVS_REG_APPLYING;
	memcpy(e->v.peer, peer, n + 1);
	memcpy(e->v.boot_id, boot_id, 16);
	e->v.base = base;
	e->v.size = size;
	e->age = ++r->clock;
	return e;
}

int hvs_registry_finish(struct hvs_registry *r, struct hvs_reg_entry *e, int ok,
			long long now)
{
	if (!ok) {
		e->state = HVS_REG_FREE; /* not applied: nothing to remember */
		return 0;
	}
	e->v.when = now;
	if (r->state && hvs_state_save(r->state, &e->v) < 0) {
		e->state = HVS_REG_FREE; /* not durable: not decided */
		return -1;
	}
	e->state = HVS_REG_APPLIED;
	return 0;
}

static void remember_cb(void *arg, const struct hvs_saved *v)
{
	remember(arg, v);
}

int hvs_registry_reload(struct hvs_registry *r)
{
	size_t i;

	if (!r->state)
		return 0;
	for (i = 0; i < r->cap; i++)
		if (r->entries[i].state == HVS_REG_APPLIED)
			r->entries[i].state = HVS_REG_FREE;
	return hvs_state_scan(r->state, remember_cb, r);
}
