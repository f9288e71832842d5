/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "errname.h"

#include <errno.h>
#include <stdio.h>

#define E(x) { x, #x }

static const struct {
	int err;
	const char *name;
} names[] = {
	/* The ones files, sysfs and sockets can give this tool. */
	E(EPERM), E(ENOENT), E(EINTR), E(EIO), E(ENXIO), E(EBADF), E(EAGAIN),
	E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST), E(ENODEV),
	E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(EFBIG),
	E(ENOSPC), E(EROFS), E(EPIPE), E(ENAMETOOLONG), E(ENOSYS), E(ELOOP),
	E(EPROTO), E(ENOTSOCK), E(EPROTOTYPE), E(EPROTONOSUPPORT),
	E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EAFNOSUPPORT), E(EADDRINUSE),
	E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH), E(ECONNABORTED),
	E(ECONNRESET), E(ENOBUFS), E(EISCONN), E(ENOTCONN), E(ETIMEDOUT),
	E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY),
	E(EINPROGRESS),
};

const char *hvs_errname(int err)
{
	static char other[24];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(other, sizeof(other), "errno %d", err);
	return other;
}
