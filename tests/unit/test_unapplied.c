/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A guest's latest announcement not applied (unapplied.h): its file's
 * strict form, and the bound on its writes, on a clock the test turns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "registry.h"
#include "statedir.h"
#include "unapplied.h"
#include "wire.h"

#include "table.h"

#define PEER "unix:/run/vm1.hvsock_18515"

static void test_note_parse(void **state)
{
	static const char conflict[] = "peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
				       "base=0x10000000\nsize=67108864\ntime=1700000000\n"
				       "answer=conflict\n";
	static const char unsupported[] = "peer=vsock:3\ntime=1700000000\nanswer=unsupported\n";
	static const char invalid[] = "peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
				      "base=0x8000800\nsize=3\ntime=1\nanswer=invalid\n";
	static const char *const bad[] = {
		/* a decision's file: no answer */
		"peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
		"base=0x10000000\nsize=67108864\ntime=1\n",
		/* not one of the four answers */
		"peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
		"base=0x10000000\nsize=67108864\ntime=1\nanswer=accepted\n",
		"peer=vsock:3\ntime=1\nanswer=maybe\n",
		/* a conflict or a failure answers a record that passed every check */
		"peer=vsock:3\ntime=1\nanswer=conflict\n",
		"peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
		"base=0x8000800\nsize=67108864\ntime=1\nanswer=failed\n",
		/* an unsupported frame is no record */
		"peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
		"base=0x10000000\nsize=67108864\ntime=1\nanswer=unsupported\n",
		/* a range cut short, more after, out of order */
		"peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\ntime=1\nanswer=invalid\n",
		"peer=vsock:3\ntime=1\nanswer=invalid\nx=1\n",
		"peer=vsock:3\nanswer=invalid\ntime=1\n",
		"peer=vsock:3\ntime=1\n",
	};
	struct hvs_unapplied u;
	char peer[HVS_PEER_MAX];
	const char *why;
	size_t i;

	(void)state;
	assert_int_equal(hvs_statedir_parse_note(conflict, strlen(conflict), peer, &u, &why), 0);
	assert_string_equal(peer, "vsock:3");
	assert_true(u.has_range && u.d.base == 0x10000000 && u.d.size == 67108864);
	assert_true(u.answer == HVS_ACK_CONFLICT && u.d.when == 1700000000);
	assert_int_equal(hvs_statedir_parse_note(unsupported, strlen(unsupported), peer, &u, &why),
			 0);
	assert_true(!u.has_range && u.answer == HVS_ACK_UNSUPPORTED);
	assert_int_equal(hvs_statedir_parse_note(invalid, strlen(invalid), peer, &u, &why), 0);
	assert_true(u.has_range && u.d.base == 0x8000800 && u.d.size == 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (hvs_statedir_parse_note(bad[i], strlen(bad[i]), peer, &u, &why) == 0)
			fail_msg("bad[%zu] was taken", i);
		assert_non_null(why);
	}
	/* Nor is a not-applied file ever a decision. */
	assert_int_equal(hvs_statedir_parse(conflict, strlen(conflict), peer, &u.d, &why), -1);
}

static struct hvs_unapplied conflict_at(uint64_t base, long long when)
{
	struct hvs_unapplied u;

	memset(&u, 0, sizeof(u));
	u.d.boot_id[0] = 0xab;
	u.d.base = base;
	u.d.size = 0x4000000;
	u.d.when = when;
	u.answer = HVS_ACK_CONFLICT;
	u.has_range = 1;
	return u;
}

/* What PEER's .unapplied holds: its base, or 0 when there is none. */
static uint64_t on_disk(struct hvs_statedir *sd)
{
	struct hvs_unapplied u;

	return hvs_statedir_load_note(sd, PEER, &u) == 1 ? u.d.base : 0;
}

/* Written at once, then at most once per HVS_UNAPPLIED_GAP_MS, the latest; never the same twice. */
static void test_note_bound(void **state)
{
	static struct hvs_peer slots[8];
	static struct hvs_named *buckets[16];
	struct hvs_statedir sd = HVS_STATEDIR_CLOSED;
	struct hvs_unapplied u;
	struct hvs_registry reg;
	struct hvs_peer *e;
	char d[64];
	int i;

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	assert_int_equal(hvs_statedir_open(&sd, d, 0), 0);
	hvs_registry_init(&reg, slots, 8, buckets, 16, &sd);
	e = hvs_registry_begin(&reg, PEER, conflict_at(0, 0).d.boot_id, 0x8000000, 0x4000000);
	assert_int_equal(hvs_registry_finish(&reg, e, 1, 100), 0);

	u = conflict_at(0x10000000, 200);
	hvs_unapplied_note(&reg, PEER, &u, 5000);
	assert_true(on_disk(&sd) == 0x10000000);
	/* A thousand more within the second, each another range: none written yet. */
	for (i = 1; i <= 1000; i++) {
		u = conflict_at(0x10000000 + (uint64_t)i * 0x200000, 200);
		hvs_unapplied_note(&reg, PEER, &u, 5000 + i % 999);
	}
	assert_true(on_disk(&sd) == 0x10000000);
	assert_true(hvs_unapplied_due(&reg, 5999, 1000000) == 6000);
	assert_true(on_disk(&sd) == 0x10000000);
	/* Its turn: the latest. */
	assert_true(hvs_unapplied_due(&reg, 6000, 1000000) == 7000);
	assert_true(on_disk(&sd) == 0x10000000 + 1000ull * 0x200000);
	/* Nothing waits now: the next turn is no one's. */
	assert_true(hvs_unapplied_due(&reg, 7000, 1000000) == 1000000);
	/* The same announcement again, later: not written again, its first time kept. */
	u = conflict_at(0x10000000 + 1000ull * 0x200000, 999);
	hvs_unapplied_note(&reg, PEER, &u, 9000);
	assert_int_equal(hvs_statedir_load_note(&sd, PEER, &u), 1);
	assert_true(u.d.when == 200);
	/* The rules never read it: the range applied is still the one compared with. */
	assert_int_equal(hvs_registry_decide(&reg, PEER, conflict_at(0, 0).d.boot_id, 0x8000000,
					     0x4000000), HVS_REG_DUPLICATE);
	/* One that waits when the receiver stops is written then. */
	u = conflict_at(0x20000000, 300);
	hvs_unapplied_note(&reg, PEER, &u, 10000);
	u = conflict_at(0x30000000, 300);
	hvs_unapplied_note(&reg, PEER, &u, 10001);
	assert_true(on_disk(&sd) == 0x20000000);
	hvs_unapplied_flush(&reg, 10002);
	assert_true(on_disk(&sd) == 0x30000000);
	hvs_statedir_close(&sd);
	fixture_rm(d);
}

/* A later range applied: the file goes, and what waited is dropped. */
static void test_note_applied(void **state)
{
	static struct hvs_peer slots[8];
	static struct hvs_named *buckets[16];
	struct hvs_statedir sd = HVS_STATEDIR_CLOSED;
	uint8_t b[16] = { 0xbb };
	struct hvs_unapplied u;
	struct hvs_registry reg;
	struct hvs_peer *e;
	char d[64];

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	assert_int_equal(hvs_statedir_open(&sd, d, 0), 0);
	hvs_registry_init(&reg, slots, 8, buckets, 16, &sd);
	u = conflict_at(0x10000000, 200);
	u.answer = HVS_ACK_INVALID;
	hvs_unapplied_note(&reg, PEER, &u, 1000);
	u = conflict_at(0x20000000, 201);
	hvs_unapplied_note(&reg, PEER, &u, 1001);
	assert_true(on_disk(&sd) == 0x10000000);
	/* A restart reads it back, and keeps what waited: read from disk again. */
	assert_int_equal(hvs_registry_reload(&reg), 0);
	assert_int_equal(hvs_registry_decide(&reg, PEER, b, 0x8000000, 0x4000000), HVS_REG_NEW);
	e = hvs_registry_begin(&reg, PEER, b, 0x8000000, 0x4000000);
	assert_int_equal(hvs_registry_finish(&reg, e, 1, 300), 0);
	hvs_unapplied_applied(&reg, e);
	assert_true(on_disk(&sd) == 0);
	assert_true(hvs_unapplied_due(&reg, 5000, 1000000) == 1000000);
	assert_true(on_disk(&sd) == 0);
	hvs_statedir_close(&sd);
	fixture_rm(d);
}

/*
 * A SIGHUP whose scan fails (out of descriptors) keeps a guest whose note
 * just went out, but its applied range was not read back: memory must not
 * then say it has none. Its next record is judged by the directory.
 */
static void test_reload_unread(void **state)
{
	static struct hvs_peer slots[8];
	static struct hvs_named *buckets[16];
	struct hvs_statedir sd = HVS_STATEDIR_CLOSED;
	uint8_t a[16] = { 0xab };
	struct hvs_unapplied u;
	struct hvs_registry reg;
	struct hvs_peer *e;
	struct rlimit was;
	char d[64];

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	assert_int_equal(hvs_statedir_open(&sd, d, 0), 0);
	hvs_registry_init(&reg, slots, 8, buckets, 16, &sd);
	e = hvs_registry_begin(&reg, PEER, a, 0x8000000, 0x4000000);
	assert_int_equal(hvs_registry_finish(&reg, e, 1, 100), 0);
	u = conflict_at(0x10000000, 200);
	hvs_unapplied_note(&reg, PEER, &u, 1000); /* written: the peer stays through a reload */
	/* No descriptor to spare: the reload cannot read the directory. */
	fixture_fd_limit(0, &was);
	assert_int_equal(hvs_registry_reload(&reg), -1);
	fixture_fd_restore(&was);
	assert_int_equal(hvs_registry_decide(&reg, PEER, a, 0x8000000, 0x4000000),
			 HVS_REG_DUPLICATE);
	assert_int_equal(hvs_registry_decide(&reg, PEER, a, 0x10000000, 0x4000000),
			 HVS_REG_CONFLICT);
	hvs_statedir_close(&sd);
	fixture_rm(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_note_parse),
		cmocka_unit_test(test_note_bound),
		cmocka_unit_test(test_note_applied),
		cmocka_unit_test(test_reload_unread),
	};

	return cmocka_run_group_tests_name("unapplied", tests, NULL, NULL);
}
