/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fileio.h"

#include "compat.h"
#include "text.h"

#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

ssize_t hvs_read_regular(int fd, char *buf, size_t cap)
{
	struct stat st;
	ssize_t n;
	char probe;

	if (cap < 2) {
		errno = EINVAL;
		return -1;
	}
	if (fstat(fd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = HVS_ENOTREG;
		return -1;
	}
	n = read(fd, buf, cap - 1);
	if (n < 0)
		return -1;
	if ((size_t)n == cap - 1) {
		/* Full: one more byte would mean the file is too big. */
		ssize_t more = read(fd, &probe, 1);

		if (more < 0)
			return -1;
		if (more > 0) {
			errno = EFBIG;
			return -1;
		}
	}
	buf[n] = '\0';
	return n;
}

ssize_t hvs_read_file(const char *path, char *buf, size_t cap)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	ssize_t n;
	int saved;

	if (fd < 0)
		return -1;
	n = hvs_read_regular(fd, buf, cap);
	saved = errno;
	close(fd);
	errno = saved;
	return n;
}

int hvs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int hvs_fdprintf(int fd, const char *fmt, ...)
{
	char buf[2048];
	struct hvs_text t;
	va_list ap;

	hvs_text_init(&t, buf, sizeof(buf));
	va_start(ap, fmt);
	hvs_text_vfmt(&t, fmt, ap);
	va_end(ap);
	return hvs_write_all(fd, buf, t.len);
}

int hvs_path_join(char *out, size_t cap, const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na + nb >= cap) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(out, a, na);
	memcpy(out + na, b, nb + 1);
	return 0;
}

int hvs_path_exists(const char *root, const char *rel)
{
	char path[512];
	struct stat st;

	if (hvs_path_join(path, sizeof(path), root, rel) < 0)
		return 0;
	return stat(path, &st) == 0;
}

int hvs_std_fds_open(void)
{
	struct pollfd std[3] = { { 0, 0, 0 }, { 1, 0, 0 }, { 2, 0, 0 } };
	int i;

	/* One system call tells which are closed: poll() marks them POLLNVAL. */
	if (poll(std, 3, 0) < 0)
		return -1;
	for (i = 0; i < 3; i++) {
		int fd;

		if (!(std[i].revents & POLLNVAL))
			continue;
		/* Not O_CLOEXEC: a gap filled among 0, 1 and 2 stays filled. */
		fd = open("/dev/null", O_RDWR | O_NOCTTY);
		if (fd < 0)
			return -1;
		if (fd > 2)
			close(fd); /* cannot happen: the lowest free number is i */
	}
	return 0;
}
