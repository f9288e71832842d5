/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounded output queue for a file descriptor the receiver does not own:
 * stdout (the JSON events) and stderr (the log). Nothing is ever written
 * to them in a way that can block the event loop: a reader that stops
 * reading costs queued lines, never a guest's handoff. Whole lines only;
 * a line that does not fit is dropped and counted, and the count is said
 * in the stream itself once there is room again. A write that fails for
 * want of room (a full disk or quota, ENOSPC, EDQUOT) drops what is
 * queued, counted, and the next line is tried again: only a reader gone
 * for good (EPIPE, EBADF and the like) ends the stream.
 *
 * "Writable" is not "a write of this size cannot block": a terminal says
 * it is writable with one byte of room, and a blocking write then waits
 * for a reader that may never come. So a pipe, FIFO, terminal or device
 * is written through a description of its own, opened again through
 * /proc/self/fd with O_NONBLOCK (the shared one, which the shell or a
 * terminal's other users hold too, is never changed). Where that cannot
 * be opened, a pipe takes PIPE_BUF bytes at a time (POSIX says they fit
 * when it is writable) and anything else a write bounded by a 20 ms timer.
 */
#ifndef HVS_SINK_H
#define HVS_SINK_H

#include <stddef.h>

struct hvs_sink {
	int fd;
	int wfd;                    /* what is written: fd, or our own non-blocking one */
	int kind;                   /* socket, regular file, non-blocking, pipe, or other */
	int dead;                   /* EPIPE and the like: everything is dropped */
	char *buf;
	size_t cap, head, len;      /* a ring: len bytes from head */
	unsigned long long dropped; /* lines not queued */
	unsigned long long told;    /* of which the stream was told */
	int midline;                /* a write stopped inside a line: end it first */
	/* Bytes ever queued and written, and where the last note ends and what
	 * it says: a note a full disk drops is told again, not lost. */
	unsigned long long queued, written, note_end, note_count;
	/* The line that says "n lines were dropped", in the stream's format. */
	size_t (*dropped_line)(char *out, size_t cap, unsigned long long n);
};

void hvs_sink_init(struct hvs_sink *s, int fd, char *buf, size_t cap,
		   size_t (*dropped_line)(char *, size_t, unsigned long long));

/* Queue one whole line (with its newline). 0, or -1 when it was dropped. */
int hvs_sink_put(struct hvs_sink *s, const char *line, size_t len);

/* The descriptor to watch for POLLOUT. */
int hvs_sink_fd(const struct hvs_sink *s);

/* Something is waiting: poll the fd for POLLOUT. */
int hvs_sink_pending(const struct hvs_sink *s);

/* Write what the fd takes now, without blocking. */
void hvs_sink_flush(struct hvs_sink *s);

/* At exit: keep flushing for at most ms milliseconds. */
void hvs_sink_drain(struct hvs_sink *s, int ms);

/* Lines dropped that the stream was not told of (yet). */
unsigned long long hvs_sink_lost(const struct hvs_sink *s);

/* Lines still queued, counted by their newlines. */
unsigned long long hvs_sink_queued_lines(const struct hvs_sink *s);

#endif
