/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv-swiotlb-recv: the reference receiver for Linux hosts. The command
 * line is cli.c, the query (--list) list.c; this sets up what the loop
 * (loop.c) runs on: the output queues, systemd's notification socket, the
 * state directory, the registry, the listeners (its own and systemd's) and
 * the connection table, and takes them down again.
 */
#include "activation.h"
#include "cli.h"
#include "connection.h"
#include "errname.h"
#include "events.h"
#include "fileio.h"
#include "list.h"
#include "listen.h"
#include "loop.h"
#include "notify.h"
#include "registry.h"
#include "say.h"
#include "sink.h"
#include "statedir.h"
#include "unapplied.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#define REGISTRY_SLOTS 4096
/* Descriptors kept for listeners, the state directory, its spare, std*, epoll, notify. */
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
		say_warn("--max-conns %lu does not fit in %lu file descriptors: %lu", want,
		    (unsigned long)rl.rlim_cur, room);
		return room;
	}
	return want;
}

/* systemd's sockets first, then --unix and --vsock: how many, or -1 (logged). */
static int open_listeners(const struct hvs_recv_config *cfg, struct hvs_listener *lis)
{
	const char *names[HVS_MAX_LISTENERS];
	int n = hvs_activation_fds(names, HVS_MAX_LISTENERS), k = 0, i;

	if (n < 0)
		return -1; /* said why */
	for (i = 0; i < n; i++)
		if (hvs_listen_adopt(&lis[k++], HVS_LISTEN_FDS_START + i, names[i]) < 0)
			return -1;
	if ((size_t)k + cfg->nunix + cfg->nvsock > HVS_MAX_LISTENERS) {
		say_err("more than %d listeners in all", HVS_MAX_LISTENERS);
		return -1;
	}
	for (i = 0; (size_t)i < cfg->nunix; i++)
		if (hvs_listen_unix(&lis[k++], cfg->unix_paths[i]) < 0)
			return -1;
	for (i = 0; (size_t)i < cfg->nvsock; i++)
		if (hvs_listen_vsock(&lis[k++], cfg->vsock_ports[i]) < 0)
			return -1;
	return k;
}

/* The state directory, read once: 0, or -1 (logged). */
static int load_state(struct hvs_recv_config *cfg, struct hvs_statedir *sd,
		      struct hvs_registry *reg)
{
	static struct hvs_peer peers[REGISTRY_SLOTS];
	static struct hvs_named *buckets[2 * REGISTRY_SLOTS];
	int loaded;

	if (cfg->state_dir && hvs_statedir_open(sd, cfg->state_dir, 0) < 0)
		return -1;
	hvs_registry_init(reg, peers, REGISTRY_SLOTS, buckets, 2 * REGISTRY_SLOTS,
			  cfg->state_dir ? sd : NULL);
	if (!cfg->state_dir)
		return 0;
	loaded = hvs_registry_reload(reg);
	if (loaded < 0)
		return -1;
	say_info("loaded the ranges of %d guest%s from %s", loaded, loaded == 1 ? "" : "s",
	    cfg->state_dir);
	return 0;
}

static int serve(struct hvs_recv_config *cfg, struct hvs_loop *L)
{
	static struct hvs_listener lis[HVS_MAX_LISTENERS];
	struct hvs_statedir sd = HVS_STATEDIR_CLOSED;
	struct hvs_registry reg;
	struct hvs_server srv;
	int rc = 1, n = -1, i;

	L->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (L->epfd < 0 || load_state(cfg, &sd, &reg) < 0 || (n = open_listeners(cfg, lis)) < 0)
		goto out;
	if (n == 0) {
		hvs_fdprintf(2, "hv-swiotlb-recv: give at least one --vsock PORT or --unix PATH, "
			     "or start it from a .socket unit\n");
		rc = HVS_EXIT_USAGE;
		goto out;
	}
	cfg->max_conns = fit_conns(cfg->max_conns, (size_t)n);
	if (hvs_server_init(&srv, cfg->max_conns, cfg->max_per_peer, L->epfd) < 0)
		goto out;
	srv.timeout_ms = cfg->conn_timeout_ms;
	srv.allow = cfg->allow;
	srv.nallow = cfg->nallow;
	srv.policy.max_size = cfg->max_size;
	hvs_execq_init(&srv.execq, cfg->exec_cmd);
	if (hvs_server_attach(&srv, &reg) < 0)
		goto out;
	srv.events = L->out;
	L->lis = lis;
	L->nlis = (size_t)n;
	L->srv = &srv;
	L->reg = &reg;
	rc = hvs_loop_run(L);
	hvs_server_stop(&srv); /* with what is decided, and every note waiting, made durable */
out:
	for (i = 0; i < n; i++)
		hvs_listen_close(&lis[i]);
	hvs_statedir_close(&sd);
	if (L->epfd >= 0)
		close(L->epfd);
	return rc;
}

/*
 * Descriptors 0 to 2 that were closed by whoever started us are opened on
 * /dev/null before anything else is opened: else the first listener or
 * guest connection would become stdout or stderr, and the log, the JSON
 * events and --exec commands' output would go to a guest. 0, or -1.
 */
static int std_fds_valid(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR | O_NOCTTY) != fd)
			return -1; /* the lowest free descriptor is fd: it could not be had */
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct hvs_recv_config cfg;
	static char out_buf[256 * 1024], err_buf[64 * 1024];
	struct hvs_sink out, err;
	struct hvs_notify notify;
	struct hvs_loop loop;
	int rc;

	memset(&loop, 0, sizeof(loop));
	hvs_loop_signals(&loop);
	if (std_fds_valid() < 0)
		return 1; /* no /dev/null: nowhere even to say so */
	rc = hvs_recv_cli(argc, argv, &cfg);
	if (rc != HVS_CLI_GO || cfg.list)
		hvs_loop_signals_undo(&loop); /* no loop: signals act as for any command */
	if (rc != HVS_CLI_GO)
		return rc;
	if (cfg.list)
		return hvs_list_run(cfg.state_dir, cfg.json, cfg.list_peer);
	hvs_sink_init(&out, 1, out_buf, sizeof(out_buf), hvs_event_dropped_line);
	hvs_sink_init(&err, 2, err_buf, sizeof(err_buf), log_dropped_line);
	hvs_say_init(&err);
	loop.out = &out;
	loop.err = &err;
	loop.notify = &notify;
	(void)hvs_notify_init(&notify); /* logged: the receiver works without it */
	rc = serve(&cfg, &loop);
	/* A state change the manager has not taken yet gets half a second more. */
	if (hvs_notify_drain(&notify, 500))
		say_warn("systemd did not take %u state change%s (its queue stayed full)",
		    notify.npending, notify.npending == 1 ? "" : "s");
	hvs_notify_close(&notify);
	/* What is queued for stdout and stderr gets a second, then it is dropped. */
	hvs_sink_drain(&out, 1000);
	if (hvs_sink_pending(&out) || hvs_sink_lost(&out))
		say_warn("stdout was not read: %llu events not written and %llu dropped before; "
		    "the state directory, if any, keeps every decision",
		    hvs_sink_queued_lines(&out), hvs_sink_lost(&out));
	hvs_sink_drain(&err, 1000);
	return rc;
}
