/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: reading hives with libregf's regfexport, a reader
 * independent of hivex and of hivepatch.  See testutil.h. */
#ifndef HIVEPATCH_TU_REGF_H
#define HIVEPATCH_TU_REGF_H

/* Runs $REGFEXPORT HIVE and looks for the value `name` ("" = default)
 * of `key` (relative to the root, as for tu_hive_key_exists).  Returns
 * 1 when regfexport exits 0 and the value's block contains type_text and
 * data_text (each may be NULL), 0 otherwise (its reason on stderr), and
 * -1 when REGFEXPORT is empty: the check is skipped, visibly, on stderr.
 * Use it as ck_assert(tu_regf_value(...) != 0). */
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

#endif
