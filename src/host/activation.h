/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Socket activation, as sd_listen_fds(3) documents it, without libsystemd
 * (see notify.h for why): when $LISTEN_PID is this process, $LISTEN_FDS
 * descriptors from 3 on are listening sockets passed by systemd, named by
 * $LISTEN_FDNAMES (colon-separated). The variables are unset once read, so
 * that --exec commands do not take the sockets for theirs.
 */
#ifndef HVS_ACTIVATION_H
#define HVS_ACTIVATION_H

#define HVS_LISTEN_FDS_START 3

/*
 * How many sockets systemd passed (0 when none, or not for us); names[i]
 * is the i-th one's name ("" when not given), for at most max of them.
 * -1 with a log line when the variables are malformed.
 */
int hvs_activation_fds(const char **names, int max);

#endif
