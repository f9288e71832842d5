/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * LD_PRELOAD shim for the tests: faults on demand, where no real one can
 * be had on this machine.
 *
 *   HVS_HANG_PATH=S       a read() of a file whose path contains S blocks,
 *                         as a read on a hung filesystem does (tests/suites/attack.sh)
 *   HVS_HANG_MODE=eintr   a signal ends that read with EINTR (most filesystems)
 *   HVS_HANG_MODE=forever the read goes on after every signal, as one that
 *                         the kernel restarts would
 *   HVS_FAIL_OPENAT=S:E   openat() of a name containing S fails with errno E
 *                         (a number), as on a full or read-only directory
 *   HVS_FAIL_SYNCFS=N:E   syncfs() fails with errno E from its N-th call on
 *                         (N 2: the files' data syncs, their names do not)
 *   HVS_FAIL_CLOSE=S:E    close() of a file whose path contains S closes it,
 *                         then says it failed with errno E (NFS, quotas)
 *   HVS_FAIL_OPEN=S:E     open() of a path containing S fails with errno E
 *   HVS_FAIL_PPOLL=N:E    the N-th ppoll() or epoll_pwait() fails with errno E
 *   HVS_SIGNAL_RENAME=N   rename() first raises signal N: a stop that comes
 *                         once the outcome is decided, as the status is
 *                         committed (tests/suites/attack.sh)
 *   HVS_SLOW_RENAME=MS    the first rename() takes MS ms, signals or not:
 *                         a status commit that outlasts the grace after
 *                         the deadline (tests/suites/attack.sh)
 *   HVS_KILL_WRITE=S      a write() to a file whose path contains S is a
 *                         SIGKILL instead: a process cut short in a write a
 *                         console holds up (tests/suites/attack.sh)
 *   HVS_CLOCK_BACK=FILE   time() is the real one less the seconds FILE
 *                         holds when it is called (a clock stepped back)
 *   HVS_SLOW_READ=S:MS    the first read() of a file whose path contains S
 *                         takes MS ms more, signals or not (a long start-up)
 *   HVS_SLOW_WRITE=S:MS   the first write() to a file whose path contains S
 *                         is made, then takes MS ms more, signals or not:
 *                         /dev/kmsg, which stores the record and then flushes
 *                         a slow console in the writer's time
 *                         (tests/suites/attack.sh)
 *   HVS_STAMP_FILE=F      at its end the process writes to F how long it
 *                         lived by its own clock (CLOCK_MONOTONIC, µs), from
 *                         this shim's start, before main(), to exit() or
 *                         _exit(): its time without the exec and the
 *                         teardown that a wall clock outside also counts
 *                         (tests/suites/attack.sh)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
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

static const char *fd_path(int fd, char *buf, size_t cap);
static int matches(const char *var, const char *name, int *err);
static void take_ms(long ms);

ssize_t read(int fd, void *buf, size_t n)
{
	static int slowed;
	char path[4096];
	int ms;

	if (should_hang(fd))
		return hang();
	if (!slowed && getenv("HVS_SLOW_READ") &&
	    matches("HVS_SLOW_READ", fd_path(fd, path, sizeof(path)), &ms)) {
		slowed = 1;
		take_ms(ms);
	}
	return syscall(SYS_read, fd, buf, n);
}

/* "S:E" from the environment: 1 and *err when name contains S. */
static int matches(const char *var, const char *name, int *err)
{
	const char *spec = getenv(var), *colon;

	if (!spec || !(colon = strrchr(spec, ':')))
		return 0;
	if (name && !memmem(name, strlen(name), spec, (size_t)(colon - spec)))
		return 0;
	*err = atoi(colon + 1);
	return 1;
}

/* The mode argument of open() and openat(), there only with O_CREAT. */
#define TAKE_MODE(flags, mode)                              \
	do {                                                \
		if ((flags) & O_CREAT) {                    \
			va_list ap_;                        \
			va_start(ap_, flags);               \
			mode = (mode_t)va_arg(ap_, int);    \
			va_end(ap_);                        \
		}                                           \
	} while (0)

/* What both wrappers do: fail as VAR says for this path, or open it. */
static int open_or_fail(const char *var, int dirfd, const char *path, int flags, mode_t mode)
{
	int err;

	if (matches(var, path, &err)) {
		errno = err;
		return -1;
	}
	return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	TAKE_MODE(flags, mode);
	return open_or_fail("HVS_FAIL_OPENAT", dirfd, path, flags, mode);
}

int syncfs(int fd)
{
	static unsigned calls;
	const char *spec = getenv("HVS_FAIL_SYNCFS");

	if (spec && strchr(spec, ':') && ++calls >= (unsigned)atoi(spec)) {
		errno = atoi(strchr(spec, ':') + 1);
		return -1;
	}
	return (int)syscall(SYS_syncfs, fd);
}

/* The path fd is open on, into buf; "" when unknown. */
static const char *fd_path(int fd, char *buf, size_t cap)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, cap - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

int close(int fd)
{
	char path[4096];
	int err, r;

	if (getenv("HVS_FAIL_CLOSE") && matches("HVS_FAIL_CLOSE", fd_path(fd, path, sizeof(path)),
						&err)) {
		(void)syscall(SYS_close, fd);
		errno = err;
		return -1;
	}
	r = (int)syscall(SYS_close, fd);
	return r;
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	TAKE_MODE(flags, mode);
	return open_or_fail("HVS_FAIL_OPEN", AT_FDCWD, path, flags, mode);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *ts, const sigset_t *mask)
{
	static unsigned calls;
	static int (*real)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
	const char *spec = getenv("HVS_FAIL_PPOLL");

	if (spec && strchr(spec, ':') && ++calls == (unsigned)atoi(spec)) {
		errno = atoi(strchr(spec, ':') + 1);
		return -1;
	}
	if (!real)
		real = (int (*)(struct pollfd *, nfds_t, const struct timespec *,
				const sigset_t *))dlsym(RTLD_NEXT, "ppoll");
	return real(fds, n, ts, mask);
}

int epoll_pwait(int epfd, struct epoll_event *ev, int max, int ms, const sigset_t *mask)
{
	static unsigned calls;
	static int (*real)(int, struct epoll_event *, int, int, const sigset_t *);
	const char *spec = getenv("HVS_FAIL_PPOLL");

	if (spec && strchr(spec, ':') && ++calls == (unsigned)atoi(spec)) {
		errno = atoi(strchr(spec, ':') + 1);
		return -1;
	}
	if (!real)
		real = (int (*)(int, struct epoll_event *, int, int, const sigset_t *))dlsym(
			RTLD_NEXT, "epoll_pwait");
	return real(epfd, ev, max, ms, mask);
}

/* ms of wall time, whatever signals come meanwhile (their handlers run). */
static void take_ms(long ms)
{
	struct timespec left = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&left, &left) < 0 && errno == EINTR)
		;
}

int rename(const char *from, const char *to)
{
	static int renames;
	const char *sig = getenv("HVS_SIGNAL_RENAME"), *slow = getenv("HVS_SLOW_RENAME");

	if (sig && *sig)
		raise(atoi(sig));
	if (slow && *slow && renames++ == 0)
		take_ms(atol(slow));
	return (int)syscall(SYS_rename, from, to);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	static int slowed;
	const char *kill_on = getenv("HVS_KILL_WRITE");
	char path[4096];
	int ms;
	long r;

	fd_path(fd, path, sizeof(path));
	if (kill_on && *kill_on && strstr(path, kill_on))
		raise(SIGKILL);
	r = syscall(SYS_write, fd, buf, n);
	if (!slowed && matches("HVS_SLOW_WRITE", path, &ms)) {
		slowed = 1;
		take_ms(ms);
	}
	return (ssize_t)r;
}

/* HVS_STAMP_FILE: the process's own account of its time. The path is
 * taken at start, so that the end, which may be in a signal handler
 * (the guard's _exit), needs only async-signal-safe calls. */
static struct timespec stamp_start;
static char stamp_path[4096];
static volatile sig_atomic_t stamp_done;

__attribute__((constructor)) static void stamp_begin(void)
{
	const char *f = getenv("HVS_STAMP_FILE");

	clock_gettime(CLOCK_MONOTONIC, &stamp_start);
	if (f && *f && strlen(f) < sizeof(stamp_path))
		strcpy(stamp_path, f);
}

static void stamp_end(void)
{
	struct timespec now;
	char text[32];
	unsigned long long us;
	int fd, i = (int)sizeof(text);

	if (!stamp_path[0] || stamp_done)
		return;
	stamp_done = 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	us = (unsigned long long)(now.tv_sec - stamp_start.tv_sec) * 1000000ULL +
	     (unsigned long long)((now.tv_nsec - stamp_start.tv_nsec) / 1000);
	text[--i] = '\n';
	do {
		text[--i] = (char)('0' + us % 10);
		us /= 10;
	} while (us);
	fd = (int)syscall(SYS_openat, AT_FDCWD, stamp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			  0600);
	if (fd >= 0) {
		syscall(SYS_write, fd, text + i, sizeof(text) - (size_t)i);
		syscall(SYS_close, fd);
	}
}

__attribute__((destructor)) static void stamp_at_exit(void)
{
	stamp_end();
}

void _exit(int status)
{
	stamp_end();
	syscall(SYS_exit_group, status);
	__builtin_unreachable();
}

time_t time(time_t *t)
{
	const char *f = getenv("HVS_CLOCK_BACK");
	struct timespec now;
	long back = 0;
	char buf[32];
	int fd;
	ssize_t n;

	clock_gettime(CLOCK_REALTIME, &now);
	if (f && *f && (fd = open(f, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		back = atol(buf);
		syscall(SYS_close, fd);
	}
	if (t)
		*t = now.tv_sec - back;
	return now.tv_sec - back;
}
