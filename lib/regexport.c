/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Writing a key and everything below it as a .reg document, the way
 * regedit exports: "Windows Registry Editor Version 5.00", then one
 * [section] per key, parents before children, values in hive order. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regf.h"
#include "regfile.h"
#include "textconv.h"

/* Windows allows 512 levels of keys; deeper means a damaged hive, and a
 * key that is its own ancestor would otherwise never end. */
#define KEY_DEPTH_MAX 512

/* Hex lists wrap once a line reaches this column, so that with the
 * trailing ",\" no line passes 80 columns (as regedit does). */
#define HEX_WRAP_COLUMN 76

struct exporter {
	hive_h *h;
	const char *where;	/* the hive, in messages */
	FILE *w;		/* where the UTF-8 text goes */
	const char *nl;		/* "\n", or "\r\n" for regedit's format */
	struct hp_err *e;
	hive_node_h ancestors[KEY_DEPTH_MAX];
	size_t depth;
};

static int
hive_error(struct exporter *ex, const char *path)
{
	int saved = errno ? errno : EIO;

	return hp_err_set(ex->e, HP_R_IO, "%s: cannot read key '%s': %s",
	    ex->where, path, strerror(saved));
}

/* Why a .reg file cannot hold `name` as the name of a key (key set) or
 * of a value, or NULL when it can.  No name may hold what hp_escape_text
 * escapes: .reg has no escape for a line break, and the file must not
 * carry control characters to a terminal.  A key's name must not be
 * empty or hold a backslash (both read back as another path), nor a ']'
 * followed, after blanks, by ';' (read back as the end of the key and a
 * comment). */
static const char *
name_problem(const char *name, int key)
{
	const char *p, *q;

	if (!hp_text_is_plain(name))
		return "it holds a control character, a line break or another "
		    "character shown escaped";
	if (!key)
		return NULL;
	if (*name == '\0')
		return "it is empty";
	if (strchr(name, '\\') != NULL)
		return "it holds a backslash, which .reg reads as a separator "
		    "of keys";
	for (p = strchr(name, ']'); p != NULL; p = strchr(p + 1, ']')) {
		q = p + 1 + strspn(p + 1, " ");
		if (*q == ';')
			return "it holds a ']' followed by ';', which .reg "
			    "reads as the end of the key and a comment";
	}
	return NULL;
}

/* The key path given to export, one name at a time (empty ones, as in
 * "a\\\\b", are passed over by the lookup and by .reg readers alike). */
static int
check_keypath(struct exporter *ex, const char *keypath)
{
	const char *why = NULL;
	char *copy = strdup(keypath), *name, *save = NULL;

	if (copy == NULL)
		return hp_err_nomem(ex->e);
	for (name = strtok_r(copy, "\\", &save); name != NULL && why == NULL;
	    name = strtok_r(NULL, "\\", &save))
		why = name_problem(name, 1);
	free(copy);
	if (why != NULL)
		return hp_err_set(ex->e, HP_R_UNEXPORTABLE, "%s: key '%s' "
		    "cannot be written in a .reg file (a name in it: %s): "
		    "nothing exported", ex->where, keypath, why);
	return 0;
}

/* Writes s between quotes with '\' and '"' escaped; returns the columns
 * written. */
static size_t
put_quoted(FILE *w, const char *s)
{
	size_t cols = 2;

	fputc('"', w);
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"') {
			fputc('\\', w);
			cols++;
		}
		fputc(*s, w);
		if (((unsigned char)*s & 0xc0) != 0x80)
			cols++;
	}
	fputc('"', w);
	return cols;
}

/* REG_SZ data as UTF-8 when it can be written as "string" and read back
 * the same, and shown as it is: well-formed UTF-16LE, even length, no NUL
 * before the final one and nothing hp_escape_text escapes (no line
 * break, no control character).  NULL (errno 0) when it cannot (it is
 * written as hex(1):); NULL with errno ENOMEM when memory ran out. */
static char *
sz_as_utf8(const unsigned char *data, size_t len)
{
	size_t i, outlen, bad_at;
	enum text_conv conv;
	char *out;

	errno = 0;
	if (len % 2 != 0)
		return NULL;
	if (len >= 2 && data[len - 2] == 0 && data[len - 1] == 0)
		len -= 2;
	for (i = 0; i < len; i += 2)
		if (data[i + 1] == 0 && data[i] == 0)
			return NULL;
	conv = text_convert("UTF-8", "UTF-16LE", data, len,
	    (unsigned char **)&out, &outlen, &bad_at);
	if (conv != TEXT_OK) {
		errno = conv == TEXT_NO_MEMORY ? ENOMEM : 0;
		return NULL;
	}
	if (!hp_text_is_plain(out)) {
		free(out);
		return NULL;
	}
	return out;
}

/* hex: or hex(N): and the bytes, wrapped like regedit: a line that
 * reaches the wrap column ends in ",\" and the next starts with two
 * spaces.  `col` is the column after "name=". */
static void
put_hex(struct exporter *ex, hive_type type, const unsigned char *data,
	size_t len, size_t col)
{
	int n;
	size_t i;

	if (type == hive_t_REG_BINARY)
		n = fprintf(ex->w, "hex:");
	else
		n = fprintf(ex->w, "hex(%x):", (unsigned)type);
	if (n > 0)
		col += (size_t)n;
	for (i = 0; i < len; i++) {
		fprintf(ex->w, "%02x", data[i]);
		if (i + 1 == len)
			break;
		fputc(',', ex->w);
		col += 3;
		if (col > HEX_WRAP_COLUMN) {
			fprintf(ex->w, "\\%s  ", ex->nl);
			col = 2;
		}
	}
	fputs(ex->nl, ex->w);
}

static int
export_value(struct exporter *ex, const char *path, hive_value_h v)
{
	unsigned char *data = NULL;
	const char *why;
	char *name, *text;
	hive_type type;
	size_t len, col;

	errno = 0;
	name = hivex_value_key(ex->h, v);
	if (name == NULL)
		return hive_error(ex, path);
	/* Refused rather than written as a file that reads back as
	 * something else, or that puts control characters on a terminal. */
	why = strlen(name) != hivex_value_key_len(ex->h, v) ?
	    "it holds a NUL, and would read back as another name" :
	    name_problem(name, 0);
	if (why != NULL) {
		hp_err_set(ex->e, HP_R_UNEXPORTABLE, "%s: key '%s' has a value "
		    "named '%s', which a .reg file cannot hold (%s): nothing "
		    "exported", ex->where, path, name, why);
		free(name);
		return -1;
	}
	/* Ask for the size first: an empty value needs no data read (and
	 * malloc(0) may be NULL). */
	if (hivex_value_type(ex->h, v, &type, &len) == -1) {
		free(name);
		return hive_error(ex, path);
	}
	if (len > 0) {
		data = (unsigned char *)hivex_value_value(ex->h, v, &type,
		    &len);
		if (data == NULL) {
			free(name);
			return hive_error(ex, path);
		}
	}

	if (*name == '\0') {
		fputc('@', ex->w);
		col = 1;
	} else
		col = put_quoted(ex->w, name);
	fputc('=', ex->w);
	col++;

	if (type == hive_t_REG_SZ && (text = sz_as_utf8(data, len)) != NULL) {
		put_quoted(ex->w, text);
		fputs(ex->nl, ex->w);
		free(text);
	} else if (type == hive_t_REG_SZ && errno == ENOMEM) {
		free(name);
		free(data);
		return hp_err_nomem(ex->e);
	} else if (type == hive_t_REG_DWORD && len == 4) {
		fprintf(ex->w, "dword:%08" PRIx32 "%s",
		    le32(data), ex->nl);
	} else
		put_hex(ex, type, data, len, col);
	free(name);
	free(data);
	return 0;
}

static int
export_key(struct exporter *ex, hive_node_h node, const char *path)
{
	hive_value_h *values = NULL;
	hive_node_h *children = NULL;
	char *name, *child_path;
	const char *why;
	int rc = -1;
	size_t i;

	if (ex->depth == KEY_DEPTH_MAX)
		return hp_err_set(ex->e, HP_R_DAMAGED,
		    "%s: key '%s' is nested too deeply (limit %d levels)",
		    ex->where, path, KEY_DEPTH_MAX);
	for (i = 0; i < ex->depth; i++)
		if (ex->ancestors[i] == node)
			return hp_err_set(ex->e, HP_R_DAMAGED,
			    "%s: key '%s' contains itself (damaged hive)",
			    ex->where, path);
	ex->ancestors[ex->depth++] = node;

	fprintf(ex->w, "[%s]%s", path, ex->nl);
	errno = 0;
	values = hivex_node_values(ex->h, node);
	if (values == NULL) {
		hive_error(ex, path);
		goto out;
	}
	for (i = 0; values[i] != 0; i++)
		if (export_value(ex, path, values[i]) == -1)
			goto out;
	fputs(ex->nl, ex->w);

	errno = 0;
	children = hivex_node_children(ex->h, node);
	if (children == NULL) {
		hive_error(ex, path);
		goto out;
	}
	for (i = 0; children[i] != 0; i++) {
		errno = 0;
		name = hivex_node_name(ex->h, children[i]);
		if (name == NULL) {
			hive_error(ex, path);
			goto out;
		}
		why = strlen(name) != hivex_node_name_len(ex->h, children[i]) ?
		    "it holds a NUL, and would read back as another name" :
		    name_problem(name, 1);
		if (why != NULL) {
			hp_err_set(ex->e, HP_R_UNEXPORTABLE, "%s: key '%s' has "
			    "a subkey named '%s', which a .reg file cannot hold "
			    "(%s): nothing exported", ex->where, path, name,
			    why);
			free(name);
			goto out;
		}
		if (asprintf(&child_path, "%s\\%s", path, name) == -1) {
			free(name);
			hp_err_nomem(ex->e);
			goto out;
		}
		free(name);
		if (export_key(ex, children[i], child_path) == -1) {
			free(child_path);
			goto out;
		}
		free(child_path);
	}
	rc = 0;
out:
	free(values);
	free(children);
	ex->depth--;
	return rc;
}

/* Writes the whole of [buf, buf + len) to out. */
static int
write_all(FILE *out, const void *buf, size_t len, struct hp_err *e)
{
	if ((len > 0 && fwrite(buf, 1, len, out) != len) || fflush(out) == EOF)
		return hp_err_set(e, HP_R_IO, "cannot write .reg output: %s",
		    strerror(errno ? errno : EIO));
	return 0;
}

/* regedit's own format: the UTF-8 text as UTF-16LE after a byte order
 * mark, in place of *text. */
static int
to_utf16(char **text, size_t *len, struct hp_err *e)
{
	size_t widelen, bad_at;
	unsigned char *wide;
	char *out;

	if (text_convert("UTF-16LE", "UTF-8", (unsigned char *)*text, *len,
	    &wide, &widelen, &bad_at) != TEXT_OK)
		return hp_err_set(e, HP_R_IO,
		    "cannot convert .reg output to UTF-16LE");
	if ((out = malloc(widelen + 2)) == NULL) {
		free(wide);
		return hp_err_nomem(e);
	}
	out[0] = (char)0xff;
	out[1] = (char)0xfe;
	memcpy(out + 2, wide, widelen);
	free(wide);
	free(*text);
	*text = out;
	*len = widelen + 2;
	return 0;
}

int
reg_export_render(hive_h *h, const char *where, hive_node_h node,
		  const char *keypath, int utf16, char **text, size_t *len,
		  struct hp_err *e)
{
	struct exporter *ex;
	int rc;

	*text = NULL;
	*len = 0;
	ex = calloc(1, sizeof(*ex));	/* the ancestor stack is 4 KiB */
	if (ex == NULL)
		return hp_err_nomem(e);
	ex->h = h;
	ex->where = where;
	ex->e = e;
	ex->nl = utf16 ? "\r\n" : "\n";
	/* Nothing goes out before the whole key is rendered: a name that
	 * cannot be written refuses the export, not half of it. */
	if ((ex->w = open_memstream(text, len)) == NULL) {
		free(ex);
		return hp_err_nomem(e);
	}
	rc = check_keypath(ex, keypath);
	if (rc == 0) {
		fprintf(ex->w, "Windows Registry Editor Version 5.00%s%s",
		    ex->nl, ex->nl);
		rc = export_key(ex, node, keypath);
	}
	if ((fclose(ex->w) == EOF || *text == NULL) && rc == 0)
		rc = hp_err_nomem(e);
	free(ex);
	if (rc == 0 && utf16)
		rc = to_utf16(text, len, e);
	if (rc == -1) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	return rc;
}

int
reg_export(hive_h *h, hive_node_h node, const char *keypath, int utf16,
	   FILE *out, struct hp_err *e)
{
	char *text;
	size_t len;
	int rc;

	if (reg_export_render(h, "hive", node, keypath, utf16, &text, &len,
	    e) == -1)
		return -1;
	errno = 0;
	rc = write_all(out, text, len, e);
	free(text);
	return rc;
}
