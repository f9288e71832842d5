/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include "compat.h"
#include "deadline.h"
#include "fileio.h"
#include "text.h"

#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

/*
 * /dev/kmsg lets each open file write ten lines per five seconds; a debug
 * run writes more, so the file is opened again after this many.
 */
#define KMSG_LINES_PER_OPEN 8

static const char *log_kmsg;
static int log_debug;
static int kmsg_fd = -1;
static unsigned kmsg_lines;

void hvs_log_setup(const char *kmsg_path, int debug)
{
	log_kmsg = kmsg_path;
	log_debug = debug;
}

void hvs_log_set_debug(int debug)
{
	log_debug = debug;
}

int hvs_log_debug_enabled(void)
{
	return log_debug;
}

static int kmsg_write(const char *line, size_t len)
{
	if (!log_kmsg)
		return -1;
	if (kmsg_fd >= 0 && kmsg_lines >= KMSG_LINES_PER_OPEN) {
		close(kmsg_fd);
		kmsg_fd = -1;
	}
	if (kmsg_fd < 0) {
		/* O_NONBLOCK: a FIFO put in its place must not hold the run. */
		kmsg_fd = open(log_kmsg, O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		kmsg_lines = 0;
		if (kmsg_fd < 0)
			return -1;
	}
	kmsg_lines++;
	/* One write per record: /dev/kmsg takes each write as one line. */
	if (write(kmsg_fd, line, len) == (ssize_t)len)
		return 0;
	close(kmsg_fd);
	kmsg_fd = -1;
	return -1;
}

static int writable_now(int fd)
{
	struct pollfd p = { fd, POLLOUT, 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

/* Async-signal-safe: no stdio, no heap, only this stack frame. */
static void emit(int prio, const char *prefix, const char *msg)
{
	char line[1024];
	struct hvs_text t;
	size_t head;

	hvs_text_init(&t, line, sizeof(line) - 1);
	hvs_text_char(&t, '<');
	hvs_text_u64(&t, (unsigned)prio);
	hvs_text_char(&t, '>');
	head = t.len;
	hvs_text_str(&t, "hv-swiotlb: ");
	hvs_text_str(&t, prefix);
	hvs_text_esc(&t, msg);
	line[t.len++] = '\n'; /* the cap above kept room for it */
	if (kmsg_write(line, t.len) == 0)
		return;
	/*
	 * Past the deadline, a stalled console behind stderr gets nothing
	 * more: the run must end now, and the status file says it all.
	 */
	if (hvs_deadline_fired() && !writable_now(2))
		return;
	(void)hvs_write_all(2, line + head, t.len - head);
}

void hvs_log_text(int prio, const char *msg)
{
	emit(prio, "", msg);
}

static void vlog(int prio, const char *prefix, const char *fmt, va_list ap)
{
	char msg[768];
	struct hvs_text t;

	hvs_text_init(&t, msg, sizeof(msg));
	hvs_text_vfmt(&t, fmt, ap);
	emit(prio, prefix, msg);
}

void hvs_log(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, "", fmt, ap);
	va_end(ap);
}

void hvs_debug(const char *fmt, ...)
{
	char prefix[24];
	struct hvs_text t;
	va_list ap;

	if (!log_debug)
		return;
	hvs_text_init(&t, prefix, sizeof(prefix));
	hvs_text_str(&t, "[+");
	hvs_text_u64(&t, hvs_deadline_elapsed_ms());
	hvs_text_str(&t, "ms] ");
	va_start(ap, fmt);
	vlog(HVS_LOG_DEBUG, prefix, fmt, ap);
	va_end(ap);
}
