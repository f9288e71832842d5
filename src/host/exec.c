/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void child(const char *cmd, const char *peer, const struct hvs_record *rec)
{
	char id[37], base[24], size[24], swiotlb[48];
	sigset_t none;
	int null;

	/* Its own group, so that the receiver can end everything it starts. */
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

int hvs_exec_start(const char *cmd, const char *peer, const struct hvs_record *rec,
		   pid_t *pid)
{
	pid_t p = fork();

	if (p < 0)
		return -1;
	if (p == 0)
		child(cmd, peer, rec);
	/* Both sides set the group: whichever runs first, it is set before kill. */
	setpgid(p, p);
	*pid = p;
	return 0;
}

int hvs_exec_ended(pid_t pid, int *status)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	/* Look without reaping: while the leader is a zombie, its group id is ours. */
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
		return 0;
	kill(-pid, SIGKILL); /* what it left running */
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return 1;
}

void hvs_exec_kill(pid_t pid)
{
	kill(-pid, SIGKILL);
}
