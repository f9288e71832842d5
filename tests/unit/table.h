/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the unit tests: the parser table and fixture trees. */
#ifndef HVS_TEST_TABLE_H
#define HVS_TEST_TABLE_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Decode \t, \n, \\ and \0NNN, as printf %b does in the shell tests. */
static inline void table_unescape(const char *in, char *out, size_t cap)
{
	size_t o = 0;

	while (*in && o + 1 < cap) {
		if (in[0] == '\\' && in[1] == 't') {
			out[o++] = '\t';
			in += 2;
		} else if (in[0] == '\\' && in[1] == 'n') {
			out[o++] = '\n';
			in += 2;
		} else if (in[0] == '\\' && in[1] == '\\') {
			out[o++] = '\\';
			in += 2;
		} else if (in[0] == '\\' && in[1] == '0' && in[2] && in[3] && in[4]) {
			out[o++] = (char)(((in[2] - '0') << 6) | ((in[3] - '0') << 3) |
					  (in[4] - '0'));
			in += 5;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
}

struct table_row {
	unsigned line;
	uint64_t size;
	char state[16];
	char cmdline[512];
};

/* Next data row of the table; 1 found, 0 at the end. */
static inline int table_next(FILE *f, unsigned *lineno, struct table_row *r)
{
	char buf[600];

	while (fgets(buf, sizeof(buf), f)) {
		char *p, *q;
		size_t n = strlen(buf);

		(*lineno)++;
		if (n && buf[n - 1] == '\n')
			buf[--n] = '\0';
		if (buf[0] == '#' || buf[0] == '\0')
			continue;
		r->line = *lineno;
		r->size = strtoull(buf, &p, 10);
		if (*p != ' ')
			return -1;
		q = strchr(p + 1, ' ');
		n = q ? (size_t)(q - (p + 1)) : strlen(p + 1);
		if (n >= sizeof(r->state))
			return -1;
		memcpy(r->state, p + 1, n);
		r->state[n] = '\0';
		table_unescape(q ? q + 1 : "", r->cmdline, sizeof(r->cmdline));
		return 1;
	}
	return 0;
}

/* Write a file below dir, creating parents; aborts the test run on error. */
static inline void fixture_write(const char *dir, const char *rel, const char *fmt, ...)
{
	char path[1024], cmd[1100];
	FILE *f;
	va_list ap;
	char *slash;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	slash = strrchr(path, '/');
	*slash = '\0';
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	if (system(cmd) != 0)
		abort();
	*slash = '/';
	f = fopen(path, "w");
	if (!f)
		abort();
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static inline void fixture_tmpdir(char *out, size_t cap)
{
	snprintf(out, cap, "/tmp/hvs-unit-XXXXXX");
	if (!mkdtemp(out))
		abort();
}

/*
 * Lower the soft descriptor limit so that only `spare` more can be opened
 * (0: none); *was keeps the limit to put back with fixture_fd_restore.
 */
static inline void fixture_fd_limit(unsigned spare, struct rlimit *was)
{
	struct rlimit tight;
	int fd = dup(0);

	if (fd < 0 || getrlimit(RLIMIT_NOFILE, was) < 0)
		abort();
	close(fd); /* the lowest descriptor free */
	tight = *was;
	tight.rlim_cur = (rlim_t)fd + spare;
	if (setrlimit(RLIMIT_NOFILE, &tight) < 0)
		abort();
}

static inline void fixture_fd_restore(const struct rlimit *was)
{
	if (setrlimit(RLIMIT_NOFILE, was) < 0)
		abort();
}

static inline void fixture_rm(const char *dir)
{
	char cmd[1100];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		abort();
}

#endif
