/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The classic hostile hives (hives/mkhostile, from mkhive's
 * software64-net48, as tu_scratch/img/SOFTWARE) and trees whose config
 * directory is a symbolic link or a loop of them.  Each case runs the
 * real binary with verify, verify --json, inspect, export, recover and
 * apply, and checks:
 *
 * - the documented exit status of each (man/hivepatch.1: damaged and
 *   too large 4, refused 3; the JSON reason of verify);
 * - that each refusal names the file and tells the damage in words, and
 *   the same words for every command (one cause, one story): never a
 *   bare errno text, never a temporary or memory file as the culprit;
 * - that every file is as it was, byte for byte (the 4 GiB sparse hive:
 *   its inode, size, times and bytes, never read whole);
 * - that the children's peak memory stays far below what the damage
 *   claims (2 GiB values, 4 GiB files, 10,000 nested lists).
 *
 * Decoy names that are no damage (a lone surrogate, a backslash) are
 * read past as Windows would: verify says missing, apply writes the real
 * key and leaves the decoy as it was. */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <json-c/json.h>

#include "testutil.h"

/* Far below every claim of the cases; AddressSanitizer alone writes an
 * eighth of every block allocated to its shadow (as in test_recover). */
#ifdef __SANITIZE_ADDRESS__
#define PEAK_RSS_KIB (128 * 1024)
#else
#define PEAK_RSS_KIB (32 * 1024)
#endif

#define EXPORT_KEY "HKLM\\SOFTWARE\\Microsoft"
#define NETFX "HKLM\\SOFTWARE\\Microsoft\\.NETFramework"
#define V4 NETFX "\\v4.0.30319"
#define SPARSE_HEAD 65536

enum command { VERIFY, INSPECT, EXPORT, RECOVER, APPLY, N_COMMANDS };

static const char *const command_name[N_COMMANDS] = {
	"verify", "inspect", "export", "recover", "apply",
};

struct hostile {
	const char *name;	/* mkhostile CASE, or a tree made here */
	int status[N_COMMANDS];
	const char *reason;	/* verify --json's reason, when it refuses */
	const char *story;	/* the damage, as every refusal tells it */
	int whole;		/* the story is the whole line, to its end */
};

/* Damaged cells: every command but recover refuses with the same whole
 * line. */
#define CELL(name, what, key, cell) { name, { 4, 4, 4, 0, 4 }, "damaged", \
	": damaged hive: " what " (key '" key "', its cell at file offset 0x" \
	cell ")", 1 }

static const struct hostile cases[] = {
	/* The whole file: every command reads the base block first. */
	{ "empty", { 4, 4, 4, 4, 4 }, "damaged",
	    ": damaged hive: the file is empty (0 bytes), not a registry hive",
	    1 },
	{ "base-only", { 4, 4, 4, 4, 4 }, "damaged",
	    ": damaged hive: truncated (header says 16384 bytes, file has "
	    "4096)", 1 },
	{ "sparse-4g", { 4, 4, 4, 4, 4 }, "too-large",
	    ": 4294967296 bytes, larger than a registry hive can be", 0 },
	{ "bins-past-end", { 4, 4, 4, 4, 4 }, "damaged",
	    ": damaged hive: truncated (header says 1064960 bytes, file has "
	    "16384)", 1 },
	{ "major-2", { 4, 4, 4, 4, 4 }, "damaged",
	    ": damaged hive: its base block gives format version 2.5; Windows "
	    "writes 1.x", 1 },
	{ "hbin-size-zero", { 4, 4, 4, 4, 4 }, "damaged",
	    ": damaged hive: the hive bin at offset 0x1000 gives its size as "
	    "0", 1 },
	{ "hbin-size-bad", { 4, 4, 4, 4, 4 }, "damaged",
	    ": damaged hive: the hive bin at offset 0x1000 gives its size as "
	    "4104, not a multiple of 4096", 1 },
	{ "hbin-past-end", { 4, 4, 4, 4, 4 }, "damaged",
	    ": damaged hive: the hive bin at offset 0x3000 gives its size as "
	    "69632, running past the end of the hive bins at 0x4000", 1 },
	/* Cells on the profile's path.  recover reads the base block and
	 * the logs of a hive, and a clean one has nothing to recover: 0.
	 * The whole line: what is damaged, the key and the cell at fault
	 * (the first view's: mkhive's output is deterministic). */
	CELL("lf-count-overrun", "the subkey list (lh) claims 256 entries; "
	    "its 16-byte cell holds 1", NETFX, "3410"),
	CELL("ri-deep", "the subkey list is ri lists nested 10000 deep; an ri "
	    "list lists lf, lh or li lists, never another ri", NETFX, "4020"),
	CELL("ri-self", "the subkey list is an ri list that lists itself",
	    NETFX, "3410"),
	CELL("value-2g", "value 'SchUseStrongCrypto' claims 2147483640 bytes "
	    "of data, more than the hive's 16384 bytes of hive bins", V4,
	    "4070"),
	CELL("bigdata-bogus", "value 'SchUseStrongCrypto': segment 0 of its "
	    "big data record is the record's own db cell", V4, "5020"),
	CELL("subkeys-nowhere", "the key's subkey list points at 0x7ffffff8 "
	    "(file offset 0x80000ff8), which is no cell", NETFX, "32a8"),
	CELL("subkeys-miscount", "the key claims 2 subkeys; its subkey list "
	    "holds 1", NETFX, "32a8"),
	CELL("subkeys-zeroed", "the subkey list is no lf, lh, li or ri list "
	    "(its cell starts 0x0000)", NETFX, "3410"),
	CELL("subkey-not-key", "entry 0 of the subkey list (lh) points at "
	    "0x2410 (file offset 0x3410), which is no key", NETFX, "3410"),
	CELL("ri-loop", "the subkey list is ri lists nested more than 100000 "
	    "deep (a loop)", NETFX, "4020"),
	CELL("ri-nested-self", "the subkey list is ri lists nested 2 deep, the "
	    "last listing itself", NETFX, "4020"),
	CELL("ri-entry-nowhere", "entry 0 of the subkey list (ri) points at "
	    "0x7ffffff8 (file offset 0x80000ff8), which is no cell", NETFX,
	    "4020"),
	/* The cell that is no list: v4.0.30319's key. */
	CELL("ri-entry-key", "entry 0 of the subkey list (ri) is no lf, lh or "
	    "li list (its cell starts 0x6e6b)", NETFX, "33b0"),
	CELL("ri-leaf-not-key", "entry 0 of the subkey list (lh) points at "
	    "0x2410 (file offset 0x3410), which is no key", NETFX, "3410"),
	CELL("ri-miscount", "the key claims 2 subkeys; its subkey list holds "
	    "1", NETFX, "32a8"),
	CELL("values-nowhere", "the key's value list points at 0x7ffffff8 "
	    "(file offset 0x80000ff8), which is no cell", V4, "33b0"),
	CELL("values-overcount", "the value list claims 1000 values; its "
	    "8-byte cell holds 1", V4, "3420"),
	CELL("value-entry-nowhere", "entry 0 of the value list points at "
	    "0x7ffffff8 (file offset 0x80000ff8), which is no value", V4,
	    "3420"),
	/* hivex lists the key's own cell as a value, and cannot read its
	 * name: the list tells why. */
	CELL("value-entry-key", "entry 0 of the value list points at 0x23b0 "
	    "(file offset 0x33b0), which is no value", V4, "3420"),
	CELL("value-inline-long", "value 'SchUseStrongCrypto' claims 16 bytes "
	    "of data kept in its value record, which holds 4", V4, "4070"),
	CELL("value-data-nowhere", "value 'SchUseStrongCrypto': its data (8 "
	    "bytes) points at 0x7ffffff8 (file offset 0x80000ff8), which is no "
	    "cell", V4, "4070"),
	CELL("value-data-short", "value 'SchUseStrongCrypto' claims 100 bytes "
	    "of data; its data cell holds 12", V4, "40a0"),
	CELL("bigdata-few-segments", "value 'SchUseStrongCrypto' claims 20000 "
	    "bytes of data, which take 2 segments; its big data record lists "
	    "1", V4, "5020"),
	CELL("bigdata-list-nowhere", "value 'SchUseStrongCrypto': the segment "
	    "list of its big data record (at 0x7ffffff8, file offset "
	    "0x80000ff8) is no cell holding 2 segments", V4, "5020"),
	CELL("bigdata-list-segment", "value 'SchUseStrongCrypto': segment 0 of "
	    "its big data record is the record's own segment list cell", V4,
	    "5020"),
	CELL("bigdata-same-segment", "value 'SchUseStrongCrypto': segments 0 "
	    "and 1 of its big data record are one cell (0x4040, file offset "
	    "0x5040)", V4, "5020"),
	CELL("bigdata-segment-nowhere", "value 'SchUseStrongCrypto': segment 0 "
	    "of its big data record points at 0x7ffffff8 (file offset "
	    "0x80000ff8), which is no cell", V4, "5020"),
	CELL("bigdata-segment-inside", "value 'SchUseStrongCrypto': segment 1 "
	    "of its big data record points at 0x4050 (file offset 0x5050), "
	    "which is no cell", V4, "5020"),
	/* The cell too small: segment 1's. */
	CELL("bigdata-segment-short", "value 'SchUseStrongCrypto': segment 0 "
	    "of its big data record holds 3660 bytes, not 16344", V4, "9020"),
	/* Not the profile's value but one beside it, which writing the
	 * profile's would rewrite. */
	CELL("bigdata-sibling", "value 'Sibling': segment 0 of its big data "
	    "record is the record's own db cell", V4, "5020"),
	/* Decoys, not damage.  export refuses a key name .reg cannot
	 * spell (exit 3, unexportable), as it refuses a backslash. */
	{ "lone-surrogate", { 1, 1, 3, 0, 0 }, NULL,
	    ": key 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework' "
	    "has a subkey whose name is not valid UTF-16 (a lone surrogate, "
	    "say), which a .reg file cannot spell: nothing exported", 0 },
	{ "backslash-name", { 1, 1, 3, 0, 0 }, NULL,
	    ": key 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework' "
	    "has a subkey named 'v4.0.30319\\SchUseStrongCrypto', which a "
	    ".reg file cannot hold (it holds a backslash", 0 },
	/* Trees (made here with symlink(2)). */
	{ "tree-config-symlink", { 3, 3, 3, 3, 3 }, "symlink",
	    ": is a symbolic link; refusing to follow links inside the "
	    "image", 0 },
	{ "tree-config-loop", { 3, 3, 3, 3, 3 }, "symlink",
	    ": is a symbolic link; refusing to follow links inside the "
	    "image", 0 },
	/* The hive named through that loop: the user's own path. */
	{ "tree-config-loop-hive", { 4, 4, 4, 4, 4 }, "not-found",
	    ": cannot be reached: its path runs through a loop of symbolic "
	    "links", 0 },
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* What no message may say: errno's text alone, or a file of hivepatch's
 * own (the memory file a view is read from, a temporary file). */
static const char *const never_said[] = {
	"Bad address", "Numerical result out of range", "Invalid argument",
	"Too many levels of symbolic links", "Operation not supported",
	"Invalid or incomplete multibyte", "No such device or address",
	"/proc/self/fd", "memfd:", ".hivepatch-",
};

/* ---- the fixtures ---- */

/* Where a case runs: the target given, the file its messages must name,
 * the hive (NULL when there is none), and the directories to keep. */
struct scene {
	char *target, *named, *hive;
	char *dirs[2];
	size_t n_dirs;
};

static void
make_hive_case(const char *which, struct scene *sc)
{
	char *base = tu_pathf("%s/base", tu_scratch);
	const char *argv[] = { tu_env_required("MKHOSTILE"), which, base,
	    NULL, NULL };
	struct tu_result r;

	sc->hive = tu_pathf("%s/img/SOFTWARE", tu_scratch);
	argv[3] = sc->hive;
	tu_mkhive("software64-net48", base, 0);
	tu_mkdir_p(tu_pathf("%s/img", tu_scratch));
	tu_run(argv, NULL, &r);
	ck_assert_msg(r.status == 0, "mkhostile %s: %s", which, r.err);
	tu_result_free(&r);
	ck_assert(unlink(base) == 0);
	sc->target = sc->named = sc->hive;
	sc->dirs[sc->n_dirs++] = tu_pathf("%s/img", tu_scratch);
}

static void
make_tree_case(const char *which, struct scene *sc)
{
	char *root = tu_make_tree("tree", "img");
	char *config = tu_pathf("%s/Windows/System32/config", root);

	sc->dirs[sc->n_dirs++] = root;
	sc->target = root;
	sc->named = config;
	if (strcmp(which, "tree-config-symlink") == 0) {
		/* The hives whole, elsewhere: the link leads to them. */
		ck_assert(rename(config, tu_pathf("%s/elsewhere",
		    tu_scratch)) == 0);
		ck_assert(symlink("../../../elsewhere", config) == 0);
		sc->hive = tu_pathf("%s/elsewhere/SOFTWARE", tu_scratch);
		sc->dirs[sc->n_dirs++] = tu_pathf("%s/elsewhere", tu_scratch);
		return;
	}
	/* config -> config2 -> config. */
	ck_assert(tu_remove_tree(config) == 0);
	ck_assert(symlink("config2", config) == 0);
	ck_assert(symlink("config", tu_pathf("%s2", config)) == 0);
	if (strcmp(which, "tree-config-loop-hive") == 0)
		sc->target = sc->named = tu_pathf("%s/SOFTWARE", config);
}

static void
make_scene(const struct hostile *c, struct scene *sc)
{
	memset(sc, 0, sizeof(*sc));
	if (strncmp(c->name, "tree-", 5) == 0)
		make_tree_case(c->name, sc);
	else
		make_hive_case(c->name, sc);
}

/* ---- every file as it was ---- */

/* A file too large to hash at each step (sparse-4g): the same inode,
 * size and times (any write moves the change time), its first bytes
 * the same, and no data past them. */
struct sparse {
	struct stat st;
	unsigned char head[SPARSE_HEAD];
	ssize_t n;
};

static void
sparse_take(const char *path, struct sparse *s)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_msg(fd != -1, "%s: %s", path, strerror(errno));
	ck_assert(fstat(fd, &s->st) == 0);
	s->n = pread(fd, s->head, sizeof(s->head), 0);
	ck_assert(s->n > 0);
	/* The hive's bytes, then a hole to the end. */
	ck_assert_msg(lseek(fd, SPARSE_HEAD, SEEK_DATA) == -1 &&
	    errno == ENXIO, "%s holds data past its first %d bytes", path,
	    SPARSE_HEAD);
	close(fd);
}

static void
sparse_assert_same(const char *path, const struct sparse *was)
{
	struct sparse now;

	sparse_take(path, &now);
	ck_assert_msg(now.st.st_ino == was->st.st_ino &&
	    now.st.st_size == was->st.st_size &&
	    tu_same_time(now.st.st_mtim, was->st.st_mtim) &&
	    tu_same_time(now.st.st_ctim, was->st.st_ctim) &&
	    now.n == was->n && memcmp(now.head, was->head, (size_t)now.n) == 0,
	    "%s changed", path);
}

struct kept {
	struct tu_dir_files dirs[2];
	size_t n_dirs;
	struct sparse *sparse;
};

static void
kept_take(const struct scene *sc, int sparse, struct kept *k)
{
	size_t i;

	k->n_dirs = sc->n_dirs;
	k->sparse = NULL;
	if (sparse) {
		k->n_dirs = 0;
		k->sparse = malloc(sizeof(*k->sparse));
		ck_assert_ptr_nonnull(k->sparse);
		sparse_take(sc->hive, k->sparse);
	}
	for (i = 0; i < k->n_dirs; i++)
		tu_dir_files_take(&k->dirs[i], sc->dirs[i]);
}

static void
kept_assert(const struct scene *sc, const struct kept *k)
{
	size_t i;

	if (k->sparse != NULL)
		sparse_assert_same(sc->hive, k->sparse);
	for (i = 0; i < k->n_dirs; i++)
		tu_assert_dir_unchanged(&k->dirs[i]);
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 0);
}

/* ---- the runs ---- */

static void
run(struct tu_result *r, enum command cmd, const char *target)
{
	if (cmd == VERIFY || cmd == INSPECT)
		tu_hp(r, command_name[cmd], target, NULL);
	else if (cmd == EXPORT)
		tu_hp(r, "export", target, EXPORT_KEY, NULL);
	else
		tu_hp(r, command_name[cmd], "--backup-dir", tu_bk, target,
		    NULL);
}

/* The first refusal's message, from the file's name to the end of its
 * line: every other command must tell it word for word. */
static char *told;

/* What a refusal says: the file, the story, nothing errno alone says,
 * no file of hivepatch's own, and the very words the first one said. */
static void
assert_told(const struct hostile *c, const char *cmd, const char *err,
	    const char *named)
{
	char *story = tu_strf("%s%s", named, c->story);
	const char *at = strstr(err, story);
	size_t i, len;

	ck_assert_msg(at != NULL, "%s, %s: stderr lacks \"%s\":\n%s",
	    c->name, cmd, story, err);
	/* A whole story: the message is one line, and the story its end. */
	len = strlen(err);
	if (len > 0 && err[len - 1] == '\n')
		len--;
	ck_assert_msg(!c->whole || (memchr(err, '\n', len) == NULL &&
	    at + strlen(story) == err + len), "%s, %s: not one line ending "
	    "with \"%s\":\n%s", c->name, cmd, story, err);
	for (i = 0; i < sizeof(never_said) / sizeof(never_said[0]); i++)
		ck_assert_msg(strstr(err, never_said[i]) == NULL, "%s, %s: "
		    "stderr says \"%s\":\n%s", c->name, cmd, never_said[i], err);
	if (told == NULL)
		told = tu_pathf("%.*s", (int)strcspn(at, "\n"), at);
	ck_assert_msg(strncmp(at, told, strlen(told)) == 0 &&
	    (at[strlen(told)] == '\n' || at[strlen(told)] == '\0'),
	    "%s, %s: not one story:\n%s\nbut first:\n%s", c->name, cmd, at,
	    told);
	free(story);
}

/* verify --json: the same status, its reason, and the story in "error". */
static void
assert_json(const struct hostile *c, const struct scene *sc)
{
	struct json_object *doc;
	struct tu_result r;

	tu_hp(&r, "verify", "--json", sc->target, NULL);
	ck_assert_msg(r.status == c->status[VERIFY], "%s, verify --json: "
	    "exit %d\n%s", c->name, r.status, r.err);
	doc = tu_parse_json(&r, "hivepatch-report/1");
	if (c->reason != NULL) {
		ck_assert_str_eq(tu_jstr(doc, "reason"), c->reason);
		assert_told(c, "verify --json", tu_jstr(doc, "error"),
		    sc->named);
	}
	json_object_put(doc);
	tu_result_free(&r);
}

static void
assert_run(const struct hostile *c, const struct scene *sc, enum command cmd)
{
	int want = c->status[cmd];
	struct tu_result r;

	run(&r, cmd, sc->target);
	ck_assert_msg(r.status == want, "%s, %s: exit %d, expected %d\n"
	    "--- stdout:\n%s--- stderr:\n%s", c->name, command_name[cmd],
	    r.status, want, r.out, r.err);
	if (want > 1)
		assert_told(c, command_name[cmd], r.err, sc->named);
	tu_result_free(&r);
}

static void
assert_peak_memory(const char *name)
{
	struct rusage ru;

	/* The largest of this test's children, mkhive's and mkhostile's
	 * included. */
	ck_assert_int_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
	ck_assert_msg(ru.ru_maxrss < PEAK_RSS_KIB, "%s: peak RSS %ld KiB",
	    name, ru.ru_maxrss);
}

/* ---- the decoys: apply writes the real key, the decoy stays ---- */

static const unsigned char lone_surrogate_name[] = {
	'v', 0, '4', 0, '.', 0, '0', 0, '.', 0, '3', 0, '0', 0, '3', 0,
	'1', 0, '9', 0, 0x00, 0xd8,
};

static int
file_holds(const char *path, const void *bytes, size_t len)
{
	size_t n;
	unsigned char *data = tu_read_file(path, &n);
	int found = memmem(data, n, bytes, len) != NULL;

	free(data);
	return found;
}

static void
assert_decoy_kept(const struct hostile *c, const struct scene *sc)
{
	static const char backslash[] = "v4.0.30319\\SchUseStrongCrypto";

	/* Read with hivex alone: libregf cannot read a lone surrogate. */
	ck_assert(tu_hive_dword_is(sc->hive, "Microsoft\\.NETFramework\\"
	    "v4.0.30319", "SchUseStrongCrypto", 1));
	ck_assert(tu_hive_dword_is(sc->hive, "Wow6432Node\\Microsoft\\"
	    ".NETFramework\\v4.0.30319", "SchUseStrongCrypto", 1));
	ASSERT_RUN(0, "verify", sc->hive, NULL);
	if (strcmp(c->name, "lone-surrogate") == 0)
		ck_assert(file_holds(sc->hive, lone_surrogate_name,
		    sizeof(lone_surrogate_name)));
	else
		ck_assert(file_holds(sc->hive, backslash, sizeof(backslash) - 1));
	ck_assert_int_eq(tu_count_backups(tu_bk, NULL), 1);
}

START_TEST(test_a_hostile_hive_is_refused_or_read_as_windows_reads_it)
{
	const struct hostile *c = &cases[_i];
	struct scene sc;
	struct kept before;
	int cmd;

	told = NULL;
	make_scene(c, &sc);
	kept_take(&sc, strcmp(c->name, "sparse-4g") == 0, &before);
	assert_json(c, &sc);
	kept_assert(&sc, &before);
	for (cmd = 0; cmd < N_COMMANDS; cmd++) {
		assert_run(c, &sc, (enum command)cmd);
		if (cmd == APPLY && c->status[APPLY] == 0)
			assert_decoy_kept(c, &sc);
		else
			kept_assert(&sc, &before);
	}
	assert_peak_memory(c->name);
	free(before.sparse);
}
END_TEST

static Suite *
hostile_hive_suite(void)
{
	Suite *s = suite_create("hostile hive");
	TCase *tc = tu_tcase(s, "classic hostile hives");

	tcase_add_loop_test(tc,
	    test_a_hostile_hive_is_refused_or_read_as_windows_reads_it, 0,
	    (int)N_CASES);
	return s;
}

int
main(void)
{
	return tu_run_suite(hostile_hive_suite(), "test_hostile_hive");
}
