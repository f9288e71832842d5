/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flags that some libc headers the tools are built with lack: klibc 2.0.12
 * stops short of several, and musl-gcc builds see no kernel UAPI headers.
 * The values are the kernel's x86 and generic ABI, which never change
 * (arm64, ppc64le and s390x share them for these flags).
 */
#ifndef HVS_COMPAT_H
#define HVS_COMPAT_H

#include <fcntl.h>
#include <sys/socket.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 02000000
#endif
#ifndef O_NOFOLLOW
#define O_NOFOLLOW 0400000
#endif
#ifndef O_DIRECTORY
#define O_DIRECTORY 0200000
#endif
#ifndef SOCK_NONBLOCK
#define SOCK_NONBLOCK 04000
#endif
#ifndef SOCK_CLOEXEC
#define SOCK_CLOEXEC 02000000
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000
#endif
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0x40
#endif

#endif
