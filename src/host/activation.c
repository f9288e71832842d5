/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "activation.h"

#include "numbers.h"
#include "say.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int hvs_activation_fds(const char **names, int max)
{
	static char fdnames[4096];
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	const char *nm = getenv("LISTEN_FDNAMES");
	uint32_t p, n;
	char *cut;
	int i;

	snprintf(fdnames, sizeof(fdnames), "%s", nm ? nm : "");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (!pid || !fds)
		return 0;
	if (hvs_parse_u32(pid, &p) == 0 && p != (uint32_t)getpid())
		return 0; /* meant for another process: not ours */
	if (hvs_parse_u32(pid, &p) < 0 || hvs_parse_u32(fds, &n) < 0) {
		say_err("LISTEN_PID=%s LISTEN_FDS=%s are not numbers: the sockets systemd passed are "
		    "not used; check the .socket unit", pid, fds);
		return -1;
	}
	if (n > (uint32_t)max) {
		say_err("LISTEN_FDS=%s: more than %d sockets; give the .socket unit fewer", fds, max);
		return -1;
	}
	for (i = 0, cut = fdnames; i < (int)n; i++) {
		names[i] = cut;
		cut = strchr(cut, ':');
		if (cut)
			*cut++ = '\0';
		else
			cut = fdnames + strlen(fdnames); /* the rest are unnamed */
	}
	return (int)n;
}
