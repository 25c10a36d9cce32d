/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Parsing .reg files into a list of operations.
 *
 * The whole file is first turned into UTF-8 text (from UTF-16LE with a
 * BOM, UTF-8, or for REGEDIT4 files Windows-1252), then read line by line.
 * Every error names the file and the line of the original file, and quotes
 * a short excerpt of what was found there. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "regfile.h"
#include "regparse.h"
#include "textconv.h"

#define HEADER_V5 "Windows Registry Editor Version 5.00"
#define HEADER_V4 "REGEDIT4"

/* Bytes of offending text an error message quotes. */
#define EXCERPT_MAX 32

static const struct {
	const char *name;	/* canonical, as stored in reg_op.root */
	const char *abbrev;
} roots[] = {
	{ "HKEY_LOCAL_MACHINE", "HKLM" },
	{ "HKEY_CURRENT_USER", "HKCU" },
	{ "HKEY_CLASSES_ROOT", "HKCR" },
	{ "HKEY_USERS", "HKU" },
	{ "HKEY_CURRENT_CONFIG", "HKCC" },
};


/* Offset of the first byte that is not well-formed UTF-8, or len. */
static size_t
utf8_valid_prefix(const unsigned char *s, size_t len)
{
	size_t off = 0, n;

	while (off < len) {
		n = utf8_char_len(s + off, len - off);
		if (n == 0)
			break;
		off += n;
	}
	return off;
}

/* Line number of byte `off` in 8-bit text. */
static unsigned
line_at(const unsigned char *s, size_t off)
{
	unsigned no = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (s[i] == '\n')
			no++;
	return no;
}

/* Line number of byte `off` in UTF-16LE text. */
static unsigned
line_at_utf16(const unsigned char *s, size_t off)
{
	unsigned no = 1;
	size_t i;

	for (i = 0; i + 1 < off; i += 2)
		if (s[i] == '\n' && s[i + 1] == 0)
			no++;
	return no;
}

/* Writes a quote of [p, end) into buf: at most EXCERPT_MAX bytes, cut at
 * a character boundary (control characters and broken UTF-8 are escaped
 * by hp_err_set, as in every message).
 * With `token` set the quote stops at a blank, ',' or ';' (but shows at
 * least one character).  p == NULL means the end of the file. */
static void
quote(const char *p, const char *end, int token, char *buf, size_t size)
{
	const char *stop;
	size_t o = 0, n;
	int cut = 0;

	if (size < EXCERPT_MAX + 8) {
		if (size > 0)
			buf[0] = '\0';
		return;
	}
	if (p == NULL) {
		snprintf(buf, size, "end of file");
		return;
	}
	if (p >= end) {
		snprintf(buf, size, "end of line");
		return;
	}
	stop = end;
	if (token) {
		stop = p;
		while (stop < end && !is_space((unsigned char)*stop) &&
		    *stop != ',' && *stop != ';')
			stop++;
		if (stop == p) {
			n = utf8_char_len((const unsigned char *)p,
			    (size_t)(end - p));
			stop = p + (n ? n : 1);
		}
	}
	buf[o++] = '\'';
	while (p < stop) {
		n = utf8_char_len((const unsigned char *)p, (size_t)(stop - p));
		if (n == 0)
			n = 1;
		if (o - 1 + n > EXCERPT_MAX) {
			cut = 1;
			break;
		}
		memcpy(buf + o, p, n);
		o += n;
		p += n;
	}
	if (cut) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '\'';
	buf[o] = '\0';
}

int
syntax_error(struct parser *ps, unsigned lineno, const char *p,
	     const char *end, int token, const char *fmt, ...)
{
	char expected[256], found[EXCERPT_MAX + 8];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(expected, sizeof(expected), fmt, ap);
	va_end(ap);
	quote(p, end, token, found, sizeof(found));
	return hp_err_set(ps->e, HP_R_BAD_REG, "%s:%u: expected %s, found %s",
	    ps->file, lineno, expected, found);
}

int
out_of_memory(struct parser *ps)
{
	return hp_err_set(ps->e, HP_R_NO_MEMORY, "%s: out of memory", ps->file);
}

/* Hands out the next physical line; 0 at the end of the text.  Lines end
 * at LF; a CR before it belongs to the line end. */
int
next_line(struct parser *ps, struct line *ln)
{
	const char *start, *nl;
	size_t left;

	if (ps->next >= ps->len)
		return 0;
	start = ps->text + ps->next;
	left = ps->len - ps->next;
	nl = memchr(start, '\n', left);
	if (nl == NULL) {
		ln->end = start + left;
		ps->next = ps->len;
	} else {
		ln->end = nl;
		ps->next = (size_t)(nl - ps->text) + 1;
	}
	if (ln->end > start && ln->end[-1] == '\r')
		ln->end--;
	ln->p = start;
	ln->no = ++ps->lineno;
	return 1;
}

int
bytes_push(struct bytes *b, unsigned char c)
{
	unsigned char *grown;
	size_t cap;

	if (b->len == b->cap) {
		if (b->cap > SIZE_MAX / 2)
			return -1;
		cap = b->cap ? b->cap * 2 : 64;
		grown = realloc(b->p, cap);
		if (grown == NULL)
			return -1;
		b->p = grown;
		b->cap = cap;
	}
	b->p[b->len++] = c;
	return 0;
}

/* Appends an operation for the current section, taking ownership of
 * `name` and `data` (freed here on failure). */
int
add_op(struct parser *ps, enum hp_op kind, unsigned lineno, char *name,
       hive_type type, unsigned char *data, size_t len)
{
	struct reg_doc *doc = ps->doc;
	struct reg_op *op, *grown;
	size_t cap;

	if (doc->n_ops == ps->cap) {
		cap = ps->cap ? ps->cap * 2 : 16;
		if (cap > SIZE_MAX / sizeof(*doc->ops))
			goto nomem;
		grown = realloc(doc->ops, cap * sizeof(*doc->ops));
		if (grown == NULL)
			goto nomem;
		doc->ops = grown;
		ps->cap = cap;
	}
	op = &doc->ops[doc->n_ops];
	memset(op, 0, sizeof(*op));
	op->root = strdup(ps->root);
	op->path = strdup(ps->path);
	if (op->root == NULL || op->path == NULL) {
		free(op->root);
		free(op->path);
		goto nomem;
	}
	op->kind = kind;
	op->name = name;
	op->type = type;
	op->data = data;
	op->len = len;
	op->file = doc->file;
	op->line = lineno;
	doc->n_ops++;
	return 0;
nomem:
	free(name);
	free(data);
	return out_of_memory(ps);
}

static int
conv_failed(struct parser *ps, enum text_conv rc, const char *from)
{
	if (rc == TEXT_NO_MEMORY)
		return out_of_memory(ps);
	return hp_err_set(ps->e, HP_R_IO,
	    "%s: iconv cannot convert %s to UTF-8", ps->file, from);
}

/* regedit's own format: UTF-16LE after the BOM FF FE. */
static int
decode_utf16(struct parser *ps, const unsigned char *buf, size_t len,
	     unsigned char **text, size_t *textlen)
{
	const unsigned char *body = buf + 2;
	enum text_conv rc;
	unsigned unit;
	size_t bad;

	rc = text_convert("UTF-8", "UTF-16LE", body, len - 2, text, textlen, &bad);
	switch (rc) {
	case TEXT_OK:
		return 0;
	case TEXT_BAD_INPUT:
		unit = body[bad];
		if (2 + bad + 1 < len)
			unit |= (unsigned)body[bad + 1] << 8;
		return hp_err_set(ps->e, HP_R_BAD_REG,
		    "%s:%u: expected UTF-16LE text, found invalid code unit "
		    "0x%04x", ps->file, line_at_utf16(body, bad), unit);
	case TEXT_TRUNCATED:
		return hp_err_set(ps->e, HP_R_BAD_REG,
		    "%s:%u: expected UTF-16LE text, found a character cut off "
		    "at the end of the file", ps->file,
		    line_at_utf16(body, bad));
	default:
		return conv_failed(ps, rc, "UTF-16LE");
	}
}

/* Whether the first non-blank line of 8-bit text is "REGEDIT4". */
static int
starts_with_regedit4(const unsigned char *s, size_t len)
{
	size_t n = strlen(HEADER_V4), i = 0;

	while (i < len && (is_space(s[i]) || s[i] == '\n'))
		i++;
	if (len - i < n || memcmp(s + i, HEADER_V4, n) != 0)
		return 0;
	return len - i == n || is_space(s[i + n]) || s[i + n] == '\n';
}

/* UTF-8, with or without its BOM; a REGEDIT4 file without a BOM that is
 * not UTF-8 is in the Windows ANSI code page, taken as Windows-1252. */
static int
decode_8bit(struct parser *ps, const unsigned char *buf, size_t len,
	    unsigned char **text, size_t *textlen)
{
	enum text_conv rc;
	size_t skip = 0, valid, bad;

	if (len >= 3 && buf[0] == 0xef && buf[1] == 0xbb && buf[2] == 0xbf)
		skip = 3;
	valid = skip + utf8_valid_prefix(buf + skip, len - skip);
	if (valid == len) {
		*text = malloc(len - skip + 1);
		if (*text == NULL)
			return out_of_memory(ps);
		memcpy(*text, buf + skip, len - skip);
		(*text)[len - skip] = '\0';
		*textlen = len - skip;
		return 0;
	}
	if (skip != 0 || !starts_with_regedit4(buf, len))
		return hp_err_set(ps->e, HP_R_BAD_REG,
		    "%s:%u: expected UTF-8 text, found byte 0x%02x", ps->file,
		    line_at(buf, valid), buf[valid]);
	rc = text_convert("UTF-8", "WINDOWS-1252", buf, len, text, textlen, &bad);
	if (rc == TEXT_OK)
		return 0;
	if (rc == TEXT_BAD_INPUT || rc == TEXT_TRUNCATED)
		return hp_err_set(ps->e, HP_R_BAD_REG,
		    "%s:%u: expected Windows-1252 text, found byte 0x%02x",
		    ps->file, line_at(buf, bad), buf[bad]);
	return conv_failed(ps, rc, "WINDOWS-1252");
}

/* The file's bytes as NUL-free UTF-8 text in ps->text. */
static int
decode(struct parser *ps, const unsigned char *buf, size_t len)
{
	unsigned char *text = NULL;
	size_t textlen = 0;
	const char *nul;
	unsigned no;
	int rc;

	if (len >= 2 && buf[0] == 0xfe && buf[1] == 0xff)
		return hp_err_set(ps->e, HP_R_BAD_REG,
		    "%s:1: expected UTF-16LE or UTF-8 text, found a UTF-16BE "
		    "byte order mark", ps->file);
	if (len >= 2 && buf[0] == 0xff && buf[1] == 0xfe)
		rc = decode_utf16(ps, buf, len, &text, &textlen);
	else
		rc = decode_8bit(ps, buf, len, &text, &textlen);
	if (rc == -1)
		return -1;

	/* Everything after this works on C strings. */
	nul = memchr(text, '\0', textlen);
	if (nul != NULL) {
		no = line_at(text, (size_t)(nul - (char *)text));
		free(text);
		return hp_err_set(ps->e, HP_R_BAD_REG,
		    "%s:%u: expected text, found a NUL character (UTF-16 "
		    "without a byte order mark?)", ps->file, no);
	}
	ps->text = (const char *)text;
	ps->len = textlen;
	return 0;
}

/* The first non-blank line must be one of the two headers. */
static int
parse_header(struct parser *ps)
{
	struct line ln;
	const char *p, *end;
	size_t n;

	while (next_line(ps, &ln)) {
		p = skip_space(ln.p, ln.end);
		end = ln.end;
		while (end > p && is_space((unsigned char)end[-1]))
			end--;
		if (p == end)
			continue;
		n = (size_t)(end - p);
		if (n == strlen(HEADER_V5) && memcmp(p, HEADER_V5, n) == 0)
			return 0;
		if (n == strlen(HEADER_V4) && memcmp(p, HEADER_V4, n) == 0) {
			ps->regedit4 = 1;
			return 0;
		}
		return syntax_error(ps, ln.no, p, end, 0,
		    "'" HEADER_V5 "' or '" HEADER_V4 "' header");
	}
	return syntax_error(ps, ps->lineno ? ps->lineno : 1, NULL, NULL, 0,
	    "'" HEADER_V5 "' or '" HEADER_V4 "' header");
}

/* The path after the root, as in "\SOFTWARE\\Foo\" -> "SOFTWARE\Foo":
 * doubled, leading and trailing backslashes go. */
static char *
normalise_path(const char *p, const char *end)
{
	char *out, *o;

	out = malloc((size_t)(end - p) + 1);
	if (out == NULL)
		return NULL;
	o = out;
	while (p < end) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (o > out)
			*o++ = '\\';
		while (p < end && *p != '\\')
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* [KEY] or [-KEY], p at the '['. */
static int
parse_section(struct parser *ps, const struct line *ln, const char *p)
{
	const char *close = NULL, *q, *root_end, *root = NULL;
	int deleting = 0;
	size_t i, n;
	char *path;

	p++;
	if (p < ln->end && *p == '-') {
		deleting = 1;
		p++;
	}
	/* Key names may contain ']': the key ends at the first ']' that
	 * has nothing but blanks or a comment after it. */
	for (q = p; q < ln->end; q++)
		if (*q == ']' && at_line_end(q + 1, ln->end)) {
			close = q;
			break;
		}
	if (close == NULL) {
		for (q = ln->end; q > p && q[-1] != ']'; q--)
			;
		if (q == p)
			return syntax_error(ps, ln->no, ln->end, ln->end, 0,
			    "']' at the end of the key");
		return syntax_error(ps, ln->no, skip_space(q, ln->end),
		    ln->end, 0, "end of line after ']'");
	}
	root_end = memchr(p, '\\', (size_t)(close - p));
	if (root_end == NULL)
		root_end = close;
	if (root_end == p)
		return syntax_error(ps, ln->no, p, ln->end, 0,
		    "a root key after '['");
	n = (size_t)(root_end - p);
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if ((strlen(roots[i].name) == n &&
		    strncasecmp(p, roots[i].name, n) == 0) ||
		    (strlen(roots[i].abbrev) == n &&
		    strncasecmp(p, roots[i].abbrev, n) == 0)) {
			root = roots[i].name;
			break;
		}
	if (root == NULL)
		return syntax_error(ps, ln->no, p, root_end, 0,
		    "a root key (HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, "
		    "HKEY_CLASSES_ROOT, HKEY_USERS or HKEY_CURRENT_CONFIG)");
	path = normalise_path(root_end, close);
	if (path == NULL)
		return out_of_memory(ps);
	free(ps->path);
	ps->path = path;
	ps->root = root;
	ps->deleting = deleting;
	return add_op(ps, deleting ? HP_OP_DELETE_KEY : HP_OP_CREATE_KEY,
	    ln->no, NULL, 0, NULL, 0);
}

static int
is_set_bits_directive(const char *p, const char *end)
{
	size_t n = sizeof(REG_SET_BITS_DIRECTIVE) - 1;

	if ((size_t)(end - p) < n || memcmp(p, REG_SET_BITS_DIRECTIVE, n) != 0)
		return 0;
	return skip_space(p + n, end) == end;
}

static int
set_bits_misplaced(struct parser *ps)
{
	return hp_err_set(ps->e, HP_R_BAD_REG,
	    "%s:%u: expected a \"NAME\"=dword: value right after '%s'",
	    ps->file, ps->set_bits_line, REG_SET_BITS_DIRECTIVE);
}

/* The value just parsed follows a set-bits directive. */
static int
mark_set_bits(struct parser *ps)
{
	struct reg_op *op = &ps->doc->ops[ps->doc->n_ops - 1];

	if (op->kind != HP_OP_SET_VALUE || op->type != hive_t_REG_DWORD ||
	    op->len != 4)
		return set_bits_misplaced(ps);
	op->set_bits = 1;
	ps->set_bits_line = 0;
	return 0;
}

static int
parse_lines(struct parser *ps)
{
	struct line ln;
	const char *p;
	int rc;

	if (parse_header(ps) == -1)
		return -1;
	while (next_line(ps, &ln)) {
		p = skip_space(ln.p, ln.end);
		if (p == ln.end)
			continue;
		if (*p == ';') {
			if (is_set_bits_directive(p, ln.end))
				ps->set_bits_line = ln.no;
			continue;
		}
		if (*p == '[') {
			if (ps->set_bits_line != 0)
				return set_bits_misplaced(ps);
			rc = parse_section(ps, &ln, p);
		} else if (*p == '"' || *p == '@') {
			rc = parse_value(ps, &ln, p);
			if (rc == 0 && ps->set_bits_line != 0)
				rc = mark_set_bits(ps);
		} else {
			rc = syntax_error(ps, ln.no, p, ln.end, 0,
			    "'[KEY]', '\"NAME\"=' or '@='");
		}
		if (rc == -1)
			return -1;
	}
	if (ps->set_bits_line != 0)
		return set_bits_misplaced(ps);
	return 0;
}

static void
doc_init(struct reg_doc *doc)
{
	doc->file = NULL;
	doc->ops = NULL;
	doc->n_ops = 0;
}

void
reg_doc_free(struct reg_doc *doc)
{
	size_t i;

	if (doc == NULL)
		return;
	for (i = 0; i < doc->n_ops; i++) {
		free(doc->ops[i].root);
		free(doc->ops[i].path);
		free(doc->ops[i].name);
		free(doc->ops[i].data);
	}
	free(doc->ops);
	free(doc->file);
	doc_init(doc);
}

int
reg_parse_buffer(const char *name, const unsigned char *buf, size_t len,
		 struct reg_doc *doc, struct hp_err *e)
{
	struct parser ps;
	int rc;

	doc_init(doc);
	if (name == NULL)
		name = "(buffer)";
	if (len > REG_FILE_MAX)
		return hp_err_set(e, HP_R_BAD_REG,
		    "%s: too large (%zu bytes, limit %u)", name, len,
		    REG_FILE_MAX);
	if (buf == NULL && len > 0)
		return hp_err_set(e, HP_R_BAD_REG, "%s: no data", name);
	doc->file = strdup(name);
	if (doc->file == NULL)
		return hp_err_set(e, HP_R_NO_MEMORY, "%s: out of memory", name);

	memset(&ps, 0, sizeof(ps));
	ps.file = doc->file;
	ps.doc = doc;
	ps.e = e;
	rc = decode(&ps, buf != NULL ? buf : (const unsigned char *)"", len);
	if (rc == 0)
		rc = parse_lines(&ps);
	free((char *)ps.text);
	free(ps.path);
	if (rc == -1)
		reg_doc_free(doc);
	return rc;
}

int
reg_parse_file(const char *path, struct reg_doc *doc, struct hp_err *e)
{
	unsigned char *buf, *grown;
	size_t len = 0, cap;
	struct stat st;
	ssize_t got;
	int fd, rc, saved;

	doc_init(doc);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot read: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) == -1) {
		saved = errno;
		close(fd);
		return hp_err_set(e, HP_R_IO, "%s: cannot read: %s", path,
		    strerror(saved));
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > REG_FILE_MAX) {
		close(fd);
		return hp_err_set(e, HP_R_BAD_REG,
		    "%s: too large (%jd bytes, limit %u)", path,
		    (intmax_t)st.st_size, REG_FILE_MAX);
	}
	/* Read one byte past the limit so that a file that grew, or a pipe,
	 * is refused rather than cut short. */
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
	buf = malloc(cap);
	if (buf == NULL) {
		close(fd);
		return hp_err_set(e, HP_R_NO_MEMORY, "%s: out of memory", path);
	}
	for (;;) {
		if (len == cap) {
			if (cap > REG_FILE_MAX) {
				close(fd);
				free(buf);
				return hp_err_set(e, HP_R_BAD_REG,
				    "%s: too large (more than %u bytes, limit "
				    "%u)", path, REG_FILE_MAX, REG_FILE_MAX);
			}
			cap = cap > REG_FILE_MAX / 2 ?
			    (size_t)REG_FILE_MAX + 1 : cap * 2;
			grown = realloc(buf, cap);
			if (grown == NULL) {
				close(fd);
				free(buf);
				return hp_err_set(e, HP_R_NO_MEMORY,
				    "%s: out of memory", path);
			}
			buf = grown;
		}
		got = read(fd, buf + len, cap - len);
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1) {
			saved = errno;
			close(fd);
			free(buf);
			return hp_err_set(e, HP_R_IO, "%s: cannot read: %s",
			    path, strerror(saved));
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	rc = reg_parse_buffer(path, buf, len, doc, e);
	free(buf);
	return rc;
}
