/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The wire format: round trips, and every way a frame can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "wire.h"
#include "table.h"

static const struct hvs_record sample = {
	.nonce = 0x0123456789abcdefull,
	.base = 0x8000000,
	.size = 0x4000000,
	.boot_id = { 0x6f, 0x1c, 0x2a, 0x7e, 0x3b, 0x44, 0x4c, 0x55,
		     0x8d, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc },
};

static void test_crc32c_check_value(void **state)
{
	(void)state;
	/* The catalogued check value of CRC-32C ("123456789"). */
	assert_int_equal(hvs_crc32c("123456789", 9), 0xe3069283u);
	assert_int_equal(hvs_crc32c("", 0), 0);
}

static void test_record_layout(void **state)
{
	uint8_t f[HVS_RECORD_V1_LEN];

	(void)state;
	assert_int_equal(hvs_record_encode(&sample, f), 56);
	assert_memory_equal(f, "HVSW\x01\x01\x38\x00", 8);
	assert_memory_equal(f + 8, "\xef\xcd\xab\x89\x67\x45\x23\x01", 8);
	assert_memory_equal(f + 16, "\x00\x00\x00\x08\x00\x00\x00\x00", 8);
	assert_memory_equal(f + 24, "\x00\x00\x00\x04\x00\x00\x00\x00", 8);
	assert_memory_equal(f + 32, sample.boot_id, 16);
	assert_memory_equal(f + 48, "\x00\x00\x00\x00", 4);
	assert_int_equal(f[52] | f[53] << 8 | f[54] << 16 | (uint32_t)f[55] << 24,
			 hvs_crc32c(f, 52));
}

static void test_record_round_trip(void **state)
{
	uint8_t f[HVS_RECORD_V1_LEN];
	struct hvs_record r;

	(void)state;
	hvs_record_encode(&sample, f);
	assert_int_equal(hvs_record_decode(f, sizeof(f), &r), HVS_WIRE_OK);
	assert_true(r.nonce == sample.nonce && r.base == sample.base &&
		    r.size == sample.size);
	assert_memory_equal(r.boot_id, sample.boot_id, 16);
}

static void test_ack_round_trip(void **state)
{
	struct hvs_ack a = { 42, HVS_ACK_CONFLICT, 1 }, b;
	uint8_t f[HVS_ACK_V1_LEN];
	unsigned s;

	(void)state;
	for (s = HVS_ACK_ACCEPTED; s <= HVS_ACK_FAILED; s++) {
		a.status = (uint16_t)s;
		assert_int_equal(hvs_ack_encode(&a, f), 24);
		assert_int_equal(hvs_ack_decode(f, sizeof(f), &b), HVS_WIRE_OK);
		assert_true(b.nonce == 42 && b.status == s && b.max_version == 1);
	}
	assert_string_equal(hvs_ack_status_name(HVS_ACK_DUPLICATE), "duplicate");
}

/* Recompute the checksum after editing a frame, so one fault is tested. */
static void reseal(uint8_t *f, size_t len)
{
	uint32_t c = hvs_crc32c(f, len - 4);

	f[len - 4] = (uint8_t)c;
	f[len - 3] = (uint8_t)(c >> 8);
	f[len - 2] = (uint8_t)(c >> 16);
	f[len - 1] = (uint8_t)(c >> 24);
}

static void test_every_truncation_is_short(void **state)
{
	uint8_t f[HVS_RECORD_V1_LEN];
	struct hvs_record r;
	size_t n;

	(void)state;
	hvs_record_encode(&sample, f);
	for (n = 0; n < sizeof(f); n++)
		assert_int_equal(hvs_record_decode(f, n, &r), HVS_WIRE_SHORT);
}

static void test_every_bit_flip_is_refused(void **state)
{
	uint8_t f[HVS_RECORD_V1_LEN], g[HVS_ACK_V1_LEN];
	struct hvs_record r;
	struct hvs_ack a = { 7, 0, 1 }, b;
	size_t i;
	int bit;

	(void)state;
	hvs_record_encode(&sample, f);
	hvs_ack_encode(&a, g);
	for (i = 0; i < sizeof(f); i++)
		for (bit = 0; bit < 8; bit++) {
			f[i] ^= (uint8_t)(1 << bit);
			assert_int_not_equal(hvs_record_decode(f, sizeof(f), &r), HVS_WIRE_OK);
			f[i] ^= (uint8_t)(1 << bit);
		}
	for (i = 0; i < sizeof(g); i++)
		for (bit = 0; bit < 8; bit++) {
			g[i] ^= (uint8_t)(1 << bit);
			assert_int_not_equal(hvs_ack_decode(g, sizeof(g), &b), HVS_WIRE_OK);
			g[i] ^= (uint8_t)(1 << bit);
		}
}

static void test_each_malformed_frame_names_its_fault(void **state)
{
	uint8_t f[HVS_RECORD_V1_LEN + 8], g[HVS_ACK_V1_LEN];
	struct hvs_record r;
	struct hvs_ack a = { 7, 0, 1 }, b;

	(void)state;
	hvs_record_encode(&sample, f);
	f[0] = 'X';
	assert_int_equal(hvs_record_decode(f, 56, &r), HVS_WIRE_BAD_MAGIC);
	/* A wrong magic is refused from its first byte on, before a length. */
	assert_int_equal(hvs_record_decode(f, 1, &r), HVS_WIRE_BAD_MAGIC);

	hvs_record_encode(&sample, f);
	f[4] = 2;
	reseal(f, 56);
	assert_int_equal(hvs_record_decode(f, 56, &r), HVS_WIRE_BAD_VERSION);

	hvs_record_encode(&sample, f);
	f[5] = HVS_TYPE_ACK;
	reseal(f, 56);
	assert_int_equal(hvs_record_decode(f, 56, &r), HVS_WIRE_BAD_TYPE);

	hvs_record_encode(&sample, f);
	f[48] = 1;
	reseal(f, 56);
	assert_int_equal(hvs_record_decode(f, 56, &r), HVS_WIRE_BAD_RESERVED);

	hvs_record_encode(&sample, f);
	f[20] ^= 0x40;
	assert_int_equal(hvs_record_decode(f, 56, &r), HVS_WIRE_BAD_CHECKSUM);

	/* Length field: too small, too large, right frame but wrong size. */
	hvs_record_encode(&sample, f);
	f[6] = 19;
	assert_int_equal(hvs_record_decode(f, 56, &r), HVS_WIRE_BAD_LENGTH);
	f[6] = 0x01;
	f[7] = 0x04; /* 1025 */
	assert_int_equal(hvs_record_decode(f, 56, &r), HVS_WIRE_BAD_LENGTH);
	hvs_record_encode(&sample, f);
	f[6] = 60;
	memset(f + 56, 0, 4);
	reseal(f, 60);
	assert_int_equal(hvs_record_decode(f, 60, &r), HVS_WIRE_BAD_LENGTH);
	/* Trailing bytes after one whole frame are not a frame. */
	hvs_record_encode(&sample, f);
	assert_int_equal(hvs_record_decode(f, 57, &r), HVS_WIRE_BAD_LENGTH);

	hvs_ack_encode(&a, g);
	g[16] = 6;
	reseal(g, 24);
	assert_int_equal(hvs_ack_decode(g, 24, &b), HVS_WIRE_BAD_STATUS);
	hvs_ack_encode(&a, g);
	g[19] = 1;
	reseal(g, 24);
	assert_int_equal(hvs_ack_decode(g, 24, &b), HVS_WIRE_BAD_RESERVED);
	hvs_ack_encode(&a, g);
	assert_int_equal(hvs_record_decode(g, 24, &r), HVS_WIRE_BAD_TYPE);
}

static void test_header_peek(void **state)
{
	uint8_t f[HVS_RECORD_V1_LEN];
	struct hvs_header h;

	(void)state;
	hvs_record_encode(&sample, f);
	assert_int_equal(hvs_header_peek(f, 7, &h), HVS_WIRE_SHORT);
	assert_int_equal(hvs_header_peek(f, 8, &h), HVS_WIRE_OK);
	assert_int_equal(h.length, 56);
	assert_int_equal(hvs_header_peek(f, 16, &h), HVS_WIRE_OK);
	assert_true(h.nonce == sample.nonce);
}

static void test_uuid(void **state)
{
	uint8_t id[16];
	char text[37];

	(void)state;
	assert_int_equal(hvs_uuid_parse("6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n", id), 0);
	assert_memory_equal(id, sample.boot_id, 16);
	hvs_uuid_format(id, text);
	assert_string_equal(text, "6f1c2a7e-3b44-4c55-8d66-778899aabbcc");
	assert_int_equal(hvs_uuid_parse("6F1C2A7E-3B44-4C55-8D66-778899AABBCC", id), 0);
	assert_int_equal(hvs_uuid_parse("6f1c2a7e-3b44-4c55-8d66-778899aabbc", id), -1);
	assert_int_equal(hvs_uuid_parse("6f1c2a7e-3b44-4c55-8d66-778899aabbccd", id), -1);
	assert_int_equal(hvs_uuid_parse("6f1c2a7e+3b44-4c55-8d66-778899aabbcc", id), -1);
	assert_int_equal(hvs_uuid_parse("6f1c2a7e-3b44-4c55-8d66-778899aabbcg", id), -1);
	assert_int_equal(hvs_uuid_parse("", id), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c_check_value),
		cmocka_unit_test(test_record_layout),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_ack_round_trip),
		cmocka_unit_test(test_every_truncation_is_short),
		cmocka_unit_test(test_every_bit_flip_is_refused),
		cmocka_unit_test(test_each_malformed_frame_names_its_fault),
		cmocka_unit_test(test_header_peek),
		cmocka_unit_test(test_uuid),
	};

	return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
