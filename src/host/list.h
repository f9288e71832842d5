/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv-swiotlb-recv --list: what the state directory holds, for an operator
 * (a table) or a script (JSON lines), read-only and by the receiver's own
 * rules (statedir.h): a damaged file is named, never shown, never moved.
 * Each guest has a line for the range last applied, and one for its latest
 * announcement not applied (unapplied.h) when that came after it. It
 * reads only whole files that the receiver renamed into place, so it may
 * run while the receiver does.
 */
#ifndef HVS_LIST_H
#define HVS_LIST_H

#define HVS_LIST_DAMAGED 2 /* exit status: a damaged file was found */
#define HVS_LIST_NONE 3    /* exit status: nothing recorded for PEER */

/* The exit status: 0, 1 (the directory cannot be used), or the two above. */
int hvs_list_run(const char *dir, int json, const char *peer);

#endif
