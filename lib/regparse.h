/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the .reg parser (regparse.c) shares with the reading of value
 * data (regvalue.c): the parser's state, the lines it hands out, and the
 * helpers both sides use.  Internal to the two. */
#ifndef HIVEPATCH_REGPARSE_H
#define HIVEPATCH_REGPARSE_H

#include <stddef.h>

#include "regfile.h"

/* One physical line of the decoded text, without its line end. */
struct line {
	const char *p;
	const char *end;
	unsigned no;
};

struct parser {
	const char *file;	/* name for messages; doc->file */
	const char *text;	/* the whole file as UTF-8, NUL-free */
	size_t len;
	size_t next;		/* offset of the next line in text */
	unsigned lineno;	/* number of the last line handed out */
	int regedit4;		/* header was REGEDIT4: hex strings are 8-bit */
	struct reg_doc *doc;
	size_t cap;		/* slots allocated in doc->ops */
	const char *root;	/* current section, NULL before the first */
	char *path;
	int deleting;		/* current section is [-KEY] */
	unsigned set_bits_line;	/* line of a pending set-bits directive */
	struct hp_err *e;
};

/* A growing byte buffer for hex lists. */
struct bytes {
	unsigned char *p;
	size_t len;
	size_t cap;
};

static inline int
is_space(int c)
{
	/* A stray CR before the CR LF is blank too. */
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static inline int
is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static inline unsigned
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	return (unsigned)(c - 'A' + 10);
}

static inline const char *
skip_space(const char *p, const char *end)
{
	while (p < end && is_space((unsigned char)*p))
		p++;
	return p;
}

/* Nothing left on the line but blanks or a comment. */
static inline int
at_line_end(const char *p, const char *end)
{
	p = skip_space(p, end);
	return p == end || *p == ';';
}

/* "FILE:LINE: expected <fmt...>, found <quote of [p, end)>"; returns -1.
 * With token set, the quote stops at the end of the token at p. */
int syntax_error(struct parser *ps, unsigned lineno, const char *p,
		 const char *end, int token, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* "FILE: out of memory"; returns -1. */
int out_of_memory(struct parser *ps);

/* Hands out the next physical line; 0 at the end of the text. */
int next_line(struct parser *ps, struct line *ln);

int bytes_push(struct bytes *b, unsigned char c);

/* Appends an operation for the current section, taking ownership of
 * `name` and `data` (freed here on failure). */
int add_op(struct parser *ps, enum hp_op kind, unsigned lineno, char *name,
	   hive_type type, unsigned char *data, size_t len);

/* "name"=data or @=data, p at the '"' or '@'.  *ln may move on to the
 * continuation lines of a hex list (regvalue.c). */
int parse_value(struct parser *ps, struct line *ln, const char *p);

#endif
