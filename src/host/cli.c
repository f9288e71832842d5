/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli.h"

#include "fileio.h"
#include "numbers.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef HVS_VERSION
#define HVS_VERSION "0.1"
#endif

static void usage(int fd)
{
	hvs_fdprintf(fd, "%s",
		"usage: hv-swiotlb-recv [--vsock PORT]... [--unix PATH]... [--max-size SIZE]\n"
		"                       [--allow-cid CID]... [--state-dir DIR] [--exec CMD]\n"
		"                       [--conn-timeout SECONDS] [--max-conns N]\n"
		"                       [--max-per-guest N]\n"
		"       hv-swiotlb-recv --list [--json] [--state-dir DIR] [PEER]\n"
		"       hv-swiotlb-recv --help | --version\n");
}

static void help(void)
{
	usage(1);
	hvs_fdprintf(1, "%s",
		"\nReceives hv_pci swiotlb ranges from hv-swiotlb in guests and\n"
		"acknowledges them; see hv-swiotlb-protocol(7).\n\n"
		"  --vsock PORT         listen on AF_VSOCK, any CID (vhost-vsock hosts)\n"
		"  --unix PATH          listen on a Unix socket (hybrid vsock: PATH_PORT;\n"
		"                       OpenVMM: <--vmbus-vsock-path>_18515)\n"
		"  --max-size SIZE      refuse larger pools (K, M, G suffixes)\n"
		"  --allow-cid CID      talk only to these guest CIDs (vsock)\n"
		"  --state-dir DIR      keep every decision in DIR; SIGHUP reads it again\n"
		"  --exec CMD           apply a new range by running sh -c CMD with\n"
		"                       HVS_PEER HVS_BOOT_ID HVS_BASE HVS_SIZE HVS_SWIOTLB\n"
		"                       set; it must exit 0 for the guest to hear 'accepted'\n"
		"  --conn-timeout SEC   per-connection deadline, --exec included (default 10)\n"
		"  --max-conns N        connections at once (default 256, at most 65536)\n"
		"  --max-per-guest N    connections at once from one guest (default 16)\n"
		"  --list [PEER]        print what the state directory holds (default\n"
		"                       " HVS_DEFAULT_STATE_DIR "), read-only; --json: JSON lines\n\n"
		"Each new range is printed on stdout as one JSON object per line. Listening\n"
		"sockets may come from systemd (LISTEN_FDS); see hv-swiotlb-recv(8).\n");
}

static int usage_error(const char *what, const char *arg)
{
	hvs_fdprintf(2, "hv-swiotlb-recv: %s%s%.200s\n", what, arg ? ": " : "", arg ? arg : "");
	usage(2);
	return HVS_EXIT_USAGE;
}

static int parse_count(const char *s, unsigned long *v)
{
	uint32_t n;

	if (hvs_parse_u32(s, &n) < 0 || n == 0 || n > HVS_MAX_CONNS_LIMIT)
		return -1;
	*v = n;
	return 0;
}

/* --list takes PEER and --json and nothing of the receiver's; the receiver, no PEER. */
static int check_modes(struct hvs_recv_config *c, int nargs, char **args)
{
	if (c->json && !c->list)
		return usage_error("--json goes with --list", NULL);
	if (c->list && (c->nunix || c->nvsock || c->exec_cmd || c->nallow))
		return usage_error("--list only reads the state directory: give it no listener, "
				   "--exec or --allow-cid", NULL);
	if (nargs > (c->list ? 1 : 0))
		return usage_error("unexpected argument", args[c->list ? 1 : 0]);
	if (c->list) {
		c->list_peer = nargs ? args[0] : NULL;
		if (!c->state_dir)
			c->state_dir = HVS_DEFAULT_STATE_DIR;
	}
	return HVS_CLI_GO;
}

/* One option: HVS_CLI_GO to go on, or the exit status. */
static int option(struct hvs_recv_config *c, int opt, char **argv)
{
	const char *end;
	int of;
	uint32_t v;

	switch (opt) {
	case 'v':
		if (hvs_parse_u32(optarg, &v) < 0 || !hvs_valid_port(v))
			return usage_error("--vsock needs a port from 1 to 4294967294", optarg);
		if (c->nvsock + c->nunix >= HVS_MAX_LISTENERS)
			return usage_error("more than 1024 listeners", optarg);
		c->vsock_ports[c->nvsock++] = v;
		return HVS_CLI_GO;
	case 'u':
		if (c->nvsock + c->nunix >= HVS_MAX_LISTENERS)
			return usage_error("more than 1024 listeners", optarg);
		c->unix_paths[c->nunix++] = optarg;
		return HVS_CLI_GO;
	case 'm':
		c->max_size = hvs_memparse(optarg, &end, &of);
		if (*end || of || c->max_size == 0)
			return usage_error("--max-size needs a size such as 64M", optarg);
		return HVS_CLI_GO;
	case 'a':
		if (hvs_parse_u32(optarg, &v) < 0 || !hvs_valid_cid(v) ||
		    c->nallow >= HVS_MAX_ALLOWED_CIDS)
			return usage_error("--allow-cid needs a CID from 1 to 4294967294 "
					   "(64 at most)", optarg);
		c->allow[c->nallow++] = v;
		return HVS_CLI_GO;
	case 's': c->state_dir = optarg; return HVS_CLI_GO;
	case 'e': c->exec_cmd = optarg; return HVS_CLI_GO;
	case 't':
		if (hvs_parse_seconds_ms(optarg, &c->conn_timeout_ms) < 0)
			return usage_error("--conn-timeout needs seconds, at most 600", optarg);
		return HVS_CLI_GO;
	case 'c':
		if (parse_count(optarg, &c->max_conns) < 0)
			return usage_error("--max-conns needs a number from 1 to 65536", optarg);
		return HVS_CLI_GO;
	case 'p':
		if (parse_count(optarg, &c->max_per_peer) < 0)
			return usage_error("--max-per-guest needs a number from 1 to 65536",
					   optarg);
		return HVS_CLI_GO;
	case 'l': c->list = 1; return HVS_CLI_GO;
	case 'j': c->json = 1; return HVS_CLI_GO;
	case 'h': help(); return 0;
	case 'V': hvs_fdprintf(1, "hv-swiotlb-recv %s\n", HVS_VERSION); return 0;
	case ':': return usage_error("option needs a value", argv[optind - 1]);
	default: return usage_error("unknown option", argv[optind - 1]);
	}
	return HVS_CLI_GO;
}

int hvs_recv_cli(int argc, char **argv, struct hvs_recv_config *c)
{
	static const struct option longopts[] = {
		{ "vsock", required_argument, NULL, 'v' },
		{ "unix", required_argument, NULL, 'u' },
		{ "max-size", required_argument, NULL, 'm' },
		{ "allow-cid", required_argument, NULL, 'a' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "exec", required_argument, NULL, 'e' },
		{ "conn-timeout", required_argument, NULL, 't' },
		{ "max-conns", required_argument, NULL, 'c' },
		{ "max-per-guest", required_argument, NULL, 'p' },
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(c, 0, sizeof(*c));
	c->conn_timeout_ms = 10000;
	c->max_conns = 256;
	c->max_per_peer = 16;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		int rc = option(c, opt, argv);

		if (rc != HVS_CLI_GO)
			return rc;
	}
	return check_modes(c, argc - optind, argv + optind);
}
