/* SPDX-License-Identifier: GPL-3.0-or-later */
/* import: apply an arbitrary .reg file. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"

/* The first bytes of a regular file (at most size), read without
 * waiting on a FIFO or a device and, where the kernel lets us, without
 * touching its access time; -1 when it is no regular file. */
static ssize_t
peek(const char *path, unsigned char *buf, size_t size)
{
	struct stat st;
	ssize_t n;
	int fd;

	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return -1;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC |
	    O_NOATIME);
	if (fd == -1 && errno == EPERM)
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	n = read(fd, buf, size);
	close(fd);
	return n;
}

/* Whether path is a .reg file by its name or its first line (either
 * header, in UTF-8 with or without its BOM, or in UTF-16LE). */
static int
is_reg_text(const char *path)
{
	static const char v5[] = "Windows Registry Editor Version 5.00";
	static const char v4[] = "REGEDIT4";
	static const unsigned char wide[] = { 0xff, 0xfe, 'W', 0, 'i', 0,
	    'n', 0, 'd', 0, 'o', 0, 'w', 0, 's', 0 };
	size_t len = strlen(path);
	unsigned char buf[64];
	const char *p = (const char *)buf;
	ssize_t n = peek(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return 0;
	if (len > 4 && strcasecmp(path + len - 4, ".reg") == 0)
		return 1;
	buf[n] = '\0';
	if ((size_t)n >= sizeof(wide) && memcmp(buf, wide, sizeof(wide)) == 0)
		return 1;
	if (memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	return strncmp(p, v5, sizeof(v5) - 1) == 0 ||
	    strncmp(p, v4, sizeof(v4) - 1) == 0;
}

/* import TARGET FILE.reg: a Windows tree or a hive first, a .reg file
 * after it.  Only looked at, never written. */
static int
swapped(const char *first, const char *second)
{
	unsigned char magic[4];
	struct stat st;

	if (!is_reg_text(second) || stat(first, &st) == -1)
		return 0;
	return S_ISDIR(st.st_mode) || (peek(first, magic, sizeof(magic)) ==
	    (ssize_t)sizeof(magic) && memcmp(magic, "regf", 4) == 0);
}

int
cmd_import(int argc, char **argv)
{
	static const int allowed[] = { OPT_DRY_RUN, OPT_FORCE,
	    OPT_BACKUP_DIR, OPT_ALL_CONTROL_SETS, OPT_NO_RECOVER, OPT_COMMIT,
	    OPT_KEEP_TIMESTAMPS, OPT_BACKUP, OPT_MAX_HIVE_SIZE,
	    OPT_DISCARD_LOGS, OPT_USER, OPT_IMAGE, OPT_PARTITION };
	struct cli_patch c = { .cli.command = "import",
	    .mode = HP_PATCH_APPLY };
	int rc;

	rc = cli_patch_options(argc, argv, &c, allowed,
	    sizeof(allowed) / sizeof(allowed[0]));
	if (rc != 0)
		return rc == -1 ? HP_OK : rc;
	if (optind >= argc)
		return cli_usage(&c.cli, "missing FILE.reg");
	if (argc - optind == 2 && swapped(argv[optind], argv[optind + 1]))
		return cli_usage(&c.cli, "arguments swapped? usage: import "
		    "FILE.reg TARGET");
	c.reg_files[c.n_reg_files++] = argv[optind++];
	if ((rc = cli_patch_target(argc, argv, &c)) != 0)
		return rc;
	return cli_patch_run(&c);
}
