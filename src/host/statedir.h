/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state directory (--state-dir): one file per guest with the last range
 * applied for it, the durable record of every decision, and beside it, when
 * a later announcement of that guest was not applied, one with the latest
 * such (NAME.unapplied: what it announced and the answer), which only
 * --list reads: the rules never do. Everything is done relative to one
 * directory fd, and nothing in the directory is followed or trusted:
 *
 *   - files are opened O_NOFOLLOW and O_NONBLOCK, and anything that is not
 *     a regular file, or not exactly what save() writes, is moved aside as
 *     NAME.corrupt with a log line and never acted on (read-only, for
 *     --list, it is only reported);
 *   - a file is written to a temporary name of this process's own
 *     (.NAME.PID.SEQ.tmp), created O_EXCL | O_NOFOLLOW (a name found taken
 *     is left alone, the next tried), fsync'd, renamed over NAME (linked,
 *     for a slot claimed), and the directory fsync'd: a decision is durable
 *     before the guest hears it, and one that is not durable is taken back;
 *   - receivers that share the directory never touch each other's
 *     temporary files; a slot two of them claim at once goes to the first
 *     link, and the other looks again; a temporary file older than
 *     HVS_STATEDIR_TMP_STALE seconds is a stopped writer's, removed at a scan;
 *   - the mapping from guest to file is injective: the file holds the
 *     guest's whole name, and two guests whose names clean alike and share
 *     a CRC-32C take the next of the bucket's HVS_STATEDIR_SLOTS names (for
 *     each kind of file on its own);
 *   - a directory that others can write, or that another user owns, is
 *     refused;
 *   - one spare fd is held, and given up for a save, so that a receiver out
 *     of file descriptors can still record what it decides.
 */
#ifndef HVS_STATEDIR_H
#define HVS_STATEDIR_H

#include "peer.h"

#include <stddef.h>
#include <stdint.h>

#define HVS_STATEDIR_SLOTS 16 /* file names one bucket of names can have */
#define HVS_STATEDIR_NAME_MAX 96
#define HVS_STATEDIR_TMP_MAX (HVS_STATEDIR_NAME_MAX + 40) /* . NAME .PID .SEQ .tmp */
#define HVS_STATEDIR_TMP_STALE 600 /* no save takes ten minutes: its writer is gone */

/* One decision: the range applied for a guest's boot, as its file holds it. */
struct hvs_decision {
	uint8_t boot_id[16];
	uint64_t base, size;
	long long when; /* unix time it was applied */
};

/* The two kinds of file a guest may have. */
enum hvs_state_kind {
	HVS_STATE_APPLIED,   /* NAME: the last range applied */
	HVS_STATE_UNAPPLIED, /* NAME.unapplied: the latest announcement not applied */
};

#define HVS_STATEDIR_UNAPPLIED ".unapplied"

/* A guest's latest announcement that was not applied, as its NAME.unapplied holds it. */
struct hvs_unapplied {
	struct hvs_decision d; /* as announced; d.when: when it was answered */
	uint16_t answer;       /* HVS_ACK_CONFLICT, _INVALID, _UNSUPPORTED or _FAILED */
	int has_range;         /* 0: the frame held no version 1 record to read one from */
};

struct hvs_statedir {
	int dirfd;
	int spare;
	int readonly; /* --list: damaged files are reported, never moved */
	const char *dir;
	unsigned unread; /* files the last scan could not read now (not damaged) */
};

/*
 * mkdir -p (not when readonly), open, and check ownership and mode. 0, or
 * -1 with a log line. sd must have been set to HVS_STATEDIR_CLOSED first.
 */
#define HVS_STATEDIR_CLOSED { -1, -1, 0, NULL, 0 }
int hvs_statedir_open(struct hvs_statedir *sd, const char *dir, int readonly);
void hvs_statedir_close(struct hvs_statedir *sd);

/*
 * SIGHUP: open the directory by its path again (an operator may have
 * replaced or removed it); on success the new one is used from now on.
 * 0, or -1 with a log line, the old one still in use.
 */
int hvs_statedir_reopen(struct hvs_statedir *sd);

/*
 * Durable save of d for peer: 0, or -1 with errno (nothing of it kept).
 * prev, when not NULL, is what the peer's file held before: if the new file
 * is in place but the directory cannot be synced, prev is put back.
 */
int hvs_statedir_save(struct hvs_statedir *sd, const char *peer, const struct hvs_decision *d,
		      const struct hvs_decision *prev);

/*
 * One guest's file: 1 loaded, 0 none (damaged ones are moved aside, logged),
 * -1 with errno when it cannot be read now (out of descriptors, memory, an
 * I/O error): left where it is, and nothing may be decided from it.
 */
int hvs_statedir_load(struct hvs_statedir *sd, const char *peer, struct hvs_decision *out);

/*
 * The same for a guest's NAME.unapplied. Writing it is not a decision: on
 * any failure (-1 with errno) the guest has no such file, or the one it had.
 * Removing it (a later range was applied): 0 (also when there was none), or
 * -1 with errno.
 */
int hvs_statedir_note(struct hvs_statedir *sd, const char *peer, const struct hvs_unapplied *u);
int hvs_statedir_load_note(struct hvs_statedir *sd, const char *peer, struct hvs_unapplied *out);
int hvs_statedir_unnote(struct hvs_statedir *sd, const char *peer);

/*
 * Every file, by the same rules: f gets each guest's decision (d) or latest
 * announcement not applied (u), and each damaged file's name with why (d
 * and u NULL) once it was dealt with. The number of guests with a good
 * decision file, or -1 with a log line.
 */
typedef void hvs_statedir_fn(void *arg, const char *file, const char *peer,
			     const struct hvs_decision *d, const struct hvs_unapplied *u,
			     const char *why);
int hvs_statedir_scan(struct hvs_statedir *sd, hvs_statedir_fn *f, void *arg);

/*
 * The name a damaged file is moved aside as (cap: 256): NAME.corrupt, or,
 * for a name too long for that, what fits of it, its CRC-32C and .corrupt.
 */
void hvs_statedir_aside_name(const char *name, char *out, size_t cap);

/* The file name of a peer's slot (0 to HVS_STATEDIR_SLOTS - 1). */
void hvs_statedir_file_name(const char *peer, unsigned slot, char *out, size_t cap);

/* Parse the text of a state file strictly: 0, or -1 with why set. */
int hvs_statedir_parse(const char *text, size_t len, char peer[HVS_PEER_MAX],
		       struct hvs_decision *out, const char **why);
int hvs_statedir_parse_note(const char *text, size_t len, char peer[HVS_PEER_MAX],
			    struct hvs_unapplied *out, const char **why);

#endif
