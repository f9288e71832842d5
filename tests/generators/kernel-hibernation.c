/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel as the oracle of its own "no" to hibernation: each line of
 * standard input is a command line, parsed as parse_args() does (the
 * kernel's next_arg(), stopping at "--") and handed, as "param=value",
 * to the kernel's obsolete_checksetup() with the kernel's own nohibernate,
 * noresume and hibernate= handlers (both compiled from Debian's
 * linux-source by tests/difftest/extract.sh). Prints one line per input
 * line: 1 when hibernation stays available (nohibernate stays 0), else 0.
 * A resume through /sys/power/resume is refused only then: the kernel's
 * noresume is cleared by that write (resume_store()).
 */
#include <stdio.h>
#include <string.h>

#include "kshim.h"
#include "khibernate.h"

int noresume, nohibernate, nocompress;
const struct obs_kernel_param *__setup_start, *__setup_end;

/* The kernel's code, static as it is there. */
#include "kernel_hibernate.c"

static const struct obs_kernel_param table[] = {
	{ "noresume", noresume_setup, 0 },
	{ "hibernate=", hibernate_setup, 0 },
	{ "nohibernate", nohibernate_setup, 0 },
};

int main(void)
{
	static char line[8192], joined[8192];

	__setup_start = table;
	__setup_end = table + sizeof(table) / sizeof(table[0]);
	while (fgets(line, sizeof(line), stdin)) {
		char *args;

		line[strcspn(line, "\n")] = '\0';
		noresume = nohibernate = nocompress = 0;
		args = skip_spaces(line);
		while (*args) {
			char *param, *val;

			args = next_arg(args, &param, &val);
			if (!val && strcmp(param, "--") == 0)
				break;
			/* unknown_bootoption()'s repair_env_string(): "param=val" again. */
			snprintf(joined, sizeof(joined), val ? "%s=%s" : "%s", param, val);
			obsolete_checksetup(joined);
		}
		printf("%d\n", !nohibernate);
	}
	return 0;
}
