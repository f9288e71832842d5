/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Just enough for the kernel's hibernation switches (hibernate_setup(),
 * noresume_setup(), nohibernate_setup() of kernel/power/hibernate.c) and
 * obsolete_checksetup() of init/main.c, which finds a __setup handler by
 * the start of a parameter, to compile unchanged (tests/difftest/extract.sh
 * takes them from Debian's linux-source): the handlers' table holds only
 * these three, as registered there.
 */
#ifndef HVS_KHIBERNATE_H
#define HVS_KHIBERNATE_H

#include <stdbool.h>
#include <string.h>

#define __init
#define pr_warn(...) ((void)0)
#define IS_ENABLED(x) 0
#define CONFIG_STRICT_KERNEL_RWX 1

struct obs_kernel_param {
	const char *str;
	int (*setup_func)(char *);
	int early;
};

extern const struct obs_kernel_param *__setup_start, *__setup_end;
extern int noresume, nohibernate, nocompress;

static inline void enable_restore_image_protection(void)
{
}

#endif
