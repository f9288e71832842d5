/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "errname.h"

#include "fileio.h"
#include "text.h"

#include <errno.h>
#include <string.h>

/*
 * The errors files, sysfs and sockets can give these programs, as a code
 * table and one string of names in the same order: a table of pointers
 * would cost the initramfs binary twice the space.
 */
static const unsigned short codes[] = {
	EPERM, ENOENT, EINTR, EIO, ENXIO, EBADF, EAGAIN, ENOMEM, EACCES, EFAULT,
	EBUSY, EEXIST, ENODEV, ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE, EFBIG,
	ENOSPC, ESPIPE, EROFS, EPIPE, ENAMETOOLONG, ENOSYS, ENOTEMPTY, ELOOP,
	EPROTO, EOVERFLOW, ENOTSOCK, EPROTOTYPE, EPROTONOSUPPORT, ESOCKTNOSUPPORT,
	EOPNOTSUPP, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL, ENETDOWN,
	ENETUNREACH, ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN, ENOTCONN,
	ETIMEDOUT, ECONNREFUSED, EHOSTDOWN, EHOSTUNREACH, EALREADY, EINPROGRESS,
	EDQUOT, HVS_ENOTREG,
};

static const char names[] =
	"EPERM\0ENOENT\0EINTR\0EIO\0ENXIO\0EBADF\0EAGAIN\0ENOMEM\0EACCES\0EFAULT\0"
	"EBUSY\0EEXIST\0ENODEV\0ENOTDIR\0EISDIR\0EINVAL\0ENFILE\0EMFILE\0EFBIG\0"
	"ENOSPC\0ESPIPE\0EROFS\0EPIPE\0ENAMETOOLONG\0ENOSYS\0ENOTEMPTY\0ELOOP\0"
	"EPROTO\0EOVERFLOW\0ENOTSOCK\0EPROTOTYPE\0EPROTONOSUPPORT\0ESOCKTNOSUPPORT\0"
	"EOPNOTSUPP\0EAFNOSUPPORT\0EADDRINUSE\0EADDRNOTAVAIL\0ENETDOWN\0"
	"ENETUNREACH\0ECONNABORTED\0ECONNRESET\0ENOBUFS\0EISCONN\0ENOTCONN\0"
	"ETIMEDOUT\0ECONNREFUSED\0EHOSTDOWN\0EHOSTUNREACH\0EALREADY\0EINPROGRESS\0"
	"EDQUOT\0not a regular file\0";

const char *hvs_errname(int err)
{
	static char other[24];
	const char *name = names;
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (codes[i] == err)
			return name;
		name += strlen(name) + 1;
	}
	hvs_snprintf(other, sizeof(other), "errno %d", err);
	return other;
}
