/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event loop: one epoll set over the listeners, the connections and
 * the two output queues, so that a wake-up costs what is ready, not what
 * is open. Signals are caught from the start (hvs_loop_signals, main's
 * first step) and blocked but inside epoll_pwait(): one that comes during
 * set-up waits for the loop. SIGTERM and SIGINT stop, SIGHUP reloads the
 * state directory, SIGCHLD collects --exec commands; SIGPIPE is ignored. Out of file descriptors, the listeners rest for
 * HVS_FD_PAUSE_MS instead of waking the loop at once again. systemd hears
 * READY=1, STATUS=, WATCHDOG=1, RELOADING=1 and STOPPING=1 (notify.h).
 */
#ifndef HVS_LOOP_H
#define HVS_LOOP_H

#include "connection.h"
#include "listen.h"
#include "notify.h"
#include "registry.h"
#include "sink.h"

#include <signal.h>

#define HVS_FD_PAUSE_MS 100

struct hvs_loop {
	struct hvs_listener *lis;
	size_t nlis;
	struct hvs_server *srv;
	struct hvs_registry *reg;
	struct hvs_sink *out, *err;
	struct hvs_notify *notify;
	int epfd;
	/* inside the loop */
	long long paused_until, status_next;
	int listening, watching[2];
	struct hvs_counts told;
	sigset_t orig; /* the mask before hvs_loop_signals: epoll_pwait's */
};

/*
 * Catch SIGINT, SIGTERM, SIGHUP and SIGCHLD and block them, ignore
 * SIGPIPE: before anything else, so that none of them ends the receiver
 * during set-up (a SIGHUP among 4,096 guest files, a log to a closed pipe).
 */
void hvs_loop_signals(struct hvs_loop *L);

/* As they were before it: for what runs no loop (--list, --help). */
void hvs_loop_signals_undo(struct hvs_loop *L);

/* Run until stopped: 0 after SIGTERM or SIGINT, 1 if epoll failed. */
int hvs_loop_run(struct hvs_loop *L);

#endif
