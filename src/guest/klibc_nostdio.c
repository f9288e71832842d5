/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * klibc builds only. klibc's static start-up calls __libc_init_stdio(),
 * which makes stdin, stdout and stderr: a malloc() and an isatty() ioctl
 * for each of the three, before main(); and its exit() flushes them.
 * hv-swiotlb uses no stdio at all (fileio.c and text.c write to file
 * descriptors) and no atexit(), so it defines both itself and the linker
 * leaves klibc's stdio out: no heap, three system calls fewer at every
 * boot, and 2 KiB off the binary. Should a klibc ever define these in an
 * object that the program needs for something else, the link fails
 * loudly (multiple definitions), never silently; tests/klibc-binary.sh
 * checks that a run makes no ioctl and takes no memory.
 */
#include <unistd.h>

void __libc_init_stdio(void);
void exit(int status) __attribute__((noreturn));

void __libc_init_stdio(void)
{
}

void exit(int status)
{
	_exit(status);
}
