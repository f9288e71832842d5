/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "conn.h"

#include "errname.h"
#include "events.h"
#include "exec.h"
#include "say.h"
#include "vsock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void hvs_server_init(struct hvs_server *s, struct hvs_conn *conns, size_t max_conns)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->conns = conns;
	s->max_conns = max_conns;
	for (i = 0; i < max_conns; i++) {
		memset(&conns[i], 0, sizeof(conns[i]));
		conns[i].fd = -1;
	}
}

static void release(struct hvs_server *s, struct hvs_conn *c)
{
	if (c->entry && c->entry->state == HVS_REG_APPLYING)
		(void)hvs_registry_finish(s->reg, c->entry, 0, 0);
	if (c->phase == HVS_PHASE_EXEC)
		s->running--;
	close(c->fd);
	c->fd = -1;
	c->phase = HVS_PHASE_FREE;
	c->entry = NULL;
	c->child = 0;
	s->open--;
}

/* Under pressure a connection without a whole record gets less time. */
static int pressure(const struct hvs_server *s)
{
	return s->open * 4 >= s->max_conns * 3;
}

static long long effective_deadline(const struct hvs_server *s, const struct hvs_conn *c)
{
	if (c->phase == HVS_PHASE_READ && pressure(s) && c->since + HVS_PRESSURE_MS < c->deadline)
		return c->since + HVS_PRESSURE_MS;
	return c->deadline;
}

static void send_ack(struct hvs_server *s, struct hvs_conn *c, long long now);

static void queue_ack(struct hvs_server *s, struct hvs_conn *c, uint64_t nonce,
		      uint16_t status, long long now)
{
	struct hvs_ack a;

	if (c->phase == HVS_PHASE_EXEC)
		s->running--;
	a.nonce = nonce;
	a.status = status;
	a.max_version = HVS_WIRE_VERSION;
	hvs_ack_encode(&a, c->out);
	c->out_sent = 0;
	c->phase = HVS_PHASE_WRITE;
	send_ack(s, c, now); /* usually it all goes at once */
}

/* The range is applied (ok) or not; with a state directory, only once saved. */
static void applied(struct hvs_server *s, struct hvs_conn *c, int ok, const char *how,
		    long long now)
{
	char id[37];
	long long wall = (long long)time(NULL);

	hvs_uuid_format(c->rec.boot_id, id);
	if (ok && hvs_registry_finish(s->reg, c->entry, 1, wall) < 0) {
		say("%s: boot %s: cannot record the range in %s (%s): answered 'failed'",
		    c->peer, id, s->reg->state->dir, hvs_errname(errno));
		ok = 0;
	} else if (!ok) {
		(void)hvs_registry_finish(s->reg, c->entry, 0, 0);
		say("%s: boot %s: --exec failed (%s): answered 'failed'", c->peer, id, how);
	} else {
		hvs_event_accepted(s->events, c->peer, &c->rec, wall);
		say("%s: boot %s: accepted [0x%llx..0x%llx)%s", c->peer, id,
		    (unsigned long long)c->rec.base,
		    (unsigned long long)(c->rec.base + c->rec.size), how);
	}
	c->entry = NULL;
	queue_ack(s, c, c->rec.nonce, ok ? HVS_ACK_ACCEPTED : HVS_ACK_FAILED, now);
}

static void start_exec(struct hvs_server *s, struct hvs_conn *c, long long now)
{
	if (hvs_exec_start(s->exec_cmd, c->peer, &c->rec, &c->child) < 0) {
		char how[48];

		snprintf(how, sizeof(how), "cannot start it: %s", hvs_errname(errno));
		applied(s, c, 0, how, now);
		return;
	}
	c->phase = HVS_PHASE_EXEC;
	s->running++;
}

static void handle_frame(struct hvs_server *s, struct hvs_conn *c, long long now)
{
	static const char *const what[] = {
		[HVS_REG_DUPLICATE] = "the same range again: answered 'duplicate'",
		[HVS_REG_CONFLICT] = "a different range for a boot that has one: answered 'conflict'",
		[HVS_REG_BUSY] = "this guest's last range is still being applied: answered 'failed'",
	};
	char why[160], id[37];
	uint64_t nonce;
	uint16_t status;
	enum hvs_reg_decision d;

	switch (hvs_recv_judge(c->rd.buf, c->rd.have, &s->policy, &c->rec, &nonce, &status,
			       why, sizeof(why))) {
	case HVS_JUDGE_HANG_UP:
		say("%s: %s; closed without an answer", c->peer, why);
		release(s, c);
		return;
	case HVS_JUDGE_REPLY:
		say("%s: %s; answered '%s'", c->peer, why, hvs_ack_status_name(status));
		queue_ack(s, c, nonce, status, now);
		return;
	case HVS_JUDGE_RECORD:
		break;
	}
	hvs_uuid_format(c->rec.boot_id, id);
	d = hvs_registry_decide(s->reg, c->peer, c->rec.boot_id, c->rec.base, c->rec.size);
	if (d != HVS_REG_NEW) {
		say("%s: boot %s: [0x%llx..0x%llx): %s", c->peer, id,
		    (unsigned long long)c->rec.base,
		    (unsigned long long)(c->rec.base + c->rec.size), what[d]);
		queue_ack(s, c, c->rec.nonce,
			  d == HVS_REG_DUPLICATE ? HVS_ACK_DUPLICATE :
			  d == HVS_REG_CONFLICT ? HVS_ACK_CONFLICT : HVS_ACK_FAILED, now);
		return;
	}
	c->entry = hvs_registry_begin(s->reg, c->peer, c->rec.boot_id, c->rec.base,
				      c->rec.size);
	if (!c->entry) {
		say("%s: every registry slot is mid-apply; answered 'failed'", c->peer);
		queue_ack(s, c, c->rec.nonce, HVS_ACK_FAILED, now);
		return;
	}
	if (!s->exec_cmd)
		applied(s, c, 1, "", now);
	else if (s->running < HVS_MAX_RUNNING_EXECS)
		start_exec(s, c, now);
	else
		c->phase = HVS_PHASE_QUEUED; /* started when one ends, by its deadline */
}

static void on_readable(struct hvs_server *s, struct hvs_conn *c, long long now)
{
	uint8_t buf[HVS_WIRE_MAX_LEN + 64];

	for (;;) {
		enum hvs_wire_result err = HVS_WIRE_OK;
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			/* End of stream, a reset, or an error: the guest is gone. */
			if (c->rd.have)
				say("%s: closed after %zu bytes of a record", c->peer, c->rd.have);
			release(s, c);
			return;
		}
		switch (hvs_frame_reader_feed(&c->rd, buf, (size_t)n, &err)) {
		case HVS_FEED_MORE:
			continue;
		case HVS_FEED_ERROR:
			say("%s: not an hv-swiotlb record (%s); closed", c->peer,
			    hvs_wire_result_text(err));
			release(s, c);
			return;
		case HVS_FEED_FRAME:
			handle_frame(s, c, now);
			return;
		}
	}
}

static void send_ack(struct hvs_server *s, struct hvs_conn *c, long long now)
{
	(void)now;
	while (c->out_sent < sizeof(c->out)) {
		ssize_t n = send(c->fd, c->out + c->out_sent, sizeof(c->out) - c->out_sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

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
	release(s, c); /* one record per connection: done */
}

void hvs_server_ready(struct hvs_server *s, struct hvs_conn *c, long long now)
{
	if (c->phase == HVS_PHASE_READ)
		on_readable(s, c, now);
	else if (c->phase == HVS_PHASE_WRITE)
		send_ack(s, c, now);
}

/* What one accept needs to know of the table, in one pass. */
struct scan {
	struct hvs_conn *free_slot, *oldest_reading, *peer_oldest_reading;
	size_t peer_open;
};

static void scan_table(struct hvs_server *s, const char *peer, struct scan *sc)
{
	size_t i;

	memset(sc, 0, sizeof(*sc));
	for (i = 0; i < s->max_conns; i++) {
		struct hvs_conn *c = &s->conns[i];
		int same;

		if (c->phase == HVS_PHASE_FREE) {
			if (!sc->free_slot)
				sc->free_slot = c;
			continue;
		}
		same = peer && strcmp(c->peer, peer) == 0;
		sc->peer_open += same;
		if (c->phase != HVS_PHASE_READ)
			continue;
		if (!sc->oldest_reading || c->since < sc->oldest_reading->since)
			sc->oldest_reading = c;
		if (same && (!sc->peer_oldest_reading || c->since < sc->peer_oldest_reading->since))
			sc->peer_oldest_reading = c;
	}
}

static int cid_allowed(const struct hvs_server *s, uint32_t cid)
{
	size_t k;

	if (!s->nallow)
		return 1;
	for (k = 0; k < s->nallow; k++)
		if (s->allow[k] == cid)
			return 1;
	return 0;
}

int hvs_server_accept(struct hvs_server *s, const struct hvs_listener *l, long long now)
{
	int evicted_for_fd = 0;

	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		char peer[HVS_PEER_MAX];
		struct hvs_conn *c;
		struct scan sc;
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EAGAIN)
				return 0;
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				int err = errno;

				/* The connection idle longest gives its descriptor up, once. */
				scan_table(s, NULL, &sc);
				if (sc.oldest_reading && !evicted_for_fd++) {
					say("%s: out of file descriptors (%s): closed the "
					    "connection from %s idle longest", l->name,
					    hvs_errname(err), sc.oldest_reading->peer);
					release(s, sc.oldest_reading);
					continue;
				}
				errno = err;
				return -1;
			}
			say("%s: accept: %s", l->name, hvs_errname(errno));
			return 0;
		}
		if (l->is_unix) {
			/* Hybrid vsock: the socket path is the guest's identity. */
			snprintf(peer, sizeof(peer), "%s", l->name);
		} else {
			uint32_t cid = ((struct sockaddr_vm *)&ss)->svm_cid;

			snprintf(peer, sizeof(peer), "vsock:%u", (unsigned)cid);
			if (!cid_allowed(s, cid)) {
				say("%s: CID not in --allow-cid; closed", peer);
				close(fd);
				continue;
			}
		}
		scan_table(s, peer, &sc);
		if (sc.peer_open >= s->max_per_peer) {
			/* One guest may not take the slots of the others, nor its own. */
			if (!sc.peer_oldest_reading) {
				say("%s: already %zu connections from this guest, all busy; closed "
				    "a new one", peer, s->max_per_peer);
				close(fd);
				continue;
			}
			say("%s: %zu connections from this guest: closed the one idle longest",
			    peer, s->max_per_peer);
			release(s, sc.peer_oldest_reading);
			scan_table(s, peer, &sc);
		}
		if (!sc.free_slot) {
			if (!sc.oldest_reading) {
				say("%s: %zu connections open, all busy; closed a new one", l->name,
				    s->max_conns);
				close(fd);
				continue;
			}
			say("%s: %zu connections open: closed the one from %s idle longest",
			    l->name, s->max_conns, sc.oldest_reading->peer);
			release(s, sc.oldest_reading);
			scan_table(s, NULL, &sc);
		}
		c = sc.free_slot;
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->phase = HVS_PHASE_READ;
		memcpy(c->peer, peer, sizeof(peer));
		c->since = now;
		c->deadline = now + s->timeout_ms;
		hvs_frame_reader_init(&c->rd);
		s->open++;
		on_readable(s, c, now); /* a guest sends at once: often it is all here */
	}
}

void hvs_server_children(struct hvs_server *s, long long now)
{
	struct hvs_conn *next;
	size_t i;

	for (i = 0; i < s->max_conns; i++) {
		struct hvs_conn *c = &s->conns[i];
		char how[48];
		int st;

		if (c->phase != HVS_PHASE_EXEC || !hvs_exec_ended(c->child, &st))
			continue;
		c->child = 0;
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			applied(s, c, 1, " (--exec ok)", now);
			continue;
		}
		if (WIFEXITED(st))
			snprintf(how, sizeof(how), "exit %d", WEXITSTATUS(st));
		else
			snprintf(how, sizeof(how), "signal %d", WTERMSIG(st));
		applied(s, c, 0, how, now);
	}
	/* Slots free: the queued ones, oldest first. */
	while (s->running < HVS_MAX_RUNNING_EXECS) {
		next = NULL;
		for (i = 0; i < s->max_conns; i++) {
			struct hvs_conn *c = &s->conns[i];

			if (c->phase == HVS_PHASE_QUEUED && (!next || c->since < next->since))
				next = c;
		}
		if (!next)
			break;
		start_exec(s, next, now);
	}
}

long long hvs_server_expire(struct hvs_server *s, long long now)
{
	long long next = now + 60000;
	size_t i;

	for (i = 0; i < s->max_conns; i++) {
		struct hvs_conn *c = &s->conns[i];
		long long when;

		if (c->phase == HVS_PHASE_FREE)
			continue;
		when = effective_deadline(s, c);
		if (now < when) {
			if (when < next)
				next = when;
			continue;
		}
		switch (c->phase) {
		case HVS_PHASE_EXEC:
			say("%s: --exec still running at the deadline; killed with its "
			    "process group", c->peer);
			hvs_exec_kill(c->child);
			c->deadline = now + 1000; /* reaped at the next SIGCHLD */
			if (c->deadline < next)
				next = c->deadline;
			break;
		case HVS_PHASE_QUEUED:
			say("%s: no --exec slot before the deadline; answered 'failed'", c->peer);
			(void)hvs_registry_finish(s->reg, c->entry, 0, 0);
			c->entry = NULL;
			queue_ack(s, c, c->rec.nonce, HVS_ACK_FAILED, now);
			break;
		case HVS_PHASE_WRITE:
			say("%s: the acknowledgement could not be sent before the deadline; "
			    "closed", c->peer);
			release(s, c);
			break;
		default:
			say("%s: no whole record within %s deadline (%zu bytes); closed",
			    c->peer, when < c->deadline ? "the shortened" : "the", c->rd.have);
			release(s, c);
		}
	}
	return next;
}

int hvs_server_shed_one(struct hvs_server *s)
{
	struct scan sc;

	scan_table(s, NULL, &sc);
	if (!sc.oldest_reading)
		return 0;
	release(s, sc.oldest_reading);
	return 1;
}

void hvs_server_stop(struct hvs_server *s)
{
	size_t i;

	for (i = 0; i < s->max_conns; i++) {
		struct hvs_conn *c = &s->conns[i];

		if (c->phase == HVS_PHASE_EXEC && c->child > 0) {
			int st;

			hvs_exec_kill(c->child);
			while (waitpid(c->child, &st, 0) < 0 && errno == EINTR)
				;
		}
		if (c->phase != HVS_PHASE_FREE)
			release(s, c);
	}
}
