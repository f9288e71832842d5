/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "events.h"

#include <stdio.h>
#include <time.h>

void hvs_json_string(char *out, size_t cap, const char *s)
{
	size_t o = 0;

	for (; *s && o + 7 < cap; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch < 0x20 || ch >= 0x7f) {
			/* Not UTF-8 we vouch for: every byte outside ASCII is escaped. */
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", ch);
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
}

void hvs_utc_stamp(long long when, char *out, size_t cap)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, cap, "%lld", when);
}

void hvs_event_accepted(struct hvs_sink *out, const char *peer, const struct hvs_record *rec,
			long long when)
{
	char p[HVS_JSON_PEER_MAX], id[37], stamp[32], line[1200];
	int n;

	hvs_json_string(p, sizeof(p), peer);
	hvs_uuid_format(rec->boot_id, id);
	hvs_utc_stamp(when, stamp, sizeof(stamp));
	n = snprintf(line, sizeof(line), "{\"event\":\"accepted\",\"peer\":\"%s\",\"boot_id\":"
		     "\"%s\",\"base\":\"0x%llx\",\"size\":%llu,\"time\":\"%s\"}\n", p, id,
		     (unsigned long long)rec->base, (unsigned long long)rec->size, stamp);
	if (n > 0 && (size_t)n < sizeof(line))
		(void)hvs_sink_put(out, line, (size_t)n);
}

size_t hvs_event_dropped_line(char *out, size_t cap, unsigned long long n)
{
	int len = snprintf(out, cap, "{\"event\":\"dropped\",\"count\":%llu}\n", n);

	return len > 0 && (size_t)len < cap ? (size_t)len : 0;
}
