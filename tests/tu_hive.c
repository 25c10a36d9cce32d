/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: reading hives back with hivex, and comparing two hives by
 * walking both (tu_hive.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <check.h>
#include <hivex.h>

#include "testutil.h"

/* ---- reading hives ---- */

static hive_h *
open_hive(const char *hive)
{
	hive_h *h;

	errno = 0;
	h = hivex_open(hive, 0);
	ck_assert_msg(h != NULL, "hivex cannot open %s: %s", hive,
	    strerror(errno));
	return h;
}

static hive_node_h
find_key(hive_h *h, const char *key)
{
	hive_node_h node = hivex_root(h);
	const char *p = key;

	while (node != 0 && *p != '\0') {
		size_t n = strcspn(p, "\\");
		char *part;

		if (n == 0) {
			p++;
			continue;
		}
		part = strndup(p, n);
		ck_assert_msg(part != NULL, "out of memory");
		node = hivex_node_get_child(h, node, part);
		free(part);
		p += n;
	}
	return node;
}

int
tu_hive_key_exists(const char *hive, const char *key)
{
	hive_h *h = open_hive(hive);
	int found = find_key(h, key) != 0;

	hivex_close(h);
	return found;
}

int
tu_hive_value(const char *hive, const char *key, const char *name,
	      hive_type *type, unsigned char **data, size_t *len)
{
	hive_h *h = open_hive(hive);
	hive_node_h node = find_key(h, key);
	hive_value_h v = node ? hivex_node_get_value(h, node, name) : 0;
	char *bytes;

	*data = NULL;
	*len = 0;
	if (v == 0) {
		hivex_close(h);
		return 0;
	}
	bytes = hivex_value_value(h, v, type, len);
	ck_assert_msg(bytes != NULL, "%s: cannot read value '%s' of %s: %s",
	    hive, name, key, strerror(errno));
	*data = (unsigned char *)bytes;
	hivex_close(h);
	return 1;
}

int
tu_hive_dword_is(const char *hive, const char *key, const char *name,
		 uint32_t want)
{
	unsigned char *data;
	hive_type t;
	size_t len;
	uint32_t got;

	if (!tu_hive_value(hive, key, name, &t, &data, &len)) {
		fprintf(stderr, "%s: no value '%s' in %s\n", hive, name, key);
		return 0;
	}
	if (t != hive_t_REG_DWORD || len != 4) {
		fprintf(stderr, "%s: '%s' in %s is type %d, %zu bytes, not a "
		    "REG_DWORD\n", hive, name, key, (int)t, len);
		free(data);
		return 0;
	}
	got = le32(data);
	free(data);
	if (got != want) {
		fprintf(stderr, "%s: '%s' in %s is %u, not %u\n", hive, name,
		    key, got, want);
		return 0;
	}
	return 1;
}

void
tu_assert_dword(const char *hive, const char *key, const char *name,
		uint32_t want)
{
	char *data = tu_strf("Data: %u\n", want);
	int regf;

	ck_assert_msg(tu_hive_dword_is(hive, key, name, want),
	    "hivex: %s: %s\\%s is not dword %u", hive, key, name, want);
	regf = tu_regf_value(hive, key, name, "(REG_DWORD", data);
	free(data);
	ck_assert_msg(regf != 0, "regfexport: %s: %s\\%s is not dword %u",
	    hive, key, name, want);
}

void
tu_assert_net4(const char *hive)
{
	tu_assert_dword(hive, "Microsoft\\.NETFramework\\v4.0.30319",
	    "SchUseStrongCrypto", 1);
	tu_assert_dword(hive,
	    "Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319",
	    "SchUseStrongCrypto", 1);
}

/* ---- comparing hives ---- */

struct sb {
	char *s;
	size_t len, cap;
};

static void
sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt,
		    ap);
		va_end(ap);
		ck_assert(n >= 0);
		if (b->s != NULL && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		ck_assert_msg(b->s != NULL, "out of memory");
	}
}

struct named {
	char *name;
	uint64_t h;	/* hive_node_h or hive_value_h */
};

static int
cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	return c ? c : strcmp(x->name, y->name);
}

/* The handles of a 0-terminated list (values or subkeys of `path`), with
 * their names from name_of (fn, for the message), sorted by name; *np
 * gets how many. */
static struct named *
by_name(hive_h *h, const size_t *hs, char *(*name_of)(hive_h *, size_t),
    const char *fn, const char *path, size_t *np)
{
	struct named *list;
	size_t n, i;

	for (n = 0; hs[n] != 0; n++)
		;
	list = calloc(n + 1, sizeof(*list));
	ck_assert_msg(list != NULL, "out of memory");
	for (i = 0; i < n; i++) {
		list[i].name = name_of(h, hs[i]);
		ck_assert_msg(list[i].name != NULL, "%s: %s: %s", path, fn,
		    strerror(errno));
		list[i].h = hs[i];
	}
	qsort(list, n, sizeof(*list), cmp_named);
	*np = n;
	return list;
}

static void
walk(hive_h *h, hive_node_h node, const char *path, int depth, struct sb *out,
     struct tu_hive_count *count)
{
	hive_value_h *vals;
	hive_node_h *kids;
	struct named *list;
	size_t n, i, j;

	ck_assert_msg(depth < 512, "%s: keys nested too deep (a loop?)", path);
	sb_add(out, "K %s\n", path);
	count->keys++;

	vals = hivex_node_values(h, node);
	ck_assert_msg(vals != NULL, "%s: hivex_node_values: %s", path,
	    strerror(errno));
	list = by_name(h, vals, hivex_value_key, "hivex_value_key", path, &n);
	for (i = 0; i < n; i++) {
		hive_type t;
		size_t len;
		char *data = hivex_value_value(h, (hive_value_h)list[i].h, &t,
		    &len);

		ck_assert_msg(data != NULL, "%s: value '%s': %s", path,
		    list[i].name, strerror(errno));
		sb_add(out, "V %s \"%s\" type %d len %zu ", path, list[i].name,
		    (int)t, len);
		for (j = 0; j < len; j++)
			sb_add(out, "%02x", (unsigned char)data[j]);
		sb_add(out, "\n");
		count->values++;
		free(data);
		free(list[i].name);
	}
	free(list);
	free(vals);

	kids = hivex_node_children(h, node);
	ck_assert_msg(kids != NULL, "%s: hivex_node_children: %s", path,
	    strerror(errno));
	list = by_name(h, kids, hivex_node_name, "hivex_node_name", path, &n);
	for (i = 0; i < n; i++) {
		char *sub = tu_strf("%s\\%s", path, list[i].name);

		walk(h, (hive_node_h)list[i].h, sub, depth + 1, out, count);
		free(sub);
		free(list[i].name);
	}
	free(list);
	free(kids);
}

char *
tu_dump_hive(const char *path, struct tu_hive_count *count)
{
	hive_h *h = open_hive(path);
	struct sb out = { NULL, 0, 0 };
	struct tu_hive_count c = { 0, 0 };

	walk(h, hivex_root(h), "", 0, &out, &c);
	hivex_close(h);
	if (count != NULL)
		*count = c;
	return out.s;
}

void
tu_assert_same_hive(const char *got, const char *want)
{
	struct tu_hive_count cg, cw;
	char *a = tu_dump_hive(got, &cg), *b = tu_dump_hive(want, &cw);
	const char *pa = a, *pb = b;

	while (*pa != '\0' && *pa == *pb) {
		pa++;
		pb++;
	}
	if (*pa != *pb) {
		/* Back to the start of the line, for the message. */
		while (pa > a && pa[-1] != '\n') {
			pa--;
			pb--;
		}
		ck_abort_msg("%s (%u keys, %u values) differs from %s (%u keys, "
		    "%u values):\n  got:  %.200s\n  want: %.200s", got, cg.keys,
		    cg.values, want, cw.keys, cw.values, pa, pb);
	}
	free(a);
	free(b);
}

void
tu_assert_hives_differ(const char *a, const char *b)
{
	char *da = tu_dump_hive(a, NULL), *db = tu_dump_hive(b, NULL);

	ck_assert_msg(strcmp(da, db) != 0, "%s and %s hold the same keys and "
	    "values", a, b);
	free(da);
	free(db);
}

char *
tu_first_lost_line(const char *before, const char *after)
{
	const char *b = before, *a = after;

	while (*b != '\0') {
		size_t blen = strcspn(b, "\n");

		for (;;) {
			size_t alen = strcspn(a, "\n");

			if (*a == '\0')
				return strndup(b, blen);
			if (alen == blen && memcmp(a, b, blen) == 0) {
				a += alen + (a[alen] == '\n');
				break;
			}
			a += alen + (a[alen] == '\n');
		}
		b += blen + (b[blen] == '\n');
	}
	return NULL;
}

void
tu_assert_hive_keeps(const char *got, const char *want)
{
	char *a = tu_dump_hive(got, NULL), *b = tu_dump_hive(want, NULL);
	char *lost = tu_first_lost_line(b, a);

	ck_assert_msg(lost == NULL, "%s lost what %s holds:\n  %.300s", got,
	    want, lost ? lost : "");
	free(a);
	free(b);
}
