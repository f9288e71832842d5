/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sink.h"

#include "vsock.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

enum { KIND_OTHER, KIND_SOCKET, KIND_FILE };

#ifndef PIPE_BUF
#define PIPE_BUF 4096
#endif

void hvs_sink_init(struct hvs_sink *s, int fd, char *buf, size_t cap,
		   size_t (*dropped_line)(char *, size_t, unsigned long long))
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->buf = buf;
	s->cap = cap;
	s->dropped_line = dropped_line;
	s->kind = KIND_OTHER;
	if (fstat(fd, &st) < 0)
		s->dead = 1; /* closed: nobody to write to */
	else if (S_ISSOCK(st.st_mode))
		s->kind = KIND_SOCKET;
	else if (S_ISREG(st.st_mode))
		s->kind = KIND_FILE;
}

static int room_for(const struct hvs_sink *s, size_t len)
{
	return s->cap - s->len >= len;
}

static void append(struct hvs_sink *s, const char *p, size_t len)
{
	size_t tail = (s->head + s->len) % s->cap, first = s->cap - tail;

	if (first > len)
		first = len;
	memcpy(s->buf + tail, p, first);
	memcpy(s->buf, p + first, len - first);
	s->len += len;
}

/* Say what was dropped, in the stream, as soon as there is room for it. */
static void tell_dropped(struct hvs_sink *s, size_t keep)
{
	char note[160];
	size_t n;

	if (s->dead || s->dropped <= s->told || !s->dropped_line)
		return;
	n = s->dropped_line(note, sizeof(note), s->dropped - s->told);
	if (n && room_for(s, n + keep)) {
		append(s, note, n);
		s->told = s->dropped;
	}
}

int hvs_sink_put(struct hvs_sink *s, const char *line, size_t len)
{
	tell_dropped(s, len);
	if (s->dead || !room_for(s, len)) {
		s->dropped++;
		return -1;
	}
	append(s, line, len);
	return 0;
}

int hvs_sink_pending(const struct hvs_sink *s)
{
	return !s->dead && s->len > 0;
}

/* One write that cannot block: see hvs_sink_flush(). */
static ssize_t write_some(struct hvs_sink *s, const char *p, size_t n)
{
	if (s->kind == KIND_SOCKET)
		return send(s->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (s->kind != KIND_FILE && n > PIPE_BUF)
		n = PIPE_BUF;
	return write(s->fd, p, n);
}

/*
 * Called when poll() says the fd is writable. A socket takes MSG_DONTWAIT;
 * a pipe that is writable has room for PIPE_BUF bytes, so one write of at
 * most that cannot block; a regular file does not block. So: sockets and
 * files until they stop taking, anything else one PIPE_BUF at a time.
 */
void hvs_sink_flush(struct hvs_sink *s)
{
	while (!s->dead && s->len > 0) {
		size_t n = s->cap - s->head;
		ssize_t w;

		if (n > s->len)
			n = s->len;
		w = write_some(s, s->buf + s->head, n);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			/* EPIPE, EBADF...: the reader is gone for good. */
			s->dead = 1;
			s->dropped += 1;
			s->len = 0;
			return;
		}
		s->head = (s->head + (size_t)w) % s->cap;
		s->len -= (size_t)w;
		if (s->kind == KIND_OTHER)
			break; /* one write per readiness */
	}
	if (s->len == 0)
		s->head = 0;
	tell_dropped(s, 0);
}

unsigned long long hvs_sink_lost(const struct hvs_sink *s)
{
	return s->dropped - s->told;
}

void hvs_sink_drain(struct hvs_sink *s, int ms)
{
	while ((hvs_sink_pending(s) || hvs_sink_lost(s)) && ms > 0) {
		struct pollfd p = { s->fd, POLLOUT, 0 };

		if (poll(&p, 1, ms > 50 ? 50 : ms) > 0)
			hvs_sink_flush(s);
		ms -= 50;
	}
}

unsigned long long hvs_sink_queued_lines(const struct hvs_sink *s)
{
	unsigned long long lines = 0;
	size_t i;

	for (i = 0; i < s->len; i++)
		lines += s->buf[(s->head + i) % s->cap] == '\n';
	return lines;
}
