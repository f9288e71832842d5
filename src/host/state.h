/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state directory (--state-dir): one file per guest with the last range
 * applied for it, the durable record of every decision. Everything is done
 * relative to one directory fd, and nothing in the directory is followed
 * or trusted:
 *
 *   - files are opened O_NOFOLLOW and O_NONBLOCK, and anything that is not
 *     a regular file, or not exactly what save() writes, is moved aside as
 *     NAME.corrupt with a log line and never acted on;
 *   - a file is written to NAME.tmp, created O_EXCL | O_NOFOLLOW (a link or
 *     file planted there is removed, never followed), fsync'd, renamed over
 *     NAME, and the directory fsync'd: a decision is durable before the
 *     guest hears it;
 *   - a directory that others can write, or that another user owns, is
 *     refused;
 *   - one spare fd is held, and given up for a save, so that a receiver out
 *     of file descriptors can still record what it decides.
 */
#ifndef HVS_STATE_H
#define HVS_STATE_H

#include <stddef.h>
#include <stdint.h>

#define HVS_PEER_MAX 128

/* What one state file holds. */
struct hvs_saved {
	char peer[HVS_PEER_MAX];
	uint8_t boot_id[16];
	uint64_t base, size;
	long long when; /* unix time it was applied */
};

struct hvs_state {
	int dirfd;
	int spare;
	const char *dir;
};

/* mkdir -p, open, and check ownership and mode. 0, or -1 with a log line. */
int hvs_state_open(struct hvs_state *s, const char *dir);
void hvs_state_close(struct hvs_state *s);

/* Durable save: 0, or -1 with errno. */
int hvs_state_save(struct hvs_state *s, const struct hvs_saved *v);

/* One guest's file: 1 loaded, 0 none, -1 damaged (moved aside, logged). */
int hvs_state_load(struct hvs_state *s, const char *peer, struct hvs_saved *out);

/* Every file, validated (damaged ones moved aside); f gets each good one. */
int hvs_state_scan(struct hvs_state *s, void (*f)(void *arg, const struct hvs_saved *v),
		   void *arg);

/* The file name for a peer: its name made safe, and a CRC-32C of it. */
void hvs_state_file_name(const char *peer, char *out, size_t cap);

/* Parse the text of a state file strictly: 0, or -1 with why set. */
int hvs_state_parse(const char *text, size_t len, struct hvs_saved *out, const char **why);

#endif
