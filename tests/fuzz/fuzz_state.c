// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the receiver's state-file parsers, which read what anyone
 * with access to the state directory may have left there. Whatever they
 * accept is a peer that escapes back to the very bytes read (one name,
 * one form); a decision's range is one a host would apply, and a
 * not-applied one says one of the four answers, with a range a host would
 * have taken for conflict and failed, and none for unsupported. No text is
 * both.
 */
#include <stdlib.h>
#include <string.h>

#include "range.h"
#include "statedir.h"
#include "text.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* The peer read is the one the bytes name, in its one escaped form. */
static void check_peer(const unsigned char *data, size_t size, const char *peer)
{
	char esc[4 * HVS_PEER_MAX];
	size_t n;

	if (!peer[0] || strlen(peer) >= HVS_PEER_MAX)
		abort();
	n = hvs_escape(esc, sizeof(esc), peer, strlen(peer), NULL);
	if (size <= 5 + n || memcmp(data + 5, esc, n) != 0 || data[5 + n] != '\n')
		abort();
}

static int range_ok(const struct hvs_decision *d)
{
	return hvs_range_check(d->base, d->size, 0, HVS_HOST_PAGE) == HVS_RANGE_OK;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct hvs_decision v;
	struct hvs_unapplied u;
	char peer[HVS_PEER_MAX];
	const char *why = NULL;
	int decision = hvs_statedir_parse((const char *)data, size, peer, &v, &why) == 0;

	if (!decision && !why)
		abort();
	if (decision) {
		check_peer(data, size, peer);
		if (!range_ok(&v))
			abort();
	}
	why = NULL;
	if (hvs_statedir_parse_note((const char *)data, size, peer, &u, &why) < 0) {
		if (!why)
			abort();
		return 0;
	}
	check_peer(data, size, peer);
	if (decision || u.answer < HVS_ACK_CONFLICT || u.answer > HVS_ACK_FAILED)
		abort();
	if (u.answer == HVS_ACK_UNSUPPORTED ? u.has_range
					   : u.answer != HVS_ACK_INVALID && !range_ok(&u.d))
		abort();
	return 0;
}
