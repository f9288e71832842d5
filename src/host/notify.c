/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "notify.h"

#include "errname.h"
#include "say.h"

#include <errno.h>
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
	if (usec && (!wpid || wpid == (unsigned long long)getpid()))
		n->watchdog_ms = (long long)(usec / 2000 ? usec / 2000 : 1);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (!path) {
		n->watchdog_ms = 0; /* nobody to tell */
		return 0;
	}
	unsetenv("NOTIFY_SOCKET");
	if (len < 2 || len >= sizeof(n->addr.sun_path) || (path[0] != '/' && path[0] != '@')) {
		say("NOTIFY_SOCKET=%s is not a socket path or an abstract name: systemd will not "
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
		say("cannot make a socket to tell systemd we are ready: %s", hvs_errname(errno));
		return -1;
	}
	return 0;
}

void hvs_notify_send(struct hvs_notify *n, const char *msg)
{
	if (n->fd < 0)
		return;
	if (sendto(n->fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
		   (const struct sockaddr *)&n->addr, n->addr_len) < 0)
		say("telling systemd \"%.40s\" failed: %s", msg, hvs_errname(errno));
}

long long hvs_notify_watchdog(struct hvs_notify *n, long long now)
{
	if (!n->watchdog_ms)
		return now + 3600000;
	if (now >= n->watchdog_next) {
		hvs_notify_send(n, "WATCHDOG=1");
		n->watchdog_next = now + n->watchdog_ms;
	}
	return n->watchdog_next;
}

void hvs_notify_close(struct hvs_notify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}
