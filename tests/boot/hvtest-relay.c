/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hvtest-relay: a guest's vsock connections carried to a receiver on the
 * machine that runs QEMU, for the boot tests whose receiver must outlive
 * the guest (a hibernated VM boots again in a new QEMU process). Both ends
 * are this program:
 *
 *   hvtest-relay guest PORT NAME     in the guest: listen on vsock PORT;
 *                                    each connection's frame goes out on
 *                                    the virtio-serial port called NAME
 *   hvtest-relay host CHARDEV RECV   on the machine: listen on the Unix
 *                                    socket CHARDEV, where QEMU's chardev
 *                                    for that port connects, once per QEMU
 *                                    run; each frame from it goes to the
 *                                    receiver's Unix socket RECV on a new
 *                                    connection, as a guest's would
 *
 * On the serial port each message is a 2-byte little-endian length and
 * that many bytes: the guest's frame one way, the receiver's answer the
 * other, empty when the receiver closed without one. Every wait is
 * bounded; a relay that loses its way closes the guest's connection
 * without an answer, which the guest takes as a passing fault. Test-only:
 * it trusts the frames it carries no more than it must to find their end.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

#define FRAME_MAX 1024
#define WAIT_MS 5000

static void die(const char *what) __attribute__((noreturn));
static void die(const char *what)
{
	fprintf(stderr, "hvtest-relay: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Exactly n bytes from fd, within WAIT_MS; 0, or -1 (timeout, EOF, error). */
static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, WAIT_MS) <= 0)
			return -1;
		r = read(fd, (char *)buf + got, n - got);
		if (r <= 0 && !(r < 0 && errno == EINTR))
			return -1;
		if (r > 0)
			got += (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, (const char *)buf + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		done += (size_t)w;
	}
	return 0;
}

/* One protocol frame: its header's length field says where it ends. */
static ssize_t read_frame(int fd, uint8_t *buf)
{
	size_t len;

	if (read_full(fd, buf, 8) < 0)
		return -1;
	len = (size_t)buf[6] | (size_t)buf[7] << 8;
	if (len < 8 || len > FRAME_MAX || read_full(fd, buf + 8, len - 8) < 0)
		return -1;
	return (ssize_t)len;
}

static int send_msg(int fd, const uint8_t *buf, size_t len)
{
	uint8_t head[2] = { (uint8_t)len, (uint8_t)(len >> 8) };

	return write_full(fd, head, 2) < 0 || write_full(fd, buf, len) < 0 ? -1 : 0;
}

static ssize_t recv_msg(int fd, uint8_t *buf)
{
	uint8_t head[2];
	size_t len;

	if (read_full(fd, head, 2) < 0)
		return -1;
	len = (size_t)head[0] | (size_t)head[1] << 8;
	if (len > FRAME_MAX || (len && read_full(fd, buf, len) < 0))
		return -1;
	return (ssize_t)len;
}

/* /dev/vportNpM of the virtio-serial port called name, opened. */
static int open_port(const char *name)
{
	char path[300], text[128];
	struct dirent *e;
	DIR *d = opendir("/sys/class/virtio-ports");
	int fd = -1;

	if (!d)
		return -1;
	while (fd < 0 && (e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(text, sizeof(text), f) && !strcmp(strtok(text, "\n") ?: "", name)) {
			snprintf(path, sizeof(path), "/dev/%s", e->d_name);
			fd = open(path, O_RDWR | O_CLOEXEC);
		}
		fclose(f);
	}
	closedir(d);
	return fd;
}

static void guest(unsigned port, const char *name) __attribute__((noreturn));
static void guest(unsigned port, const char *name)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY,
				  .svm_port = port };
	int ls = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 8) < 0)
		die("vsock listen");
	fprintf(stderr, "hvtest-relay: listening on vsock port %u\n", port);
	for (;;) {
		uint8_t frame[FRAME_MAX], answer[FRAME_MAX];
		ssize_t n, a = -1;
		int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC), p;

		if (c < 0)
			continue;
		n = read_frame(c, frame);
		p = n > 0 ? open_port(name) : -1;
		if (p >= 0 && send_msg(p, frame, (size_t)n) == 0)
			a = recv_msg(p, answer);
		if (a > 0)
			(void)write_full(c, answer, (size_t)a);
		fprintf(stderr, "hvtest-relay: frame of %zd bytes, answer of %zd\n", n, a);
		if (p >= 0)
			close(p);
		close(c);
	}
}

static int unix_socket(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		errno = ENAMETOOLONG;
		die(path);
	}
	strcpy(sa->sun_path, path);
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

/* One frame to the receiver on a connection of its own; its answer's length. */
static ssize_t ask_receiver(const char *recv_path, const uint8_t *frame, size_t len,
			    uint8_t *answer)
{
	struct sockaddr_un sa;
	int fd = unix_socket(recv_path, &sa);
	ssize_t a = 0;

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write_full(fd, frame, len) < 0 || (a = read_frame(fd, answer)) < 0)
		a = 0;
	if (fd >= 0)
		close(fd);
	return a;
}

static void host(const char *chardev, const char *recv_path) __attribute__((noreturn));
static void host(const char *chardev, const char *recv_path)
{
	struct sockaddr_un sa;
	int ls = unix_socket(chardev, &sa);

	unlink(chardev);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0)
		die(chardev);
	for (;;) {
		int q = accept4(ls, NULL, NULL, SOCK_CLOEXEC);

		if (q < 0)
			continue;
		fprintf(stderr, "hvtest-relay: QEMU connected\n");
		for (;;) {
			uint8_t frame[FRAME_MAX], answer[FRAME_MAX];
			struct pollfd p = { q, POLLIN, 0 };
			ssize_t n, a;

			/* QEMU's side is quiet for as long as the guest is. */
			if (poll(&p, 1, -1) < 0 && errno == EINTR)
				continue;
			n = recv_msg(q, frame);
			if (n < 0)
				break;
			a = ask_receiver(recv_path, frame, (size_t)n, answer);
			fprintf(stderr, "hvtest-relay: frame of %zd bytes, answer of %zd\n", n, a);
			if (send_msg(q, answer, (size_t)a) < 0)
				break;
		}
		close(q);
		fprintf(stderr, "hvtest-relay: QEMU went away\n");
	}
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 4 && !strcmp(argv[1], "guest"))
		guest((unsigned)strtoul(argv[2], NULL, 10), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "host"))
		host(argv[2], argv[3]);
	fprintf(stderr, "usage: hvtest-relay guest PORT NAME | host CHARDEV RECV\n");
	return 64;
}
