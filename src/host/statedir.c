/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "statedir.h"

#include "errname.h"
#include "fileio.h"
#include "range.h"
#include "say.h"
#include "text.h"
#include "wire.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define STATE_MAX_BYTES 1024
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1) /* linux/fs.h: not in every libc's headers */
#endif
#define ESCAPED_PEER_MAX (4 * HVS_PEER_MAX)

/* "NAME" then ".N" for the other slots of a bucket: never 8 hex digits, as a bucket's are. */
void hvs_statedir_file_name(const char *peer, unsigned slot, char *out, size_t cap)
{
	char safe[64];
	size_t i;

	for (i = 0; peer[i] && i < sizeof(safe) - 1; i++) {
		char c = peer[i];

		safe[i] = ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-' || c == '.') ? c : '_';
	}
	safe[i] = '\0';
	/* The hash keeps most peers that clean alike apart; the slots, the rest. */
	if (slot == 0)
		snprintf(out, cap, "%s.%08x", safe, (unsigned)hvs_crc32c(peer, strlen(peer)));
	else
		snprintf(out, cap, "%s.%08x.%u", safe, (unsigned)hvs_crc32c(peer, strlen(peer)),
			 slot);
}

/* A slot's name for a kind of file: the decision's, or it with HVS_STATEDIR_UNAPPLIED. */
static void kind_name(const char *peer, unsigned slot, enum hvs_state_kind kind, char *out,
		      size_t cap)
{
	size_t n;

	hvs_statedir_file_name(peer, slot, out, cap);
	n = strlen(out);
	if (kind == HVS_STATE_UNAPPLIED)
		snprintf(out + n, cap - n, "%s", HVS_STATEDIR_UNAPPLIED);
}

/* The kind of file a name is for: what it ends with says. */
static enum hvs_state_kind kind_of(const char *name)
{
	size_t n = strlen(name), k = sizeof(HVS_STATEDIR_UNAPPLIED) - 1;

	return n > k && strcmp(name + n - k, HVS_STATEDIR_UNAPPLIED) == 0 ? HVS_STATE_UNAPPLIED
									 : HVS_STATE_APPLIED;
}

/* Which of peer's slots the file name is, or -1 if it is none of them. */
static int slot_of(const char *peer, const char *name, enum hvs_state_kind kind)
{
	char want[HVS_STATEDIR_NAME_MAX];
	unsigned k;

	for (k = 0; k < HVS_STATEDIR_SLOTS; k++) {
		kind_name(peer, k, kind, want, sizeof(want));
		if (strcmp(want, name) == 0)
			return (int)k;
	}
	return -1;
}

/* The seen set (statedir.h): a bucket's bit, by its CRC-32C. */
static unsigned char *seen_byte(const struct hvs_statedir *sd, uint32_t crc)
{
	return &sd->seen[(crc % HVS_STATEDIR_SEEN_BITS) / 8];
}

static void seen_mark(struct hvs_statedir *sd, uint32_t crc)
{
	if (sd->seen)
		*seen_byte(sd, crc) |= (unsigned char)(1u << (crc % 8));
}

static int seen_may_have(const struct hvs_statedir *sd, const char *peer)
{
	uint32_t crc = hvs_crc32c(peer, strlen(peer));

	return !sd->seen || !sd->seen_ready || ((*seen_byte(sd, crc) >> (crc % 8)) & 1);
}

/*
 * Every part of a directory entry's name that is 8 hex digits is taken for
 * a bucket's CRC: the guests' files, their temporary and damaged names, all
 * of them. Taking too many costs a lookup, never a file missed.
 */
static void seen_name(struct hvs_statedir *sd, const char *name)
{
	const char *p = name;

	while (*p) {
		size_t n = strcspn(p, ".");

		if (n == 8 && strspn(p, "0123456789abcdef") >= 8)
			seen_mark(sd, (uint32_t)strtoul(p, NULL, 16));
		p += n;
		if (*p == '.')
			p++;
	}
}

/* mkdir -p, the last level private to us. */
static int make_dirs(const char *dir)
{
	char buf[4096];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, i == n ? 0700 : 0755) < 0 && errno != EEXIST)
			return -1;
		buf[i] = dir[i];
	}
	return 0;
}

static void take_spare(struct hvs_statedir *sd)
{
	if (sd->spare < 0 && !sd->readonly)
		sd->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void give_spare(struct hvs_statedir *sd)
{
	if (sd->spare >= 0)
		close(sd->spare);
	sd->spare = -1;
}

/*
 * openat() in the directory; out of descriptors, once more with the spare
 * given up (taken again by take_spare() once the file is closed). Only
 * then: giving and taking it around every open cost two system calls each.
 */
static int open_in_dir(struct hvs_statedir *sd, const char *name, int flags, mode_t mode)
{
	int fd = openat(sd->dirfd, name, flags, mode);

	if (fd < 0 && (errno == EMFILE || errno == ENFILE) && sd->spare >= 0) {
		give_spare(sd);
		fd = openat(sd->dirfd, name, flags, mode);
	}
	return fd;
}

/* The directory at dir, made if it may be, opened and checked: its fd or -1. */
static int open_checked(const char *dir, int readonly)
{
	struct stat st;
	int fd;

	if (!readonly && make_dirs(dir) < 0) {
		say_err("cannot create --state-dir %s: %s", dir, hvs_errname(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		say_err("cannot open --state-dir %s: %s", dir, hvs_errname(errno));
	} else if (st.st_uid != geteuid() && !(readonly && (st.st_uid == 0 || geteuid() == 0))) {
		/* Read-only, what is read is only shown, escaped: --list by root reads
		 * the directory of the units' hv-swiotlb user, and any user root's. */
		say_err("--state-dir %s belongs to uid %u, not to this receiver's uid %u: "
		    "anyone who owns it can plant files in it; use a directory of our own",
		    dir, (unsigned)st.st_uid, (unsigned)geteuid());
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		say_err("--state-dir %s can be written by others (mode %03o): chmod go-w it",
		    dir, (unsigned)(st.st_mode & 0777));
	} else {
		return fd;
	}
	if (fd >= 0)
		close(fd);
	return -1;
}

int hvs_statedir_open(struct hvs_statedir *sd, const char *dir, int readonly)
{
	sd->dir = dir;
	sd->readonly = readonly;
	sd->spare = -1;
	sd->npool = 0;
	sd->missed[0] = '\0';
	sd->dirfd = open_checked(dir, readonly);
	if (sd->dirfd < 0)
		return -1;
	/* Without them each save makes a new file, each lookup reads every
	 * slot: slower, as correct. */
	if (!readonly && !sd->pool)
		sd->pool = calloc(HVS_STATEDIR_POOL, sizeof(*sd->pool));
	if (!readonly && !sd->seen)
		sd->seen = calloc(HVS_STATEDIR_SEEN_BITS / 8, 1);
	sd->seen_ready = 0; /* till a scan has seen the directory */
	take_spare(sd);
	return 0;
}

/* The spare files go: they are names in the directory open now. */
static void empty_pool(struct hvs_statedir *sd)
{
	while (sd->npool > 0)
		unlinkat(sd->dirfd, sd->pool[--sd->npool], 0);
}

int hvs_statedir_reopen(struct hvs_statedir *sd)
{
	int fd;

	give_spare(sd); /* out of descriptors, the new directory gets this one */
	fd = open_checked(sd->dir, sd->readonly);
	if (fd >= 0) {
		empty_pool(sd);
		close(sd->dirfd);
		sd->dirfd = fd;
		sd->seen_ready = 0; /* another directory: known once scanned */
	}
	take_spare(sd);
	return fd < 0 ? -1 : 0;
}

void hvs_statedir_close(struct hvs_statedir *sd)
{
	give_spare(sd);
	if (sd->dirfd >= 0)
		empty_pool(sd);
	free(sd->pool);
	sd->pool = NULL;
	free(sd->seen);
	sd->seen = NULL;
	sd->seen_ready = 0;
	if (sd->dirfd >= 0)
		close(sd->dirfd);
	sd->dirfd = -1;
}

/*
 * The file's text: the peer escaped (text.c), so that any name reads back.
 * A decision is these five lines; an announcement not applied adds its
 * answer, and has no boot_id, base and size lines when it held no record.
 */
static int format(const char *peer, enum hvs_state_kind kind, const struct hvs_unapplied *u,
		  char *text, size_t cap)
{
	char id[37], esc[ESCAPED_PEER_MAX], range[128] = "";
	int n;

	hvs_escape(esc, sizeof(esc), peer, strlen(peer), NULL);
	hvs_uuid_format(u->d.boot_id, id);
	if (u->has_range)
		snprintf(range, sizeof(range), "boot_id=%s\nbase=0x%llx\nsize=%llu\n", id,
			 (unsigned long long)u->d.base, (unsigned long long)u->d.size);
	n = snprintf(text, cap, "peer=%s\n%stime=%lld\n", esc, range, u->d.when);
	if (kind == HVS_STATE_UNAPPLIED && n > 0 && (size_t)n < cap)
		n += snprintf(text + n, cap - (size_t)n, "answer=%s\n",
			      hvs_ack_status_name(u->answer));
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

struct hvs_unapplied hvs_statedir_entry(const struct hvs_decision *d)
{
	struct hvs_unapplied u;

	memset(&u, 0, sizeof(u));
	u.d = *d;
	u.answer = HVS_ACK_ACCEPTED;
	u.has_range = 1;
	return u;
}

/* The answer word of an announcement not applied: its status, or -1. */
static int answer_of(const char *word)
{
	unsigned s;

	for (s = HVS_ACK_CONFLICT; s <= HVS_ACK_FAILED; s++)
		if (strcmp(word, hvs_ack_status_name(s)) == 0)
			return (int)s;
	return -1;
}

/* One value, by its key (k: the key's index); 0 or -1 with *why. */
static int parse_value(unsigned k, const char *val, size_t vlen, char *peer,
		       struct hvs_unapplied *out, const char **why)
{
	size_t i;

	if (k == 0) {
		if (hvs_unescape(peer, HVS_PEER_MAX, val, vlen) <= 0) {
			*why = "the peer is not a name escaped as the log escapes it";
			return -1;
		}
		return 0;
	}
	if (k == 1) {
		if (hvs_uuid_parse(val, out->d.boot_id) < 0)
			*why = "the boot id is not a UUID";
		return *why ? -1 : 0;
	}
	if (k == 5) {
		int a = answer_of(val);

		if (a < 0)
			*why = "the answer is not conflict, invalid, unsupported or failed";
		out->answer = (uint16_t)(a < 0 ? 0 : a);
		return *why ? -1 : 0;
	}
	for (i = 0; i < vlen; i++) {
		char c = val[i];

		if (!((c >= '0' && c <= '9') || (k == 2 && c >= 'a' && c <= 'f'))) {
			*why = "a value has a character it cannot have";
			return -1;
		}
	}
	if (vlen > (k == 2 ? 16u : 18u)) {
		*why = "a number is too long";
		return -1;
	}
	if (k == 2)
		out->d.base = strtoull(val, NULL, 16);
	else if (k == 3)
		out->d.size = strtoull(val, NULL, 10);
	else
		out->d.when = strtoll(val, NULL, 10);
	return 0;
}

/* Exactly the lines format() writes for the kind, in its order: 0, or -1 with *why. */
static int parse_lines(const char *text, size_t len, enum hvs_state_kind kind, char *peer,
		       struct hvs_unapplied *out, const char **why)
{
	static const char *const keys[] = { "peer=", "boot_id=", "base=0x",
					    "size=", "time=",    "answer=" };
	const char *p = text, *end = text + len;
	unsigned k, nkeys = kind == HVS_STATE_UNAPPLIED ? 6 : 5;

	memset(out, 0, sizeof(*out));
	out->has_range = 1;
	peer[0] = '\0';
	*why = NULL;
	if (memchr(text, '\0', len)) {
		*why = "it holds a NUL byte";
		return -1;
	}
	for (k = 0; k < nkeys; k++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *v;
		size_t klen, vlen;
		char val[ESCAPED_PEER_MAX];

		/* Not applied, and no record to read a range from: straight to the time. */
		if (k == 1 && kind == HVS_STATE_UNAPPLIED && (size_t)(end - p) >= 5 &&
		    memcmp(p, keys[4], 5) == 0) {
			k = 4;
			out->has_range = 0;
		}
		klen = strlen(keys[k]);
		if (!nl || (size_t)(nl - p) < klen || memcmp(p, keys[k], klen) != 0) {
			*why = "a line is missing or out of place";
			return -1;
		}
		v = p + klen;
		vlen = (size_t)(nl - v);
		if (vlen == 0 || vlen >= sizeof(val)) {
			*why = "a value is empty or too long";
			return -1;
		}
		memcpy(val, v, vlen);
		val[vlen] = '\0';
		if (parse_value(k, val, vlen, peer, out, why) < 0)
			return -1;
		p = nl + 1;
	}
	if (p != end) {
		*why = "there is more after the last line";
		return -1;
	}
	return 0;
}

static int range_ok(const struct hvs_decision *d)
{
	return hvs_range_check(d->base, d->size, 0, HVS_HOST_PAGE) == HVS_RANGE_OK;
}

/* Strict: exactly what format() writes, and a range a host would take. */
int hvs_statedir_parse(const char *text, size_t len, char peer[HVS_PEER_MAX],
		       struct hvs_decision *out, const char **why)
{
	struct hvs_unapplied u;

	if (parse_lines(text, len, HVS_STATE_APPLIED, peer, &u, why) < 0)
		return -1;
	*out = u.d;
	if (!range_ok(out)) {
		*why = "the range is not one a host would have applied";
		return -1;
	}
	return 0;
}

/*
 * The same, and what the answer says of the range must hold: a conflict or
 * a failure answers a record that passed every check; an unsupported frame
 * is no record; an invalid one may be either, with any range.
 */
int hvs_statedir_parse_note(const char *text, size_t len, char peer[HVS_PEER_MAX],
			    struct hvs_unapplied *out, const char **why)
{
	if (parse_lines(text, len, HVS_STATE_UNAPPLIED, peer, out, why) < 0)
		return -1;
	if (out->answer == HVS_ACK_UNSUPPORTED && out->has_range)
		*why = "an 'unsupported' answer has a range";
	else if (out->answer != HVS_ACK_UNSUPPORTED && out->answer != HVS_ACK_INVALID &&
		 (!out->has_range || !range_ok(&out->d)))
		*why = "the range is not one a host would have answered so";
	return *why ? -1 : 0;
}

static int parse_kind(const char *text, size_t len, enum hvs_state_kind kind, char *peer,
		      struct hvs_unapplied *out, const char **why)
{
	if (kind == HVS_STATE_UNAPPLIED)
		return hvs_statedir_parse_note(text, len, peer, out, why);
	memset(out, 0, sizeof(*out));
	out->answer = HVS_ACK_ACCEPTED;
	out->has_range = 1;
	return hvs_statedir_parse(text, len, peer, &out->d, why);
}

/*
 * The name a damaged file is moved aside as: NAME.corrupt, which no scan
 * reads again. A name too long for that (a file name has 255 bytes at
 * most) keeps what fits of itself and its CRC-32C, so that it still ends
 * in .corrupt and stays apart from another's; the log names both whole.
 */
void hvs_statedir_aside_name(const char *name, char *out, size_t cap)
{
	static const char suffix[] = ".corrupt";
	size_t n = strlen(name), keep = 255 - (sizeof(suffix) - 1) - 9; /* .XXXXXXXX */

	if (n + sizeof(suffix) - 1 <= 255)
		snprintf(out, cap, "%s%s", name, suffix);
	else
		snprintf(out, cap, "%.*s.%08x%s", (int)keep, name, (unsigned)hvs_crc32c(name, n),
			 suffix);
}

/* A damaged file: moved aside (read-only: left alone) and logged. */
static void damaged(struct hvs_statedir *sd, const char *name, const char *why)
{
	char aside[256];

	if (sd->readonly)
		return;
	hvs_statedir_aside_name(name, aside, sizeof(aside));
	if (renameat(sd->dirfd, name, sd->dirfd, aside) == 0)
		say_warn("%s/%s is damaged (%s): moved aside as %s, not used", sd->dir, name, why,
		    aside);
	else
		say_warn("%s/%s is damaged (%s) and cannot be moved aside (%s): not used", sd->dir,
		    name, why, hvs_errname(errno));
}

/*
 * Whether a failure to read a file says something of the file itself (it
 * is damaged, and is moved aside), or only of this moment: out of
 * descriptors or memory, an I/O error. A file is never moved aside for
 * the second kind, so that a good decision is not lost to a passing
 * shortage and the conflict rule with it.
 */
static int about_the_file(int err)
{
	return err == ELOOP || err == EFBIG || err == HVS_ENOTREG || err == ENXIO ||
	       err == EISDIR || err == EACCES || err == EPERM;
}

/*
 * Read and check one file: 1 good, 0 absent, -1 damaged (*why, dealt with),
 * -2 unreadable for now (*why, errno: left where it is).
 */
static int read_name(struct hvs_statedir *sd, const char *name, enum hvs_state_kind kind,
		     char *peer, struct hvs_unapplied *out, const char **why)
{
	char text[STATE_MAX_BYTES + 1];
	ssize_t n;
	int fd, err;

	*why = NULL;
	fd = open_in_dir(sd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0);
	err = errno;
	n = fd < 0 ? -1 : hvs_read_regular(fd, text, sizeof(text));
	if (fd >= 0) {
		err = errno;
		close(fd);
	}
	take_spare(sd);
	if (fd < 0 && err == ENOENT)
		return 0;
	/* --list run by someone the file's mode keeps out: unreadable to them, not damaged. */
	if (n < 0 && (!about_the_file(err) || (sd->readonly && (err == EACCES || err == EPERM)))) {
		*why = hvs_errname(err);
		errno = err;
		return -2;
	}
	if (n < 0)
		*why = err == ELOOP ? "a symbolic link" : err == EFBIG ? "too big" : hvs_errname(err);
	else if (parse_kind(text, (size_t)n, kind, peer, out, why) == 0 &&
		 slot_of(peer, name, kind) < 0)
		*why = "its name is not its guest's";
	if (!*why)
		return 1;
	damaged(sd, name, *why);
	return -1;
}

/*
 * The slot that holds peer's file of this kind (-1: none), and the first
 * slot free (-1: none). Slots hold other guests' files only when their
 * names clean alike and share a CRC-32C: each is read, and its full name
 * compared. -2 with errno when a slot cannot be read now: which slot is
 * the guest's, or free, cannot be told.
 */
static int find_slot(struct hvs_statedir *sd, const char *peer, enum hvs_state_kind kind,
		     struct hvs_unapplied *found, int *first_free)
{
	char name[HVS_STATEDIR_NAME_MAX], other[HVS_PEER_MAX];
	const char *why;
	unsigned k;

	*first_free = -1;
	if (!sd->readonly && !seen_may_have(sd, peer)) {
		*first_free = 0; /* no file of its bucket: nothing to read */
		return -1;
	}
	for (k = 0; k < HVS_STATEDIR_SLOTS; k++) {
		struct hvs_unapplied v;
		int r;

		kind_name(peer, k, kind, name, sizeof(name));
		r = read_name(sd, name, kind, other, &v, &why);
		if (r == -2)
			return -2;
		if (r == 1 && strcmp(other, peer) == 0) {
			if (found)
				*found = v;
			return (int)k;
		}
		if (r != 1 && *first_free < 0 && !sd->readonly)
			*first_free = (int)k; /* absent, or damaged and moved aside */
	}
	return -1;
}

int hvs_statedir_load(struct hvs_statedir *sd, const char *peer, struct hvs_decision *out)
{
	struct hvs_unapplied v;
	int free_slot, slot = find_slot(sd, peer, HVS_STATE_APPLIED, &v, &free_slot);

	sd->missed[0] = '\0';
	if (slot == -1 && free_slot >= 0 && strlen(peer) < sizeof(sd->missed)) {
		memcpy(sd->missed, peer, strlen(peer) + 1);
		sd->missed_slot = free_slot;
	}
	if (slot < 0)
		return slot == -2 ? -1 : 0;
	*out = v.d;
	return 1;
}

int hvs_statedir_load_note(struct hvs_statedir *sd, const char *peer, struct hvs_unapplied *out)
{
	int free_slot, slot = find_slot(sd, peer, HVS_STATE_UNAPPLIED, out, &free_slot);

	return slot >= 0 ? 1 : slot == -2 ? -1 : 0;
}

/*
 * A temporary name of this process's own, ".NAME.PID.SEQ.tmp": receivers
 * that share the directory never write, link or remove each other's in-
 * flight files (a shared NAME.tmp let one receiver link another's text
 * under its own guest's answer). The leading dot keeps it out of scans.
 * A PID is not unique enough: a receiver restarted in a container is PID 1
 * again, and one receiver per container may share the directory, all PID
 * 1. Counting from 0, each would try the names the others (or its previous
 * run's spare files) hold, and give a save up after 8 of them. SEQ starts
 * at a random number: O_EXCL still settles the rare collision.
 */
static void tmp_name(const char *name, char *out, size_t cap)
{
	static unsigned seq;
	static long pid; /* ours: the receiver never saves from a forked child */

	if (!pid) {
		struct timespec ts;

		pid = (long)getpid();
		/* No entropy yet (early boot): the clock's nanoseconds will do. */
		if (getrandom(&seq, sizeof(seq), GRND_NONBLOCK) != (ssize_t)sizeof(seq)) {
			clock_gettime(CLOCK_REALTIME, &ts);
			seq = (unsigned)ts.tv_nsec ^ (unsigned)ts.tv_sec ^ ((unsigned)pid << 16);
		}
	}
	snprintf(out, cap, ".%s.%ld.%u.tmp", name, pid, seq++);
}

/*
 * A temporary file with text, created new under a name of our own: 0 with
 * its name in tmp, or -1 with errno and no file. Not synced here: the
 * commit's hvs_statedir_sync() makes a turn's files durable together. A
 * name that is taken (planted, or left by a crash of an earlier process
 * with our pid) is never removed or followed: the next is tried.
 */
static int write_tmp(struct hvs_statedir *sd, const char *name, char *tmp, size_t cap,
		     const char *text, size_t n)
{
	int fd = -1, err = 0, tries;
	struct stat st;

	/*
	 * A spare file of ours first: written over from its start and cut to
	 * length, its inode and block kept. One that is gone (removed as stale
	 * by another receiver) or is not a plain file of ours is dropped.
	 */
	while (fd < 0 && sd->npool > 0) {
		snprintf(tmp, cap, "%s", sd->pool[--sd->npool]);
		fd = open_in_dir(sd, tmp, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0);
		if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1)) {
			close(fd);
			fd = -1;
		}
		if (fd < 0)
			unlinkat(sd->dirfd, tmp, 0);
	}
	for (tries = 0; fd < 0 && tries < 8; tries++) {
		tmp_name(name, tmp, cap);
		fd = open_in_dir(sd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				 0644);
		if (fd < 0 && errno != EEXIST)
			return -1;
	}
	if (fd < 0)
		return -1;
	/* Cut to length: a reused file may have held a longer text. */
	if (hvs_write_all(fd, text, n) < 0 || ftruncate(fd, (off_t)n) < 0)
		err = errno;
	/* close() can report a failed write-back (NFS, quotas): its errno, not a stale one. */
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err)
		return 0;
	unlinkat(sd->dirfd, tmp, 0);
	errno = err;
	return -1;
}

/*
 * Put tmp in place as name: over our own file, or claiming a free slot.
 * Over our own, the two are exchanged where the filesystem can (*exchanged:
 * tmp then holds the previous text), else tmp is renamed over it.
 */
static int put_in_place(struct hvs_statedir *sd, const char *tmp, const char *name, int claim,
			int *exchanged)
{
	*exchanged = 0;
	if (!claim) {
		if (syscall(SYS_renameat2, sd->dirfd, tmp, sd->dirfd, name, RENAME_EXCHANGE) == 0) {
			*exchanged = 1;
			return 0;
		}
		if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return -1;
		return renameat(sd->dirfd, tmp, sd->dirfd, name);
	}
	/* A link, not a rename, fails if another receiver took the slot meanwhile. */
	return linkat(sd->dirfd, tmp, sd->dirfd, name, 0);
}

/* A temporary file no longer needed: kept for the next save, or removed. */
static void recycle(struct hvs_statedir *sd, const char *tmp)
{
	if (sd->pool && sd->npool < HVS_STATEDIR_POOL)
		snprintf(sd->pool[sd->npool++], sizeof(sd->pool[0]), "%s", tmp);
	else
		unlinkat(sd->dirfd, tmp, 0);
}

int hvs_statedir_stage(struct hvs_statedir *sd, const char *peer, enum hvs_state_kind kind,
		       const struct hvs_unapplied *u, struct hvs_statedir_staged *st)
{
	char name[HVS_STATEDIR_NAME_MAX], text[STATE_MAX_BYTES];
	int n = format(peer, kind, u, text, sizeof(text)), rc;

	if (n < 0 || strlen(peer) >= sizeof(st->peer)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->hint = -1;
	if (kind == HVS_STATE_APPLIED && strcmp(sd->missed, peer) == 0) {
		st->hint = sd->missed_slot; /* just found without a file: claim where it saw room */
		sd->missed[0] = '\0';
	}
	memcpy(st->peer, peer, strlen(peer) + 1);
	st->kind = kind;
	seen_mark(sd, hvs_crc32c(peer, strlen(peer))); /* its bucket has a file from now */
	kind_name(peer, 0, kind, name, sizeof(name));
	rc = write_tmp(sd, name, st->tmp, sizeof(st->tmp), text, (size_t)n);
	take_spare(sd); /* if the save needed it */
	return rc;
}

/*
 * syncfs(2), not an fsync(2) per file: the data of every file staged and
 * every name placed since the last one reach the disk in one journal commit.
 * Since Linux 5.8 it also reports a write-back error of any file of that
 * filesystem since the directory was opened: a decision is then not taken
 * to be durable, whosever error it was.
 */
int hvs_statedir_sync(struct hvs_statedir *sd)
{
	return syncfs(sd->dirfd);
}

void hvs_statedir_unstage(struct hvs_statedir *sd, const struct hvs_statedir_staged *st)
{
	recycle(sd, st->tmp);
}

/*
 * The staged file under the guest's name. A free slot that another
 * receiver sharing the directory claims first (its link wins, ours finds
 * the name taken) is looked for again: the slot is then that receiver's
 * guest's, and ours takes the next. The temporary name is gone either way.
 */
int hvs_statedir_place(struct hvs_statedir *sd, struct hvs_statedir_staged *st)
{
	int slot, free_slot, err, tries = 0;

	/*
	 * A guest just found to have no file: the free slot its lookup saw is
	 * claimed at once, without reading every slot again (a link fails if
	 * the name was taken since; then the whole bucket is read as below).
	 */
	if (st->hint >= 0 && st->hint < HVS_STATEDIR_SLOTS) {
		kind_name(st->peer, (unsigned)st->hint, st->kind, st->name, sizeof(st->name));
		st->replaced = 0;
		if (put_in_place(sd, st->tmp, st->name, 1, &st->exchanged) == 0) {
			unlinkat(sd->dirfd, st->tmp, 0);
			return 0;
		}
	}
	do {
		slot = find_slot(sd, st->peer, st->kind, NULL, &free_slot);
		if (slot == -2) {
			err = errno; /* which file is the guest's cannot be told now */
			break;
		}
		if (slot < 0 && free_slot < 0) {
			err = EEXIST; /* every slot of the bucket is another guest's */
			break;
		}
		kind_name(st->peer, (unsigned)(slot >= 0 ? slot : free_slot), st->kind, st->name,
			  sizeof(st->name));
		st->replaced = slot >= 0;
		err = put_in_place(sd, st->tmp, st->name, slot < 0, &st->exchanged) < 0 ? errno : 0;
	} while (err == EEXIST && slot < 0 && ++tries < HVS_STATEDIR_SLOTS);
	/* Exchanged, it holds the previous text, till settled; renamed, it is
	 * gone already; linked, or not placed, it goes now. */
	if (err)
		recycle(sd, st->tmp);
	else if (slot < 0)
		unlinkat(sd->dirfd, st->tmp, 0);
	errno = err;
	return err ? -1 : 0;
}

void hvs_statedir_settle(struct hvs_statedir *sd, struct hvs_statedir_staged *st, int durable,
			 const struct hvs_decision *prev)
{
	struct hvs_statedir_staged back;
	struct hvs_unapplied u;

	if (durable || (st->exchanged && st->kind == HVS_STATE_APPLIED &&
			syscall(SYS_renameat2, sd->dirfd, st->tmp, sd->dirfd, st->name,
				RENAME_EXCHANGE) == 0)) {
		/* Durable; or swapped back, the previous text in place again (the
		 * sync that failed may fail again: it is what the receiver holds in
		 * force, kept as well as this filesystem can). */
		if (!durable)
			(void)hvs_statedir_sync(sd);
		if (st->exchanged)
			recycle(sd, st->tmp);
		return;
	}
	if (st->exchanged)
		recycle(sd, st->tmp); /* a note's previous text is not put back */
	/* A claimed slot had nothing of this guest before; a note is not put back. */
	if (st->replaced && prev && st->kind == HVS_STATE_APPLIED) {
		u = hvs_statedir_entry(prev);
		if (hvs_statedir_stage(sd, st->peer, st->kind, &u, &back) == 0) {
			(void)hvs_statedir_sync(sd);
			if (renameat(sd->dirfd, back.tmp, sd->dirfd, st->name) == 0) {
				(void)hvs_statedir_sync(sd);
				return;
			}
			unlinkat(sd->dirfd, back.tmp, 0);
		}
	}
	unlinkat(sd->dirfd, st->name, 0); /* nothing before, or it cannot be written back */
}

/* One file, durably, on its own: what a group commit does for one. */
static int save_kind(struct hvs_statedir *sd, const char *peer, enum hvs_state_kind kind,
		     const struct hvs_unapplied *u, const struct hvs_decision *prev)
{
	struct hvs_statedir_staged st;
	int err = 0;

	if (hvs_statedir_stage(sd, peer, kind, u, &st) < 0)
		return -1;
	if (hvs_statedir_sync(sd) < 0) {
		err = errno;
		hvs_statedir_unstage(sd, &st);
	} else if (hvs_statedir_place(sd, &st) < 0) {
		err = errno;
	} else {
		err = hvs_statedir_sync(sd) < 0 ? errno : 0;
		hvs_statedir_settle(sd, &st, !err, prev);
	}
	errno = err;
	return err ? -1 : 0;
}

int hvs_statedir_save(struct hvs_statedir *sd, const char *peer, const struct hvs_decision *d,
		      const struct hvs_decision *prev)
{
	struct hvs_unapplied u = hvs_statedir_entry(d);

	return save_kind(sd, peer, HVS_STATE_APPLIED, &u, prev);
}

/* Not a decision: a file that is not durable is removed, not put back. */
int hvs_statedir_note(struct hvs_statedir *sd, const char *peer, const struct hvs_unapplied *u)
{
	return save_kind(sd, peer, HVS_STATE_UNAPPLIED, u, NULL);
}

int hvs_statedir_unnote(struct hvs_statedir *sd, const char *peer)
{
	char name[HVS_STATEDIR_NAME_MAX];
	int free_slot, slot = find_slot(sd, peer, HVS_STATE_UNAPPLIED, NULL, &free_slot);

	if (slot < 0)
		return slot == -2 ? -1 : 0;
	kind_name(peer, (unsigned)slot, HVS_STATE_UNAPPLIED, name, sizeof(name));
	return unlinkat(sd->dirfd, name, 0);
}

/*
 * A temporary file (ours are ".NAME.PID.SEQ.tmp", earlier versions'
 * "NAME.tmp") that no writer can still be using: older than a save can
 * take. Removed, never followed; a younger one may be another receiver's.
 */
static void remove_if_stale(struct hvs_statedir *sd, const char *name)
{
	size_t n = strlen(name);
	struct stat st;

	if (sd->readonly || n < 5 || strcmp(name + n - 4, ".tmp") != 0)
		return;
	if (fstatat(sd->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    time(NULL) - st.st_mtime < HVS_STATEDIR_TMP_STALE)
		return;
	if (unlinkat(sd->dirfd, name, 0) == 0)
		say_notice("%s/%s: removed, a temporary file left by a receiver that stopped "
		    "in the middle of a save",
		    sd->dir, name);
}

static int ours(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return 0;
	if (n > 4 && strcmp(name + n - 4, ".tmp") == 0)
		return 0;
	return !(n > 8 && strcmp(name + n - 8, ".corrupt") == 0);
}

/*
 * A file in a later slot whose guest also has one in an earlier slot is not
 * its own: 1 its own, 0 not, -1 when an earlier slot cannot be read now.
 */
static int first_of_its_guest(struct hvs_statedir *sd, const char *name,
			      enum hvs_state_kind kind, const char *peer)
{
	char other[HVS_PEER_MAX], earlier[HVS_STATEDIR_NAME_MAX];
	struct hvs_unapplied v;
	const char *why;
	int k, slot = slot_of(peer, name, kind);

	for (k = 0; k < slot; k++) {
		kind_name(peer, (unsigned)k, kind, earlier, sizeof(earlier));
		int r = read_name(sd, earlier, kind, other, &v, &why);

		if (r == -2)
			return -1;
		if (r == 1 && strcmp(other, peer) == 0)
			return 0;
	}
	return 1;
}

int hvs_statedir_scan(struct hvs_statedir *sd, hvs_statedir_fn *f, void *arg)
{
	int fd = openat(sd->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), loaded = 0;
	struct dirent *de;
	DIR *dir;

	if (fd < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		say_err("cannot read --state-dir %s: %s", sd->dir, hvs_errname(errno));
		return -1;
	}
	sd->unread = 0;
	if (sd->seen)
		memset(sd->seen, 0, HVS_STATEDIR_SEEN_BITS / 8);
	/* errno 0 before each: a NULL that sets it is an error, not the end. */
	while ((errno = 0, de = readdir(dir)) != NULL) {
		enum hvs_state_kind kind = kind_of(de->d_name);
		char peer[HVS_PEER_MAX];
		struct hvs_unapplied v;
		const char *why;
		int r, first;

		seen_name(sd, de->d_name);

		if (!ours(de->d_name)) {
			remove_if_stale(sd, de->d_name);
			continue;
		}
		r = read_name(sd, de->d_name, kind, peer, &v, &why);
		if (r == 1 && (first = first_of_its_guest(sd, de->d_name, kind, peer)) <= 0) {
			why = first < 0 ? hvs_errname(errno)
					: "an earlier file of its guest's bucket holds the guest";
			if (first == 0)
				damaged(sd, de->d_name, why);
			r = first < 0 ? -2 : -1;
		}
		if (r == -2) {
			/* Not damaged: its guest's file is read again when that guest sends. */
			say_warn("cannot read %s/%s now (%s): left as it is, not used until it can be",
			    sd->dir, de->d_name, why);
			sd->unread++;
			continue;
		}
		if (r != 0)
			f(arg, de->d_name, peer, r == 1 && kind == HVS_STATE_APPLIED ? &v.d : NULL,
			  r == 1 && kind == HVS_STATE_UNAPPLIED ? &v : NULL, why);
		loaded += r == 1 && kind == HVS_STATE_APPLIED; /* guests, not files */
	}
	/* Not every name seen: lookups read every slot till a scan has. */
	sd->seen_ready = errno == 0;
	closedir(dir);
	return loaded;
}
