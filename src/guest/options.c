/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE 1 /* getdents64() in glibc and musl */
#include "options.h"

#include "compat.h"
#include "errname.h"
#include "fileio.h"
#include "guard.h"
#include "kcmdline.h"
#include "numbers.h"
#include "text.h"
#include "wire.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#define MAX_CONF_FILES 32
#define MAX_CONF_NAME 64
#define MAX_CONF_BYTES 4096

void hvs_options_defaults(struct hvs_options *o)
{
	memset(o, 0, sizeof(*o));
	o->enabled = 1;
	o->timeout_ms = HVS_DEFAULT_TIMEOUT_MS;
	o->port = HVS_DEFAULT_PORT;
	o->cid = HVS_DEFAULT_CID;
}

static void warn(struct hvs_options *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void warn(struct hvs_options *o, const char *fmt, ...)
{
	struct hvs_text t;
	va_list ap;

	if (o->nwarnings >= HVS_MAX_WARNINGS) {
		o->lost_warnings++;
		return;
	}
	hvs_text_init(&t, o->warning[o->nwarnings++], sizeof(o->warning[0]));
	va_start(ap, fmt);
	hvs_text_vfmt(&t, fmt, ap);
	va_end(ap);
}

/* getargbool: bare means yes; 0, no and off mean no; anything else yes. */
static int dracut_bool(const char *val)
{
	if (!val)
		return 1;
	return !(strcmp(val, "0") == 0 || strcmp(val, "no") == 0 ||
		 strcmp(val, "off") == 0);
}

enum { OPT_ENABLED, OPT_DEBUG, OPT_REQUIRED, OPT_TIMEOUT, OPT_PORT, OPT_CID, OPT_COUNT };

static const char *const names[OPT_COUNT] = {
	"rd.hvswiotlb", "rd.hvswiotlb.debug", "rd.hvswiotlb.required",
	"rd.hvswiotlb.timeout", "rd.hvswiotlb.port", "rd.hvswiotlb.cid",
};

typedef char option_count_matches[OPT_COUNT == HVS_OPTION_COUNT ? 1 : -1];

/*
 * The kernel parameters that change the handoff, as the kernel itself
 * takes them. elfcorehdr=<address> is what kexec gives a crash kernel. The kernel's
 * hard "no" to hibernation is nohibernate_setup() and hibernate_setup()
 * (kernel/power/hibernate.c), found as obsolete_checksetup() finds every
 * __setup name, by prefix: "nohibernate" begins the parameter, or
 * hibernate='s value begins "no" but neither "noresume" nor "nocompress"
 * (whole words: "nocomp" is a "no"). noresume and hibernate=noresume are
 * not a "no": they stop only the kernel's own attempt, and a write to
 * /sys/power/resume from the initramfs clears them.
 */
static void note_kernel_param(struct hvs_options *o, const char *param, const char *val)
{
	if (!val && !strcmp(param, "--"))
		o->kernel_line = 0; /* parse_args() stops here */
	else if (!strcmp(param, "elfcorehdr") && val)
		o->crash = 1; /* without a value the kernel ignores it */
	else if (!strncmp(param, "nohibernate", 11) ||
		 (!strcmp(param, "hibernate") && val && !strncmp(val, "no", 2) &&
		  strncmp(val, "noresume", 8) && strncmp(val, "nocompress", 10)))
		o->nohibernate = 1;
}

void hvs_options_apply(char *text, struct hvs_options *o)
{
	char *args = text;
	int i;

	/*
	 * dracut-getarg walks next_arg() tokens to the very end (no "--" stop)
	 * and keeps the last match by exact name; so do we, across sources.
	 */
	while (hvs_kisspace((unsigned char)*args))
		args++;
	while (*args) {
		char *param, *val;

		args = hvs_next_arg(args, &param, &val);
		if (strncmp(param, "rd.hvswiotlb", 12) != 0) {
			if (o->kernel_line)
				note_kernel_param(o, param, val);
			continue;
		}
		for (i = 0; i < OPT_COUNT; i++) {
			if (strcmp(param, names[i]) != 0)
				continue;
			o->seen[i] = 1;
			o->bare[i] = val == NULL;
			/* Longer than any valid value: never cut into a valid one. */
			hvs_snprintf(o->value[i], sizeof(o->value[i]), "%s",
				     !val ? "" : strlen(val) < sizeof(o->value[i]) ? val
				     : "(more than 47 bytes)");
		}
	}
}

void hvs_options_finish(struct hvs_options *o)
{
	int i;

	for (i = 0; i < OPT_COUNT; i++) {
		const char *val = o->bare[i] ? NULL : o->value[i];
		uint32_t v;
		unsigned ms;

		if (!o->seen[i])
			continue;
		switch (i) {
		case OPT_ENABLED: o->enabled = dracut_bool(val); break;
		case OPT_DEBUG: o->debug = dracut_bool(val); break;
		case OPT_REQUIRED: o->required = dracut_bool(val); break;
		case OPT_TIMEOUT:
			if (val && hvs_parse_seconds_ms(val, &ms) == 0)
				o->timeout_ms = ms;
			else
				warn(o, "ignoring %s=%.40s: expected seconds, more than 0 and "
				     "at most 600", names[i], val ? val : "");
			break;
		default: /* OPT_PORT, OPT_CID */
			if (val && hvs_parse_u32(val, &v) == 0 &&
			    (i == OPT_PORT ? hvs_valid_port(v) : hvs_valid_cid(v)))
				*(i == OPT_PORT ? &o->port : &o->cid) = v;
			else
				warn(o, "ignoring %s=%.40s: expected a number from 1 to "
				     "4294967294", names[i], val ? val : "");
		}
	}
}

/*
 * One buffer for the directory's records and then for each file's text:
 * the listing is done before the first file is read. A second would only
 * add to the binary's memory, and a page to its file (see the Makefile).
 */
static char io_buf[MAX_CONF_BYTES] __attribute__((aligned(8)));

/* 0 applied or absent, -1 interrupted by the deadline. */
static int apply_file(const char *path, struct hvs_options *o)
{
	char *text = io_buf;
	ssize_t n;

	hvs_step("reading", path);
	n = hvs_read_file(path, text, sizeof(io_buf));
	if (n < 0) {
		if (errno == EINTR)
			return -1;
		if (errno != ENOENT)
			warn(o, "ignoring %.100s: %s", path, errno == EFBIG
			     ? "more than 4095 bytes" : hvs_errname(errno));
		return 0;
	}
	/* A NUL byte becomes a blank: it must not end the text early. */
	hvs_cmdline_from_file(text, (size_t)n);
	hvs_options_apply(text, o);
	return 0;
}

/* Keep names sorted and the MAX_CONF_FILES smallest, as a sorted glob would begin. */
static size_t insert_sorted(char names_[][MAX_CONF_NAME], size_t count, const char *name)
{
	size_t i = count;

	if (count == MAX_CONF_FILES) {
		if (strcmp(name, names_[count - 1]) >= 0)
			return count;
		i = --count;
	}
	for (; i > 0 && strcmp(names_[i - 1], name) > 0; i--)
		memcpy(names_[i], names_[i - 1], MAX_CONF_NAME);
	memcpy(names_[i], name, strlen(name) + 1);
	return count + 1;
}

/*
 * The kernel's directory records (struct linux_dirent64), read with
 * getdents64 rather than opendir(), which would take memory from the heap.
 */
static ssize_t read_entries(int fd, char *buf, size_t len)
{
#ifdef __KLIBC__
	return getdents((unsigned)fd, (struct dirent *)(void *)buf, (unsigned)len);
#else
	return getdents64(fd, (void *)buf, len);
#endif
}

#define DIRENT_RECLEN 16 /* after d_ino (8) and d_off (8) */
#define DIRENT_NAME 19   /* after d_reclen (2) and d_type (1) */

/* Sorted names of dir/\*.conf; -1 with errno EINTR on the deadline. */
static int list_confs(const char *dir, char names_[][MAX_CONF_NAME], size_t *count,
		      struct hvs_options *o)
{
	char *buf = io_buf;
	size_t skipped = 0;
	int fd, saved;

	*count = 0;
	hvs_step("listing", dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == EINTR ? -1 : 0;
	for (;;) {
		ssize_t n = read_entries(fd, buf, sizeof(io_buf)), at;

		if (n <= 0) {
			saved = errno;
			close(fd);
			if (n < 0 && saved == EINTR) {
				errno = EINTR;
				return -1;
			}
			break;
		}
		for (at = 0; at < n;) {
			unsigned short reclen;
			const char *name = buf + at + DIRENT_NAME;
			size_t len;

			memcpy(&reclen, buf + at + DIRENT_RECLEN, sizeof(reclen));
			if (reclen == 0 || at + reclen > n)
				break;
			at += reclen;
			len = strnlen(name, (size_t)(buf + at - name));
			if (len <= 5 || name[0] == '.' || memcmp(name + len - 5, ".conf", 6))
				continue;
			if (len >= MAX_CONF_NAME || *count == MAX_CONF_FILES)
				skipped++;
			if (len < MAX_CONF_NAME)
				*count = insert_sorted(names_, *count, name);
		}
	}
	if (skipped)
		warn(o, "%.100s: only the first 32 *.conf files with names under 64 bytes "
		     "are read", dir);
	return 0;
}

int hvs_options_read_files(const char *etc_dir, struct hvs_options *o)
{
	static char confs[MAX_CONF_FILES][MAX_CONF_NAME];
	char dir[512], path[600];
	size_t count, i;

	if (hvs_path_join(dir, sizeof(dir), etc_dir, "/cmdline.d") < 0)
		return 0;
	if (list_confs(dir, confs, &count, o) < 0)
		return -1;
	for (i = 0; i < count; i++) {
		hvs_snprintf(path, sizeof(path), "%s/%s", dir, confs[i]);
		if (apply_file(path, o) < 0)
			return -1;
	}
	if (hvs_path_join(path, sizeof(path), etc_dir, "/cmdline") < 0)
		return 0;
	return apply_file(path, o);
}
