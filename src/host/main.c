/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv-swiotlb-recv: the reference receiver for Linux hosts. The command
 * line is cli.c; this sets up what the loop (loop.c) runs on: the output
 * queues, the state directory, the registry, the listeners and the
 * connection table, and takes them down again.
 */
#include "cli.h"
#include "conn.h"
#include "errname.h"
#include "events.h"
#include "listen.h"
#include "loop.h"
#include "registry.h"
#include "say.h"
#include "sink.h"
#include "state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define REGISTRY_SLOTS 4096
/* Descriptors kept for listeners, the state directory, its spare, std*. */
#define FD_RESERVE 16

static size_t log_dropped_line(char *out, size_t cap, unsigned long long n)
{
	int len = snprintf(out, cap, "hv-swiotlb-recv: %llu log lines were dropped: stderr "
			   "was not being read\n", n);

	return len > 0 && (size_t)len < cap ? (size_t)len : 0;
}

/* As many descriptors as allowed, and no more connections than fit in them. */
static unsigned long fit_conns(unsigned long want, size_t listeners)
{
	struct rlimit rl;
	unsigned long room;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return want;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	room = rl.rlim_cur > listeners + FD_RESERVE ? rl.rlim_cur - listeners - FD_RESERVE : 1;
	if (want > room) {
		say("--max-conns %lu does not fit in %lu file descriptors: %lu", want,
		    (unsigned long)rl.rlim_cur, room);
		return room;
	}
	return want;
}

int main(int argc, char **argv)
{
	static struct hvs_recv_config cfg;
	static struct hvs_reg_entry slots[REGISTRY_SLOTS];
	static char out_buf[256 * 1024], err_buf[64 * 1024];
	static struct hvs_listener lis[HVS_MAX_LISTENERS];
	struct hvs_sink out, err;
	struct hvs_state state = { -1, -1, NULL };
	struct hvs_registry reg;
	struct hvs_server srv;
	struct hvs_loop loop;
	struct hvs_conn *conns;
	size_t nlis = 0, i;
	int rc = hvs_recv_cli(argc, argv, &cfg), loaded;

	if (rc != HVS_CLI_GO)
		return rc;
	hvs_sink_init(&out, 1, out_buf, sizeof(out_buf), hvs_event_dropped_line);
	hvs_sink_init(&err, 2, err_buf, sizeof(err_buf), log_dropped_line);
	hvs_say_init(&err);
	rc = 1;

	cfg.max_conns = fit_conns(cfg.max_conns, cfg.nunix + cfg.nvsock);
	conns = calloc(cfg.max_conns, sizeof(*conns));
	if (!conns) {
		say("out of memory for %lu connections", cfg.max_conns);
		goto out;
	}
	if (cfg.state_dir && hvs_state_open(&state, cfg.state_dir) < 0)
		goto out;
	hvs_registry_init(&reg, slots, REGISTRY_SLOTS, cfg.state_dir ? &state : NULL);
	if (cfg.state_dir) {
		loaded = hvs_registry_reload(&reg);
		if (loaded < 0)
			goto out;
		say("loaded the ranges of %d guest%s from %s", loaded, loaded == 1 ? "" : "s",
		    cfg.state_dir);
	}
	for (i = 0; i < cfg.nunix; i++)
		if (hvs_listen_unix(&lis[nlis++], cfg.unix_paths[i]) < 0)
			goto out;
	for (i = 0; i < cfg.nvsock; i++)
		if (hvs_listen_vsock(&lis[nlis++], cfg.vsock_ports[i]) < 0)
			goto out;

	hvs_server_init(&srv, conns, cfg.max_conns);
	srv.max_per_peer = cfg.max_per_peer;
	srv.timeout_ms = cfg.conn_timeout_ms;
	srv.allow = cfg.allow;
	srv.nallow = cfg.nallow;
	srv.policy.max_size = cfg.max_size;
	srv.exec_cmd = cfg.exec_cmd;
	srv.reg = &reg;
	srv.events = &out;
	loop.lis = lis;
	loop.nlis = nlis;
	loop.srv = &srv;
	loop.reg = &reg;
	loop.out = &out;
	loop.err = &err;
	rc = hvs_loop_run(&loop);
	hvs_server_stop(&srv);
out:
	for (i = 0; i < nlis; i++)
		hvs_listen_close(&lis[i]);
	hvs_state_close(&state);
	free(conns);
	/* What is queued for stdout and stderr gets a second, then it is dropped. */
	hvs_sink_drain(&out, 1000);
	if (hvs_sink_pending(&out) || hvs_sink_lost(&out))
		say("stdout was not read: %llu events not written and %llu dropped before; "
		    "the state directory, if any, keeps every decision",
		    hvs_sink_queued_lines(&out), hvs_sink_lost(&out));
	hvs_sink_drain(&err, 1000);
	return rc;
}
