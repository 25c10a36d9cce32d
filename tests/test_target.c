/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "error.h"
#include "target.h"

/* Made by main() before the tests run and removed after, so that a test
 * that fails half-way does not leave its scratch tree behind.  Each test
 * makes its own mkdtemp directory below it. */
static char scratch_base[PATH_MAX];

/* ---- helpers ---- */

/* snprintf into buf, failing the test on truncation. */
static void
fmt_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fmt_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < size, "path too long");
}

static void
scratch_new(char *root, size_t size)
{
	fmt_path(root, size, "%s/t.XXXXXX", scratch_base);
	ck_assert_msg(mkdtemp(root) != NULL, "mkdtemp %s: %s", root,
	    strerror(errno));
}

static int
remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

static int
remove_tree(const char *path)
{
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
scratch_remove(const char *root)
{
	ck_assert_msg(remove_tree(root) == 0, "removing %s: %s", root,
	    strerror(errno));
}

/* mkdir -p root/rel */
static void
make_dirs(const char *root, const char *rel)
{
	char path[PATH_MAX];
	char *p;

	fmt_path(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST,
			    "mkdir %s: %s", path, strerror(errno));
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
}

static void
make_file(const char *root, const char *rel)
{
	char path[PATH_MAX];
	int fd;

	fmt_path(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	ck_assert_msg(fd != -1, "creating %s: %s", path, strerror(errno));
	ck_assert_int_eq(write(fd, "regf", 4), 4);
	ck_assert_int_eq(close(fd), 0);
}

static void
make_link(const char *root, const char *rel, const char *points_to)
{
	char path[PATH_MAX];

	fmt_path(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_msg(symlink(points_to, path) == 0, "symlink %s: %s", path,
	    strerror(errno));
}

static void
make_fifo(const char *root, const char *rel)
{
	char path[PATH_MAX];

	fmt_path(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_msg(mkfifo(path, 0644) == 0, "mkfifo %s: %s", path,
	    strerror(errno));
}

/* Everything a successful resolve must satisfy, whatever the target. */
static void
assert_well_formed(const struct hp_target *t)
{
	size_t i;

	ck_assert_ptr_nonnull(t->given);
	ck_assert_ptr_nonnull(t->dir);
	ck_assert_ptr_nonnull(t->hive_path);
	ck_assert_ptr_nonnull(t->logs);
	for (i = 0; i < t->n_logs; i++)
		ck_assert_ptr_nonnull(t->logs[i]);
	ck_assert_ptr_null(t->logs[t->n_logs]);
}

/* A failed resolve leaves a zeroed struct behind. */
static void
assert_zeroed(const struct hp_target *t)
{
	ck_assert_ptr_null(t->given);
	ck_assert_ptr_null(t->dir);
	ck_assert_ptr_null(t->hive_path);
	ck_assert_ptr_null(t->logs);
	ck_assert_uint_eq(t->n_logs, 0);
	ck_assert_int_eq(t->is_tree, 0);
}

#define assert_msg_has(e, text) \
	ck_assert_msg(strstr((e)->msg, (text)) != NULL, \
	    "message \"%s\" does not contain \"%s\"", (e)->msg, (text))

/* Resolves and expects failure with `status`; the message must contain
 * `text`. */
static void
expect_failure(const char *target, const char *hive_name,
    enum hp_status status, const char *text)
{
	struct hp_target t;
	struct hp_err e;

	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(target_resolve(target, hive_name, &t, &e), -1);
	ck_assert_msg(e.status == status, "status %d, expected %d (%s)",
	    (int)e.status, (int)status, e.msg);
	assert_msg_has(&e, text);
	assert_zeroed(&t);
	target_free(&t);
}

/* ---- trees ---- */

START_TEST(test_exact_case_tree)
{
	char root[PATH_MAX], want[PATH_MAX];
	struct hp_target t;
	struct hp_err e;

	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/System32/config");
	make_file(root, "Windows/System32/config/SOFTWARE");
	make_file(root, "Windows/System32/config/SYSTEM");

	ck_assert_int_eq(target_resolve(root, "SOFTWARE", &t, &e), 0);
	assert_well_formed(&t);
	ck_assert_str_eq(t.given, root);
	ck_assert_int_eq(t.is_tree, 1);
	fmt_path(want, sizeof(want), "%s/Windows/System32/config", root);
	ck_assert_str_eq(t.dir, want);
	fmt_path(want, sizeof(want),
	    "%s/Windows/System32/config/SOFTWARE", root);
	ck_assert_str_eq(t.hive_path, want);
	ck_assert_uint_eq(t.n_logs, 0);
	target_free(&t);
	assert_zeroed(&t);

	scratch_remove(root);
}
END_TEST

START_TEST(test_mixed_case_tree)
{
	char root[PATH_MAX], want[PATH_MAX];
	struct hp_target t;
	struct hp_err e;

	scratch_new(root, sizeof(root));
	make_dirs(root, "windows/SYSTEM32/Config");
	make_file(root, "windows/SYSTEM32/Config/software");

	ck_assert_int_eq(target_resolve(root, "SOFTWARE", &t, &e), 0);
	assert_well_formed(&t);
	ck_assert_int_eq(t.is_tree, 1);
	fmt_path(want, sizeof(want), "%s/windows/SYSTEM32/Config", root);
	ck_assert_str_eq(t.dir, want);
	fmt_path(want, sizeof(want),
	    "%s/windows/SYSTEM32/Config/software", root);
	ck_assert_str_eq(t.hive_path, want);
	target_free(&t);

	scratch_remove(root);
}
END_TEST

START_TEST(test_tree_root_trailing_slash)
{
	char root[PATH_MAX], given[PATH_MAX], want[PATH_MAX];
	struct hp_target t;
	struct hp_err e;

	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/System32/config");
	make_file(root, "Windows/System32/config/SAM");

	fmt_path(given, sizeof(given), "%s//", root);
	ck_assert_int_eq(target_resolve(given, "SAM", &t, &e), 0);
	ck_assert_str_eq(t.given, given);
	fmt_path(want, sizeof(want), "%s/Windows/System32/config/SAM", root);
	ck_assert_str_eq(t.hive_path, want);
	target_free(&t);

	scratch_remove(root);
}
END_TEST

/* The root is the user's choice and may itself be a link. */
START_TEST(test_tree_root_through_symlink)
{
	char root[PATH_MAX], link[PATH_MAX], real[PATH_MAX], want[PATH_MAX];
	struct hp_target t;
	struct hp_err e;

	scratch_new(root, sizeof(root));
	make_dirs(root, "image/Windows/System32/config");
	make_file(root, "image/Windows/System32/config/SYSTEM");
	fmt_path(real, sizeof(real), "%s/image", root);
	make_link(root, "mnt", real);

	fmt_path(link, sizeof(link), "%s/mnt", root);
	ck_assert_int_eq(target_resolve(link, "SYSTEM", &t, &e), 0);
	ck_assert_int_eq(t.is_tree, 1);
	fmt_path(want, sizeof(want), "%s/Windows/System32/config/SYSTEM", link);
	ck_assert_str_eq(t.hive_path, want);
	target_free(&t);

	scratch_remove(root);
}
END_TEST

/* ---- bare hive files ---- */

START_TEST(test_bare_file)
{
	char root[PATH_MAX], hive[PATH_MAX];
	struct hp_target t;
	struct hp_err e;

	scratch_new(root, sizeof(root));
	make_file(root, "SOFTWARE");

	fmt_path(hive, sizeof(hive), "%s/SOFTWARE", root);
	ck_assert_int_eq(target_resolve(hive, "SOFTWARE", &t, &e), 0);
	assert_well_formed(&t);
	ck_assert_int_eq(t.is_tree, 0);
	ck_assert_str_eq(t.given, hive);
	ck_assert_str_eq(t.dir, root);
	ck_assert_str_eq(t.hive_path, hive);
	ck_assert_uint_eq(t.n_logs, 0);
	target_free(&t);

	scratch_remove(root);
}
END_TEST

START_TEST(test_bare_file_ignores_hive_name)
{
	char root[PATH_MAX], hive[PATH_MAX];
	struct hp_target t;
	struct hp_err e;

	scratch_new(root, sizeof(root));
	make_file(root, "copy-of-system.dat");
	fmt_path(hive, sizeof(hive), "%s/copy-of-system.dat", root);

	ck_assert_int_eq(target_resolve(hive, "SOFTWARE", &t, &e), 0);
	ck_assert_str_eq(t.hive_path, hive);
	target_free(&t);

	ck_assert_int_eq(target_resolve(hive, NULL, &t, &e), 0);
	ck_assert_str_eq(t.hive_path, hive);
	target_free(&t);

	scratch_remove(root);
}
END_TEST

/* A name without a slash lives in ".". */
START_TEST(test_bare_file_relative)
{
	char root[PATH_MAX];
	struct hp_target t;
	struct hp_err e;
	int saved_cwd;

	scratch_new(root, sizeof(root));
	make_file(root, "x.hive");
	make_file(root, "x.hive.LOG1");

	saved_cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ne(saved_cwd, -1);
	ck_assert_int_eq(chdir(root), 0);
	ck_assert_int_eq(target_resolve("x.hive", "SOFTWARE", &t, &e), 0);
	ck_assert_int_eq(fchdir(saved_cwd), 0);
	close(saved_cwd);

	ck_assert_str_eq(t.given, "x.hive");
	ck_assert_str_eq(t.dir, ".");
	ck_assert_str_eq(t.hive_path, "./x.hive");
	ck_assert_uint_eq(t.n_logs, 1);
	ck_assert_str_eq(t.logs[0], "./x.hive.LOG1");
	target_free(&t);

	scratch_remove(root);
}
END_TEST

/* ---- logs ---- */

START_TEST(test_logs_any_case)
{
	char root[PATH_MAX], want[PATH_MAX], outside[PATH_MAX];
	struct hp_target t;
	struct hp_err e;

	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/System32/config");
	make_file(root, "Windows/System32/config/SOFTWARE");
	make_file(root, "Windows/System32/config/SOFTWARE.LOG1");
	make_file(root, "Windows/System32/config/software.log2");
	make_file(root, "Windows/System32/config/Software.LOG");
	/* Not logs of this hive. */
	make_file(root, "Windows/System32/config/SOFTWARE.bak");
	make_file(root, "Windows/System32/config/SOFTWARE.LOG3");
	make_file(root, "Windows/System32/config/SOFTWARE.LOG1.old");
	make_file(root, "Windows/System32/config/SOFTWARELOG1");
	make_file(root, "Windows/System32/config/SYSTEM.LOG1");
	make_file(root, "Windows/System32/config/SOFT.LOG1");
	/* Right names, wrong kinds: not listed. */
	make_file(root, "outside-log");
	fmt_path(outside, sizeof(outside), "%s/outside-log", root);
	make_link(root, "Windows/System32/config/SOFTWARE.log", outside);
	make_dirs(root, "Windows/System32/config/SOFTWARE.Log1");
	make_fifo(root, "Windows/System32/config/software.LOG2");

	ck_assert_int_eq(target_resolve(root, "SOFTWARE", &t, &e), 0);
	assert_well_formed(&t);
	ck_assert_uint_eq(t.n_logs, 3);
	/* Sorted by byte value: upper case first. */
	fmt_path(want, sizeof(want),
	    "%s/Windows/System32/config/SOFTWARE.LOG1", root);
	ck_assert_str_eq(t.logs[0], want);
	fmt_path(want, sizeof(want),
	    "%s/Windows/System32/config/Software.LOG", root);
	ck_assert_str_eq(t.logs[1], want);
	fmt_path(want, sizeof(want),
	    "%s/Windows/System32/config/software.log2", root);
	ck_assert_str_eq(t.logs[2], want);
	target_free(&t);

	scratch_remove(root);
}
END_TEST

/* Logs follow the hive's on-disk spelling, in a mixed-case tree too. */
START_TEST(test_logs_mixed_case_tree)
{
	char root[PATH_MAX], want[PATH_MAX];
	struct hp_target t;
	struct hp_err e;

	scratch_new(root, sizeof(root));
	make_dirs(root, "WINDOWS/system32/CONFIG");
	make_file(root, "WINDOWS/system32/CONFIG/system");
	make_file(root, "WINDOWS/system32/CONFIG/SYSTEM.LOG1");

	ck_assert_int_eq(target_resolve(root, "SYSTEM", &t, &e), 0);
	ck_assert_uint_eq(t.n_logs, 1);
	fmt_path(want, sizeof(want),
	    "%s/WINDOWS/system32/CONFIG/SYSTEM.LOG1", root);
	ck_assert_str_eq(t.logs[0], want);
	target_free(&t);

	scratch_remove(root);
}
END_TEST

START_TEST(test_logs_bare_file)
{
	char root[PATH_MAX], hive[PATH_MAX], want[PATH_MAX];
	struct hp_target t;
	struct hp_err e;

	scratch_new(root, sizeof(root));
	make_file(root, "sys.hiv");
	make_file(root, "SYS.HIV.log");
	make_file(root, "sys.hiv.LOG2");
	make_file(root, "sys.hiv.LOG9");
	make_file(root, "other.hiv.LOG1");

	fmt_path(hive, sizeof(hive), "%s/sys.hiv", root);
	ck_assert_int_eq(target_resolve(hive, "SYSTEM", &t, &e), 0);
	ck_assert_uint_eq(t.n_logs, 2);
	fmt_path(want, sizeof(want), "%s/SYS.HIV.log", root);
	ck_assert_str_eq(t.logs[0], want);
	fmt_path(want, sizeof(want), "%s/sys.hiv.LOG2", root);
	ck_assert_str_eq(t.logs[1], want);
	target_free(&t);

	scratch_remove(root);
}
END_TEST

/* ---- links inside the image ---- */

START_TEST(test_symlinked_windows_refused)
{
	char root[PATH_MAX], image[PATH_MAX], elsewhere[PATH_MAX],
	    want[PATH_MAX + 128];

	/* The image's Windows points at a complete tree outside it. */
	scratch_new(root, sizeof(root));
	make_dirs(root, "host/Windows/System32/config");
	make_file(root, "host/Windows/System32/config/SOFTWARE");
	make_dirs(root, "image");
	fmt_path(elsewhere, sizeof(elsewhere), "%s/host/Windows", root);
	make_link(root, "image/Windows", elsewhere);

	fmt_path(image, sizeof(image), "%s/image", root);
	fmt_path(want, sizeof(want), "%s/Windows: is a symbolic link; "
	    "refusing to follow links inside the image", image);
	expect_failure(image, "SOFTWARE", HP_REFUSED, want);

	scratch_remove(root);
}
END_TEST

START_TEST(test_symlinked_system32_refused)
{
	char root[PATH_MAX], want[PATH_MAX + 128];

	/* Even a relative link that stays inside the image is refused. */
	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/SysWOW64/config");
	make_file(root, "Windows/SysWOW64/config/SOFTWARE");
	make_link(root, "Windows/System32", "SysWOW64");

	fmt_path(want, sizeof(want), "%s/Windows/System32: is a symbolic link; "
	    "refusing to follow links inside the image", root);
	expect_failure(root, "SOFTWARE", HP_REFUSED, want);

	scratch_remove(root);
}
END_TEST

START_TEST(test_symlinked_hive_in_tree_refused)
{
	char root[PATH_MAX], outside[PATH_MAX], want[PATH_MAX + 128];

	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/System32/config");
	make_file(root, "precious");
	fmt_path(outside, sizeof(outside), "%s/precious", root);
	make_link(root, "Windows/System32/config/SOFTWARE", outside);

	fmt_path(want, sizeof(want), "%s/Windows/System32/config/SOFTWARE: "
	    "is a symbolic link; refusing to follow links inside the image",
	    root);
	expect_failure(root, "SOFTWARE", HP_REFUSED, want);

	scratch_remove(root);
}
END_TEST

START_TEST(test_symlinked_bare_file_refused)
{
	char root[PATH_MAX], real[PATH_MAX], link[PATH_MAX],
	    want[PATH_MAX + 64];

	scratch_new(root, sizeof(root));
	make_file(root, "SOFTWARE");
	fmt_path(real, sizeof(real), "%s/SOFTWARE", root);
	make_link(root, "hive-link", real);
	make_link(root, "dangling", "no-such-file");

	fmt_path(link, sizeof(link), "%s/hive-link", root);
	fmt_path(want, sizeof(want), "%s: is a symbolic link; give the file "
	    "itself", link);
	expect_failure(link, "SOFTWARE", HP_REFUSED, want);

	fmt_path(link, sizeof(link), "%s/dangling", root);
	fmt_path(want, sizeof(want), "%s: is a symbolic link; give the file "
	    "itself", link);
	expect_failure(link, "SOFTWARE", HP_REFUSED, want);

	scratch_remove(root);
}
END_TEST

/* ---- hives that are not regular files ---- */

START_TEST(test_hive_is_directory)
{
	char root[PATH_MAX], want[PATH_MAX + 64];

	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/System32/config/SOFTWARE");

	fmt_path(want, sizeof(want), "%s/Windows/System32/config/SOFTWARE: "
	    "is a directory, not a hive file", root);
	expect_failure(root, "SOFTWARE", HP_REFUSED, want);

	scratch_remove(root);
}
END_TEST

/* Opening a FIFO would block; the test's timeout catches that. */
START_TEST(test_hive_is_fifo)
{
	char root[PATH_MAX], path[PATH_MAX], want[PATH_MAX + 64];

	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/System32/config");
	make_fifo(root, "Windows/System32/config/SOFTWARE");
	make_fifo(root, "bare-fifo");

	fmt_path(want, sizeof(want), "%s/Windows/System32/config/SOFTWARE: "
	    "is a FIFO, not a hive file", root);
	expect_failure(root, "SOFTWARE", HP_REFUSED, want);

	fmt_path(path, sizeof(path), "%s/bare-fifo", root);
	fmt_path(want, sizeof(want), "%s: is a FIFO, not a hive file", path);
	expect_failure(path, "SOFTWARE", HP_REFUSED, want);

	scratch_remove(root);
}
END_TEST

START_TEST(test_hive_is_socket)
{
	char root[PATH_MAX], path[PATH_MAX], want[PATH_MAX + 64];
	struct sockaddr_un addr;
	int sock;

	scratch_new(root, sizeof(root));
	fmt_path(path, sizeof(path), "%s/sock", root);
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	ck_assert_uint_lt(strlen(path), sizeof(addr.sun_path));
	memcpy(addr.sun_path, path, strlen(path) + 1);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ne(sock, -1);
	ck_assert_int_eq(bind(sock, (struct sockaddr *)&addr, sizeof(addr)), 0);

	fmt_path(want, sizeof(want), "%s: is a socket, not a hive file", path);
	expect_failure(path, "SOFTWARE", HP_REFUSED, want);

	close(sock);
	scratch_remove(root);
}
END_TEST

START_TEST(test_hive_is_char_device)
{
	expect_failure("/dev/null", "SOFTWARE", HP_REFUSED,
	    "/dev/null: is a character device, not a hive file");
}
END_TEST

/* ---- missing things ---- */

START_TEST(test_missing_config_dir)
{
	char root[PATH_MAX], want[PATH_MAX * 2 + 128];

	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/System32");

	fmt_path(want, sizeof(want), "%s: no Windows/System32/config/SOFTWARE "
	    "here (no 'config' in %s/Windows/System32)", root, root);
	expect_failure(root, "SOFTWARE", HP_IOERR, want);

	scratch_remove(root);
}
END_TEST

START_TEST(test_missing_windows_dir)
{
	char root[PATH_MAX], want[PATH_MAX * 2 + 128];

	scratch_new(root, sizeof(root));

	fmt_path(want, sizeof(want), "%s: no Windows/System32/config/SAM "
	    "here (no 'Windows' in %s)", root, root);
	expect_failure(root, "SAM", HP_IOERR, want);

	scratch_remove(root);
}
END_TEST

START_TEST(test_missing_hive)
{
	char root[PATH_MAX], want[PATH_MAX * 2 + 128];

	scratch_new(root, sizeof(root));
	make_dirs(root, "windows/system32/config");
	make_file(root, "windows/system32/config/SYSTEM");

	fmt_path(want, sizeof(want), "%s: no Windows/System32/config/SECURITY "
	    "here (no 'SECURITY' in %s/windows/system32/config)", root, root);
	expect_failure(root, "SECURITY", HP_IOERR, want);

	scratch_remove(root);
}
END_TEST

/* A regular file where a directory of the tree should be. */
START_TEST(test_component_not_directory)
{
	char root[PATH_MAX], want[PATH_MAX + 64];

	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows");
	make_file(root, "Windows/System32");

	fmt_path(want, sizeof(want), "%s/Windows/System32: is a regular file, "
	    "not a directory", root);
	expect_failure(root, "SOFTWARE", HP_IOERR, want);

	scratch_remove(root);
}
END_TEST

START_TEST(test_nonexistent_target)
{
	char root[PATH_MAX], path[PATH_MAX], want[PATH_MAX + 64];

	scratch_new(root, sizeof(root));

	fmt_path(path, sizeof(path), "%s/x.hive", root);
	fmt_path(want, sizeof(want), "%s: No such file or directory", path);
	expect_failure(path, "SOFTWARE", HP_IOERR, want);

	scratch_remove(root);
}
END_TEST

/* Root bypasses permissions, so this only means something for others. */
START_TEST(test_unreadable_directory)
{
	char root[PATH_MAX], path[PATH_MAX], want[PATH_MAX + 64];
	struct hp_target t;
	struct hp_err e;
	int rc;

	if (geteuid() == 0)
		return;
	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/System32/config");
	fmt_path(path, sizeof(path), "%s/Windows/System32", root);
	ck_assert_int_eq(chmod(path, 0), 0);

	memset(&e, 0, sizeof(e));
	rc = target_resolve(root, "SOFTWARE", &t, &e);
	/* Restore first so that the tree can be removed whatever happens. */
	ck_assert_int_eq(chmod(path, 0755), 0);

	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(e.status, HP_IOERR);
	fmt_path(want, sizeof(want), "%s: Permission denied", path);
	assert_msg_has(&e, want);
	assert_zeroed(&t);
	scratch_remove(root);
}
END_TEST

/* ---- ambiguous letter case ---- */

START_TEST(test_ambiguous_exact_case_wins)
{
	char root[PATH_MAX], want[PATH_MAX];
	struct hp_target t;
	struct hp_err e;

	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/System32/config");
	make_file(root, "Windows/System32/config/SOFTWARE");
	make_file(root, "Windows/System32/config/software");

	ck_assert_int_eq(target_resolve(root, "SOFTWARE", &t, &e), 0);
	fmt_path(want, sizeof(want),
	    "%s/Windows/System32/config/SOFTWARE", root);
	ck_assert_str_eq(t.hive_path, want);
	target_free(&t);

	ck_assert_int_eq(target_resolve(root, "software", &t, &e), 0);
	fmt_path(want, sizeof(want),
	    "%s/Windows/System32/config/software", root);
	ck_assert_str_eq(t.hive_path, want);
	target_free(&t);

	scratch_remove(root);
}
END_TEST

START_TEST(test_ambiguous_no_exact_refused)
{
	char root[PATH_MAX], want[PATH_MAX + 64];
	struct hp_err e;
	struct hp_target t;

	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/System32/config");
	make_file(root, "Windows/System32/config/Software");
	make_file(root, "Windows/System32/config/software");

	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(target_resolve(root, "SOFTWARE", &t, &e), -1);
	ck_assert_int_eq(e.status, HP_REFUSED);
	fmt_path(want, sizeof(want), "%s/Windows/System32/config: both", root);
	assert_msg_has(&e, want);
	assert_msg_has(&e, "'Software'");
	assert_msg_has(&e, "'software'");
	assert_msg_has(&e, "match 'SOFTWARE'; refusing to guess");
	assert_zeroed(&t);

	scratch_remove(root);
}
END_TEST

START_TEST(test_ambiguous_directory_refused)
{
	char root[PATH_MAX], want[PATH_MAX + 64];

	scratch_new(root, sizeof(root));
	make_dirs(root, "WINDOWS/System32/config");
	make_dirs(root, "windows/System32/config");
	make_file(root, "WINDOWS/System32/config/SOFTWARE");

	fmt_path(want, sizeof(want), "%s: both", root);
	expect_failure(root, "SOFTWARE", HP_REFUSED, want);
	expect_failure(root, "SOFTWARE", HP_REFUSED,
	    "match 'Windows'; refusing to guess");

	scratch_remove(root);
}
END_TEST

/* ---- bounds and bad arguments ---- */

START_TEST(test_huge_directory_refused)
{
	char root[PATH_MAX], dir[PATH_MAX], want[PATH_MAX + 64];
	char name[32];
	int dir_fd, fd, i;

	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/System32/config");
	make_file(root, "Windows/System32/config/SOFTWARE");
	fmt_path(dir, sizeof(dir), "%s/Windows/System32/config", root);
	dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ne(dir_fd, -1);
	/* With SOFTWARE that makes 100001 entries. */
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		ck_assert_int_ne(fd, -1);
		close(fd);
	}
	close(dir_fd);

	fmt_path(want, sizeof(want), "%s: more than 100000 entries", dir);
	expect_failure(root, "SOFTWARE", HP_REFUSED, want);

	scratch_remove(root);
}
END_TEST

START_TEST(test_bad_hive_names)
{
	char root[PATH_MAX];

	scratch_new(root, sizeof(root));
	make_dirs(root, "Windows/System32/config");
	make_file(root, "Windows/System32/config/SAM");

	expect_failure(root, "../config/SAM", HP_USAGE, "invalid hive name");
	expect_failure(root, "..", HP_USAGE, "invalid hive name");
	expect_failure(root, "", HP_USAGE, "invalid hive name");
	expect_failure(root, NULL, HP_USAGE, "invalid hive name");
	expect_failure("", "SAM", HP_USAGE, "empty TARGET");

	scratch_remove(root);
}
END_TEST

START_TEST(test_free_zeroed_struct)
{
	struct hp_target t;

	memset(&t, 0, sizeof(t));
	target_free(&t);
	target_free(&t);
	target_free(NULL);
	assert_zeroed(&t);
}
END_TEST

/* Counts this process's open descriptors below 1024 (plenty for a test). */
static int
count_open_fds(void)
{
	int fd, count = 0;

	/* Probe with fcntl: reading /proc would itself need a descriptor. */
	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			count++;
	return count;
}

/* Every path, good or bad, closes every descriptor it opened. */
START_TEST(test_no_fd_leaks)
{
	char root[PATH_MAX], path[PATH_MAX], outside[PATH_MAX];
	struct hp_target t;
	struct hp_err e;
	int before, i;

	scratch_new(root, sizeof(root));
	make_dirs(root, "good/Windows/System32/config");
	make_file(root, "good/Windows/System32/config/SOFTWARE");
	make_file(root, "good/Windows/System32/config/SOFTWARE.LOG1");
	make_file(root, "good/Windows/System32/config/Software");
	make_file(root, "good/Windows/System32/config/software");
	make_fifo(root, "good/Windows/System32/config/SAM");
	fmt_path(outside, sizeof(outside),
	    "%s/good/Windows/System32/config/SOFTWARE", root);
	make_link(root, "good/Windows/System32/config/SECURITY", outside);
	make_dirs(root, "linked/Windows");
	fmt_path(outside, sizeof(outside), "%s/good/Windows/System32", root);
	make_link(root, "linked/Windows/System32", outside);

	before = count_open_fds();
	for (i = 0; i < 3; i++) {
		fmt_path(path, sizeof(path), "%s/good", root);
		ck_assert_int_eq(target_resolve(path, "SOFTWARE", &t, &e), 0);
		target_free(&t);
		/* ambiguous, FIFO, link, missing */
		ck_assert_int_eq(target_resolve(path, "SOFTWARe", &t, &e), -1);
		ck_assert_int_eq(target_resolve(path, "SAM", &t, &e), -1);
		ck_assert_int_eq(target_resolve(path, "SECURITY", &t, &e), -1);
		ck_assert_int_eq(target_resolve(path, "DEFAULT", &t, &e), -1);
		fmt_path(path, sizeof(path), "%s/linked", root);
		ck_assert_int_eq(target_resolve(path, "SOFTWARE", &t, &e), -1);
		fmt_path(path, sizeof(path),
		    "%s/good/Windows/System32/config/SOFTWARE", root);
		ck_assert_int_eq(target_resolve(path, NULL, &t, &e), 0);
		target_free(&t);
	}
	ck_assert_int_eq(count_open_fds(), before);

	scratch_remove(root);
}
END_TEST

/* ---- runner ---- */

static Suite *
target_suite(void)
{
	Suite *s = suite_create("target");
	TCase *tc;

	tc = tcase_create("trees");
	tcase_add_test(tc, test_exact_case_tree);
	tcase_add_test(tc, test_mixed_case_tree);
	tcase_add_test(tc, test_tree_root_trailing_slash);
	tcase_add_test(tc, test_tree_root_through_symlink);
	suite_add_tcase(s, tc);

	tc = tcase_create("bare files");
	tcase_add_test(tc, test_bare_file);
	tcase_add_test(tc, test_bare_file_ignores_hive_name);
	tcase_add_test(tc, test_bare_file_relative);
	suite_add_tcase(s, tc);

	tc = tcase_create("logs");
	tcase_add_test(tc, test_logs_any_case);
	tcase_add_test(tc, test_logs_mixed_case_tree);
	tcase_add_test(tc, test_logs_bare_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("links");
	tcase_add_test(tc, test_symlinked_windows_refused);
	tcase_add_test(tc, test_symlinked_system32_refused);
	tcase_add_test(tc, test_symlinked_hive_in_tree_refused);
	tcase_add_test(tc, test_symlinked_bare_file_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("file kinds");
	tcase_add_test(tc, test_hive_is_directory);
	tcase_add_test(tc, test_hive_is_fifo);
	tcase_add_test(tc, test_hive_is_socket);
	tcase_add_test(tc, test_hive_is_char_device);
	suite_add_tcase(s, tc);

	tc = tcase_create("missing");
	tcase_add_test(tc, test_missing_config_dir);
	tcase_add_test(tc, test_missing_windows_dir);
	tcase_add_test(tc, test_missing_hive);
	tcase_add_test(tc, test_component_not_directory);
	tcase_add_test(tc, test_nonexistent_target);
	tcase_add_test(tc, test_unreadable_directory);
	suite_add_tcase(s, tc);

	tc = tcase_create("ambiguous");
	tcase_add_test(tc, test_ambiguous_exact_case_wins);
	tcase_add_test(tc, test_ambiguous_no_exact_refused);
	tcase_add_test(tc, test_ambiguous_directory_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("bounds");
	/* Creating 100000 files takes a while, more under sanitizers. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_huge_directory_refused);
	tcase_add_test(tc, test_bad_hive_names);
	tcase_add_test(tc, test_free_zeroed_struct);
	tcase_add_test(tc, test_no_fd_leaks);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	const char *tmpdir = getenv("TMPDIR");
	SRunner *runner;
	int n_failed;

	if (tmpdir == NULL || tmpdir[0] == '\0')
		tmpdir = "/tmp";
	if (snprintf(scratch_base, sizeof(scratch_base),
	    "%s/test_target.XXXXXX", tmpdir) >= (int)sizeof(scratch_base)) {
		fprintf(stderr, "test_target: TMPDIR too long\n");
		return EXIT_FAILURE;
	}
	if (mkdtemp(scratch_base) == NULL) {
		fprintf(stderr, "test_target: mkdtemp %s: %s\n", scratch_base,
		    strerror(errno));
		return EXIT_FAILURE;
	}

	runner = srunner_create(target_suite());
	srunner_run_all(runner, CK_NORMAL);
	n_failed = srunner_ntests_failed(runner);
	srunner_free(runner);

	if (remove_tree(scratch_base) != 0) {
		fprintf(stderr, "test_target: removing %s: %s\n", scratch_base,
		    strerror(errno));
		n_failed++;
	}
	return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
