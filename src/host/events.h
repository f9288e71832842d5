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

/* A JSON string's inside: '"', '\\' and every byte outside printable ASCII escaped. */
#define HVS_JSON_PEER_MAX (128 * 6 + 1)
void hvs_json_string(char *out, size_t cap, const char *s);

/* Unix time as 2026-11-24T09:15:02Z. */
void hvs_utc_stamp(long long when, char *out, size_t cap);

void hvs_event_accepted(struct hvs_sink *out, const char *peer, const struct hvs_record *rec,
			long long when);

/* For hvs_sink_init(): {"event":"dropped","count":N}. */
size_t hvs_event_dropped_line(char *out, size_t cap, unsigned long long n);

#endif
