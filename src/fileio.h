/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small, bounded file helpers: no heap, EINTR handled, read until EOF. */
#ifndef HVS_FILEIO_H
#define HVS_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Read a whole file into buf (NUL-terminated). Reads until EOF and never
 * trusts st_size: sysfs says 4096 for every attribute. Returns the length,
 * or -1 with errno set (EFBIG when the content does not fit in cap - 1).
 */
ssize_t hvs_read_file(const char *path, char *buf, size_t cap);

/* write(2) until done or a real error; EINTR is retried. */
int hvs_write_all(int fd, const void *buf, size_t len);

/* printf to a file descriptor without stdio (it would double klibc's size). */
int hvs_fdprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* dir + "/" + name style joining; returns -1 (ENAMETOOLONG) on truncation. */
int hvs_path_join(char *out, size_t cap, const char *a, const char *b);

/* Replace path atomically: write path.tmp, fsync, rename. 0 or -1/errno. */
int hvs_write_file_atomic(const char *path, const char *data, size_t len);

/* mkdir -p for at most a handful of levels; 0 or -1/errno. */
int hvs_mkdir_p(const char *path, unsigned mode);

#endif
