// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: the receiver's record decoder and judge. */
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct hvs_recv_policy pol = { size ? (uint64_t)data[0] << 20 : 0 };
	struct hvs_record r;
	uint8_t again[HVS_RECORD_V1_LEN];
	uint64_t nonce;
	uint16_t status = 0xffff;
	char why[160];
	enum hvs_judgement j;

	j = hvs_recv_judge(data, size, &pol, &r, &nonce, &status, why, sizeof(why));
	if (strlen(why) >= sizeof(why))
		abort();
	if (j == HVS_JUDGE_REPLY && status != HVS_ACK_INVALID && status != HVS_ACK_UNSUPPORTED)
		abort();
	if (hvs_record_decode(data, size, &r) != HVS_WIRE_OK) {
		if (j == HVS_JUDGE_RECORD)
			abort();
		return 0;
	}
	if (size != HVS_RECORD_V1_LEN || hvs_record_encode(&r, again) != size ||
	    memcmp(again, data, size) != 0)
		abort();
	/* A record the judge lets through is one a host may map. */
	if (j == HVS_JUDGE_RECORD &&
	    (r.size == 0 || r.size % (2u << 20) || r.base % 4096 || r.base + r.size < r.base ||
	     r.base + r.size > ((uint64_t)1 << 32)))
		abort();
	return 0;
}
