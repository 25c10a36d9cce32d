/* Small helpers for the tests that run the real hivepatch binary: scratch
 * directories, running a command and capturing what it prints, hashes,
 * reading values back with hivex and with libregf's regfexport, and
 * making fixtures with mkhive.
 *
 * Functions named tu_* fail the current Check test (ck_assert) when
 * something outside the program under test goes wrong (mkdtemp, fork,
 * a fixture that cannot be made), so a test never goes on with a broken
 * setup. */
#ifndef HIVEPATCH_TESTUTIL_H
#define HIVEPATCH_TESTUTIL_H

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>

#include <check.h>
#include <stdint.h>
#include <time.h>

#include <hivex.h>

#include "hash.h"
#include "regf.h"

/* ---- environment ---- */

/* The value of an environment variable the test harness must set
 * (HIVEPATCH, MKHIVE); fails the test when it is unset or empty. */
const char *tu_env_required(const char *name);

/* The value, or "" when unset. */
const char *tu_env(const char *name);

/* ---- scratch directories ---- */

/* Makes the base directory every scratch directory of this run lives in
 * (mkdtemp under $TMPDIR or /tmp).  Call once from main(), and
 * tu_base_remove() before exiting: a test that fails in a forked child
 * cannot clean up after itself, so the base collects what is left. */
void tu_base_init(const char *prefix);
void tu_base_remove(void);
const char *tu_base_dir(void);

/* A fresh directory for one test, below the base; tu_scratch_remove()
 * removes it and everything in it. */
char *tu_scratch_new(void);
void tu_scratch_remove(char *dir);

/* Removes a tree (like rm -rf, never following links).  0 or -1. */
int tu_remove_tree(const char *path);

/* ---- paths and files ---- */

/* printf into a new string (fails the test on out of memory). */
char *tu_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, freed by the next tu_scratch_remove(): for paths. */
char *tu_pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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

/* ---- running commands ---- */

struct tu_run_opts {
	rlim_t fsize_limit;		/* RLIMIT_FSIZE in the child; 0: none */
	const char *const *env_add;	/* "NAME=VALUE" strings, NULL-ended */
	const char *cwd;		/* chdir in the child; NULL: stay */
};

struct tu_result {
	int status;		/* exit status; 128 + signal when killed */
	int signaled;		/* the signal that killed it, or 0 */
	char *out;		/* standard output, NUL-terminated */
	size_t out_len;
	char *err;		/* standard error, NUL-terminated */
	size_t err_len;
};

struct tu_proc {
	pid_t pid;
	int out_fd, err_fd;	/* unlinked temporary files */
};

/* Starts argv[0] (a path, not searched in PATH) with argv; its standard
 * input is /dev/null. */
void tu_spawn(const char *const *argv, const struct tu_run_opts *opts,
	      struct tu_proc *p);
/* Waits for it and collects what it printed. */
void tu_wait(struct tu_proc *p, struct tu_result *r);
/* Both. */
void tu_run(const char *const *argv, const struct tu_run_opts *opts,
	    struct tu_result *r);
void tu_result_free(struct tu_result *r);

/* Runs $HIVEPATCH with the arguments that follow, up to a NULL. */
void tu_hp(struct tu_result *r, ...) __attribute__((sentinel));
/* The same with options (limits, environment). */
void tu_hp_opts(struct tu_result *r, const struct tu_run_opts *opts, ...)
	__attribute__((sentinel));
/* Argument vector form: argv[0] must be NULL; it is set to $HIVEPATCH. */
void tu_hp_argv(struct tu_result *r, const struct tu_run_opts *opts,
		const char **argv);

/* Number of lines of text that start with prefix. */
int tu_count_lines(const char *text, const char *prefix);

/* ---- fixtures ---- */

/* $MKHIVE [--dirty] KIND OUT (KIND "tree": OUT is the root directory). */
void tu_mkhive(const char *kind, const char *out, int dirty);

/* ---- reading hives ---- */

/* Key path inside the hive, '\\'-separated, relative to the root
 * (e.g. "Microsoft\\.NETFramework\\v4.0.30319").  Fails the test when
 * hivex cannot open the hive. */
int tu_hive_key_exists(const char *hive, const char *key);

/* Reads one value ("" is the default value).  Returns 1 with *type,
 * *data (malloc'd) and *len set, or 0 when the key or value is absent. */
int tu_hive_value(const char *hive, const char *key, const char *name,
		  hive_type *type, unsigned char **data, size_t *len);

/* 1 when the value is a REG_DWORD equal to want, else 0 (with why on
 * stderr). */
int tu_hive_dword_is(const char *hive, const char *key, const char *name,
		     uint32_t want);

/* ---- comparing hives ---- */


struct tu_hive_count {
	unsigned keys, values;
};

/* Every key and value of a hive, walked with hivex, as text: a line
 * "K PATH" per key and "V PATH \"NAME\" type T len N HEX" per value,
 * keys and values sorted by name (the root is "").  Two hives hold the
 * same keys and values when their dumps are equal.  The counts go to
 * *count when it is not NULL.  Fails the test when hivex cannot open
 * or walk the hive (malloc'd). */
char *tu_dump_hive(const char *path, struct tu_hive_count *count);

/* The two hives hold the same keys and values (by walking both, never
 * by bytes); the message shows the first line that differs. */
void tu_assert_same_hive(const char *got, const char *want);

/* They do not. */
void tu_assert_hives_differ(const char *a, const char *b);

/* Each line of `before` appears in `after`, in the same order (for
 * tu_dump_hive or regfexport text: nothing that was there was lost or
 * changed).  Returns the first line that does not (malloc'd), or NULL. */
char *tu_first_lost_line(const char *before, const char *after);

/* Every key and value of `want` is in `got`, unchanged (got may hold
 * more): compared by walking both, as tu_assert_same_hive. */
void tu_assert_hive_keeps(const char *got, const char *want);

/* ---- dirty fixtures ---- */

/* $MKDIRTY [OPTION...] MODE CLEAN OUT (MODE "new" or "old"; the options,
 * e.g. "--truncate-log", "1000", up to a NULL): writes OUT, OUT.LOG1
 * (and OUT.LOG2 for new), OUT.orig, OUT.expected and OUT.expected.N, as
 * hives/mkdirty.c describes.  Fails the test when it fails. */
void tu_mkdirty(const char *mode, const char *clean, const char *out, ...)
	__attribute__((sentinel));
void tu_mkdirty_va(const char *mode, const char *clean, const char *out,
		   va_list opts);

/* Offset of the k-th (from 1) HvLE entry of a new-format log; fails the
 * test when there is no such entry. */
size_t tu_log_entry_offset(const char *log, unsigned k);

/* ---- the shared corpus ---- */

/* $HIVEPATCH_CORPUS when it names a directory; otherwise NULL, with a
 * "SKIP: ... `what` not run" line on stderr, so that a test which needs
 * it returns visibly. */
const char *tu_corpus(const char *what);

/* ---- regfexport (libregf), an independent reader ---- */

/* Runs $REGFEXPORT HIVE and looks for the value `name` ("" = default)
 * of `key` (relative to the root, as above).  Returns 1 when regfexport
 * exits 0 and the value's block contains type_text and data_text (each
 * may be NULL), 0 otherwise (its reason on stderr), and -1 when
 * REGFEXPORT is empty: the check is skipped, visibly, on stderr.  Use it
 * as ck_assert(tu_regf_value(...) != 0). */
int tu_regf_value(const char *hive, const char *key, const char *name,
		  const char *type_text, const char *data_text);

/* regfexport's whole output (malloc'd; "" when it failed, with its
 * message on stderr), or NULL when REGFEXPORT is empty (skipped, with a
 * SKIP line on stderr). */
char *tu_regfexport(const char *hive);

/* 1 when regfexport lists the key, 0 when not, -1 when skipped. */
int tu_regf_key_exists(const char *hive, const char *key);

/* The same two checks on regfexport output already taken with
 * tu_regfexport (one run of regfexport for many checks on a big hive):
 * 1 or 0, never -1. */
int tu_regf_text_value(const char *text, const char *key, const char *name,
		       const char *type_text, const char *data_text);
int tu_regf_text_key_exists(const char *text, const char *key);

/* The blocks of regfexport output for `key` and every key below it, in
 * order (malloc'd; "" when there is none): two of them compare equal
 * when nothing in that subtree changed. */
char *tu_regf_subtree(const char *text, const char *key);

/* Runs a suite the way every integration program does: HIVEPATCH and
 * MKHIVE must be set, scratch space goes under a base named after the
 * program, and XDG_STATE_HOME points there so that a run which forgot
 * --backup-dir never writes into $HOME.  Returns the exit status. */
int tu_run_suite(Suite *s, const char *name);

/* ---- JSON reports ---- */

struct json_object;

/* A member by a dotted path ("image.os.build"); NULL when a member is
 * missing or null. */
struct json_object *tu_jget(struct json_object *o, const char *path);
/* The member exists and is null. */
int tu_jnull(struct json_object *o, const char *name);
/* A string member, or "(not a string)". */
const char *tu_jstr(struct json_object *o, const char *path);
/* An array member; fails the test otherwise. */
struct json_object *tu_jarray(struct json_object *o, const char *path);
/* A boolean member; fails the test otherwise. */
int tu_jbool(struct json_object *o, const char *path);
/* An integer member; fails the test otherwise. */
long long tu_jint(struct json_object *o, const char *path);
/* stdout as one JSON document of `schema`, whose exit_status is the
 * real one; fails the test otherwise. */
struct json_object *tu_parse_json(const struct tu_result *r,
				  const char *schema);

/* ---- fixtures and checks the CLI suites share ---- */

/* The directory part of a path (a tu_pathf string). */
char *tu_dir_of(const char *path);

/* tu_scratch/NAME, a Windows tree of mkhive's KIND (tree, tree7,
 * tree-lower); returns its root (tu_pathf). */
char *tu_make_tree(const char *kind, const char *name);

/* The hive FILE (SOFTWARE, SYSTEM, or software, system for tree-lower)
 * of a tree. */
char *tu_tree_file(const char *root, const char *file);

/* stat(2), failing the test. */
void tu_stat(const char *path, struct stat *st);

/* Neither inode nor modification time moved since `before`: the file was
 * not replaced or written. */
void tu_assert_untouched_since(const char *path, const struct stat *before);

/* A REG_DWORD read back with hivex and with regfexport (when there). */
void tu_assert_dword(const char *hive, const char *key, const char *name,
		     uint32_t want);

/* The net4-tls12 profile holds in both views: SchUseStrongCrypto = 1
 * under Microsoft\.NETFramework\v4.0.30319 and its Wow6432Node twin. */
void tu_assert_net4(const char *hive);

/* A test case with the tu_setup/tu_teardown fixture, added to s. */
TCase *tu_tcase(Suite *s, const char *name);

/* ---- per-test scratch directory and assertions ---- */

/* Set by tu_setup() for each test: its scratch directory, and the
 * --backup-dir every run is given (scratch/backups). */
extern char *tu_scratch;
extern char *tu_bk;

/* Check fixture: tcase_add_checked_fixture(tc, tu_setup, tu_teardown). */
void tu_setup(void);
void tu_teardown(void);

#define ASSERT_STATUS(r, want)						\
	ck_assert_msg((r)->status == (want),				\
	    "exit status %d, expected %d\n--- stdout:\n%s--- stderr:\n%s",\
	    (r)->status, (want), (r)->out, (r)->err)

/* Runs hivepatch with the arguments that follow (NULL-terminated, as
 * tu_hp) and checks its exit status, and nothing else, of that run. */
#define ASSERT_RUN(want, ...) do {					\
	struct tu_result run_r_;					\
									\
	tu_hp(&run_r_, __VA_ARGS__);					\
	ASSERT_STATUS(&run_r_, (want));					\
	tu_result_free(&run_r_);					\
} while (0)

#define ASSERT_HAS(text, what, s)					\
	ck_assert_msg(strstr((text), (s)) != NULL,			\
	    "%s lacks \"%s\":\n%s", (what), (s), (text))

#define ASSERT_LACKS(text, what, s)					\
	ck_assert_msg(strstr((text), (s)) == NULL,			\
	    "%s should not contain \"%s\":\n%s", (what), (s), (text))

#define ASSERT_ERR(r, s)	ASSERT_HAS((r)->err, "stderr", (s))
#define ASSERT_OUT(r, s)	ASSERT_HAS((r)->out, "stdout", (s))

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
