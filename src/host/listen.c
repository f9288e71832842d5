/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "listen.h"

#include "errname.h"
#include "say.h"
#include "vsock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define BACKLOG 512

/* A socket file nobody listens on is stale: remove it, never a live one. */
static void remove_stale_socket(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd;

	if (lstat(sa->sun_path, &st) < 0 || !S_ISSOCK(st.st_mode))
		return;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 &&
	    errno == ECONNREFUSED)
		unlink(sa->sun_path);
	close(fd);
}

int hvs_listen_unix(struct hvs_listener *l, const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	size_t n = strlen(path);

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	if (n >= sizeof(sa.sun_path)) {
		say("cannot listen on unix:%s: the path is longer than 107 bytes", path);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n + 1);
	remove_stale_socket(&sa);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(l->fd, BACKLOG) < 0) {
		say("cannot listen on unix:%s: %s%s", path, hvs_errname(errno),
		    errno == EADDRINUSE ? " (another receiver listens there)" : "");
		return -1;
	}
	l->is_unix = 1;
	if (stat(path, &st) == 0) {
		l->dev = st.st_dev;
		l->ino = st.st_ino;
	}
	snprintf(l->name, sizeof(l->name), "unix:%s", path);
	memcpy(l->path, path, n + 1);
	return 0;
}

int hvs_listen_vsock(struct hvs_listener *l, uint32_t port)
{
	struct sockaddr_vm sa;

	memset(l, 0, sizeof(*l));
	memset(&sa, 0, sizeof(sa));
	sa.svm_family = AF_VSOCK;
	sa.svm_cid = VMADDR_CID_ANY;
	sa.svm_port = port;
	l->fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(l->fd, BACKLOG) < 0) {
		say("cannot listen on vsock port %u: %s (is vhost_vsock or vsock_loopback "
		    "loaded?)", (unsigned)port, hvs_errname(errno));
		return -1;
	}
	snprintf(l->name, sizeof(l->name), "vsock:*:%u", (unsigned)port);
	return 0;
}

void hvs_listen_close(struct hvs_listener *l)
{
	struct stat st;

	if (l->fd < 0)
		return;
	close(l->fd);
	l->fd = -1;
	if (l->is_unix && lstat(l->path, &st) == 0 && st.st_dev == l->dev &&
	    st.st_ino == l->ino)
		unlink(l->path);
}
