// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: the guest's acknowledgement decoder. */
#include <stdlib.h>
#include <string.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct hvs_header h;
	struct hvs_ack a;
	uint8_t again[HVS_ACK_V1_LEN];

	if (hvs_header_peek(data, size, &h) == HVS_WIRE_OK &&
	    (h.length < HVS_WIRE_MIN_LEN || h.length > HVS_WIRE_MAX_LEN))
		abort();
	if (hvs_ack_decode(data, size, &a) != HVS_WIRE_OK)
		return 0;
	/* Only one byte string is a valid acknowledgement of these values. */
	if (size != HVS_ACK_V1_LEN || hvs_ack_encode(&a, again) != size ||
	    memcmp(again, data, size) != 0 || a.status > HVS_ACK_FAILED)
		abort();
	return 0;
}
