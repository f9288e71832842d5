/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hv-swiotlb: hand the hv_pci swiotlb pool's guest-physical range to the
 * host before the root filesystem is mounted. The command line is cli.c;
 * the work, in five steps under one deadline, is run.c.
 */
#include "cli.h"
#include "fileio.h"
#include "run.h"

int main(int argc, char **argv)
{
	static struct hvs_cli cli;
	int rc;

	/* Before anything is opened; with no /dev/null nor /, go on regardless. */
	(void)hvs_std_fds_open();
	rc = hvs_cli_parse(argc, argv, &cli);

	if (rc != HVS_CLI_GO)
		return rc;
	return hvs_run(&cli);
}
