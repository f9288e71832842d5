/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "loop.h"

#include "errname.h"
#include "say.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

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

static void take_signals(sigset_t *orig)
{
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

/* What each pollfd is for. */
enum owner_kind { OWN_LISTENER, OWN_CONN, OWN_OUT, OWN_ERR };
struct owner {
	enum owner_kind kind;
	void *ptr;
	int fd;
};

static void reload(struct hvs_loop *L)
{
	int n;

	if (!L->reg->state) {
		say("SIGHUP: no --state-dir to reload; going on");
		return;
	}
	n = hvs_registry_reload(L->reg);
	if (n >= 0)
		say("SIGHUP: read the ranges of %d guest%s again from %s", n, n == 1 ? "" : "s",
		    L->reg->state->dir);
}

/*
 * ppoll() refuses to watch more descriptors than RLIMIT_NOFILE allows, and
 * the limit can be lowered under a running receiver (prlimit). Then: rest
 * the listeners, close the connections idle longest until what is left
 * fits, and rest a moment so as not to spin. 1 if that was the cause.
 */
static int shed(struct hvs_loop *L, size_t watched, long long now, long long *paused_until)
{
	struct rlimit rl;
	struct timespec rest = { 0, HVS_FD_PAUSE_MS * 1000000L };
	size_t closed = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || watched <= rl.rlim_cur)
		return 0;
	while (L->srv->open + 2 > rl.rlim_cur && hvs_server_shed_one(L->srv))
		closed++;
	say("poll: %zu descriptors to watch, more than the limit of %lu: closed %zu idle "
	    "connections, not accepting for %d ms", watched, (unsigned long)rl.rlim_cur,
	    closed, HVS_FD_PAUSE_MS);
	*paused_until = now + HVS_FD_PAUSE_MS;
	nanosleep(&rest, NULL);
	return 1;
}

int hvs_loop_run(struct hvs_loop *L)
{
	size_t cap = L->nlis + L->srv->max_conns + 2, i;
	struct pollfd *pfd = calloc(cap, sizeof(*pfd));
	struct owner *own = calloc(cap, sizeof(*own));
	long long paused_until = 0;
	sigset_t orig;
	int rc = 0;

	if (!pfd || !own) {
		say("out of memory for %zu poll entries", cap);
		free(pfd);
		free(own);
		return 1;
	}
	take_signals(&orig);
	for (i = 0; i < L->nlis; i++)
		say("listening on %s", L->lis[i].name);
	while (!got_stop) {
		long long now = hvs_now_ms(), next, wait_ms;
		struct timespec ts;
		size_t n = 0;
		int r, err;

		next = hvs_server_expire(L->srv, now);
		if (now >= paused_until) {
			for (i = 0; i < L->nlis; i++) {
				pfd[n].fd = L->lis[i].fd;
				pfd[n].events = POLLIN;
				own[n].kind = OWN_LISTENER;
				own[n++].ptr = &L->lis[i];
			}
		} else if (paused_until < next) {
			next = paused_until;
		}
		for (i = 0; i < L->srv->max_conns; i++) {
			struct hvs_conn *c = &L->srv->conns[i];

			if (c->phase != HVS_PHASE_READ && c->phase != HVS_PHASE_WRITE)
				continue;
			pfd[n].fd = c->fd;
			pfd[n].events = c->phase == HVS_PHASE_READ ? POLLIN : POLLOUT;
			own[n].kind = OWN_CONN;
			own[n].fd = c->fd;
			own[n++].ptr = c;
		}
		if (hvs_sink_pending(L->out)) {
			pfd[n].fd = L->out->fd;
			pfd[n].events = POLLOUT;
			own[n++].kind = OWN_OUT;
		}
		if (hvs_sink_pending(L->err)) {
			pfd[n].fd = L->err->fd;
			pfd[n].events = POLLOUT;
			own[n++].kind = OWN_ERR;
		}
		wait_ms = next - now;
		if (wait_ms > 1000)
			wait_ms = 1000; /* the log's rate windows */
		if (wait_ms < 0)
			wait_ms = 0;
		ts.tv_sec = (time_t)(wait_ms / 1000);
		ts.tv_nsec = (long)(wait_ms % 1000) * 1000000L;
		r = ppoll(pfd, n, &ts, &orig);
		err = errno; /* before anything below can change it */
		now = hvs_now_ms();
		if (got_child) {
			got_child = 0;
			hvs_server_children(L->srv, now);
		}
		if (got_hup) {
			got_hup = 0;
			reload(L);
		}
		if (r < 0 && err == EINVAL && shed(L, n, now, &paused_until))
			continue;
		if (r < 0 && err != EINTR) {
			say("poll: %s; stopping", hvs_errname(err));
			rc = 1;
			break;
		}
		for (i = 0; r > 0 && i < n; i++) {
			if (!pfd[i].revents)
				continue;
			switch (own[i].kind) {
			case OWN_LISTENER:
				if (now < paused_until)
					break;
				if (hvs_server_accept(L->srv, own[i].ptr, now) < 0) {
					say("out of file descriptors (%s) with %zu connections open: "
					    "not accepting for %d ms", hvs_errname(errno),
					    L->srv->open, HVS_FD_PAUSE_MS);
					paused_until = now + HVS_FD_PAUSE_MS;
				}
				break;
			case OWN_CONN: {
				struct hvs_conn *c = own[i].ptr;

				/* Still the connection this entry was made for? */
				if (c->fd == own[i].fd && c->phase != HVS_PHASE_FREE)
					hvs_server_ready(L->srv, c, now);
				break;
			}
			case OWN_OUT:
				hvs_sink_flush(L->out);
				break;
			case OWN_ERR:
				hvs_sink_flush(L->err);
				break;
			}
		}
		hvs_say_tick(now);
	}
	if (got_stop)
		say("stopping");
	sigprocmask(SIG_SETMASK, &orig, NULL);
	free(pfd);
	free(own);
	return rc;
}
