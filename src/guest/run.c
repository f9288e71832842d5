/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "run.h"

#include "deadline.h"
#include "errname.h"
#include "fileio.h"
#include "guard.h"
#include "kcmdline.h"
#include "klog.h"
#include "log.h"
#include "options.h"
#include "pool.h"
#include "status.h"
#include "text.h"
#include "verdict.h"
#include "wire.h"

#include <errno.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#ifndef AT_RANDOM
#define AT_RANDOM 25 /* klibc's elf.h stops short of it */
#endif

/*
 * No kernel makes a longer line: COMMAND_LINE_SIZE is 4096 at most, and
 * even with bootconfig's additions /proc/cmdline stays far below this.
 */
#define CMDLINE_MAX 32768

/* The run's status, kept current so that guard.c can report at any moment. */
static struct hvs_status st;

struct facts {
	struct hvs_options o;
	struct hvs_request req;
	struct hvs_pool pool;
	struct hvs_diagnosis diag;
	enum hvs_verdict verdict;
	struct hvs_target target;
	char target_text[160];
};

/*
 * The nonce only pairs the answer with the record. It comes from
 * AT_RANDOM, the 16 random bytes the kernel hands every new process:
 * /dev/urandom can stall for a second this early in boot, and this costs
 * no system call.
 */
static uint64_t make_nonce(void)
{
	const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
	uint64_t v = 0;
	int i;

	if (r)
		for (i = 0; i < 8; i++)
			v = v << 8 | r[i];
	return v ? v : 1; /* never 0, which a careless host might take for "none" */
}

/* Step 1: the kernel's line, our options, the request. */
static int read_request(const struct hvs_cli *c, struct facts *f)
{
	static char cmdline[CMDLINE_MAX], scratch[CMDLINE_MAX];
	ssize_t n;
	unsigned i;

	hvs_step("reading", c->p.cmdline);
	n = hvs_read_file(c->p.cmdline, cmdline, sizeof(cmdline));
	if (n < 0 && errno == EINTR)
		hvs_guard_stall();
	if (n < 0 && errno == EFBIG) {
		hvs_log(HVS_LOG_ERR, "the kernel command line in %s is longer than %u bytes, "
			"more than any kernel passes: it cannot be read as one",
			c->p.cmdline, CMDLINE_MAX - 1);
		return -1;
	}
	if (n < 0) {
		hvs_log(HVS_LOG_ERR, "cannot read %s: %s%s", c->p.cmdline, hvs_errname(errno),
			errno == ENOENT ? "; is /proc mounted?" : "");
		return -1;
	}
	n = (ssize_t)hvs_cmdline_from_file(cmdline, (size_t)n);

	hvs_options_defaults(&f->o);
	if (hvs_options_read_files(c->p.etc, &f->o) < 0)
		hvs_guard_stall();
	memcpy(scratch, cmdline, (size_t)n + 1);
	hvs_options_apply(scratch, &f->o);
	hvs_options_finish(&f->o);
	if (c->debug)
		f->o.debug = 1;
	if (c->timeout_ms)
		f->o.timeout_ms = c->timeout_ms;
	else
		(void)hvs_deadline_retotal(f->o.timeout_ms);
	st.required = f->o.required;
	/* --plan says nothing but its two words: the run after it logs. */
	hvs_log_set_debug(c->mode != HVS_MODE_PLAN && f->o.debug);

	if (c->have_target) {
		f->target = c->target;
	} else {
		memset(&f->target, 0, sizeof(f->target));
		f->target.kind = HVS_TARGET_VSOCK;
		f->target.cid = f->o.cid;
		f->target.port = f->o.port;
	}
	hvs_target_format(&f->target, f->target_text, sizeof(f->target_text));

	(void)hvs_request_from_cmdline(cmdline, scratch, sizeof(scratch), &f->req);
	hvs_debug("request: hv_pci_swiotlb %s, %llu bytes; options: enabled=%d "
		  "required=%d timeout=%ums target=%s", hvs_request_state_name(f->req.state),
		  (unsigned long long)f->req.size, f->o.enabled, f->o.required,
		  f->o.timeout_ms, f->target_text);
	for (i = 0; c->mode != HVS_MODE_PLAN && i < f->o.nwarnings; i++)
		hvs_log(HVS_LOG_WARNING, "%s", f->o.warning[i]);
	if (c->mode != HVS_MODE_PLAN && f->o.lost_warnings)
		hvs_log(HVS_LOG_WARNING, "%u more warnings about the boot options",
			f->o.lost_warnings);
	return 0;
}

/* Steps 2 and 3: what the kernel published, and why not (not for --plan). */
static void read_pool(const struct hvs_cli *c, struct facts *f)
{
	int explain = c->mode != HVS_MODE_PLAN;

	struct hvs_klog klog;
	struct hvs_sysfs_facts sysfs;

	if (hvs_pool_read(c->p.sysfs, &f->pool) < 0)
		hvs_guard_stall();
	memset(&klog, 0, sizeof(klog));
	memset(&sysfs, 0, sizeof(sysfs));
	/* The causes are looked for only when something was asked for and is missing. */
	if (explain && f->pool.presence == HVS_POOL_NONE && f->req.state != HVS_REQ_ABSENT &&
	    f->req.state != HVS_REQ_ZERO && hvs_klog_read(c->p.kmsg, &klog) < 0) {
		if (errno == EINTR)
			hvs_guard_stall();
		hvs_debug("cannot read the kernel log %s: %s", c->p.kmsg, hvs_errname(errno));
	}
	if (explain && f->pool.presence == HVS_POOL_NONE && f->req.state == HVS_REQ_SET)
		hvs_sysfs_facts_read(c->p.sysfs, &sysfs);
	hvs_diagnose(&f->req, &f->pool, &klog, &sysfs, (unsigned long)getpagesize(), &f->diag);
	hvs_debug("verdict %s: %s", hvs_verdict_word(f->diag.verdict), f->diag.reason);
	f->verdict = f->diag.verdict;
	if (!f->o.enabled && f->verdict != HVS_V_NONE)
		f->verdict = HVS_V_DISABLED;
	/* Known from here on, for any report guard.c may have to make. */
	st.verdict = hvs_verdict_word(f->verdict);
	st.have_pool = f->pool.presence == HVS_POOL_BOTH;
	st.base = f->pool.base;
	st.size = f->pool.size;
	st.requested = f->req.state == HVS_REQ_SET ? f->req.size : 0;
	st.reason = f->diag.reason;
}

static void out_line(struct hvs_text *t, const char *key, const char *value)
{
	hvs_text_str(t, key);
	hvs_text_char(t, '=');
	hvs_text_esc(t, value);
	hvs_text_char(t, '\n');
}

static void out_num(struct hvs_text *t, const char *key, uint64_t v, int hex)
{
	hvs_text_str(t, key);
	hvs_text_char(t, '=');
	if (hex)
		hvs_text_hex(t, v);
	else
		hvs_text_u64(t, v);
	hvs_text_char(t, '\n');
}

/* --plan: two words an initramfs hook reads with the shell alone. */
static int print_plan(const struct facts *f)
{
	char out[64];
	struct hvs_text t;

	hvs_text_init(&t, out, sizeof(out));
	hvs_text_str(&t, "transports=");
	hvs_text_u64(&t, f->verdict == HVS_V_OK && f->target.kind == HVS_TARGET_VSOCK);
	hvs_text_str(&t, " required=");
	hvs_text_u64(&t, f->o.required != 0);
	hvs_text_char(&t, '\n');
	return hvs_write_all(1, out, t.len) < 0 ? HVS_EXIT_SYSTEM : HVS_EXIT_OK;
}

/* --dry-run: every value escaped, so no line can be forged. */
static int print_dry_run(const struct facts *f)
{
	char out[4096];
	struct hvs_text t;

	hvs_text_init(&t, out, sizeof(out));
	out_num(&t, "cmdline_size", f->req.size, 0);
	out_line(&t, "cmdline_param", hvs_request_state_name(f->req.state));
	if (f->req.state != HVS_REQ_ABSENT)
		out_line(&t, "cmdline_value", f->req.value);
	if (f->pool.presence == HVS_POOL_BOTH) {
		out_num(&t, "pool_base", f->pool.base, 1);
		out_num(&t, "pool_size", f->pool.size, 0);
	}
	out_num(&t, "enabled", f->o.enabled != 0, 0);
	out_num(&t, "required", f->o.required != 0, 0);
	out_num(&t, "debug", f->o.debug != 0, 0);
	out_num(&t, "timeout_ms", f->o.timeout_ms, 0);
	out_line(&t, "target", f->target_text);
	out_line(&t, "verdict", hvs_verdict_word(f->verdict));
	out_num(&t, "exit", (unsigned)hvs_verdict_exit_code(f->verdict), 0);
	out_line(&t, "reason", f->diag.reason);
	(void)hvs_write_all(1, out, t.len);
	return hvs_verdict_exit_code(f->verdict);
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

/* The boot id, parsed into a temporary: a bad one sends zeros, never half an id. */
static void read_boot_id(const struct hvs_cli *c, uint8_t out[16])
{
	char text[64];
	uint8_t id[16];
	ssize_t n;

	hvs_step("reading", c->p.boot_id);
	n = hvs_read_file(c->p.boot_id, text, sizeof(text));
	if (n < 0 && errno == EINTR)
		hvs_guard_stall();
	if (n >= 0 && strlen(text) == (size_t)n && hvs_uuid_parse(text, id) == 0) {
		memcpy(out, id, sizeof(id));
		return;
	}
	memset(out, 0, 16);
	if (n < 0)
		hvs_log(HVS_LOG_WARNING, "cannot read the boot id from %s (%s); sending zeros, "
			"so the host cannot tell this boot from others", c->p.boot_id,
			hvs_errname(errno));
	else
		hvs_log(HVS_LOG_WARNING, "the boot id in %s is not a UUID (\"%.40s\"); sending "
			"zeros, so the host cannot tell this boot from others", c->p.boot_id,
			text);
}

/* Step 4, and the outcome into st. */
static int hand_over(const struct hvs_cli *c, const struct facts *f, int fail_prio,
		     struct hvs_handoff_result *res)
{
	struct hvs_record rec;
	int rc;

	memset(&rec, 0, sizeof(rec));
	rec.base = f->pool.base;
	rec.size = f->pool.size;
	rec.nonce = make_nonce();
	read_boot_id(c, rec.boot_id);
	hvs_debug("sending [0x%llx..0x%llx) to %s, nonce %016llx",
		  (unsigned long long)rec.base, (unsigned long long)(rec.base + rec.size),
		  f->target_text, (unsigned long long)rec.nonce);
	hvs_step("handing the range to", f->target_text);
	st.target = f->target_text;
	hvs_handoff(&f->target, &rec, res);

	rc = handoff_exit(res->outcome);
	st.attempts = res->attempts;
	st.state = handoff_state(res->outcome);
	if (res->outcome == HVS_HANDOFF_ACKED || res->outcome == HVS_HANDOFF_REFUSED)
		st.ack = hvs_ack_status_name(res->ack.status);
	st.elapsed_ms = hvs_deadline_elapsed_ms();
	st.exit_code = rc;
	if (res->outcome == HVS_HANDOFF_ACKED) {
		st.reason = res->ack.status == HVS_ACK_DUPLICATE
			? "the host already had this range for this boot"
			: "the host applied the range";
		st.final = 1;
		hvs_log(HVS_LOG_INFO, "handed [0x%llx..0x%llx) (%llu bytes) to %s: %s after "
			"%u ms, %u attempt%s", (unsigned long long)f->pool.base,
			(unsigned long long)(f->pool.base + f->pool.size),
			(unsigned long long)f->pool.size, f->target_text, st.ack,
			st.elapsed_ms, res->attempts, res->attempts == 1 ? "" : "s");
	} else {
		st.reason = res->detail;
		st.final = 1;
		hvs_log(fail_prio, "handoff to %s failed after %u ms and %u attempt%s: %s%s",
			f->target_text, st.elapsed_ms, res->attempts,
			res->attempts == 1 ? "" : "s", res->detail,
			f->o.required ? "" : "; the boot goes on without it");
	}
	return rc;
}

int hvs_run(const struct hvs_cli *c)
{
	static struct facts f;
	struct hvs_handoff_result res; /* st.reason may point into it */
	int rc, fail_prio, handed = 0;

	memset(&st, 0, sizeof(st));
	st.state = "starting";
	st.verdict = "unknown";
	st.reason = "";
	hvs_log_setup(c->mode == HVS_MODE_RUN ? c->p.kmsg : NULL, c->debug);
	/* The deadline covers everything from here, reads of local files included. */
	if (hvs_guard_start(&st, c->mode == HVS_MODE_RUN ? c->p.run : NULL,
			    c->timeout_ms ? c->timeout_ms : HVS_DEFAULT_TIMEOUT_MS) < 0) {
		hvs_log(HVS_LOG_ERR, "cannot arm the deadline timer: %s", hvs_errname(errno));
		return HVS_EXIT_SYSTEM;
	}

	if (read_request(c, &f) < 0)
		return HVS_EXIT_SYSTEM;
	read_pool(c, &f);
	if (c->mode == HVS_MODE_PLAN)
		return print_plan(&f);
	if (c->mode == HVS_MODE_DRY_RUN)
		return print_dry_run(&f);

	fail_prio = f.o.required ? HVS_LOG_ERR : HVS_LOG_WARNING;

	rc = hvs_verdict_exit_code(f.verdict);
	if (f.verdict == HVS_V_NONE) {
		/* Nothing asked, nothing published: say nothing, but leave the status. */
		st.state = "none";
		st.final = 1;
	} else if (f.verdict == HVS_V_DISABLED) {
		st.state = "disabled";
		st.reason = "disabled by rd.hvswiotlb=0";
		st.final = 1;
		hvs_log(HVS_LOG_INFO, "handoff disabled by rd.hvswiotlb=0; not sending (%s)",
			f.diag.reason);
		rc = HVS_EXIT_OK;
	} else if (rc != HVS_EXIT_OK) {
		st.state = rc == HVS_EXIT_POOL_ABSENT ? "pool-absent" : "pool-invalid";
		st.exit_code = rc;
		st.final = 1;
		hvs_log(fail_prio, "no pool to hand over (%s): %s", st.verdict, f.diag.reason);
	} else {
		rc = hand_over(c, &f, fail_prio, &res);
		handed = 1;
	}

	/* Step 5. */
	if (!handed)
		st.elapsed_ms = hvs_deadline_elapsed_ms(); /* hand_over() read it already */
	st.exit_code = rc;
	st.final = 1;
	hvs_step("writing the status in", c->p.run);
	if (hvs_status_write(c->p.run, &st) < 0)
		hvs_log(HVS_LOG_WARNING, "cannot write %s/hv-swiotlb/status: %s", c->p.run,
			hvs_errname(errno));
	hvs_debug("done, exit %d", rc);
	return rc;
}
