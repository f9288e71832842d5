/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "exec.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KILL_ROUNDS 2000 /* 1 ms apart: a tree that will not die costs at most 2 s */

/* The command itself, in the keeper's child. */
static void command(const char *cmd, const char *peer, const struct hvs_record *rec)
{
	char id[37], base[24], size[24], swiotlb[48];
	sigset_t none;
	int null;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL); /* ignored dispositions survive exec */
	/* stdout carries our JSON: the command's output goes to stderr. */
	dup2(2, 1);
	null = open("/dev/null", O_RDONLY);
	if (null >= 0) {
		dup2(null, 0);
		if (null > 2)
			close(null);
	}
	hvs_uuid_format(rec->boot_id, id);
	snprintf(base, sizeof(base), "0x%llx", (unsigned long long)rec->base);
	snprintf(size, sizeof(size), "%llu", (unsigned long long)rec->size);
	snprintf(swiotlb, sizeof(swiotlb), "%s,%s", base, size);
	setenv("HVS_PEER", peer, 1);
	setenv("HVS_BOOT_ID", id, 1);
	setenv("HVS_BASE", base, 1);
	setenv("HVS_SIZE", size, 1);
	setenv("HVS_SWIOTLB", swiotlb, 1);
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	_exit(127);
}

/* SIGKILL every child of the keeper (its ppid read from /proc): how many. */
static int kill_children(pid_t self)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)) != NULL) {
		char path[64], buf[512], *rp;
		long pid = strtol(de->d_name, &rp, 10), ppid;
		ssize_t len;
		int fd;

		if (*rp || pid <= 0 || pid == self)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		/* "pid (comm) state ppid ...": comm may hold anything, so after the last ')'. */
		rp = strrchr(buf, ')');
		if (rp && sscanf(rp + 1, " %*c %ld", &ppid) == 1 && ppid == self) {
			kill((pid_t)pid, SIGKILL);
			n++;
		}
	}
	if (d)
		closedir(d);
	return n;
}

/*
 * Kill the keeper's whole tree: its children are killed, theirs come back
 * to it (the subreaper) and are killed in the next round, until none is left.
 */
static void kill_tree(void)
{
	pid_t self = getpid();
	int round;

	for (round = 0; round < KILL_ROUNDS; round++) {
		int killed = kill_children(self);

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!killed && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			return;
		poll(NULL, 0, 1);
	}
}

/* End as the command ended, so that the receiver reads its status from ours. */
__attribute__((noreturn)) static void end_as(int status)
{
	struct rlimit none = { 0, 0 };
	int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;

	if (!sig)
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
	setrlimit(RLIMIT_CORE, &none);
	signal(sig, SIG_DFL);
	kill(getpid(), sig);
	_exit(128 + sig);
}

/* Wait for the command, SIGTERM or the deadline; returns the command's status. */
static int wait_command(pid_t cmd, long long limit_ms)
{
	struct timespec end, now, left;
	sigset_t set;
	int status = SIGKILL; /* as if killed, unless it ends first */

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)(limit_ms / 1000);
	end.tv_nsec += (long)(limit_ms % 1000) * 1000000L;
	if (end.tv_nsec >= 1000000000L) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000L;
	}
	for (;;) {
		pid_t p;
		int st;

		while ((p = waitpid(-1, &st, WNOHANG)) > 0)
			if (p == cmd)
				return st; /* orphans reaped on the way are killed after */
		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			return status; /* the deadline */
		if (sigtimedwait(&set, NULL, &left) == SIGTERM)
			return status; /* the receiver's word, or its death */
	}
}

__attribute__((noreturn)) static void keeper(pid_t receiver, const char *cmd, const char *peer,
			     const struct hvs_record *rec, long long limit_ms)
{
	sigset_t set;
	pid_t p;

	/* The receiver's death, however it dies, is a SIGTERM to us. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != receiver)
		_exit(127);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	setpgid(0, 0);
	/* Nothing of the receiver's: its listeners and guests are not ours to hold. */
	if (syscall(SYS_close_range, 3u, ~0u, 0u) < 0) {
		int fd;

		for (fd = 3; fd < 65536; fd++)
			close(fd);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGTERM, SIG_DFL);
	p = fork();
	if (p == 0)
		command(cmd, peer, rec);
	if (p < 0)
		_exit(126);
	setpgid(p, p);
	{
		int status = wait_command(p, limit_ms);

		kill_tree();
		end_as(status);
	}
}

int hvs_exec_start(const char *cmd, const char *peer, const struct hvs_record *rec,
		   long long limit_ms, pid_t *pid)
{
	pid_t receiver = getpid(), p = fork();

	if (p < 0)
		return -1;
	if (p == 0)
		keeper(receiver, cmd, peer, rec, limit_ms > 0 ? limit_ms : 1);
	*pid = p;
	return 0;
}

int hvs_exec_ended(pid_t pid, int *status)
{
	pid_t r;

	while ((r = waitpid(pid, status, WNOHANG)) < 0 && errno == EINTR)
		;
	return r == pid;
}

void hvs_exec_kill(pid_t pid)
{
	kill(pid, SIGTERM);
}
