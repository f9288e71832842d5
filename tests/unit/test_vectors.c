/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * the tests/data/vectors files, the byte-exact examples of hv-swiotlb-protocol(7),
 * against the code: every valid frame decodes to its fields and encodes
 * back to the same bytes; every invalid one is refused for its reason,
 * and the receiver answers (or hangs up) as the page says.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>

#include "frame.h"
#include "wire.h"
#include "table.h"

static const char *vec_dir = "tests/data/vectors";

struct vec {
	char kind[16], expect[32], answer[16], boot_id[40];
	unsigned long long nonce, base, size;
	unsigned status, max_version;
	uint8_t bytes[HVS_WIRE_MAX_LEN];
	size_t len;
};

static int load_vec(const char *path, struct vec *v)
{
	char line[4096];
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	memset(v, 0, sizeof(*v));
	while (fgets(line, sizeof(line), f)) {
		char *val = strchr(line, '=');
		size_t n;

		if (line[0] == '#' || !val)
			continue;
		*val++ = '\0';
		n = strcspn(val, "\n");
		val[n] = '\0';
		if (!strcmp(line, "kind"))
			snprintf(v->kind, sizeof(v->kind), "%s", val);
		else if (!strcmp(line, "expect"))
			snprintf(v->expect, sizeof(v->expect), "%s", val);
		else if (!strcmp(line, "answer"))
			snprintf(v->answer, sizeof(v->answer), "%s", val);
		else if (!strcmp(line, "boot_id"))
			snprintf(v->boot_id, sizeof(v->boot_id), "%s", val);
		else if (!strcmp(line, "nonce"))
			v->nonce = strtoull(val, NULL, 0);
		else if (!strcmp(line, "base"))
			v->base = strtoull(val, NULL, 0);
		else if (!strcmp(line, "size"))
			v->size = strtoull(val, NULL, 0);
		else if (!strcmp(line, "status"))
			v->status = (unsigned)strtoul(val, NULL, 0);
		else if (!strcmp(line, "max_version"))
			v->max_version = (unsigned)strtoul(val, NULL, 0);
		else if (!strcmp(line, "hex"))
			for (v->len = 0; val[2 * v->len] && val[2 * v->len + 1] &&
					 v->len < sizeof(v->bytes); v->len++) {
				unsigned b;

				if (sscanf(val + 2 * v->len, "%2x", &b) != 1)
					break;
				v->bytes[v->len] = (uint8_t)b;
			}
	}
	fclose(f);
	return 0;
}

static const char *result_token(enum hvs_wire_result r)
{
	switch (r) {
	case HVS_WIRE_OK: return "ok";
	case HVS_WIRE_SHORT: return "short";
	case HVS_WIRE_BAD_MAGIC: return "bad-magic";
	case HVS_WIRE_BAD_LENGTH: return "bad-length";
	case HVS_WIRE_BAD_VERSION: return "bad-version";
	case HVS_WIRE_BAD_TYPE: return "bad-type";
	case HVS_WIRE_BAD_CHECKSUM: return "bad-checksum";
	case HVS_WIRE_BAD_RESERVED: return "bad-reserved";
	case HVS_WIRE_BAD_STATUS: return "bad-status";
	}
	return "?";
}

static void check_record(const char *name, const struct vec *v)
{
	struct hvs_recv_policy pol = { 0 };
	struct hvs_record r;
	uint8_t again[HVS_RECORD_V1_LEN], id[16];
	enum hvs_wire_result res = hvs_record_decode(v->bytes, v->len, &r);
	enum hvs_judgement j;
	uint64_t nonce;
	uint16_t status = 0xffff;
	char why[160];

	if (strcmp(result_token(res), v->expect) != 0)
		fail_msg("%s: decoded as %s, the vector says %s", name, result_token(res),
			 v->expect);
	if (res == HVS_WIRE_OK) {
		assert_true(r.nonce == v->nonce && r.base == v->base && r.size == v->size);
		assert_int_equal(hvs_uuid_parse(v->boot_id, id), 0);
		assert_memory_equal(r.boot_id, id, 16);
		assert_int_equal(hvs_record_encode(&r, again), v->len);
		assert_memory_equal(again, v->bytes, v->len);
	}
	/* The host's answer the vector names: the judge must reach it. */
	j = hvs_recv_judge(v->bytes, v->len, &pol, &r, &nonce, &status, why, sizeof(why));
	if (!strcmp(v->answer, "apply"))
		assert_int_equal(j, HVS_JUDGE_RECORD);
	else if (!strcmp(v->answer, "none"))
		assert_int_equal(j, HVS_JUDGE_HANG_UP);
	else if (!strcmp(v->answer, "invalid") || !strcmp(v->answer, "unsupported")) {
		assert_int_equal(j, HVS_JUDGE_REPLY);
		assert_int_equal(status, !strcmp(v->answer, "invalid") ? HVS_ACK_INVALID
					 : HVS_ACK_UNSUPPORTED);
		assert_true(nonce == v->nonce); /* echoed: the checksum vouches for it */
	} else {
		fail_msg("%s: answer=%s is not apply, none, invalid or unsupported", name,
			 v->answer);
	}
}

static void check_ack(const char *name, const struct vec *v)
{
	struct hvs_ack a;
	uint8_t again[HVS_ACK_V1_LEN];
	enum hvs_wire_result res = hvs_ack_decode(v->bytes, v->len, &a);

	if (strcmp(result_token(res), v->expect) != 0)
		fail_msg("%s: decoded as %s, the vector says %s", name, result_token(res),
			 v->expect);
	if (res != HVS_WIRE_OK)
		return;
	assert_true(a.nonce == v->nonce);
	assert_int_equal(a.status, v->status);
	assert_int_equal(a.max_version, v->max_version);
	assert_int_equal(hvs_ack_encode(&a, again), v->len);
	assert_memory_equal(again, v->bytes, v->len);
}

static void test_vectors(void **state)
{
	DIR *d = opendir(vec_dir);
	struct dirent *de;
	unsigned records = 0, acks = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[512];
		struct vec v;
		size_t n = strlen(de->d_name);

		if (n < 5 || strcmp(de->d_name + n - 4, ".vec") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", vec_dir, de->d_name);
		assert_int_equal(load_vec(path, &v), 0);
		assert_true(v.len > 0);
		if (!strcmp(v.kind, "record")) {
			check_record(de->d_name, &v);
			records++;
		} else if (!strcmp(v.kind, "ack")) {
			check_ack(de->d_name, &v);
			acks++;
		} else {
			fail_msg("%s: unknown kind '%s'", de->d_name, v.kind);
		}
	}
	closedir(d);
	assert_true(records >= 9);
	assert_true(acks >= 8);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
	};

	if (argc > 1)
		vec_dir = argv[1];
	return cmocka_run_group_tests_name("vectors", tests, NULL, NULL);
}
