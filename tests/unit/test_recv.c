/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The receiver's frame reader, judge and registry, without sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "admission.h"
#include "connection.h"
#include "frame.h"
#include "registry.h"
#include "statedir.h"
#include "listen.h"
#include "vsock.h"

#include <stddef.h>
#include <sys/un.h>
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

/* Step 7: a good checksum over the wrong length is answered, with its nonce. */
static void test_judge_wrong_length(void **state)
{
	struct hvs_record r = good(), out;
	struct hvs_recv_policy pol = { 0 };
	uint8_t f[64];
	uint64_t nonce = 0;
	uint16_t st = 0xffff;
	char why[160];
	uint32_t c;

	(void)state;
	memset(f, 0, sizeof(f));
	hvs_record_encode(&r, f);
	f[6] = 60; /* a version 1 record is 56 bytes */
	c = hvs_crc32c(f, 56);
	f[56] = (uint8_t)c;
	f[57] = (uint8_t)(c >> 8);
	f[58] = (uint8_t)(c >> 16);
	f[59] = (uint8_t)(c >> 24);
	assert_int_equal(hvs_recv_judge(f, 60, &pol, &out, &nonce, &st, why, sizeof(why)),
			 HVS_JUDGE_REPLY);
	assert_int_equal(st, HVS_ACK_INVALID);
	assert_true(nonce == r.nonce);
	/* The same bytes with a bad checksum: no answer, nonce untrusted. */
	f[59] ^= 1;
	assert_int_equal(hvs_recv_judge(f, 60, &pol, &out, &nonce, &st, why, sizeof(why)),
			 HVS_JUDGE_HANG_UP);
	/* And a whole frame with a byte after it, handed to the judge: no answer. */
	hvs_record_encode(&r, f);
	assert_int_equal(hvs_recv_judge(f, 57, &pol, &out, &nonce, &st, why, sizeof(why)),
			 HVS_JUDGE_HANG_UP);
}

static void test_registry_rules(void **state)
{
	static struct hvs_peer slots[2];
	static struct hvs_named *buckets[4];
	struct hvs_registry reg;
	uint8_t a[16] = { 1 }, b[16] = { 2 };
	struct hvs_peer *e;

	(void)state;
	hvs_registry_init(&reg, slots, 2, buckets, 4, NULL);
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

static struct hvs_statedir open_state(const char *d)
{
	struct hvs_statedir st = HVS_STATEDIR_CLOSED;

	assert_int_equal(hvs_statedir_open(&st, d, 0), 0);
	return st;
}

static void test_registry_state_dir(void **state)
{
	static struct hvs_peer slots[8];
	static struct hvs_named *buckets[16];
	struct hvs_registry reg;
	struct hvs_statedir st;
	uint8_t a[16] = { 0xab, 0xcd }, b[16] = { 0xef };
	char d[64], name1[96], name2[96];
	struct hvs_peer *e;

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	st = open_state(d);
	hvs_registry_init(&reg, slots, 8, buckets, 16, &st);
	e = hvs_registry_begin(&reg, "unix:/run/vm 1.sock", a, 0x8000000, 0x4000000);
	assert_int_equal(hvs_registry_finish(&reg, e, 1, 1700000000), 0);

	/* Restarted: the decision is on disk. */
	hvs_registry_init(&reg, slots, 8, buckets, 16, &st);
	assert_int_equal(hvs_registry_reload(&reg), 1);
	assert_int_equal(hvs_registry_decide(&reg, "unix:/run/vm 1.sock", a, 0x8000000,
					     0x4000000), HVS_REG_DUPLICATE);
	/* Forgotten from memory (a full cache): looked up on disk, still decided. */
	hvs_registry_init(&reg, slots, 8, buckets, 16, &st);
	assert_int_equal(hvs_registry_decide(&reg, "unix:/run/vm 1.sock", a, 0x8000000,
					     0x6000000), HVS_REG_CONFLICT);
	/* Names that sanitize alike still get their own files. */
	hvs_statedir_file_name("unix:/a/b", 0, name1, sizeof(name1));
	hvs_statedir_file_name("unix:/a_b", 0, name2, sizeof(name2));
	assert_string_not_equal(name1, name2);
	assert_null(strchr(name1, '/'));
	(void)b;
	hvs_statedir_close(&st);
	fixture_rm(d);
}

static void ignore_file(void *arg, const char *file, const char *peer,
			const struct hvs_decision *d, const struct hvs_unapplied *u, const char *why)
{
	(void)arg, (void)file, (void)peer, (void)d, (void)u, (void)why;
}

/*
 * After a scan, a guest whose bucket has no file is looked up without a
 * read: a file put there behind the receiver's back is seen at the next
 * scan (SIGHUP), one the receiver wrote itself at once, and before any
 * scan every slot is read.
 */
static void test_state_seen(void **state)
{
	struct hvs_statedir st, other, fresh;
	struct hvs_decision d = { { 0x5e }, 0x8000000, 0x4000000, 1700000000 }, out;
	char dir[64];

	(void)state;
	fixture_tmpdir(dir, sizeof(dir));
	st = open_state(dir);
	other = open_state(dir);
	assert_int_equal(hvs_statedir_scan(&st, ignore_file, NULL), 0);
	assert_int_equal(hvs_statedir_save(&other, "unix:/by-hand", &d, NULL), 0);
	assert_int_equal(hvs_statedir_load(&st, "unix:/by-hand", &out), 0);
	assert_int_equal(hvs_statedir_scan(&st, ignore_file, NULL), 1);
	assert_int_equal(hvs_statedir_load(&st, "unix:/by-hand", &out), 1);
	assert_true(out.base == d.base && out.size == d.size);
	/* Its own, written after the scan: found. */
	assert_int_equal(hvs_statedir_save(&st, "unix:/own", &d, NULL), 0);
	assert_int_equal(hvs_statedir_load(&st, "unix:/own", &out), 1);
	/* Not scanned yet: every slot read. */
	fresh = open_state(dir);
	assert_int_equal(hvs_statedir_save(&other, "unix:/later", &d, NULL), 0);
	assert_int_equal(hvs_statedir_load(&fresh, "unix:/later", &out), 1);
	hvs_statedir_close(&fresh);
	hvs_statedir_close(&other);
	hvs_statedir_close(&st);
	fixture_rm(dir);
}

/*
 * A guest's file that cannot be read now (EMFILE: no descriptor, not even
 * the spare) is not damaged: it stays where it is, nothing is decided from
 * a guess (the record is answered 'failed'), and once it can be read its
 * decision is in force again.
 */
static void test_state_unreadable_now(void **state)
{
	static struct hvs_peer slots[8];
	static struct hvs_named *buckets[16];
	const char *peer = "unix:/run/vm2.sock";
	uint8_t a[16] = { 0x5a };
	struct hvs_registry reg;
	struct hvs_statedir st, tight = HVS_STATEDIR_CLOSED;
	struct rlimit was;
	char d[64], name[96], path[192];
	struct hvs_peer *e;

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	st = open_state(d);
	hvs_registry_init(&reg, slots, 8, buckets, 16, &st);
	e = hvs_registry_begin(&reg, peer, a, 0x8000000, 0x4000000);
	assert_int_equal(hvs_registry_finish(&reg, e, 1, 1700000000), 0);
	hvs_statedir_close(&st);
	/* One descriptor left: the directory gets it, its spare none. */
	fixture_fd_limit(1, &was);
	assert_int_equal(hvs_statedir_open(&tight, d, 0), 0);
	hvs_registry_init(&reg, slots, 8, buckets, 16, &tight);
	assert_int_equal(hvs_registry_decide(&reg, peer, a, 0x10000000, 0x4000000),
			 HVS_REG_UNREAD);
	fixture_fd_restore(&was);
	hvs_statedir_file_name(peer, 0, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", d, name);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(hvs_registry_decide(&reg, peer, a, 0x10000000, 0x4000000),
			 HVS_REG_CONFLICT);
	assert_int_equal(hvs_registry_decide(&reg, peer, a, 0x8000000, 0x4000000),
			 HVS_REG_DUPLICATE);
	hvs_statedir_close(&tight);
	fixture_rm(d);
}

/* Every field strictly: what save() writes, and a range a host would take. */
static void test_state_parse(void **state)
{
	static const char good[] = "peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
				   "base=0x8000000\nsize=67108864\ntime=1700000000\n";
	static const char *const bad[] = {
		"peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
		"base=0x8000000\nsize=6710\ntime=1\n",          /* a truncated size */
		"peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
		"base=zz\nsize=67108864\ntime=1\n",             /* base=zz */
		"peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
		"base=0x8000000\nsize=67108864\n",               /* cut short */
		"peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
		"base=0x8000000\nsize=67108864\ntime=1\nx=1\n", /* more after */
		"peer=vsock:3\nboot_id=nope\nbase=0x8000000\nsize=67108864\ntime=1\n",
		"peer=\033[2J\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
		"base=0x8000000\nsize=67108864\ntime=1\n",      /* a control byte */
		"peer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
		"base=0xfe000000\nsize=67108864\ntime=1\n",     /* above 4 GiB */
		"base=0x8000000\npeer=vsock:3\nboot_id=6f1c2a7e-3b44-4c55-8d66-778899aabbcc\n"
		"size=67108864\ntime=1\n",                       /* out of order */
		"",
	};
	struct hvs_decision v;
	char peer[HVS_PEER_MAX];
	const char *why = NULL;
	size_t i;

	(void)state;
	assert_int_equal(hvs_statedir_parse(good, strlen(good), peer, &v, &why), 0);
	assert_string_equal(peer, "vsock:3");
	assert_true(v.base == 0x8000000 && v.size == 67108864 && v.when == 1700000000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(hvs_statedir_parse(bad[i], strlen(bad[i]), peer, &v, &why), -1);
		assert_non_null(why);
	}
	assert_int_equal(hvs_statedir_parse("peer=a\0", 7, peer, &v, &why), -1);
}

/* Nothing in the directory is followed or waited on; damage is moved aside. */
static void test_state_hostile_dir(void **state)
{
	static struct hvs_peer slots[4];
	static struct hvs_named *buckets[8];
	struct hvs_registry reg;
	struct hvs_statedir st;
	struct hvs_decision v;
	uint8_t a[16] = { 1 };
	char d[64], name[96], path[256], victim[256], text[64];
	struct stat sb;
	FILE *f;

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	st = open_state(d);
	hvs_registry_init(&reg, slots, 4, buckets, 8, &st);

	/* A symlink planted at <peer>.tmp, where earlier versions wrote: its
	 * target untouched, and the name left alone (it may be another's). */
	hvs_statedir_file_name("vsock:7", 0, name, sizeof(name));
	snprintf(victim, sizeof(victim), "%s.victim", d);
	fixture_write("/", victim + 1, "precious\n");
	snprintf(path, sizeof(path), "%s/%s.tmp", d, name);
	assert_int_equal(symlink(victim, path), 0);
	memset(&v, 0, sizeof(v));
	memcpy(v.boot_id, a, 16);
	v.base = 0x8000000;
	v.size = 0x4000000;
	assert_int_equal(hvs_statedir_save(&st, "vsock:7", &v, NULL), 0);
	f = fopen(victim, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_string_equal(text, "precious\n");
	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));

	/* A FIFO, a symlink, a damaged file: each moved aside, none acted on. */
	hvs_statedir_file_name("vsock:8", 0, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", d, name);
	assert_int_equal(mkfifo(path, 0600), 0);
	hvs_statedir_file_name("vsock:9", 0, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", d, name);
	assert_int_equal(symlink(victim, path), 0);
	hvs_statedir_file_name("vsock:10", 0, name, sizeof(name));
	fixture_write(d, name, "peer=vsock:10\nboot_id=01000000-0000-0000-0000-000000000000\n"
		      "base=0x8000000\nsize=6710\ntime=1\n");
	assert_int_equal(hvs_registry_reload(&reg), 1); /* vsock:7 only */
	snprintf(path, sizeof(path), "%s/%s.corrupt", d, name);
	assert_int_equal(stat(path, &sb), 0);
	/* The damaged one is not used: the guest's resend is new, not a conflict. */
	assert_int_equal(hvs_registry_decide(&reg, "vsock:10", a, 0x8000000, 0x4000000),
			 HVS_REG_NEW);
	assert_int_equal(hvs_registry_decide(&reg, "vsock:8", a, 0x8000000, 0x4000000),
			 HVS_REG_NEW);
	hvs_statedir_close(&st);

	/* A directory others can write is refused. */
	assert_int_equal(chmod(d, 0777), 0);
	assert_int_equal(hvs_statedir_open(&st, d, 0), -1);
	hvs_statedir_close(&st);
	fixture_rm(d);
	unlink(victim);
}

/* A failed apply keeps the previous boot (issue 16, fault 5); a returning boot is new. */
static void test_registry_boots(void **state)
{
	static struct hvs_peer slots[4];
	static struct hvs_named *buckets[8];
	struct hvs_registry reg;
	uint8_t a[16] = { 0xa }, b[16] = { 0xb };
	struct hvs_peer *e;

	(void)state;
	hvs_registry_init(&reg, slots, 4, buckets, 8, NULL);
	e = hvs_registry_begin(&reg, "vm", a, 0x8000000, 0x4000000);
	assert_int_equal(hvs_registry_finish(&reg, e, 1, 1), 0);
	/* Boot B's apply fails: boot A is still the one kept. */
	assert_int_equal(hvs_registry_decide(&reg, "vm", b, 0x8000000, 0x4000000), HVS_REG_NEW);
	e = hvs_registry_begin(&reg, "vm", b, 0x8000000, 0x4000000);
	assert_int_equal(hvs_registry_finish(&reg, e, 0, 0), 0);
	assert_int_equal(hvs_registry_decide(&reg, "vm", a, 0x10000000, 0x4000000),
			 HVS_REG_CONFLICT);
	assert_int_equal(hvs_registry_decide(&reg, "vm", a, 0x8000000, 0x4000000),
			 HVS_REG_DUPLICATE);
	/* A, then B applied, then A again (a resumed kernel): A is a new boot again. */
	e = hvs_registry_begin(&reg, "vm", b, 0x10000000, 0x4000000);
	assert_int_equal(hvs_registry_finish(&reg, e, 1, 2), 0);
	assert_int_equal(hvs_registry_decide(&reg, "vm", a, 0x8000000, 0x4000000), HVS_REG_NEW);
	e = hvs_registry_begin(&reg, "vm", a, 0x8000000, 0x4000000);
	assert_int_equal(hvs_registry_finish(&reg, e, 1, 3), 0);
	assert_int_equal(hvs_registry_decide(&reg, "vm", a, 0x8000000, 0x4000000),
			 HVS_REG_DUPLICATE);
	assert_int_equal(hvs_registry_decide(&reg, "vm", b, 0x10000000, 0x4000000), HVS_REG_NEW);
}

/* Any peer name reads back from its file: tabs, newlines, bytes outside ASCII. */
static void test_state_any_name(void **state)
{
	static const char *const names[] = { "unix:/run/vm\t1", "unix:/run/vm\n2",
					     "unix:/run/\xc3\xa9t\xc3\xa9", "unix:/a\\x41",
					     "unix:/a\\" };
	struct hvs_statedir st;
	struct hvs_decision v, got;
	char d[64];
	size_t i;

	(void)state;
	fixture_tmpdir(d, sizeof(d));
	st = open_state(d);
	memset(&v, 0, sizeof(v));
	v.base = 0x8000000;
	v.size = 0x4000000;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		v.boot_id[0] = (uint8_t)i;
		assert_int_equal(hvs_statedir_save(&st, names[i], &v, NULL), 0);
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(hvs_statedir_load(&st, names[i], &got), 1);
		assert_int_equal(got.boot_id[0], i);
	}
	hvs_statedir_close(&st);
	fixture_rm(d);
}

/* What systemd may pass: only listening stream sockets of AF_UNIX or AF_VSOCK. */
static void test_listen_classify(void **state)
{
	struct sockaddr_un un;
	struct sockaddr_vm vm;
	size_t off = offsetof(struct sockaddr_un, sun_path);
	const char *why;
	char name[HVS_PEER_MAX];
	int is_unix = -1;

	(void)state;
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	strcpy(un.sun_path, "/run/vm1.hvsock_18515");
	assert_int_equal(hvs_listen_classify(AF_UNIX, SOCK_STREAM, 1, &un,
					     off + strlen(un.sun_path) + 1, &is_unix, name,
					     sizeof(name), &why), 0);
	assert_int_equal(is_unix, 1);
	assert_string_equal(name, "unix:/run/vm1.hvsock_18515");
	memcpy(un.sun_path, "\0vm\0x", 5);
	assert_int_equal(hvs_listen_classify(AF_UNIX, SOCK_STREAM, 1, &un, off + 5, &is_unix,
					     name, sizeof(name), &why), 0);
	assert_string_equal(name, "unix:@vm@x");
	assert_int_equal(hvs_listen_classify(AF_UNIX, SOCK_STREAM, 1, &un, off, &is_unix, name,
					     sizeof(name), &why), -1);
	memset(&vm, 0, sizeof(vm));
	vm.svm_family = AF_VSOCK;
	vm.svm_cid = VMADDR_CID_ANY;
	vm.svm_port = 18515;
	assert_int_equal(hvs_listen_classify(AF_VSOCK, SOCK_STREAM, 1, &vm, sizeof(vm), &is_unix,
					     name, sizeof(name), &why), 0);
	assert_int_equal(is_unix, 0);
	assert_string_equal(name, "vsock:*:18515");
	assert_int_equal(hvs_listen_classify(AF_VSOCK, SOCK_DGRAM, 1, &vm, sizeof(vm), &is_unix,
					     name, sizeof(name), &why), -1);
	assert_string_equal(why, "not a stream socket");
	assert_int_equal(hvs_listen_classify(AF_VSOCK, SOCK_STREAM, 0, &vm, sizeof(vm), &is_unix,
					     name, sizeof(name), &why), -1);
	assert_string_equal(why, "not listening");
	assert_int_equal(hvs_listen_classify(AF_INET, SOCK_STREAM, 1, &vm, sizeof(vm), &is_unix,
					     name, sizeof(name), &why), -1);
}

/* Admission: per guest, then overall, the one idle longest gives way; busy ones never. */
static void test_admission(void **state)
{
	struct hvs_admission a;
	struct hvs_slot slots[4], *c[4], *v;
	int i;

	(void)state;
	assert_int_equal(hvs_admission_init(&a, 4, 2), 0);
	for (i = 0; i < 4; i++)
		hvs_admission_add(&a, &slots[i]);
	for (i = 0; i < 2; i++) {
		assert_int_equal(hvs_admission_check(&a, "g1", &v), HVS_ADMIT_OK);
		c[i] = hvs_admission_take(&a, "g1", i, 1000 + i);
	}
	/* g1 is at --max-per-guest: its oldest idle one makes room. */
	assert_int_equal(hvs_admission_check(&a, "g1", &v), HVS_ADMIT_EVICT_GUEST);
	assert_ptr_equal(v, c[0]);
	/* A record is whole on c[0]: now c[1] is the one to go. */
	hvs_admission_record_whole(&a, c[0]);
	assert_int_equal(hvs_admission_check(&a, "g1", &v), HVS_ADMIT_EVICT_GUEST);
	assert_ptr_equal(v, c[1]);
	hvs_admission_record_whole(&a, c[1]);
	assert_int_equal(hvs_admission_check(&a, "g1", &v), HVS_ADMIT_REFUSE_GUEST);
	/* Another guest fills the table; then the oldest idle of all goes. */
	for (i = 2; i < 4; i++)
		c[i] = hvs_admission_take(&a, "g2", i, 1000 + i);
	assert_int_equal(hvs_admission_check(&a, "g3", &v), HVS_ADMIT_EVICT_OLDEST);
	assert_ptr_equal(v, c[2]);
	hvs_admission_release(&a, c[2]);
	assert_int_equal(hvs_admission_check(&a, "g3", &v), HVS_ADMIT_OK);
	c[2] = hvs_admission_take(&a, "g3", 5, 1005);
	hvs_admission_record_whole(&a, c[2]);
	hvs_admission_record_whole(&a, c[3]);
	assert_int_equal(hvs_admission_check(&a, "g4", &v), HVS_ADMIT_REFUSE_FULL);
	/* Released, a guest's count and slot come back. */
	hvs_admission_release(&a, c[0]);
	assert_int_equal(a.open, 3);
	assert_int_equal(hvs_admission_check(&a, "g1", &v), HVS_ADMIT_OK);
	/* Under pressure (3 of 4 open) an idle one gets at most HVS_PRESSURE_MS. */
	c[0] = hvs_admission_take(&a, "g1", 100, 100 + 10000);
	assert_true(hvs_admission_read_deadline(&a, c[0]) == 100 + HVS_PRESSURE_MS);
	hvs_admission_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reader_any_split),
		cmocka_unit_test(test_reader_refuses),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_registry_rules),
		cmocka_unit_test(test_judge_wrong_length),
		cmocka_unit_test(test_registry_state_dir),
		cmocka_unit_test(test_state_parse),
		cmocka_unit_test(test_state_unreadable_now),
		cmocka_unit_test(test_state_hostile_dir),
		cmocka_unit_test(test_registry_boots),
		cmocka_unit_test(test_state_any_name),
		cmocka_unit_test(test_listen_classify),
		cmocka_unit_test(test_admission),
		cmocka_unit_test(test_state_seen),
	};

	return cmocka_run_group_tests_name("recv", tests, NULL, NULL);
}
