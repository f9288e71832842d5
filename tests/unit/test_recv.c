/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The receiver's frame reader, judge and registry, without sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "frame.h"
#include "registry.h"
#include "table.h"

static struct hvs_record good(void)
{
	struct hvs_record r = { 77, 0x8000000, 0x4000000, { 1, 2, 3 } };

	return r;
}

static void test_reader_any_split(void **state)
{
	struct hvs_record r = good();
	uint8_t f[HVS_RECORD_V1_LEN];
	size_t cut, i;

	(void)state;
	hvs_record_encode(&r, f);
	/* Every way of cutting the frame in two, and one byte at a time. */
	for (cut = 0; cut <= sizeof(f); cut++) {
		struct hvs_frame_reader rd;
		enum hvs_wire_result err;

		hvs_frame_reader_init(&rd);
		if (cut)
			assert_int_equal(hvs_frame_reader_feed(&rd, f, cut, &err),
					 cut == sizeof(f) ? HVS_FEED_FRAME : HVS_FEED_MORE);
		if (cut < sizeof(f))
			assert_int_equal(hvs_frame_reader_feed(&rd, f + cut, sizeof(f) - cut,
							       &err), HVS_FEED_FRAME);
		assert_int_equal(rd.have, sizeof(f));
	}
	{
		struct hvs_frame_reader rd;
		enum hvs_wire_result err;

		hvs_frame_reader_init(&rd);
		for (i = 0; i + 1 < sizeof(f); i++)
			assert_int_equal(hvs_frame_reader_feed(&rd, f + i, 1, &err),
					 HVS_FEED_MORE);
		assert_int_equal(hvs_frame_reader_feed(&rd, f + i, 1, &err), HVS_FEED_FRAME);
	}
}

static void test_reader_refuses(void **state)
{
	struct hvs_record r = good();
	uint8_t f[HVS_RECORD_V1_LEN + 1];
	struct hvs_frame_reader rd;
	enum hvs_wire_result err;

	(void)state;
	hvs_record_encode(&r, f);
	hvs_frame_reader_init(&rd);
	assert_int_equal(hvs_frame_reader_feed(&rd, (const uint8_t *)"GET / HTTP/1.0", 14,
					       &err), HVS_FEED_ERROR);
	assert_int_equal(err, HVS_WIRE_BAD_MAGIC);

	/* Trailing bytes: one record per connection. */
	hvs_frame_reader_init(&rd);
	f[HVS_RECORD_V1_LEN] = 0;
	assert_int_equal(hvs_frame_reader_feed(&rd, f, sizeof(f), &err), HVS_FEED_ERROR);

	/* A length no version may use is refused at the header. */
	hvs_record_encode(&r, f);
	f[6] = 0xff;
	f[7] = 0xff;
	hvs_frame_reader_init(&rd);
	assert_int_equal(hvs_frame_reader_feed(&rd, f, 8, &err), HVS_FEED_ERROR);
	assert_int_equal(err, HVS_WIRE_BAD_LENGTH);
}

static enum hvs_judgement judge(struct hvs_record r, int version, uint8_t flags,
				int corrupt, uint64_t max, uint16_t *status)
{
	struct hvs_recv_policy pol = { max };
	uint8_t f[HVS_RECORD_V1_LEN];
	struct hvs_record out;
	uint64_t nonce;
	char why[160];
	uint32_t c;

	hvs_record_encode(&r, f);
	f[4] = (uint8_t)version;
	f[48] = flags;
	c = hvs_crc32c(f, 52);
	f[52] = (uint8_t)c;
	f[53] = (uint8_t)(c >> 8);
	f[54] = (uint8_t)(c >> 16);
	f[55] = (uint8_t)(c >> 24);
	if (corrupt)
		f[20] ^= 1;
	*status = 0xffff;
	return hvs_recv_judge(f, sizeof(f), &pol, &out, &nonce, status, why, sizeof(why));
}

static void test_judge(void **state)
{
	struct hvs_record r = good();
	uint16_t st;

	(void)state;
	assert_int_equal(judge(r, 1, 0, 0, 0, &st), HVS_JUDGE_RECORD);
	assert_int_equal(judge(r, 1, 0, 1, 0, &st), HVS_JUDGE_HANG_UP);
	assert_int_equal(judge(r, 2, 0, 0, 0, &st), HVS_JUDGE_REPLY);
	assert_int_equal(st, HVS_ACK_UNSUPPORTED);
	assert_int_equal(judge(r, 1, 4, 0, 0, &st), HVS_JUDGE_REPLY);
	assert_int_equal(st, HVS_ACK_INVALID);
	assert_int_equal(judge(r, 1, 0, 0, 0x2000000, &st), HVS_JUDGE_REPLY);
	assert_int_equal(st, HVS_ACK_INVALID);
	assert_int_equal(judge(r, 1, 0, 0, 0x4000000, &st), HVS_JUDGE_RECORD);
	r.size = 0;
	assert_int_equal(judge(r, 1, 0, 0, 0, &st), HVS_JUDGE_REPLY);
	r.size = 0x300000;
	assert_int_equal(judge(r, 1, 0, 0, 0, &st), HVS_JUDGE_REPLY);
	r = good();
	r.base = 0x8000200;
	assert_int_equal(judge(r, 1, 0, 0, 0, &st), HVS_JUDGE_REPLY);
	r.base = 0xfc000000; /* ends exactly at 4 GiB: fine */
	assert_int_equal(judge(r, 1, 0, 0, 0, &st), HVS_JUDGE_RECORD);
	r.base = 0xfc200000;
	assert_int_equal(judge(r, 1, 0, 0, 0, &st), HVS_JUDGE_REPLY);
	r.base = 0xfffffffffc000000ull; /* wraps to exactly 0 */
	assert_int_equal(judge(r, 1, 0, 0, 0, &st), HVS_JUDGE_REPLY);
	assert_int_equal(st, HVS_ACK_INVALID);
}

static void test_registry_rules(void **state)
{
	static struct hvs_reg_entry slots[2];
	struct hvs_registry reg;
	uint8_t a[16] = { 1 }, b[16] = { 2 };
	struct hvs_reg_entry *e;

	(void)state;
	hvs_registry_init(&reg, slots, 2, NULL);
	assert_int_equal(hvs_registry_decide(&reg, "p1", a, 0x8000000, 64), HVS_REG_NEW);
	e = hvs_registry_begin(&reg, "p1", a, 0x8000000, 64);
	assert_non_null(e);
	/* While it is being applied, the same boot waits its turn. */
	assert_int_equal(hvs_registry_decide(&reg, "p1", a, 0x8000000, 64), HVS_REG_BUSY);
	/* So does a new boot of that guest: the entry has one owner. */
	assert_int_equal(hvs_registry_decide(&reg, "p1", b, 0x8000000, 64), HVS_REG_BUSY);
	assert_int_equal(hvs_registry_finish(&reg, e, 1, 100), 0);
	assert_int_equal(hvs_registry_decide(&reg, "p1", a, 0x8000000, 64), HVS_REG_DUPLICATE);
	assert_int_equal(hvs_registry_decide(&reg, "p1", a, 0x9000000, 64), HVS_REG_CONFLICT);
	assert_int_equal(hvs_registry_decide(&reg, "p1", a, 0x8000000, 128), HVS_REG_CONFLICT);
	assert_int_equal(hvs_registry_decide(&reg, "p1", b, 0x9000000, 64), HVS_REG_NEW);
	assert_int_equal(hvs_registry_decide(&reg, "p2", a, 0x8000000, 64), HVS_REG_NEW);

	/* A failed apply is forgotten. */
	e = hvs_registry_begin(&reg, "p2", a, 0x8000000, 64);
	hvs_registry_finish(&reg, e, 0, 0);
	assert_int_equal(hvs_registry_decide(&reg, "p2", a, 0x8000000, 64), HVS_REG_NEW);

	/* Full: the least recently applied peer makes room. */
	e = hvs_registry_begin(&reg, "p2", a, 0x8000000, 64);
	hvs_registry_finish(&reg, e, 1, 0);
	e = hvs_registry_begin(&reg, "p3", a, 0x8000000, 64);
	assert_non_null(e);
	hvs_registry_finish(&reg, e, 1, 0);
	assert_int_equal(hvs_registry_decide(&reg, "p1", a, 0x8000000, 64), HVS_REG_NEW);
	assert_int_equal(hvs_registry_decide(&reg, "p2", a, 0x8000000, 64), HVS_REG_DUPLICATE);
}

static void test_registry_state_dir(void **state)
{
	static struct hvs_reg_entry slots[8];
	struct hvs_registry reg;
	uint8_t a[16] = { 0xab, 0xcd };
	char d[64], name1[96], name2[96];
	struct hvs_reg_entry *e;

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	hvs_registry_init(&reg, slots, 8, d);
	e = hvs_registry_begin(&reg, "unix:/run/vm 1.sock", a, 0x8000000, 0x4000000);
	assert_int_equal(hvs_registry_finish(&reg, e, 1, 1700000000), 0);
	fixture_write(d, "junk", "not a state file\n");

	hvs_registry_init(&reg, slots, 8, d);
	assert_int_equal(hvs_registry_load(&reg), 1);
	assert_int_equal(hvs_registry_decide(&reg, "unix:/run/vm 1.sock", a, 0x8000000,
					     0x4000000), HVS_REG_DUPLICATE);
	/* Names that sanitize alike still get their own files. */
	hvs_registry_file_name("unix:/a/b", name1, sizeof(name1));
	hvs_registry_file_name("unix:/a_b", name2, sizeof(name2));
	assert_string_not_equal(name1, name2);
	assert_null(strchr(name1, '/'));
	fixture_rm(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_any_split),
		cmocka_unit_test(test_reader_refuses),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_registry_rules),
		cmocka_unit_test(test_registry_state_dir),
	};

	return cmocka_run_group_tests_name("recv", tests, NULL, NULL);
}
