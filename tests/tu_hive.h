/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: reading hives back with hivex, and comparing two hives by
 * walking both.  See testutil.h. */
#ifndef HIVEPATCH_TU_HIVE_H
#define HIVEPATCH_TU_HIVE_H

#include <stddef.h>
#include <stdint.h>

#include <hivex.h>

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

/* A REG_DWORD read back with hivex and with regfexport (when there). */
void tu_assert_dword(const char *hive, const char *key, const char *name,
		     uint32_t want);

/* The net4-tls12 profile holds in both views: SchUseStrongCrypto = 1
 * under Microsoft\.NETFramework\v4.0.30319 and its Wow6432Node twin. */
void tu_assert_net4(const char *hive);

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

#endif
