/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "guard.h"

#include "deadline.h"
#include "exitcode.h"
#include "log.h"
#include "text.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static struct hvs_status *g_st;
static const char *g_run_dir;
/* In .bss, not .data: an initialised buffer would cost its size in the file. */
static char g_step[256];

void hvs_step(const char *verb, const char *object)
{
	struct hvs_text t;

	hvs_text_init(&t, g_step, sizeof(g_step));
	hvs_text_str(&t, verb);
	if (object) {
		hvs_text_char(&t, ' ');
		hvs_text_str(&t, object);
	}
}

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGTERM: return "SIGTERM";
	case SIGINT: return "SIGINT";
	case SIGHUP: return "SIGHUP";
	}
	return "a signal";
}

/*
 * Writing the report may block too, each half for its own reason: the
 * status commit on a slow /run (a rename waiting on a disk's journal),
 * the log line on a stalled console behind /dev/kmsg or stderr. Each half
 * has its own bound, the status first: HVS_STATUS_MS for the status file,
 * then HVS_LINE_MS for the line. A bound that passes gives up its half
 * and goes on to the next, so a slow /run costs neither the line nor the
 * promise: with the grace, a run ends at most 38 ms after its deadline,
 * which leaves the process's exec and exit 12 ms of the 50 ms that
 * hv-swiotlb(8) promises. The grace (deadline.h) is the run's own time to
 * decide and write its report, the status bound the guard's when it could
 * not: the common end, a host that never answered, is decided in the
 * grace, so the split is even rather than in the guard's favour.
 */
#define HVS_STATUS_MS 15u
#define HVS_LINE_MS 8u
_Static_assert(HVS_GRACE_MS + HVS_STATUS_MS + HVS_LINE_MS <= 38,
	       "hv-swiotlb(8) says 38 ms, and promises 50 with exec and exit");

static volatile sig_atomic_t g_report_exit = -1;
static volatile sig_atomic_t g_writing_status;

static void bound_report(unsigned ms)
{
	sigset_t alrm;

	hvs_deadline_arm_ms(ms);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &alrm, NULL);
}

/* The report's second half: from finish(), or from the alarm that cut the first. */
static void report_line(void) __attribute__((noreturn));
static void report_line(void)
{
	struct hvs_status *st = g_st;

	g_writing_status = 0;
	bound_report(HVS_LINE_MS);
	/* The outcome's line, unless the run wrote it before it was stopped. */
	if (st->line_prio && !st->logged)
		hvs_log_text(st->line_prio, st->line);
	_exit(g_report_exit);
}

/* Report and exit; sig 0 is the deadline. Async-signal-safe. */
static void finish(int sig) __attribute__((noreturn));
static void finish(int sig)
{
	static char reason[512];
	struct hvs_status *st = g_st;
	struct hvs_text t;
	int code;
	unsigned elapsed = hvs_deadline_elapsed_ms();

	if (st->final) {
		/*
		 * Decided already; only the reporting was slow, or a stop came
		 * too late to matter: the outcome stands, whatever the host has.
		 */
		code = st->exit_code;
	} else {
		hvs_text_init(&t, reason, sizeof(reason));
		if (sig == 0) {
			hvs_text_str(&t, "the deadline of ");
			hvs_text_u64(&t, hvs_deadline_total_ms());
			hvs_text_str(&t, " ms passed while ");
			code = HVS_EXIT_UNREACHABLE;
			st->state = "stalled";
		} else {
			hvs_text_str(&t, "stopped by ");
			hvs_text_str(&t, signal_name(sig));
			hvs_text_str(&t, " while ");
			code = 128 + sig;
			st->state = "interrupted";
		}
		hvs_text_str(&t, g_step[0] ? g_step : "starting");
		st->exit_code = code;
		st->reason = reason;
		st->ack = NULL;
		st->elapsed_ms = elapsed;
		st->line = reason;
		st->line_prio = st->required ? HVS_LOG_ERR : HVS_LOG_WARNING;
	}
	g_report_exit = code;
	g_writing_status = 1;
	bound_report(HVS_STATUS_MS);
	if (g_run_dir)
		(void)hvs_status_write(g_run_dir, st);
	report_line();
}

static void on_signal(int sig)
{
	if (g_report_exit >= 0) {
		/* The report itself hung; only SIGALRM is unblocked in it. */
		if (g_writing_status)
			report_line();
		_exit(g_report_exit);
	}
	if (sig == SIGALRM && hvs_deadline_on_alarm())
		return; /* the deadline: interrupted calls see EINTR; grace begins */
	finish(sig == SIGALRM ? 0 : sig);
}

static const int handled[] = { SIGALRM, SIGTERM, SIGINT, SIGHUP };

int hvs_guard_start(struct hvs_status *st, const char *run_dir)
{
	struct sigaction sa;
	size_t i;

	g_st = st;
	g_run_dir = run_dir;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* One handler at a time: a report is never interrupted by another. */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		sigaddset(&sa.sa_mask, handled[i]);
	sa.sa_flags = 0; /* no SA_RESTART: blocking calls must return EINTR */
	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		if (sigaction(handled[i], &sa, NULL) < 0)
			return -1;
	/* A closed stderr or a host that hung up costs an error, not the report. */
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

void hvs_guard_stall(void)
{
	sigset_t all;

	sigemptyset(&all);
	sigaddset(&all, SIGALRM);
	sigaddset(&all, SIGTERM);
	sigaddset(&all, SIGINT);
	sigaddset(&all, SIGHUP);
	sigprocmask(SIG_BLOCK, &all, NULL);
	finish(0);
}
