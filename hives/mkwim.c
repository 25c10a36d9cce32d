/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mkwim: WIM fixtures, built through the wimlib API (see README.md).
 *
 *   mkwim KIND OUT
 *
 * The Windows tree comes from `mkhive tree` (the mkhive beside this
 * program); every file's times are fixed and the WIM's GUID is too, so
 * the output depends only on what wimlib writes of its own (the XML
 * creation and modification times). */
#include "config.h"

#include <err.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <wimlib.h>

#include "error.h"
#include "wim.h"

extern char **environ;

/* 2023-01-01 00:00:00 UTC, as mkhive stamps its hives. */
#define FIXED_TIME 1672531200
#define FIXED_FILETIME ((FIXED_TIME + 11644473600ull) * 10000000ull)

static const char *const kinds[] = {
	"win", "two", "none", "integrity", "sd", "solid", "split", "badxml",
};

static char tmp_dir[] = "/tmp/mkwim-XXXXXX";

static void
check(int rc, const char *what)
{
	if (rc != 0)
		errx(1, "%s: %s", what,
		    wimlib_get_error_string((enum wimlib_error_code)rc));
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static void
cleanup(void)
{
	(void)nftw(tmp_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int
fix_time(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	struct timespec t[2] = { { FIXED_TIME, 0 }, { FIXED_TIME, 0 } };

	(void)st;
	(void)flag;
	(void)f;
	return utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW);
}

/* `mkhive tree DIR`, mkhive being the program beside this one. */
static void
make_tree(const char *self, const char *dir)
{
	char mkhive[PATH_MAX];
	char *argv[] = { mkhive, (char *)"tree", (char *)dir, NULL };
	const char *slash = strrchr(self, '/');
	int status;
	pid_t pid;

	snprintf(mkhive, sizeof(mkhive), "%.*smkhive",
	    slash ? (int)(slash - self + 1) : 0, self);
	if (posix_spawn(&pid, mkhive, NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		errx(1, "%s tree %s failed", mkhive, dir);
	if (nftw(dir, fix_time, 16, FTW_PHYS) != 0)
		err(1, "%s: cannot set the times", dir);
}

static void
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) != 0)
		err(1, "%s", path);
}

/* A data image: a few files, no Windows. */
static void
make_data(const char *dir)
{
	char path[PATH_MAX + 32];
	int i;

	if (mkdir(dir, 0755) == -1)
		err(1, "%s", dir);
	snprintf(path, sizeof(path), "%s/readme.txt", dir);
	write_text(path, "Data image made by hives/mkwim.\n");
	snprintf(path, sizeof(path), "%s/files", dir);
	if (mkdir(path, 0755) == -1)
		err(1, "%s", path);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/files/file%d.dat", dir, i);
		write_text(path, i == 0 ? "zero\n" : i == 1 ? "one\n" : "two\n");
	}
	if (nftw(dir, fix_time, 16, FTW_PHYS) != 0)
		err(1, "%s: cannot set the times", dir);
}

/* A security descriptor as Windows gives a hive: owner and group
 * SYSTEM, a protected DACL with full control for SYSTEM and for
 * Administrators (O:SYG:SYD:P(A;;FA;;;SY)(A;;FA;;;BA)). */
static const unsigned char hive_sd[] = {
	0x01, 0x00, 0x04, 0x90,			/* rev, flags: P, DACL */
	0x14, 0x00, 0x00, 0x00,			/* owner at 20 */
	0x20, 0x00, 0x00, 0x00,			/* group at 32 */
	0x00, 0x00, 0x00, 0x00,			/* no SACL */
	0x2c, 0x00, 0x00, 0x00,			/* DACL at 44 */
	0x01, 0x01, 0, 0, 0, 0, 0, 5, 0x12, 0, 0, 0,	/* S-1-5-18 */
	0x01, 0x01, 0, 0, 0, 0, 0, 5, 0x12, 0, 0, 0,	/* S-1-5-18 */
	0x02, 0x00, 0x34, 0x00, 0x02, 0x00, 0x00, 0x00,	/* ACL: 2 ACEs */
	0x00, 0x00, 0x14, 0x00, 0xff, 0x01, 0x1f, 0x00,	/* allow FA */
	0x01, 0x01, 0, 0, 0, 0, 0, 5, 0x12, 0, 0, 0,	/* SY */
	0x00, 0x00, 0x18, 0x00, 0xff, 0x01, 0x1f, 0x00,	/* allow FA */
	0x01, 0x02, 0, 0, 0, 0, 0, 5, 0x20, 0, 0, 0,	/* BA: */
	0x20, 0x02, 0, 0,				/* S-1-5-32-544 */
};

/* Puts the hive `name` of the tree back into image 1 from an NTFS
 * volume, with hive_sd, archive and not-content-indexed attributes and
 * three distinct fixed times: what `sd` checks a commit keeps. */
static void
add_with_sd(WIMStruct *wim, const char *tree, const char *name)
{
	struct wimlib_update_command cmd;
	struct wim_entry like;
	struct hp_err e;
	char path[PATH_MAX], volume[32];
	int fd, vol_fd;

	snprintf(path, sizeof(path), "%s/Windows/System32/config/%s", tree,
	    name);
	if ((fd = open(path, O_RDONLY)) == -1)
		err(1, "%s", path);
	memset(&like, 0, sizeof(like));
	like.sd = (char *)hive_sd;
	like.sd_size = sizeof(hive_sd);
	like.attributes = WIMLIB_FILE_ATTRIBUTE_ARCHIVE |
	    WIMLIB_FILE_ATTRIBUTE_NOT_CONTENT_INDEXED;
	like.times[0] = FIXED_FILETIME;
	like.times[1] = FIXED_FILETIME + 10000000ull * 3600;
	like.times[2] = FIXED_FILETIME + 10000000ull * 7200;
	if (wim_ntfs_stage(name, fd, &like, &vol_fd, volume, sizeof(volume),
	    path, &e) == -1)
		errx(1, "%s", e.msg);
	close(fd);
	memset(&cmd, 0, sizeof(cmd));
	cmd.op = WIMLIB_UPDATE_OP_ADD;
	cmd.add.fs_source_path = volume;
	cmd.add.wim_target_path = (char *)"/Windows/System32/config";
	cmd.add.add_flags = WIMLIB_ADD_FLAG_NTFS;
	check(wimlib_update_image(wim, 1, &cmd, 1, 0), path);
	close(vol_fd);
}

static void
set_guid(WIMStruct *wim)
{
	struct wimlib_wim_info info;

	memset(&info, 0, sizeof(info));
	memcpy(info.guid, "hivepatch-mkwim!", WIMLIB_GUID_LEN);
	check(wimlib_set_wim_info(wim, &info, WIMLIB_CHANGE_GUID), "guid");
}

static WIMStruct *
build(const char *self, const char *kind)
{
	char win[PATH_MAX], data[PATH_MAX];
	WIMStruct *wim;
	int is_none = strcmp(kind, "none") == 0;

	snprintf(win, sizeof(win), "%s/win", tmp_dir);
	snprintf(data, sizeof(data), "%s/data", tmp_dir);
	check(wimlib_create_new_wim(strcmp(kind, "solid") == 0 ?
	    WIMLIB_COMPRESSION_TYPE_LZMS : WIMLIB_COMPRESSION_TYPE_LZX, &wim),
	    "create");
	if (!is_none) {
		make_tree(self, win);
		check(wimlib_add_image(wim, win, "Windows 10 Pro", NULL, 0),
		    win);
	}
	if (is_none || strcmp(kind, "two") == 0 ||
	    strcmp(kind, "split") == 0) {
		make_data(data);
		check(wimlib_add_image(wim, data, "Data", NULL, 0), data);
	}
	if (strcmp(kind, "sd") == 0) {
		add_with_sd(wim, win, "SOFTWARE");
		add_with_sd(wim, win, "SYSTEM");
	}
	if (!is_none)
		check(wimlib_set_wim_info(wim, &(struct wimlib_wim_info){
		    .boot_index = 1 }, WIMLIB_CHANGE_BOOT_INDEX), "boot index");
	set_guid(wim);
	return wim;
}

static void
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: mkwim KIND OUT\nkinds:");
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		fprintf(stderr, " %s", kinds[i]);
	fprintf(stderr, "\n");
	exit(2);
}

/* badxml: the WIM's XML (UTF-16LE, after its BOM and "<WIM>") made to
 * hold terminal escape sequences, which libxml2 refuses as characters
 * and would print with the line it found them in. */
static void
spoil_xml(const char *out)
{
	static const char hostile[] = "\033[31mRED\033]0;TITLE\007";
	unsigned char hdr[0x58], wide[2 * (sizeof(hostile) - 1)];
	uint64_t xml_at = 0;
	size_t i;
	int fd;

	if ((fd = open(out, O_RDWR)) == -1 ||
	    pread(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr))
		err(1, "%s", out);
	/* The header's XML resource: 7 bytes of size, flags, offset. */
	for (i = 0; i < 8; i++)
		xml_at |= (uint64_t)hdr[0x48 + 8 + i] << (8 * i);
	for (i = 0; i < sizeof(hostile) - 1; i++) {
		wide[2 * i] = (unsigned char)hostile[i];
		wide[2 * i + 1] = 0;
	}
	if (pwrite(fd, wide, sizeof(wide), (off_t)(xml_at + 2 + 2 * 5)) !=
	    (ssize_t)sizeof(wide) || close(fd) == -1)
		err(1, "%s", out);
}

int
main(int argc, char **argv)
{
	const char *kind, *out;
	WIMStruct *wim;
	int flags = 0;
	size_t i;

	if (argc != 3)
		usage();
	kind = argv[1];
	out = argv[2];
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(kinds[i], kind) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		usage();
	if (mkdtemp(tmp_dir) == NULL)
		err(1, "mkdtemp");
	atexit(cleanup);
	wim = build(argv[0], kind);
	if (strcmp(kind, "integrity") == 0)
		flags |= WIMLIB_WRITE_FLAG_CHECK_INTEGRITY;
	if (strcmp(kind, "solid") == 0)
		flags |= WIMLIB_WRITE_FLAG_SOLID;
	if (strcmp(kind, "split") == 0) {
		char whole[PATH_MAX];

		snprintf(whole, sizeof(whole), "%s/whole.wim", tmp_dir);
		check(wimlib_write(wim, whole, WIMLIB_ALL_IMAGES,
		    WIMLIB_WRITE_FLAG_RETAIN_GUID, 1), whole);
		wimlib_free(wim);
		check(wimlib_open_wim(whole, 0, &wim), whole);
		check(wimlib_split(wim, out, 1024, 0), out);
	} else
		check(wimlib_write(wim, out, WIMLIB_ALL_IMAGES, flags |
		    WIMLIB_WRITE_FLAG_RETAIN_GUID, 1), out);
	wimlib_free(wim);
	if (strcmp(kind, "badxml") == 0)
		spoil_xml(out);
	return 0;
}
