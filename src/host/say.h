/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The receiver's log: one escaped line per event on stderr, through a
 * bounded queue (sink.h), and rate-limited per call site, so that a flood
 * of connections or a run of identical errors costs a bounded number of
 * lines: at most HVS_SAY_BURST lines per HVS_SAY_WINDOW_MS from one place
 * in the code, then one "... N more like this" line when the window ends.
 */
#ifndef HVS_SAY_H
#define HVS_SAY_H

#include "sink.h"

#define HVS_SAY_BURST 20u
#define HVS_SAY_WINDOW_MS 10000

struct hvs_rate {
	const char *fmt;      /* the call site's format: names the kind of line */
	long long window;     /* when the current window began */
	unsigned lines;       /* written in this window */
	unsigned long long held; /* not written in this window */
	int registered;
};

void hvs_say_init(struct hvs_sink *err);

void hvs_say_rated(struct hvs_rate *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Every call site its own rate. */
#define say(...) do {                                      \
		static struct hvs_rate say_rate_;          \
		hvs_say_rated(&say_rate_, __VA_ARGS__);    \
	} while (0)

/* Close the windows that have ended: their "N more" lines. */
void hvs_say_tick(long long now_ms);

/* The monotonic clock, in milliseconds. */
long long hvs_now_ms(void);

#endif
