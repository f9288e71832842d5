/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Just enough of the kernel's headers to compile, unchanged, the
 * functions tests/difftest/extract.sh takes from a Debian linux-source
 * tree: next_arg(), memparse(), simple_strtoull() and their helpers,
 * parameq() and the _ctype table. Only the build tree holds that code;
 * this repository never does.
 */
#ifndef HVS_KSHIM_H
#define HVS_KSHIM_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint64_t u64;
typedef uint32_t u32;

#define noinline __attribute__((noinline))
#define likely(x) (x)
#define unlikely(x) (x)
#define fallthrough __attribute__((__fallthrough__))
#define EXPORT_SYMBOL(x)
#define EXPORT_SYMBOL_GPL(x)
#define KSTRTOX_OVERFLOW (1U << 31)

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

extern const unsigned char _ctype[];

const char *_parse_integer_fixup_radix(const char *s, unsigned int *base);
unsigned int _parse_integer_limit(const char *s, unsigned int base, unsigned long long *p,
				  size_t max_chars);
unsigned long long simple_strtoull(const char *cp, char **endp, unsigned int base);
unsigned long long memparse(const char *ptr, char **retptr);
char *next_arg(char *args, char **param, char **val);
bool parameqn(const char *a, const char *b, size_t n);
bool parameq(const char *a, const char *b);
char *skip_spaces(const char *str);

#endif
