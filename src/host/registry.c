/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "registry.h"

#include "fileio.h"
#include "wire.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hvs_registry_init(struct hvs_registry *r, struct hvs_reg_entry *slots, size_t cap,
		       const char *state_dir)
{
	memset(slots, 0, cap * sizeof(*slots));
	r->entries = slots;
	r->cap = cap;
	r->clock = 0;
	r->state_dir = state_dir;
}

static struct hvs_reg_entry *find(struct hvs_registry *r, const char *peer)
{
	size_t i;

	for (i = 0; i < r->cap; i++)
		if (r->entries[i].state != HVS_REG_FREE &&
		    strcmp(r->entries[i].peer, peer) == 0)
			return &r->entries[i];
	return NULL;
}

enum hvs_reg_decision hvs_registry_decide(struct hvs_registry *r, const char *peer,
					  const uint8_t boot_id[16], uint64_t base,
					  uint64_t size)
{
	struct hvs_reg_entry *e = find(r, peer);

	/*
	 * One apply per guest at a time, whatever its boot id: the entry is
	 * owned by the connection that started it until that one finishes.
	 */
	if (e && e->state == HVS_REG_APPLYING)
		return HVS_REG_BUSY;
	if (!e || memcmp(e->boot_id, boot_id, 16) != 0)
		return HVS_REG_NEW; /* first time, or the peer rebooted */
	if (e->base == base && e->size == size)
		return HVS_REG_DUPLICATE;
	return HVS_REG_CONFLICT;
}

struct hvs_reg_entry *hvs_registry_begin(struct hvs_registry *r, const char *peer,
					 const uint8_t boot_id[16], uint64_t base,
					 uint64_t size)
{
	struct hvs_reg_entry *e = find(r, peer);
	size_t i;

	if (!e) {
		/* A free slot, or else the peer heard from least recently. */
		for (i = 0; i < r->cap; i++) {
			struct hvs_reg_entry *c = &r->entries[i];

			if (c->state == HVS_REG_FREE) {
				e = c;
				break;
			}
			if (c->state == HVS_REG_APPLIED && (!e || c->age < e->age))
				e = c;
		}
		if (!e)
			return NULL; /* every slot is mid-apply */
	}
	memset(e, 0, sizeof(*e));
	e->state = HVS_REG_APPLYING;
	snprintf(e->peer, sizeof(e->peer), "%s", peer);
	memcpy(e->boot_id, boot_id, 16);
	e->base = base;
	e->size = size;
	e->age = ++r->clock;
	return e;
}

static uint32_t name_hash(const char *s)
{
	return hvs_crc32c(s, strlen(s));
}

void hvs_registry_file_name(const char *peer, char *out, size_t cap)
{
	char safe[64];
	size_t i;

	for (i = 0; peer[i] && i < sizeof(safe) - 1; i++) {
		char c = peer[i];

		safe[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '.') ? c : '_';
	}
	safe[i] = '\0';
	/* The hash keeps two peers that sanitize alike apart. */
	snprintf(out, cap, "%s.%08x", safe, (unsigned)name_hash(peer));
}

static int write_file_atomic(const char *path, const char *data, size_t len)
{
	char tmp[1100];
	int fd, ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	ok = hvs_write_all(fd, data, len) == 0 && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int save(struct hvs_registry *r, const struct hvs_reg_entry *e)
{
	char name[96], path[1024], text[512], id[37];
	int n;

	hvs_registry_file_name(e->peer, name, sizeof(name));
	if (snprintf(path, sizeof(path), "%s/%s", r->state_dir, name) >= (int)sizeof(path))
		return -1;
	hvs_uuid_format(e->boot_id, id);
	n = snprintf(text, sizeof(text),
		     "peer=%s\nboot_id=%s\nbase=0x%llx\nsize=%llu\ntime=%lld\n", e->peer, id,
		     (unsigned long long)e->base, (unsigned long long)e->size, e->when);
	if (n < 0 || n >= (int)sizeof(text))
		return -1;
	return write_file_atomic(path, text, (size_t)n);
}

int hvs_registry_finish(struct hvs_registry *r, struct hvs_reg_entry *e, int ok,
			long long now)
{
	if (!ok) {
		e->state = HVS_REG_FREE; /* not applied: nothing to remember */
		return 0;
	}
	e->state = HVS_REG_APPLIED;
	e->when = now;
	if (!r->state_dir)
		return 0;
	return save(r, e);
}

/* One state file back into an entry; 0 or -1 if it is not ours. */
static int load_file(struct hvs_registry *r, const char *path)
{
	char text[512], peer[HVS_PEER_MAX] = "", idtext[40] = "";
	unsigned long long base = 0, size = 0;
	long long when = 0;
	uint8_t id[16];
	char *line, *save_ptr = NULL;
	struct hvs_reg_entry *e;

	if (hvs_read_file(path, text, sizeof(text)) < 0)
		return -1;
	for (line = strtok_r(text, "\n", &save_ptr); line;
	     line = strtok_r(NULL, "\n", &save_ptr)) {
		if (strncmp(line, "peer=", 5) == 0)
			snprintf(peer, sizeof(peer), "%s", line + 5);
		else if (strncmp(line, "boot_id=", 8) == 0)
			snprintf(idtext, sizeof(idtext), "%s", line + 8);
		else if (strncmp(line, "base=", 5) == 0)
			base = strtoull(line + 5, NULL, 0);
		else if (strncmp(line, "size=", 5) == 0)
			size = strtoull(line + 5, NULL, 10);
		else if (strncmp(line, "time=", 5) == 0)
			when = strtoll(line + 5, NULL, 10);
	}
	if (!peer[0] || hvs_uuid_parse(idtext, id) < 0 || size == 0)
		return -1;
	e = hvs_registry_begin(r, peer, id, base, size);
	if (!e)
		return -1;
	e->state = HVS_REG_APPLIED;
	e->when = when;
	return 0;
}

int hvs_registry_load(struct hvs_registry *r)
{
	char path[1024];
	struct dirent *de;
	DIR *d;
	int loaded = 0;

	if (!r->state_dir || !(d = opendir(r->state_dir)))
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || (n > 4 && !strcmp(de->d_name + n - 4, ".tmp")))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", r->state_dir, de->d_name) >=
		    (int)sizeof(path))
			continue;
		if (load_file(r, path) == 0)
			loaded++;
	}
	closedir(d);
	return loaded;
}
