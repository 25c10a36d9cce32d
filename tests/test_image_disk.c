/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hivepatch on disk images: raw disks with MBR (logical partitions too)
 * or GPT, a bare NTFS volume, fixed and dynamic VHD, VHDX, qcow2, VMDK
 * and E01, as a user meets them through the command line.
 *
 * Fixtures: $MKDISK (hives/mkdisk.c) builds each disk once per run into
 * the suite's directory; every test works on a copy.  Skipped (exit 77)
 * without sfdisk, mkntfs, qemu-img or ewfacquire.  The tests that write
 * a Windows tree need one in the fixtures, which mkdisk makes through
 * hives/mkvolume: without it they say SKIP and check the rest.
 *
 * Every test runs as a child subreaper: a qemu-nbd that hivepatch left
 * behind would become our child, and each test ends by checking that no
 * qemu-nbd is among them. */
#include "config.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "testutil.h"

#define SKIP_STATUS 77
#define MIB (1024ull * 1024)

/* ---- tools and fixtures ---- */

/* The tools, found by main on PATH or in sbin (tu_run execs a path). */
static struct {
	const char *name;
	char path[4096];
} tools[] = { { "sfdisk", "" }, { "mkntfs", "" }, { "qemu-img", "" },
	{ "qemu-nbd", "" }, { "ewfacquire", "" }, { "cp", "" }, { "dd", "" } };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *
tool(const char *name)
{
	size_t i;

	for (i = 0; i < N(tools); i++)
		if (strcmp(tools[i].name, name) == 0)
			return tools[i].path;
	ck_abort_msg("no tool %s", name);
	return NULL;
}

/* Outside the tests (no ck_assert). */
static int
find_tool(const char *name, char *found, size_t size)
{
	const char *path = getenv("PATH");
	char dirs[4096], *d, *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin",
	    path != NULL ? path : "/usr/bin:/bin");
	for (d = strtok_r(dirs, ":", &save); d != NULL;
	    d = strtok_r(NULL, ":", &save)) {
		snprintf(found, size, "%s/%s", d, name);
		if (access(found, X_OK) == 0)
			return 1;
	}
	return 0;
}

static void
run_ok(const char *const *argv)
{
	struct tu_result r;

	tu_run(argv, NULL, &r);
	ck_assert_msg(r.status == 0, "%s failed (%d):\n%s%s", argv[0],
	    r.status, r.out, r.err);
	tu_result_free(&r);
}

/* The suite's KIND disk in FORMAT, built the first time it is asked
 * for. */
static const char *
fixture(const char *kind, const char *format)
{
	char *path = tu_pathf("%s/%s.%s", tu_base_dir(), kind, format);
	const char *argv[] = { tu_env_required("MKDISK"), "--format", format,
	    kind, path, NULL };

	if (access(path, F_OK) != 0)
		run_ok(argv);
	return path;
}

/* A copy of the fixture in the test's scratch directory, named NAME
 * (holes kept). */
static char *
copy_of(const char *kind, const char *format, const char *name)
{
	char *dst = tu_pathf("%s/%s", tu_scratch, name);
	const char *argv[] = { tool("cp"), "--sparse=always", fixture(kind, format),
	    dst, NULL };

	run_ok(argv);
	return dst;
}

/* The SHA-256 of bytes [off, off + len) of path. */
static void
hash_range(const char *path, uint64_t off, uint64_t len, char hex[65])
{
	char *part = tu_pathf("%s/range", tu_scratch);
	unsigned char *buf = malloc(MIB);
	int in = open(path, O_RDONLY), out;
	ssize_t n;

	ck_assert(buf != NULL && in != -1);
	out = open(part, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert(out != -1);
	while (len > 0) {
		n = pread(in, buf, len < MIB ? len : MIB, (off_t)off);
		ck_assert_msg(n > 0, "%s: short read", path);
		ck_assert(write(out, buf, (size_t)n) == n);
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	close(in);
	close(out);
	free(buf);
	tu_sha256(part, hex);
	unlink(part);
}

/* The disk behind an image, as raw bytes (qemu-img convert). */
static char *
as_raw(const char *image, const char *format)
{
	char *raw = tu_pathf("%s.raw", image);
	const char *argv[] = { tool("qemu-img"), "convert", "-U", "-f", format, "-O",
	    "raw", image, raw, NULL };

	run_ok(argv);
	return raw;
}

/* ---- qemu-nbd children ---- */

/* The pids of the qemu-nbd processes whose parent is `parent`. */
static size_t
qemu_nbd_children(pid_t parent, pid_t *pids, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	char path[64], stat[512], comm[64];
	int ppid, pid;
	size_t n = 0;
	FILE *fp;

	ck_assert(d != NULL);
	while ((de = readdir(d)) != NULL && n < max) {
		if ((pid = atoi(de->d_name)) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if ((fp = fopen(path, "r")) == NULL)
			continue;
		if (fgets(stat, sizeof(stat), fp) != NULL &&
		    sscanf(stat, "%*d (%63[^)]) %*c %d", comm, &ppid) == 2 &&
		    ppid == parent && strcmp(comm, "qemu-nbd") == 0)
			pids[n++] = pid;
		fclose(fp);
	}
	closedir(d);
	return n;
}

static int
is_zombie(pid_t pid)
{
	char path[64], stat[512], state = 'Z';
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 1;
	if (fgets(stat, sizeof(stat), fp) != NULL)
		sscanf(stat, "%*d (%*[^)]) %c", &state);
	fclose(fp);
	return state == 'Z';
}

/* Every qemu-nbd among our children (hivepatch's orphans) has exited
 * within `seconds`; reaped. */
static void
assert_no_qemu_nbd(int seconds)
{
	pid_t pids[16];
	size_t n, i;
	int tries, ws;

	for (tries = 0; tries < seconds * 10; tries++) {
		n = qemu_nbd_children(getpid(), pids, 16);
		for (i = 0; i < n; i++)
			waitpid(pids[i], &ws, WNOHANG);
		if (qemu_nbd_children(getpid(), pids, 16) == 0)
			return;
		usleep(100 * 1000);
	}
	ck_abort_msg("qemu-nbd (pid %d) outlived hivepatch", (int)pids[0]);
}

static void
setup(void)
{
	tu_setup();
	ck_assert(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
}

static void
teardown(void)
{
	assert_no_qemu_nbd(5);
	tu_teardown();
}

/* ---- what hivepatch images says ---- */

/* `hivepatch images --json PATH` (exit 0), parsed. */
static struct json_object *
images(const char *path)
{
	struct json_object *j;
	struct tu_result r;

	tu_hp(&r, "images", "--json", path, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-images/1");
	tu_result_free(&r);
	return j;
}

struct want_part {
	unsigned number;
	uint64_t offset_mib, size_mib;
	const char *name, *fs;
	int windows;		/* 1: has Windows once mkvolume made it */
};

static int windows_made = -1;	/* the fixtures hold Windows trees */

static void
assert_parts(const char *path, const char *kind, const struct want_part *w,
	     size_t n)
{
	struct json_object *j = images(path), *parts, *p;
	size_t i;

	ck_assert_str_eq(tu_jstr(j, "image_file.kind"), kind);
	parts = tu_jarray(j, "parts");
	ck_assert_msg(json_object_array_length(parts) == n, "%s: %zu parts, "
	    "expected %zu", path, json_object_array_length(parts), n);
	for (i = 0; i < n; i++) {
		p = json_object_array_get_idx(parts, i);
		ck_assert_int_eq(tu_jint(p, "number"), w[i].number);
		ck_assert_int_eq(tu_jint(p, "offset"), w[i].offset_mib * MIB);
		ck_assert_int_eq(tu_jint(p, "size"), w[i].size_mib * MIB);
		ck_assert_str_eq(tu_jstr(p, "name"), w[i].name);
		ck_assert_str_eq(tu_jstr(p, "fs"), w[i].fs);
		if (w[i].windows && windows_made == -1)
			windows_made = tu_jbool(p, "has_windows");
		ck_assert_int_eq(tu_jbool(p, "has_windows"),
		    w[i].windows && windows_made);
	}
	json_object_put(j);
}

static const struct want_part mbr_want[] = {
	{ 1, 1, 8, "SYSTEM RSVD", "vfat", 0 },
	{ 2, 9, 54, "Windows", "ntfs", 1 },
};
static const struct want_part gpt_want[] = {
	{ 1, 1, 8, "EFI system partition", "vfat", 0 },
	{ 2, 9, 16, "Microsoft reserved partition", "", 0 },
	{ 3, 25, 64, "Windows", "ntfs", 1 },
	{ 4, 89, 32, "Data", "ntfs", 0 },
};
static const struct want_part logical_want[] = {
	{ 1, 1, 8, "SYSTEM RSVD", "vfat", 0 },
	{ 5, 10, 16, "Data", "ntfs", 0 },
	{ 6, 27, 64, "Windows", "ntfs", 1 },
};
START_TEST(test_parts_of_each_table)
{
	assert_parts(copy_of("mbr", "raw", "mbr.img"), "raw", mbr_want,
	    N(mbr_want));
	assert_parts(copy_of("gpt", "raw", "gpt.img"), "raw", gpt_want,
	    N(gpt_want));
	assert_parts(copy_of("mbr-logical", "raw", "logical.img"), "raw",
	    logical_want, N(logical_want));
}
END_TEST

/* Behind qemu-nbd and libewf the table is read from a copy of the
 * disk's edges and EBR chain: the logical partitions' EBRs (9 and
 * 26 MiB in) are past the first MiB. */
START_TEST(test_parts_through_nbd_and_ewf)
{
	assert_parts(copy_of("mbr-logical", "qcow2", "l.qcow2"), "qcow2",
	    logical_want, N(logical_want));
	assert_parts(copy_of("mbr-logical", "e01", "l.E01"), "e01",
	    logical_want, N(logical_want));
	assert_parts(copy_of("gpt", "vhdx", "g.vhdx"), "vhdx", gpt_want,
	    N(gpt_want));
	assert_parts(copy_of("gpt", "vmdk", "g.vmdk"), "vmdk", gpt_want,
	    N(gpt_want));
	assert_parts(copy_of("gpt", "vhd", "g.vhd"), "vhd", gpt_want,
	    N(gpt_want));
	assert_parts(copy_of("gpt", "fixed-vhd", "f.vhd"), "vhd", gpt_want,
	    N(gpt_want));
}
END_TEST

/* The kind comes from the content: every file under a name that says
 * something else. */
START_TEST(test_kind_from_content_not_name)
{
	static const struct {
		const char *kind, *format, *name, *want;
	} c[] = {
		{ "gpt", "raw", "disk.qcow2", "raw" },
		{ "gpt", "fixed-vhd", "disk.img", "vhd" },
		{ "gpt", "vhd", "disk.vhdx", "vhd" },
		{ "gpt", "vhdx", "disk.vhd", "vhdx" },
		{ "gpt", "qcow2", "disk.vmdk", "qcow2" },
		{ "gpt", "vmdk", "disk.E01", "vmdk" },
		{ "mbr", "e01", "disk.raw", "e01" },
	};
	struct json_object *j;
	size_t i;

	for (i = 0; i < N(c); i++) {
		j = images(copy_of(c[i].kind, c[i].format, c[i].name));
		ck_assert_msg(strcmp(tu_jstr(j, "image_file.kind"), c[i].want)
		    == 0, "%s.%s as %s: kind %s", c[i].kind, c[i].format,
		    c[i].name, tu_jstr(j, "image_file.kind"));
		json_object_put(j);
	}
}
END_TEST

/* A disk with no table whose first sector is NTFS's is a bare volume:
 * partition 3 of the GPT disk, alone, in a file named like a qcow2. */
START_TEST(test_bare_volume)
{
	const char *gpt = fixture("gpt", "raw");
	char *vol = tu_pathf("%s/volume.qcow2", tu_scratch);
	const char *argv[] = { tool("dd"), "status=none", "bs=1M", "skip=25",
	    "count=64", "conv=sparse", tu_pathf("if=%s", gpt),
	    tu_pathf("of=%s", vol), NULL };
	const struct want_part want[] = { { 0, 0, 64, "Windows", "ntfs", 1 } };

	run_ok(argv);
	assert_parts(vol, "ntfs", want, 1);
}
END_TEST

/* ---- damaged tables ---- */

/* Every command on path fails with `status`, naming path and saying
 * `what`, and leaves it byte-identical. */
static void
assert_refused(const char *path, int status, const char *what)
{
	static const char *const cmds[] = { "images", "verify", "apply" };
	struct tu_result r;
	char h[65];
	size_t i;

	tu_sha256(path, h);
	for (i = 0; i < N(cmds); i++) {
		if (strcmp(cmds[i], "apply") == 0)
			tu_hp(&r, cmds[i], "--backup-dir", tu_bk, path, NULL);
		else
			tu_hp(&r, cmds[i], path, NULL);
		ASSERT_STATUS(&r, status);
		ASSERT_ERR(&r, path);
		ASSERT_ERR(&r, what);
		tu_result_free(&r);
		ASSERT_HASH(path, h);
	}
}

static void
patch_le32(const char *path, off_t off, uint32_t v)
{
	unsigned char b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
	    v >> 24 };
	int fd = open(path, O_WRONLY);

	ck_assert(fd != -1 && pwrite(fd, b, 4, off) == 4 && close(fd) == 0);
}

/* The first EBR's link points back at itself: libfdisk would list the
 * same logical partition again and again.  Refused as damaged, on a
 * raw disk and behind qemu-nbd. */
START_TEST(test_ebr_loop)
{
	char *raw = copy_of("mbr-logical", "raw", "loop.img");
	char *qcow2 = tu_pathf("%s/loop.qcow2", tu_scratch);
	const char *argv[] = { tool("qemu-img"), "convert", "-f", "raw", "-O",
	    "qcow2", raw, qcow2, NULL };

	patch_le32(raw, 18432 * 512 + 446 + 16 + 8, 0);
	run_ok(argv);
	assert_refused(raw, 4, "overlap");
	assert_refused(qcow2, 4, "overlap");
}
END_TEST

/* Partition 2 of the MBR disk made to end past the disk's end. */
START_TEST(test_partition_past_the_end)
{
	char *raw = copy_of("mbr", "raw", "past.img");

	patch_le32(raw, 446 + 16 + 12, 1u << 20);
	assert_refused(raw, 4, "partition 2");
}
END_TEST

/* ---- writing ---- */

/* 1 when the fixtures hold Windows trees (mkdisk found mkvolume); else
 * says SKIP. */
static int
can_write(const char *what)
{
	if (windows_made == -1)
		assert_parts(copy_of("gpt", "raw", "probe.img"), "raw",
		    gpt_want, N(gpt_want));
	if (!windows_made)
		printf("SKIP: %s: the fixtures hold no Windows tree "
		    "(hives/mkvolume not built)\n", what);
	return windows_made;
}

/* The hashes of what apply must leave alone on the GPT disk: the table
 * and its backup, the gaps, and every partition but 3 (Windows). */
#define N_KEPT 5
static void
hash_kept(const char *raw, char hex[N_KEPT][65])
{
	hash_range(raw, 0, 25 * MIB, hex[0]);		/* table, 1, 2 */
	hash_range(raw, 89 * MIB, 32 * MIB, hex[1]);	/* 4: Data */
	hash_range(raw, 121 * MIB, 7 * MIB, hex[2]);	/* gap, backup */
	hash_range(raw, 1 * MIB, 8 * MIB, hex[3]);	/* 1: ESP */
	hash_range(raw, 9 * MIB, 16 * MIB, hex[4]);	/* 2: MSR */
}

static void
qemu_img_check(const char *image, const char *qfmt)
{
	const char *argv[] = { tool("qemu-img"), "check", "-q", "-f", qfmt, image,
	    NULL };

	run_ok(argv);
}

/* apply on the GPT disk in FORMAT (QEMU's name qfmt, NULL for a file
 * read directly): verified, the other partitions and the table as they
 * were, qemu-img check clean, and a second apply writes nothing. */
static void
apply_on(const char *format, const char *qfmt)
{
	char *img = copy_of("gpt", format, tu_pathf("disk.%s", format));
	char before[N_KEPT][65], after[N_KEPT][65], h1[65], h2[65];
	struct tu_result r;
	char *raw;
	int i;

	if (!can_write(format))
		return;
	raw = qfmt != NULL && strcmp(format, "fixed-vhd") != 0 ?
	    as_raw(img, qfmt) : img;
	hash_kept(raw, before);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, img, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "[partition 3]");
	tu_result_free(&r);
	tu_hp(&r, "verify", img, NULL);
	ASSERT_STATUS(&r, 0);
	tu_result_free(&r);
	raw = qfmt != NULL && strcmp(format, "fixed-vhd") != 0 ?
	    as_raw(img, qfmt) : img;
	hash_kept(raw, after);
	for (i = 0; i < N_KEPT; i++)
		ck_assert_msg(strcmp(before[i], after[i]) == 0, "%s: range %d "
		    "changed", format, i);
	/* qemu-img check knows no VHD. */
	if (qfmt != NULL && strcmp(qfmt, "vpc") != 0)
		qemu_img_check(img, qfmt);
	tu_sha256(img, h1);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, img, NULL);
	ASSERT_STATUS(&r, 0);
	tu_result_free(&r);
	tu_sha256(img, h2);
	ck_assert_msg(strcmp(h1, h2) == 0, "%s: a second apply changed the "
	    "file", format);
}

START_TEST(test_apply_raw) { apply_on("raw", NULL); } END_TEST
START_TEST(test_apply_fixed_vhd) { apply_on("fixed-vhd", "vpc"); } END_TEST
START_TEST(test_apply_vhd) { apply_on("vhd", "vpc"); } END_TEST
START_TEST(test_apply_vhdx) { apply_on("vhdx", "vhdx"); } END_TEST
START_TEST(test_apply_qcow2) { apply_on("qcow2", "qcow2"); } END_TEST
START_TEST(test_apply_vmdk) { apply_on("vmdk", "vmdk"); } END_TEST

/* The Windows in a logical partition, behind qemu-nbd. */
START_TEST(test_apply_logical_qcow2)
{
	char *img = copy_of("mbr-logical", "qcow2", "logical.qcow2");
	struct tu_result r;

	if (!can_write("mbr-logical"))
		return;
	tu_hp(&r, "apply", "--backup-dir", tu_bk, img, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "[partition 6]");
	tu_result_free(&r);
	tu_hp(&r, "verify", "--partition", "6", img, NULL);
	ASSERT_STATUS(&r, 0);
	tu_result_free(&r);
	qemu_img_check(img, "qcow2");
}
END_TEST

/* ---- E01: read, never written ---- */

START_TEST(test_e01_read_only)
{
	char *img = copy_of("gpt", "e01", "evidence.E01");
	struct json_object *j, *p;
	struct tu_result r;
	char h[65];

	tu_sha256(img, h);
	j = images(img);
	p = json_object_array_get_idx(tu_jarray(j, "parts"), 2);
	ck_assert_int_eq(tu_jint(p, "number"), 3);
	ck_assert(!tu_jbool(p, "writable"));
	ASSERT_HAS(tu_jstr(p, "why_not_writable"), "why_not_writable",
	    "E01");
	json_object_put(j);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, img, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, img);
	ASSERT_ERR(&r, "E01");
	tu_result_free(&r);
	ASSERT_HASH(img, h);
	ck_assert_int_eq(access(tu_bk, F_OK), -1);
	if (can_write("e01 reads")) {
		tu_hp(&r, "verify", img, NULL);
		ck_assert_msg(r.status == 1, "verify: exit %d\n%s%s", r.status,
		    r.out, r.err);
		ASSERT_OUT(&r, "[partition 3]");
		tu_result_free(&r);
		/* As on a tree: 1, not ready to be patched. */
		tu_hp(&r, "inspect", img, NULL);
		ASSERT_STATUS(&r, 1);
		ASSERT_OUT(&r, "[partition 3]");
		tu_result_free(&r);
	}
	ASSERT_HASH(img, h);
}
END_TEST

/* ---- other holders, and hivepatch killed ---- */

/* A qemu-nbd of our own serving the image (as a running VM holds it):
 * every command refuses it with exit 3, naming it, and writes nothing. */
START_TEST(test_image_in_use)
{
	char *img = copy_of("gpt", "qcow2", "busy.qcow2");
	char *sock = tu_pathf("%s/nbd.sock", tu_scratch), h[65];
	const char *argv[] = { tool("qemu-nbd"), "-f", "qcow2", "-k", sock, img,
	    NULL };
	struct tu_result r;
	struct tu_proc p;
	int i;

	tu_spawn(argv, NULL, &p);
	for (i = 0; i < 100 && access(sock, F_OK) != 0; i++)
		usleep(50 * 1000);
	tu_sha256(img, h);
	tu_hp(&r, "images", img, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, img);
	ASSERT_ERR(&r, "lock");
	tu_result_free(&r);
	tu_hp(&r, "apply", "--backup-dir", tu_bk, img, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, img);
	tu_result_free(&r);
	kill(p.pid, SIGTERM);
	tu_wait(&p, &r);
	tu_result_free(&r);
	ASSERT_HASH(img, h);
}
END_TEST

/* hivepatch killed by SIG while its qemu-nbd serves the image: the
 * child is gone with it (then ours, as the subreaper, to reap) and the
 * image is sound.  qemu-nbd sits in its own process group, so a
 * terminal's Ctrl-C reaches hivepatch alone. */
static void
kill_mid_run(int sig)
{
	char *img = copy_of("gpt", "qcow2", "killed.qcow2");
	const char *argv[] = { tu_env_required("HIVEPATCH"), "apply",
	    "--backup-dir", tu_bk, img, NULL };
	const char *check[] = { tool("qemu-img"), "check", "-q", "-f", "qcow2",
	    img, NULL };
	struct tu_result r;
	struct tu_proc p;
	pid_t child = 0, pgid;
	int tries;

	for (tries = 0; tries < 20 && child == 0; tries++) {
		tu_spawn(argv, NULL, &p);
		while (child == 0 && !is_zombie(p.pid))
			if (qemu_nbd_children(p.pid, &child, 1) == 0)
				child = 0;
		if (child != 0) {
			pgid = getpgid(child);
			ck_assert(pgid == -1 || pgid == child);
			kill(p.pid, sig);
		}
		tu_wait(&p, &r);
		tu_result_free(&r);
	}
	ck_assert_msg(child != 0, "never saw hivepatch's qemu-nbd");
	assert_no_qemu_nbd(10);
	/* Killed with its parent, as at a power cut: leaked clusters (3)
	 * at worst, never a corruption (2). */
	tu_run(check, NULL, &r);
	ck_assert_msg(r.status == 0 || r.status == 3, "qemu-img check: exit "
	    "%d\n%s%s", r.status, r.out, r.err);
	tu_result_free(&r);
}

START_TEST(test_sigkill_mid_run) { kill_mid_run(SIGKILL); } END_TEST
START_TEST(test_sigint_mid_run) { kill_mid_run(SIGINT); } END_TEST

int
main(void)
{
	Suite *s = suite_create("image_disk");
	TCase *tc;
	size_t i;

	for (i = 0; i < N(tools); i++)
		if (!find_tool(tools[i].name, tools[i].path,
		    sizeof(tools[i].path))) {
			printf("SKIP: %s not found (Debian: fdisk, ntfs-3g, "
			    "qemu-utils, ewf-tools)\n", tools[i].name);
			return SKIP_STATUS;
		}
	tc = tcase_create("image_disk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	tcase_add_test(tc, test_parts_of_each_table);
	tcase_add_test(tc, test_parts_through_nbd_and_ewf);
	tcase_add_test(tc, test_kind_from_content_not_name);
	tcase_add_test(tc, test_bare_volume);
	tcase_add_test(tc, test_ebr_loop);
	tcase_add_test(tc, test_partition_past_the_end);
	tcase_add_test(tc, test_apply_raw);
	tcase_add_test(tc, test_apply_fixed_vhd);
	tcase_add_test(tc, test_apply_vhd);
	tcase_add_test(tc, test_apply_vhdx);
	tcase_add_test(tc, test_apply_qcow2);
	tcase_add_test(tc, test_apply_vmdk);
	tcase_add_test(tc, test_apply_logical_qcow2);
	tcase_add_test(tc, test_e01_read_only);
	tcase_add_test(tc, test_image_in_use);
	tcase_add_test(tc, test_sigkill_mid_run);
	tcase_add_test(tc, test_sigint_mid_run);
	return tu_run_suite(s, "test_image_disk");
}
