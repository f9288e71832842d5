/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "notify.h"

#include "errname.h"
#include "say.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A decimal environment value, 0 when unset or not a number. */
static unsigned long long env_number(const char *name)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return 0;
	errno = 0;
	n = strtoull(v, &end, 10);
	return errno || *end ? 0 : n;
}

int hvs_notify_init(struct hvs_notify *n)
{
	const char *path = getenv("NOTIFY_SOCKET");
	unsigned long long usec = env_number("WATCHDOG_USEC"), wpid = env_number("WATCHDOG_PID");
	size_t len = path ? strlen(path) : 0;

	memset(n, 0, sizeof(*n));
	n->fd = -1;
	/* A quarter of the interval, not sd_watchdog_enabled(3)'s half: a loop turn
	 * that runs long (a slow disk's sync) then still leaves the manager time. */
	if (usec && (!wpid || wpid == (unsigned long long)getpid()))
		n->watchdog_ms = (long long)(usec / 4000 ? usec / 4000 : 1);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (!path) {
		n->watchdog_ms = 0; /* nobody to tell */
		return 0;
	}
	unsetenv("NOTIFY_SOCKET");
	if (len < 2 || len >= sizeof(n->addr.sun_path) || (path[0] != '/' && path[0] != '@')) {
		say_err("NOTIFY_SOCKET=%s is not a socket path or an abstract name: systemd will not "
		    "hear that we are ready; check the unit's NotifyAccess=", path ? path : "");
		return -1;
	}
	n->addr.sun_family = AF_UNIX;
	memcpy(n->addr.sun_path, path, len);
	if (path[0] == '@')
		n->addr.sun_path[0] = '\0'; /* abstract: the name is the bytes after it */
	n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
				  (path[0] == '@' ? 0 : 1));
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n->fd < 0) {
		say_err("cannot make a socket to tell systemd we are ready: %s", hvs_errname(errno));
		return -1;
	}
	return 0;
}

/* One datagram: 0, or the errno of its failure. */
static int send_one(struct hvs_notify *n, const char *msg)
{
	if (sendto(n->fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
		   (const struct sockaddr *)&n->addr, n->addr_len) < 0)
		return errno;
	return 0;
}

void hvs_notify_send(struct hvs_notify *n, const char *msg)
{
	int err;

	if (n->fd < 0)
		return;
	err = send_one(n, msg);
	if (err)
		say_warn("telling systemd \"%.40s\" failed: %s", msg, hvs_errname(err));
}

/* The pending ones, oldest first, until one is refused again: 1 if all went. */
static int send_pending(struct hvs_notify *n)
{
	unsigned i, sent = 0;
	int err = 0;

	for (i = 0; i < n->npending; i++) {
		err = send_one(n, n->pending[i]);
		if (err == EAGAIN || err == ENOBUFS)
			break;
		if (err) /* the manager is gone or refuses us: nobody to tell */
			say_warn("telling systemd \"%.40s\" failed: %s; not sent again", n->pending[i],
			    hvs_errname(err));
		sent++;
	}
	memmove(n->pending[0], n->pending[sent], (n->npending - sent) * sizeof(n->pending[0]));
	n->npending -= sent;
	return n->npending == 0;
}

void hvs_notify_state(struct hvs_notify *n, const char *msg)
{
	if (n->fd < 0)
		return;
	if (n->npending == HVS_NOTIFY_PENDING) {
		/* The oldest goes: the latest state is what the manager must hear. */
		memmove(n->pending[0], n->pending[1], (HVS_NOTIFY_PENDING - 1) * sizeof(n->pending[0]));
		n->npending--;
		n->lost++;
	}
	snprintf(n->pending[n->npending], sizeof(n->pending[0]), "%s", msg);
	n->npending++;
	if (!send_pending(n))
		say_warn("systemd's notification queue is full: \"%.40s\" is sent again every %d ms "
		    "until it is taken",
		    msg, HVS_NOTIFY_RETRY_MS);
}

long long hvs_notify_watchdog(struct hvs_notify *n, long long now)
{
	long long next = now + 3600000;

	if (n->npending && !send_pending(n))
		next = now + HVS_NOTIFY_RETRY_MS;
	if (!n->watchdog_ms)
		return next;
	if (now >= n->watchdog_next) {
		hvs_notify_send(n, "WATCHDOG=1");
		n->watchdog_next = now + n->watchdog_ms;
	}
	return n->watchdog_next < next ? n->watchdog_next : next;
}

unsigned hvs_notify_drain(struct hvs_notify *n, int ms)
{
	int waited;

	for (waited = 0; n->npending && !send_pending(n) && waited < ms;
	     waited += HVS_NOTIFY_RETRY_MS)
		(void)poll(NULL, 0, HVS_NOTIFY_RETRY_MS);
	return n->npending;
}

void hvs_notify_close(struct hvs_notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}
