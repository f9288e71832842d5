/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "state.h"

#include "errname.h"
#include "fileio.h"
#include "range.h"
#include "say.h"
#include "wire.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAX_BYTES 1024

void hvs_state_file_name(const char *peer, char *out, size_t cap)
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
	snprintf(out, cap, "%s.%08x", safe, (unsigned)hvs_crc32c(peer, strlen(peer)));
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

static void take_spare(struct hvs_state *s)
{
	if (s->spare < 0)
		s->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void give_spare(struct hvs_state *s)
{
	if (s->spare >= 0)
		close(s->spare);
	s->spare = -1;
}

int hvs_state_open(struct hvs_state *s, const char *dir)
{
	struct stat st;

	s->dir = dir;
	s->spare = -1;
	if (make_dirs(dir) < 0) {
		say("cannot create --state-dir %s: %s", dir, hvs_errname(errno));
		return -1;
	}
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0 || fstat(s->dirfd, &st) < 0) {
		say("cannot open --state-dir %s: %s", dir, hvs_errname(errno));
		return -1;
	}
	if (st.st_uid != geteuid()) {
		say("--state-dir %s belongs to uid %u, not to this receiver's uid %u: "
		    "anyone who owns it can plant files in it; use a directory of our own",
		    dir, (unsigned)st.st_uid, (unsigned)geteuid());
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		say("--state-dir %s can be written by others (mode %03o): chmod go-w it",
		    dir, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	take_spare(s);
	return 0;
}

void hvs_state_close(struct hvs_state *s)
{
	give_spare(s);
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
}

static int format(const struct hvs_saved *v, char *text, size_t cap)
{
	char id[37];
	int n;

	hvs_uuid_format(v->boot_id, id);
	n = snprintf(text, cap, "peer=%s\nboot_id=%s\nbase=0x%llx\nsize=%llu\ntime=%lld\n",
		     v->peer, id, (unsigned long long)v->base, (unsigned long long)v->size,
		     v->when);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

int hvs_state_save(struct hvs_state *s, const struct hvs_saved *v)
{
	char name[96], tmp[110], text[STATE_MAX_BYTES];
	int n = format(v, text, sizeof(text)), fd, saved, ok;

	if (n < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	hvs_state_file_name(v->peer, name, sizeof(name));
	snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	give_spare(s); /* out of fds, this one is the save's */
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == EEXIST) {
		/* Left by a crash, or planted: remove the name, follow nothing. */
		unlinkat(s->dirfd, tmp, 0);
		fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0644);
	}
	if (fd < 0) {
		saved = errno;
		take_spare(s);
		errno = saved;
		return -1;
	}
	ok = hvs_write_all(fd, text, (size_t)n) == 0 && fsync(fd) == 0;
	saved = errno;
	ok = close(fd) == 0 && ok;
	if (ok && renameat(s->dirfd, tmp, s->dirfd, name) == 0 && fsync(s->dirfd) == 0) {
		take_spare(s);
		return 0;
	}
	if (ok)
		saved = errno;
	unlinkat(s->dirfd, tmp, 0);
	take_spare(s);
	errno = saved;
	return -1;
}

/* Strict: exactly what format() writes, and a range a host would take. */
int hvs_state_parse(const char *text, size_t len, struct hvs_saved *out, const char **why)
{
	static const char *const keys[] = { "peer=", "boot_id=", "base=0x", "size=", "time=" };
	const char *p = text, *end = text + len;
	size_t k;

	memset(out, 0, sizeof(*out));
	if (memchr(text, '\0', len)) {
		*why = "it holds a NUL byte";
		return -1;
	}
	for (k = 0; k < 5; k++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *v;
		size_t klen = strlen(keys[k]), vlen, i;
		char val[HVS_PEER_MAX];

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
		for (i = 0; i < vlen; i++) {
			unsigned char c = (unsigned char)val[i];
			int ok = k == 0 ? (c >= 0x20 && c < 0x7f)
				: k == 2 ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
				: k == 1 ? 1 : (c >= '0' && c <= '9');

			if (!ok) {
				*why = "a value has a character it cannot have";
				return -1;
			}
		}
		switch (k) {
		case 0:
			memcpy(out->peer, val, vlen + 1);
			break;
		case 1:
			if (hvs_uuid_parse(val, out->boot_id) < 0) {
				*why = "the boot id is not a UUID";
				return -1;
			}
			break;
		default:
			if (vlen > (k == 2 ? 16u : 19u)) {
				*why = "a number is too long";
				return -1;
			}
			if (k == 2)
				out->base = strtoull(val, NULL, 16);
			else if (k == 3)
				out->size = strtoull(val, NULL, 10);
			else
				out->when = strtoll(val, NULL, 10);
		}
		p = nl + 1;
	}
	if (p != end) {
		*why = "there is more after the last line";
		return -1;
	}
	if (hvs_range_check(out->base, out->size, 0, HVS_HOST_PAGE) != HVS_RANGE_OK) {
		*why = "the range is not one a host would have applied";
		return -1;
	}
	return 0;
}

static void move_aside(struct hvs_state *s, const char *name, const char *why)
{
	char aside[300];

	snprintf(aside, sizeof(aside), "%s.corrupt", name);
	if (renameat(s->dirfd, name, s->dirfd, aside) == 0)
		say("%s/%s is damaged (%s): moved aside as %s, not used", s->dir, name, why,
		    aside);
	else
		say("%s/%s is damaged (%s) and cannot be moved aside (%s): not used", s->dir,
		    name, why, hvs_errname(errno));
}

/* 1 good, 0 absent, -1 damaged (moved aside). */
static int load_name(struct hvs_state *s, const char *name, struct hvs_saved *out)
{
	char text[STATE_MAX_BYTES + 1], want[96];
	const char *why = NULL;
	ssize_t n;
	int fd, err;

	give_spare(s);
	fd = openat(s->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = errno;
		take_spare(s);
		if (err == ENOENT)
			return 0;
		move_aside(s, name, err == ELOOP ? "a symbolic link" : hvs_errname(err));
		return -1;
	}
	n = hvs_read_regular(fd, text, sizeof(text));
	err = errno;
	close(fd);
	take_spare(s);
	if (n < 0) {
		move_aside(s, name, err == EFBIG ? "too big" : hvs_errname(err));
		return -1;
	}
	if (hvs_state_parse(text, (size_t)n, out, &why) < 0) {
		move_aside(s, name, why);
		return -1;
	}
	hvs_state_file_name(out->peer, want, sizeof(want));
	if (strcmp(want, name) != 0) {
		move_aside(s, name, "its name is not its guest's");
		return -1;
	}
	return 1;
}

int hvs_state_load(struct hvs_state *s, const char *peer, struct hvs_saved *out)
{
	char name[96];

	hvs_state_file_name(peer, name, sizeof(name));
	return load_name(s, name, out);
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

int hvs_state_scan(struct hvs_state *s, void (*f)(void *arg, const struct hvs_saved *v),
		   void *arg)
{
	int fd = openat(s->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), loaded = 0;
	struct dirent *de;
	DIR *d;

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		say("cannot read --state-dir %s: %s", s->dir, hvs_errname(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct hvs_saved v;

		if (!ours(de->d_name))
			continue;
		if (load_name(s, de->d_name, &v) == 1) {
			f(arg, &v);
			loaded++;
		}
	}
	closedir(d);
	return loaded;
}
