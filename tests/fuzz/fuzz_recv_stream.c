// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the receiver's whole per-connection state machine, fed a
 * byte stream in chunks whose sizes the input also chooses, with the
 * registry deciding every valid record.
 */
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "registry.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct hvs_peer slots[4];
	static struct hvs_named *buckets[8];
	struct hvs_registry reg;
	struct hvs_recv_policy pol = { 0 };
	size_t pos = 0;
	unsigned conn = 0;

	hvs_registry_init(&reg, slots, 4, buckets, 8, NULL);
	/* Each connection: one byte of chunk size, then bytes until a verdict. */
	while (pos < size && conn < 64) {
		struct hvs_frame_reader rd;
		enum hvs_feed f = HVS_FEED_MORE;
		char peer[16] = "p0";

		peer[1] = (char)('0' + conn % 3);
		hvs_frame_reader_init(&rd);
		while (pos < size && f == HVS_FEED_MORE) {
			size_t chunk = (size_t)(data[pos++] % 64) + 1;
			enum hvs_wire_result err;

			if (chunk > size - pos)
				chunk = size - pos;
			f = hvs_frame_reader_feed(&rd, data + pos, chunk, &err);
			pos += chunk;
			if (rd.have > rd.need || rd.need > HVS_WIRE_MAX_LEN)
				abort();
		}
		if (f == HVS_FEED_FRAME) {
			struct hvs_record r;
			uint64_t nonce;
			uint16_t status;
			char why[160];

			if (hvs_recv_judge(rd.buf, rd.have, &pol, &r, &nonce, &status, why,
					   sizeof(why)) == HVS_JUDGE_RECORD &&
			    hvs_registry_decide(&reg, peer, r.boot_id, r.base, r.size) ==
				    HVS_REG_NEW) {
				struct hvs_peer *e =
					hvs_registry_begin(&reg, peer, r.boot_id, r.base, r.size);

				if (!e)
					abort(); /* nothing is mid-apply here */
				hvs_registry_finish(&reg, e, r.nonce & 1, 0);
				if ((r.nonce & 1) &&
				    hvs_registry_decide(&reg, peer, r.boot_id, r.base, r.size) !=
					    HVS_REG_DUPLICATE)
					abort();
			}
		}
		conn++;
	}
	return 0;
}
