/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Image files on the command line, what is common to every kind: which
 * parts a command works on (--image, --partition, the default of every
 * Windows), the one JSON document of a run over an image, what
 * `hivepatch images` says, and reading E01 evidence without writing it.
 * The backends themselves are tested in test_image_wim, test_image_ntfs
 * and test_image_disk.
 *
 * Fixtures: $MKWIM and $MKDISK (hives/mkwim.c, hives/mkdisk.c), and
 * qemu-img.  Skipped (exit 77) without mkntfs, ewfacquire or qemu-img. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "testutil.h"

#define SKIP_STATUS 77

static void
run_ok(const char *const *argv)
{
	struct tu_result r;

	tu_run(argv, NULL, &r);
	ck_assert_msg(r.status == 0, "%s: exit %d\n%s", argv[0], r.status,
	    r.err);
	tu_result_free(&r);
}

/* $MKWIM KIND, into the test's directory. */
static char *
wim(const char *kind)
{
	char *out = tu_pathf("%s/%s.wim", tu_scratch, kind);
	const char *argv[] = { tu_env_required("MKWIM"), kind, out, NULL };

	run_ok(argv);
	return out;
}

/* $MKDISK --format FORMAT gpt: a GPT disk whose partition 3 holds
 * Windows. */
static char *
disk(const char *format, const char *name)
{
	char *out = tu_pathf("%s/%s", tu_scratch, name);
	const char *argv[] = { tu_env_required("MKDISK"), "--format", format,
	    "gpt", out, NULL };

	run_ok(argv);
	return out;
}

/* ---- choosing the parts ---- */

START_TEST(test_every_windows_by_default_and_one_by_name)
{
	char *path = wim("two"), h[65];
	struct tu_result r;

	tu_sha256(path, h);
	/* Image 2 holds no Windows: the default is image 1 alone. */
	tu_hp(&r, "verify", path, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "[image 1]/Windows/System32/config/SOFTWARE");
	ASSERT_LACKS(r.out, "stdout", "[image 2]");
	tu_result_free(&r);
	/* By its name, in any letter case, or its index. */
	tu_hp(&r, "verify", "--image", "windows 10 PRO", path, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "[image 1]");
	tu_result_free(&r);
	tu_hp(&r, "apply", "--image", "1", "--backup-dir", tu_bk, path, NULL);
	ASSERT_STATUS(&r, 0);
	tu_result_free(&r);
	tu_hp(&r, "verify", "--image", "all", path, NULL);
	ASSERT_STATUS(&r, 0);
	tu_result_free(&r);
}
END_TEST

/* Each refusal: exit 3 (2 for a usage error), one line naming the
 * image and what is wrong, the file byte-identical. */
static void
refused(const char *path, int status, const char *msg, ...)
{
	const char *argv[16] = { NULL };
	struct tu_result r;
	const char *a;
	char h[65];
	va_list ap;
	int n = 1;

	tu_sha256(path, h);
	va_start(ap, msg);
	while ((a = va_arg(ap, const char *)) != NULL && n < 14)
		argv[n++] = a;
	va_end(ap);
	argv[n++] = path;
	tu_hp_argv(&r, NULL, argv);
	ASSERT_STATUS(&r, status);
	ASSERT_ERR(&r, path);
	ASSERT_ERR(&r, msg);
	ck_assert_int_eq(tu_count_lines(r.err, "hivepatch"), 1);
	tu_result_free(&r);
	ASSERT_HASH(path, h);
}

START_TEST(test_choices_that_name_nothing)
{
	char *two = wim("two"), *none = wim("none");

	refused(two, 3, "[image 2] 'Data': holds no Windows tree", "apply",
	    "--image", "2", "--backup-dir", tu_bk, NULL);
	refused(two, 3, "no image '7'", "verify", "--image", "7", NULL);
	refused(two, 3, "no image 'Home'", "inspect", "--image", "Home",
	    NULL);
	refused(two, 2, "a WIM, which holds images, not partitions", "verify",
	    "--partition", "1", NULL);
	refused(none, 3, "none of its 1 image holds a Windows tree", "apply",
	    "--backup-dir", tu_bk, NULL);
}
END_TEST

/* --image on a tree is a usage error, before anything is read; on a
 * TARGET that does not exist, that is the error. */
START_TEST(test_image_options_on_a_tree)
{
	char *tree = tu_make_tree("tree", "tree");
	struct tu_result r;

	tu_hp(&r, "verify", "--partition", "2", tree, NULL);
	ASSERT_STATUS(&r, 2);
	ASSERT_ERR(&r, "--partition is for image files");
	tu_result_free(&r);
	/* One that does not exist says so. */
	tu_hp(&r, "verify", "--image", "1", tu_pathf("%s/gone.wim",
	    tu_scratch), NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, tu_pathf("%s/gone.wim", tu_scratch));
	tu_result_free(&r);
}
END_TEST

/* ---- the JSON document ---- */

START_TEST(test_one_document_for_the_image)
{
	char *path = wim("two"), before[65], after[65];
	struct json_object *j, *parts, *p;
	struct tu_result r;

	tu_sha256(path, before);
	tu_hp(&r, "apply", "--json", "--backup-dir", tu_bk, path, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-image-run/1");
	tu_result_free(&r);
	tu_sha256(path, after);
	ck_assert_str_eq(tu_jstr(j, "image_file.kind"), "wim");
	ck_assert_str_eq(tu_jstr(j, "image_file.sha256_before"), before);
	ck_assert_str_eq(tu_jstr(j, "image_file.sha256_after"), after);
	ck_assert_str_ne(before, after);
	parts = tu_jarray(j, "parts");
	ck_assert_uint_eq(json_object_array_length(parts), 1);
	p = json_object_array_get_idx(parts, 0);
	ck_assert_str_eq(tu_jstr(p, "kind"), "image");
	ck_assert_int_eq(tu_jint(p, "number"), 1);
	ck_assert_str_eq(tu_jstr(p, "name"), "Windows 10 Pro");
	ck_assert_int_eq(tu_jint(p, "exit_status"), 0);
	ck_assert_str_eq(tu_jstr(p, "report.schema"), "hivepatch-report/1");
	ck_assert_str_eq(tu_jstr(p, "report.result"),
	    "2 changes written and verified from disk");
	json_object_put(j);
}
END_TEST

START_TEST(test_images_lists_the_parts)
{
	char *path = wim("two");
	struct json_object *j, *p;
	struct tu_result r;

	tu_hp(&r, "images", path, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "WIM, 2 images");
	ASSERT_OUT(&r, "image 1 'Windows 10 Pro'");
	ASSERT_OUT(&r, "Windows 10 Pro, build 19045, Professional, 64-bit; "
	    "hivepatch can write it");
	ASSERT_OUT(&r, "image 2 'Data'\n    no Windows");
	tu_result_free(&r);
	tu_hp(&r, "images", "--json", path, NULL);
	ASSERT_STATUS(&r, 0);
	j = tu_parse_json(&r, "hivepatch-images/1");
	tu_result_free(&r);
	p = json_object_array_get_idx(tu_jarray(j, "parts"), 0);
	ck_assert_str_eq(tu_jstr(p, "windows.os.build"), "19045");
	ck_assert(tu_jbool(p, "writable"));
	p = json_object_array_get_idx(tu_jarray(j, "parts"), 1);
	ck_assert(tu_jnull(p, "windows"));
	ck_assert(!tu_jbool(p, "has_windows"));
	json_object_put(j);
}
END_TEST

/* ---- evidence: read, never written ---- */

START_TEST(test_evidence_is_read_and_never_written)
{
	char *e01 = disk("e01", "evidence.E01"), h[65];
	char *out = tu_pathf("%s/recovered", tu_scratch);
	char *reg = tu_pathf("%s/net.reg", tu_scratch);
	struct tu_result r;

	tu_sha256(e01, h);
	tu_hp(&r, "export", "--output", reg, e01,
	    "HKLM\\SOFTWARE\\Microsoft\\.NETFramework", NULL);
	ASSERT_STATUS(&r, 0);
	tu_result_free(&r);
	ck_assert_int_gt(tu_file_size(reg), 100);
	tu_mkdir_p(out);
	tu_hp(&r, "recover", "--output", out, e01, NULL);
	ASSERT_STATUS(&r, 0);
	tu_result_free(&r);
	ck_assert_int_gt(tu_file_size(tu_pathf("%s/SOFTWARE", out)), 4096);
	refused(e01, 3, "E01", "import", "--backup-dir", tu_bk, reg, NULL);
	refused(e01, 3, "E01", "rollback", "--backup-dir", tu_bk, NULL);
	ASSERT_HASH(e01, h);
}
END_TEST

/* ---- images that name other files ---- */

/* A qcow2 over a backing file, a VMDK whose extent is a path: QEMU would
 * open those files; hivepatch refuses (exit 3), naming the image, and
 * nothing is written, neither the image nor what it names. */
START_TEST(test_an_image_naming_another_file_is_refused)
{
	char *base = disk("raw", "base.img"), h[65];
	char *over = tu_pathf("%s/over.qcow2", tu_scratch);
	char *vmdk = tu_pathf("%s/elsewhere.vmdk", tu_scratch);
	const char *argv[] = { "/usr/bin/qemu-img", "create", "-q", "-f",
	    "qcow2", "-b", base, "-F", "raw", over, NULL };
	FILE *f;

	run_ok(argv);
	tu_sha256(base, h);
	refused(over, 3, "a qcow2 that names another file", "apply",
	    "--backup-dir", tu_bk, NULL);
	refused(over, 3, "make it self-contained first", "images", NULL);
	ASSERT_HASH(base, h);
	ck_assert_ptr_nonnull(f = fopen(vmdk, "w"));
	fprintf(f, "# Disk DescriptorFile\nversion=1\nCID=fffffffe\n"
	    "parentCID=ffffffff\ncreateType=\"monolithicFlat\"\n\n"
	    "RW 262144 FLAT \"%s\" 0\n", base);
	fclose(f);
	refused(vmdk, 3, "a vmdk that names another file", "verify", NULL);
	ASSERT_HASH(base, h);
}
END_TEST

/* A disk with nothing hivepatch knows on it (no table, no volume) says
 * so rather than that none of its partitions holds Windows. */
START_TEST(test_an_empty_disk_says_it_holds_nothing)
{
	char *path = tu_pathf("%s/empty.qcow2", tu_scratch);
	const char *argv[] = { "/usr/bin/qemu-img", "create", "-q", "-f",
	    "qcow2", path, "64M", NULL };

	run_ok(argv);
	refused(path, 3, "holds no partition nor volume: no MBR or GPT "
	    "partition table", "apply", "--backup-dir", tu_bk, NULL);
}
END_TEST

/* ---- what an image holds never reaches the terminal raw ---- */

/* No byte of text is a control character but the line end. */
static void
assert_plain(const char *text, const char *what)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; *p != '\0'; p++)
		ck_assert_msg(*p >= 0x20 || *p == '\n', "%s holds byte 0x%02x:\n"
		    "%s", what, *p, text);
}

/* A WIM whose XML holds escape sequences: libxml2, which wimlib reads
 * it with, would print the line it found them in; hivepatch says one
 * line of its own (exit 4, the file untouched). */
START_TEST(test_a_hostile_wim_xml_is_not_echoed)
{
	char *path = wim("badxml"), h[65];
	const char *cmds[] = { "images", "verify", "inspect" };
	struct tu_result r;
	size_t i;

	tu_sha256(path, h);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		tu_hp(&r, cmds[i], path, NULL);
		ASSERT_STATUS(&r, 4);
		ASSERT_ERR(&r, tu_pathf("%s: cannot open the WIM: The XML data "
		    "of the WIM is invalid", path));
		ck_assert_int_eq(tu_count_lines(r.err, ""), 1);
		assert_plain(r.err, "stderr");
		assert_plain(r.out, "stdout");
		tu_result_free(&r);
	}
	/* Damage, not a failed read, in a pipeline's count. */
	tu_hp(&r, "verify", "--json", path, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_OUT(&r, "\"reason\":\"damaged\"");
	assert_plain(r.err, "stderr");
	tu_result_free(&r);
	ASSERT_HASH(path, h);
}
END_TEST

/* ---- the libraries an image kind needs ---- */

/* hivepatch loads wimlib, libnbd and libewf only when an image needs
 * them.  One it cannot load (here an empty file of its name, found
 * first through LD_LIBRARY_PATH) is named with its package: exit 4, one
 * line naming the image, and the image untouched. */
static void
unloadable(const char *cmd, const char *path, const char *soname,
	   const char *package)
{
	char *dir = tu_pathf("%s/lib-%s", tu_scratch, soname);
	char *env = tu_pathf("LD_LIBRARY_PATH=%s", dir);
	char *want = tu_pathf("cannot load %s", soname);
	char *install = tu_pathf("apt-get install %s", package);
	const char *add[] = { env, NULL };
	const struct tu_run_opts opts = { .env_add = add };
	struct tu_result r;
	char h[65];

	tu_mkdir_p(dir);
	tu_write_file(tu_pathf("%s/%s", dir, soname), "", 0);
	tu_sha256(path, h);
	tu_hp_opts(&r, &opts, cmd, path, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, path);
	ASSERT_ERR(&r, want);
	ASSERT_ERR(&r, install);
	ck_assert_int_eq(tu_count_lines(r.err, "hivepatch"), 1);
	tu_result_free(&r);
	ASSERT_HASH(path, h);
}

START_TEST(test_a_library_that_cannot_load_is_named)
{
	unloadable("inspect", wim("win"), WIMLIB_SONAME, WIMLIB_PACKAGE);
	unloadable("images", disk("qcow2", "disk.qcow2"), NBD_SONAME,
	    NBD_PACKAGE);
	unloadable("verify", disk("e01", "disk.E01"), EWF_SONAME,
	    EWF_PACKAGE);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("image_cli");
	TCase *tc;

	if (access("/usr/sbin/mkntfs", X_OK) != 0 ||
	    access("/usr/bin/ewfacquire", X_OK) != 0 ||
	    access("/usr/bin/qemu-img", X_OK) != 0) {
		printf("SKIP: mkntfs, ewfacquire or qemu-img not found (Debian: "
		    "ntfs-3g, ewf-tools, qemu-utils)\n");
		return SKIP_STATUS;
	}
	tc = tu_tcase(s, "image_cli");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_windows_by_default_and_one_by_name);
	tcase_add_test(tc, test_choices_that_name_nothing);
	tcase_add_test(tc, test_image_options_on_a_tree);
	tcase_add_test(tc, test_one_document_for_the_image);
	tcase_add_test(tc, test_images_lists_the_parts);
	tcase_add_test(tc, test_evidence_is_read_and_never_written);
	tcase_add_test(tc, test_an_image_naming_another_file_is_refused);
	tcase_add_test(tc, test_an_empty_disk_says_it_holds_nothing);
	tcase_add_test(tc, test_a_hostile_wim_xml_is_not_echoed);
	tcase_add_test(tc, test_a_library_that_cannot_load_is_named);
	return tu_run_suite(s, "test_image_cli");
}
