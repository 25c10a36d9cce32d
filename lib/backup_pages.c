/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The pages file of a backup (see backup_pages.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup_pages.h"
#include "fileio.h"
#include "logwrite.h"
#include "regf.h"

#define PAGES_MAGIC "HPPAGES1"
#define PAGES_HEADER 24u
#define PAGES_RUN 16u
/* A pages file larger than this is not one hivepatch wrote. */
#define PAGES_MAX (2ull * 1024 * 1024 * 1024)

struct file_run {
	uint64_t off;
	uint32_t len;
};

/* What the commit overwrites, in file offsets: the base block, each
 * changed page the old file has, and the tail a shrinking file loses. */
static int
overwritten(uint64_t disk_len, const struct hive_change *c,
	    struct file_run **out, size_t *n, struct hp_err *e)
{
	struct file_run *r;
	size_t i;

	*out = NULL;
	*n = 0;
	if ((r = calloc(c->n + 2, sizeof(*r))) == NULL)
		return hp_err_nomem(e);
	r[(*n)++] = (struct file_run){ 0, REGF_BASE_BLOCK };
	for (i = 0; i < c->n; i++) {
		uint64_t off = REGF_BASE_BLOCK + (uint64_t)c->runs[i].off;
		uint64_t end = off + c->runs[i].len;

		if (off >= disk_len)
			break;
		if (end > disk_len)
			end = disk_len;
		r[(*n)++] = (struct file_run){ off, (uint32_t)(end - off) };
	}
	if (disk_len > c->new_size && disk_len - c->new_size <= UINT32_MAX)
		r[(*n)++] = (struct file_run){ c->new_size,
		    (uint32_t)(disk_len - c->new_size) };
	*out = r;
	return 0;
}

/* The old bytes of one run, from the file as it lies. */
static int
copy_run(int fd, int disk_fd, const struct file_run *r)
{
	unsigned char buf[1 << 16];
	uint64_t off = r->off;
	size_t left = r->len;

	while (left > 0) {
		size_t want = left < sizeof(buf) ? left : sizeof(buf);
		ssize_t got = pread(disk_fd, buf, want, (off_t)off);

		if (got <= 0) {
			if (got == 0)
				errno = EIO;
			return -1;
		}
		if (write_all(fd, buf, (size_t)got) == -1)
			return -1;
		off += (uint64_t)got;
		left -= (size_t)got;
	}
	return 0;
}

static int
write_pages(int fd, int disk_fd, uint64_t disk_size, const struct file_run *r,
	    size_t n)
{
	unsigned char hdr[PAGES_HEADER], ent[PAGES_RUN];
	size_t i;

	memset(hdr, 0, sizeof(hdr));
	memcpy(hdr, PAGES_MAGIC, 8);
	put_le64(hdr + 8, disk_size);
	put_le32(hdr + 16, (uint32_t)n);
	if (write_all(fd, hdr, sizeof(hdr)) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		memset(ent, 0, sizeof(ent));
		put_le64(ent, r[i].off);
		put_le32(ent + 8, r[i].len);
		if (write_all(fd, ent, sizeof(ent)) == -1)
			return -1;
	}
	for (i = 0; i < n; i++)
		if (copy_run(fd, disk_fd, &r[i]) == -1)
			return -1;
	return fsync(fd);
}

int
pages_save(int disk_fd, uint64_t disk_size, const struct hive_change *change,
	   const char *dst, uint64_t *bytes, struct hp_err *e)
{
	struct file_run *r = NULL;
	size_t n = 0, i;
	int fd = -1, rc = -1;

	*bytes = 0;
	if (disk_size < REGF_BASE_BLOCK)
		return hp_err_set(e, HP_R_IO, "%s: no hive to back up", dst);
	if (overwritten(disk_size, change, &r, &n, e) == -1)
		return -1;
	fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 || write_pages(fd, disk_fd, disk_size, r, n) == -1) {
		hp_err_set(e, HP_R_IO, "%s: cannot %s the backup: %s", dst,
		    fd == -1 ? "create" : "write", strerror(errno));
		goto out;
	}
	*bytes = PAGES_HEADER + (uint64_t)PAGES_RUN * n;
	for (i = 0; i < n; i++)
		*bytes += r[i].len;
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(r);
	return rc;
}

int
pages_apply(const unsigned char *d, size_t len, const char *src, int out_fd,
	    struct hp_err *e)
{
	uint64_t size, data, total = 0;
	uint32_t n, i;
	const unsigned char *p;

	if (len < PAGES_HEADER || memcmp(d, PAGES_MAGIC, 8) != 0)
		return hp_err_set(e, HP_R_DAMAGED, "%s: not a hivepatch pages "
		    "backup", src);
	size = le64(d + 8);
	n = le32(d + 16);
	if (size > PAGES_MAX || (uint64_t)n * PAGES_RUN > len - PAGES_HEADER)
		return hp_err_set(e, HP_R_DAMAGED, "%s: damaged pages backup: "
		    "%u runs, or a %llu-byte hive", src, n,
		    (unsigned long long)size);
	data = PAGES_HEADER + (uint64_t)n * PAGES_RUN;
	for (i = 0; i < n; i++) {
		p = d + PAGES_HEADER + (size_t)i * PAGES_RUN;
		if (le64(p) > size || le32(p + 8) > size - le64(p))
			return hp_err_set(e, HP_R_DAMAGED, "%s: damaged pages "
			    "backup: run %u lies outside the hive", src, i + 1);
		total += le32(p + 8);
	}
	if (total != len - data)
		return hp_err_set(e, HP_R_DAMAGED, "%s: damaged pages backup: "
		    "its runs hold %llu bytes, the file %llu", src,
		    (unsigned long long)total, (unsigned long long)(len - data));
	if (ftruncate(out_fd, (off_t)size) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", src, strerror(errno));
	for (i = 0; i < n; i++) {
		uint32_t l;

		p = d + PAGES_HEADER + (size_t)i * PAGES_RUN;
		l = le32(p + 8);
		if (pwrite(out_fd, d + data, l, (off_t)le64(p)) != (ssize_t)l)
			return hp_err_set(e, HP_R_IO, "%s: %s", src,
			    strerror(errno ? errno : EIO));
		data += l;
	}
	return 0;
}

/* The hive as it is now, copied into out_fd. */
static int
copy_current(int cur_fd, uint64_t cur_size, int out_fd, const char *src,
	     struct hp_err *e)
{
	static unsigned char buf[1 << 20];
	uint64_t off = 0;

	while (off < cur_size) {
		size_t want = cur_size - off < sizeof(buf) ?
		    (size_t)(cur_size - off) : sizeof(buf);
		ssize_t c = pread(cur_fd, buf, want, (off_t)off);

		if (c <= 0 || pwrite(out_fd, buf, (size_t)c, (off_t)off) != c)
			return hp_err_set(e, HP_R_IO, "%s: cannot copy the hive "
			    "to rebuild its old bytes: %s", src,
			    c < 0 ? strerror(errno) : "short read or write");
		off += (uint64_t)c;
	}
	return 0;
}

int
pages_restore(const char *src, int cur_fd, uint64_t cur_size, int *out_fd,
	      struct hp_err *e)
{
	unsigned char *d = NULL;
	struct stat st;
	int fd, rc = -1;

	*out_fd = -1;
	fd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return hp_err_set(e, hp_errno_reason(errno), "%s: cannot open the "
		    "backup: %s", src, strerror(errno));
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > PAGES_MAX) {
		close(fd);
		return hp_err_set(e, HP_R_DAMAGED, "%s: not a pages backup",
		    src);
	}
	if (st.st_size > 0 && (d = mmap(NULL, (size_t)st.st_size, PROT_READ,
	    MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		return hp_err_set(e, HP_R_IO, "%s: %s", src, strerror(errno));
	}
	close(fd);
	*out_fd = memfd_create("hivepatch-old", MFD_CLOEXEC);
	if (*out_fd == -1)
		hp_err_set(e, HP_R_IO, "%s: no memory file: %s", src,
		    strerror(errno));
	else if (copy_current(cur_fd, cur_size, *out_fd, src, e) == 0 &&
	    pages_apply(d ? d : (const unsigned char *)"", (size_t)st.st_size,
	    src, *out_fd, e) == 0)
		rc = 0;
	if (d != NULL)
		munmap(d, (size_t)st.st_size);
	if (rc == -1 && *out_fd != -1) {
		close(*out_fd);
		*out_fd = -1;
	}
	return rc;
}
