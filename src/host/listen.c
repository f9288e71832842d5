/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "listen.h"

#include "errname.h"
#include "say.h"
#include "vsock.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
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
		say_err("cannot listen on unix:%s: the path is longer than 107 bytes", path);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n + 1);
	remove_stale_socket(&sa);
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(l->fd, BACKLOG) < 0) {
		say_err("cannot listen on unix:%s: %s%s", path, hvs_errname(errno),
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
		say_err("cannot listen on vsock port %u: %s (is vhost_vsock or vsock_loopback "
		    "loaded?)", (unsigned)port, hvs_errname(errno));
		return -1;
	}
	snprintf(l->name, sizeof(l->name), "vsock:*:%u", (unsigned)port);
	return 0;
}

int hvs_listen_classify(int family, int type, int accepting, const void *addr,
			size_t addr_len, int *is_unix, char *name, size_t cap,
			const char **why)
{
	const struct sockaddr_un *un = addr;
	const struct sockaddr_vm *vm = addr;
	size_t off = offsetof(struct sockaddr_un, sun_path), n, i, o;

	*why = type != SOCK_STREAM ? "not a stream socket" :
	       !accepting ? "not listening" :
	       family != AF_UNIX && family != AF_VSOCK ? "neither AF_UNIX nor AF_VSOCK" : NULL;
	if (*why)
		return -1;
	*is_unix = family == AF_UNIX;
	if (family == AF_VSOCK) {
		if (addr_len < sizeof(*vm)) {
			*why = "an AF_VSOCK address too short";
			return -1;
		}
		if (vm->svm_cid == VMADDR_CID_ANY)
			snprintf(name, cap, "vsock:*:%u", (unsigned)vm->svm_port);
		else
			snprintf(name, cap, "vsock:%u:%u", (unsigned)vm->svm_cid,
				 (unsigned)vm->svm_port);
		return 0;
	}
	n = addr_len > off ? addr_len - off : 0;
	if (n > sizeof(un->sun_path))
		n = sizeof(un->sun_path);
	if (n == 0 || (un->sun_path[0] == '\0' && n == 1)) {
		*why = "an unnamed Unix socket: no path to name its guest by";
		return -1;
	}
	if (un->sun_path[0] != '\0') {
		snprintf(name, cap, "unix:%.*s", (int)strnlen(un->sun_path, n), un->sun_path);
		return 0;
	}
	/* Abstract: '@' for the leading NUL (and any other), as ss(8) and systemd write it. */
	o = (size_t)snprintf(name, cap, "unix:@");
	for (i = 1; i < n && o + 1 < cap; i++)
		name[o++] = un->sun_path[i] ? un->sun_path[i] : '@';
	name[o] = '\0';
	return 0;
}

int hvs_listen_adopt(struct hvs_listener *l, int fd, const char *fdname)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss), ol;
	int family = 0, type = 0, accepting = 0, fl;
	const char *why;

	memset(l, 0, sizeof(*l));
	l->fd = -1;
	memset(&ss, 0, sizeof(ss));
	ol = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &ol) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &ol) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &ol) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		say_err("systemd's descriptor %d (%s) is not a socket we can use: %s; check the "
		    ".socket unit's ListenStream=", fd, fdname, hvs_errname(errno));
		return -1;
	}
	if (hvs_listen_classify(family, type, accepting, &ss, len, &l->is_unix, l->name,
				sizeof(l->name), &why) < 0) {
		say_err("systemd's descriptor %d (%s): %s; give ListenStream= a path or "
		    "vsock::PORT", fd, fdname, why);
		return -1;
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		say_err("systemd's descriptor %d (%s): %s", fd, fdname, hvs_errname(errno));
		return -1;
	}
	l->fd = fd;
	l->inherited = 1;
	return 0;
}

void hvs_listen_close(struct hvs_listener *l)
{
	struct stat st;

	if (l->fd < 0)
		return;
	close(l->fd);
	l->fd = -1;
	if (l->is_unix && !l->inherited && lstat(l->path, &st) == 0 && st.st_dev == l->dev &&
	    st.st_ino == l->ino)
		unlink(l->path);
}
