/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv-swiotlb: hand the hv_pci swiotlb pool's guest-physical range to the
 * host before the root filesystem is mounted.
 *
 *   1. read the request (kcmdline.c) and the options (options.c)
 *   2. read and check what the kernel published (pool.c)
 *   3. explain a missing or wrong pool (klog.c, verdict.c)
 *   4. send it and wait for the acknowledgement (wire.c, handoff.c)
 *   5. report: kernel log (log.c) and /run/hv-swiotlb/status (status.c)
 *
 * No heap, fixed buffers, one deadline for the whole run (deadline.c).
 */
#include "errname.h"
#include "deadline.h"
#include "fileio.h"
#include "handoff.h"
#include "kcmdline.h"
#include "klog.h"
#include "log.h"
#include "options.h"
#include "pool.h"
#include "status.h"
#include "verdict.h"
#include "wire.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/time.h>
#include <unistd.h>

#ifndef AT_RANDOM
#define AT_RANDOM 25 /* klibc's elf.h stops short of it */
#endif

#ifndef HVS_VERSION
#define HVS_VERSION "0.1"
#endif

#define CMDLINE_MAX 8192 /* the largest COMMAND_LINE_SIZE of any arch is 4096 */

struct paths {
	const char *root;        /* prefix for everything not given below */
	const char *cmdline;
	const char *sysfs;
	const char *kmsg;
	char cmdline_buf[512], sysfs_buf[512], kmsg_buf[512];
	char etc[512], run[512], boot_id[512];
};

struct cli {
	int dry_run;
	int debug;
	const char *target;
	const char *timeout;
	struct paths p;
};

static void usage_line(int fd)
{
	hvs_fdprintf(fd, "%s", "usage: hv-swiotlb [--dry-run] [--debug] [--timeout SECONDS]\n"
		     "                  [--target vsock:CID:PORT|unix:PATH]\n"
		     "                  [--cmdline-file FILE] [--sysfs-root DIR] [--kmsg FILE]\n"
		     "                  [--root DIR] | --help | --version\n");
}

static void help(void)
{
	usage_line(1);
	hvs_fdprintf(1, "%s", "\nHands the hv_pci swiotlb pool published by the kernel in\n"
	      "/sys/bus/vmbus/drivers/hv_pci/swiotlb_{base,size} to the host over\n"
	      "AF_VSOCK and waits for its acknowledgement. Run from the initramfs.\n\n"
	      "  --dry-run          check the request and the pool, print key=value\n"
	      "                     lines, send and write nothing\n"
	      "  --debug            log every step with its time (rd.hvswiotlb.debug)\n"
	      "  --timeout SECONDS  the deadline for the whole run (default 10)\n"
	      "  --target T         where to send it (default vsock:2:18515)\n"
	      "  --cmdline-file F   read the kernel command line from F\n"
	      "  --sysfs-root DIR   sysfs is mounted at DIR\n"
	      "  --kmsg FILE        kernel log to read and write (default /dev/kmsg)\n"
	      "  --root DIR         prefix for /proc, /sys, /etc, /run and /dev paths\n\n"
	      "Exit: 0 done or nothing to do, 1 pool absent, 2 pool invalid,\n"
	      "3 host unreachable or timed out, 4 host refused, 5 bad answer,\n"
	      "6 system error, 64 usage. See hv-swiotlb(8).\n");
}

static int usage_error(const char *what, const char *arg)
{
	hvs_fdprintf(2, "hv-swiotlb: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	usage_line(2);
	return HVS_EXIT_USAGE;
}

static int rooted(char *out, size_t cap, const char *root, const char *rel)
{
	return hvs_path_join(out, cap, root, rel);
}

static int setup_paths(struct paths *p)
{
	const char *r = p->root ? p->root : "";

	if (rooted(p->etc, sizeof(p->etc), r, "/etc") < 0 ||
	    rooted(p->run, sizeof(p->run), r, "/run") < 0 ||
	    rooted(p->boot_id, sizeof(p->boot_id), r, "/proc/sys/kernel/random/boot_id") < 0)
		return -1;
	if (!p->cmdline) {
		if (rooted(p->cmdline_buf, sizeof(p->cmdline_buf), r, "/proc/cmdline") < 0)
			return -1;
		p->cmdline = p->cmdline_buf;
	}
	if (!p->sysfs) {
		if (rooted(p->sysfs_buf, sizeof(p->sysfs_buf), r, "/sys") < 0)
			return -1;
		p->sysfs = p->sysfs_buf;
	}
	if (!p->kmsg) {
		if (rooted(p->kmsg_buf, sizeof(p->kmsg_buf), r, "/dev/kmsg") < 0)
			return -1;
		p->kmsg = p->kmsg_buf;
	}
	return 0;
}

static int parse_cli(int argc, char **argv, struct cli *c)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "debug", no_argument, NULL, 'd' },
		{ "target", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "cmdline-file", required_argument, NULL, 'c' },
		{ "sysfs-root", required_argument, NULL, 's' },
		{ "kmsg", required_argument, NULL, 'k' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0; /* our own one-line messages */
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': c->dry_run = 1; break;
		case 'd': c->debug = 1; break;
		case 't': c->target = optarg; break;
		case 'T': c->timeout = optarg; break;
		case 'c': c->p.cmdline = optarg; break;
		case 's': c->p.sysfs = optarg; break;
		case 'k': c->p.kmsg = optarg; break;
		case 'r': c->p.root = optarg; break;
		case 'h': help(); return -2;
		case 'V': hvs_fdprintf(1, "hv-swiotlb %s\n", HVS_VERSION); return -2;
		case ':': return usage_error("option needs a value", argv[optind - 1]);
		default: return usage_error("unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	return 0;
}

/*
 * The nonce only pairs the answer with the record, so it needs to be
 * unpredictable to nobody. It comes from AT_RANDOM, the 16 bytes the
 * kernel hands every new process: /dev/urandom can stall for a second
 * this early in boot, waiting for the CRNG.
 */
static uint64_t make_nonce(void)
{
	const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
	struct timeval tv;
	uint64_t v = 0;
	int i;

	if (r)
		for (i = 0; i < 8; i++)
			v = v << 8 | r[i];
	gettimeofday(&tv, NULL);
	v ^= ((uint64_t)tv.tv_sec << 20) ^ (uint64_t)tv.tv_usec ^ ((uint64_t)getpid() << 40);
	return v ? v : 1;
}

static const char *handoff_state(enum hvs_handoff_outcome o)
{
	switch (o) {
	case HVS_HANDOFF_ACKED: return "acknowledged";
	case HVS_HANDOFF_REFUSED: return "refused";
	case HVS_HANDOFF_UNREACHABLE: return "unreachable";
	case HVS_HANDOFF_PROTOCOL: return "protocol-error";
	}
	return "error";
}

static int handoff_exit(enum hvs_handoff_outcome o)
{
	switch (o) {
	case HVS_HANDOFF_ACKED: return HVS_EXIT_OK;
	case HVS_HANDOFF_REFUSED: return HVS_EXIT_REFUSED;
	case HVS_HANDOFF_UNREACHABLE: return HVS_EXIT_UNREACHABLE;
	case HVS_HANDOFF_PROTOCOL: return HVS_EXIT_PROTOCOL;
	}
	return HVS_EXIT_SYSTEM;
}

static void print_dry_run(const struct hvs_request *req, const struct hvs_pool *pool,
			  const struct hvs_options *o, const char *target,
			  const struct hvs_diagnosis *d, enum hvs_verdict v)
{
	hvs_fdprintf(1, "cmdline_size=%llu\n", (unsigned long long)req->size);
	hvs_fdprintf(1, "cmdline_param=%s\n", hvs_request_state_name(req->state));
	if (req->state != HVS_REQ_ABSENT)
		hvs_fdprintf(1, "cmdline_value=%s\n", req->value);
	if (pool->presence == HVS_POOL_BOTH) {
		hvs_fdprintf(1, "pool_base=0x%llx\n", (unsigned long long)pool->base);
		hvs_fdprintf(1, "pool_size=%llu\n", (unsigned long long)pool->size);
	}
	hvs_fdprintf(1, "enabled=%d\nrequired=%d\ndebug=%d\n", o->enabled, o->required, o->debug);
	hvs_fdprintf(1, "timeout_ms=%u\ntarget=%s\n", o->timeout_ms, target);
	hvs_fdprintf(1, "verdict=%s\n", hvs_verdict_word(v));
	hvs_fdprintf(1, "exit=%d\n", hvs_verdict_exit_code(v));
	hvs_fdprintf(1, "reason=%s\n", d->reason);
}

int main(int argc, char **argv)
{
	static char cmdline[CMDLINE_MAX], gathered[2 * CMDLINE_MAX], scratch[2 * CMDLINE_MAX];
	struct cli c;
	struct hvs_options o;
	struct hvs_request req;
	struct hvs_pool pool;
	struct hvs_klog klog;
	struct hvs_sysfs_facts facts;
	struct hvs_diagnosis diag;
	struct hvs_target target;
	struct hvs_status st;
	struct hvs_handoff_result res; /* st.reason may point into it */
	char target_text[160];
	const char *why = NULL;
	enum hvs_verdict verdict;
	int rc, fail_prio;
	ssize_t n;

	memset(&c, 0, sizeof(c));
	rc = parse_cli(argc, argv, &c);
	if (rc == -2)
		return HVS_EXIT_OK;
	if (rc != 0)
		return rc;
	if (setup_paths(&c.p) < 0)
		return usage_error("a path is too long", NULL);

	/* Step 1: the request, and our own options. */
	hvs_options_defaults(&o);
	n = hvs_read_file(c.p.cmdline, cmdline, sizeof(cmdline));
	if (n < 0) {
		hvs_log_setup(c.dry_run ? NULL : c.p.kmsg, 0);
		hvs_log(HVS_LOG_ERR, "cannot read %s: %s; is /proc mounted?", c.p.cmdline,
			hvs_errname(errno));
		return HVS_EXIT_SYSTEM;
	}
	if (hvs_options_gather(c.p.etc, cmdline, gathered, sizeof(gathered)) < 0 ||
	    hvs_options_parse(gathered, scratch, sizeof(scratch), &o) < 0) {
		/* Too much text in /etc/cmdline.d: use the kernel's line alone. */
		hvs_options_defaults(&o);
		(void)hvs_options_parse(cmdline, scratch, sizeof(scratch), &o);
	}
	if (c.debug)
		o.debug = 1;
	if (c.timeout && hvs_parse_seconds_ms(c.timeout, &o.timeout_ms) < 0)
		return usage_error("--timeout needs seconds, more than 0 and at most 600",
				   c.timeout);
	if (c.target) {
		if (hvs_target_parse(c.target, &target, &why) < 0)
			return usage_error(why, c.target);
	} else {
		memset(&target, 0, sizeof(target));
		target.kind = HVS_TARGET_VSOCK;
		target.cid = o.cid;
		target.port = o.port;
	}
	hvs_target_format(&target, target_text, sizeof(target_text));

	hvs_log_setup(c.dry_run ? NULL : c.p.kmsg, o.debug);
	if (hvs_deadline_start(o.timeout_ms) < 0) {
		hvs_log(HVS_LOG_ERR, "cannot arm the deadline timer: %s", hvs_errname(errno));
		return HVS_EXIT_SYSTEM;
	}
	/* A host that hangs up must cost an error code, not the process. */
	signal(SIGPIPE, SIG_IGN);

	if (hvs_request_from_cmdline(cmdline, scratch, sizeof(scratch), &req) < 0) {
		hvs_log(HVS_LOG_ERR, "the kernel command line is longer than %u bytes",
			(unsigned)sizeof(scratch));
		return HVS_EXIT_SYSTEM;
	}
	hvs_debug("request: hv_pci_swiotlb %s, %llu bytes; options: enabled=%d "
		  "required=%d timeout=%ums target=%s", hvs_request_state_name(req.state),
		  (unsigned long long)req.size, o.enabled, o.required, o.timeout_ms,
		  target_text);
	for (rc = 0; rc < (int)o.nwarnings; rc++)
		hvs_log(HVS_LOG_WARNING, "%s", o.warning[rc]);

	/* Steps 2 and 3: what the kernel published, and why not. */
	hvs_pool_read(c.p.sysfs, &pool);
	memset(&klog, 0, sizeof(klog));
	if (pool.presence == HVS_POOL_NONE && req.state != HVS_REQ_ABSENT &&
	    req.state != HVS_REQ_ZERO && hvs_klog_read(c.p.kmsg, &klog) < 0)
		hvs_debug("cannot read the kernel log %s: %s", c.p.kmsg, hvs_errname(errno));
	hvs_sysfs_facts_read(c.p.sysfs, &facts);
	hvs_diagnose(&req, &pool, &klog, &facts, (unsigned long)getpagesize(), &diag);
	hvs_debug("verdict %s: %s", hvs_verdict_word(diag.verdict), diag.reason);

	verdict = diag.verdict;
	if (!o.enabled && verdict != HVS_V_NONE)
		verdict = HVS_V_DISABLED;

	if (c.dry_run) {
		print_dry_run(&req, &pool, &o, target_text, &diag, verdict);
		return hvs_verdict_exit_code(verdict);
	}

	memset(&st, 0, sizeof(st));
	st.verdict = hvs_verdict_word(verdict);
	st.have_pool = pool.presence == HVS_POOL_BOTH;
	st.base = pool.base;
	st.size = pool.size;
	st.requested = req.state == HVS_REQ_SET ? req.size : 0;
	st.required = o.required;
	st.reason = diag.reason;
	fail_prio = o.required ? HVS_LOG_ERR : HVS_LOG_WARNING;

	if (verdict == HVS_V_NONE)
		return HVS_EXIT_OK; /* nothing asked, nothing published: say nothing */
	if (verdict == HVS_V_DISABLED) {
		hvs_log(HVS_LOG_INFO, "handoff disabled by rd.hvswiotlb=0; not sending (%s)",
			diag.reason);
		st.state = "disabled";
		st.reason = "disabled by rd.hvswiotlb=0";
		st.elapsed_ms = hvs_deadline_elapsed_ms();
		if (hvs_status_write(c.p.run, &st) < 0)
			hvs_log(HVS_LOG_WARNING, "cannot write %s/hv-swiotlb/status: %s",
				c.p.run, hvs_errname(errno));
		return HVS_EXIT_OK;
	}

	rc = hvs_verdict_exit_code(verdict);
	if (rc != HVS_EXIT_OK) {
		hvs_log(fail_prio, "no pool to hand over (%s): %s", st.verdict, diag.reason);
		st.state = rc == HVS_EXIT_POOL_ABSENT ? "pool-absent" : "pool-invalid";
	} else {
		/* Step 4: the handoff. */
		struct hvs_record rec;
		char idtext[64];

		memset(&rec, 0, sizeof(rec));
		rec.base = pool.base;
		rec.size = pool.size;
		rec.nonce = make_nonce();
		if (hvs_read_file(c.p.boot_id, idtext, sizeof(idtext)) < 0 ||
		    hvs_uuid_parse(idtext, rec.boot_id) < 0)
			hvs_log(HVS_LOG_WARNING, "cannot read the boot id from %s; sending "
				"zeros, so the host cannot tell this boot from others",
				c.p.boot_id);
		hvs_debug("sending [0x%llx..0x%llx) to %s, nonce %016llx",
			  (unsigned long long)rec.base,
			  (unsigned long long)(rec.base + rec.size), target_text,
			  (unsigned long long)rec.nonce);
		hvs_handoff(&target, &rec, &res);
		st.target = target_text;
		st.attempts = res.attempts;
		rc = handoff_exit(res.outcome);
		st.state = handoff_state(res.outcome);
		if (res.outcome == HVS_HANDOFF_ACKED || res.outcome == HVS_HANDOFF_REFUSED)
			st.ack = hvs_ack_status_name(res.ack.status);
		st.elapsed_ms = hvs_deadline_elapsed_ms();
		if (res.outcome == HVS_HANDOFF_ACKED) {
			st.reason = res.ack.status == HVS_ACK_DUPLICATE
				? "the host already had this range for this boot"
				: "the host applied the range";
			hvs_log(HVS_LOG_INFO, "handed [0x%llx..0x%llx) (%llu bytes) to %s: %s "
				"after %u ms, %u attempt%s", (unsigned long long)pool.base,
				(unsigned long long)(pool.base + pool.size),
				(unsigned long long)pool.size, target_text, st.ack,
				st.elapsed_ms, res.attempts, res.attempts == 1 ? "" : "s");
		} else {
			st.reason = res.detail;
			hvs_log(fail_prio, "handoff to %s failed after %u ms and %u attempt%s: %s%s",
				target_text, st.elapsed_ms, res.attempts,
				res.attempts == 1 ? "" : "s", res.detail,
				o.required ? "" : "; the boot goes on without it");
		}
	}
	hvs_deadline_stop();
	st.exit_code = rc;
	if (!st.elapsed_ms)
		st.elapsed_ms = hvs_deadline_elapsed_ms();
	if (hvs_status_write(c.p.run, &st) < 0)
		hvs_log(HVS_LOG_WARNING, "cannot write %s/hv-swiotlb/status: %s", c.p.run,
			hvs_errname(errno));
	hvs_debug("done, exit %d", rc);
	return rc;
}
