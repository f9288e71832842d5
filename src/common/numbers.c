/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memparse() is written from the behaviour of lib/cmdline.c and
 * lib/vsprintf.c; tests/difftest compares it with the kernel's own code.
 */
#include "numbers.h"

int hvs_parse_u32(const char *s, uint32_t *v)
{
	uint64_t acc = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		acc = acc * 10 + (uint64_t)(*s - '0');
		if (acc > UINT32_MAX)
			return -1;
	}
	*v = (uint32_t)acc;
	return 0;
}

int hvs_parse_seconds_ms(const char *s, unsigned *ms)
{
	uint64_t whole = 0, frac = 0;
	unsigned scale = 1000, digits = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		whole = whole * 10 + (uint64_t)(*s - '0');
		if (whole > HVS_MAX_TIMEOUT_MS / 1000)
			return -1;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (++digits > 3)
				return -1; /* finer than a millisecond */
			scale /= 10;
			frac += (uint64_t)(*s - '0') * scale;
		}
		if (digits == 0)
			return -1;
	}
	if (*s)
		return -1;
	whole = whole * 1000 + frac;
	if (whole == 0 || whole > HVS_MAX_TIMEOUT_MS)
		return -1;
	*ms = (unsigned)whole;
	return 0;
}

int hvs_valid_port(uint32_t port)
{
	return port != 0 && port != UINT32_MAX; /* UINT32_MAX: VMADDR_PORT_ANY */
}

int hvs_valid_cid(uint32_t cid)
{
	/* 0 is the hypervisor itself and UINT32_MAX is VMADDR_CID_ANY. */
	return cid != 0 && cid != UINT32_MAX;
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
