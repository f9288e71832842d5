/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Step 4: hand the record to the host and wait for its acknowledgement.
 * Connects, retries with backoff and the wait for the answer all live
 * inside the one deadline armed by deadline.h. No half-close: the guest
 * sends one record and reads one acknowledgement of known length.
 */
#ifndef HVS_HANDOFF_H
#define HVS_HANDOFF_H

#include "wire.h"

#include <stddef.h>
#include <stdint.h>

#define HVS_UNIX_PATH_MAX 108

enum hvs_target_kind {
	HVS_TARGET_VSOCK,
	HVS_TARGET_UNIX, /* tests, and hybrid-vsock hosts seen from their side */
};

struct hvs_target {
	enum hvs_target_kind kind;
	uint32_t cid;
	uint32_t port;
	char path[HVS_UNIX_PATH_MAX];
};

/* "vsock:CID:PORT" or "unix:PATH"; 0, or -1 with a reason in why. */
int hvs_target_parse(const char *text, struct hvs_target *t, const char **why);
void hvs_target_format(const struct hvs_target *t, char *buf, size_t cap);

enum hvs_handoff_outcome {
	HVS_HANDOFF_ACKED,       /* accepted or duplicate */
	HVS_HANDOFF_REFUSED,     /* the host said conflict, invalid, unsupported or failed */
	HVS_HANDOFF_UNREACHABLE, /* no connection, or no answer, before the deadline */
	HVS_HANDOFF_PROTOCOL,    /* an answer that is not a valid acknowledgement */
};

struct hvs_handoff_result {
	enum hvs_handoff_outcome outcome;
	unsigned attempts;
	struct hvs_ack ack;   /* valid for ACKED and REFUSED */
	char detail[200];     /* the last failure, one line */
};

void hvs_handoff(const struct hvs_target *t, const struct hvs_record *r,
		 struct hvs_handoff_result *res);

#endif
