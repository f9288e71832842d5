// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer: the kernel command-line parser and the option reader. */
#include <stdlib.h>
#include <string.h>

#include "kcmdline.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static char text[8192], scratch[8192];
	struct hvs_request req;
	struct hvs_options o;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
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
	if (hvs_options_parse(text, scratch, sizeof(scratch), &o) != 0)
		abort();
	if (o.timeout_ms == 0 || o.timeout_ms > HVS_MAX_TIMEOUT_MS || !hvs_valid_port(o.port) ||
	    !hvs_valid_cid(o.cid) || o.nwarnings > HVS_MAX_WARNINGS)
		abort();
	return 0;
}
