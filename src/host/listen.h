/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where guests connect: AF_VSOCK ports (vhost-vsock hosts: the guest is
 * the CID accept() returns) and Unix socket paths (hybrid vsock relays:
 * Firecracker, Cloud Hypervisor, OpenVMM's vmbus relay; the path is the
 * guest).
 */
#ifndef HVS_LISTEN_H
#define HVS_LISTEN_H

#include "state.h"

#include <stdint.h>
#include <sys/types.h>

struct hvs_listener {
	int fd;
	int is_unix;
	char name[HVS_PEER_MAX];  /* "unix:PATH" or "vsock:*:PORT" */
	char path[108];
	dev_t dev;                /* the socket file we made, to remove only it */
	ino_t ino;
};

/* 0, or -1 with a log line. */
int hvs_listen_unix(struct hvs_listener *l, const char *path);
int hvs_listen_vsock(struct hvs_listener *l, uint32_t port);

/* Close; a Unix socket file is removed if it is still the one we made. */
void hvs_listen_close(struct hvs_listener *l);

#endif
