/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: files and directories, what hivepatch leaves behind, and
 * hashes (tu_files.h). */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "testutil.h"

/* ---- paths and files ---- */

void
tu_write_file(const char *path, const void *data, size_t len)
{
	const unsigned char *p = data;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd != -1, "create %s: %s", path, strerror(errno));
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n > 0, "write %s: %s", path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	ck_assert_msg(close(fd) == 0, "close %s: %s", path, strerror(errno));
}

void
tu_write_text(const char *path, const char *text)
{
	tu_write_file(path, text, strlen(text));
}

char *
tu_big_binary_reg(const char *head, int n, size_t size)
{
	size_t hl = strlen(head);
	char *text = malloc(hl + 1 + (size_t)n * (size * 4 + 32)), *p;
	size_t i;
	int v;

	ck_assert(text != NULL);
	p = text + sprintf(text, "%s", head);
	for (v = 0; v < n; v++) {
		p += sprintf(p, "\"Big%d\"=hex:", v);
		for (i = 0; i < size; i++) {
			p += sprintf(p, "%02x", (unsigned)((i * 7 + (size_t)v) & 0xff));
			if (i + 1 < size)
				p += sprintf(p, (i % 24 == 23) ? ",\\\n  " : ",");
		}
		p += sprintf(p, "\n");
	}
	return text;
}

unsigned char *
tu_read_file(const char *path, size_t *len)
{
	unsigned char *buf;
	struct stat st;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	ck_assert_msg(fstat(fd, &st) == 0, "stat %s: %s", path, strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_msg(buf != NULL, "out of memory");
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n >= 0, "read %s: %s", path, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	if (len != NULL)
		*len = got;
	return buf;
}

void
tu_copy_file(const char *src, const char *dst)
{
	unsigned char *data;
	size_t len;

	data = tu_read_file(src, &len);
	tu_write_file(dst, data, len);
	free(data);
}

void
tu_mkdir_p(const char *path)
{
	char *copy = tu_strf("%s", path), *p;

	for (p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			ck_assert_msg(mkdir(copy, 0755) == 0 || errno == EEXIST,
			    "mkdir %s: %s", copy, strerror(errno));
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	free(copy);
}

off_t
tu_file_size(const char *path)
{
	struct stat st;

	ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
	return st.st_size;
}

struct timespec
tu_mtime(const char *path)
{
	struct stat st;

	ck_assert_msg(lstat(path, &st) == 0, "stat %s: %s", path,
	    strerror(errno));
	return st.st_mtim;
}

int
tu_same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

char *
tu_dir_of(const char *path)
{
	return dirname(tu_pathf("%s", path));
}

void
tu_stat(const char *path, struct stat *st)
{
	ck_assert_msg(stat(path, st) == 0, "stat %s: %s", path, strerror(errno));
}

void
tu_assert_untouched_since(const char *path, const struct stat *before)
{
	struct stat now;

	tu_stat(path, &now);
	ck_assert_msg(now.st_ino == before->st_ino, "%s was replaced", path);
	ck_assert_msg(tu_same_time(now.st_mtim, before->st_mtim),
	    "%s: modification time changed", path);
}

void
tu_assert_same_file(const char *path, const struct stat *before)
{
	struct stat now;

	tu_stat(path, &now);
	ck_assert_msg(now.st_dev == before->st_dev &&
	    now.st_ino == before->st_ino, "%s was replaced: inode %ju, it was "
	    "%ju", path, (uintmax_t)now.st_ino, (uintmax_t)before->st_ino);
	ck_assert_msg(now.st_mode == before->st_mode, "%s: mode %o, it was %o",
	    path, (unsigned)now.st_mode, (unsigned)before->st_mode);
	ck_assert_msg(now.st_uid == before->st_uid &&
	    now.st_gid == before->st_gid, "%s: owner %ju:%ju, it was %ju:%ju",
	    path, (uintmax_t)now.st_uid, (uintmax_t)now.st_gid,
	    (uintmax_t)before->st_uid, (uintmax_t)before->st_gid);
	ck_assert_msg(now.st_nlink == before->st_nlink, "%s: %ju links, it had "
	    "%ju", path, (uintmax_t)now.st_nlink, (uintmax_t)before->st_nlink);
}

/* ---- every file below a directory ---- */

/* nftw has no user pointer. */
static struct tu_dir_files *taking;

static int
take_dir_file(const char *path, const struct stat *st, int type,
	      struct FTW *ftw)
{
	(void)ftw;
	/* Regular files only: hashing a FIFO would wait for a writer. */
	if (type != FTW_F || !S_ISREG(st->st_mode))
		return 0;
	ck_assert_msg(taking->n < TU_MAX_DIR_FILES, "more than %d files below "
	    "%s", TU_MAX_DIR_FILES, taking->dir);
	taking->f[taking->n].path = tu_pathf("%s", path);
	taking->f[taking->n].ino = st->st_ino;
	tu_sha256(path, taking->f[taking->n].hash);
	taking->n++;
	return 0;
}

void
tu_dir_files_take(struct tu_dir_files *d, const char *dir)
{
	d->dir = tu_pathf("%s", dir);
	d->n = 0;
	taking = d;
	ck_assert_msg(nftw(dir, take_dir_file, 16, FTW_PHYS) == 0,
	    "walking %s: %s", dir, strerror(errno));
	taking = NULL;
}

/* The index of path in d, or d->n. */
static size_t
dir_file_index(const struct tu_dir_files *d, const char *path)
{
	size_t i;

	for (i = 0; i < d->n && strcmp(d->f[i].path, path) != 0; i++)
		continue;
	return i;
}

/* The files below d->dir now, checked to be the same paths. */
static void
take_same_paths(const struct tu_dir_files *d, struct tu_dir_files *now)
{
	size_t i;

	tu_dir_files_take(now, d->dir);
	for (i = 0; i < now->n; i++)
		ck_assert_msg(dir_file_index(d, now->f[i].path) < d->n,
		    "%s appeared", now->f[i].path);
	for (i = 0; i < d->n; i++)
		ck_assert_msg(dir_file_index(now, d->f[i].path) < now->n,
		    "%s is gone", d->f[i].path);
}

void
tu_assert_dir_same_paths(const struct tu_dir_files *d)
{
	struct tu_dir_files now;

	take_same_paths(d, &now);
}

void
tu_assert_dir_unchanged(const struct tu_dir_files *d)
{
	struct tu_dir_files now;
	size_t i, k;

	take_same_paths(d, &now);
	for (i = 0; i < d->n; i++) {
		k = dir_file_index(&now, d->f[i].path);
		ck_assert_msg(now.f[k].ino == d->f[i].ino, "%s was replaced",
		    d->f[i].path);
		ck_assert_msg(strcmp(now.f[k].hash, d->f[i].hash) == 0, "%s "
		    "changed: sha256 %s, expected %s", d->f[i].path,
		    now.f[k].hash, d->f[i].hash);
	}
}

/* ---- what hivepatch leaves behind ---- */

int
tu_count_temp_files(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir(dir);
	ck_assert_msg(d != NULL, "opendir %s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] == '.' && strstr(de->d_name, ".hivepatch-")) {
			fprintf(stderr, "leftover temporary file: %s/%s\n", dir,
			    de->d_name);
			n++;
		}
	closedir(d);
	return n;
}

/* nftw has no user pointer. */
static int n_manifests;
static char *first_manifest;

static int
count_manifest(const char *path, const struct stat *st, int type,
	       struct FTW *ftw)
{
	(void)st;
	if (type == FTW_F && strcmp(path + ftw->base, "manifest.json") == 0) {
		if (n_manifests++ == 0)
			first_manifest = strdup(path);
	}
	return 0;
}

int
tu_count_backups(const char *dir, char **first)
{
	struct stat st;

	n_manifests = 0;
	first_manifest = NULL;
	if (lstat(dir, &st) == -1) {
		ck_assert_msg(errno == ENOENT, "stat %s: %s", dir,
		    strerror(errno));
	} else {
		ck_assert_msg(nftw(dir, count_manifest, 16, FTW_PHYS) == 0,
		    "walking %s: %s", dir, strerror(errno));
	}
	if (first != NULL)
		*first = first_manifest;
	else
		free(first_manifest);
	first_manifest = NULL;
	return n_manifests;
}

/* nftw has no user pointer. */
static char **listed;
static int n_listed, max_listed;

static int
list_manifest(const char *path, const struct stat *st, int type,
	      struct FTW *ftw)
{
	(void)st;
	if (type == FTW_F && strcmp(path + ftw->base, "manifest.json") == 0) {
		if (n_listed < max_listed)
			listed[n_listed] = tu_pathf("%s", path);
		n_listed++;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
tu_list_backups(const char *dir, char **paths, int max)
{
	struct stat st;

	listed = paths;
	n_listed = 0;
	max_listed = max;
	if (lstat(dir, &st) == -1) {
		ck_assert_msg(errno == ENOENT, "stat %s: %s", dir,
		    strerror(errno));
	} else {
		ck_assert_msg(nftw(dir, list_manifest, 16, FTW_PHYS) == 0,
		    "walking %s: %s", dir, strerror(errno));
	}
	qsort(paths, (size_t)(n_listed < max ? n_listed : max), sizeof(*paths),
	    cmp_str);
	listed = NULL;
	return n_listed;
}

static int n_files;

static int
count_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)st;
	(void)ftw;
	if (type == FTW_F)
		n_files++;
	return 0;
}

int
tu_count_files(const char *dir)
{
	struct stat st;

	n_files = 0;
	if (lstat(dir, &st) == -1) {
		ck_assert_msg(errno == ENOENT, "stat %s: %s", dir,
		    strerror(errno));
		return 0;
	}
	ck_assert_msg(nftw(dir, count_file, 16, FTW_PHYS) == 0,
	    "walking %s: %s", dir, strerror(errno));
	return n_files;
}

/* ---- hashes ---- */

void
tu_sha256(const char *path, char hex[SHA256_HEX_LEN + 1])
{
	struct hp_err e = { 0 };

	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
	ck_assert_msg(sha256_fd(fd, path, hex, &e) == 0, "sha256: %s", e.msg);
	close(fd);
}
