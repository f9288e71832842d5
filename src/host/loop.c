/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "loop.h"

#include "errname.h"
#include "clock.h"
#include "say.h"
#include "unapplied.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#define EV_LISTENER 2u
#define EV_SINK 3u
#define MAX_EVENTS 256

static volatile sig_atomic_t got_stop, got_child, got_hup;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_child = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else
		got_stop = 1;
}

void hvs_loop_signals(struct hvs_loop *L)
{
	sigset_t *orig = &L->orig;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
	struct sigaction sa;
	sigset_t blocked;
	size_t i;

	sigemptyset(&blocked);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&blocked, sigs[i]);
	sigprocmask(SIG_BLOCK, &blocked, orig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void hvs_loop_signals_undo(struct hvs_loop *L)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE };
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	sigprocmask(SIG_SETMASK, &L->orig, NULL);
}

static void status_text(const struct hvs_counts *c, char *out, size_t cap)
{
	snprintf(out, cap, "STATUS=%llu accepted, %llu duplicate, %llu conflict, %llu invalid, "
		 "%llu unsupported, %llu failed, %llu closed without an answer",
		 c->accepted, c->duplicate, c->conflict, c->invalid, c->unsupported, c->failed,
		 c->closed);
}

/* STATUS= when the counts changed, at most once a second; WATCHDOG=1 when due. */
static long long tell_systemd(struct hvs_loop *L, long long now, const char *first)
{
	char msg[320];
	size_t n = first ? (size_t)snprintf(msg, sizeof(msg), "%s\n", first) : 0;

	if (first || (now >= L->status_next &&
		      memcmp(&L->told, &L->srv->counts, sizeof(L->told)) != 0)) {
		status_text(&L->srv->counts, msg + n, sizeof(msg) - n);
		if (first)
			hvs_notify_state(L->notify, msg); /* must arrive: sent again if refused */
		else
			hvs_notify_send(L->notify, msg);
		L->told = L->srv->counts;
		L->status_next = now + 1000;
	}
	return hvs_notify_watchdog(L->notify, now);
}

static void reload(struct hvs_loop *L, long long now)
{
	char msg[64];
	int n;

	if (!L->reg->sd) {
		say_warn("SIGHUP: no --state-dir to reload; going on");
		return;
	}
	/* sd_notify(3): microseconds of CLOCK_MONOTONIC, read now, not the loop's ms. */
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu", hvs_now_usec());
	hvs_notify_state(L->notify, msg);
	n = hvs_registry_reload(L->reg);
	if (n >= 0)
		say_info("SIGHUP: read the ranges of %d guest%s again from %s", n, n == 1 ? "" : "s",
		    L->reg->sd->dir);
	tell_systemd(L, now, "READY=1");
}

/* The listeners in the epoll set, or out of it while they rest. */
static void listen_all(struct hvs_loop *L, int on)
{
	size_t i;

	for (i = 0; i < L->nlis && L->listening != on; i++) {
		struct epoll_event ev = { EPOLLIN, { .u64 = HVS_EV(EV_LISTENER, 0, i) } };

		(void)epoll_ctl(L->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, L->lis[i].fd, &ev);
	}
	L->listening = on;
}

/*
 * An output queue with lines waiting is watched for EPOLLOUT; one whose fd
 * epoll cannot watch (a regular file, /dev/null) never blocks: it is
 * written at once.
 */
static void watch_sink(struct hvs_loop *L, struct hvs_sink *s, int k)
{
	int want = hvs_sink_pending(s);
	struct epoll_event ev = { EPOLLOUT, { .u64 = HVS_EV(EV_SINK, 0, k) } };

	if (want == L->watching[k])
		return;
	if (!want) {
		(void)epoll_ctl(L->epfd, EPOLL_CTL_DEL, hvs_sink_fd(s), &ev);
	} else if (epoll_ctl(L->epfd, EPOLL_CTL_ADD, hvs_sink_fd(s), &ev) < 0) {
		hvs_sink_flush(s);
		return;
	}
	L->watching[k] = want;
}

static void dispatch(struct hvs_loop *L, uint64_t data, long long now)
{
	size_t i = (size_t)(data & ((1u << 28) - 1));

	switch (HVS_EV_KIND(data)) {
	case HVS_EV_CONN:
		hvs_server_ready(L->srv, data, now);
		break;
	case EV_LISTENER:
		/* The commit of this turn is full: the next turn accepts (epoll says again). */
		if (!L->listening || i >= L->nlis || hvs_server_full(L->srv))
			break;
		if (hvs_server_accept(L->srv, &L->lis[i], now) < 0) {
			say_warn("out of file descriptors (%s) with %zu connections open: "
			    "not accepting for %d ms", hvs_errname(errno), L->srv->adm.open,
			    HVS_FD_PAUSE_MS);
			L->paused_until = now + HVS_FD_PAUSE_MS;
			listen_all(L, 0);
		}
		break;
	case EV_SINK:
		hvs_sink_flush(i ? L->err : L->out);
		break;
	}
}

/*
 * What happened outside epoll_pwait, and how long it may wait now. The
 * turn's group commit first, so that the guests it makes durable hear
 * before anything else is done; while files wait for a sync the loop does
 * not sleep (each turn's sync is its pace).
 */
static int before_wait(struct hvs_loop *L, long long now)
{
	long long next, w;

	(void)hvs_server_commit(L->srv);
	next = hvs_unapplied_due(L->reg, now, hvs_server_expire(L->srv, now));

	if (got_child) {
		got_child = 0;
		hvs_server_children(L->srv, now);
	}
	if (got_hup) {
		got_hup = 0;
		reload(L, now);
	}
	if (!L->listening && now >= L->paused_until)
		listen_all(L, 1);
	if (!L->listening && L->paused_until < next)
		next = L->paused_until;
	w = tell_systemd(L, now, NULL);
	if (w < next)
		next = w;
	hvs_say_tick(now);
	watch_sink(L, L->out, 0);
	watch_sink(L, L->err, 1);
	if (L->reg->commit && hvs_commit_waiting(L->reg->commit))
		return 0;
	w = next - now;
	return w > 1000 ? 1000 : w < 0 ? 0 : (int)w; /* 1 s: the log's rate windows */
}

int hvs_loop_run(struct hvs_loop *L)
{
	struct epoll_event ev[MAX_EVENTS];
	size_t i;
	int rc = 0;

	listen_all(L, 1);
	for (i = 0; i < L->nlis; i++)
		say_info("listening on %s%s", L->lis[i].name, L->lis[i].inherited ? " (from systemd)" : "");
	tell_systemd(L, hvs_now_ms(), "READY=1");
	while (!got_stop) {
		int n = epoll_pwait(L->epfd, ev, MAX_EVENTS, before_wait(L, hvs_now_ms()),
				     &L->orig);
		int err = errno;
		long long now = hvs_now_ms();

		if (n < 0 && err != EINTR) {
			say_err("poll: %s; stopping", hvs_errname(err));
			rc = 1;
			break;
		}
		for (i = 0; n > 0 && i < (size_t)n; i++)
			dispatch(L, ev[i].data.u64, now);
	}
	if (got_stop)
		say_info("stopping");
	hvs_notify_state(L->notify, "STOPPING=1");
	return rc;
}
