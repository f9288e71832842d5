/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Written from the behaviour of lib/cmdline.c, lib/vsprintf.c,
 * kernel/params.c and the hv_pci patch's early_param handler. Every quirk
 * here is deliberate: the tool must reach the kernel's answer, not a
 * "better" one. tests/data/cmdline-table.txt pins each rule.
 */
#include "kcmdline.h"

#include "numbers.h"

#include <string.h>

int hvs_kisspace(unsigned char c)
{
	/* lib/ctype.c marks 9..13, ' ' and 0xa0 (Latin-1 NBSP) as _S. */
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

static char *skip_kspaces(char *s)
{
	while (hvs_kisspace((unsigned char)*s))
		s++;
	return s;
}

char *hvs_next_arg(char *args, char **param, char **val)
{
	size_t i;
	size_t equals = 0; /* 0 doubles as "none yet", so "=x" has no '=' */
	int in_quote = 0, quoted = 0;

	if (*args == '"') {
		args++;
		in_quote = 1;
		quoted = 1;
	}

	for (i = 0; args[i]; i++) {
		if (hvs_kisspace((unsigned char)args[i]) && !in_quote)
			break;
		if (equals == 0 && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}

	*param = args;
	if (!equals) {
		*val = NULL;
	} else {
		args[equals] = '\0';
		*val = args + equals + 1;
		/* A value that opens with a quote loses it and a closing one. */
		if (**val == '"') {
			(*val)++;
			if (args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';

	if (args[i]) {
		args[i] = '\0';
		args += i + 1;
	} else {
		args += i;
	}
	return skip_kspaces(args);
}

static char dash_to_underscore(char c)
{
	return c == '-' ? '_' : c;
}

int hvs_parameq(const char *a, const char *b)
{
	size_t i, n = strlen(a) + 1; /* the NUL must match too */

	for (i = 0; i < n; i++)
		if (dash_to_underscore(a[i]) != dash_to_underscore(b[i]))
			return 0;
	return 1;
}

static void keep_value(struct hvs_request *r, const char *val)
{
	size_t n = strlen(val);

	if (n >= sizeof(r->value))
		n = sizeof(r->value) - 1;
	memcpy(r->value, val, n);
	r->value[n] = '\0';
}

/* The hv_pci patch's early_param handler, run once per occurrence. */
static void apply_occurrence(struct hvs_request *r, const char *val)
{
	const char *end;
	int overflowed;
	uint64_t size;

	r->occurrences++;
	if (!val || !*val)
		return; /* bare or empty: an earlier value stays */

	keep_value(r, val);
	size = hvs_memparse(val, &end, &overflowed);
	r->overflowed = 0;
	if (*end) {
		/* The kernel warns and disables; we also say which mistake. */
		r->state = (*end == ',' && end != val) ? HVS_REQ_LEGACY
						      : HVS_REQ_MALFORMED;
		r->size = 0;
		return;
	}
	if (size == 0) {
		r->state = overflowed ? HVS_REQ_WRAPPED : HVS_REQ_ZERO;
		r->size = 0;
		return;
	}
	/* ALIGN(size, 2 MiB): unsigned, so it wraps to 0 near the top. */
	size = (size + (HVS_POOL_ALIGN - 1)) & ~(uint64_t)(HVS_POOL_ALIGN - 1);
	if (size == 0) {
		r->state = HVS_REQ_WRAPPED;
		r->size = 0;
		return;
	}
	r->state = HVS_REQ_SET;
	r->size = size;
	r->overflowed = overflowed;
}

size_t hvs_cmdline_from_file(char *text, size_t len)
{
	size_t i;

	/*
	 * The kernel's line is a C string: a NUL in a file is damage, and a
	 * blank is the reading that cannot join or hide the words around it.
	 */
	for (i = 0; i < len; i++)
		if (text[i] == '\0')
			text[i] = ' ';
	/* /proc/cmdline is the line plus one newline, which the kernel never parsed. */
	if (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	return len;
}

int hvs_request_from_cmdline(const char *cmdline, char *scratch, size_t cap,
			     struct hvs_request *out)
{
	size_t n = strlen(cmdline);
	char *args;

	memset(out, 0, sizeof(*out));
	if (n >= cap)
		return -1;
	memcpy(scratch, cmdline, n + 1);

	/* parse_args(): leading blanks go, then token by token. */
	args = skip_kspaces(scratch);
	while (*args) {
		char *param, *val;

		args = hvs_next_arg(args, &param, &val);
		if (!val && strcmp(param, "--") == 0)
			break; /* the rest belongs to init */
		if (hvs_parameq(param, "hv_pci_swiotlb"))
			apply_occurrence(out, val);
	}
	return 0;
}

const char *hvs_request_state_name(enum hvs_request_state s)
{
	switch (s) {
	case HVS_REQ_ABSENT: return "absent";
	case HVS_REQ_SET: return "set";
	case HVS_REQ_ZERO: return "zero";
	case HVS_REQ_WRAPPED: return "wrapped";
	case HVS_REQ_LEGACY: return "legacy";
	case HVS_REQ_MALFORMED: return "malformed";
	}
	return "unknown";
}
