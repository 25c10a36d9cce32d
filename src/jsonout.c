/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The JSON documents' building blocks (jsonout.h), and their printing:
 * json-c's text, with the characters a terminal would obey escaped. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jsonout.h"
#include "render.h"

void
jo_fail(struct json_object **o)
{
	json_object_put(*o);
	*o = NULL;
}

/* The keys are constants: json-c keeps them as they are (it would
 * otherwise copy each, and lose the copy when it cannot add it). */
#define KEY_FLAGS JSON_C_OBJECT_ADD_CONSTANT_KEY

void
jo_add(struct json_object **o, const char *key, struct json_object *v)
{
	/* json-c leaves v to the caller when it cannot add it. */
	if (*o == NULL || v == NULL || (key != NULL ?
	    json_object_object_add_ex(*o, key, v, KEY_FLAGS) :
	    json_object_array_add(*o, v)) != 0) {
		json_object_put(v);
		jo_fail(o);
	}
}

void
jo_null(struct json_object **o, const char *key)
{
	if (*o != NULL && json_object_object_add_ex(*o, key, NULL,
	    KEY_FLAGS) != 0)
		jo_fail(o);
}

void
jo_str(struct json_object **o, const char *key, const char *s)
{
	if (s == NULL)
		jo_null(o, key);
	else if (*o != NULL)
		jo_add(o, key, json_object_new_string(s));
}

void
jo_int(struct json_object **o, const char *key, int64_t n)
{
	if (*o != NULL)
		jo_add(o, key, json_object_new_int64(n));
}

void
jo_bool(struct json_object **o, const char *key, int b)
{
	if (*o != NULL)
		jo_add(o, key, json_object_new_boolean(b));
}

void
jo_opt_int(struct json_object **o, const char *key, int have, int64_t n)
{
	if (have)
		jo_int(o, key, n);
	else
		jo_null(o, key);
}

struct json_object *
jo_strings(char *const *items, size_t n)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		jo_str(&a, NULL, items[i]);
	return a;
}

struct json_object *
jo_doc(const char *schema)
{
	struct json_object *o = json_object_new_object();

	jo_str(&o, "schema", schema);
	jo_str(&o, "tool_version", hp_version());
	return o;
}

void
jo_outcome(struct json_object **o, const char *error, enum hp_reason reason,
	   int status)
{
	jo_str(o, "error", error);
	jo_str(o, "reason", error != NULL ? hp_reason_name(reason) : NULL);
	jo_int(o, "exit_status", status);
}

void
jo_err_outcome(struct json_object **o, const struct hp_err *e)
{
	jo_outcome(o, e != NULL ? e->msg : NULL, e != NULL ? e->reason :
	    HP_R_NONE, e != NULL ? (int)e->status : 0);
}

/* The code point of the well-formed UTF-8 character of n bytes at s
 * (its lead byte checked), or -1 when it is not one. */
static long
utf8_char(const unsigned char *s, size_t n)
{
	static const long least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	long cp = s[0] & (0x7f >> n);
	size_t i;

	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < least[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return -1;
	return cp;
}

/* json-c writes \u00XX for the C0 controls in strings, but DEL, the C1
 * controls, the line separators and the bidi controls as they are: those
 * that hp_escape_text escapes are written as \uXXXX too, which JSON reads
 * back as the same characters, so that no terminal obeys them either. */
static void
put_json_text(const char *text, FILE *out)
{
	const unsigned char *p = (const unsigned char *)text;
	char one[5];
	size_t n;
	long cp;

	for (; *p != '\0'; p += n) {
		n = *p == 0x7f ? 1 : *p >= 0xc2 && *p <= 0xdf ? 2 :
		    *p >= 0xe0 && *p <= 0xef ? 3 : *p >= 0xf0 && *p <= 0xf4 ?
		    4 : 0;
		cp = n > 1 ? utf8_char(p, n) : n == 1 ? 0x7f : -1;
		if (cp != -1) {
			memcpy(one, p, n);
			one[n] = '\0';
		}
		if (cp != -1 && cp <= 0xffff && !hp_text_is_plain(one)) {
			fprintf(out, "\\u%04lx", cp);
			continue;
		}
		/* Anything else, even a byte of broken UTF-8, as it is. */
		n = cp != -1 ? n : 1;
		fwrite(p, 1, n, out);
	}
}

int
render_json_print(struct json_object *o, FILE *out)
{
	const char *text = NULL;

	if (o != NULL)
		text = json_object_to_json_string_ext(o,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text == NULL) {
		json_object_put(o);
		out_printf(stderr, "hivepatch: out of memory\n");
		return HP_IOERR;
	}
	put_json_text(text, out);
	fputc('\n', out);
	json_object_put(o);
	return 0;
}
