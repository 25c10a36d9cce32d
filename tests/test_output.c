/* SPDX-License-Identifier: GPL-3.0-or-later */
/* export --output FILE never writes into the target.
 *
 * For a tree nothing below TARGET is written, for a bare hive neither
 * the hive nor a log of it (nor a new file that would be taken for
 * one); a file that is the hive or one of its logs under another name
 * (a hard link) is refused too, and so is, in a tree, a file with
 * several names on the file system the tree lies on (one may be inside
 * it).  Symbolic links in FILE's path are followed as they lead, and
 * one that leads into the target is refused as the target is.  A
 * refusal is exit 3 (output-in-target), names FILE and why, and leaves
 * every file as it was, FILE included (by hash and inode), and no new
 * one. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "hivepatch.h"
#include "testutil.h"

#define KEY "HKLM\\SOFTWARE\\Microsoft"
#define HEAD "Windows Registry Editor Version 5.00"

/* What a case sets up, below scratch: the tree img (or the bare hive
 * bare/SOFTWARE, with its LOG1) and the outside directory out. */
struct place {
	char *target;		/* img, or bare/SOFTWARE */
	char *config;		/* the hive's directory */
	char *hive;
	char *out;		/* scratch/out, outside */
};

static void
place_tree(struct place *p)
{
	p->target = tu_make_tree("tree", "img");
	p->hive = tu_tree_file(p->target, "SOFTWARE");
	p->config = tu_dir_of(p->hive);
	p->out = tu_pathf("%s/out", tu_scratch);
	tu_mkdir_p(p->out);
	tu_write_text(tu_pathf("%s.LOG1", p->hive), "");
	tu_write_text(tu_pathf("%s/Windows/notes.txt", p->target),
	    "a file of the image\n");
}

static void
place_bare(struct place *p)
{
	p->config = tu_pathf("%s/bare", tu_scratch);
	tu_mkdir_p(p->config);
	p->hive = p->target = tu_pathf("%s/SOFTWARE", p->config);
	tu_mkhive("software64-net48", p->hive, 0);
	tu_write_text(tu_pathf("%s.LOG1", p->hive), "");
	p->out = tu_pathf("%s/out", tu_scratch);
	tu_mkdir_p(p->out);
}

static void
must_link(const char *from, const char *to)
{
	ck_assert_msg(link(from, to) == 0, "link %s %s: %s", from, to,
	    strerror(errno));
}

static void
must_symlink(const char *to, const char *name)
{
	ck_assert_msg(symlink(to, name) == 0, "symlink %s %s: %s", to, name,
	    strerror(errno));
}

/* Each case: how the target is laid out, the FILE it gives (made
 * ready), and what the refusal says. */
static const struct {
	const char *what;
	int bare;
	const char *why;
} refused[] = {
	{ "the hive", 0, "lies inside the target" },
	{ "a log", 0, "lies inside the target" },
	{ "a new name beside the hive", 0, "lies inside the target" },
	{ "a new name at the tree's root", 0, "lies inside the target" },
	{ "a hard link of the hive", 0, "(the same file)" },
	{ "a hard link of a log", 0, "(the same file)" },
	{ "a hard link of another file of the tree", 0, "hard links on the "
	    "file system the target" },
	{ "a symbolic link to the hive", 0, "lies inside the target" },
	{ "a new name through a linked directory", 0, "lies inside the "
	    "target" },
	{ "a dangling symbolic link into the tree", 0, "(through a symbolic "
	    "link)" },
	{ "the bare hive", 1, "(the same file)" },
	{ "the bare hive's log", 1, "(the same file)" },
	{ "a new log name beside the bare hive", 1, "would be taken for the "
	    "hive" },
	{ "a hard link of the bare hive", 1, "(the same file)" },
	{ "a symbolic link to the bare hive's new log", 1, "would be taken "
	    "for the hive" },
};

/* FILE for refused[i], made ready below p. */
static char *
file_for(size_t i, const struct place *p)
{
	char *f = tu_pathf("%s/file", p->out);

	switch (i) {
	case 0: case 10:
		return p->hive;
	case 1: case 11:
		return tu_pathf("%s.LOG1", p->hive);
	case 2:
		return tu_pathf("%s/new.reg", p->config);
	case 3:
		return tu_pathf("%s/new.reg", p->target);
	case 4: case 13:
		must_link(p->hive, f);
		return f;
	case 5:
		must_link(tu_pathf("%s.LOG1", p->hive), f);
		return f;
	case 6:
		must_link(tu_pathf("%s/Windows/notes.txt", p->target), f);
		return f;
	case 7:
		must_symlink(p->hive, f);
		return f;
	case 8:
		must_symlink(p->config, f);
		return tu_pathf("%s/new.reg", f);
	case 9:
		must_symlink(tu_pathf("%s/Windows/new.reg", p->target), f);
		return f;
	case 12:
		return tu_pathf("%s/software.log2", p->config);
	default:
		must_symlink(tu_pathf("%s/SOFTWARE.LOG", p->config), f);
		return f;
	}
}

START_TEST(test_export_refuses_an_output_in_the_target)
{
	struct place p;
	struct tu_dir_files all;
	struct tu_result r;
	char *file, *prefix;

	if (refused[_i].bare)
		place_bare(&p);
	else
		place_tree(&p);
	file = file_for((size_t)_i, &p);
	tu_dir_files_take(&all, tu_scratch);
	tu_hp(&r, "export", "--output", file, p.target, KEY, NULL);
	ck_assert_msg(r.status == 3, "%s: exit %d, expected 3\n%s",
	    refused[_i].what, r.status, r.err);
	prefix = tu_strf("hivepatch: %s: ", file);
	ASSERT_ERR(&r, prefix);
	free(prefix);
	ASSERT_ERR(&r, refused[_i].why);
	ASSERT_ERR(&r, "--output never writes into the target");
	tu_result_free(&r);
	tu_assert_dir_unchanged(&all);
	ck_assert_int_eq(tu_count_temp_files(p.config), 0);
}
END_TEST

/* Outside the target: a new file, one written over (one name), one
 * reached through a link, a file beside the bare hive that is no name
 * of it, and /dev/null. */
START_TEST(test_export_writes_an_output_outside_the_target)
{
	struct place tree, bare;
	char sha[SHA256_HEX_LEN + 1];
	const char *files[5];
	struct tu_result r;
	struct stat st;
	size_t i, len;

	place_tree(&tree);
	place_bare(&bare);
	tu_write_text(tu_pathf("%s/old.reg", tree.out), "old\n");
	must_symlink(tu_pathf("%s/old.reg", tree.out),
	    tu_pathf("%s/link.reg", tree.out));
	files[0] = tu_pathf("%s/new.reg", tree.out);
	files[1] = tu_pathf("%s/old.reg", tree.out);
	files[2] = tu_pathf("%s/link.reg", tree.out);
	files[3] = tu_pathf("%s/SOFTWARE.reg", bare.config);
	files[4] = "/dev/null";
	tu_sha256(tree.hive, sha);
	tu_stat(tree.hive, &st);
	for (i = 0; i < 5; i++) {
		const char *target = i == 3 ? bare.target : tree.target;

		tu_hp(&r, "export", "--output", files[i], target, KEY, NULL);
		ck_assert_msg(r.status == 0, "%s: exit %d\n%s", files[i],
		    r.status, r.err);
		tu_result_free(&r);
		if (i < 4) {
			char *text = (char *)tu_read_file(files[i], &len);

			ck_assert_msg(strncmp(text, HEAD, strlen(HEAD)) == 0,
			    "%s holds no export", files[i]);
			free(text);
		}
	}
	ASSERT_HASH(tree.hive, sha);
	tu_assert_same_file(tree.hive, &st);
}
END_TEST

/* A full device: exit 4, naming the output (the file, or standard
 * output) and why; the hive as it was. */
START_TEST(test_export_says_when_its_output_cannot_be_written)
{
	struct place tree;
	char sha[SHA256_HEX_LEN + 1];
	struct tu_result r;

	if (access("/dev/full", W_OK) != 0) {
		fprintf(stderr, "test_output: SKIP output cannot be written: "
		    "no /dev/full\n");
		return;
	}
	place_tree(&tree);
	tu_sha256(tree.hive, sha);
	tu_hp(&r, "export", "--output", "/dev/full", tree.target, KEY, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, "hivepatch: /dev/full: cannot write: ");
	ASSERT_ERR(&r, strerror(ENOSPC));
	tu_result_free(&r);
	{
		const char *argv[] = { "/bin/sh", "-c",
		    "exec \"$HIVEPATCH\" export \"$1\" \"$2\" >/dev/full", "sh",
		    tree.target, KEY, NULL };

		tu_run(argv, NULL, &r);
	}
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, "hivepatch: standard output: cannot write: ");
	tu_result_free(&r);
	ASSERT_HASH(tree.hive, sha);
}
END_TEST

static Suite *
output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tu_tcase(s, "export --output");

	tcase_add_loop_test(tc, test_export_refuses_an_output_in_the_target, 0,
	    (int)(sizeof(refused) / sizeof(refused[0])));
	tcase_add_test(tc, test_export_writes_an_output_outside_the_target);
	tcase_add_test(tc, test_export_says_when_its_output_cannot_be_written);
	return s;
}

int
main(void)
{
	return tu_run_suite(output_suite(), "test_output");
}
