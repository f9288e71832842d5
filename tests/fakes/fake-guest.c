/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hvs-fake-guest: well-behaved, hostile and bulk guests for the
 * receiver's tests, speaking through the real wire module.
 *
 *   hvs-fake-guest send PATH [--base B] [--size S] [--boot UUID]
 *                   [--version V] [--flags F] [--bytewise MS]
 *       one record; prints result=<ack status>|closed|timeout
 *   hvs-fake-guest repeat PATH [--count N] [--vary 1] [--pause MS]
 *                   [--base B] [--size S] [--boot UUID]
 *       the record N times (default 1), one connection each, one after the
 *       other, MS milliseconds apart; with --vary 1 the base moves 2 MiB
 *       further each time (by 2 GiB at most); prints the count of each answer:
 *       accepted=, duplicate=, conflict=, invalid=, unsupported=, failed=,
 *       other= (closed, timed out, unreachable), and last_base=
 *   hvs-fake-guest truncated|oversized|bad-crc|trailing PATH
 *       one malformed frame; prints what came back
 *   hvs-fake-guest silent PATH N MS
 *       N connections that say nothing for MS milliseconds
 *   hvs-fake-guest load PREFIX GUESTS BOOTS
 *       GUESTS processes, guest g on PREFIXg, BOOTS boots each, every
 *       record sent twice; prints accepted=, duplicate=, other=
 *   hvs-fake-guest flood PATH N close|garbage
 *       N connections, one after the other, that close at once or send
 *       garbage; prints done=
 *   hvs-fake-guest soak PREFIX GUESTS BOOTS [FIRST]
 *       GUESTS processes; for each boot (FIRST to FIRST+BOOTS-1) of each guest: the record until it
 *       is accepted ('failed' and closed connections are retried, as a
 *       receiver out of descriptors may give them), the same again
 *       (duplicate), another range (conflict); prints the counts, and
 *       wrong= for every answer the protocol's rules do not allow
 *   hvs-fake-guest state-name < PEER
 *       the state file name hv-swiotlb-recv(8) documents for PEER, written
 *       here from the page, not from the receiver's code
 *   hvs-fake-guest soak-check PREFIX GUESTS LAST
 *       after a restart: each guest's boot LAST is still decided
 *       (duplicate, and conflict for another range); prints the counts
 *   hvs-fake-guest collide PATH
 *       another path of the same length whose peer name (unix:PATH) cleans
 *       to the same state file name and has the same CRC-32C, as a tenant
 *       who names VMs could forge: PATH's '_' bytes become '_' or '+'
 *   hvs-fake-guest stalled-tty PIDFILE CMD [ARG]...
 *       CMD with its standard output on a terminal (a pty) that nobody
 *       reads, as a stalled ssh session; CMD's pid in PIDFILE; exits as
 *       CMD does, printing exit=N
 *   hvs-fake-guest storm PREFIX PATHS GUESTS RATE LATENCY_FILE
 *       a boot storm, open loop: GUESTS guests arriving at RATE per second,
 *       guest g on PREFIX(g % PATHS) with a boot id of its own, each one
 *       connection and one record (its base 0x8000000 + (g % 1024) MiB);
 *       per guest, as it ends, "LATENCY g ACCEPTED BOOT_ID BASE" in
 *       LATENCY_FILE (the microseconds from connect() to the
 *       acknowledgement; ACCEPTED 1 or 0); prints accepted=, other=, behind_us= (how late the last start was)
 *   hvs-fake-guest notify-listen PATH|@NAME MS OUT|--stall [--full DELAY|--stamp]
 *       a systemd manager's notification socket for MS milliseconds: each
 *       datagram as one line of OUT, its newlines as spaces (with --stamp,
 *       after the CLOCK_MONOTONIC µs it was read at and a space); with --stall
 *       it binds and never reads, as a manager that hangs; with --full its
 *       queue is full (FILL=1 lines) and not read for DELAY ms, as a
 *       manager busy elsewhere
 *   hvs-fake-guest monotonic-us
 *       CLOCK_MONOTONIC now, in microseconds
 *   hvs-fake-guest hold PREFIX PATHS N SECONDS
 *       N idle connections spread over PREFIX0..PREFIX(PATHS-1), each one
 *       opened again when the receiver closes it, for SECONDS; prints
 *       opened= once all are open, then reopened= at the end
 */
#include "wire.h"

#include <errno.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), tries;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	for (tries = 0; tries < 200; tries++) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return fd;
		if (errno != EAGAIN && errno != ECONNREFUSED && errno != ENOENT)
			break;
		poll(NULL, 0, 10); /* backlog full: the receiver is busy */
	}
	close(fd);
	return -1;
}

/* Read an acknowledgement for up to 5 s: its status, -1 closed, -2 timeout. */
static int read_ack(int fd, uint64_t nonce)
{
	uint8_t buf[HVS_WIRE_MAX_LEN];
	size_t got = 0;
	struct hvs_ack a;

	while (got < HVS_ACK_V1_LEN) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0)
			return -2;
		n = read(fd, buf + got, sizeof(buf) - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	if (hvs_ack_decode(buf, got, &a) != HVS_WIRE_OK || a.nonce != nonce)
		return -3;
	return a.status;
}

static const char *result_name(int r)
{
	if (r == -1)
		return "closed";
	if (r == -2)
		return "timeout";
	if (r == -3)
		return "bad-ack";
	return hvs_ack_status_name((unsigned)r);
}

static void reseal(uint8_t *f, size_t len)
{
	uint32_t c = hvs_crc32c(f, len - 4);

	f[len - 4] = (uint8_t)c;
	f[len - 3] = (uint8_t)(c >> 8);
	f[len - 2] = (uint8_t)(c >> 16);
	f[len - 1] = (uint8_t)(c >> 24);
}

static int send_bytes(int fd, const uint8_t *p, size_t n, int gap_ms)
{
	size_t i;

	if (gap_ms <= 0)
		return write(fd, p, n) == (ssize_t)n ? 0 : -1;
	for (i = 0; i < n; i++) {
		if (write(fd, p + i, 1) != 1)
			return -1;
		poll(NULL, 0, gap_ms);
	}
	return 0;
}

static void make_boot(uint8_t id[16], unsigned g, unsigned b)
{
	memset(id, 0, 16);
	id[0] = (uint8_t)(g >> 8);
	id[1] = (uint8_t)g;
	id[2] = (uint8_t)(b >> 8);
	id[3] = (uint8_t)b;
	id[15] = 0x42;
}

/*
 * One guest's boots. With HVS_LATENCY_FILE set, each handoff's latency in
 * microseconds is appended there, one line each (for make bench).
 */
static int one_guest(const char *prefix, unsigned g, unsigned boots, int out)
{
	char path[200], *lat = NULL;
	size_t lat_len = 0, lat_cap = 0;
	unsigned counts[3] = { 0, 0, 0 }, b, k;
	const char *lat_file = getenv("HVS_LATENCY_FILE");

	if (lat_file) {
		lat_cap = (size_t)boots * 2 * 12 + 1;
		lat = malloc(lat_cap);
		if (!lat)
			return 1;
	}

	snprintf(path, sizeof(path), "%s%u", prefix, g);
	for (b = 0; b < boots; b++) {
		for (k = 0; k < 2; k++) {
			struct hvs_record r;
			uint8_t f[HVS_RECORD_V1_LEN];
			int fd, st;

			memset(&r, 0, sizeof(r));
			r.nonce = ((uint64_t)g << 32) | (b << 1) | k;
			r.base = 0x8000000;
			r.size = 0x4000000;
			make_boot(r.boot_id, g, b);
			long long t0 = now_us();

			hvs_record_encode(&r, f);
			fd = connect_to(path);
			st = fd < 0 ? -1 : (send_bytes(fd, f, sizeof(f), 0), read_ack(fd, r.nonce));
			if (fd >= 0)
				close(fd);
			if (lat)
				lat_len += (size_t)snprintf(lat + lat_len, lat_cap - lat_len, "%lld\n",
							    now_us() - t0);
			counts[st == HVS_ACK_ACCEPTED ? 0 : st == HVS_ACK_DUPLICATE ? 1 : 2]++;
		}
	}
	if (lat) {
		int fd = open(lat_file, O_WRONLY | O_APPEND | O_CREAT, 0644);

		/* One O_APPEND write per guest: lines of guests never interleave. */
		if (fd >= 0) {
			if (write(fd, lat, lat_len) != (ssize_t)lat_len)
				fprintf(stderr, "short latency write\n");
			close(fd);
		}
		free(lat);
	}
	return write(out, counts, sizeof(counts)) == (ssize_t)sizeof(counts) ? 0 : 1;
}

/* One record on a new connection: its answer, or -1 closed, -2 timeout, -4 unreachable. */
static int exchange(const char *path, const struct hvs_record *r)
{
	uint8_t f[HVS_RECORD_V1_LEN];
	int fd, st;

	hvs_record_encode(r, f);
	fd = connect_to(path);
	if (fd < 0)
		return -4;
	st = send_bytes(fd, f, sizeof(f), 0) < 0 ? -1 : read_ack(fd, r->nonce);
	close(fd);
	return st;
}

enum { S_ACCEPTED, S_DUPLICATE, S_CONFLICT, S_RETRIED, S_WRONG, S_COUNT };

static void soak_record(struct hvs_record *r, unsigned g, unsigned b, unsigned k)
{
	memset(r, 0, sizeof(*r));
	r->nonce = ((uint64_t)g << 40) | ((uint64_t)b << 8) | k;
	r->base = 0x8000000 + (k == 2 ? 0x4000000 : 0);
	r->size = 0x4000000;
	make_boot(r->boot_id, g, b);
}

/* Until accepted: retry what a receiver short of resources may answer. */
static void until_accepted(const char *path, struct hvs_record *r, unsigned *c)
{
	long long give_up = now_us() + 20000000;
	int st;

	for (;;) {
		st = exchange(path, r);
		if (st == HVS_ACK_ACCEPTED) {
			c[S_ACCEPTED]++;
			return;
		}
		if (st == HVS_ACK_DUPLICATE) {
			/* Applied, but our answer was lost: a resend is a duplicate. */
			c[S_ACCEPTED]++;
			return;
		}
		if ((st != HVS_ACK_FAILED && st != -1 && st != -2 && st != -4) ||
		    now_us() > give_up) {
			fprintf(stderr, "soak: %s: the first record got %s\n", path,
				result_name(st));
			c[S_WRONG]++;
			return;
		}
		c[S_RETRIED]++;
		poll(NULL, 0, 20);
	}
}

static void expect(const char *path, const struct hvs_record *r, int want, unsigned *c)
{
	int st, tries = 0;

	/* Out of descriptors, a connection may be closed unanswered: try again. */
	while ((st = exchange(path, r)) < 0 && tries++ < 200)
		poll(NULL, 0, 20);
	if (st == want) {
		c[want == HVS_ACK_DUPLICATE ? S_DUPLICATE : S_CONFLICT]++;
		return;
	}
	fprintf(stderr, "soak: %s: want %s, got %s\n", path, hvs_ack_status_name((unsigned)want),
		result_name(st));
	c[S_WRONG]++;
}

static int soak_guest(const char *prefix, unsigned g, unsigned first, unsigned end, int check,
		      int out)
{
	unsigned c[S_COUNT] = { 0 }, b;
	char path[200];
	struct hvs_record r;

	snprintf(path, sizeof(path), "%s%u", prefix, g);
	for (b = first; b < end; b++) {
		if (!check) {
			soak_record(&r, g, b, 0);
			until_accepted(path, &r, c);
		}
		soak_record(&r, g, b, 1);
		expect(path, &r, HVS_ACK_DUPLICATE, c);
		soak_record(&r, g, b, 2);
		expect(path, &r, HVS_ACK_CONFLICT, c);
	}
	return write(out, c, sizeof(c)) == (ssize_t)sizeof(c) ? 0 : 1;
}

/* What each guest process is told: the same for all, but its number. */
struct fleet {
	const char *prefix;
	unsigned first, end, boots;
	int check;
};

/*
 * One process per guest, each running guest(f, g, fd) and writing its n
 * counts to fd; their sums in totals (n at most S_COUNT).
 */
static int fan_out(const struct fleet *f, unsigned guests,
		   int (*guest)(const struct fleet *f, unsigned g, int out), unsigned *totals,
		   size_t n)
{
	unsigned c[S_COUNT], g;
	size_t k;
	int p[2];

	memset(totals, 0, n * sizeof(*totals));
	if (pipe(p) < 0)
		return 2;
	for (g = 0; g < guests; g++) {
		if (fork() == 0) {
			close(p[0]);
			_exit(guest(f, g, p[1]));
		}
	}
	close(p[1]);
	while (read(p[0], c, n * sizeof(*c)) == (ssize_t)(n * sizeof(*c)))
		for (k = 0; k < n; k++)
			totals[k] += c[k];
	close(p[0]);
	while (wait(NULL) > 0)
		;
	return 0;
}

static int soak_one(const struct fleet *f, unsigned g, int out)
{
	return soak_guest(f->prefix, g, f->first, f->end, f->check, out);
}

static int soak(const char *prefix, unsigned guests, unsigned first, unsigned end, int check)
{
	const struct fleet f = { prefix, first, end, 0, check };
	unsigned totals[S_COUNT];

	if (fan_out(&f, guests, soak_one, totals, S_COUNT))
		return 2;
	printf("accepted=%u\nduplicate=%u\nconflict=%u\nretried=%u\nwrong=%u\n",
	       totals[S_ACCEPTED], totals[S_DUPLICATE], totals[S_CONFLICT], totals[S_RETRIED],
	       totals[S_WRONG]);
	return 0;
}

/* One record sent again and again, as a guest in a loop; the base moved each time if vary. */
static int repeat(const char *path, struct hvs_record *r, int n, int vary, int pause_ms)
{
	unsigned counts[HVS_ACK_FAILED + 2] = { 0 };
	uint64_t first = r->base;
	int i, st;

	for (i = 0; i < n; i++) {
		r->nonce = 0x5e9e000000000000ull + (uint64_t)i;
		if (vary)
			r->base = first + (uint64_t)(i % 1024) * 0x200000;
		st = exchange(path, r);
		counts[st >= 0 && st <= HVS_ACK_FAILED ? st : HVS_ACK_FAILED + 1]++;
		if (pause_ms)
			poll(NULL, 0, pause_ms);
	}
	printf("accepted=%u\nduplicate=%u\nconflict=%u\ninvalid=%u\nunsupported=%u\nfailed=%u\n"
	       "other=%u\nlast_base=0x%llx\n", counts[0], counts[1], counts[2], counts[3], counts[4],
	       counts[5], counts[6], (unsigned long long)r->base);
	return 0;
}

static int flood(const char *path, int n, const char *how)
{
	int i, done = 0;

	for (i = 0; i < n; i++) {
		int fd = connect_to(path);

		if (fd < 0)
			continue;
		if (!strcmp(how, "garbage"))
			(void)!write(fd, "GET / HTTP/1.0\r\n\r\n", 18);
		close(fd);
		done++;
	}
	printf("done=%d\n", done);
	return 0;
}

static int load_one(const struct fleet *f, unsigned g, int out)
{
	return one_guest(f->prefix, g, f->boots, out);
}

static int load(const char *prefix, unsigned guests, unsigned boots)
{
	const struct fleet f = { prefix, 0, 0, boots, 0 };
	unsigned totals[3];

	if (fan_out(&f, guests, load_one, totals, 3))
		return 2;
	printf("accepted=%u\nduplicate=%u\nother=%u\n", totals[0], totals[1], totals[2]);
	return 0;
}

/*
 * Two peer names the receiver's documented file-name rule maps alike: the
 * same length and cleaned form, and a CRC-32C collision found by linear
 * algebra (CRC is affine over GF(2) for messages of one length).
 */
static int collide(const char *path)
{
	char a[200], b[200];
	uint32_t basis_v[32] = { 0 };
	uint64_t basis_m[32] = { 0 }, mask = 0;
	size_t n = strlen(path), pos[64], npos = 0, i;

	snprintf(a, sizeof(a), "unix:%s", path);
	for (i = 0; a[i] && npos < 64; i++)
		if (a[i] == '_')
			pos[npos++] = i;
	for (i = 0; i < npos && !mask; i++) {
		uint32_t v;
		uint64_t m = 1ull << i;
		int bit;

		memcpy(b, a, sizeof(b));
		b[pos[i]] = '+';
		v = hvs_crc32c(a, strlen(a)) ^ hvs_crc32c(b, strlen(b));
		for (bit = 31; bit >= 0 && v; bit--) {
			if (!(v >> bit & 1))
				continue;
			if (!basis_v[bit]) {
				basis_v[bit] = v;
				basis_m[bit] = m;
				v = 0;
				m = 0;
				break;
			}
			v ^= basis_v[bit];
			m ^= basis_m[bit];
		}
		if (m && !v)
			mask = m; /* these flips together leave the CRC as it was */
	}
	if (!mask || n + 5 >= sizeof(a)) {
		fprintf(stderr, "collide: give a path with at least 40 '_'\n");
		return 2;
	}
	memcpy(b, a, sizeof(b));
	for (i = 0; i < npos; i++)
		if (mask >> i & 1)
			b[pos[i]] = '+';
	printf("%s\n", b + 5);
	return 0;
}

static int stalled_tty(const char *pidfile, char **cmd)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY), s, st;
	pid_t pid;
	FILE *f;

	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 ||
	    (s = open(ptsname(m), O_RDWR | O_NOCTTY)) < 0) {
		perror("stalled-tty: a pty");
		return 2;
	}
	pid = fork();
	if (pid == 0) {
		dup2(s, 1);
		close(s);
		close(m);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(s);
	f = fopen(pidfile, "w");
	if (f) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
	/* The master stays open and is never read: the terminal fills up. */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	printf("exit=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	return 0;
}

/* A non-blocking connection to path: its fd, or -1 (retry later on EAGAIN). */
static int connect_nb(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

struct storm_guest {
	long long t0;
	int fd;
	uint8_t boot_id[16];
	uint64_t base;
	size_t got;
	uint8_t ack[HVS_ACK_V1_LEN];
};

/* Guest g of the storm: connect and send at once; 0, or -1 to try again. */
static int storm_start(struct storm_guest *sg, const char *prefix, unsigned paths, unsigned g,
		       int ep)
{
	struct epoll_event ev = { EPOLLIN, { .u32 = g } };
	struct hvs_record r;
	uint8_t f[HVS_RECORD_V1_LEN];
	char path[200];

	memset(&r, 0, sizeof(r));
	r.nonce = 0x5700000000ull | g;
	r.base = 0x8000000 + (uint64_t)(g % 1024) * 0x100000;
	r.size = 0x4000000;
	make_boot(r.boot_id, g % 65536, 0x5700 + g / 65536);
	r.boot_id[14] = (uint8_t)getpid();
	hvs_record_encode(&r, f);
	memcpy(sg->boot_id, r.boot_id, 16);
	sg->base = r.base;
	snprintf(path, sizeof(path), "%s%u", prefix, g % paths);
	sg->t0 = now_us();
	sg->fd = connect_nb(path);
	if (sg->fd < 0)
		return -1;
	if (write(sg->fd, f, sizeof(f)) != (ssize_t)sizeof(f) ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, sg->fd, &ev) < 0) {
		close(sg->fd);
		sg->fd = -1;
		return -1;
	}
	return 0;
}

/* An acknowledgement's bytes arrived for sg: 1 when it is whole (or gone). */
static int storm_read(struct storm_guest *sg, unsigned g, FILE *lat, unsigned *counts)
{
	ssize_t n = read(sg->fd, sg->ack + sg->got, sizeof(sg->ack) - sg->got);
	struct hvs_ack a;
	char id[37];
	int ok;

	if (n > 0)
		sg->got += (size_t)n;
	if (n > 0 && sg->got < sizeof(sg->ack))
		return 0;
	if (n < 0 && errno == EAGAIN)
		return 0;
	ok = sg->got == sizeof(sg->ack) && hvs_ack_decode(sg->ack, sg->got, &a) == HVS_WIRE_OK &&
	     a.status == HVS_ACK_ACCEPTED;
	hvs_uuid_format(sg->boot_id, id);
	fprintf(lat, "%lld %u %d %s 0x%llx\n", now_us() - sg->t0, g, ok, id,
		(unsigned long long)sg->base);
	counts[ok ? 0 : 1]++;
	close(sg->fd);
	sg->fd = -1;
	return 1;
}

static int storm(const char *prefix, unsigned paths, unsigned guests, unsigned rate,
		 const char *lat_file)
{
	struct storm_guest *sg = calloc(guests, sizeof(*sg));
	FILE *lat = fopen(lat_file, "w");
	int ep = epoll_create1(EPOLL_CLOEXEC);
	unsigned next = 0, done = 0, counts[2] = { 0, 0 };
	long long start = now_us(), behind = 0;

	if (!sg || !lat || ep < 0 || !paths || !rate)
		return 2;
	/* Every wait has a deadline: 10 s after the last guest was due. */
	long long give_up = start + (long long)guests * 1000000 / rate + 10000000;

	while (done < guests && now_us() < give_up) {
		struct epoll_event ev[64];
		long long now = now_us(), due = start + (long long)next * 1000000 / rate;
		struct pollfd p = { ep, POLLIN, 0 };
		struct timespec ts = { 0, 0 };
		int n, i;

		while (next < guests && now >= due) {
			if (storm_start(&sg[next], prefix, paths, next, ep) < 0)
				break; /* the backlog is full: again in a moment */
			behind = now - due;
			next++;
			due = start + (long long)next * 1000000 / rate;
		}
		if (next < guests && due > now)
			ts.tv_nsec = (long)(due - now) * 1000;
		else if (next < guests)
			ts.tv_nsec = 50000;
		else
			ts.tv_sec = 1;
		if (ppoll(&p, 1, &ts, NULL) <= 0)
			continue;
		n = epoll_wait(ep, ev, 64, 0);
		for (i = 0; i < n; i++)
			done += (unsigned)storm_read(&sg[ev[i].data.u32], ev[i].data.u32, lat, counts);
	}
	fclose(lat);
	printf("accepted=%u\nother=%u\nunfinished=%u\nbehind_us=%lld\n", counts[0], counts[1],
	       guests - done, behind);
	free(sg);
	return 0;
}

static int hold(const char *prefix, unsigned paths, unsigned n, unsigned seconds)
{
	int *fds = calloc(n, sizeof(int)), ep = epoll_create1(EPOLL_CLOEXEC);
	long long end = now_us() + (long long)seconds * 1000000;
	unsigned i, open_now = 0, reopened = 0;
	struct rlimit rl = { n + 64, n + 64 };
	char path[200];

	(void)setrlimit(RLIMIT_NOFILE, &rl);
	if (!fds || ep < 0)
		return 2;
	for (i = 0; i < n; i++)
		fds[i] = -1;
	while (now_us() < end) {
		struct epoll_event ev[256];
		int k, got;

		for (i = 0; i < n; i++) {
			struct epoll_event want = { EPOLLRDHUP, { .u32 = i } };

			if (fds[i] >= 0)
				continue;
			snprintf(path, sizeof(path), "%s%u", prefix, i % paths);
			if ((fds[i] = connect_nb(path)) < 0)
				break;
			epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &want);
			reopened += open_now >= n;
			if (++open_now == n) {
				printf("opened=%u\n", n);
				fflush(stdout);
			}
		}
		got = epoll_wait(ep, ev, 256, 100);
		for (k = 0; k < got; k++) {
			close(fds[ev[k].data.u32]); /* closed by the receiver: open it again */
			fds[ev[k].data.u32] = -1;
		}
	}
	printf("reopened=%u\n", reopened);
	return 0;
}

/*
 * Its own receive queue filled (datagrams sent to itself until EAGAIN), so
 * that what comes next is refused, as by a manager busy elsewhere.
 */
static int fill_own_queue(int fd)
{
	struct sockaddr_un self;
	socklen_t len = sizeof(self);
	int n = 0;

	if (getsockname(fd, (struct sockaddr *)&self, &len) < 0)
		return -1;
	while (sendto(fd, "FILL=1", 6, MSG_DONTWAIT, (struct sockaddr *)&self, len) == 6)
		n++;
	return errno == EAGAIN ? n : -1;
}

static int notify_listen(const char *where, int ms, const char *out, int full_ms, int stamp)
{
	struct sockaddr_un sa;
	size_t n = strlen(where);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	long long end = now_us() + (long long)ms * 1000;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	FILE *f = strcmp(out, "--stall") ? fopen(out, "w") : NULL;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (n >= sizeof(sa.sun_path))
		return 2;
	memcpy(sa.sun_path, where, n);
	if (where[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len++;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0) {
		perror("notify-listen: bind");
		return 2;
	}
	if (full_ms > 0 && fill_own_queue(fd) < 0) {
		perror("notify-listen: filling the queue");
		return 2;
	}
	printf("listening\n");
	fflush(stdout);
	if (full_ms > 0)
		poll(NULL, 0, full_ms); /* full, and not read, for that long */
	while (now_us() < end) {
		char buf[4096];
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t k, i;

		if (!f) {
			poll(NULL, 0, 50); /* a manager that never reads */
			continue;
		}
		if (poll(&p, 1, 50) <= 0 || (k = recv(fd, buf, sizeof(buf), 0)) <= 0)
			continue;
		if (stamp)
			fprintf(f, "%lld ", now_us());
		for (i = 0; i < k; i++)
			fputc(buf[i] == '\n' ? ' ' : buf[i], f);
		fputc('\n', f);
		fflush(f);
	}
	if (where[0] != '@')
		unlink(where);
	return 0;
}

int main(int argc, char **argv)
{
	struct hvs_record r = { 0x1122334455667788ull, 0x8000000, 0x4000000, { 0 } };
	uint8_t f[HVS_WIRE_MAX_LEN + 16];
	const char *mode, *path;
	int fd, i, gap = 0, version = 1, flags = 0, count = 1, vary = 0, pause_ms = 0;

	signal(SIGPIPE, SIG_IGN);
	if (argc == 2 && !strcmp(argv[1], "state-name")) {
		char peer[256];
		size_t len = fread(peer, 1, sizeof(peer) - 1, stdin), k;

		peer[len] = '\0';
		/* Letters, digits, '-' and '.' kept, the rest '_', cut to 63; '.' CRC-32C. */
		for (k = 0; k < len && k < 63; k++) {
			char ch = peer[k];

			putchar((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				(ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ? ch : '_');
		}
		printf(".%08x\n", (unsigned)hvs_crc32c(peer, len));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "collide"))
		return collide(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "stalled-tty"))
		return stalled_tty(argv[2], argv + 3);
	if (argc == 7 && !strcmp(argv[1], "storm"))
		return storm(argv[2], (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]),
			     (unsigned)atoi(argv[5]), argv[6]);
	if (argc == 5 && !strcmp(argv[1], "notify-listen"))
		return notify_listen(argv[2], atoi(argv[3]), argv[4], 0, 0);
	if (argc == 6 && !strcmp(argv[1], "notify-listen") && !strcmp(argv[5], "--stamp"))
		return notify_listen(argv[2], atoi(argv[3]), argv[4], 0, 1);
	if (argc == 7 && !strcmp(argv[1], "notify-listen") && !strcmp(argv[5], "--full"))
		return notify_listen(argv[2], atoi(argv[3]), argv[4], atoi(argv[6]), 0);
	if (argc == 2 && !strcmp(argv[1], "monotonic-us")) {
		printf("%lld\n", now_us());
		return 0;
	}
	if (argc == 6 && !strcmp(argv[1], "hold"))
		return hold(argv[2], (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]),
			    (unsigned)atoi(argv[5]));
	if (argc < 3) {
		fprintf(stderr, "usage: see tests/fakes/fake-guest.c\n");
		return 2;
	}
	mode = argv[1];
	path = argv[2];
	if (!strcmp(mode, "load"))
		return argc == 5 ? load(path, (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4])) : 2;
	if (!strcmp(mode, "soak") && (argc == 5 || argc == 6)) {
		unsigned first = argc == 6 ? (unsigned)atoi(argv[5]) : 0;

		return soak(path, (unsigned)atoi(argv[3]), first, first + (unsigned)atoi(argv[4]), 0);
	}
	if (!strcmp(mode, "soak-check") && argc == 5)
		return soak(path, (unsigned)atoi(argv[3]), (unsigned)atoi(argv[4]),
			    (unsigned)atoi(argv[4]) + 1, 1);
	if (!strcmp(mode, "flood"))
		return argc == 5 ? flood(path, atoi(argv[3]), argv[4]) : 2;
	if (!strcmp(mode, "silent")) {
		int n = argc > 3 ? atoi(argv[3]) : 1, ms = argc > 4 ? atoi(argv[4]) : 1000;
		int *fds = calloc((size_t)n, sizeof(int)), opened = 0;

		for (i = 0; i < n; i++)
			if ((fds[i] = connect_to(path)) >= 0)
				opened++;
		printf("opened=%d\n", opened);
		fflush(stdout);
		poll(NULL, 0, ms);
		for (i = 0; i < n; i++)
			if (fds[i] >= 0)
				close(fds[i]);
		free(fds);
		return 0;
	}

	hvs_uuid_parse("6f1c2a7e-3b44-4c55-8d66-778899aabbcc", r.boot_id);
	for (i = 3; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--base"))
			r.base = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--size"))
			r.size = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--boot"))
			hvs_uuid_parse(argv[i + 1], r.boot_id);
		else if (!strcmp(argv[i], "--version"))
			version = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--flags"))
			flags = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--bytewise"))
			gap = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--count"))
			count = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--vary"))
			vary = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--pause"))
			pause_ms = atoi(argv[i + 1]);
	}
	if (!strcmp(mode, "repeat"))
		return repeat(path, &r, count, vary, pause_ms);
	hvs_record_encode(&r, f);
	if (version != 1 || flags) {
		f[4] = (uint8_t)version;
		f[48] = (uint8_t)flags;
		reseal(f, HVS_RECORD_V1_LEN);
	}
	fd = connect_to(path);
	if (fd < 0) {
		printf("result=unreachable\n");
		return 1;
	}
	if (!strcmp(mode, "send")) {
		send_bytes(fd, f, HVS_RECORD_V1_LEN, gap);
	} else if (!strcmp(mode, "truncated")) {
		send_bytes(fd, f, 30, 0);
		shutdown(fd, SHUT_WR);
	} else if (!strcmp(mode, "oversized")) {
		f[6] = 0xff;
		f[7] = 0xff;
		memset(f + 8, 'A', HVS_WIRE_MAX_LEN);
		send_bytes(fd, f, HVS_WIRE_MAX_LEN + 8, 0);
	} else if (!strcmp(mode, "bad-crc")) {
		f[53] ^= 0x5a;
		send_bytes(fd, f, HVS_RECORD_V1_LEN, 0);
	} else if (!strcmp(mode, "trailing")) {
		memset(f + HVS_RECORD_V1_LEN, 0, 8);
		send_bytes(fd, f, HVS_RECORD_V1_LEN + 8, 0);
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	printf("result=%s\n", result_name(read_ack(fd, r.nonce)));
	close(fd);
	return 0;
}
