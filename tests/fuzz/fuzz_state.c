// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the receiver's state-file parser, which reads what anyone
 * with access to the state directory may have left there. Whatever it
 * accepts is a peer that escapes back to the very bytes read (one name,
 * one form) and a range a host would apply.
 */
#include <stdlib.h>
#include <string.h>

#include "range.h"
#include "statedir.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct hvs_decision v;
	char peer[HVS_PEER_MAX], esc[4 * HVS_PEER_MAX];
	const char *why = NULL;
	size_t n;

	if (hvs_statedir_parse((const char *)data, size, peer, &v, &why) < 0) {
		if (!why)
			abort();
		return 0;
	}
	if (!peer[0] || strlen(peer) >= sizeof(peer))
		abort();
	n = hvs_escape(esc, sizeof(esc), peer, strlen(peer), NULL);
	if (size <= 5 + n || memcmp(data + 5, esc, n) != 0 || data[5 + n] != '\n')
		abort();
	if (hvs_range_check(v.base, v.size, 0, HVS_HOST_PAGE) != HVS_RANGE_OK)
		abort();
	return 0;
}
