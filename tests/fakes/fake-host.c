/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hvs-fake-host: a scripted host on a Unix socket for the integration
 * tests. It decodes what the guest sends with the real wire module and
 * answers as told: well, badly, late or never.
 *
 *   hvs-fake-host --listen PATH --mode MODE [--listen-after MS]
 *                 [--max-wait MS] [--out FILE]
 *
 * Modes: accepted duplicate conflict invalid unsupported failed (answer
 * with that status), silent (never answer), garbage, wrong-nonce,
 * bad-crc, partial (10 bytes, then silence), close-mid (10 bytes, then
 * close), close (close without a word).
 */
#include "wire.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *modes[] = { "accepted", "duplicate", "conflict", "invalid",
			       "unsupported", "failed", "silent", "garbage",
			       "wrong-nonce", "bad-crc", "partial", "close-mid", "close" };

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1; /* the summary line is still written on the way out */
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void die(const char *what)
{
	fprintf(stderr, "hvs-fake-host: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Read one record frame; 0 and r filled, or -1. */
static int read_record(int fd, struct hvs_record *r, enum hvs_wire_result *wr)
{
	uint8_t buf[HVS_WIRE_MAX_LEN];
	size_t got = 0, need = 8;
	struct hvs_header h;

	while (got < need) {
		ssize_t n = read(fd, buf + got, need - got);

		if (n <= 0)
			return -1;
		got += (size_t)n;
		if (got >= 8 && need == 8) {
			if (hvs_header_peek(buf, got, &h) != HVS_WIRE_OK)
				return -1;
			need = h.length;
		}
	}
	*wr = hvs_record_decode(buf, got, r);
	return *wr == HVS_WIRE_OK ? 0 : -1;
}

static void write_all(int fd, const void *p, size_t n)
{
	if (write(fd, p, n) != (ssize_t)n)
		fprintf(stderr, "hvs-fake-host: short write: %s\n", strerror(errno));
}

int main(int argc, char **argv)
{
	const char *path = NULL, *mode = "accepted", *out = NULL;
	long listen_after = 0, max_wait = 5000, start = now_ms();
	unsigned connections = 0, m;
	struct sockaddr_un sa;
	FILE *log = NULL;
	int i, ls;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--listen"))
			path = argv[i + 1];
		else if (!strcmp(argv[i], "--mode"))
			mode = argv[i + 1];
		else if (!strcmp(argv[i], "--out"))
			out = argv[i + 1];
		else if (!strcmp(argv[i], "--listen-after"))
			listen_after = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--max-wait"))
			max_wait = atol(argv[i + 1]);
		else
			break;
	}
	for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++)
		if (!strcmp(mode, modes[m]))
			break;
	if (!path || i != argc || m == sizeof(modes) / sizeof(modes[0])) {
		fprintf(stderr, "usage: hvs-fake-host --listen PATH --mode MODE "
				"[--listen-after MS] [--max-wait MS] [--out FILE]\n");
		return 2;
	}
	struct sigaction sa_term;

	memset(&sa_term, 0, sizeof(sa_term));
	sa_term.sa_handler = on_term; /* no SA_RESTART: poll() must return */
	sigaction(SIGTERM, &sa_term, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (out && !(log = fopen(out, "w")))
		die(out);
	if (listen_after)
		poll(NULL, 0, (int)listen_after);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 8) < 0)
		die("listen");

	while (!stop && now_ms() - start < max_wait) {
		struct pollfd p = { ls, POLLIN, 0 };
		struct hvs_record r;
		struct hvs_ack a;
		enum hvs_wire_result wr = HVS_WIRE_OK;
		uint8_t ack[HVS_ACK_V1_LEN];
		char id[37];
		int fd;

		if (poll(&p, 1, (int)(max_wait - (now_ms() - start))) <= 0)
			continue;
		fd = accept(ls, NULL, NULL);
		if (fd < 0)
			continue;
		connections++;
		if (read_record(fd, &r, &wr) < 0) {
			if (log)
				fprintf(log, "bad-record %s\n", hvs_wire_result_text(wr));
			close(fd);
			continue;
		}
		hvs_uuid_format(r.boot_id, id);
		if (log) {
			fprintf(log, "record base=0x%llx size=%llu boot_id=%s nonce=%016llx\n",
				(unsigned long long)r.base, (unsigned long long)r.size, id,
				(unsigned long long)r.nonce);
			fflush(log);
		}
		a.nonce = r.nonce;
		a.max_version = HVS_WIRE_VERSION;
		a.status = (uint16_t)(m <= HVS_ACK_FAILED ? m : 0);
		hvs_ack_encode(&a, ack);
		if (m <= HVS_ACK_FAILED) {
			write_all(fd, ack, sizeof(ack));
			close(fd);
			break; /* one answered record is the whole job */
		}
		if (!strcmp(mode, "garbage")) {
			write_all(fd, "this is no acknowledgement", 24);
		} else if (!strcmp(mode, "wrong-nonce")) {
			a.nonce ^= 1;
			hvs_ack_encode(&a, ack);
			write_all(fd, ack, sizeof(ack));
		} else if (!strcmp(mode, "bad-crc")) {
			ack[20] ^= 0xff;
			write_all(fd, ack, sizeof(ack));
		} else if (!strcmp(mode, "partial") || !strcmp(mode, "close-mid")) {
			write_all(fd, ack, 10);
		}
		if (!strcmp(mode, "silent") || !strcmp(mode, "partial")) {
			/* Hold the connection open and say nothing more. */
			poll(NULL, 0, (int)(max_wait - (now_ms() - start)));
		}
		close(fd);
	}
	if (log) {
		fprintf(log, "connections=%u\n", connections);
		fclose(log);
	}
	unlink(path);
	return 0;
}
