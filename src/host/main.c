/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv-swiotlb-recv: the reference receiver for Linux hosts. Listens on
 * AF_VSOCK ports (QEMU/KVM with vhost-vsock: the peer's CID comes from
 * accept) and on Unix socket paths (hybrid vsock: the path is the guest),
 * takes one record per connection, validates it, applies it (optionally
 * through --exec) and acknowledges. One poll loop, no thread or process
 * per connection (only per --exec run); every connection has a deadline,
 * so a slow or hostile guest holds up nothing but itself.
 */
#include "errname.h"
#include "fileio.h"
#include "frame.h"
#include "numbers.h"
#include "registry.h"
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#ifndef HVS_VERSION
#define HVS_VERSION "0.1"
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

#define MAX_LISTENERS 64
#define MAX_CONNS_LIMIT 4096
#define MAX_ALLOWED_CIDS 64
#define REGISTRY_SLOTS 4096
#define EXIT_USAGE 64

enum conn_phase { PHASE_READ, PHASE_EXEC, PHASE_WRITE };

struct listener {
	int fd;
	int is_unix;
	char name[HVS_PEER_MAX]; /* "unix:PATH" or "vsock:*:PORT" */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

struct conn {
	int fd;             /* -1: free slot */
	enum conn_phase phase;
	char peer[HVS_PEER_MAX];
	long long deadline;
	struct hvs_frame_reader rd;
	struct hvs_record rec;
	struct hvs_reg_entry *entry;
	pid_t child;
	uint8_t out[HVS_ACK_V1_LEN];
	size_t out_sent;
};

static struct {
	struct listener lis[MAX_LISTENERS];
	size_t nlis;
	struct conn *conns;
	size_t max_conns;
	size_t max_per_peer;
	uint32_t allow_cid[MAX_ALLOWED_CIDS];
	size_t nallow;
	struct hvs_recv_policy policy;
	const char *exec_cmd;
	const char *state_dir;
	long long conn_timeout_ms;
	struct hvs_registry reg;
} g;

static volatile sig_atomic_t got_stop, got_child;

static void on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_child = 1;
	else
		got_stop = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[600];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)hvs_write_all(2, "hv-swiotlb-recv: ", 17);
	(void)hvs_write_all(2, line, (size_t)n);
}

static void usage(int fd)
{
	hvs_fdprintf(fd, "%s",
		"usage: hv-swiotlb-recv [--vsock PORT]... [--unix PATH]... [--max-size SIZE]\n"
		"                       [--allow-cid CID]... [--state-dir DIR] [--exec CMD]\n"
		"                       [--conn-timeout SECONDS] [--max-conns N]\n"
		"                       [--max-per-guest N]\n"
		"       hv-swiotlb-recv --help | --version\n");
}

static void help(void)
{
	usage(1);
	hvs_fdprintf(1, "%s",
		"\nReceives hv_pci swiotlb ranges from hv-swiotlb in guests and\n"
		"acknowledges them; see hv-swiotlb-protocol(7).\n\n"
		"  --vsock PORT         listen on AF_VSOCK, any CID (vhost-vsock hosts)\n"
		"  --unix PATH          listen on a Unix socket (hybrid vsock: PATH_PORT)\n"
		"  --max-size SIZE      refuse larger pools (K, M, G suffixes)\n"
		"  --allow-cid CID      talk only to these guest CIDs (vsock)\n"
		"  --state-dir DIR      keep the last range per guest in DIR\n"
		"  --exec CMD           apply a new range by running sh -c CMD with\n"
		"                       HVS_PEER HVS_BOOT_ID HVS_BASE HVS_SIZE HVS_SWIOTLB\n"
		"                       set; it must exit 0 for the guest to hear 'accepted'\n"
		"  --conn-timeout SEC   per-connection deadline, --exec included (default 10)\n"
		"  --max-conns N        connections at once (default 256)\n"
		"  --max-per-guest N    connections at once from one guest (default 16)\n\n"
		"Each new range is printed on stdout as one JSON object per line.\n");
}

static int usage_error(const char *what, const char *arg)
{
	hvs_fdprintf(2, "hv-swiotlb-recv: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	usage(2);
	return EXIT_USAGE;
}

static int set_nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* A socket file nobody listens on is stale: remove it, never a live one. */
static void remove_stale_socket(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd;

	if (lstat(sa->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 &&
	    errno == ECONNREFUSED)
		unlink(sa->sun_path);
	close(fd);
}

static int add_unix_listener(const char *path)
{
	struct listener *l = &g.lis[g.nlis];
	struct sockaddr_un sa;

	if (strlen(path) >= sizeof(sa.sun_path))
		return usage_error("Unix socket path too long", path);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	remove_stale_socket(&sa);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(l->fd, 128) < 0 || set_nonblock_cloexec(l->fd) < 0) {
		say("cannot listen on unix:%s: %s", path, hvs_errname(errno));
		return 1;
	}
	l->is_unix = 1;
	snprintf(l->name, sizeof(l->name), "unix:%s", path);
	memcpy(l->path, path, strlen(path) + 1);
	g.nlis++;
	return 0;
}

static int add_vsock_listener(uint32_t port)
{
	struct listener *l = &g.lis[g.nlis];
	struct sockaddr_vm sa;

	memset(&sa, 0, sizeof(sa));
	sa.svm_family = AF_VSOCK;
	sa.svm_cid = VMADDR_CID_ANY;
	sa.svm_port = port;
	l->fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(l->fd, 128) < 0 || set_nonblock_cloexec(l->fd) < 0) {
		say("cannot listen on vsock port %u: %s (is vhost_vsock or "
		    "vsock_loopback loaded?)", (unsigned)port, hvs_errname(errno));
		return 1;
	}
	l->is_unix = 0;
	snprintf(l->name, sizeof(l->name), "vsock:*:%u", (unsigned)port);
	g.nlis++;
	return 0;
}

static void close_conn(struct conn *c)
{
	close(c->fd);
	c->fd = -1;
	if (c->entry && c->entry->state == HVS_REG_APPLYING)
		hvs_registry_finish(&g.reg, c->entry, 0, 0);
	c->entry = NULL;
	c->child = 0;
}

static size_t peer_connections(const char *peer)
{
	size_t i, n = 0;

	for (i = 0; i < g.max_conns; i++)
		if (g.conns[i].fd >= 0 && strcmp(g.conns[i].peer, peer) == 0)
			n++;
	return n;
}

static void accept_on(struct listener *l)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct conn *c = NULL;
		size_t i;
		int fd = accept(l->fd, (struct sockaddr *)&ss, &len);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				say("%s: accept: %s", l->name, hvs_errname(errno));
			return;
		}
		if (set_nonblock_cloexec(fd) < 0) {
			close(fd);
			continue;
		}
		for (i = 0; i < g.max_conns; i++)
			if (g.conns[i].fd < 0) {
				c = &g.conns[i];
				break;
			}
		if (!c) {
			say("%s: %zu connections already open; closing a new one", l->name,
			    g.max_conns);
			close(fd);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		if (l->is_unix) {
			/* Hybrid vsock: the socket path is the guest's identity. */
			snprintf(c->peer, sizeof(c->peer), "%s", l->name);
		} else {
			uint32_t cid = ((struct sockaddr_vm *)&ss)->svm_cid;

			snprintf(c->peer, sizeof(c->peer), "vsock:%u", (unsigned)cid);
			if (g.nallow) {
				size_t k;

				for (k = 0; k < g.nallow && g.allow_cid[k] != cid; k++)
					;
				if (k == g.nallow) {
					say("%s: CID not in --allow-cid; closed", c->peer);
					close_conn(c);
					continue;
				}
			}
		}
		if (peer_connections(c->peer) > g.max_per_peer) {
			/* One guest may not take the slots of the others. */
			say("%s: already %zu connections from this guest; closed", c->peer,
			    g.max_per_peer);
			close_conn(c);
			continue;
		}
		c->phase = PHASE_READ;
		c->deadline = now_ms() + g.conn_timeout_ms;
		hvs_frame_reader_init(&c->rd);
	}
}

static void queue_ack(struct conn *c, uint64_t nonce, uint16_t status)
{
	struct hvs_ack a;

	a.nonce = nonce;
	a.status = status;
	a.max_version = HVS_WIRE_VERSION;
	hvs_ack_encode(&a, c->out);
	c->out_sent = 0;
	c->phase = PHASE_WRITE;
}

static void json_string(char *out, size_t cap, const char *s)
{
	size_t o = 0;

	for (; *s && o + 7 < cap; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			out[o++] = '\\';
			out[o++] = (char)ch;
		} else if (ch < 0x20) {
			o += (size_t)snprintf(out + o, cap - o, "\\u%04x", ch);
		} else {
			out[o++] = (char)ch;
		}
	}
	out[o] = '\0';
}

/* A range was applied: one JSON object on stdout, for whoever drives us. */
static void announce(const struct conn *c)
{
	char peer[HVS_PEER_MAX * 6 + 1], id[37], when[32];
	time_t t = time(NULL);
	struct tm tm;

	json_string(peer, sizeof(peer), c->peer);
	hvs_uuid_format(c->rec.boot_id, id);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	hvs_fdprintf(1, "{\"event\":\"accepted\",\"peer\":\"%s\",\"boot_id\":\"%s\","
		     "\"base\":\"0x%llx\",\"size\":%llu,\"time\":\"%s\"}\n", peer, id,
		     (unsigned long long)c->rec.base, (unsigned long long)c->rec.size, when);
}

static void applied(struct conn *c, int ok, const char *how)
{
	char id[37];

	hvs_uuid_format(c->rec.boot_id, id);
	if (hvs_registry_finish(&g.reg, c->entry, ok, (long long)time(NULL)) < 0)
		say("%s: cannot write the state file in %s: %s", c->peer, g.state_dir,
		    hvs_errname(errno));
	c->entry = NULL;
	if (ok) {
		announce(c);
		say("%s: boot %s: accepted [0x%llx..0x%llx)%s", c->peer, id,
		    (unsigned long long)c->rec.base,
		    (unsigned long long)(c->rec.base + c->rec.size), how);
	} else {
		say("%s: boot %s: --exec failed (%s): answered 'failed'", c->peer, id, how);
	}
	queue_ack(c, c->rec.nonce, ok ? HVS_ACK_ACCEPTED : HVS_ACK_FAILED);
}

static void start_exec(struct conn *c)
{
	char id[37], base[24], size[24], swiotlb[48];
	pid_t pid;

	hvs_uuid_format(c->rec.boot_id, id);
	snprintf(base, sizeof(base), "0x%llx", (unsigned long long)c->rec.base);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)c->rec.size);
	snprintf(swiotlb, sizeof(swiotlb), "%s,%s", base, size);
	pid = fork();
	if (pid < 0) {
		applied(c, 0, "fork failed");
		return;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		/* stdout carries our JSON; the command's output goes to stderr. */
		dup2(2, 1);
		setenv("HVS_PEER", c->peer, 1);
		setenv("HVS_BOOT_ID", id, 1);
		setenv("HVS_BASE", base, 1);
		setenv("HVS_SIZE", size, 1);
		setenv("HVS_SWIOTLB", swiotlb, 1);
		execl("/bin/sh", "sh", "-c", g.exec_cmd, (char *)NULL);
		_exit(127);
	}
	c->child = pid;
	c->phase = PHASE_EXEC;
}

static void handle_frame(struct conn *c)
{
	char why[160], id[37];
	uint64_t nonce;
	uint16_t status;
	enum hvs_reg_decision d;

	switch (hvs_recv_judge(c->rd.buf, c->rd.have, &g.policy, &c->rec, &nonce, &status,
			       why, sizeof(why))) {
	case HVS_JUDGE_HANG_UP:
		say("%s: %s; closed without an answer", c->peer, why);
		close_conn(c);
		return;
	case HVS_JUDGE_REPLY:
		say("%s: %s; answered '%s'", c->peer, why, hvs_ack_status_name(status));
		queue_ack(c, nonce, status);
		return;
	case HVS_JUDGE_RECORD:
		break;
	}
	hvs_uuid_format(c->rec.boot_id, id);
	d = hvs_registry_decide(&g.reg, c->peer, c->rec.boot_id, c->rec.base, c->rec.size);
	if (d == HVS_REG_DUPLICATE || d == HVS_REG_CONFLICT || d == HVS_REG_BUSY) {
		static const char *const what[] = {
			[HVS_REG_DUPLICATE] = "the same range again: answered 'duplicate'",
			[HVS_REG_CONFLICT] = "a different range for a boot that has one: "
					     "answered 'conflict'",
			[HVS_REG_BUSY] = "this guest's last range is still being applied: "
					 "answered 'failed'",
		};
		say("%s: boot %s: [0x%llx..0x%llx): %s", c->peer, id,
		    (unsigned long long)c->rec.base,
		    (unsigned long long)(c->rec.base + c->rec.size), what[d]);
		queue_ack(c, c->rec.nonce,
			  d == HVS_REG_DUPLICATE ? HVS_ACK_DUPLICATE :
			  d == HVS_REG_CONFLICT ? HVS_ACK_CONFLICT : HVS_ACK_FAILED);
		return;
	}
	c->entry = hvs_registry_begin(&g.reg, c->peer, c->rec.boot_id, c->rec.base,
				      c->rec.size);
	if (!c->entry) {
		say("%s: every registry slot is mid-apply; answered 'failed'", c->peer);
		queue_ack(c, c->rec.nonce, HVS_ACK_FAILED);
		return;
	}
	if (g.exec_cmd)
		start_exec(c);
	else
		applied(c, 1, "");
}

static void on_readable(struct conn *c)
{
	uint8_t buf[512];

	for (;;) {
		enum hvs_wire_result err = HVS_WIRE_OK;
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			if (c->rd.have)
				say("%s: closed after %zu bytes of a record", c->peer, c->rd.have);
			close_conn(c);
			return;
		}
		switch (hvs_frame_reader_feed(&c->rd, buf, (size_t)n, &err)) {
		case HVS_FEED_MORE:
			continue;
		case HVS_FEED_ERROR:
			say("%s: not an hv-swiotlb record (%s); closed", c->peer,
			    hvs_wire_result_text(err));
			close_conn(c);
			return;
		case HVS_FEED_FRAME:
			handle_frame(c);
			return;
		}
	}
}

static void on_writable(struct conn *c)
{
	while (c->out_sent < sizeof(c->out)) {
		ssize_t n = send(c->fd, c->out + c->out_sent, sizeof(c->out) - c->out_sent,
				 MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			say("%s: sending the acknowledgement failed: %s", c->peer,
			    hvs_errname(errno));
			break;
		}
		c->out_sent += (size_t)n;
	}
	close_conn(c); /* one record per connection: done */
}

static void reap_children(void)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		size_t i;

		for (i = 0; i < g.max_conns; i++) {
			struct conn *c = &g.conns[i];
			char how[48];

			if (c->fd < 0 || c->phase != PHASE_EXEC || c->child != pid)
				continue;
			c->child = 0;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
				applied(c, 1, " (--exec ok)");
			} else {
				if (WIFEXITED(st))
					snprintf(how, sizeof(how), "exit %d", WEXITSTATUS(st));
				else
					snprintf(how, sizeof(how), "signal %d", WTERMSIG(st));
				applied(c, 0, how);
			}
			on_writable(c);
		}
	}
}

static void expire(long long now)
{
	size_t i;

	for (i = 0; i < g.max_conns; i++) {
		struct conn *c = &g.conns[i];

		if (c->fd < 0 || now < c->deadline)
			continue;
		if (c->phase == PHASE_EXEC && c->child > 0) {
			say("%s: --exec still running at the deadline; killed", c->peer);
			kill(c->child, SIGKILL);
			c->deadline = now + 1000; /* reaped, then answered 'failed' */
			continue;
		}
		say("%s: no whole record within the deadline (%zu bytes); closed", c->peer,
		    c->rd.have);
		close_conn(c);
	}
}

static int run(void)
{
	struct pollfd *pfd;
	struct conn **owner;
	sigset_t blocked, orig;
	struct sigaction sa;
	size_t i;

	pfd = calloc(g.nlis + g.max_conns, sizeof(*pfd));
	owner = calloc(g.nlis + g.max_conns, sizeof(*owner));
	if (!pfd || !owner) {
		say("out of memory");
		return 1;
	}
	/* Signals are taken only inside ppoll(), so none is ever missed. */
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGINT);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGCHLD);
	sigprocmask(SIG_BLOCK, &blocked, &orig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	for (i = 0; i < g.nlis; i++)
		say("listening on %s", g.lis[i].name);
	while (!got_stop) {
		long long now = now_ms(), next = now + 60000;
		struct timespec ts;
		size_t n = 0;
		int r;

		for (i = 0; i < g.nlis; i++) {
			pfd[n].fd = g.lis[i].fd;
			pfd[n].events = POLLIN;
			owner[n++] = NULL;
		}
		for (i = 0; i < g.max_conns; i++) {
			struct conn *c = &g.conns[i];

			if (c->fd < 0)
				continue;
			if (c->deadline < next)
				next = c->deadline;
			if (c->phase == PHASE_EXEC)
				continue;
			pfd[n].fd = c->fd;
			pfd[n].events = c->phase == PHASE_READ ? POLLIN : POLLOUT;
			owner[n++] = c;
		}
		next = next > now ? next - now : 0;
		ts.tv_sec = (time_t)(next / 1000);
		ts.tv_nsec = (long)(next % 1000) * 1000000L;
		r = ppoll(pfd, n, &ts, &orig);
		if (got_child) {
			got_child = 0;
			reap_children();
		}
		if (r < 0) {
			if (errno != EINTR) {
				say("poll: %s", hvs_errname(errno));
				break;
			}
			continue;
		}
		for (i = 0; i < n && r > 0; i++) {
			if (!pfd[i].revents)
				continue;
			if (!owner[i]) {
				accept_on(&g.lis[i]);
			} else if (owner[i]->fd >= 0) {
				if (owner[i]->phase == PHASE_READ)
					on_readable(owner[i]);
				else if (owner[i]->phase == PHASE_WRITE)
					on_writable(owner[i]);
			}
		}
		expire(now_ms());
	}
	say("stopping");
	for (i = 0; i < g.max_conns; i++)
		if (g.conns[i].fd >= 0) {
			if (g.conns[i].child > 0)
				kill(g.conns[i].child, SIGKILL);
			close_conn(&g.conns[i]);
		}
	for (i = 0; i < g.nlis; i++) {
		close(g.lis[i].fd);
		if (g.lis[i].is_unix)
			unlink(g.lis[i].path);
	}
	free(pfd);
	free(owner);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "vsock", required_argument, NULL, 'v' },
		{ "unix", required_argument, NULL, 'u' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "allow-cid", required_argument, NULL, 'a' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "exec", required_argument, NULL, 'e' },
		{ "conn-timeout", required_argument, NULL, 't' },
		{ "max-conns", required_argument, NULL, 'c' },
		{ "max-per-guest", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct hvs_reg_entry slots[REGISTRY_SLOTS];
	const char *unix_paths[MAX_LISTENERS];
	uint32_t vsock_ports[MAX_LISTENERS];
	size_t nunix = 0, nvsock = 0, i;
	unsigned long max_conns = 256, max_per_peer = 16;
	int opt, rc = 0, loaded;

	g.conn_timeout_ms = 10000;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		const char *end;
		int of;
		unsigned ms;
		uint32_t v;

		switch (opt) {
		case 'v':
			if (hvs_parse_u32(optarg, &v) < 0 || !hvs_valid_port(v))
				return usage_error("--vsock needs a port from 1 to 4294967294", optarg);
			if (nvsock + nunix >= MAX_LISTENERS)
				return usage_error("too many listeners", optarg);
			vsock_ports[nvsock++] = v;
			break;
		case 'u':
			if (nvsock + nunix >= MAX_LISTENERS)
				return usage_error("too many listeners", optarg);
			unix_paths[nunix++] = optarg;
			break;
		case 'm':
			g.policy.max_size = hvs_memparse(optarg, &end, &of);
			if (*end || of || g.policy.max_size == 0)
				return usage_error("--max-size needs a size such as 64M", optarg);
			break;
		case 'a':
			if (hvs_parse_u32(optarg, &v) < 0 || !hvs_valid_cid(v) ||
			    g.nallow >= MAX_ALLOWED_CIDS)
				return usage_error("--allow-cid needs a CID from 1 to 4294967294",
						   optarg);
			g.allow_cid[g.nallow++] = v;
			break;
		case 's': g.state_dir = optarg; break;
		case 'e': g.exec_cmd = optarg; break;
		case 't':
			if (hvs_parse_seconds_ms(optarg, &ms) < 0)
				return usage_error("--conn-timeout needs seconds, at most 600", optarg);
			g.conn_timeout_ms = ms;
			break;
		case 'c':
			max_conns = strtoul(optarg, (char **)&end, 10);
			if (*end || max_conns == 0 || max_conns > MAX_CONNS_LIMIT)
				return usage_error("--max-conns needs a number from 1 to 4096", optarg);
			break;
		case 'p':
			max_per_peer = strtoul(optarg, (char **)&end, 10);
			if (*end || max_per_peer == 0 || max_per_peer > MAX_CONNS_LIMIT)
				return usage_error("--max-per-guest needs a number from 1 to 4096",
						   optarg);
			break;
		case 'h': help(); return 0;
		case 'V': hvs_fdprintf(1, "hv-swiotlb-recv %s\n", HVS_VERSION); return 0;
		case ':': return usage_error("option needs a value", argv[optind - 1]);
		default: return usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	if (nunix + nvsock == 0)
		return usage_error("give at least one --vsock PORT or --unix PATH", NULL);

	g.max_conns = max_conns;
	g.max_per_peer = max_per_peer;
	g.conns = calloc(g.max_conns, sizeof(*g.conns));
	if (!g.conns) {
		say("out of memory");
		return 1;
	}
	for (i = 0; i < g.max_conns; i++)
		g.conns[i].fd = -1;
	if (g.state_dir && mkdir(g.state_dir, 0755) < 0 && errno != EEXIST) {
		say("cannot create --state-dir %s: %s", g.state_dir, hvs_errname(errno));
		return 1;
	}
	hvs_registry_init(&g.reg, slots, REGISTRY_SLOTS, g.state_dir);
	loaded = hvs_registry_load(&g.reg);
	if (loaded)
		say("loaded the ranges of %d guest%s from %s", loaded, loaded == 1 ? "" : "s",
		    g.state_dir);
	for (i = 0; i < nunix && rc == 0; i++)
		rc = add_unix_listener(unix_paths[i]);
	for (i = 0; i < nvsock && rc == 0; i++)
		rc = add_vsock_listener(vsock_ports[i]);
	if (rc != 0) {
		for (i = 0; i < g.nlis; i++) {
			close(g.lis[i].fd);
			if (g.lis[i].is_unix)
				unlink(g.lis[i].path);
		}
		free(g.conns);
		return rc == EXIT_USAGE ? EXIT_USAGE : 1;
	}
	rc = run();
	free(g.conns);
	return rc;
}
