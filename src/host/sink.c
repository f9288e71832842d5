/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sink.h"

#include "vsock.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/time.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

enum { KIND_OTHER, KIND_SOCKET, KIND_FILE, KIND_NONBLOCK, KIND_PIPE };

#ifndef PIPE_BUF
#define PIPE_BUF 4096
#endif
#define TIMED_WRITE_US 20000

/* A description of our own of fd, non-blocking: -1 where it cannot be had. */
static int reopen_nonblocking(int fd)
{
	char path[40];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

void hvs_sink_init(struct hvs_sink *s, int fd, char *buf, size_t cap,
		   size_t (*dropped_line)(char *, size_t, unsigned long long))
{
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->fd = s->wfd = fd;
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
	else if ((s->wfd = reopen_nonblocking(fd)) >= 0)
		s->kind = KIND_NONBLOCK;
	else
		s->wfd = fd, s->kind = S_ISFIFO(st.st_mode) ? KIND_PIPE : KIND_OTHER;
}

int hvs_sink_fd(const struct hvs_sink *s)
{
	return s->wfd;
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
	s->queued += len;
}

/*
 * Say what was dropped, in the stream, as soon as there is room for it;
 * first the newline that ends a line a full disk cut short, so that the
 * note and what follows stay lines of their own.
 */
static void tell_dropped(struct hvs_sink *s, size_t keep)
{
	char note[160];
	size_t n;

	if (s->dead || s->dropped <= s->told || !s->dropped_line || s->written < s->note_end)
		return; /* nothing to tell, or the last note is still queued */
	n = s->dropped_line(note + 1, sizeof(note) - 1, s->dropped - s->told);
	if (n && s->len == 0 && s->midline) {
		note[0] = '\n';
		n++;
	} else {
		memmove(note, note + 1, n);
	}
	if (n && room_for(s, n + keep)) {
		append(s, note, n);
		s->note_count = s->dropped - s->told;
		s->note_end = s->queued;
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

static void on_alarm(int sig)
{
	(void)sig; /* only to interrupt a write */
}

/*
 * The last resort, for a terminal we could not open again: a write that
 * an interval timer interrupts (EINTR, or the bytes written so far) if it
 * has not finished within TIMED_WRITE_US. The interval repeats, so a
 * signal that lands before the write starts cannot leave it unbounded.
 */
static ssize_t write_timed(int fd, const char *p, size_t n)
{
	struct itimerval on = { { 0, TIMED_WRITE_US }, { 0, TIMED_WRITE_US } }, off;
	struct sigaction sa, old_sa;
	sigset_t alrm, old_mask;
	ssize_t w;
	int err;

	memset(&off, 0, sizeof(off));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: the write must end */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old_sa);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &alrm, &old_mask);
	setitimer(ITIMER_REAL, &on, NULL);
	w = write(fd, p, n);
	err = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGALRM, &old_sa, NULL);
	errno = err == EINTR ? EAGAIN : err;
	return w;
}

/* A failed write that a later one may get past: room on a disk or in a quota. */
static int room_may_come(int err)
{
	return err == ENOSPC || err == EDQUOT || err == ENOBUFS || err == ENOMEM;
}

/* One write that cannot block (see sink.h). */
static ssize_t write_some(struct hvs_sink *s, const char *p, size_t n)
{
	switch (s->kind) {
	case KIND_SOCKET:
		return send(s->wfd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	case KIND_PIPE:
		return write(s->wfd, p, n > PIPE_BUF ? PIPE_BUF : n);
	case KIND_OTHER:
		return write_timed(s->wfd, p, n);
	default:
		return write(s->wfd, p, n);
	}
}

/*
 * Called when poll() says the fd is writable: until it stops taking, but a
 * pipe that could not be made non-blocking once per readiness, and a
 * terminal once per (bounded) write.
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
			if (room_may_come(errno)) {
				/* What is queued is lost and counted (a note among it is
				 * told again); the stream goes on. */
				unsigned long long lines = hvs_sink_queued_lines(s);

				if (s->written < s->note_end) {
					s->told -= s->note_count;
					lines--;
				}
				s->dropped += lines;
				s->written = s->note_end = s->queued;
				s->len = 0;
				s->head = 0;
				return;
			}
			/* EPIPE, EBADF...: the reader is gone for good. */
			s->dead = 1;
			s->dropped += 1;
			s->len = 0;
			return;
		}
		if (w > 0)
			s->midline = s->buf[(s->head + (size_t)w - 1) % s->cap] != '\n';
		s->head = (s->head + (size_t)w) % s->cap;
		s->len -= (size_t)w;
		s->written += (unsigned long long)w;
		if (s->kind == KIND_PIPE || s->kind == KIND_OTHER)
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
		struct pollfd p = { s->wfd, POLLOUT, 0 };

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
