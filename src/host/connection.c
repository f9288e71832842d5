/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "connection.h"

#include "errname.h"
#include "events.h"
#include "clock.h"
#include "say.h"
#include "unapplied.h"
#include "vsock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CONN(p, member) HVS_CONTAINER(p, struct hvs_conn, member)

int hvs_server_init(struct hvs_server *s, size_t max_conns, size_t max_per_peer, int epfd)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->epfd = epfd;
	s->conns = calloc(max_conns, sizeof(*s->conns));
	if (!s->conns || hvs_admission_init(&s->adm, max_conns, max_per_peer) < 0) {
		say_err("out of memory for %zu connections", max_conns);
		free(s->conns);
		s->conns = NULL;
		return -1;
	}
	for (i = max_conns; i-- > 0;) {
		s->conns[i].fd = -1;
		hvs_admission_add(&s->adm, &s->conns[i].slot);
	}
	return 0;
}

/* Watch c's fd for events (0: not at all). */
static void watch(struct hvs_server *s, struct hvs_conn *c, uint32_t events, int op)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = HVS_EV(HVS_EV_CONN, c->gen, (size_t)(c - s->conns));
	(void)epoll_ctl(s->epfd, op, c->fd, &ev);
}

static void release(struct hvs_server *s, struct hvs_conn *c)
{
	/* One in the commit: the commit settles its peer, whoever hears it. */
	if (c->entry && c->entry->applying && c->phase != HVS_PHASE_COMMIT)
		(void)hvs_registry_finish(s->reg, c->entry, 0, 0);
	c->entry = NULL;
	hvs_execq_forget(&s->execq, &c->job);
	/* Explicitly: a copy of the fd elsewhere would keep it registered. */
	(void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->phase = HVS_PHASE_FREE;
	hvs_admission_release(&s->adm, &c->slot);
}

static void count(struct hvs_server *s, uint16_t status)
{
	unsigned long long *n[] = { &s->counts.accepted, &s->counts.duplicate,
				    &s->counts.conflict, &s->counts.invalid,
				    &s->counts.unsupported, &s->counts.failed };

	if (status < sizeof(n) / sizeof(n[0]))
		(*n[status])++;
}

static void send_ack(struct hvs_server *s, struct hvs_conn *c)
{
	while (c->out_sent < sizeof(c->out)) {
		ssize_t n = send(c->fd, c->out + c->out_sent, sizeof(c->out) - c->out_sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			watch(s, c, EPOLLOUT, EPOLL_CTL_ADD);
			return;
		}
		if (n < 0) {
			say_warn("%s: sending the acknowledgement failed: %s", c->slot.peer,
			    hvs_errname(errno));
			break;
		}
		c->out_sent += (size_t)n;
	}
	release(s, c); /* one record per connection: done */
}

/* What --list will say of a record answered status, not applied: 1, or 0 if nothing is kept. */
static int unapplied_of(const struct hvs_server *s, const struct hvs_conn *c, uint16_t status,
			struct hvs_unapplied *u)
{
	if (!s->reg->sd || status < HVS_ACK_CONFLICT)
		return 0;
	memset(u, 0, sizeof(*u));
	u->answer = status;
	u->has_range = c->has_rec;
	if (c->has_rec) {
		memcpy(u->d.boot_id, c->rec.boot_id, 16);
		u->d.base = c->rec.base;
		u->d.size = c->rec.size;
	}
	u->d.when = (long long)time(NULL);
	return 1;
}

static void queue_ack(struct hvs_server *s, struct hvs_conn *c, uint64_t nonce,
		      uint16_t status)
{
	char peer[HVS_PEER_MAX];
	struct hvs_unapplied u;
	int note = unapplied_of(s, c, status, &u);
	struct hvs_ack a;

	if (note) /* c may be gone once the answer is sent */
		memcpy(peer, c->slot.peer, sizeof(peer));
	hvs_execq_forget(&s->execq, &c->job);
	/*
	 * Back from --exec: on the list by age again, at its tail. Its deadline
	 * is then checked at most one timeout late, and the 24 bytes go at once
	 * into a fresh socket's buffer in all but the most hostile cases.
	 */
	hvs_admission_rejoin_age(&s->adm, &c->slot);
	count(s, status);
	a.nonce = nonce;
	a.status = status;
	a.max_version = HVS_WIRE_VERSION;
	hvs_ack_encode(&a, c->out);
	c->out_sent = 0;
	c->phase = HVS_PHASE_WRITE;
	send_ack(s, c); /* usually it all goes at once */
	/* Kept for --list only now, so that it never holds up the answer. */
	if (note)
		hvs_unapplied_note(s->reg, peer, &u, hvs_now_ms());
}

/*
 * The range is settled: applied, not applied (ok 0: how says why), or
 * applied but not durable (err). The guest hears it now.
 */
static void tell(struct hvs_server *s, struct hvs_conn *c, struct hvs_peer *p, int ok, int err,
		 const char *how, long long wall)
{
	char id[37];

	hvs_uuid_format(c->rec.boot_id, id);
	if (ok && err) {
		say_warn("%s: boot %s: cannot record the range in %s (%s): answered 'failed'",
		    c->slot.peer, id, s->reg->sd->dir, hvs_errname(err));
		ok = 0;
	} else if (!ok) {
		say_warn("%s: boot %s: --exec failed (%s): answered 'failed'", c->slot.peer, id, how);
	} else {
		hvs_event_accepted(s->events, c->slot.peer, &c->rec, wall);
		say_notice("%s: boot %s: accepted [0x%llx..0x%llx)%s", c->slot.peer, id,
		    (unsigned long long)c->rec.base,
		    (unsigned long long)(c->rec.base + c->rec.size), how);
	}
	c->entry = NULL;
	queue_ack(s, c, c->rec.nonce, ok ? HVS_ACK_ACCEPTED : HVS_ACK_FAILED);
	if (ok) /* after the answer, as any note is */
		hvs_unapplied_applied(s->reg, p);
}

/*
 * The range is applied (ok) or not; with a state directory it counts only
 * once durable, so the guest waits for the turn's group commit (or, when
 * the commit has no room this turn, for a save of its own, now).
 */
static void applied(struct hvs_server *s, struct hvs_conn *c, int ok, const char *how)
{
	struct hvs_peer *p = c->entry;
	long long wall = (long long)time(NULL);
	struct hvs_commit_entry *e = NULL;
	struct hvs_unapplied u;

	if (ok && s->reg->commit) {
		hvs_registry_stamp(s->reg, p, wall);
		u = hvs_statedir_entry(&p->pending);
		e = hvs_commit_stage(s->reg->commit, p->key.name, HVS_STATE_APPLIED, &u);
		if (!e && errno != ENOBUFS) {
			int err = errno;

			hvs_registry_committed(s->reg, p, 0);
			tell(s, c, p, 1, err, how, wall);
			return;
		}
	}
	if (e) {
		e->prev = p->applied;
		e->has_prev = p->has_applied;
		e->peer = p;
		e->conn = c;
		e->gen = c->gen;
		c->how = how;
		c->phase = HVS_PHASE_COMMIT;
		hvs_admission_leave_age(&s->adm, &c->slot); /* answered within two syncs */
		return;
	}
	tell(s, c, p, ok, hvs_registry_finish(s->reg, p, ok, wall) < 0 ? errno : 0, how, wall);
}

/* The group commit settled a file: a guest's decision, or a note (unapplied.h). */
static void committed(void *arg, const struct hvs_commit_entry *e, int err)
{
	struct hvs_server *s = arg;
	struct hvs_conn *c = e->conn;

	if (e->st.kind == HVS_STATE_UNAPPLIED) {
		hvs_unapplied_committed(s->reg, e->peer, &e->what, err);
		return;
	}
	hvs_registry_committed(s->reg, e->peer, !err);
	if (c->phase == HVS_PHASE_COMMIT && c->gen == e->gen)
		tell(s, c, e->peer, 1, err, c->how, e->what.d.when);
}

int hvs_server_attach(struct hvs_server *s, struct hvs_registry *reg)
{
	s->reg = reg;
	if (!reg->sd)
		return 0;
	if (hvs_commit_init(&s->commit, reg->sd, committed, s) < 0) {
		say_err("out of memory for the group commit of %d files", HVS_COMMIT_MAX);
		return -1;
	}
	reg->commit = &s->commit;
	return 0;
}

size_t hvs_server_commit(struct hvs_server *s)
{
	if (!s->reg->commit)
		return 0;
	(void)hvs_commit_turn(s->reg->commit);
	return hvs_commit_waiting(s->reg->commit);
}

static void start_exec(struct hvs_server *s, struct hvs_conn *c, long long now)
{
	char how[48];

	if (hvs_execq_start(&s->execq, &c->job, now) == 0) {
		c->phase = HVS_PHASE_EXEC;
		hvs_admission_leave_age(&s->adm, &c->slot); /* the exec queue keeps its deadline */
		return;
	}
	snprintf(how, sizeof(how), "cannot start it: %s", hvs_errname(errno));
	applied(s, c, 0, how);
}

/* A valid record: the registry's rules, then apply (or queue) a new range. */
static void decide(struct hvs_server *s, struct hvs_conn *c, long long now)
{
	static const char *const what[] = {
		[HVS_REG_DUPLICATE] = "the same range again: answered 'duplicate'",
		[HVS_REG_CONFLICT] = "a different range for a boot that has one: answered 'conflict'",
		[HVS_REG_BUSY] = "this guest's last range is still being applied: answered 'failed'",
		[HVS_REG_UNREAD] = "its file in the state directory cannot be read now; answered "
				   "'failed', to send again",
	};
	static const uint16_t status[] = {
		[HVS_REG_DUPLICATE] = HVS_ACK_DUPLICATE,
		[HVS_REG_CONFLICT] = HVS_ACK_CONFLICT,
		[HVS_REG_BUSY] = HVS_ACK_FAILED,
		[HVS_REG_UNREAD] = HVS_ACK_FAILED,
	};
	/* A duplicate is a guest sending again, as it should when unsure. */
	static const int level[] = {
		[HVS_REG_DUPLICATE] = LOG_INFO,
		[HVS_REG_CONFLICT] = LOG_WARNING,
		[HVS_REG_BUSY] = LOG_WARNING,
		[HVS_REG_UNREAD] = LOG_WARNING,
	};
	enum hvs_reg_decision d;
	char id[37];

	d = hvs_registry_decide(s->reg, c->slot.peer, c->rec.boot_id, c->rec.base, c->rec.size);
	if (d != HVS_REG_NEW) {
		const char *err = d == HVS_REG_UNREAD ? hvs_errname(errno) : NULL;

		hvs_uuid_format(c->rec.boot_id, id);
		say_at(level[d], "%s: boot %s: [0x%llx..0x%llx): %s%s%s", c->slot.peer, id,
		    (unsigned long long)c->rec.base,
		    (unsigned long long)(c->rec.base + c->rec.size), what[d], err ? " - " : "",
		    err ? err : "");
		queue_ack(s, c, c->rec.nonce, status[d]);
		return;
	}
	c->entry = hvs_registry_begin(s->reg, c->slot.peer, c->rec.boot_id, c->rec.base,
				      c->rec.size);
	if (!c->entry) {
		say_warn("%s: every registry slot is mid-apply; answered 'failed'", c->slot.peer);
		queue_ack(s, c, c->rec.nonce, HVS_ACK_FAILED);
		return;
	}
	if (!s->execq.cmd) {
		applied(s, c, 1, "");
		return;
	}
	c->job.peer = c->slot.peer;
	c->job.rec = &c->rec;
	c->job.deadline = c->slot.deadline;
	if (!hvs_execq_full(&s->execq)) {
		start_exec(s, c, now);
	} else {
		c->phase = HVS_PHASE_QUEUED; /* started when one ends, by its deadline */
		hvs_execq_wait(&s->execq, &c->job);
	}
}

static void handle_frame(struct hvs_server *s, struct hvs_conn *c, long long now)
{
	char why[160];
	uint64_t nonce;
	uint16_t status;

	/* Whole: no longer watched, nor on the reading lists. */
	(void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	hvs_admission_record_whole(&s->adm, &c->slot);
	switch (hvs_recv_judge(c->rd.buf, c->rd.have, &s->policy, &c->rec, &nonce, &status,
			       why, sizeof(why))) {
	case HVS_JUDGE_HANG_UP:
		say_warn("%s: %s; closed without an answer", c->slot.peer, why);
		s->counts.closed++;
		release(s, c);
		return;
	case HVS_JUDGE_REPLY:
		/* A record whose range is refused is kept with it; another frame has none. */
		c->has_rec = hvs_record_decode(c->rd.buf, c->rd.have, &c->rec) == HVS_WIRE_OK;
		say_warn("%s: %s; answered '%s'", c->slot.peer, why, hvs_ack_status_name(status));
		queue_ack(s, c, nonce, status);
		return;
	case HVS_JUDGE_RECORD:
		c->has_rec = 1;
		decide(s, c, now);
	}
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
				say_warn("%s: closed after %zu bytes of a record", c->slot.peer, c->rd.have);
			release(s, c);
			return;
		}
		switch (hvs_frame_reader_feed(&c->rd, buf, (size_t)n, &err)) {
		case HVS_FEED_MORE:
			continue;
		case HVS_FEED_ERROR:
			say_warn("%s: not an hv-swiotlb record (%s); closed", c->slot.peer,
			    hvs_wire_result_text(err));
			s->counts.closed++;
			release(s, c);
			return;
		case HVS_FEED_FRAME:
			handle_frame(s, c, now);
			return;
		}
	}
}

void hvs_server_ready(struct hvs_server *s, uint64_t data, long long now)
{
	size_t i = (size_t)(data & ((1u << 28) - 1));
	struct hvs_conn *c;

	if (i >= s->adm.max_conns)
		return;
	c = &s->conns[i];
	/* Still the connection this event was for? */
	if (c->phase == HVS_PHASE_FREE || data != HVS_EV(HVS_EV_CONN, c->gen, i))
		return;
	/* A record read now could not join this turn's commit: the next turn reads it. */
	if (c->phase == HVS_PHASE_READ && !hvs_server_full(s))
		on_readable(s, c, now);
	else if (c->phase == HVS_PHASE_WRITE)
		send_ack(s, c);
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

/* The guest's name: the socket path (hybrid vsock), or the CID accept() gave. */
static int name_peer(struct hvs_server *s, const struct hvs_listener *l,
		     const struct sockaddr_storage *ss, char *peer, size_t cap)
{
	uint32_t cid;

	if (l->is_unix) {
		snprintf(peer, cap, "%s", l->name);
		return 0;
	}
	cid = ((const struct sockaddr_vm *)ss)->svm_cid;
	snprintf(peer, cap, "vsock:%u", (unsigned)cid);
	if (cid_allowed(s, cid))
		return 0;
	say_warn("%s: CID not in --allow-cid; closed", peer);
	return -1;
}

/* Room for a connection from peer, making it if it may: 0, or -1 (refused, logged). */
static int make_room(struct hvs_server *s, const struct hvs_listener *l, const char *peer)
{
	struct hvs_slot *victim;

	for (;;) {
		switch (hvs_admission_check(&s->adm, peer, &victim)) {
		case HVS_ADMIT_OK:
			return 0;
		case HVS_ADMIT_EVICT_GUEST:
			say_warn("%s: %zu connections from this guest: closed the one idle longest",
			    peer, s->adm.max_per_peer);
			break;
		case HVS_ADMIT_EVICT_OLDEST:
			say_warn("%s: %zu connections open: closed the one from %s idle longest",
			    l->name, s->adm.max_conns, victim->peer);
			break;
		case HVS_ADMIT_REFUSE_GUEST:
			say_warn("%s: already %zu connections from this guest, all busy; closed "
			    "a new one", peer, s->adm.max_per_peer);
			return -1;
		case HVS_ADMIT_REFUSE_FULL:
			say_warn("%s: %zu connections open, all busy; closed a new one", l->name,
			    s->adm.max_conns);
			return -1;
		}
		release(s, CONN(victim, slot));
	}
}

/* Out of descriptors: the connection idle longest gives its up, once. 1 if it did. */
static int free_a_descriptor(struct hvs_server *s, const struct hvs_listener *l, int err)
{
	struct hvs_slot *o = hvs_admission_idlest(&s->adm);
	struct hvs_conn *c = HVS_CONTAINER_OR_NULL(o, struct hvs_conn, slot);

	if (!c)
		return 0;
	say_warn("%s: out of file descriptors (%s): closed the connection from %s idle longest",
	    l->name, hvs_errname(err), c->slot.peer);
	release(s, c);
	return 1;
}

static void admit(struct hvs_server *s, const struct hvs_listener *l, int fd,
		  const struct sockaddr_storage *ss, long long now)
{
	char peer[HVS_PEER_MAX];
	struct hvs_conn *c;

	if (name_peer(s, l, ss, peer, sizeof(peer)) < 0 || make_room(s, l, peer) < 0) {
		close(fd);
		return;
	}
	c = CONN(hvs_admission_take(&s->adm, peer, now, now + s->timeout_ms), slot);
	/* Nothing of the connection before, but its generation: events for it are stale. */
	memset(&c->job, 0, sizeof(c->job));
	memset(&c->fd, 0, sizeof(*c) - offsetof(struct hvs_conn, fd));
	c->gen++;
	c->fd = fd;
	c->phase = HVS_PHASE_READ;
	hvs_frame_reader_init(&c->rd);
	watch(s, c, EPOLLIN, EPOLL_CTL_ADD);
	on_readable(s, c, now); /* a guest sends at once: often it is all here */
}

int hvs_server_full(const struct hvs_server *s)
{
	/* Room kept for the --exec commands that may end this turn. */
	return s->reg->commit &&
	       s->reg->commit->nstaged + HVS_MAX_RUNNING_EXECS >= HVS_COMMIT_MAX;
}

int hvs_server_accept(struct hvs_server *s, const struct hvs_listener *l, long long now)
{
	int evicted_for_fd = 0, taken;

	/* A bounded share per listener and turn: the others, and the deadlines, come too. */
	for (taken = 0; taken < HVS_ACCEPT_BURST && !hvs_server_full(s); taken++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			admit(s, l, fd, &ss, now);
			continue;
		}
		if (errno == EAGAIN)
			return 0;
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno != EMFILE && errno != ENFILE) {
			say_warn("%s: accept: %s", l->name, hvs_errname(errno));
			return 0;
		}
		if (!evicted_for_fd++ && free_a_descriptor(s, l, errno))
			continue;
		return -1;
	}
	return 0; /* more may wait: epoll says so again next turn */
}

void hvs_server_children(struct hvs_server *s, long long now)
{
	struct hvs_exec_job *j;
	int st;

	while ((j = hvs_execq_ended(&s->execq, &st)) != NULL) {
		struct hvs_conn *c = CONN(j, job);
		char how[48];

		c->slot.deadline = j->deadline; /* with the grace, if it was killed */
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			applied(s, c, 1, " (--exec ok)");
			continue;
		}
		if (WIFEXITED(st))
			snprintf(how, sizeof(how), "exit %d", WEXITSTATUS(st));
		else
			snprintf(how, sizeof(how), "signal %d", WTERMSIG(st));
		applied(s, c, 0, how);
	}
	/* Slots free: the waiting ones, oldest first. */
	while ((j = hvs_execq_next(&s->execq)) != NULL)
		start_exec(s, CONN(j, job), now);
}

/* The oldest of those by age is past its deadline: what that means in its phase. */
static void expire_one(struct hvs_server *s, struct hvs_conn *c, long long when)
{
	switch (c->phase) {
	case HVS_PHASE_QUEUED:
		say_warn("%s: no --exec slot before the deadline; answered 'failed'", c->slot.peer);
		(void)hvs_registry_finish(s->reg, c->entry, 0, 0);
		c->entry = NULL;
		queue_ack(s, c, c->rec.nonce, HVS_ACK_FAILED);
		break;
	case HVS_PHASE_WRITE:
		say_warn("%s: the acknowledgement could not be sent before the deadline; "
		    "closed", c->slot.peer);
		release(s, c);
		break;
	default:
		say_warn("%s: no whole record within %s deadline (%zu bytes); closed",
		    c->slot.peer, when < c->slot.deadline ? "the shortened" : "the", c->rd.have);
		s->counts.closed++;
		release(s, c);
	}
}

long long hvs_server_expire(struct hvs_server *s, long long now)
{
	long long next = now + 60000, when = 0;
	struct hvs_slot *o;
	unsigned n = 0;

	/* Each list is oldest first: only its head can be due. A bounded number
	 * per turn: the rest are due again at once, after the turn's other work. */
	while ((o = hvs_admission_idlest(&s->adm)) != NULL &&
	       now >= (when = hvs_admission_read_deadline(&s->adm, o)) && n++ < HVS_EXPIRE_BURST)
		expire_one(s, CONN(o, slot), when);
	if (o && when < next)
		next = when;
	while ((o = hvs_admission_oldest(&s->adm)) != NULL && now >= o->deadline &&
	       CONN(o, slot)->phase != HVS_PHASE_READ && n++ < HVS_EXPIRE_BURST)
		expire_one(s, CONN(o, slot), o->deadline);
	if (o && o->deadline < next)
		next = o->deadline;
	return hvs_execq_expire(&s->execq, now, next);
}

void hvs_server_stop(struct hvs_server *s)
{
	size_t i;

	/* What is decided is made durable and answered first. */
	if (s->reg && s->reg->commit)
		hvs_commit_drain(s->reg->commit);
	hvs_execq_stop(&s->execq);
	for (i = 0; i < s->adm.max_conns; i++)
		if (s->conns[i].phase != HVS_PHASE_FREE)
			release(s, &s->conns[i]);
	hvs_admission_free(&s->adm);
	free(s->conns);
	s->conns = NULL;
	if (!s->reg || !s->reg->sd)
		return;
	/* The notes waiting for their turn are not lost: written now, together. */
	hvs_unapplied_flush(s->reg, hvs_now_ms());
	if (s->reg->commit) {
		hvs_commit_drain(s->reg->commit);
		say_info("group commit: %llu files durable in %llu syncs", s->reg->commit->files,
		    s->reg->commit->syncs);
		hvs_commit_free(s->reg->commit);
		s->reg->commit = NULL;
	}
}
