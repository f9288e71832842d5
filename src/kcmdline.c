/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Written from the behaviour of lib/cmdline.c, lib/vsprintf.c,
 * kernel/params.c and the hv_pci patch's early_param handler. Every quirk
 * here is deliberate: the tool must reach the kernel's answer, not a
 * "better" one. tests/cmdline-table.txt pins each rule.
 */
#include "kcmdline.h"

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

static int is_kxdigit(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/* simple_strtoull(s, end, 0): radix from the prefix, wrap on overflow. */
static uint64_t kernel_strtoull(const char *s, const char **end, int *overflowed)
{
	unsigned base;
	uint64_t res = 0;

	if (s[0] == '0') {
		/* _tolower() in the kernel is c | 0x20, so 'X' counts too. */
		if ((s[1] | 0x20) == 'x' && is_kxdigit((unsigned char)s[2])) {
			base = 16;
			s += 2;
		} else {
			base = 8;
		}
	} else {
		base = 10;
	}

	for (;; s++) {
		unsigned c = (unsigned char)*s, lc = c | 0x20, digit;

		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (lc >= 'a' && lc <= 'f')
			digit = lc - 'a' + 10;
		else
			break;
		if (digit >= base)
			break;
		if (res > (UINT64_MAX - digit) / base)
			*overflowed = 1;
		res = res * base + digit; /* wraps, as the kernel's does */
	}
	*end = s;
	return res;
}

uint64_t hvs_memparse(const char *s, const char **end, int *overflowed)
{
	const char *e;
	uint64_t v;
	unsigned shift;

	*overflowed = 0;
	v = kernel_strtoull(s, &e, overflowed);
	switch (*e) {
	case 'E': case 'e': shift = 60; break;
	case 'P': case 'p': shift = 50; break;
	case 'T': case 't': shift = 40; break;
	case 'G': case 'g': shift = 30; break;
	case 'M': case 'm': shift = 20; break;
	case 'K': case 'k': shift = 10; break;
	default: shift = 0; break;
	}
	if (shift) {
		/* The suffix is consumed even when no digit came before it. */
		if (v >> (64 - shift))
			*overflowed = 1;
		v <<= shift;
		e++;
	}
	*end = e;
	return v;
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
