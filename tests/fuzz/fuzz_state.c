// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the receiver's state-file parser, which reads what anyone
 * with access to the state directory may have left there. Whatever it
 * accepts is a peer of printable ASCII and a range a host would apply.
 */
#include <stdlib.h>
#include <string.h>

#include "range.h"
#include "state.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct hvs_saved v;
	const char *why = NULL;
	size_t i;

	if (hvs_state_parse((const char *)data, size, &v, &why) < 0) {
		if (!why)
			abort();
		return 0;
	}
	if (!v.peer[0] || strlen(v.peer) >= sizeof(v.peer))
		abort();
	for (i = 0; v.peer[i]; i++)
		if ((unsigned char)v.peer[i] < 0x20 || (unsigned char)v.peer[i] >= 0x7f)
			abort();
	if (hvs_range_check(v.base, v.size, 0, HVS_HOST_PAGE) != HVS_RANGE_OK)
		abort();
	return 0;
}
