/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "status.h"

#include "compat.h"
#include "fileio.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void key(struct hvs_text *t, const char *k)
{
	hvs_text_str(t, k);
	hvs_text_char(t, '=');
}

static void line_esc(struct hvs_text *t, const char *k, const char *v)
{
	key(t, k);
	hvs_text_esc(t, v ? v : "");
	hvs_text_char(t, '\n');
}

static void line_u64(struct hvs_text *t, const char *k, uint64_t v)
{
	key(t, k);
	hvs_text_u64(t, v);
	hvs_text_char(t, '\n');
}

size_t hvs_status_format(const struct hvs_status *s, char *buf, size_t cap)
{
	struct hvs_text t;

	hvs_text_init(&t, buf, cap);
	line_esc(&t, "state", s->state);
	line_esc(&t, "verdict", s->verdict);
	if (s->have_pool) {
		key(&t, "base");
		hvs_text_hex(&t, s->base);
		hvs_text_char(&t, '\n');
		line_u64(&t, "size", s->size);
	}
	line_u64(&t, "requested", s->requested);
	if (s->target)
		line_esc(&t, "target", s->target);
	line_u64(&t, "attempts", s->attempts);
	line_u64(&t, "elapsed_ms", s->elapsed_ms);
	if (s->ack)
		line_esc(&t, "ack", s->ack);
	line_u64(&t, "required", s->required != 0);
	if (s->crash)
		line_u64(&t, "crash_kernel", 1);
	line_u64(&t, "exit", (uint64_t)(unsigned)s->exit_code);
	line_esc(&t, "reason", s->reason);
	return t.cut ? 0 : t.len;
}

/*
 * O_EXCL with O_NOFOLLOW never follows a link and never opens what it did
 * not create, so nothing here can block.
 */
static int create_new(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
		    O_NOCTTY, 0644);
}

int hvs_status_write(const char *run_dir, const struct hvs_status *s)
{
	char dir[512], path[512], tmp[512], text[2048];
	size_t len = hvs_status_format(s, text, sizeof(text));
	int fd, saved;

	if (len == 0) {
		errno = EOVERFLOW;
		return -1;
	}
	if (hvs_path_join(dir, sizeof(dir), run_dir, "/hv-swiotlb") < 0 ||
	    hvs_path_join(path, sizeof(path), dir, "/status") < 0 ||
	    hvs_path_join(tmp, sizeof(tmp), dir, "/status.tmp") < 0)
		return -1;
	/* /run exists before any initramfs hook runs: one level to make. */
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -1;
	/*
	 * Whatever already sits at the temporary name (a FIFO that would
	 * block an open for writing, a dangling symlink, a file of an earlier
	 * run) is removed and the name created afresh; a directory there is
	 * refused. No fsync: /run is a tmpfs, and the rename alone makes a
	 * reader see the old file or the new one, never half of one.
	 */
	fd = create_new(tmp);
	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = create_new(tmp); /* a second stranger in between: give up */
	if (fd < 0)
		return -1;
	if (hvs_write_all(fd, text, len) < 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}
