// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer: the kernel command-line parser, the option reader, and what
 * they feed into output: whatever the line holds, the status file keeps
 * its 12 keys, one per line, in printable ASCII.
 */
#include <stdlib.h>
#include <string.h>

#include "kcmdline.h"
#include "numbers.h"
#include "options.h"
#include "status.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static char text[8192], scratch[8192], out[4096];
	struct hvs_request req;
	struct hvs_options o;
	struct hvs_status st;
	size_t len, i, lines = 0;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	len = hvs_cmdline_from_file(text, size);
	if (len > size || strlen(text) != len)
		abort(); /* no NUL left inside, at most one newline gone */
	if (hvs_request_from_cmdline(text, scratch, sizeof(scratch), &req) != 0)
		abort();
	/* What the kernel ends up with: no pool, or a 2 MiB multiple. */
	if (req.size % HVS_POOL_ALIGN)
		abort();
	if ((req.state == HVS_REQ_SET) != (req.size != 0))
		abort();
	if (strlen(req.value) >= sizeof(req.value))
		abort();

	hvs_options_defaults(&o);
	memcpy(scratch, text, len + 1);
	hvs_options_apply(scratch, &o);
	hvs_options_finish(&o);
	if (o.timeout_ms == 0 || o.timeout_ms > HVS_MAX_TIMEOUT_MS || !hvs_valid_port(o.port) ||
	    !hvs_valid_cid(o.cid) || o.nwarnings > HVS_MAX_WARNINGS)
		abort();

	memset(&st, 0, sizeof(st));
	st.state = req.value;
	st.verdict = "x";
	st.target = text;
	st.ack = o.nwarnings ? o.warning[0] : "";
	st.reason = req.value;
	st.have_pool = 1;
	len = hvs_status_format(&st, out, sizeof(out));
	if (len == 0)
		return 0; /* too long for the file: nothing is written, not half */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];

		if (c == '\n')
			lines++;
		else if (c < 0x20 || c >= 0x7f)
			abort();
	}
	if (lines != 12 || out[len - 1] != '\n')
		abort();
	return 0;
}
