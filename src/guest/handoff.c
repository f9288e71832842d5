/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "handoff.h"

#include "deadline.h"
#include "errname.h"
#include "log.h"
#include "numbers.h"
#include "text.h"
#include "vsock.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define BACKOFF_FIRST_MS 100u
#define BACKOFF_MAX_MS 1000u

int hvs_target_parse(const char *text, struct hvs_target *t, const char **why)
{
	memset(t, 0, sizeof(*t));
	if (strncmp(text, "unix:", 5) == 0) {
		size_t n = strlen(text + 5);

		if (n == 0 || n >= sizeof(t->path)) {
			*why = "unix:PATH needs a path of 1 to 107 bytes";
			return -1;
		}
		t->kind = HVS_TARGET_UNIX;
		memcpy(t->path, text + 5, n + 1);
		return 0;
	}
	if (strncmp(text, "vsock:", 6) == 0) {
		char cid[16];
		const char *colon = strchr(text + 6, ':');
		size_t n = colon ? (size_t)(colon - (text + 6)) : 0;

		if (!colon || n == 0 || n >= sizeof(cid)) {
			*why = "expected vsock:CID:PORT";
			return -1;
		}
		memcpy(cid, text + 6, n);
		cid[n] = '\0';
		if (hvs_parse_u32(cid, &t->cid) < 0 || !hvs_valid_cid(t->cid) ||
		    hvs_parse_u32(colon + 1, &t->port) < 0 || !hvs_valid_port(t->port)) {
			*why = "vsock:CID:PORT needs a CID and a port from 1 to 4294967294";
			return -1;
		}
		t->kind = HVS_TARGET_VSOCK;
		return 0;
	}
	*why = "a target is vsock:CID:PORT or unix:PATH";
	return -1;
}

void hvs_target_format(const struct hvs_target *t, char *buf, size_t cap)
{
	if (t->kind == HVS_TARGET_UNIX)
		hvs_snprintf(buf, cap, "unix:%s", t->path);
	else
		hvs_snprintf(buf, cap, "vsock:%u:%u", (unsigned)t->cid, (unsigned)t->port);
}

/*
 * The socket blocks: every blocking call below (connect, send, recv) is
 * ended by the deadline's SIGALRM, which guard.c installs without
 * SA_RESTART, with EINTR; the stop signals never return. So a prompt host
 * costs one recv() and no poll() or clock reading. Should the alarm come
 * between the check of interrupted() and the call, the grace alarm that
 * follows it ends the run HVS_GRACE_MS later (deadline.h).
 */
static int interrupted(void)
{
	if (!hvs_deadline_fired() && errno != EINTR)
		return 0;
	errno = ETIMEDOUT;
	return 1;
}

/* Sleep up to ms, never past the deadline. */
static void nap(unsigned ms)
{
	unsigned left = hvs_deadline_left_ms();

	if (ms > left)
		ms = left;
	if (ms)
		(void)poll(NULL, 0, (int)ms); /* EINTR means the deadline: fine */
}

enum attempt_result { ATTEMPT_DONE, ATTEMPT_RETRY };

static const char *connect_hint(const struct hvs_target *t, int err)
{
	if (t->kind == HVS_TARGET_VSOCK &&
	    (err == ENODEV || err == EAFNOSUPPORT || err == ESOCKTNOSUPPORT ||
	     err == EADDRNOTAVAIL))
		return " (no vsock transport: load hv_sock on Hyper-V, "
		       "vmw_vsock_virtio_transport on KVM)";
	if (err == ETIMEDOUT || err == ECONNREFUSED || err == ENOENT ||
	    err == ECONNRESET)
		return " (is a receiver listening there?)";
	return "";
}

static int open_and_connect(const struct hvs_target *t, struct hvs_handoff_result *res)
{
	struct sockaddr_un un;
	struct sockaddr_vm vm;
	struct sockaddr *sa;
	socklen_t salen;
	int fd, err;

	fd = socket(t->kind == HVS_TARGET_UNIX ? AF_UNIX : AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		goto fail;

	if (t->kind == HVS_TARGET_UNIX) {
		memset(&un, 0, sizeof(un));
		un.sun_family = AF_UNIX;
		memcpy(un.sun_path, t->path, strlen(t->path) + 1);
		sa = (struct sockaddr *)&un;
		salen = sizeof(un);
	} else {
		unsigned left = hvs_deadline_left_ms();
		struct timeval tv;

		/*
		 * hv_sock ignores the host's refusal and waits out the connect
		 * timeout (2 s by default): never let it wait past our deadline.
		 */
		tv.tv_sec = left / 1000;
		tv.tv_usec = (long)(left % 1000) * 1000;
		(void)setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &tv, sizeof(tv));
		memset(&vm, 0, sizeof(vm));
		vm.svm_family = AF_VSOCK;
		vm.svm_cid = t->cid;
		vm.svm_port = t->port;
		sa = (struct sockaddr *)&vm;
		salen = sizeof(vm);
	}

	if (!hvs_deadline_fired() && connect(fd, sa, salen) == 0)
		return fd;
	(void)interrupted();
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	hvs_snprintf(res->detail, sizeof(res->detail), "cannot connect: %s%s",
		 hvs_errname(err), connect_hint(t, err));
	return -1;
}

static int send_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = hvs_deadline_fired() ? -1 : send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && interrupted())
			return -1;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The host hung up: end of stream, a reset (it closed with our record unread), a broken pipe. */
static int host_closed(int err)
{
	return err == ECONNRESET || err == EPIPE;
}

/*
 * Read one acknowledgement frame: its header tells its length, and bytes
 * after it are ignored (hv-swiotlb-protocol(7)). Returns the frame
 * length, 0 when the host closed the connection before a whole frame
 * (*got says how far), or -1 with errno (ETIMEDOUT at the deadline, or
 * EPROTO with *wire_err set for a header no host should send).
 */
static ssize_t read_frame(int fd, uint8_t *buf, size_t cap, size_t *got,
			  enum hvs_wire_result *wire_err)
{
	size_t need = 8;

	*got = 0;
	while (*got < need) {
		ssize_t n = hvs_deadline_fired() ? -1 : recv(fd, buf + *got, cap - *got, 0);

		if (n > 0) {
			struct hvs_header h;
			enum hvs_wire_result r;

			*got += (size_t)n;
			r = hvs_header_peek(buf, *got, &h);
			if (r != HVS_WIRE_OK && r != HVS_WIRE_SHORT) {
				*wire_err = r;
				errno = EPROTO;
				return -1;
			}
			if (r == HVS_WIRE_OK)
				need = h.length;
			continue;
		}
		if (n == 0 || (!hvs_deadline_fired() && host_closed(errno)))
			return 0;
		(void)interrupted();
		return -1;
	}
	return (ssize_t)need;
}

static enum attempt_result attempt(const struct hvs_target *t, const uint8_t *rec,
				   size_t rec_len, uint64_t nonce,
				   struct hvs_handoff_result *res)
{
	uint8_t frame[HVS_WIRE_MAX_LEN];
	enum hvs_wire_result wr = HVS_WIRE_OK;
	size_t got = 0;
	ssize_t len;
	int fd;

	fd = open_and_connect(t, res);
	if (fd < 0) {
		res->outcome = HVS_HANDOFF_UNREACHABLE;
		return ATTEMPT_RETRY;
	}
	hvs_debug("attempt %u: connected", res->attempts);
	if (send_all(fd, rec, rec_len) < 0) {
		int err = errno;

		close(fd);
		if (host_closed(err)) {
			res->outcome = HVS_HANDOFF_PROTOCOL;
			hvs_snprintf(res->detail, sizeof(res->detail),
				 "the host closed the connection before taking the record");
		} else {
			res->outcome = HVS_HANDOFF_UNREACHABLE;
			hvs_snprintf(res->detail, sizeof(res->detail),
				 "sending the record failed: %s", hvs_errname(err));
		}
		return err == ETIMEDOUT ? ATTEMPT_DONE : ATTEMPT_RETRY;
	}
	hvs_debug("attempt %u: record sent (%u bytes), waiting for the acknowledgement",
		  res->attempts, (unsigned)rec_len);
	len = read_frame(fd, frame, sizeof(frame), &got, &wr);
	close(fd);

	if (len == 0) {
		/* The host went away mid-answer: it may be restarting. */
		res->outcome = HVS_HANDOFF_PROTOCOL;
		if (got == 0)
			hvs_snprintf(res->detail, sizeof(res->detail),
				 "the host closed the connection without answering");
		else
			hvs_snprintf(res->detail, sizeof(res->detail),
				 "the host closed the connection after %u bytes of its answer",
				 (unsigned)got);
		return ATTEMPT_RETRY;
	}
	if (len < 0 && errno == EPROTO) {
		res->outcome = HVS_HANDOFF_PROTOCOL;
		hvs_snprintf(res->detail, sizeof(res->detail),
			 "the host's answer is not an hv-swiotlb acknowledgement (%s)",
			 hvs_wire_result_text(wr));
		return ATTEMPT_DONE;
	}
	if (len < 0) {
		int err = errno;

		res->outcome = HVS_HANDOFF_UNREACHABLE;
		if (err == ETIMEDOUT && got == 0)
			hvs_snprintf(res->detail, sizeof(res->detail),
				 "connected, but no acknowledgement came before the deadline");
		else if (err == ETIMEDOUT)
			hvs_snprintf(res->detail, sizeof(res->detail),
				 "only %u bytes of the acknowledgement came before the deadline",
				 (unsigned)got);
		else
			hvs_snprintf(res->detail, sizeof(res->detail),
				 "reading the acknowledgement failed: %s", hvs_errname(err));
		return err == ETIMEDOUT ? ATTEMPT_DONE : ATTEMPT_RETRY;
	}

	/* Judge the frame alone: what came after it is ignored. */
	wr = hvs_ack_decode(frame, (size_t)len, &res->ack);
	if (wr != HVS_WIRE_OK) {
		res->outcome = HVS_HANDOFF_PROTOCOL;
		hvs_snprintf(res->detail, sizeof(res->detail),
			 "the host's acknowledgement is invalid (%s)", hvs_wire_result_text(wr));
		return ATTEMPT_DONE;
	}
	if (res->ack.nonce != nonce) {
		res->outcome = HVS_HANDOFF_PROTOCOL;
		hvs_snprintf(res->detail, sizeof(res->detail),
			 "the host acknowledged another record (nonce %016llx, ours %016llx)",
			 (unsigned long long)res->ack.nonce, (unsigned long long)nonce);
		return ATTEMPT_DONE;
	}
	if (res->ack.status == HVS_ACK_ACCEPTED || res->ack.status == HVS_ACK_DUPLICATE) {
		res->outcome = HVS_HANDOFF_ACKED;
		res->detail[0] = '\0';
		return ATTEMPT_DONE;
	}
	res->outcome = HVS_HANDOFF_REFUSED;
	if (res->ack.status == HVS_ACK_UNSUPPORTED)
		hvs_snprintf(res->detail, sizeof(res->detail),
			 "the host refused the record: it speaks protocol version %u at most, "
			 "this guest sends version %u", res->ack.max_version, HVS_WIRE_VERSION);
	else
		hvs_snprintf(res->detail, sizeof(res->detail), "the host refused the record: %s",
			 hvs_ack_status_name(res->ack.status));
	return ATTEMPT_DONE;
}

void hvs_handoff(const struct hvs_target *t, const struct hvs_record *r,
		 struct hvs_handoff_result *res)
{
	uint8_t rec[HVS_RECORD_V1_LEN];
	size_t rec_len = hvs_record_encode(r, rec);
	unsigned backoff = BACKOFF_FIRST_MS;

	memset(res, 0, sizeof(res[0]));
	res->outcome = HVS_HANDOFF_UNREACHABLE;
	hvs_snprintf(res->detail, sizeof(res->detail), "no attempt before the deadline");
	/* The first attempt needs no check: its waits stop at the deadline. */
	do {
		res->attempts++;
		if (attempt(t, rec, rec_len, r->nonce, res) == ATTEMPT_DONE)
			return;
		hvs_debug("attempt %u failed: %s; next in %u ms", res->attempts,
			  res->detail, backoff);
		nap(backoff);
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	} while (!hvs_deadline_passed());
}
