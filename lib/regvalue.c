/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The data of a .reg value line: "string", dword:, hex: and hex(N):
 * lists (continued over lines ending in '\\'), and =- for a deletion. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "regparse.h"
#include "textconv.h"

/* Longest "hex(ffffffff):" as written, plus its NUL. */
#define HEX_PREFIX_MAX 16

/* A quoted string, *pp just past the opening '"'.  Only \\ and \" are
 * escapes.  On success *out is the unescaped text and *pp points past the
 * closing '"'. */
static int
parse_quoted(struct parser *ps, const struct line *ln, const char **pp,
	     const char *what, char **out)
{
	const char *p = *pp;
	char *buf, *o;

	buf = malloc((size_t)(ln->end - p) + 1);
	if (buf == NULL)
		return out_of_memory(ps);
	o = buf;
	while (p < ln->end) {
		if (*p == '"') {
			*o = '\0';
			*pp = p + 1;
			*out = buf;
			return 0;
		}
		if (*p == '\\') {
			if (p + 1 < ln->end && (p[1] == '\\' || p[1] == '"')) {
				*o++ = p[1];
				p += 2;
				continue;
			}
			free(buf);
			return syntax_error(ps, ln->no, p,
			    p + 1 < ln->end ? p + 2 : ln->end, 0,
			    "'\\\\' or '\\\"' after '\\' in the %s", what);
		}
		*o++ = *p++;
	}
	free(buf);
	return syntax_error(ps, ln->no, ln->end, ln->end, 0,
	    "closing '\"' of the %s", what);
}

/* A comma-separated list of hex bytes after "hex:" or "hex(N):", which
 * continues on the next line when a line ends in '\'.  Leaves *ln on the
 * last line the list used. */
static int
parse_hex_list(struct parser *ps, struct line *ln, const char *p,
	       const char *prefix, struct bytes *out)
{
	const char *tok_end, *after = prefix;
	int after_byte = 0;

	for (;;) {
		p = skip_space(p, ln->end);
		if (p == ln->end || *p == ';')
			return 0;
		if (*p == '\\' && skip_space(p + 1, ln->end) == ln->end) {
			/* The list goes on; leading blanks do not count. */
			if (!next_line(ps, ln))
				return 0;
			p = ln->p;
			continue;
		}
		if (after_byte) {
			if (*p != ',')
				return syntax_error(ps, ln->no, p, ln->end, 1,
				    "',' between hex bytes");
			p++;
			after_byte = 0;
			after = ",";
			continue;
		}
		tok_end = p;
		while (tok_end < ln->end && !is_space((unsigned char)*tok_end) &&
		    *tok_end != ',' && *tok_end != ';' && *tok_end != '\\')
			tok_end++;
		if (tok_end == p || tok_end - p > 2 || !is_hex(p[0]) ||
		    (tok_end - p == 2 && !is_hex(p[1])))
			return syntax_error(ps, ln->no, p, ln->end, 1,
			    "hex byte after '%s'", after);
		if (bytes_push(out, (unsigned char)(tok_end - p == 2 ?
		    hex_value(p[0]) << 4 | hex_value(p[1]) :
		    hex_value(p[0]))) == -1)
			return out_of_memory(ps);
		p = tok_end;
		after_byte = 1;
	}
}

/* The data after "hex", p at the 'h'.  Sets *type and fills *out. */
static int
parse_hex(struct parser *ps, struct line *ln, const char *p, hive_type *type,
	  struct bytes *out)
{
	char prefix[HEX_PREFIX_MAX];
	const char *start = p, *q;
	uint32_t t = 0;
	size_t n;

	p += 3;
	if (p < ln->end && *p == '(') {
		p++;
		for (q = p; q < ln->end && is_hex(*q); q++)
			;
		if (q == p || q - p > 8 || ln->end - q < 2 || q[0] != ')' ||
		    q[1] != ':')
			return syntax_error(ps, ln->no, p, ln->end, 1,
			    "a type of 1 to 8 hex digits and '):' after 'hex('");
		for (; p < q; p++)
			t = t << 4 | hex_value(*p);
		p = q + 2;
	} else if (p < ln->end && *p == ':') {
		t = hive_t_REG_BINARY;
		p++;
	} else
		return syntax_error(ps, ln->no, start, ln->end, 1,
		    "'hex:' or 'hex(N):'");
	n = (size_t)(p - start);
	memcpy(prefix, start, n);	/* at most "hex(" 8 digits "):" */
	prefix[n] = '\0';
	*type = (hive_type)t;
	return parse_hex_list(ps, ln, p, prefix, out);
}

/* REGEDIT4 writes REG_EXPAND_SZ and REG_MULTI_SZ hex data as 8-bit
 * strings; a hive holds them as UTF-16LE. */
static int
widen_ansi(struct parser *ps, unsigned lineno, const char *what,
	   struct bytes *b)
{
	enum text_conv rc;
	unsigned char *wide;
	size_t widelen, bad;

	if (b->len == 0)
		return 0;
	rc = text_convert("UTF-16LE", "WINDOWS-1252", b->p, b->len, &wide,
	    &widelen, &bad);
	if (rc == TEXT_NO_MEMORY)
		return out_of_memory(ps);
	if (rc == TEXT_UNSUPPORTED)
		return hp_err_set(ps->e, HP_R_IO,
		    "%s: iconv cannot convert WINDOWS-1252 to UTF-16LE",
		    ps->file);
	if (rc != TEXT_OK)
		return hp_err_set(ps->e, HP_R_BAD_REG,
		    "%s:%u: expected Windows-1252 text in '%s' data, found "
		    "byte 0x%02x", ps->file, lineno, what, b->p[bad]);
	free(b->p);
	b->p = wide;
	b->len = widelen;
	b->cap = widelen;
	return 0;
}

/* A "string" value: UTF-16LE with its NUL, as a hive stores REG_SZ. */
static int
string_data(struct parser *ps, const char *utf8, struct bytes *out)
{
	enum text_conv rc;
	unsigned char *wide, *grown;
	size_t widelen, bad;

	rc = text_convert("UTF-16LE", "UTF-8", (const unsigned char *)utf8,
	    strlen(utf8), &wide, &widelen, &bad);
	if (rc == TEXT_NO_MEMORY)
		return out_of_memory(ps);
	if (rc != TEXT_OK)	/* the text was checked as UTF-8 already */
		return hp_err_set(ps->e, HP_R_IO,
		    "%s: iconv cannot convert UTF-8 to UTF-16LE", ps->file);
	grown = realloc(wide, widelen + 2);
	if (grown == NULL) {
		free(wide);
		return out_of_memory(ps);
	}
	grown[widelen] = 0;
	grown[widelen + 1] = 0;
	out->p = grown;
	out->len = out->cap = widelen + 2;
	return 0;
}

/* The digits after "dword:", *pp just past the colon; on success *pp is
 * past them and *out holds the DWORD as a hive stores it. */
static int
parse_dword(struct parser *ps, const struct line *ln, const char **pp,
	    struct bytes *out)
{
	const char *p = *pp, *q;
	uint32_t dword = 0;
	size_t n;

	for (q = p; q < ln->end && !is_space((unsigned char)*q) && *q != ';';
	    q++)
		;
	n = (size_t)(q - p);
	if (n == 0 || n > 8)
		return syntax_error(ps, ln->no, p, q, 0,
		    "1 to 8 hex digits after 'dword:'");
	for (; p < q; p++) {
		if (!is_hex(*p))
			return syntax_error(ps, ln->no, q - n, q, 0,
			    "1 to 8 hex digits after 'dword:'");
		dword = dword << 4 | hex_value(*p);
	}
	out->p = malloc(4);
	if (out->p == NULL)
		return out_of_memory(ps);
	out->p[0] = (unsigned char)(dword & 0xff);
	out->p[1] = (unsigned char)(dword >> 8 & 0xff);
	out->p[2] = (unsigned char)(dword >> 16 & 0xff);
	out->p[3] = (unsigned char)(dword >> 24 & 0xff);
	out->len = out->cap = 4;
	*pp = p;
	return 0;
}

/* The data after '=', *pp at its first character: a string, a DWORD or a
 * hex list.  On success *pp is past it (a hex list runs to the end of
 * its last line). */
static int
parse_data(struct parser *ps, struct line *ln, const char **pp,
	   hive_type *type, struct bytes *out)
{
	const char *p = *pp;
	unsigned lineno = ln->no;
	char *str = NULL;
	int rc;

	if (p < ln->end && *p == '"') {
		p++;
		if (parse_quoted(ps, ln, &p, "string", &str) == -1)
			return -1;
		rc = string_data(ps, str, out);
		free(str);
		*type = hive_t_REG_SZ;
	} else if (ln->end - p >= 6 && strncasecmp(p, "dword:", 6) == 0) {
		p += 6;
		rc = parse_dword(ps, ln, &p, out);
		*type = hive_t_REG_DWORD;
	} else if (ln->end - p >= 3 && strncasecmp(p, "hex", 3) == 0) {
		rc = parse_hex(ps, ln, p, type, out);
		if (rc == 0 && ps->regedit4 && (*type == hive_t_REG_EXPAND_SZ ||
		    *type == hive_t_REG_MULTI_SZ))
			rc = widen_ansi(ps, lineno, *type == hive_t_REG_EXPAND_SZ ?
			    "hex(2):" : "hex(7):", out);
		p = ln->end;
	} else {
		return syntax_error(ps, lineno, p, ln->end, 0,
		    "'\"', 'dword:', 'hex:', 'hex(N):' or '-' after '='");
	}
	*pp = p;
	return rc;
}

/* "name"=data or @=data, p at the '"' or '@'.  *ln may move on to the
 * continuation lines of a hex list. */
int
parse_value(struct parser *ps, struct line *ln, const char *p)
{
	unsigned lineno = ln->no;
	struct bytes data = { NULL, 0, 0 };
	hive_type type = hive_t_REG_NONE;
	char *name = NULL;

	if (ps->root == NULL)
		return syntax_error(ps, lineno, p, ln->end, 0,
		    "a '[KEY]' line before the first value");
	if (ps->deleting)
		return syntax_error(ps, lineno, p, ln->end, 0,
		    "values only under '[KEY]', not under '[-KEY]'");
	if (*p == '@') {
		name = strdup("");
		if (name == NULL)
			return out_of_memory(ps);
		p++;
	} else {
		p++;
		if (parse_quoted(ps, ln, &p, "value name", &name) == -1)
			return -1;
	}
	p = skip_space(p, ln->end);
	if (p == ln->end || *p != '=') {
		syntax_error(ps, lineno, p, ln->end, 0,
		    "'=' after the value name");
		goto fail;
	}
	p = skip_space(p + 1, ln->end);
	if (p < ln->end && *p == '-') {
		if (!at_line_end(p + 1, ln->end)) {
			syntax_error(ps, lineno, skip_space(p + 1, ln->end),
			    ln->end, 0, "end of line after '=-'");
			goto fail;
		}
		return add_op(ps, HP_OP_DELETE_VALUE, lineno, name, 0, NULL,
		    0);
	}
	if (parse_data(ps, ln, &p, &type, &data) == -1)
		goto fail;
	if (!at_line_end(p, ln->end)) {
		syntax_error(ps, ln->no, skip_space(p, ln->end), ln->end, 0,
		    "end of line after the value");
		goto fail;
	}
	return add_op(ps, HP_OP_SET_VALUE, lineno, name, type, data.p,
	    data.len);
fail:
	free(name);
	free(data.p);
	return -1;
}
