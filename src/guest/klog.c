/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "klog.h"

#include "compat.h"
#include "guard.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Bounded strstr: line is not NUL-terminated. */
static const char *find(const char *line, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n > len)
		return NULL;
	for (i = 0; i + n <= len; i++)
		if (memcmp(line + i, needle, n) == 0)
			return line + i;
	return NULL;
}

/* Copy the token that starts at p (up to blank, ';' or the end). */
static void copy_token(char *out, size_t cap, const char *p, const char *end)
{
	size_t i = 0;

	while (p < end && *p != ' ' && *p != ';' && *p != '\n' && i + 1 < cap)
		out[i++] = *p++;
	out[i] = '\0';
}

/* "PRIO,SEQ,USEC,FLAGS;" opens every /dev/kmsg record: skip it. */
static size_t kmsg_prefix_len(const char *line, size_t len)
{
	size_t i, commas = 0;

	for (i = 0; i < len; i++) {
		if (line[i] == ';')
			return commas >= 3 ? i + 1 : 0;
		if (line[i] == ',')
			commas++;
		else if (commas < 3 && (line[i] < '0' || line[i] > '9'))
			return 0;
	}
	return 0;
}

void hvs_klog_scan_line(const char *line, size_t len, struct hvs_klog *k)
{
	const char *end, *p;
	size_t skip;

	if (len == 0 || line[0] == ' ')
		return; /* continuation lines carry only KEY=value metadata */
	skip = kmsg_prefix_len(line, len);
	line += skip;
	len -= skip;
	end = line + len;

	if (find(line, len, "hv_pci: ignoring hv_pci_swiotlb="))
		k->flags |= HVS_KLOG_IGNORED_PARAM;
	if (find(line, len, "hv_pci: CONFIG_CONTIG_ALLOC disabled"))
		k->flags |= HVS_KLOG_NO_CONTIG;
	if ((p = find(line, len, "hv_pci: failed to allocate ")) != NULL &&
	    find(line, len, "swiotlb pool below 4G")) {
		k->flags |= HVS_KLOG_ALLOC_FAILED;
		copy_token(k->alloc_bytes, sizeof(k->alloc_bytes),
			   p + strlen("hv_pci: failed to allocate "), end);
	}
	if (find(line, len, "hv_pci: reserved swiotlb pool ["))
		k->flags |= HVS_KLOG_RESERVED;
	if ((p = find(line, len, "hv_pci: failed to create swiotlb pool: ")) != NULL) {
		k->flags |= HVS_KLOG_CREATE_FAILED;
		copy_token(k->create_error, sizeof(k->create_error),
			   p + strlen("hv_pci: failed to create swiotlb pool: "), end);
	}
	if (find(line, len, "hv_pci: failed to publish swiotlb range to sysfs"))
		k->flags |= HVS_KLOG_PUBLISH_FAILED;
	if (find(line, len, "Unknown kernel command line parameters") &&
	    (find(line, len, "hv_pci_swiotlb") || find(line, len, "hv-pci-swiotlb")))
		k->flags |= HVS_KLOG_UNKNOWN_PARAM;
}

int hvs_klog_read(const char *path, struct hvs_klog *k)
{
	char buf[8192];
	size_t have = 0, total = 0;
	int fd, saved;

	hvs_step("reading the kernel log", path);
	/* O_NONBLOCK: /dev/kmsg says EAGAIN at its end, and a FIFO cannot stall us. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	while (total < HVS_KLOG_MAX_BYTES) {
		ssize_t n = read(fd, buf + have, sizeof(buf) - have);
		size_t start = 0, i;

		if (n < 0) {
			if (errno == EPIPE)
				continue; /* records were overwritten while we read: go on */
			if (errno == EAGAIN)
				break;    /* /dev/kmsg: no more records */
			saved = errno; /* EINTR: the deadline */
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		total += (size_t)n;
		have += (size_t)n;
		for (i = 0; i < have; i++) {
			if (buf[i] == '\n') {
				hvs_klog_scan_line(buf + start, i - start, k);
				start = i + 1;
			}
		}
		if (start == 0 && have == sizeof(buf)) {
			/* One line longer than the buffer: judge it as it is. */
			hvs_klog_scan_line(buf, have, k);
			start = have;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
	if (have)
		hvs_klog_scan_line(buf, have, k);
	close(fd);
	k->flags |= HVS_KLOG_READABLE;
	return 0;
}
