/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One line per event, "hv-swiotlb: ..." in the kernel log with a syslog
 * priority, or on stderr when there is no kernel log to write to. Every
 * line is escaped whole (text.h) before it is written: nothing a message
 * quotes can break it in two or forge another.
 */
#ifndef HVS_LOG_H
#define HVS_LOG_H

#define HVS_LOG_ERR 3
#define HVS_LOG_WARNING 4
#define HVS_LOG_NOTICE 5
#define HVS_LOG_INFO 6
#define HVS_LOG_DEBUG 7

/* kmsg_path NULL: stderr only (as --dry-run does, since it writes nothing). */
void hvs_log_setup(const char *kmsg_path, int debug);
void hvs_log_set_debug(int debug);
int hvs_log_debug_enabled(void);

void hvs_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Only with debug on; each line carries the time since the run started. */
void hvs_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A ready message, without formatting: safe in a signal handler. */
void hvs_log_text(int prio, const char *msg);

#endif
