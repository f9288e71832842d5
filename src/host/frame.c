/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "frame.h"

#include <stdio.h>
#include <string.h>

#define PAGE 4096u
#define POOL_ALIGN (2u * 1024u * 1024u)
#define FOUR_G ((uint64_t)1 << 32)

void hvs_frame_reader_init(struct hvs_frame_reader *r)
{
	r->have = 0;
	r->need = 8;
}

enum hvs_feed hvs_frame_reader_feed(struct hvs_frame_reader *r, const uint8_t *data,
				    size_t n, enum hvs_wire_result *err)
{
	while (n > 0) {
		size_t take;

		if (r->have == r->need) {
			/* A second frame, or anything after the first. */
			*err = HVS_WIRE_BAD_LENGTH;
			return HVS_FEED_ERROR;
		}
		take = r->need - r->have;
		if (take > n)
			take = n;
		memcpy(r->buf + r->have, data, take);
		r->have += take;
		data += take;
		n -= take;
		if (r->need == 8) {
			struct hvs_header h;
			enum hvs_wire_result res = hvs_header_peek(r->buf, r->have, &h);

			if (res == HVS_WIRE_SHORT)
				continue;
			if (res != HVS_WIRE_OK) {
				*err = res;
				return HVS_FEED_ERROR;
			}
			r->need = h.length;
		}
	}
	return r->have == r->need && r->need > 8 ? HVS_FEED_FRAME : HVS_FEED_MORE;
}

static uint64_t header_nonce(const uint8_t *f)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | f[8 + i];
	return v;
}

enum hvs_judgement hvs_recv_judge(const uint8_t *frame, size_t len,
				  const struct hvs_recv_policy *policy,
				  struct hvs_record *rec, uint64_t *nonce,
				  uint16_t *status, char *why, size_t why_cap)
{
	enum hvs_wire_result res = hvs_record_decode(frame, len, rec);

	*nonce = len >= HVS_WIRE_HEADER_LEN ? header_nonce(frame) : 0;
	switch (res) {
	case HVS_WIRE_OK:
		break;
	case HVS_WIRE_BAD_VERSION:
	case HVS_WIRE_BAD_TYPE:
		/* Intact but not spoken here: say which version we do speak. */
		snprintf(why, why_cap, "frame version %u type %u not supported",
			 frame[4], frame[5]);
		*status = HVS_ACK_UNSUPPORTED;
		return HVS_JUDGE_REPLY;
	case HVS_WIRE_BAD_RESERVED:
		snprintf(why, why_cap, "reserved flags not zero");
		*status = HVS_ACK_INVALID;
		return HVS_JUDGE_REPLY;
	default:
		/* Corrupt: its nonce cannot be trusted, so nothing to answer. */
		snprintf(why, why_cap, "%s", hvs_wire_result_text(res));
		return HVS_JUDGE_HANG_UP;
	}

	*status = HVS_ACK_INVALID;
	if (rec->size == 0 || rec->size % POOL_ALIGN) {
		snprintf(why, why_cap, "size %llu is not a non-zero multiple of 2 MiB",
			 (unsigned long long)rec->size);
		return HVS_JUDGE_REPLY;
	}
	if (rec->base % PAGE) {
		snprintf(why, why_cap, "base 0x%llx is not page-aligned",
			 (unsigned long long)rec->base);
		return HVS_JUDGE_REPLY;
	}
	if (rec->base > UINT64_MAX - rec->size || rec->base + rec->size > FOUR_G) {
		snprintf(why, why_cap, "range 0x%llx + %llu does not end below 4 GiB",
			 (unsigned long long)rec->base, (unsigned long long)rec->size);
		return HVS_JUDGE_REPLY;
	}
	if (policy->max_size && rec->size > policy->max_size) {
		snprintf(why, why_cap, "size %llu is over --max-size %llu",
			 (unsigned long long)rec->size,
			 (unsigned long long)policy->max_size);
		return HVS_JUDGE_REPLY;
	}
	why[0] = '\0';
	return HVS_JUDGE_RECORD;
}
