/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hv-swiotlb wire format, shared by the guest tool and the receiver.
 * man/hv-swiotlb-protocol.7 is the normative description; this module is
 * the only code that encodes or decodes it.
 *
 * Every frame starts with the same 16-byte header, in every version:
 *   0  magic "HVSW"      4  version (u8)   5  type (u8)
 *   6  length (u16 LE, whole frame)        8  nonce (u64 LE)
 * and ends with a CRC-32C (Castagnoli) of all bytes before it, u32 LE.
 *
 * Version 1 record (guest to host, type 1), 56 bytes:
 *  16 base (u64 LE)  24 size (u64 LE)  32 boot id (16 bytes, as printed)
 *  48 flags (u32 LE, must be 0)        52 crc32c
 * Version 1 acknowledgement (host to guest, type 2), 24 bytes:
 *  16 status (u16 LE)  18 highest version the host speaks (u8)
 *  19 reserved (u8, 0) 20 crc32c
 */
#ifndef HVS_WIRE_H
#define HVS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define HVS_DEFAULT_PORT 18515u /* Hyper-V service 00004853-facb-11e6-bd58-64006a7986d3 */
#define HVS_WIRE_VERSION 1u
#define HVS_WIRE_HEADER_LEN 16u
#define HVS_WIRE_MIN_LEN (HVS_WIRE_HEADER_LEN + 4u)
#define HVS_WIRE_MAX_LEN 1024u  /* no version may send a longer frame */
#define HVS_RECORD_V1_LEN 56u
#define HVS_ACK_V1_LEN 24u

enum hvs_frame_type {
	HVS_TYPE_RECORD = 1,
	HVS_TYPE_ACK = 2,
};

/* What the host says; the guest treats 0 and 1 as success. */
enum hvs_ack_status {
	HVS_ACK_ACCEPTED = 0,    /* applied, first time in this boot */
	HVS_ACK_DUPLICATE = 1,   /* the same range was already applied for this boot */
	HVS_ACK_CONFLICT = 2,    /* this boot already has a different range */
	HVS_ACK_INVALID = 3,     /* the range fails the host's checks */
	HVS_ACK_UNSUPPORTED = 4, /* version or type not spoken; see max_version */
	HVS_ACK_FAILED = 5,      /* valid, but the host could not apply it */
};

enum hvs_wire_result {
	HVS_WIRE_OK = 0,
	HVS_WIRE_SHORT,        /* fewer bytes than the frame needs */
	HVS_WIRE_BAD_MAGIC,
	HVS_WIRE_BAD_LENGTH,   /* outside 20..1024, or wrong for type and version */
	HVS_WIRE_BAD_VERSION,  /* a version this code does not speak */
	HVS_WIRE_BAD_TYPE,
	HVS_WIRE_BAD_CHECKSUM,
	HVS_WIRE_BAD_RESERVED, /* a must-be-zero field is not */
	HVS_WIRE_BAD_STATUS,   /* an acknowledgement status not defined in v1 */
};

struct hvs_header {
	uint8_t version;
	uint8_t type;
	uint16_t length;
	uint64_t nonce;
};

struct hvs_record {
	uint64_t nonce;
	uint64_t base;
	uint64_t size;
	uint8_t boot_id[16];
};

struct hvs_ack {
	uint64_t nonce;
	uint16_t status;
	uint8_t max_version;
};

uint32_t hvs_crc32c(const void *data, size_t len);

/*
 * Check the first bytes of a frame: magic and a sane length. With at
 * least 8 bytes it fills h->version, type and length; with 16 the nonce
 * too. Returns HVS_WIRE_SHORT until 8 bytes are there.
 */
enum hvs_wire_result hvs_header_peek(const uint8_t *buf, size_t len,
				     struct hvs_header *h);

/*
 * Steps 1 to 4 of hv-swiotlb-protocol(7): the magic, a sane length,
 * exactly one whole frame, a good checksum. Until this says HVS_WIRE_OK
 * nothing in the frame, its nonce included, can be trusted.
 */
enum hvs_wire_result hvs_frame_intact(const uint8_t *buf, size_t len, struct hvs_header *h);

size_t hvs_record_encode(const struct hvs_record *r, uint8_t out[HVS_RECORD_V1_LEN]);
enum hvs_wire_result hvs_record_decode(const uint8_t *buf, size_t len,
				       struct hvs_record *r);

size_t hvs_ack_encode(const struct hvs_ack *a, uint8_t out[HVS_ACK_V1_LEN]);
enum hvs_wire_result hvs_ack_decode(const uint8_t *buf, size_t len,
				    struct hvs_ack *a);

const char *hvs_wire_result_text(enum hvs_wire_result r);
const char *hvs_ack_status_name(unsigned status);

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (optionally "\n") to 16 bytes. */
int hvs_uuid_parse(const char *text, uint8_t out[16]);
/* 16 bytes to the 36-character form plus NUL. */
void hvs_uuid_format(const uint8_t in[16], char out[37]);

#endif
