/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "wire.h"

#include <string.h>

static const uint8_t magic[4] = { 'H', 'V', 'S', 'W' };

uint32_t hvs_crc32c(const void *data, size_t len)
{
	/* Bitwise reflected CRC-32C: frames are tiny, a table is not worth 1 KiB. */
	const uint8_t *p = data;
	uint32_t crc = 0xffffffffu;
	int k;

	while (len--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | ((uint32_t)get16(p + 2) << 16);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32);
}

static void put_header(uint8_t *out, uint8_t type, uint16_t length, uint64_t nonce)
{
	memcpy(out, magic, 4);
	out[4] = HVS_WIRE_VERSION;
	out[5] = type;
	put16(out + 6, length);
	put64(out + 8, nonce);
}

static void put_crc(uint8_t *frame, size_t len)
{
	put32(frame + len - 4, hvs_crc32c(frame, len - 4));
}

enum hvs_wire_result hvs_header_peek(const uint8_t *buf, size_t len,
				     struct hvs_header *h)
{
	size_t i;

	/* Refuse a wrong magic as soon as its first byte is wrong. */
	for (i = 0; i < 4 && i < len; i++)
		if (buf[i] != magic[i])
			return HVS_WIRE_BAD_MAGIC;
	if (len < 8)
		return HVS_WIRE_SHORT;
	h->version = buf[4];
	h->type = buf[5];
	h->length = get16(buf + 6);
	h->nonce = len >= HVS_WIRE_HEADER_LEN ? get64(buf + 8) : 0;
	if (h->length < HVS_WIRE_MIN_LEN || h->length > HVS_WIRE_MAX_LEN)
		return HVS_WIRE_BAD_LENGTH;
	return HVS_WIRE_OK;
}

enum hvs_wire_result hvs_frame_intact(const uint8_t *buf, size_t len, struct hvs_header *h)
{
	enum hvs_wire_result r = hvs_header_peek(buf, len, h);

	if (r != HVS_WIRE_OK)
		return r;
	if (len < h->length)
		return HVS_WIRE_SHORT;
	if (len > h->length)
		return HVS_WIRE_BAD_LENGTH; /* trailing bytes: not one frame */
	if (get32(buf + h->length - 4) != hvs_crc32c(buf, h->length - 4u))
		return HVS_WIRE_BAD_CHECKSUM;
	return HVS_WIRE_OK;
}

/* The checks every decoder shares, in the order the page gives them. */
static enum hvs_wire_result check_frame(const uint8_t *buf, size_t len,
					uint8_t type, size_t want_len,
					struct hvs_header *h)
{
	enum hvs_wire_result r = hvs_frame_intact(buf, len, h);

	if (r != HVS_WIRE_OK)
		return r;
	if (h->version != HVS_WIRE_VERSION)
		return HVS_WIRE_BAD_VERSION;
	if (h->type != type)
		return HVS_WIRE_BAD_TYPE;
	if (h->length != want_len)
		return HVS_WIRE_BAD_LENGTH;
	return HVS_WIRE_OK;
}

size_t hvs_record_encode(const struct hvs_record *r, uint8_t out[HVS_RECORD_V1_LEN])
{
	put_header(out, HVS_TYPE_RECORD, HVS_RECORD_V1_LEN, r->nonce);
	put64(out + 16, r->base);
	put64(out + 24, r->size);
	memcpy(out + 32, r->boot_id, 16);
	put32(out + 48, 0);
	put_crc(out, HVS_RECORD_V1_LEN);
	return HVS_RECORD_V1_LEN;
}

enum hvs_wire_result hvs_record_decode(const uint8_t *buf, size_t len,
				       struct hvs_record *r)
{
	struct hvs_header h;
	enum hvs_wire_result res;

	res = check_frame(buf, len, HVS_TYPE_RECORD, HVS_RECORD_V1_LEN, &h);
	if (res != HVS_WIRE_OK)
		return res;
	if (get32(buf + 48) != 0)
		return HVS_WIRE_BAD_RESERVED;
	r->nonce = h.nonce;
	r->base = get64(buf + 16);
	r->size = get64(buf + 24);
	memcpy(r->boot_id, buf + 32, 16);
	return HVS_WIRE_OK;
}

size_t hvs_ack_encode(const struct hvs_ack *a, uint8_t out[HVS_ACK_V1_LEN])
{
	put_header(out, HVS_TYPE_ACK, HVS_ACK_V1_LEN, a->nonce);
	put16(out + 16, a->status);
	out[18] = a->max_version;
	out[19] = 0;
	put_crc(out, HVS_ACK_V1_LEN);
	return HVS_ACK_V1_LEN;
}

enum hvs_wire_result hvs_ack_decode(const uint8_t *buf, size_t len,
				    struct hvs_ack *a)
{
	struct hvs_header h;
	enum hvs_wire_result res;

	res = check_frame(buf, len, HVS_TYPE_ACK, HVS_ACK_V1_LEN, &h);
	if (res != HVS_WIRE_OK)
		return res;
	if (buf[19] != 0)
		return HVS_WIRE_BAD_RESERVED;
	a->nonce = h.nonce;
	a->status = get16(buf + 16);
	a->max_version = buf[18];
	if (a->status > HVS_ACK_FAILED)
		return HVS_WIRE_BAD_STATUS;
	return HVS_WIRE_OK;
}

const char *hvs_wire_result_text(enum hvs_wire_result r)
{
	switch (r) {
	case HVS_WIRE_OK: return "ok";
	case HVS_WIRE_SHORT: return "truncated frame";
	case HVS_WIRE_BAD_MAGIC: return "bad magic";
	case HVS_WIRE_BAD_LENGTH: return "bad length";
	case HVS_WIRE_BAD_VERSION: return "unsupported version";
	case HVS_WIRE_BAD_TYPE: return "unexpected frame type";
	case HVS_WIRE_BAD_CHECKSUM: return "bad checksum";
	case HVS_WIRE_BAD_RESERVED: return "reserved field not zero";
	case HVS_WIRE_BAD_STATUS: return "unknown status";
	}
	return "unknown error";
}

const char *hvs_ack_status_name(unsigned status)
{
	switch (status) {
	case HVS_ACK_ACCEPTED: return "accepted";
	case HVS_ACK_DUPLICATE: return "duplicate";
	case HVS_ACK_CONFLICT: return "conflict";
	case HVS_ACK_INVALID: return "invalid";
	case HVS_ACK_UNSUPPORTED: return "unsupported";
	case HVS_ACK_FAILED: return "failed";
	}
	return "unknown";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hvs_uuid_parse(const char *text, uint8_t out[16])
{
	size_t i, o = 0;

	for (i = 0; i < 36; i++) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i] != '-')
				return -1;
			continue;
		}
		hi = hexval(text[i]);
		if (hi < 0)
			return -1;
		lo = hexval(text[++i]);
		if (lo < 0)
			return -1;
		out[o++] = (uint8_t)(hi << 4 | lo);
	}
	if (text[36] == '\n')
		return text[37] == '\0' ? 0 : -1;
	return text[36] == '\0' ? 0 : -1;
}

void hvs_uuid_format(const uint8_t in[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[in[i] >> 4];
		out[o++] = hex[in[i] & 15];
	}
	out[o] = '\0';
}
