/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "say.h"

#include "clock.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SITES 128

static struct hvs_sink *sink;
static struct hvs_rate *sites[MAX_SITES];
static size_t nsites;
static int to_journal;

/* Is fd 2 the stream JOURNAL_STREAM ("DEVICE:INODE", decimal) names? */
static int stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	if (!v || sscanf(v, "%llu:%llu%c", &dev, &ino, &end) != 2)
		return 0;
	if (fstat(2, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void hvs_say_init(struct hvs_sink *err)
{
	sink = err;
	to_journal = stderr_is_journal();
}

/*
 * A message's raw text may hold two file names of 255 bytes and the state
 * directory's path; escaped, every byte may become four. Both buffers fit
 * that whole; what still does not fit is said to be cut, never cut silently.
 */
#define MSG_MAX 3072
#define LINE_MAX_BYTES (4 * MSG_MAX + 64)

static void emit(int level, const char *msg, size_t more)
{
	char line[LINE_MAX_BYTES];
	size_t n = 0, len = strlen(msg), used;

	/* The journal takes the priority from the prefix and strips it. */
	if (to_journal)
		n = hvs_snprintf(line, 8, "<%d>", level & 7);
	memcpy(line + n, "hv-swiotlb-recv: ", 17);
	n += 17;
	n += hvs_escape(line + n, sizeof(line) - 64, msg, len, &used);
	more += len - used;
	if (more)
		n += hvs_snprintf(line + n, sizeof(line) - n - 1, " [cut: %zu bytes more]", more);
	line[n++] = '\n';
	if (sink)
		(void)hvs_sink_put(sink, line, n);
	else if (write(2, line, n) < 0) /* before main() set the queue up: tests */
		return;
}

/* The kind of line, for the summary: its format, each value shown as '*'. */
static void summarize(struct hvs_rate *r)
{
	char kind[120], msg[240];
	const char *f = r->fmt;
	size_t k = 0;

	while (*f && k + 2 < sizeof(kind)) {
		if (*f != '%') {
			kind[k++] = *f++;
			continue;
		}
		f++;
		if (*f == '%') {
			kind[k++] = *f++;
			continue;
		}
		while (*f && !strchr("csdiuxpf", *f))
			f++; /* flags, width, precision, length */
		if (*f)
			f++;
		kind[k++] = '*';
	}
	kind[k] = '\0';
	snprintf(msg, sizeof(msg), "... %llu more lines like \"%s\" in the last %d s", r->held,
		 kind, HVS_SAY_WINDOW_MS / 1000);
	emit(r->level, msg, 0);
	r->held = 0;
}

void hvs_say_rated(struct hvs_rate *r, int level, const char *fmt, ...)
{
	char msg[MSG_MAX];
	long long now = hvs_now_ms();
	va_list ap;
	int len;

	if (!r->registered && nsites < MAX_SITES) {
		sites[nsites++] = r;
		r->registered = 1;
	}
	r->fmt = fmt;
	r->level = level;
	if (now - r->window >= HVS_SAY_WINDOW_MS) {
		if (r->held)
			summarize(r);
		r->window = now;
		r->lines = 0;
	}
	if (r->lines >= HVS_SAY_BURST) {
		r->held++;
		return;
	}
	r->lines++;
	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(level, msg, len >= (int)sizeof(msg) ? (size_t)len - (sizeof(msg) - 1) : 0);
}

void hvs_say_tick(long long now)
{
	size_t i;

	for (i = 0; i < nsites; i++) {
		struct hvs_rate *r = sites[i];

		if (r->held && now - r->window >= HVS_SAY_WINDOW_MS) {
			summarize(r);
			r->window = now;
			r->lines = 0;
		}
	}
}
