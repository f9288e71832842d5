/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "status.h"

#include "fileio.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct out {
	char *buf;
	size_t cap, len;
	int overflow;
};

static void add(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->overflow = 1;
		return;
	}
	o->len += (size_t)n;
}

size_t hvs_status_format(const struct hvs_status *s, char *buf, size_t cap)
{
	struct out o = { buf, cap, 0, 0 };
	size_t i, start;

	add(&o, "state=%s\n", s->state);
	add(&o, "verdict=%s\n", s->verdict);
	if (s->have_pool) {
		add(&o, "base=0x%llx\n", (unsigned long long)s->base);
		add(&o, "size=%llu\n", (unsigned long long)s->size);
	}
	add(&o, "requested=%llu\n", (unsigned long long)s->requested);
	if (s->target)
		add(&o, "target=%s\n", s->target);
	add(&o, "attempts=%u\n", s->attempts);
	add(&o, "elapsed_ms=%u\n", s->elapsed_ms);
	if (s->ack)
		add(&o, "ack=%s\n", s->ack);
	add(&o, "required=%d\n", s->required);
	add(&o, "exit=%d\n", s->exit_code);
	start = o.len;
	add(&o, "reason=%s\n", s->reason ? s->reason : "");
	if (o.overflow)
		return 0;
	/* The reason is one value on one line, whatever it quotes. */
	for (i = start; i + 1 < o.len; i++)
		if ((unsigned char)buf[i] < 0x20)
			buf[i] = ' ';
	return o.len;
}

int hvs_status_write(const char *run_dir, const struct hvs_status *s)
{
	char dir[512], path[512], text[1024];
	size_t len = hvs_status_format(s, text, sizeof(text));

	if (len == 0 ||
	    hvs_path_join(dir, sizeof(dir), run_dir, "/hv-swiotlb") < 0 ||
	    hvs_path_join(path, sizeof(path), dir, "/status") < 0)
		return -1;
	if (hvs_mkdir_p(dir, 0755) < 0)
		return -1;
	return hvs_write_file_atomic(path, text, len);
}
