/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers of the unit tests of the library core (test_hive, test_plan,
 * test_apply, test_detect, test_profile): assertions on hp_err results,
 * scratch files, fixture hives, and .reg text parsed and mapped into
 * plans.
 *
 * Fixture hives come from $MKHIVE (make check sets it); without it every
 * test that needs a hive fails, saying so.  Hives are copied into a
 * scratch directory and opened there with HIVEX_OPEN_WRITE, and never
 * committed: the changes stay in memory.
 *
 * Functions named cu_* fail the current Check test when something the
 * test needs goes wrong (a file, a fixture, a parse), so a test never
 * goes on with a broken setup. */
#ifndef HIVEPATCH_COREUTIL_H
#define HIVEPATCH_COREUTIL_H

#include <sys/types.h>

#include <stddef.h>
#include <string.h>

#include <check.h>
#include <hivex.h>

#include "plan.h"
#include "regfile.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- assertions ---- */

#define ck_assert_has(text, sub) do {					\
	const char *ck_t_ = (text), *ck_s_ = (sub);			\
	ck_assert_msg(ck_t_ != NULL && strstr(ck_t_, ck_s_) != NULL,	\
	    "'%s' does not contain '%s'", ck_t_ ? ck_t_ : "(null)",	\
	    ck_s_);							\
} while (0)

/* A call failed with this status and a message containing sub. */
#define ck_assert_err(rc, e, st, sub) do {				\
	ck_assert_int_eq((rc), -1);					\
	ck_assert_msg((e).status == (st),				\
	    "status %d, expected %d (message '%s')", (int)(e).status,	\
	    (int)(st), (e).msg);					\
	ck_assert_has((e).msg, (sub));					\
} while (0)

#define ck_assert_ok(rc, e) \
	ck_assert_msg((rc) == 0, "failed: %s", (e).msg)

/* ---- files and scratch directories ---- */

/* snprintf into buf; the whole string must fit. */
void cu_fmt(char *buf, size_t size, const char *f, ...)
	__attribute__((format(printf, 3, 4)));

/* A fresh scratch directory for one test, at dir (removed with the rest
 * of the program's scratch space after the run). */
void cu_scratch_new(char *dir, size_t size);

void cu_write_file(const char *path, const void *data, size_t len);
void cu_write_text(const char *path, const char *text);
/* A whole file, NUL-terminated too (malloc'd). */
unsigned char *cu_read_file(const char *path, size_t *len);
off_t cu_file_size(const char *path);

/* ---- fixtures ---- */

/* The pristine fixture of mkhive's KIND, at path (made once per run);
 * never write it. */
void cu_fixture(const char *kind, char *path, size_t size);

/* A copy of the fixture in a fresh scratch directory, at copy. */
void cu_fixture_copy(const char *kind, char *copy, size_t size);

/* A fixture copy opened for writing in memory; nothing is committed. */
hive_h *cu_open_hive(const char *kind);
void cu_close_hive(hive_h *h);

/* ---- hive values ---- */

/* ASCII as UTF-16LE with its terminating NUL, as REG_SZ data is stored
 * (malloc'd; *len bytes). */
unsigned char *cu_utf16(const char *ascii, size_t *len);

/* hive_find_key, failing the test when the key is not there. */
hive_node_h cu_must_find(hive_h *h, const char *path);

/* Key names are limited to 255 UTF-16 units, which can be more than 255
 * bytes of UTF-8 (200 x U+00E9 is 400 bytes): such a key exists and
 * must be found.  Adds Classes\<that name> and returns its handle; the
 * path goes to path. */
hive_node_h cu_add_long_utf8_key(hive_h *h, char *path, size_t size);

/* ---- .reg text and plans ---- */

#define REG_HEADER "Windows Registry Editor Version 5.00\n\n"

/* A parsed .reg text and the pointers to its operations plan_map takes. */
struct cu_parsed {
	struct reg_doc doc;
	const struct reg_op **ops;
};

/* Parses text as "t.reg" (the messages name it so). */
void cu_parse(const char *text, struct cu_parsed *p);
void cu_parsed_free(struct cu_parsed *p);

/* A SOFTWARE hive of a 64-bit and of a 32-bit image. */
extern const struct map_ctx cu_image64;
extern const struct map_ctx cu_image32;

/* Parses text and maps it for img: one plan item per operation. */
void cu_make_plan(const char *text, const struct map_ctx *img,
		  struct cu_parsed *p, struct plan *plan);

/* ---- the run ---- */

/* HIVEPATCH_PROFILE_DIR as the run started (the profile tests point it
 * elsewhere and put it back), or NULL when it was not set. */
const char *cu_profile_dir(void);

/* Runs the suite with a scratch space named after prog, removed after
 * the run; returns main()'s exit status. */
int cu_run_suite(Suite *s, const char *prog);

#endif
