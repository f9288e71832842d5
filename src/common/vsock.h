/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AF_VSOCK for every libc the tool is built with. klibc's headers predate
 * AF_VSOCK, and musl-gcc does not see the kernel's UAPI headers at all, so
 * when <linux/vm_sockets.h> is missing the few definitions used here are
 * given from the kernel's ABI, which never changes.
 */
#ifndef HVS_VSOCK_H
#define HVS_VSOCK_H

#include "compat.h"

#include <sys/socket.h>

#if defined(__has_include)
#if __has_include(<linux/vm_sockets.h>)
#include <linux/vm_sockets.h>
#define HVS_HAVE_VM_SOCKETS_H 1
#endif
#endif

#ifndef HVS_HAVE_VM_SOCKETS_H
struct sockaddr_vm {
	sa_family_t svm_family;
	unsigned short svm_reserved1;
	unsigned int svm_port;
	unsigned int svm_cid;
	unsigned char svm_flags;
	unsigned char svm_zero[sizeof(struct sockaddr) - sizeof(sa_family_t) -
			       sizeof(unsigned short) - 2 * sizeof(unsigned int) - 1];
};
#define VMADDR_CID_ANY (~0U)
#define SO_VM_SOCKETS_CONNECT_TIMEOUT 6 /* the _OLD value: a struct timeval */
#endif

#ifndef SO_VM_SOCKETS_CONNECT_TIMEOUT
#define SO_VM_SOCKETS_CONNECT_TIMEOUT 6
#endif
#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

#endif
