/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The connections: one record each, read, judged, decided, applied and
 * answered, every one under its own deadline. A fixed table; under
 * pressure (three quarters full) a connection that has not sent a whole
 * record gets at most HVS_PRESSURE_MS, and a new one takes the place of
 * the one that has waited longest without a whole record, so that idle
 * connections, from one guest or from many, can hold up no real guest.
 */
#ifndef HVS_CONN_H
#define HVS_CONN_H

#include "frame.h"
#include "listen.h"
#include "registry.h"
#include "sink.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HVS_PRESSURE_MS 1000
#define HVS_MAX_RUNNING_EXECS 64

enum hvs_phase {
	HVS_PHASE_FREE = 0,
	HVS_PHASE_READ,   /* waiting for a whole record */
	HVS_PHASE_QUEUED, /* a new range, waiting for an --exec slot */
	HVS_PHASE_EXEC,   /* --exec running */
	HVS_PHASE_WRITE,  /* the acknowledgement going out */
};

struct hvs_conn {
	int fd;
	enum hvs_phase phase;
	char peer[HVS_PEER_MAX];
	long long since;    /* accepted at */
	long long deadline;
	struct hvs_frame_reader rd;
	struct hvs_record rec;
	struct hvs_reg_entry *entry;
	pid_t child;
	uint8_t out[HVS_ACK_V1_LEN];
	size_t out_sent;
};

struct hvs_server {
	struct hvs_conn *conns;
	size_t max_conns, open, max_per_peer;
	long long timeout_ms;
	const uint32_t *allow;
	size_t nallow;
	struct hvs_recv_policy policy;
	const char *exec_cmd;
	unsigned running;
	struct hvs_registry *reg;
	struct hvs_sink *events;
};

/* conns: max_conns zeroed slots. */
void hvs_server_init(struct hvs_server *s, struct hvs_conn *conns, size_t max_conns);

/*
 * Accept what is waiting on l. 0, or -1 with errno EMFILE or ENFILE when
 * out of descriptors and no idle connection could make room: the caller
 * stops listening for a while.
 */
int hvs_server_accept(struct hvs_server *s, const struct hvs_listener *l, long long now);

/* poll() said c's fd is ready (POLLIN for READ, POLLOUT for WRITE). */
void hvs_server_ready(struct hvs_server *s, struct hvs_conn *c, long long now);

/* After SIGCHLD: collect ended --exec commands, start queued ones. */
void hvs_server_children(struct hvs_server *s, long long now);

/* Close or kill what is past its deadline; returns the next deadline. */
long long hvs_server_expire(struct hvs_server *s, long long now);

/* Close the connection idle longest without a whole record: 1, or 0 if none. */
int hvs_server_shed_one(struct hvs_server *s);

/* Stop: every --exec group killed and reaped, every connection closed. */
void hvs_server_stop(struct hvs_server *s);

#endif
