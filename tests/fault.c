/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LD_PRELOAD shim for tests/attack.sh: a read() of a file whose path
 * contains HVS_HANG_PATH blocks, as a read on a hung filesystem does.
 *
 *   HVS_HANG_MODE=eintr    a signal ends the read with EINTR (most filesystems)
 *   HVS_HANG_MODE=forever  the read goes on after every signal, as one that
 *                          the kernel restarts would: only the last-resort
 *                          stop can end the process
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int should_hang(int fd)
{
	const char *want = getenv("HVS_HANG_PATH");
	char link[64], target[4096];
	ssize_t n;

	if (!want || !*want)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return 0;
	target[n] = '\0';
	return strstr(target, want) != NULL;
}

static ssize_t hang(void)
{
	const char *mode = getenv("HVS_HANG_MODE");
	int forever = mode && strcmp(mode, "forever") == 0;
	int p[2];
	char c;

	/* A pipe nobody writes to: its read blocks until a signal. */
	if (pipe(p) < 0)
		abort();
	for (;;) {
		long r = syscall(SYS_read, p[0], &c, 1);

		if (r < 0 && errno == EINTR && !forever) {
			close(p[0]);
			close(p[1]);
			errno = EINTR;
			return -1;
		}
	}
}

ssize_t read(int fd, void *buf, size_t n)
{
	if (should_hang(fd))
		return hang();
	return syscall(SYS_read, fd, buf, n);
}
