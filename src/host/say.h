/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The receiver's log: one escaped line per event on stderr, through a
 * bounded queue (sink.h), and rate-limited per call site, so that a flood
 * of connections or a run of identical errors costs a bounded number of
 * lines: at most HVS_SAY_BURST lines per HVS_SAY_WINDOW_MS from one place
 * in the code, then one "... N more like this" line when the window ends.
 * Each line has a syslog priority (syslog.h's LOG_ERR to LOG_INFO): when
 * stderr is the journal's stream (JOURNAL_STREAM names it, sd-daemon(3)),
 * the line starts with "<N>", so that journalctl -p filters it; elsewhere,
 * a terminal or a file, it does not.
 *
 *   err      the receiver cannot go on, or cannot do what it was started for
 *   warning  a guest was refused, failed or closed, or a file or a peer of
 *            the receiver misbehaves: an operator may have to act
 *   notice   a range accepted: the event the receiver exists for
 *   info     what it does as expected: listening, loaded, a duplicate
 */
#ifndef HVS_SAY_H
#define HVS_SAY_H

#include "sink.h"

#include <syslog.h>

#define HVS_SAY_BURST 20u
#define HVS_SAY_WINDOW_MS 10000

struct hvs_rate {
	const char *fmt;      /* the call site's format: names the kind of line */
	long long window;     /* when the current window began */
	unsigned lines;       /* written in this window */
	unsigned long long held; /* not written in this window */
	int registered;
	int level;            /* of its last line: its summary's */
};

/* err: the log's queue. Reads JOURNAL_STREAM: are lines to start with "<N>"? */
void hvs_say_init(struct hvs_sink *err);

void hvs_say_rated(struct hvs_rate *r, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Every call site its own rate. */
#define say_at(level, ...) do {                                    \
		static struct hvs_rate say_rate_;                  \
		hvs_say_rated(&say_rate_, (level), __VA_ARGS__);   \
	} while (0)
#define say_err(...) say_at(LOG_ERR, __VA_ARGS__)
#define say_warn(...) say_at(LOG_WARNING, __VA_ARGS__)
#define say_notice(...) say_at(LOG_NOTICE, __VA_ARGS__)
#define say_info(...) say_at(LOG_INFO, __VA_ARGS__)

/* Close the windows that have ended: their "N more" lines. */
void hvs_say_tick(long long now_ms);

#endif
