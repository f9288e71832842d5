/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The connections: one record each, read, judged, decided, applied and
 * answered, every one under its own deadline. Which connections may be
 * open is admission's (admission.h); running --exec commands is the exec
 * queue's (execq.h); this is what happens on each connection. A
 * connection embeds its admission slot and its exec job, and is found
 * again from either (container.h): neither module knows this struct.
 */
#ifndef HVS_CONNECTION_H
#define HVS_CONNECTION_H

#include "admission.h"
#include "commit.h"
#include "execq.h"
#include "frame.h"
#include "listen.h"
#include "registry.h"
#include "sink.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum hvs_phase {
	HVS_PHASE_FREE = 0,
	HVS_PHASE_READ,   /* waiting for a whole record */
	HVS_PHASE_QUEUED, /* a new range, waiting for an --exec slot */
	HVS_PHASE_EXEC,   /* --exec running */
	HVS_PHASE_COMMIT, /* applied, in the turn's group commit until durable */
	HVS_PHASE_WRITE,  /* the acknowledgement going out */
};

struct hvs_conn {
	struct hvs_slot slot;    /* admission's: the peer, the times, its lists */
	struct hvs_exec_job job; /* the exec queue's, while it holds the range */
	uint32_t gen;            /* a new one for each connection the slot holds */
	/* From fd on, reset for each connection: see admit(). */
	int fd;
	enum hvs_phase phase;
	struct hvs_frame_reader rd;
	struct hvs_record rec;
	int has_rec; /* rec was read from the frame (a refused one may have none) */
	struct hvs_peer *entry; /* the registry's, while this one applies it */
	const char *how; /* what the log says of the apply, once committed */
	uint8_t out[HVS_ACK_V1_LEN];
	size_t out_sent;
};

/* What the receiver decided, for STATUS= and the listing. */
struct hvs_counts {
	unsigned long long accepted, duplicate, conflict, invalid, unsupported, failed, closed;
};

struct hvs_server {
	struct hvs_conn *conns; /* as many as admission has slots */
	struct hvs_admission adm;
	struct hvs_execq execq;
	int epfd; /* the loop's: connections are watched from here */
	long long timeout_ms;
	const uint32_t *allow;
	size_t nallow;
	struct hvs_recv_policy policy;
	struct hvs_registry *reg;
	struct hvs_commit commit; /* with a state directory */
	struct hvs_sink *events;
	struct hvs_counts counts;
};

/* epoll data: what an event is for (loop.c owns the other kinds). */
#define HVS_EV_CONN 1u
#define HVS_EV_KIND(u) ((unsigned)((u) >> 60))
#define HVS_EV(kind, gen, index) \
	(((uint64_t)(kind) << 60) | ((uint64_t)(gen) << 28) | (uint64_t)(index))

/* 0, or -1 with a log line (out of memory). */
int hvs_server_init(struct hvs_server *s, size_t max_conns, size_t max_per_peer, int epfd);

/*
 * The registry decisions are kept in; with a state directory, the group
 * commit that makes them durable. 0, or -1 with a log line.
 */
int hvs_server_attach(struct hvs_server *s, struct hvs_registry *reg);

/*
 * End of a loop turn: the group commit's sync, and the guests whose
 * decisions it made durable answered. The files still waiting for a sync:
 * while there are any, the loop must not sleep.
 */
size_t hvs_server_commit(struct hvs_server *s);

/* This turn's group commit has no more room: accept and read nothing more till the next. */
int hvs_server_full(const struct hvs_server *s);

#define HVS_ACCEPT_BURST 16 /* connections taken from one listener in one turn */

/*
 * Accept what is waiting on l, at most HVS_ACCEPT_BURST. 0, or -1 with errno EMFILE or ENFILE when
 * out of descriptors and no idle connection could make room: the caller
 * stops listening for a while.
 */
int hvs_server_accept(struct hvs_server *s, const struct hvs_listener *l, long long now);

/* epoll said the connection of this event's data is ready. */
void hvs_server_ready(struct hvs_server *s, uint64_t data, long long now);

/* After SIGCHLD: collect ended --exec commands, start queued ones. */
void hvs_server_children(struct hvs_server *s, long long now);

#define HVS_EXPIRE_BURST 1024 /* connections closed for their deadline in one turn */

/* Close or kill what is past its deadline, at most HVS_EXPIRE_BURST; returns the next deadline. */
long long hvs_server_expire(struct hvs_server *s, long long now);

/* Stop: every --exec command and all it started killed and reaped, every connection closed. */
void hvs_server_stop(struct hvs_server *s);

#endif
