/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The run, in five steps under one deadline (guard.h):
 *
 *   1. the request and the options (kcmdline.c, options.c)
 *   2. what the kernel published (pool.c)
 *   3. why it published nothing, or something wrong (klog.c, verdict.c)
 *   4. the handoff and its acknowledgement (wire.c, handoff.c)
 *   5. the report: one kernel-log line (log.c), /run/hv-swiotlb/status (status.c)
 *
 * No heap; fixed buffers.
 */
#ifndef HVS_RUN_H
#define HVS_RUN_H

#include "cli.h"

/* Returns the exit status. */
int hvs_run(const struct hvs_cli *c);

#endif
