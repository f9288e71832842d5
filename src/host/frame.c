/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "frame.h"

#include "range.h"

#include <stdio.h>
#include <string.h>

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

/* Steps 9 to 12: the range, then the host's own limit. */
static enum hvs_judgement judge_range(const struct hvs_record *rec,
				      const struct hvs_recv_policy *policy, uint16_t *status,
				      char *why, size_t why_cap)
{
	*status = HVS_ACK_INVALID;
	switch (hvs_range_check(rec->base, rec->size, 0, HVS_HOST_PAGE)) {
	case HVS_RANGE_OK:
	case HVS_RANGE_SIZE_MISMATCH: /* no expectation given: cannot happen */
		break;
	case HVS_RANGE_ZERO_SIZE:
	case HVS_RANGE_SIZE_UNALIGNED:
		snprintf(why, why_cap, "size %llu is not a non-zero multiple of 2 MiB",
			 (unsigned long long)rec->size);
		return HVS_JUDGE_REPLY;
	case HVS_RANGE_BASE_UNALIGNED:
		snprintf(why, why_cap, "base 0x%llx is not page-aligned",
			 (unsigned long long)rec->base);
		return HVS_JUDGE_REPLY;
	case HVS_RANGE_OVERFLOW:
	case HVS_RANGE_ABOVE_4G:
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

enum hvs_judgement hvs_recv_judge(const uint8_t *frame, size_t len,
				  const struct hvs_recv_policy *policy,
				  struct hvs_record *rec, uint64_t *nonce,
				  uint16_t *status, char *why, size_t why_cap)
{
	struct hvs_header h;
	/* Steps 1 to 4 (wire.c): until the checksum is known good, nothing is answered. */
	enum hvs_wire_result res = hvs_frame_intact(frame, len, &h);

	*nonce = 0;
	if (res != HVS_WIRE_OK) {
		snprintf(why, why_cap, "%s", hvs_wire_result_text(res));
		return HVS_JUDGE_HANG_UP;
	}
	*nonce = h.nonce;
	res = hvs_record_decode(frame, len, rec);
	switch (res) {
	case HVS_WIRE_OK:
		return judge_range(rec, policy, status, why, why_cap);
	case HVS_WIRE_BAD_VERSION:
	case HVS_WIRE_BAD_TYPE:
		/* Intact but not spoken here: say which version we do speak. */
		snprintf(why, why_cap, "frame version %u type %u not supported",
			 h.version, h.type);
		*status = HVS_ACK_UNSUPPORTED;
		return HVS_JUDGE_REPLY;
	default:
		/* Step 7 (a length wrong for the version) or 8 (flags). */
		snprintf(why, why_cap, "%s", res == HVS_WIRE_BAD_RESERVED
			 ? "reserved flags not zero" : "length wrong for a version 1 record");
		*status = HVS_ACK_INVALID;
		return HVS_JUDGE_REPLY;
	}
}
