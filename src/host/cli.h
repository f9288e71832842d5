/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hv-swiotlb-recv's command line. */
#ifndef HVS_RECV_CLI_H
#define HVS_RECV_CLI_H

#include <stddef.h>
#include <stdint.h>

#define HVS_MAX_LISTENERS 1024
#define HVS_MAX_ALLOWED_CIDS 64
#define HVS_MAX_CONNS_LIMIT 65536
#define HVS_EXIT_USAGE 64

struct hvs_recv_config {
	const char *unix_paths[HVS_MAX_LISTENERS];
	size_t nunix;
	uint32_t vsock_ports[HVS_MAX_LISTENERS];
	size_t nvsock;
	uint64_t max_size;
	uint32_t allow[HVS_MAX_ALLOWED_CIDS];
	size_t nallow;
	const char *state_dir;
	const char *exec_cmd;
	unsigned conn_timeout_ms;
	unsigned long max_conns, max_per_peer;
	int list, json;      /* --list [--json] [PEER]: the query, read-only */
	const char *list_peer;
};

#define HVS_DEFAULT_STATE_DIR "/var/lib/hv-swiotlb"

#define HVS_CLI_GO (-1)

/*
 * HVS_CLI_GO, or the exit status to end with (0 after --help, 64 on a usage error).
 * Listeners may all come from systemd: main() checks that there is one.
 */
int hvs_recv_cli(int argc, char **argv, struct hvs_recv_config *c);

#endif
