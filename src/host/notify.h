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

#define HVS_NOTIFY_PENDING 4   /* READY=1, RELOADING=1, STOPPING=1 not yet taken */
#define HVS_NOTIFY_MSG_MAX 320
#define HVS_NOTIFY_RETRY_MS 50

struct hvs_notify {
	int fd;
	struct sockaddr_un addr;
	socklen_t addr_len;
	long long watchdog_ms; /* how often to say WATCHDOG=1: a quarter of the manager's interval */
	long long watchdog_next;
	/* State changes the manager's full queue refused (EAGAIN), oldest
	 * first: sent again, in order, until taken or the manager is gone. */
	char pending[HVS_NOTIFY_PENDING][HVS_NOTIFY_MSG_MAX];
	unsigned npending;
	unsigned long long lost; /* pending ones dropped: more came than fit */
};

/*
 * Read (and unset, so that --exec commands do not inherit them)
 * NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. 0, or -1 with a log line
 * when NOTIFY_SOCKET is set but unusable.
 */
int hvs_notify_init(struct hvs_notify *n);

/*
 * Send one message (lines without the final newline) that may be lost:
 * STATUS=, WATCHDOG=1 (a later one says the same).
 */
void hvs_notify_send(struct hvs_notify *n, const char *msg);

/*
 * A state change (READY=1, RELOADING=1, STOPPING=1): a manager whose queue
 * is full gets it later, in order, from hvs_notify_watchdog(); lost only
 * when the manager is gone (any error but EAGAIN) or more than
 * HVS_NOTIFY_PENDING wait.
 */
void hvs_notify_state(struct hvs_notify *n, const char *msg);

/*
 * What is pending, sent again; WATCHDOG=1 if it is due (after them, so
 * that READY=1 comes first). The time either is next due (or far away).
 */
long long hvs_notify_watchdog(struct hvs_notify *n, long long now);

/* Pending state changes once more, for up to ms (stopping): how many are left. */
unsigned hvs_notify_drain(struct hvs_notify *n, int ms);

void hvs_notify_close(struct hvs_notify *n);

#endif
