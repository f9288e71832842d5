/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "text.h"

#include <string.h>

static const char hexdigits[] = "0123456789abcdef";

size_t hvs_escape(char *out, size_t cap, const char *in, size_t n, size_t *consumed)
{
	size_t o = 0, i;

	if (cap == 0)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		size_t need = (c >= 0x20 && c < 0x7f) ? (c == '\\' ? 2 : 1) : 4;

		if (o + need >= cap)
			break;
		if (need == 1) {
			out[o++] = (char)c;
		} else if (need == 2) {
			out[o++] = '\\';
			out[o++] = '\\';
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hexdigits[c >> 4];
			out[o++] = hexdigits[c & 15];
		}
	}
	out[o] = '\0';
	if (consumed)
		*consumed = i;
	return o;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int hvs_unescape(char *out, size_t cap, const char *in, size_t n)
{
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		int hi, lo;

		if (o + 1 >= cap || c < 0x20 || c >= 0x7f)
			return -1;
		if (c != '\\') {
			out[o++] = (char)c;
			continue;
		}
		if (i + 1 < n && in[i + 1] == '\\') {
			out[o++] = '\\';
			i++;
			continue;
		}
		/* Only what hvs_escape() writes: \xHH, lower case, for a byte it escapes. */
		if (i + 3 >= n || in[i + 1] != 'x' || (hi = hexval(in[i + 2])) < 0 ||
		    (lo = hexval(in[i + 3])) < 0)
			return -1;
		c = (unsigned char)(hi << 4 | lo);
		if (c == 0 || (c >= 0x20 && c < 0x7f))
			return -1;
		out[o++] = (char)c;
		i += 3;
	}
	out[o] = '\0';
	return (int)o;
}

void hvs_text_init(struct hvs_text *t, char *buf, size_t cap)
{
	t->buf = buf;
	t->cap = cap;
	t->len = 0;
	t->cut = cap == 0;
	if (cap)
		buf[0] = '\0';
}

static void put(struct hvs_text *t, const char *s, size_t n)
{
	if (t->cut)
		return;
	if (t->len + n >= t->cap) {
		n = t->cap - 1 - t->len;
		t->cut = 1;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

void hvs_text_str(struct hvs_text *t, const char *s)
{
	put(t, s, strlen(s));
}

void hvs_text_char(struct hvs_text *t, char c)
{
	put(t, &c, 1);
}

void hvs_text_esc(struct hvs_text *t, const char *s)
{
	size_t n = strlen(s), used;

	if (t->cut)
		return;
	t->len += hvs_escape(t->buf + t->len, t->cap - t->len, s, n, &used);
	if (used < n)
		t->cut = 1;
}

void hvs_text_u64(struct hvs_text *t, uint64_t v)
{
	char d[20];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(t, d + i, sizeof(d) - i);
}

void hvs_text_hex(struct hvs_text *t, uint64_t v)
{
	char d[18];
	size_t i = sizeof(d);

	do {
		d[--i] = hexdigits[v & 15];
		v >>= 4;
	} while (v);
	d[--i] = 'x';
	d[--i] = '0';
	put(t, d + i, sizeof(d) - i);
}

static void put_number(struct hvs_text *t, uint64_t v, unsigned base, int negative,
		       unsigned width)
{
	char d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = hexdigits[v % base];
		v /= base;
	} while (v);
	while (sizeof(d) - i < width && i > 1)
		d[--i] = '0';
	if (negative)
		d[--i] = '-';
	put(t, d + i, sizeof(d) - i);
}

void hvs_text_vfmt(struct hvs_text *t, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		unsigned width = 0, lng = 0;
		size_t prec = (size_t)-1;
		int64_t sv;

		if (*fmt != '%') {
			const char *end = strchr(fmt, '%');
			size_t n = end ? (size_t)(end - fmt) : strlen(fmt);

			put(t, fmt, n);
			fmt += n - 1;
			continue;
		}
		fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		if (*fmt == '.') {
			prec = 0;
			for (fmt++; *fmt >= '0' && *fmt <= '9'; fmt++)
				prec = prec * 10 + (size_t)(*fmt - '0');
		}
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng += *fmt == 'z' ? 2 : 1;
		switch (*fmt) {
		case '%':
			put(t, "%", 1);
			break;
		case 'c':
			hvs_text_char(t, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n;

			if (!s)
				s = "(null)";
			for (n = 0; n < prec && s[n]; n++)
				;
			put(t, s, n);
			break;
		}
		case 'd':
		case 'i':
			sv = lng >= 2 ? va_arg(ap, long long) : lng ? va_arg(ap, long)
				: va_arg(ap, int);
			put_number(t, sv < 0 ? 0 - (uint64_t)sv : (uint64_t)sv, 10, sv < 0, width);
			break;
		case 'u':
		case 'x':
			put_number(t, lng >= 2 ? va_arg(ap, unsigned long long)
				   : lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned),
				   *fmt == 'x' ? 16 : 10, 0, width);
			break;
		default:
			put(t, "?", 1); /* not used by this project; -Wformat keeps it so */
			if (!*fmt)
				return;
		}
	}
}

void hvs_text_fmt(struct hvs_text *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hvs_text_vfmt(t, fmt, ap);
	va_end(ap);
}

size_t hvs_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
	struct hvs_text t;
	va_list ap;

	hvs_text_init(&t, buf, cap);
	va_start(ap, fmt);
	hvs_text_vfmt(&t, fmt, ap);
	va_end(ap);
	return t.len;
}
