/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: running commands (hivepatch, mkhive) and what they print,
 * with the assertions on it.  See testutil.h. */
#ifndef HIVEPATCH_TU_RUN_H
#define HIVEPATCH_TU_RUN_H

#include <sys/types.h>
#include <sys/resource.h>

#include <stddef.h>
#include <string.h>

#include <check.h>

/* The most arguments tu_hp and tu_mkdirty pass on. */
#define TU_MAX_ARGS 64

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
/* The one line of text that starts with prefix, without its newline
 * (a tu_pathf string); fails the test unless exactly one line does. */
char *tu_line_of(const char *text, const char *prefix);

/* ---- fixtures made by mkhive ---- */

/* $MKHIVE [--dirty] KIND OUT (KIND "tree": OUT is the root directory). */
void tu_mkhive(const char *kind, const char *out, int dirty);

/* tu_scratch/NAME, a Windows tree of mkhive's KIND (tree, tree7,
 * tree-lower); returns its root (tu_pathf). */
char *tu_make_tree(const char *kind, const char *name);

/* The hive FILE (SOFTWARE, SYSTEM, or software, system for tree-lower)
 * of a tree. */
char *tu_tree_file(const char *root, const char *file);

/* The UsrClass.dat of the user USER (NULL: Default) of a tree. */
char *tu_tree_classes(const char *root, const char *user);

/* ---- assertions on a run ---- */

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

#endif
