/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event loop: one ppoll() over the listeners, the connections and the
 * two output queues. Signals are taken only inside ppoll(): SIGTERM and
 * SIGINT stop, SIGHUP reloads the state directory, SIGCHLD collects
 * --exec commands. Out of file descriptors, the listeners rest for
 * HVS_FD_PAUSE_MS instead of waking the loop at once again.
 */
#ifndef HVS_LOOP_H
#define HVS_LOOP_H

#include "conn.h"
#include "listen.h"
#include "registry.h"
#include "sink.h"

#define HVS_FD_PAUSE_MS 100

struct hvs_loop {
	struct hvs_listener *lis;
	size_t nlis;
	struct hvs_server *srv;
	struct hvs_registry *reg;
	struct hvs_sink *out, *err;
};

/* Run until stopped: 0 after SIGTERM or SIGINT, 1 if poll() failed. */
int hvs_loop_run(struct hvs_loop *L);

#endif
