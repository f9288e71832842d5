/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "list.h"

#include "events.h"
#include "fileio.h"
#include "statedir.h"
#include "text.h"
#include "wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One good file: a guest's decision (kind APPLIED, u.d) or its latest not applied. */
struct row {
	char peer[HVS_PEER_MAX];
	enum hvs_state_kind kind;
	struct hvs_unapplied u;
};

struct listing {
	struct row *rows;
	size_t n, cap;
	const char *only; /* one peer, or NULL for all */
	int damaged, json, oom;
};

/* printf to fd: the widths of a table, which the project's small printf lacks. */
__attribute__((format(printf, 2, 3))) static void out(int fd, const char *fmt, ...)
{
	char line[8192]; /* a damaged file's name of 255 bytes, escaped twice, and why */
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)hvs_write_all(fd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void print_damaged(const struct listing *ls, const char *file, const char *why)
{
	/* A whole file name, every byte escaped as JSON's \u00XX. */
	char f[6 * 255 + 1], w[400], raw_aside[256], aside[4 * 255 + 1];

	if (ls->json) {
		hvs_json_string(f, sizeof(f), file);
		hvs_json_string(w, sizeof(w), why);
		out(1, "{\"file\":\"%s\",\"damaged\":\"%s\"}\n", f, w);
	}
	hvs_escape(f, sizeof(f), file, strlen(file), NULL);
	hvs_escape(w, sizeof(w), why, strlen(why), NULL);
	hvs_statedir_aside_name(file, raw_aside, sizeof(raw_aside));
	hvs_escape(aside, sizeof(aside), raw_aside, strlen(raw_aside), NULL);
	out(2, "hv-swiotlb-recv: %s is damaged (%s): not shown; the receiver moves it "
		     "aside as %s when it reads it\n", f, w, aside);
}

static void collect(void *arg, const char *file, const char *peer, const struct hvs_decision *d,
		    const struct hvs_unapplied *u, const char *why)
{
	struct listing *ls = arg;
	struct row *r;

	if (!d && !u) {
		ls->damaged = 1;
		print_damaged(ls, file, why);
		return;
	}
	if (ls->only && strcmp(ls->only, peer) != 0)
		return;
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 64;

		r = realloc(ls->rows, cap * sizeof(*r));
		if (!r) {
			ls->oom = 1;
			return;
		}
		ls->rows = r;
		ls->cap = cap;
	}
	r = &ls->rows[ls->n++];
	snprintf(r->peer, HVS_PEER_MAX, "%s", peer);
	r->kind = d ? HVS_STATE_APPLIED : HVS_STATE_UNAPPLIED;
	if (u) {
		r->u = *u;
	} else {
		memset(&r->u, 0, sizeof(r->u));
		r->u.d = *d;
		r->u.has_range = 1;
	}
}

/* By guest, its applied range first. */
static int by_peer(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->peer, y->peer);

	return c ? c : (int)x->kind - (int)y->kind;
}

static void print_json(const struct row *r, const char *id, const char *stamp)
{
	char peer[HVS_JSON_PEER_MAX], range[128];

	hvs_json_string(peer, sizeof(peer), r->peer);
	if (r->u.has_range)
		snprintf(range, sizeof(range), "\"boot_id\":\"%s\",\"base\":\"0x%llx\",\"size\":%llu",
			 id, (unsigned long long)r->u.d.base, (unsigned long long)r->u.d.size);
	else
		snprintf(range, sizeof(range), "\"boot_id\":null,\"base\":null,\"size\":null");
	if (r->kind == HVS_STATE_APPLIED)
		out(1, "{\"peer\":\"%s\",%s,\"time\":\"%s\",\"applied\":true}\n", peer, range,
		    stamp);
	else
		out(1, "{\"peer\":\"%s\",%s,\"time\":\"%s\",\"applied\":false,\"answer\":\"%s\"}\n",
		    peer, range, stamp, hvs_ack_status_name(r->u.answer));
}

static void print_row(const struct listing *ls, const struct row *r)
{
	char peer[HVS_JSON_PEER_MAX], id[37], stamp[32], state[40];

	hvs_uuid_format(r->u.d.boot_id, id);
	hvs_utc_stamp(r->u.d.when, stamp, sizeof(stamp));
	if (ls->json) {
		print_json(r, id, stamp);
		return;
	}
	hvs_escape(peer, sizeof(peer), r->peer, strlen(r->peer), NULL);
	if (r->kind == HVS_STATE_APPLIED)
		snprintf(state, sizeof(state), "applied");
	else
		snprintf(state, sizeof(state), "not applied: %s", hvs_ack_status_name(r->u.answer));
	if (r->u.has_range)
		out(1, "%-40s %s 0x%08llx %10llu %s %s\n", peer, id, (unsigned long long)r->u.d.base,
		    (unsigned long long)r->u.d.size, stamp, state);
	else
		out(1, "%-40s %-36s %-10s %10s %s %s\n", peer, "-", "-", "-", stamp, state);
}

/*
 * A guest's latest not applied is out of date once a range of it is applied
 * after it: the receiver removes that file then, and should it be left (a
 * crash in between), it is not shown.
 */
static int out_of_date(const struct listing *ls, size_t i)
{
	const struct row *r = &ls->rows[i], *before = i ? &ls->rows[i - 1] : NULL;

	return r->kind == HVS_STATE_UNAPPLIED && before && before->kind == HVS_STATE_APPLIED &&
	       strcmp(before->peer, r->peer) == 0 && r->u.d.when < before->u.d.when;
}

int hvs_list_run(const char *dir, int json, const char *peer)
{
	struct hvs_statedir sd = HVS_STATEDIR_CLOSED;
	struct listing ls;
	size_t i;

	memset(&ls, 0, sizeof(ls));
	ls.only = peer;
	ls.json = json;
	if (hvs_statedir_open(&sd, dir, 1) < 0 || hvs_statedir_scan(&sd, collect, &ls) < 0) {
		hvs_statedir_close(&sd);
		return 1;
	}
	hvs_statedir_close(&sd);
	if (ls.n)
		qsort(ls.rows, ls.n, sizeof(*ls.rows), by_peer);
	if (!json && ls.n)
		out(1, "%-40s %-36s %-10s %10s %-20s %s\n", "PEER", "BOOT ID", "BASE",
			     "SIZE", "TIME (UTC)", "STATE");
	for (i = 0; i < ls.n; i++)
		if (!out_of_date(&ls, i))
			print_row(&ls, &ls.rows[i]);
	free(ls.rows);
	if (ls.oom)
		out(2, "hv-swiotlb-recv: out of memory: the listing is incomplete\n");
	if (peer && !ls.n) {
		char p[4 * HVS_PEER_MAX];

		hvs_escape(p, sizeof(p), peer, strlen(peer), NULL);
		out(2, "hv-swiotlb-recv: nothing is recorded for %s\n", p);
	}
	/* A file that could not be read now (the scan said which, and why): incomplete too. */
	if (ls.oom || sd.unread)
		return 1;
	return ls.damaged ? HVS_LIST_DAMAGED : peer && !ls.n ? HVS_LIST_NONE : 0;
}
