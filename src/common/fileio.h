/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small, bounded file helpers: no heap, nothing that can block on a file
 * that is not what it should be.
 *
 * EINTR is returned to the caller, never retried here: in the guest only
 * the deadline and a request to stop interrupt a call, and both mean "give
 * up now"; the receiver takes signals only inside ppoll(), so it never
 * sees EINTR from these.
 */
#ifndef HVS_FILEIO_H
#define HVS_FILEIO_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

/* errno for "exists, but is not a regular file" (a FIFO, a device, ...). */
#define HVS_ENOTREG EMEDIUMTYPE

/*
 * Read a regular file open at fd into buf (NUL-terminated, NUL bytes kept
 * as they are: the length says where the data ends). Anything else is
 * refused with HVS_ENOTREG before a byte is read. Reads until EOF and never
 * trusts st_size (sysfs says 4096 for every attribute); a short read of a
 * regular file is its end. Returns the length, or -1 with errno set (EFBIG
 * when the content does not fit in cap - 1 bytes).
 */
ssize_t hvs_read_regular(int fd, char *buf, size_t cap);

/* Open path without blocking and hvs_read_regular() it. */
ssize_t hvs_read_file(const char *path, char *buf, size_t cap);

/* write(2) until done or an error (EINTR included). 0 or -1/errno. */
int hvs_write_all(int fd, const void *buf, size_t len);

/* printf to a file descriptor, for --help and usage lines. */
int hvs_fdprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* a + b into out; -1 (ENAMETOOLONG) when it does not fit. */
int hvs_path_join(char *out, size_t cap, const char *a, const char *b);

/* root + rel exists (stat(2) succeeds; a too-long path does not). */
int hvs_path_exists(const char *root, const char *rel);

/*
 * Make 0, 1 and 2 open descriptors, on /dev/null where one is closed, before
 * anything else is opened: otherwise the next open() would take the number,
 * and what is written to stderr would go into the kernel log, the status
 * file or the host's socket. 0, or -1 with errno (no /dev/null, which every
 * initramfs has: devtmpfs is mounted before any hook runs).
 */
int hvs_std_fds_open(void);

#endif
