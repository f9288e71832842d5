/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "run.h"

#include "deadline.h"
#include "errname.h"
#include "exitcode.h"
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
	int crash;   /* a kdump crash kernel: elfcorehdr= or /proc/vmcore */
	int vmcore;  /* /proc/vmcore: the kernel took the crashed kernel's core header */
};

/* The deadline: --timeout, else rd.hvswiotlb.timeout, else the default. */
static unsigned decide_timeout(const struct hvs_cli *c, const struct hvs_options *o)
{
	return c->timeout_ms ? c->timeout_ms : o->timeout_ms;
}

/* Where the status file goes; NULL for --plan and --dry-run, which write none. */
static const char *g_run;

/*
 * The outcome's log line, formatted into this buffer before decide() is
 * called; decide() writes it after the status file, and guard.c writes it
 * if the run is stopped before it did.
 */
static char line[768];
#define NO_LINE 0 /* no priority: decide() logs nothing */

/*
 * The outcome, whole, before final: guard.c may report it at any moment.
 * Then the status file, then the line (prio): a line to a serial console
 * can outlast the grace after the deadline, and a run cut short there has
 * left its record.
 */
static __attribute__((noinline)) void decide(const char *state, int exit_code,
					     const char *reason, int prio)
{
	st.line_prio = prio;
	st.state = state;
	st.exit_code = exit_code;
	if (reason)
		st.reason = reason;
	__asm__ __volatile__("" ::: "memory"); /* every field above, then final */
	st.final = 1;
	if (g_run) {
		if (!st.target)
			st.elapsed_ms = hvs_deadline_elapsed_ms(); /* hand_over() read it already */
		hvs_step("writing the status in", g_run);
		if (hvs_status_write(g_run, &st) < 0)
			hvs_log(HVS_LOG_WARNING, "cannot write %s/hv-swiotlb/status: %s", g_run,
				hvs_errname(errno));
	}
	/*
	 * Logged as the write begins: /dev/kmsg stores the record before it
	 * flushes the consoles in the writer's time, so an alarm that lands in
	 * that flush must not write the line a second time.
	 */
	st.logged = 1;
	if (prio != NO_LINE)
		hvs_log_text(prio, line);
}

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
	if (n < 0) {
		hvs_snprintf(line, sizeof(line), "cannot read %.100s: %s%s", c->p.cmdline,
			     hvs_errname(errno), errno == ENOENT ? "; is /proc mounted?"
			     : errno == EFBIG ? " (over 32 KiB, no kernel's)" : "");
		decide("error", HVS_EXIT_SYSTEM, line, HVS_LOG_ERR);
		return -1;
	}
	n = (ssize_t)hvs_cmdline_from_file(cmdline, (size_t)n);

	if (hvs_options_read_files(c->p.etc, &f->o) < 0)
		hvs_guard_stall();
	memcpy(scratch, cmdline, (size_t)n + 1);
	f->o.kernel_line = 1;
	hvs_options_apply(scratch, &f->o);
	hvs_options_finish(&f->o);
	if (c->debug)
		f->o.debug = 1;
	f->o.timeout_ms = decide_timeout(c, &f->o);
	(void)hvs_deadline_set(f->o.timeout_ms);
	/* arm64 kdump passes elfcorehdr in the device tree: /proc/vmcore tells. */
	f->vmcore = hvs_path_exists(c->p.vmcore, "");
	f->crash = f->o.crash || f->vmcore;
	/* A crash kernel is there to save the dump: nothing of ours may stop it. */
	if (f->crash && f->o.required && c->mode == HVS_MODE_RUN)
		hvs_log(HVS_LOG_WARNING, "rd.hvswiotlb.required is ignored in a crash kernel: "
			"the dump goes first");
	if (f->crash)
		f->o.required = 0;
	st.required = f->o.required;
	st.crash = f->crash;
	/* --plan says nothing but its words: the run after it logs. */
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
	struct hvs_klog klog;
	struct hvs_sysfs_facts sysfs;

	if (hvs_pool_read(c->p.sysfs, &f->pool) < 0)
		hvs_guard_stall();
	memset(&klog, 0, sizeof(klog));
	memset(&sysfs, 0, sizeof(sysfs));
	/* The causes are looked for only when something was asked for and is missing. */
	if (f->pool.presence == HVS_POOL_NONE && f->req.state != HVS_REQ_ABSENT &&
	    f->req.state != HVS_REQ_ZERO && hvs_klog_read(c->p.kmsg, &klog) < 0) {
		if (errno == EINTR)
			hvs_guard_stall();
		hvs_debug("cannot read the kernel log %s: %s", c->p.kmsg, hvs_errname(errno));
	}
	if (f->pool.presence == HVS_POOL_NONE && f->req.state == HVS_REQ_SET)
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

/*
 * --plan: words an initramfs script reads with the shell alone, from the
 * boot options only. It reads nothing of the pool, which could hang:
 * hv-swiotlb-boot runs it before the handoff, and the handoff gets only
 * the time it leaves (left_ms), so that the two keep one deadline.
 * transports=1 when a range may be sent over vsock (the modules are then
 * loaded whether the pool turns out to be there or not); hibernation=0
 * when the kernel forbids it; crash=1 when /proc/vmcore is there: a kdump
 * crash kernel, which can never resume (the kernel refuses an image made
 * with another amount of memory, and a crash kernel has only its
 * crashkernel= reservation). elfcorehdr= alone does not say so: the
 * kernel may have found no core header there.
 */
static int print_plan(const struct facts *f)
{
	char out[96];
	struct hvs_text t;

	hvs_text_init(&t, out, sizeof(out));
	hvs_text_str(&t, "transports=");
	hvs_text_u64(&t, f->o.enabled && f->req.state != HVS_REQ_ABSENT &&
			 f->target.kind == HVS_TARGET_VSOCK);
	hvs_text_str(&t, " required=");
	hvs_text_u64(&t, f->o.required != 0);
	hvs_text_str(&t, " hibernation=");
	hvs_text_u64(&t, !f->o.nohibernate);
	hvs_text_str(&t, " crash=");
	hvs_text_u64(&t, (unsigned)f->vmcore);
	hvs_text_str(&t, " left_ms=");
	hvs_text_u64(&t, hvs_deadline_left_ms());
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
	out_num(&t, "hibernation", !f->o.nohibernate, 0);
	out_num(&t, "crash_kernel", (unsigned)f->crash, 0);
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
	/* One consequence for both causes: the bytes are counted (size budget). */
	hvs_log(HVS_LOG_WARNING, n < 0 ? "cannot read the boot id from %s (%s)%s"
		: "the boot id in %s is not a UUID (\"%.40s\")%s", c->p.boot_id,
		n < 0 ? hvs_errname(errno) : text,
		"; sending zeros, so the host cannot tell this boot from others");
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
	if (res->outcome == HVS_HANDOFF_ACKED || res->outcome == HVS_HANDOFF_REFUSED)
		st.ack = hvs_ack_status_name(res->ack.status);
	st.elapsed_ms = hvs_deadline_elapsed_ms();
	if (res->outcome == HVS_HANDOFF_ACKED) {
		hvs_snprintf(line, sizeof(line),
			     "handed [0x%llx..0x%llx) (%llu bytes) to %s: %s after %u ms, %u attempt%s",
			     (unsigned long long)f->pool.base,
			     (unsigned long long)(f->pool.base + f->pool.size),
			     (unsigned long long)f->pool.size, f->target_text, st.ack,
			     st.elapsed_ms, res->attempts, res->attempts == 1 ? "" : "s");
		decide(handoff_state(res->outcome), rc, res->ack.status == HVS_ACK_DUPLICATE
		       ? "the host already had this range for this boot"
		       : "the host applied the range", HVS_LOG_INFO);
	} else {
		hvs_snprintf(line, sizeof(line),
			     "handoff to %s failed after %u ms and %u attempt%s: %s%s",
			     f->target_text, st.elapsed_ms, res->attempts,
			     res->attempts == 1 ? "" : "s", res->detail,
			     f->o.required ? "" : "; the boot goes on without it");
		decide(handoff_state(res->outcome), rc, res->detail, fail_prio);
	}
	return rc;
}

/* Step 5, on every path of a run: decide() wrote the status; the exit code. */
static int report(int rc)
{
	hvs_debug("done, exit %d", rc);
	return rc;
}

/* Steps 2 to 4 and their outcome, once the request is known. */
static int act(const struct hvs_cli *c, struct facts *f, struct hvs_handoff_result *res)
{
	int rc = hvs_verdict_exit_code(f->verdict);
	int fail_prio = f->o.required ? HVS_LOG_ERR : HVS_LOG_WARNING;

	if (f->crash && f->verdict != HVS_V_OK)
		hvs_log(HVS_LOG_WARNING, "this crash kernel hands over no pool: the host keeps "
			"the crashed kernel's range; see hv-swiotlb(7)");
	if (f->verdict == HVS_V_NONE) {
		/* Nothing asked, nothing published: say nothing, but leave the status. */
		decide("none", rc, NULL, NO_LINE);
	} else if (f->verdict == HVS_V_DISABLED) {
		hvs_snprintf(line, sizeof(line), "handoff disabled by rd.hvswiotlb=0; not sending (%s)",
			     f->diag.reason);
		decide("disabled", HVS_EXIT_OK, "disabled by rd.hvswiotlb=0", HVS_LOG_INFO);
	} else if (rc != HVS_EXIT_OK) {
		hvs_snprintf(line, sizeof(line), "no pool to hand over (%s): %s", st.verdict,
			     f->diag.reason);
		decide(rc == HVS_EXIT_POOL_ABSENT ? "pool-absent" : "pool-invalid", rc, NULL,
		       fail_prio);
	} else {
		(void)hand_over(c, f, fail_prio, res);
	}
	return st.exit_code;
}

int hvs_run(const struct hvs_cli *c)
{
	static struct facts f;
	struct hvs_handoff_result res; /* st.reason may point into it */

	memset(&st, 0, sizeof(st));
	st.state = "starting";
	st.verdict = "unknown";
	st.reason = "";
	st.line = line;
	hvs_log_setup(c->mode == HVS_MODE_RUN ? c->p.kmsg : NULL, c->debug);
	hvs_options_defaults(&f.o);
	/* The deadline covers everything from here, reads of local files included. */
	g_run = c->mode == HVS_MODE_RUN ? c->p.run : NULL;
	if (hvs_guard_start(&st, g_run) < 0 ||
	    hvs_deadline_set(decide_timeout(c, &f.o)) < 0) {
		hvs_snprintf(line, sizeof(line), "cannot arm the deadline timer: %s",
			     hvs_errname(errno));
		decide("error", HVS_EXIT_SYSTEM, line, HVS_LOG_ERR);
		return report(HVS_EXIT_SYSTEM);
	}
	if (read_request(c, &f) < 0)
		return report(HVS_EXIT_SYSTEM);
	if (c->mode == HVS_MODE_PLAN)
		return print_plan(&f);
	read_pool(c, &f);
	if (c->mode == HVS_MODE_DRY_RUN)
		return print_dry_run(&f);
	return report(act(c, &f, &res));
}
