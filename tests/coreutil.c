/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers of the unit tests of the library core (test_hive, test_plan,
 * test_apply, test_detect, test_profile): scratch files, fixture hives,
 * and .reg text parsed and mapped into plans (coreutil.h).
 *
 * Each program's scratch space is one directory made by cu_run_suite and
 * removed after the run: fixtures/ holds one pristine hive per kind, made
 * on first use; each test makes its own scratch directory beside it. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <hivex.h>

#include "coreutil.h"
#include "error.h"
#include "hive.h"
#include "plan.h"
#include "regfile.h"

static char scratch_base[PATH_MAX];
static char fixture_dir[PATH_MAX];
/* HIVEPATCH_PROFILE_DIR, the shipped profiles (make check sets it). */
static char *initial_profile_dir;

/* ---- files and scratch directories ---- */

void
cu_fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, size, f, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < size, "string too long");
}

void
cu_scratch_new(char *dir, size_t size)
{
	cu_fmt(dir, size, "%s/t.XXXXXX", scratch_base);
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s: %s", dir,
	    strerror(errno));
}

static int
remove_entry(const char *path, const struct stat *st, int type,
	     struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static int
remove_tree(const char *path)
{
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void
cu_write_file(const char *path, const void *data, size_t len)
{
	const unsigned char *p = data;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		ck_assert_msg(n > 0, "write %s: %s", path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	ck_assert_msg(close(fd) == 0, "close %s: %s", path, strerror(errno));
}

void
cu_write_text(const char *path, const char *text)
{
	cu_write_file(path, text, strlen(text));
}

unsigned char *
cu_read_file(const char *path, size_t *len)
{
	unsigned char *buf;
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	ck_assert_msg(fstat(fd, &st) == 0, "stat %s", path);
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		ck_assert_msg(n > 0, "read %s: %s", path, strerror(errno));
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

static void
copy_file(const char *src, const char *dst)
{
	unsigned char *buf;
	size_t len;

	buf = cu_read_file(src, &len);
	cu_write_file(dst, buf, len);
	free(buf);
}

off_t
cu_file_size(const char *path)
{
	struct stat st;

	ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path,
	    strerror(errno));
	return st.st_size;
}

/* ---- fixtures ---- */

static const char *
mkhive_path(void)
{
	const char *m = getenv("MKHIVE");

	ck_assert_msg(m != NULL && *m != '\0',
	    "MKHIVE is not set: the fixture tests need the path of "
	    "hives/mkhive (make check sets it)");
	return m;
}

static void
run_mkhive(const char *kind, const char *out)
{
	const char *m = mkhive_path();
	int status;
	pid_t pid;

	pid = fork();
	ck_assert_msg(pid != -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		execl(m, m, kind, out, (char *)NULL);
		_exit(127);
	}
	ck_assert_msg(waitpid(pid, &status, 0) == pid, "waitpid: %s",
	    strerror(errno));
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "%s %s %s failed (wait status %d)", m, kind, out, status);
}

/* The pristine fixture of a kind (made once per run); never write it. */
void
cu_fixture(const char *kind, char *path, size_t size)
{
	char tmp[PATH_MAX];

	mkhive_path();
	cu_fmt(path, size, "%s/%s", fixture_dir, kind);
	if (access(path, F_OK) == 0)
		return;
	cu_fmt(tmp, sizeof(tmp), "%s/.%s.%ld", fixture_dir, kind, (long)getpid());
	run_mkhive(kind, tmp);
	ck_assert_msg(rename(tmp, path) == 0, "rename %s: %s", tmp,
	    strerror(errno));
}

/* A copy of the fixture in a fresh scratch directory, at `copy`. */
void
cu_fixture_copy(const char *kind, char *copy, size_t size)
{
	char src[PATH_MAX], dir[PATH_MAX];

	cu_fixture(kind, src, sizeof(src));
	cu_scratch_new(dir, sizeof(dir));
	cu_fmt(copy, size, "%s/%s", dir, "SOFTWARE");
	copy_file(src, copy);
}

/* A fixture copy opened for writing in memory; nothing is committed. */
hive_h *
cu_open_hive(const char *kind)
{
	char copy[PATH_MAX];
	hive_h *h;

	cu_fixture_copy(kind, copy, sizeof(copy));
	h = hivex_open(copy, HIVEX_OPEN_WRITE);
	ck_assert_msg(h != NULL, "hivex_open %s: %s", copy, strerror(errno));
	return h;
}

void
cu_close_hive(hive_h *h)
{
	ck_assert_int_eq(hivex_close(h), 0);
}

/* ---- hive values ---- */

unsigned char *
cu_utf16(const char *ascii, size_t *len)
{
	size_t n = strlen(ascii) + 1, i;
	unsigned char *out = calloc(n, 2);

	ck_assert_ptr_nonnull(out);
	for (i = 0; i < n; i++)
		out[2 * i] = (unsigned char)ascii[i];
	*len = 2 * n;
	return out;
}

hive_node_h
cu_must_find(hive_h *h, const char *path)
{
	hive_node_h node = hive_find_key(h, path);

	ck_assert_msg(node != 0, "key %s not found", path);
	return node;
}

/* Key names are limited to 255 UTF-16 units, which can be more than 255
 * bytes of UTF-8 (200 x U+00E9 is 400 bytes): such a key exists and
 * must be found.  Adds Classes\<that name> and returns its handle; the
 * path goes to path. */
hive_node_h
cu_add_long_utf8_key(hive_h *h, char *path, size_t size)
{
	char name[2 * 200 + 1];
	hive_node_h parent, child;
	size_t i;

	for (i = 0; i < 200; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);
	name[400] = '\0';
	parent = cu_must_find(h, "Classes");
	child = hivex_node_add_child(h, parent, name);
	ck_assert_msg(child != 0, "hivex cannot add the key: %s",
	    strerror(errno));
	ck_assert_uint_eq(hivex_node_get_child(h, parent, name), child);
	cu_fmt(path, size, "Classes\\%s", name);
	return child;
}

/* ---- .reg text and plans ---- */

void
cu_parse(const char *text, struct cu_parsed *p)
{
	struct hp_err e = { 0 };
	size_t i;

	ck_assert_msg(reg_parse_buffer("t.reg", (const unsigned char *)text,
	    strlen(text), &p->doc, &e) == 0, "parse: %s", e.msg);
	p->ops = calloc(p->doc.n_ops ? p->doc.n_ops : 1, sizeof(*p->ops));
	ck_assert_ptr_nonnull(p->ops);
	for (i = 0; i < p->doc.n_ops; i++)
		p->ops[i] = &p->doc.ops[i];
}

void
cu_parsed_free(struct cu_parsed *p)
{
	free(p->ops);
	reg_doc_free(&p->doc);
}

const struct map_ctx cu_image64 = { HP_HIVE_SOFTWARE, 1, NULL, 0, NULL };
const struct map_ctx cu_image32 = { HP_HIVE_SOFTWARE, 0, NULL, 0, NULL };

void
cu_make_plan(const char *text, const struct map_ctx *img, struct cu_parsed *p,
	  struct plan *plan)
{
	struct hp_err e = { 0 };

	cu_parse(text, p);
	ck_assert_msg(plan_map(p->ops, p->doc.n_ops, img, plan, &e) == 0,
	    "plan_map: %s", e.msg);
	ck_assert_uint_eq(plan->n_items, p->doc.n_ops);
}

/* ---- the run ---- */

const char *
cu_profile_dir(void)
{
	return initial_profile_dir;
}

int
cu_run_suite(Suite *s, const char *prog)
{
	const char *tmpdir = getenv("TMPDIR");
	const char *pd = getenv("HIVEPATCH_PROFILE_DIR");
	SRunner *runner;
	int n_failed;

	if (pd != NULL && *pd != '\0')
		initial_profile_dir = strdup(pd);
	if (tmpdir == NULL || tmpdir[0] == '\0')
		tmpdir = "/tmp";
	if (snprintf(scratch_base, sizeof(scratch_base), "%s/%s.XXXXXX",
	    tmpdir, prog) >= (int)sizeof(scratch_base)) {
		fprintf(stderr, "%s: TMPDIR too long\n", prog);
		return EXIT_FAILURE;
	}
	if (mkdtemp(scratch_base) == NULL) {
		fprintf(stderr, "%s: mkdtemp %s: %s\n", prog, scratch_base,
		    strerror(errno));
		return EXIT_FAILURE;
	}
	if (snprintf(fixture_dir, sizeof(fixture_dir), "%s/fixtures",
	    scratch_base) >= (int)sizeof(fixture_dir) ||
	    mkdir(fixture_dir, 0755) == -1) {
		fprintf(stderr, "%s: mkdir %s: %s\n", prog, fixture_dir,
		    strerror(errno));
		remove_tree(scratch_base);
		return EXIT_FAILURE;
	}
	if (getenv("MKHIVE") == NULL || *getenv("MKHIVE") == '\0')
		fprintf(stderr, "%s: MKHIVE is not set; every test "
		    "that needs a fixture hive will fail\n", prog);

	runner = srunner_create(s);
	srunner_run_all(runner, CK_NORMAL);
	n_failed = srunner_ntests_failed(runner);
	srunner_free(runner);

	if (remove_tree(scratch_base) != 0) {
		fprintf(stderr, "%s: removing %s: %s\n", prog, scratch_base,
		    strerror(errno));
		n_failed++;
	}
	free(initial_profile_dir);
	return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
