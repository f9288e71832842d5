/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where guests connect: AF_VSOCK ports (vhost-vsock hosts: the guest is
 * the CID accept() returns) and Unix socket paths (hybrid vsock relays:
 * Firecracker, Cloud Hypervisor, OpenVMM's vmbus relay; the path is the
 * guest), opened here or inherited from systemd (activation.h), named the
 * same either way.
 */
#ifndef HVS_LISTEN_H
#define HVS_LISTEN_H

#include "peer.h"

#include <stdint.h>
#include <sys/types.h>

struct hvs_listener {
	int fd;
	int is_unix;
	int inherited;            /* systemd's: never unlinked, it outlives us */
	char name[HVS_PEER_MAX];  /* "unix:PATH" or "vsock:*:PORT" */
	char path[108];
	dev_t dev;                /* the socket file we made, to remove only it */
	ino_t ino;
};

/* 0, or -1 with a log line. */
int hvs_listen_unix(struct hvs_listener *l, const char *path);
int hvs_listen_vsock(struct hvs_listener *l, uint32_t port);

/*
 * What an inherited socket is, from what getsockopt() and getsockname()
 * say of it (a pure function, for the tests): 0 with *is_unix and its name
 * ("unix:PATH", "unix:@ABSTRACT", "vsock:*:PORT"), or -1 with why.
 */
int hvs_listen_classify(int family, int type, int accepting, const void *addr,
			size_t addr_len, int *is_unix, char *name, size_t cap,
			const char **why);

/* Adopt a listening socket systemd passed: 0, or -1 with a log line. */
int hvs_listen_adopt(struct hvs_listener *l, int fd, const char *fdname);

/* Close; a Unix socket file is removed if it is still the one we made. */
void hvs_listen_close(struct hvs_listener *l);

#endif
