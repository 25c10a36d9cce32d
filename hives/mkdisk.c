/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mkdisk: make disk images holding Windows trees, for the image tests
 * and the benchmark.
 *
 *     mkdisk [--format FORMAT] mbr|gpt|mbr-logical OUT
 *     mkdisk [--format FORMAT] sparse MIB OUT
 *
 * The partition table is written by sfdisk(8) on a sparse raw file.
 * Each NTFS partition is made as a volume file of its own by mkvolume
 * (beside this program: an NTFS volume with a Windows tree, or without
 * one for a data partition) and copied into place, holes left as holes;
 * without mkvolume, mkntfs -F makes them empty.  FAT partitions (an EFI
 * system partition, a "System Reserved" one) are an empty FAT12 file
 * system written here.  FORMAT (default raw) then converts the raw disk
 * with qemu-img convert (vhd: dynamic; fixed-vhd; vhdx; qcow2; vmdk) or
 * ewfacquire (e01).  See hives/README.md for the layouts.
 *
 * Exit status 0 on success; on failure a message on stderr (with the
 * failing tool's own), status 1, and nothing left at OUT.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024 * 1024)
#define SECTORS_PER_MIB 2048

enum content { EMPTY, FAT, NTFS_DATA, NTFS_WINDOWS, EXTENDED };

struct part {
	unsigned number;
	uint64_t start, size;		/* sectors */
	const char *type;		/* sfdisk's */
	const char *name;		/* GPT partition name, or NULL */
	enum content content;
	const char *label;		/* the file system's */
};

#define ESP "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
#define MSR "E3C9E316-0B5C-4DB8-817D-F92DF00215AE"
#define BASIC "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"

static const struct part mbr_parts[] = {
	{ 1, 2048, 16384, "1", NULL, FAT, "SYSTEM RSVD" },
	{ 2, 18432, 110592, "7", NULL, NTFS_WINDOWS, "Windows" },
	{ 0, 0, 0, NULL, NULL, EMPTY, NULL },
};
static const struct part gpt_parts[] = {
	{ 1, 2048, 16384, ESP, "EFI system partition", FAT, "ESP" },
	{ 2, 18432, 32768, MSR, "Microsoft reserved partition", EMPTY, NULL },
	{ 3, 51200, 131072, BASIC, "Windows", NTFS_WINDOWS, "Windows" },
	{ 4, 182272, 65536, BASIC, "Data", NTFS_DATA, "Data" },
	{ 0, 0, 0, NULL, NULL, EMPTY, NULL },
};
/* Every EBR lies past the first MiB. */
static const struct part logical_parts[] = {
	{ 1, 2048, 16384, "1", NULL, FAT, "SYSTEM RSVD" },
	{ 2, 18432, 241664, "5", NULL, EXTENDED, NULL },
	{ 5, 20480, 32768, "7", NULL, NTFS_DATA, "Data" },
	{ 6, 55296, 131072, "7", NULL, NTFS_WINDOWS, "Windows" },
	{ 0, 0, 0, NULL, NULL, EMPTY, NULL },
};

static const char *progdir = ".";
static const char *cleanup[3];

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;
	size_t i;

	fputs("mkdisk: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	for (i = 0; i < sizeof(cleanup) / sizeof(cleanup[0]); i++)
		if (cleanup[i] != NULL)
			unlink(cleanup[i]);
	exit(1);
}

static char *xasprintf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc == -1)
		die("out of memory");
	return s;
}

static void
exec_sbin(char *const argv[])
{
	static const char *const dirs[] = { "/usr/sbin", "/sbin" };
	char path[4096];
	size_t i;

	for (i = 0; i < 2 && strchr(argv[0], '/') == NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], argv[0]);
		execv(path, argv);
	}
}

/* Runs argv (stdin from `in` when not NULL), its output kept and shown
 * only when it fails. */
static void
run(char *const argv[], const char *in)
{
	FILE *out = tmpfile();
	int status, c;
	pid_t pid;

	if (out == NULL)
		die("tmpfile: %s", strerror(errno));
	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (in != NULL && !freopen(in, "r", stdin))
			_exit(126);
		dup2(fileno(out), 1);
		dup2(fileno(out), 2);
		execvp(argv[0], argv);
		/* sfdisk and mkntfs live in sbin, which a user's PATH
		 * may lack. */
		exec_sbin(argv);
		dprintf(2, "mkdisk: cannot run %s: not installed? "
		    "(Debian: scripts/install-deps images)\n", argv[0]);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		fclose(out);
		return;
	}
	rewind(out);
	while ((c = getc(out)) != EOF)
		fputc(c, stderr);
	die("%s failed (%s %d)", argv[0], WIFEXITED(status) ? "exit status" :
	    "signal", WIFEXITED(status) ? WEXITSTATUS(status) :
	    WTERMSIG(status));
}

static void
make_sparse(const char *path, uint64_t bytes)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd == -1 || ftruncate(fd, (off_t)bytes) == -1 || close(fd) == -1)
		die("%s: %s", path, strerror(errno));
}

static void
put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

/* An empty FAT12 file system of `sectors` (at most 32767, 8 sectors a
 * cluster) at sector `start` of the disk fd: boot sector, two FATs,
 * an empty root directory. */
static void
write_fat(int fd, const struct part *p)
{
	unsigned char b[512] = { 0xeb, 0x3c, 0x90 };
	unsigned fat_sectors = 6, i;
	off_t base = (off_t)p->start * 512;

	memcpy(b + 3, "MKDISK  ", 8);
	put16(b + 11, 512);
	b[13] = 8;			/* sectors a cluster */
	put16(b + 14, 1);		/* reserved sectors */
	b[16] = 2;			/* FATs */
	put16(b + 17, 512);		/* root directory entries */
	put16(b + 19, (unsigned)p->size);
	b[21] = 0xf8;
	put16(b + 22, fat_sectors);
	put16(b + 24, 63);
	put16(b + 26, 255);
	put32(b + 28, (uint32_t)p->start);	/* hidden sectors */
	b[36] = 0x80;
	b[38] = 0x29;
	put32(b + 39, 0x20230101);
	snprintf((char *)b + 43, 12, "%-11s", p->label);
	memcpy(b + 54, "FAT12   ", 8);
	b[510] = 0x55;
	b[511] = 0xaa;
	if (pwrite(fd, b, sizeof(b), base) != (ssize_t)sizeof(b))
		die("write: %s", strerror(errno));
	memset(b, 0, sizeof(b));
	b[0] = 0xf8;
	b[1] = b[2] = 0xff;
	for (i = 0; i < 2; i++)
		if (pwrite(fd, b, 3, base + (off_t)(1 + i * fat_sectors) *
		    512) != 3)
			die("write: %s", strerror(errno));
}

/* Copies the data of the file `vol` (its holes skipped) to `off` of fd. */
static void
put_volume(int fd, const char *vol, off_t off)
{
	static char buf[MIB];
	int in = open(vol, O_RDONLY | O_CLOEXEC);
	off_t data = 0, hole, pos;
	ssize_t n;

	if (in == -1)
		die("%s: %s", vol, strerror(errno));
	while ((data = lseek(in, data, SEEK_DATA)) != -1) {
		if ((hole = lseek(in, data, SEEK_HOLE)) == -1)
			die("%s: %s", vol, strerror(errno));
		for (pos = data; pos < hole; pos += n) {
			n = pread(in, buf, (size_t)(hole - pos < MIB ?
			    hole - pos : MIB), pos);
			if (n <= 0 || pwrite(fd, buf, (size_t)n, off + pos) != n)
				die("%s: copy failed", vol);
		}
		data = hole;
	}
	if (errno != ENXIO)
		die("%s: %s", vol, strerror(errno));
	close(in);
}

/* An NTFS volume file of p's size: mkvolume's (win or data, labelled
 * Windows or Data) when it is there, else an empty one from mkntfs. */
static void
make_ntfs(const char *vol, const struct part *p)
{
	char *mkvolume = xasprintf("%s/mkvolume", progdir);
	char *hidden = xasprintf("%llu", (unsigned long long)p->start);
	char *mib = xasprintf("%llu", (unsigned long long)(p->size /
	    SECTORS_PER_MIB));
	char *mkv[] = { mkvolume, "--size", mib, p->content == NTFS_WINDOWS ?
	    "win" : "data", (char *)vol, NULL };
	char *mkntfs[] = { "mkntfs", "-F", "-q", "-Q", "-L", (char *)p->label,
	    "-p", hidden, "-H", "255", "-S", "63", (char *)vol, NULL };

	unlink(vol);
	if (access(mkvolume, X_OK) == 0) {
		run(mkv, NULL);
	} else {
		make_sparse(vol, p->size * 512);
		run(mkntfs, NULL);
	}
	free(mkvolume);
	free(hidden);
	free(mib);
}

/* The sfdisk script of the layout, in a temporary file. */
static char *
write_script(const char *out, const char *label, const struct part *parts)
{
	char *path = xasprintf("%s.sfdisk-tmp", out);
	FILE *fp = fopen(path, "w");
	const struct part *p;

	if (fp == NULL)
		die("%s: %s", path, strerror(errno));
	cleanup[2] = path;
	fprintf(fp, "label: %s\nunit: sectors\n\n", label);
	for (p = parts; p->number != 0; p++) {
		fprintf(fp, "start=%llu, size=%llu, type=%s",
		    (unsigned long long)p->start,
		    (unsigned long long)p->size, p->type);
		if (p->name != NULL)
			fprintf(fp, ", name=\"%s\"", p->name);
		if (p->number == 1 && strcmp(label, "dos") == 0)
			fputs(", bootable", fp);
		fputc('\n', fp);
	}
	if (fclose(fp) == EOF)
		die("%s: %s", path, strerror(errno));
	return path;
}

/* The raw disk `raw`: the table, then each partition's content. */
static void
make_raw(const char *raw, const char *label, const struct part *parts,
	 uint64_t mib)
{
	char *script = write_script(raw, label, parts);
	char *vol = xasprintf("%s.vol-tmp", raw);
	char *sfdisk[] = { "sfdisk", "--no-reread", "--no-tell-kernel", "-q",
	    (char *)raw, NULL };
	const struct part *p;
	int fd;

	make_sparse(raw, mib * MIB);
	run(sfdisk, script);
	if ((fd = open(raw, O_RDWR | O_CLOEXEC)) == -1)
		die("%s: %s", raw, strerror(errno));
	cleanup[1] = vol;
	for (p = parts; p->number != 0; p++) {
		if (p->content == FAT)
			write_fat(fd, p);
		if (p->content != NTFS_DATA && p->content != NTFS_WINDOWS)
			continue;
		make_ntfs(vol, p);
		put_volume(fd, vol, (off_t)p->start * 512);
		unlink(vol);
	}
	if (fsync(fd) == -1 || close(fd) == -1)
		die("%s: %s", raw, strerror(errno));
	unlink(script);
	cleanup[1] = cleanup[2] = NULL;
	free(script);
	free(vol);
}

/* ewfacquire names its output TARGET.E01: OUT, or OUT.E01 renamed. */
static void
make_e01(const char *raw, const char *out)
{
	size_t len = strlen(out);
	char *base = len > 4 && strcmp(out + len - 4, ".E01") == 0 ?
	    xasprintf("%.*s", (int)(len - 4), out) : xasprintf("%s", out);
	char *e01 = xasprintf("%s.E01", base);
	char *ewf[] = { "ewfacquire", "-u", "-q", "-c", "fast", "-t", base,
	    (char *)raw, NULL };

	cleanup[2] = e01;
	unlink(e01);
	run(ewf, NULL);
	if (rename(e01, out) == -1)
		die("%s: %s", out, strerror(errno));
	cleanup[2] = NULL;
	free(base);
	free(e01);
}

/* OUT from the raw disk: renamed, or converted and the raw removed. */
static void
convert(const char *raw, const char *out, const char *format)
{
	char *q[] = { "qemu-img", "convert", "-q", "-f", "raw", "-O", NULL,
	    NULL, NULL, (char *)raw, (char *)out, NULL };

	if (strcmp(format, "raw") == 0) {
		if (rename(raw, out) == -1)
			die("%s: %s", out, strerror(errno));
		return;
	}
	cleanup[1] = out;
	if (strcmp(format, "e01") == 0) {
		make_e01(raw, out);
	} else {
		q[6] = strcmp(format, "fixed-vhd") == 0 ||
		    strcmp(format, "vhd") == 0 ? "vpc" : (char *)format;
		q[7] = "-o";
		/* No rounding to a CHS geometry: the disk keeps its size. */
		q[8] = strcmp(format, "fixed-vhd") == 0 ?
		    "subformat=fixed,force_size=on" :
		    strcmp(format, "vhd") == 0 ? "force_size=on" : NULL;
		if (q[8] == NULL)
			memmove(q + 7, q + 9, 3 * sizeof(q[0]));
		run(q, NULL);
	}
	unlink(raw);
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: mkdisk [--format FORMAT] mbr|gpt|mbr-logical OUT\n"
	    "       mkdisk [--format FORMAT] sparse MIB OUT\n"
	    "FORMAT: raw (default), vhd, fixed-vhd, vhdx, qcow2, vmdk, e01\n");
}

static int
known_format(const char *f)
{
	static const char *const formats[] = { "raw", "vhd", "fixed-vhd",
	    "vhdx", "qcow2", "vmdk", "e01", NULL };
	size_t i;

	for (i = 0; formats[i] != NULL; i++)
		if (strcmp(f, formats[i]) == 0)
			return 1;
	return 0;
}

/* sparse MIB: one NTFS partition with Windows filling the disk. */
static struct part *
sparse_parts(const char *arg, uint64_t *mib)
{
	static struct part parts[2];
	char *end;

	errno = 0;
	*mib = strtoull(arg, &end, 10);
	if (errno != 0 || *end != '\0' || *mib < 64 || *mib > 1024 * 1024)
		die("sparse: MIB must be 64 to 1048576, not '%s'", arg);
	parts[0] = (struct part){ 1, 2048, (*mib - 2) * SECTORS_PER_MIB, "7",
	    NULL, NTFS_WINDOWS, "Windows" };
	return parts;
}

int
main(int argc, char *argv[])
{
	const char *format = "raw", *kind, *out, *label = "dos";
	const struct part *parts;
	uint64_t mib;
	char *raw, *slash;
	int i = 1;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "--format") == 0) {
		format = argv[2];
		i = 3;
	}
	if (argc - i < 2 || !known_format(format)) {
		usage(stderr);
		return 1;
	}
	kind = argv[i];
	if ((slash = strrchr(argv[0], '/')) != NULL) {
		*slash = '\0';
		progdir = argv[0];
	}
	if (strcmp(kind, "sparse") == 0 && argc - i == 3) {
		parts = sparse_parts(argv[i + 1], &mib);
		out = argv[i + 2];
	} else if (argc - i == 2 && (strcmp(kind, "mbr") == 0 ||
	    strcmp(kind, "gpt") == 0 || strcmp(kind, "mbr-logical") == 0)) {
		out = argv[i + 1];
		parts = strcmp(kind, "mbr") == 0 ? mbr_parts :
		    strcmp(kind, "gpt") == 0 ? gpt_parts : logical_parts;
		label = strcmp(kind, "gpt") == 0 ? "gpt" : "dos";
		mib = strcmp(kind, "mbr") == 0 ? 64 : 128;
	} else {
		usage(stderr);
		return 1;
	}
	raw = xasprintf("%s.raw-tmp", out);
	cleanup[0] = raw;
	make_raw(raw, label, parts, mib);
	convert(raw, out, format);
	free(raw);
	return 0;
}
