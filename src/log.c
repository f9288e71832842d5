/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include "deadline.h"
#include "fileio.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 02000000
#endif

static const char *log_kmsg;
static int log_debug;

void hvs_log_setup(const char *kmsg_path, int debug)
{
	log_kmsg = kmsg_path;
	log_debug = debug;
}

int hvs_log_debug_enabled(void)
{
	return log_debug;
}

static void emit(int prio, const char *prefix, const char *fmt, va_list ap)
{
	char line[900];
	int head, n, fd;
	size_t len, i;

	/* "<prio>" is read by /dev/kmsg and stripped on the stderr path. */
	head = snprintf(line, sizeof(line), "<%d>hv-swiotlb: %s", prio, prefix);
	n = vsnprintf(line + head, sizeof(line) - (size_t)head - 1, fmt, ap);
	len = (size_t)head + (n < 0 ? 0 : (size_t)n);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	/* One event, one line: nothing we print may break it in two. */
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20)
			line[i] = ' ';
	line[len++] = '\n';

	if (log_kmsg) {
		/*
		 * Open per line: /dev/kmsg rate-limits each open file to ten
		 * lines per five seconds, and a debug run prints more.
		 */
		fd = open(log_kmsg, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0) {
			int ok = hvs_write_all(fd, line, len) == 0;

			close(fd);
			if (ok)
				return;
		}
	}
	head = line[2] == '>' ? 3 : 4; /* skip "<N>" */
	(void)hvs_write_all(2, line + head, len - (size_t)head);
}

void hvs_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(prio, "", fmt, ap);
	va_end(ap);
}

void hvs_debug(const char *fmt, ...)
{
	char prefix[24];
	va_list ap;

	if (!log_debug)
		return;
	snprintf(prefix, sizeof(prefix), "[+%ums] ", hvs_deadline_elapsed_ms());
	va_start(ap, fmt);
	emit(HVS_LOG_DEBUG, prefix, fmt, ap);
	va_end(ap);
}
