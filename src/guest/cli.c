/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cli.h"

#include "exitcode.h"
#include "fileio.h"
#include "numbers.h"

#include <string.h>

#ifndef HVS_VERSION
#define HVS_VERSION "0.1"
#endif

static void usage_line(int fd)
{
	hvs_fdprintf(fd, "%s", "usage: hv-swiotlb [--dry-run | --plan] [--debug] [--timeout SECONDS]\n"
		     "                  [--target vsock:CID:PORT|unix:PATH]\n"
		     "                  [--cmdline-file FILE] [--sysfs-root DIR] [--kmsg FILE]\n"
		     "                  [--root DIR] | --help | --version\n");
}

/* The man page has the rest: every byte here is carried in every initramfs. */
static void help(void)
{
	usage_line(1);
	hvs_fdprintf(1, "%s", "\nHands the hv_pci swiotlb pool's range to the host. See hv-swiotlb(8).\n");
}

static int usage_error(const char *what, const char *arg)
{
	hvs_fdprintf(2, "hv-swiotlb: %s%s%.200s\n", what, arg ? ": " : "", arg ? arg : "");
	usage_line(2);
	return HVS_EXIT_USAGE;
}

/* root + rel unless the option gave the path itself. */
static int set_path(char *out, const char *given, const char *root, const char *rel)
{
	if (given)
		return hvs_path_join(out, HVS_PATH_MAX, given, "");
	return hvs_path_join(out, HVS_PATH_MAX, root, rel);
}

enum { O_DRY, O_PLAN, O_DEBUG, O_TARGET, O_TIMEOUT, O_CMDLINE, O_SYSFS, O_KMSG, O_ROOT,
       O_HELP, O_VERSION, O_COUNT };

/*
 * Long options only, exact names, "--name value" or "--name=value". The
 * names in enum order, one string: a table of pointers costs the
 * initramfs binary 8 bytes a name more.
 */
static const char option_names[] = "dry-run\0plan\0debug\0target\0timeout\0cmdline-file\0"
				    "sysfs-root\0kmsg\0root\0help\0version\0";
#define TAKES_VALUE(o) ((o) >= O_TARGET && (o) <= O_ROOT)

/* The option called name[0..len), or O_COUNT. */
static int option_named(const char *name, size_t len)
{
	const char *n = option_names;
	int o;

	for (o = 0; o < O_COUNT; o++, n += strlen(n) + 1)
		if (strlen(n) == len && !memcmp(n, name, len))
			return o;
	return O_COUNT;
}

int hvs_cli_parse(int argc, char **argv, struct hvs_cli *c)
{
	const char *given[O_COUNT] = { 0 }, *why = NULL, *root;
	int i, o;

	memset(c, 0, sizeof(*c));
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *value = NULL, *eq;
		size_t len;

		if (arg[0] != '-' || arg[1] != '-' || !arg[2])
			return usage_error("unexpected argument", arg);
		eq = strchr(arg + 2, '=');
		len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		o = option_named(arg + 2, len);
		if (o == O_COUNT)
			return usage_error("unknown option", arg);
		if (TAKES_VALUE(o)) {
			value = eq ? eq + 1 : argv[++i];
			if (!value)
				return usage_error("option needs a value", arg);
		} else if (eq) {
			return usage_error("option takes no value", arg);
		} else {
			value = "";
		}
		given[o] = value;
	}
	if (given[O_HELP]) {
		help();
		return 0;
	}
	if (given[O_VERSION]) {
		hvs_fdprintf(1, "hv-swiotlb %s\n", HVS_VERSION);
		return 0;
	}
	if (given[O_DRY] && given[O_PLAN])
		return usage_error("--dry-run and --plan exclude each other", NULL);
	c->mode = given[O_DRY] ? HVS_MODE_DRY_RUN : given[O_PLAN] ? HVS_MODE_PLAN : HVS_MODE_RUN;
	c->debug = given[O_DEBUG] != NULL;
	if (given[O_TARGET]) {
		if (hvs_target_parse(given[O_TARGET], &c->target, &why) < 0)
			return usage_error(why, given[O_TARGET]);
		c->have_target = 1;
	}
	if (given[O_TIMEOUT] && hvs_parse_seconds_ms(given[O_TIMEOUT], &c->timeout_ms) < 0)
		return usage_error("--timeout needs seconds, more than 0 and at most 600",
				   given[O_TIMEOUT]);
	root = given[O_ROOT] ? given[O_ROOT] : "";
	if (set_path(c->p.cmdline, given[O_CMDLINE], root, "/proc/cmdline") < 0 ||
	    set_path(c->p.sysfs, given[O_SYSFS], root, "/sys") < 0 ||
	    set_path(c->p.kmsg, given[O_KMSG], root, "/dev/kmsg") < 0 ||
	    set_path(c->p.etc, NULL, root, "/etc") < 0 ||
	    set_path(c->p.run, NULL, root, "/run") < 0 ||
	    set_path(c->p.boot_id, NULL, root, "/proc/sys/kernel/random/boot_id") < 0 ||
	    set_path(c->p.vmcore, NULL, root, "/proc/vmcore") < 0)
		return usage_error("a path is too long", NULL);
	return HVS_CLI_GO;
}
