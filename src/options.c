/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "options.h"

#include "fileio.h"
#include "kcmdline.h"
#include "wire.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>

void hvs_options_defaults(struct hvs_options *o)
{
	memset(o, 0, sizeof(*o));
	o->enabled = 1;
	o->timeout_ms = HVS_DEFAULT_TIMEOUT_MS;
	o->port = HVS_DEFAULT_PORT;
	o->cid = HVS_DEFAULT_CID;
}

int hvs_parse_u32(const char *s, uint32_t *v)
{
	uint64_t acc = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		acc = acc * 10 + (uint64_t)(*s - '0');
		if (acc > UINT32_MAX)
			return -1;
	}
	*v = (uint32_t)acc;
	return 0;
}

int hvs_parse_seconds_ms(const char *s, unsigned *ms)
{
	uint64_t whole = 0, frac = 0;
	unsigned scale = 1000, digits = 0;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		whole = whole * 10 + (uint64_t)(*s - '0');
		if (whole > HVS_MAX_TIMEOUT_MS / 1000)
			return -1;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (++digits > 3)
				return -1; /* finer than a millisecond */
			scale /= 10;
			frac += (uint64_t)(*s - '0') * scale;
		}
		if (digits == 0)
			return -1;
	}
	if (*s)
		return -1;
	whole = whole * 1000 + frac;
	if (whole == 0 || whole > HVS_MAX_TIMEOUT_MS)
		return -1;
	*ms = (unsigned)whole;
	return 0;
}

int hvs_valid_port(uint32_t port)
{
	return port != 0 && port != UINT32_MAX; /* UINT32_MAX: VMADDR_PORT_ANY */
}

int hvs_valid_cid(uint32_t cid)
{
	/* 0 is the hypervisor itself and UINT32_MAX is VMADDR_CID_ANY. */
	return cid != 0 && cid != UINT32_MAX;
}

/* getargbool: bare means yes; 0, no and off mean no; anything else yes. */
static int dracut_bool(const char *val)
{
	if (!val)
		return 1;
	return !(strcmp(val, "0") == 0 || strcmp(val, "no") == 0 ||
		 strcmp(val, "off") == 0);
}

static void warn_bad(struct hvs_options *o, const char *name, const char *val,
		     const char *expected)
{
	if (o->nwarnings >= HVS_MAX_WARNINGS)
		return;
	snprintf(o->warning[o->nwarnings++], sizeof(o->warning[0]),
		 "ignoring %s=%.24s: expected %s", name, val ? val : "", expected);
}

struct last_seen {
	const char *name;
	int seen;
	const char *val; /* NULL for a bare occurrence */
};

int hvs_options_parse(const char *text, char *scratch, size_t cap,
		      struct hvs_options *o)
{
	struct last_seen opt[] = {
		{ "rd.hvswiotlb", 0, NULL },
		{ "rd.hvswiotlb.debug", 0, NULL },
		{ "rd.hvswiotlb.required", 0, NULL },
		{ "rd.hvswiotlb.timeout", 0, NULL },
		{ "rd.hvswiotlb.port", 0, NULL },
		{ "rd.hvswiotlb.cid", 0, NULL },
	};
	size_t i, n = strlen(text);
	char *args;
	uint32_t v;
	unsigned ms;

	if (n >= cap)
		return -1;
	memcpy(scratch, text, n + 1);
	/*
	 * dracut-getarg walks next_arg() tokens to the very end (no "--" stop)
	 * and keeps the last match by exact name.
	 */
	args = scratch;
	while (hvs_kisspace((unsigned char)*args))
		args++;
	while (*args) {
		char *param, *val;

		args = hvs_next_arg(args, &param, &val);
		for (i = 0; i < sizeof(opt) / sizeof(opt[0]); i++) {
			if (strcmp(param, opt[i].name) == 0) {
				opt[i].seen = 1;
				opt[i].val = val;
			}
		}
	}

	if (opt[0].seen)
		o->enabled = dracut_bool(opt[0].val);
	if (opt[1].seen)
		o->debug = dracut_bool(opt[1].val);
	if (opt[2].seen)
		o->required = dracut_bool(opt[2].val);
	if (opt[3].seen) {
		if (opt[3].val && hvs_parse_seconds_ms(opt[3].val, &ms) == 0)
			o->timeout_ms = ms;
		else
			warn_bad(o, opt[3].name, opt[3].val,
				 "seconds, more than 0 and at most 600");
	}
	if (opt[4].seen) {
		if (opt[4].val && hvs_parse_u32(opt[4].val, &v) == 0 &&
		    hvs_valid_port(v))
			o->port = v;
		else
			warn_bad(o, opt[4].name, opt[4].val,
				 "a port from 1 to 4294967294");
	}
	if (opt[5].seen) {
		if (opt[5].val && hvs_parse_u32(opt[5].val, &v) == 0 &&
		    hvs_valid_cid(v))
			o->cid = v;
		else
			warn_bad(o, opt[5].name, opt[5].val,
				 "a CID from 1 to 4294967294");
	}
	return 0;
}

static int append_text(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	if (*len + n + 2 > cap)
		return -1;
	out[(*len)++] = ' ';
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
	return 0;
}

static int append_file(char *out, size_t cap, size_t *len, const char *path)
{
	char buf[4096];
	ssize_t n = hvs_read_file(path, buf, sizeof(buf));

	if (n < 0)
		return 0; /* absent or unreadable: dracut skips it too */
	return append_text(out, cap, len, buf, (size_t)n);
}

#define HVS_MAX_CONF_FILES 32
#define HVS_MAX_CONF_NAME 64

int hvs_options_gather(const char *etc_dir, const char *kernel_cmdline,
		       char *out, size_t cap)
{
	char names[HVS_MAX_CONF_FILES][HVS_MAX_CONF_NAME];
	char path[512];
	size_t len = 0, count = 0, i, j;
	DIR *d;

	if (cap == 0)
		return -1;
	out[0] = '\0';
	if (hvs_path_join(path, sizeof(path), etc_dir, "/cmdline.d") == 0 &&
	    (d = opendir(path)) != NULL) {
		struct dirent *de;

		while ((de = readdir(d)) != NULL && count < HVS_MAX_CONF_FILES) {
			size_t n = strlen(de->d_name);

			if (n <= 5 || n >= HVS_MAX_CONF_NAME || de->d_name[0] == '.' ||
			    strcmp(de->d_name + n - 5, ".conf") != 0)
				continue;
			memcpy(names[count++], de->d_name, n + 1);
		}
		closedir(d);
		/* The shell glob dracut uses sorts names; insertion sort will do. */
		for (i = 1; i < count; i++) {
			char tmp[HVS_MAX_CONF_NAME];

			memcpy(tmp, names[i], sizeof(tmp));
			for (j = i; j > 0 && strcmp(names[j - 1], tmp) > 0; j--)
				memcpy(names[j], names[j - 1], sizeof(tmp));
			memcpy(names[j], tmp, sizeof(tmp));
		}
		for (i = 0; i < count; i++) {
			char file[600];

			if (snprintf(file, sizeof(file), "%s/%s", path, names[i]) >=
			    (int)sizeof(file))
				continue;
			if (append_file(out, cap, &len, file) < 0)
				return -1;
		}
	}
	if (hvs_path_join(path, sizeof(path), etc_dir, "/cmdline") == 0 &&
	    append_file(out, cap, &len, path) < 0)
		return -1;
	return append_text(out, cap, &len, kernel_cmdline, strlen(kernel_cmdline));
}
