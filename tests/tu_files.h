/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: files and directories, the backups and temporary files
 * hivepatch leaves, and hashes.  See testutil.h. */
#ifndef HIVEPATCH_TU_FILES_H
#define HIVEPATCH_TU_FILES_H

#include <sys/types.h>
#include <sys/stat.h>

#include <stddef.h>
#include <string.h>
#include <time.h>

#include <check.h>

#include "hash.h"

/* ---- paths and files ---- */

void tu_write_file(const char *path, const void *data, size_t len);
void tu_write_text(const char *path, const char *text);
/* .reg text: head (up to a key line), then n REG_BINARY values Big0,
 * Big1, ... of `size` bytes each, in hex: lines continued with a
 * backslash, as regedit writes them (malloc'd). */
char *tu_big_binary_reg(const char *head, int n, size_t size);
/* Reads a whole file (NUL-terminated too, for text); fails the test. */
unsigned char *tu_read_file(const char *path, size_t *len);
void tu_copy_file(const char *src, const char *dst);
void tu_mkdir_p(const char *path);
off_t tu_file_size(const char *path);
struct timespec tu_mtime(const char *path);
int tu_same_time(struct timespec a, struct timespec b);

/* The directory part of a path (a tu_pathf string). */
char *tu_dir_of(const char *path);

/* stat(2), failing the test. */
void tu_stat(const char *path, struct stat *st);

/* Neither inode nor modification time moved since `before`: the file was
 * not replaced or written. */
void tu_assert_untouched_since(const char *path, const struct stat *before);

/* path still names the file `before` was taken of, as it was: the same
 * device and inode, mode, owner and number of links (written in place,
 * never replaced). */
void tu_assert_same_file(const char *path, const struct stat *before);

/* ---- every file below a directory ---- */

#define TU_MAX_DIR_FILES 64

/* The regular files below a directory as they were (paths are tu_pathf
 * strings; symbolic links are not followed). */
struct tu_dir_files {
	char *dir;
	size_t n;
	struct {
		char *path;
		ino_t ino;
		char hash[SHA256_HEX_LEN + 1];
	} f[TU_MAX_DIR_FILES];
};

/* Takes them now; fails the test when there are more than
 * TU_MAX_DIR_FILES. */
void tu_dir_files_take(struct tu_dir_files *d, const char *dir);

/* The same files are below the directory, by path: none appeared, none
 * went (what they hold may have changed). */
void tu_assert_dir_same_paths(const struct tu_dir_files *d);

/* And each is the same file (inode) holding the same bytes: nothing
 * below the directory was written, replaced, added or removed. */
void tu_assert_dir_unchanged(const struct tu_dir_files *d);

/* ---- what hivepatch leaves behind ---- */

/* Number of names in dir that start with "." and contain ".hivepatch-"
 * (hivepatch's temporary files); their names go to stderr. */
int tu_count_temp_files(const char *dir);

/* Number of finished backups (manifest.json files) below dir; 0 when
 * dir does not exist.  The first manifest's path goes to *first when
 * first is not NULL (free it). */
int tu_count_backups(const char *dir, char **first);

/* Number of regular files below dir (0 when it does not exist). */
int tu_count_files(const char *dir);

/* The manifest.json paths of the finished backups below dir, sorted
 * (tu_pathf strings); at most max go to paths[].  Returns how many
 * there are (0 when dir does not exist). */
int tu_list_backups(const char *dir, char **paths, int max);

/* ---- hashes ---- */

/* SHA-256 of a file with the project's own sha256_file; fails the test
 * when the file cannot be read. */
void tu_sha256(const char *path, char hex[SHA256_HEX_LEN + 1]);

/* The file holds exactly the bytes it held when `hex` was taken. */
#define ASSERT_HASH(path, hex)						\
	do {								\
		char now_[SHA256_HEX_LEN + 1];				\
		tu_sha256((path), now_);				\
		ck_assert_msg(strcmp(now_, (hex)) == 0,			\
		    "%s changed: sha256 %s, expected %s", (path), now_,	\
		    (hex));						\
	} while (0)

#endif
