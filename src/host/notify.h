/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * systemd's service protocol, written out as sd_notify(3) and
 * sd_watchdog_enabled(3) document it, without libsystemd: one datagram of
 * KEY=VALUE lines to the AF_UNIX socket named by $NOTIFY_SOCKET (a path,
 * or an abstract name when it begins with '@'), and $WATCHDOG_USEC (with
 * $WATCHDOG_PID, if set, naming us) for WatchdogSec=. The protocol is
 * small and stable, and the receiver then needs no library a host may not
 * have; every send is MSG_DONTWAIT, so a manager that does not read never
 * holds the loop up. Without $NOTIFY_SOCKET every call does nothing.
 */
#ifndef HVS_NOTIFY_H
#define HVS_NOTIFY_H

#include <sys/socket.h>
#include <sys/un.h>

struct hvs_notify {
	int fd;
	struct sockaddr_un addr;
	socklen_t addr_len;
	long long watchdog_ms; /* how often to say WATCHDOG=1: half the manager's interval */
	long long watchdog_next;
};

/*
 * Read (and unset, so that --exec commands do not inherit them)
 * NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. 0, or -1 with a log line
 * when NOTIFY_SOCKET is set but unusable.
 */
int hvs_notify_init(struct hvs_notify *n);

/* Send one message (lines without the final newline). */
void hvs_notify_send(struct hvs_notify *n, const char *msg);

/* WATCHDOG=1 if it is due; the time it is next due (or far away). */
long long hvs_notify_watchdog(struct hvs_notify *n, long long now);

void hvs_notify_close(struct hvs_notify *n);

#endif
