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
 *     is left alone, the next tried): staged; made durable by syncfs(2);
 *     exchanged with NAME (renameat2 RENAME_EXCHANGE; linked, for a slot
 *     claimed): placed; and that made durable by a second syncfs. The file
 *     swapped out keeps the previous text under the temporary name, to be
 *     swapped back if the sync fails, else written again by a later save:
 *     no inode is made or freed per save (on ext4 without a journal, each
 *     inode made scans every one freed in the last 30 s). A decision is durable before the guest
 *     hears it, and one that is not durable is taken back. The steps are
 *     apart so that a group commit (commit.h) shares each sync among all
 *     the files of a loop turn; hvs_statedir_save() does all for one file;
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

#define HVS_STATEDIR_POOL 1024 /* spare files kept for reuse: two turns' worth */

struct hvs_statedir {
	int dirfd;
	int spare;
	int readonly; /* --list: damaged files are reported, never moved */
	const char *dir;
	unsigned unread; /* files the last scan could not read now (not damaged) */
	/* Temporary files of ours that a save swapped out, written again by the next. */
	char (*pool)[HVS_STATEDIR_TMP_MAX];
	unsigned npool;
	/* The last guest a load found no file of, and the first free slot it saw. */
	char missed[HVS_PEER_MAX];
	int missed_slot;
	/*
	 * The buckets (CRC-32Cs of guest names) that have a file in the
	 * directory, as the last scan saw it and as this receiver wrote since:
	 * a bit per CRC modulo HVS_STATEDIR_SEEN_BITS, so a superset. A guest
	 * whose bit is clear has no file, and its lookup reads nothing: a
	 * storm of first boots costs no 2 x HVS_STATEDIR_SLOTS failed opens
	 * per guest. Only the receiver that serves a guest writes its files; a
	 * file put there by hand is seen after SIGHUP, as every change is.
	 * NULL (no memory) or !seen_ready (no scan yet): every slot is read.
	 */
	unsigned char *seen;
	int seen_ready;
};

#define HVS_STATEDIR_SEEN_BITS (1u << 20) /* 128 KiB: 1 % false hits at 10,000 guests */

/*
 * mkdir -p (not when readonly), open, and check ownership and mode. 0, or
 * -1 with a log line. sd must have been set to HVS_STATEDIR_CLOSED first.
 */
#define HVS_STATEDIR_CLOSED { -1, -1, 0, NULL, 0, NULL, 0, "", -1, NULL, 0 }
int hvs_statedir_open(struct hvs_statedir *sd, const char *dir, int readonly);
void hvs_statedir_close(struct hvs_statedir *sd);

/*
 * SIGHUP: open the directory by its path again (an operator may have
 * replaced or removed it); on success the new one is used from now on.
 * 0, or -1 with a log line, the old one still in use.
 */
int hvs_statedir_reopen(struct hvs_statedir *sd);

/* A decision in the one form the file functions take (answer: accepted). */
struct hvs_unapplied hvs_statedir_entry(const struct hvs_decision *d);

/*
 * A file being saved: staged (its text under a temporary name), then
 * placed (under the guest's name, st.name), each step made durable by the
 * next hvs_statedir_sync().
 */
struct hvs_statedir_staged {
	char peer[HVS_PEER_MAX];
	enum hvs_state_kind kind;
	char tmp[HVS_STATEDIR_TMP_MAX];
	char name[HVS_STATEDIR_NAME_MAX]; /* once placed */
	int replaced;                     /* placed over the guest's own file, not a free slot */
	int exchanged;                    /* and tmp now holds that file's previous text */
	int hint;                         /* a free slot to claim, seen by the load that found none; -1 */
};

/* Write u for peer to a temporary name, not synced: 0, or -1 with errno and no file. */
int hvs_statedir_stage(struct hvs_statedir *sd, const char *peer, enum hvs_state_kind kind,
		       const struct hvs_unapplied *u, struct hvs_statedir_staged *st);

/* The staged file is not wanted (its sync failed): removed. */
void hvs_statedir_unstage(struct hvs_statedir *sd, const struct hvs_statedir_staged *st);

/* Everything staged and placed so far made durable (syncfs): 0, or -1 with errno. */
int hvs_statedir_sync(struct hvs_statedir *sd);

/*
 * A staged file, once synced, under the guest's name (its own slot, or a
 * free one): 0, or -1 with errno and the temporary file removed.
 */
int hvs_statedir_place(struct hvs_statedir *sd, struct hvs_statedir_staged *st);

/*
 * A placed file after the sync that was to make it durable. Durable: the
 * previous text swapped out is kept for reuse. Not: the guest's file is put
 * back as it was (swapped back, or prev written again, for a decision that
 * replaced one), else removed.
 */
void hvs_statedir_settle(struct hvs_statedir *sd, struct hvs_statedir_staged *st, int durable,
			 const struct hvs_decision *prev);

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
 * I/O error): left where it is, and nothing may be decided from it. With 0,
 * the free slot it saw is remembered: a save of that guest staged next
 * claims it without reading the bucket again.
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
