/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event stream on stdout: one JSON object per line for each newly
 * applied range, and one "dropped" object when lines could not be written
 * because nobody read them (sink.h). The state directory, not this
 * stream, is the durable record.
 */
#ifndef HVS_EVENTS_H
#define HVS_EVENTS_H

#include "sink.h"
#include "wire.h"

#include <stddef.h>

void hvs_event_accepted(struct hvs_sink *out, const char *peer, const struct hvs_record *rec,
			long long when);

/* For hvs_sink_init(): {"event":"dropped","count":N}. */
size_t hvs_event_dropped_line(char *out, size_t cap, unsigned long long n);

#endif
