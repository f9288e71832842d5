/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bounded text building without stdio, safe in a signal handler, and the
 * one escaping function every printed value goes through.
 *
 * hvs_escape() keeps the printable ASCII bytes 0x20..0x7e as they are but
 * the backslash, which becomes "\\"; every other byte becomes "\xHH". An
 * escaped value is one line of plain ASCII, so no value read from a file,
 * the command line or the network can forge a line, a key or a terminal
 * control sequence, and the escapes read back unambiguously.
 */
#ifndef HVS_TEXT_H
#define HVS_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Escape n bytes of in into out (cap bytes, always NUL-terminated, never
 * an escape cut in half). Returns the length written; *consumed, if not
 * NULL, says how many input bytes fitted.
 */
size_t hvs_escape(char *out, size_t cap, const char *in, size_t n, size_t *consumed);

/*
 * The inverse, strictly: only what hvs_escape() writes reads back (no NUL,
 * no escape of a printable byte, lower-case hex), so that one name has one
 * escaped form. Returns the length, or -1 for anything else or too long.
 * The receiver's alone: the initramfs binary never references it.
 */
int hvs_unescape(char *out, size_t cap, const char *in, size_t n);

struct hvs_text {
	char *buf;
	size_t cap;
	size_t len;
	int cut; /* something did not fit: the text ends early */
};

void hvs_text_init(struct hvs_text *t, char *buf, size_t cap);
void hvs_text_str(struct hvs_text *t, const char *s);  /* trusted text */
void hvs_text_esc(struct hvs_text *t, const char *s);  /* a value: escaped */
void hvs_text_u64(struct hvs_text *t, uint64_t v);     /* decimal */
void hvs_text_hex(struct hvs_text *t, uint64_t v);     /* 0x and lower-case hex */
void hvs_text_char(struct hvs_text *t, char c);

/*
 * printf for this project's messages, without stdio: %% %c %s %.Ns %d %i
 * %u %x with the l, ll and z lengths, and a zero-padded width (%016llx).
 * Small enough for the 28 KiB initramfs binary and safe in a signal
 * handler; values are not escaped here but by whoever prints the text.
 */
#include <stdarg.h>
void hvs_text_vfmt(struct hvs_text *t, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void hvs_text_fmt(struct hvs_text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* snprintf(): always NUL-terminated, returns the length written. */
size_t hvs_snprintf(char *buf, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
