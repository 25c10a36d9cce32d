/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: reading hives with libregf's regfexport (tu_regf.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <check.h>

#include "testutil.h"

char *
tu_regfexport(const char *hive)
{
	static int said;
	const char *prog = tu_env("REGFEXPORT");
	const char *argv[3];
	struct tu_result r;
	char *out;

	if (*prog == '\0') {
		if (!said++)
			fprintf(stderr, "SKIP: REGFEXPORT not set (libregf's "
			    "regfexport not found); the independent read-back "
			    "checks are not run\n");
		return NULL;
	}
	argv[0] = prog;
	argv[1] = hive;
	argv[2] = NULL;
	tu_run(argv, NULL, &r);
	if (r.status != 0) {
		fprintf(stderr, "regfexport %s exited %d: %s\n", hive, r.status,
		    r.err);
		tu_result_free(&r);
		return tu_strf("%s", "");
	}
	out = r.out;
	tu_live_forget(out);
	r.out = NULL;
	tu_result_free(&r);
	return out;
}

/* "Key path: ROOT\a\b" names key "a\b"; the root's own name varies. */
static int
key_line_is(const char *line, size_t len, const char *key)
{
	static const char tag[] = "Key path: ";
	const char *p, *end = line + len;

	if (len < sizeof(tag) - 1 || strncmp(line, tag, sizeof(tag) - 1) != 0)
		return 0;
	p = memchr(line, '\\', len);
	if (p == NULL)
		return *key == '\0';
	p++;
	return (size_t)(end - p) == strlen(key) &&
	    strncasecmp(p, key, (size_t)(end - p)) == 0;
}

/* "Value: N NAME" */
static int
value_line_is(const char *line, size_t len, const char *name)
{
	const char *p = line + 7, *end = line + len;
	const char *want = *name ? name : "(default)";

	if (len < 7 || strncmp(line, "Value: ", 7) != 0)
		return 0;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p == end || *p != ' ')
		return 0;
	p++;
	return (size_t)(end - p) == strlen(want) &&
	    strncmp(p, want, (size_t)(end - p)) == 0;
}

/* Finds the key's section; with name, the value's block (to the next
 * blank line).  Returns a malloc'd copy, or NULL. */
static char *
regf_block(const char *out, const char *key, const char *name)
{
	const char *p = out, *start = NULL;
	int in_key = 0;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (start != NULL && (len == 0 || strncmp(p, "Key path: ", 10) == 0 ||
		    (name != NULL && strncmp(p, "Value: ", 7) == 0)))
			return strndup(start, (size_t)(p - start));
		if (strncmp(p, "Key path: ", 10) == 0) {
			in_key = key_line_is(p, len, key);
			if (in_key && name == NULL)
				start = p;
		} else if (in_key && name != NULL && value_line_is(p, len, name)) {
			start = p;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return start ? strdup(start) : NULL;
}

int
tu_regf_value(const char *hive, const char *key, const char *name,
	      const char *type_text, const char *data_text)
{
	char *out = tu_regfexport(hive), *block;
	int ok = 1;

	if (out == NULL)
		return -1;
	block = regf_block(out, key, name);
	free(out);
	if (block == NULL) {
		fprintf(stderr, "regfexport %s: no value '%s' in key %s\n", hive,
		    name, key);
		return 0;
	}
	if (type_text != NULL && strstr(block, type_text) == NULL)
		ok = 0;
	if (data_text != NULL && strstr(block, data_text) == NULL)
		ok = 0;
	if (!ok)
		fprintf(stderr, "regfexport %s: value '%s' of %s is\n%s\n"
		    "expected to contain '%s' and '%s'\n", hive, name, key, block,
		    type_text ? type_text : "", data_text ? data_text : "");
	free(block);
	return ok;
}

int
tu_regf_key_exists(const char *hive, const char *key)
{
	char *out = tu_regfexport(hive), *block;
	int found;

	if (out == NULL)
		return -1;
	block = regf_block(out, key, NULL);
	found = block != NULL;
	free(out);
	free(block);
	return found;
}

int
tu_regf_text_value(const char *text, const char *key, const char *name,
		   const char *type_text, const char *data_text)
{
	char *block = regf_block(text, key, name);
	int ok = 1;

	if (block == NULL) {
		fprintf(stderr, "regfexport: no value '%s' in key %s\n", name,
		    key);
		return 0;
	}
	if (type_text != NULL && strstr(block, type_text) == NULL)
		ok = 0;
	if (data_text != NULL && strstr(block, data_text) == NULL)
		ok = 0;
	if (!ok)
		fprintf(stderr, "regfexport: value '%s' of %s is\n%s\n"
		    "expected to contain '%s' and '%s'\n", name, key, block,
		    type_text ? type_text : "", data_text ? data_text : "");
	free(block);
	return ok;
}

int
tu_regf_text_key_exists(const char *text, const char *key)
{
	char *block = regf_block(text, key, NULL);

	free(block);
	return block != NULL;
}

/* "Key path: ROOT\a\b" is `key` or lies below it. */
static int
key_line_within(const char *line, size_t len, const char *key)
{
	static const char tag[] = "Key path: ";
	const char *p, *end = line + len;
	size_t n = strlen(key), rest;

	if (len < sizeof(tag) - 1 || strncmp(line, tag, sizeof(tag) - 1) != 0)
		return 0;
	p = memchr(line, '\\', len);
	if (p == NULL)
		return *key == '\0';
	p++;
	rest = (size_t)(end - p);
	return rest >= n && strncasecmp(p, key, n) == 0 &&
	    (rest == n || p[n] == '\\');
}

char *
tu_regf_subtree(const char *text, const char *key)
{
	size_t cap = strlen(text) + 2, used = 0;
	char *out = malloc(cap);
	const char *p = text;
	int in = 0;

	ck_assert_msg(out != NULL, "out of memory");
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (strncmp(p, "Key path: ", 10) == 0)
			in = key_line_within(p, len, key);
		if (in) {
			memcpy(out + used, p, len);
			used += len;
			out[used++] = '\n';
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	out[used] = '\0';
	return out;
}
