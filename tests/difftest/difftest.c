/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel as the oracle: generated command lines go through the
 * kernel's own next_arg(), parameq(), memparse() and simple_strtoull()
 * (compiled from Debian's linux-source by extract.sh) with the hv_pci
 * handler's rules from the kernel contract, and through hv-swiotlb's
 * parser as hv-swiotlb reads them: from /proc/cmdline, which is the line
 * and one newline the kernel never parsed (and, when the line does not end
 * in one itself, from a file without it). Any disagreement on the pool
 * size fails.
 *
 *   difftest CASES [SEED]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcmdline.h"

/* The kernel's functions (kernel_parse.c). */
char *next_arg(char *args, char **param, char **val);
unsigned long long memparse(const char *ptr, char **retptr);
_Bool parameq(const char *a, const char *b);
char *skip_spaces(const char *str);

#define SZ_2M (2ull << 20)

/* parse_args() of kernel/params.c and the hv_pci early_param handler. */
static unsigned long long kernel_answer(const char *cmdline)
{
	static char buf[4096];
	unsigned long long size = 0;
	char *args;

	snprintf(buf, sizeof(buf), "%s", cmdline);
	args = skip_spaces(buf);
	while (*args) {
		char *param, *val, *end;
		unsigned long long v;

		args = next_arg(args, &param, &val);
		if (!val && strcmp(param, "--") == 0)
			break;
		if (!parameq(param, "hv_pci_swiotlb"))
			continue;
		if (!val || !*val)
			continue;                 /* nothing changes */
		v = memparse(val, &end);
		if (*end)
			v = 0;                    /* refused, pool disabled */
		if (v)
			v = (v + SZ_2M - 1) & ~(SZ_2M - 1); /* ALIGN, wraps */
		size = v;
	}
	return size;
}

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	/* xorshift64*: fast, and the same cases for the same seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32) % n;
}

static void add(char *out, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 >= cap)
		return;
	memcpy(out + *len, s, n + 1);
	*len += n;
}

static void add_char(char *out, size_t cap, size_t *len, char c)
{
	char s[2] = { c, 0 };

	add(out, cap, len, s);
}

static const char *const names[] = {
	"hv_pci_swiotlb", "hv_pci_swiotlb", "hv_pci_swiotlb", "hv-pci-swiotlb", "hv_pci-swiotlb",
	"hv-pci_swiotlb", "HV_PCI_SWIOTLB", "hv_pci_swiotlbx", "xhv_pci_swiotlb", "hv_pci",
	"--", "quiet", "root", "rd.hvswiotlb", "=hv_pci_swiotlb", "",
};
static const char *const seps[] = { " ", " ", " ", "  ", "\t", "\n", "\xa0", "\x85", "" };

static void gen_value(char *out, size_t cap, size_t *len)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	unsigned i, digits = rnd(22);

	switch (rnd(4)) {
	case 0: add(out, cap, len, rnd(2) ? "0x" : "0X"); break;
	case 1: add(out, cap, len, "0"); break;
	default: break;
	}
	for (i = 0; i < digits; i++)
		add_char(out, cap, len, rnd(3) ? (char)('0' + rnd(10)) : hex[rnd(sizeof(hex) - 1)]);
	if (rnd(2))
		add_char(out, cap, len, "kKmMgGtTpPeEbBxX"[rnd(16)]);
	if (rnd(5) == 0)
		add_char(out, cap, len, ",\"-+ =0Mx"[rnd(9)]);
	if (rnd(8) == 0)
		gen_value(out, cap, len); /* "<base>,<size>" and other junk */
}

static void gen_cmdline(char *out, size_t cap)
{
	size_t len = 0;
	unsigned t, tokens = 1 + rnd(8);

	out[0] = '\0';
	if (rnd(10) == 0) {
		/* Raw bytes from an alphabet that matters to the parser. */
		static const char alpha[] = "hv_pci-swiotlb=0x1234567kKmMgGeE,\" \t\n\xa0-";
		unsigned n = rnd(80);

		for (t = 0; t < n; t++)
			add_char(out, cap, &len, alpha[rnd(sizeof(alpha) - 1)]);
		return;
	}
	for (t = 0; t < tokens; t++) {
		if (t || rnd(4) == 0)
			add(out, cap, &len, seps[rnd(sizeof(seps) / sizeof(seps[0]))]);
		if (rnd(12) == 0)
			add_char(out, cap, &len, '"');
		add(out, cap, &len, names[rnd(sizeof(names) / sizeof(names[0]))]);
		if (rnd(6) == 0)
			continue; /* bare */
		add_char(out, cap, &len, '=');
		if (rnd(8) == 0)
			add_char(out, cap, &len, '"');
		if (rnd(10))
			gen_value(out, cap, &len);
		if (rnd(10) == 0)
			add_char(out, cap, &len, '"');
	}
	if (rnd(6) == 0) {
		/* A quote left open at the very end: the value ends with the line. */
		add(out, cap, &len, rnd(2) ? " \"hv_pci_swiotlb=" : " hv_pci_swiotlb=\"");
		gen_value(out, cap, &len);
	}
	if (rnd(3) == 0)
		add(out, cap, &len, "\n");
}

/* An odd number of '"': next_arg() is still inside a quote at the end. */
static int ends_in_quote(const char *s)
{
	unsigned q = 0;

	for (; *s; s++)
		q += *s == '"';
	return q & 1;
}

/* hv-swiotlb's answer for a file holding text (as --cmdline-file reads it). */
static unsigned long long tool_answer(const char *text)
{
	static char file[1100], scratch[1100];
	struct hvs_request req;
	size_t n = strlen(text);

	memcpy(file, text, n + 1);
	hvs_cmdline_from_file(file, n);
	if (hvs_request_from_cmdline(file, scratch, sizeof(scratch), &req) != 0)
		abort();
	return req.size;
}

static void show(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			fputs("\\\\", stderr);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, stderr);
		else if (c == '\t')
			fputs("\\t", stderr);
		else if (c == '\n')
			fputs("\\n", stderr);
		else
			fprintf(stderr, "\\0%03o", c);
	}
}

int main(int argc, char **argv)
{
	static char line[1024], proc[1100];
	unsigned long long cases, i, wrong = 0, nonzero = 0, open_end = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: difftest CASES [SEED]\n");
		return 2;
	}
	cases = strtoull(argv[1], NULL, 10);
	rng_state = argc > 2 ? strtoull(argv[2], NULL, 0) : 0x9e3779b97f4a7c15ull;
	if (!rng_state)
		rng_state = 1;
	for (i = 0; i < cases; i++) {
		unsigned long long want, got, bare;
		size_t n;

		gen_cmdline(line, sizeof(line));
		n = strlen(line);
		want = kernel_answer(line);
		snprintf(proc, sizeof(proc), "%s\n", line); /* as /proc/cmdline shows it */
		got = tool_answer(proc);
		bare = n && line[n - 1] == '\n' ? got : tool_answer(line);
		if (want)
			nonzero++;
		if (ends_in_quote(line))
			open_end++;
		if (got != want || bare != want) {
			if (wrong++ < 20) {
				fprintf(stderr, "disagreement: kernel %llu, hv-swiotlb %llu from "
					"/proc/cmdline, %llu without its newline: ", want, got, bare);
				show(line);
				fputc('\n', stderr);
			}
		}
	}
	printf("%llu cases (%llu with a pool, %llu ending inside a quote), "
	       "%llu disagreements\n", cases, nonzero, open_end, wrong);
	return wrong ? 1 : 0;
}
