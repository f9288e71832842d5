/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the receiver knows per peer: the latest boot id and the range
 * applied for it. The rules of hv-swiotlb-protocol(7): the same range
 * again in the same boot is a duplicate, a different one a conflict, and
 * a new boot id replaces the old. Optionally mirrored to a state
 * directory, one file per peer, so the rules survive a receiver restart.
 */
#ifndef HVS_RECV_REGISTRY_H
#define HVS_RECV_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#define HVS_PEER_MAX 128

enum hvs_reg_state {
	HVS_REG_FREE = 0,
	HVS_REG_APPLYING, /* accepted, --exec still running */
	HVS_REG_APPLIED,
};

struct hvs_reg_entry {
	enum hvs_reg_state state;
	char peer[HVS_PEER_MAX];
	uint8_t boot_id[16];
	uint64_t base, size;
	long long when;     /* unix time it was applied */
	unsigned long age;  /* for evicting the least recently used */
};

struct hvs_registry {
	struct hvs_reg_entry *entries;
	size_t cap;
	unsigned long clock;
	const char *state_dir; /* NULL: memory only */
};

enum hvs_reg_decision {
	HVS_REG_NEW,       /* apply it */
	HVS_REG_DUPLICATE, /* already applied for this boot */
	HVS_REG_CONFLICT,  /* this boot already has another range */
	HVS_REG_BUSY,      /* this guest has a range being applied right now */
};

void hvs_registry_init(struct hvs_registry *r, struct hvs_reg_entry *slots, size_t cap,
		       const char *state_dir);

enum hvs_reg_decision hvs_registry_decide(struct hvs_registry *r, const char *peer,
					  const uint8_t boot_id[16], uint64_t base,
					  uint64_t size);

/* Mark peer as applying this range (replacing what it had). */
struct hvs_reg_entry *hvs_registry_begin(struct hvs_registry *r, const char *peer,
					 const uint8_t boot_id[16], uint64_t base,
					 uint64_t size);
/* The range is applied (ok) or not (forget it). 0, or -1 if the state file failed. */
int hvs_registry_finish(struct hvs_registry *r, struct hvs_reg_entry *e, int ok,
			long long now);

/* Read back a state directory; returns how many peers were loaded. */
int hvs_registry_load(struct hvs_registry *r);

/* The state file name for a peer: its name made safe, and a hash. */
void hvs_registry_file_name(const char *peer, char *out, size_t cap);

#endif
