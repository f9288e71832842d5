/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One frame from a byte stream, and the verdict on it: gather exactly one
 * frame, then judge it against hv-swiotlb-protocol(7) and the host's
 * policy. Free of sockets, so that tests and fuzzers feed it any bytes.
 */
#ifndef HVS_FRAME_H
#define HVS_FRAME_H

#include "wire.h"

#include <stddef.h>
#include <stdint.h>

struct hvs_frame_reader {
	uint8_t buf[HVS_WIRE_MAX_LEN];
	size_t have;
	size_t need; /* 8 until the header is known, then the frame length */
};

enum hvs_feed {
	HVS_FEED_MORE,  /* keep reading */
	HVS_FEED_FRAME, /* buf holds one whole frame of length need */
	HVS_FEED_ERROR, /* not this protocol, or more than one frame */
};

void hvs_frame_reader_init(struct hvs_frame_reader *r);

/*
 * Take bytes from the stream. Bytes past the first frame that arrive
 * before it is judged (in the same read) are an error: one record per
 * connection. *err says why on HVS_FEED_ERROR.
 */
enum hvs_feed hvs_frame_reader_feed(struct hvs_frame_reader *r, const uint8_t *data,
				    size_t n, enum hvs_wire_result *err);

struct hvs_recv_policy {
	uint64_t max_size;  /* 0: no limit beyond the 4 GiB rule */
};

enum hvs_judgement {
	HVS_JUDGE_HANG_UP, /* fails before the checksum is known good: close, say nothing */
	HVS_JUDGE_REPLY,   /* answer with *status and go no further */
	HVS_JUDGE_RECORD,  /* a valid record: the registry decides */
};

/*
 * Judge one whole frame. A frame whose checksum is good is always answered
 * (its nonce can be trusted); anything else is not. Fills rec for
 * HVS_JUDGE_RECORD, and *nonce and *status for HVS_JUDGE_REPLY; why gets
 * one line for the log.
 */
enum hvs_judgement hvs_recv_judge(const uint8_t *frame, size_t len,
				  const struct hvs_recv_policy *policy,
				  struct hvs_record *rec, uint64_t *nonce,
				  uint16_t *status, char *why, size_t why_cap);

#endif
