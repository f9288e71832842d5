/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv-swiotlb's command line and the paths it reads and writes. */
#ifndef HVS_CLI_H
#define HVS_CLI_H

#include "handoff.h"

#define HVS_PATH_MAX 512

enum hvs_mode {
	HVS_MODE_RUN,     /* the handoff */
	HVS_MODE_DRY_RUN, /* steps 1 to 3, printed; nothing sent or written */
	HVS_MODE_PLAN,    /* what an initramfs hook needs to know first */
};

struct hvs_paths {
	char cmdline[HVS_PATH_MAX];
	char sysfs[HVS_PATH_MAX];
	char kmsg[HVS_PATH_MAX];
	char etc[HVS_PATH_MAX];
	char run[HVS_PATH_MAX];
	char boot_id[HVS_PATH_MAX];
	char vmcore[HVS_PATH_MAX];
};

struct hvs_cli {
	enum hvs_mode mode;
	int debug;
	unsigned timeout_ms;      /* 0: from the boot options */
	int have_target;          /* target below overrides the boot options */
	struct hvs_target target;
	struct hvs_paths p;
};

#define HVS_CLI_GO (-1)

/* HVS_CLI_GO, or the exit status to end with (0 after --help, 64 on a usage error). */
int hvs_cli_parse(int argc, char **argv, struct hvs_cli *c);

#endif
