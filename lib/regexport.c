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
#include "damage.h"
#include "walk.h"

/* Hex lists wrap once a line reaches this column, so that with the
 * trailing ",\" no line passes 80 columns (as regedit does). */
#define HEX_WRAP_COLUMN 76

struct exporter {
	hive_h *h;
	const char *where;	/* the hive, in messages */
	FILE *w;		/* where the UTF-8 text goes */
	const char *nl;		/* "\n", or "\r\n" for regedit's format */
	struct hp_err *e;
	int fd;			/* the file h reads (damage.h), or -1 */
	uint64_t data_left;	/* what the values may still hold */
};

/* A value of key k whose cells are damaged (named `name`, NULL when
 * even its name cannot be read: the key's value list then says why), as
 * every command says it (damage.h). */
static int
value_damaged(struct exporter *ex, const struct walk_key *k, hive_value_h v,
	      const char *name)
{
	char key[WALK_KEY_SHOWN];
	struct damage d;
	int err = errno;

	walk_key_shown(k->path, key, sizeof(key));
	if (name != NULL ? damage_value(ex->fd, v, name, &d) :
	    damage_values(ex->fd, k->node, &d))
		return damage_err(ex->e, ex->where, key, &d);
	return damage_hivex_err(ex->e, err, ex->where, name != NULL ?
	    "a value's data" : "a value's name", key);
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

/* One value's line: "name"= (or @=) and its data as .reg writes it. */
static int
put_value(struct exporter *ex, const char *name, hive_type type,
	  const unsigned char *data, size_t len)
{
	size_t col;
	char *text;

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
		return hp_err_nomem(ex->e);
	} else if (type == hive_t_REG_DWORD && len == 4) {
		fprintf(ex->w, "dword:%08" PRIx32 "%s", le32(data), ex->nl);
	} else
		put_hex(ex, type, data, len, col);
	return 0;
}

static int
export_value(struct exporter *ex, const struct walk_key *k, hive_value_h v)
{
	unsigned char *data = NULL;
	const char *why;
	char *name, key[WALK_KEY_SHOWN];
	struct damage d;
	int rc;
	hive_type type;
	size_t len;

	errno = 0;
	name = hivex_value_key(ex->h, v);
	if (name == NULL)
		return value_damaged(ex, k, v, NULL);
	/* Refused rather than written as a file that reads back as
	 * something else, or that puts control characters on a terminal. */
	why = strlen(name) != hivex_value_key_len(ex->h, v) ?
	    "it holds a NUL, and would read back as another name" :
	    name_problem(name, 0);
	if (why != NULL) {
		hp_err_set(ex->e, HP_R_UNEXPORTABLE, "%s: key '%s' has a value "
		    "named '%s', which a .reg file cannot hold (%s): nothing "
		    "exported", ex->where, k->path, name, why);
		free(name);
		return -1;
	}
	/* Cells hivex would read without a word (a big data record
	 * listing its own cell) are refused, not exported as data.  Then
	 * the size: an empty value needs no data read (and malloc(0) may be
	 * NULL). */
	errno = 0;
	if (damage_value(ex->fd, v, name, &d) ||
	    hivex_value_type(ex->h, v, &type, &len) == -1) {
		rc = value_damaged(ex, k, v, name);
		free(name);
		return rc;
	}
	/* Windows gives each value cells of its own: more data than the
	 * hive holds is a lie or cells read twice, and output without
	 * bound. */
	if (len > ex->data_left) {
		hp_err_set(ex->e, HP_R_DAMAGED, "%s: damaged hive: value '%s' "
		    "claims %zu bytes, more than the hive holds besides the "
		    "values before it (key '%s', its cell at file offset 0x%llx)",
		    ex->where, name, len, walk_key_shown(k->path, key,
		    sizeof(key)), (unsigned long long)v);
		free(name);
		return -1;
	}
	ex->data_left -= len;
	if (len > 0) {
		data = (unsigned char *)damage_value_value(ex->h, ex->fd, v,
		    &type, &len);
		if (data == NULL) {
			rc = value_damaged(ex, k, v, name);
			free(name);
			return rc;
		}
	}

	rc = put_value(ex, name, type, data, len);
	free(name);
	free(data);
	return rc;
}

/* One key of the walk: its section and values, once its name is known
 * to be one a .reg file can hold. */
static int
export_key(void *arg, const struct walk_key *k, struct hp_err *e)
{
	struct exporter *ex = arg;
	hive_value_h *values;
	const char *why;
	size_t i;
	int rc = 0;

	if (k->name_unreadable)
		return hp_err_set(e, HP_R_UNEXPORTABLE, "%s: key '%.*s' has a "
		    "subkey whose name is not valid UTF-16 (a lone surrogate, "
		    "say), which a .reg file cannot spell: nothing exported",
		    ex->where, (int)(k->name - k->path - 1), k->path);
	why = k->depth == 0 ? NULL : k->name_has_nul ? "it holds a NUL, and "
	    "would read back as another name" : name_problem(k->name, 1);
	if (why != NULL)
		return hp_err_set(e, HP_R_UNEXPORTABLE, "%s: key '%.*s' has a "
		    "subkey named '%s', which a .reg file cannot hold (%s): "
		    "nothing exported", ex->where, (int)(k->name - k->path - 1),
		    k->path, k->name, why);
	fprintf(ex->w, "[%s]%s", k->path, ex->nl);
	errno = 0;
	if ((values = hivex_node_values(ex->h, k->node)) == NULL) {
		char key[WALK_KEY_SHOWN];
		struct damage d;
		int err = errno;

		walk_key_shown(k->path, key, sizeof(key));
		if (damage_values(ex->fd, k->node, &d))
			return damage_err(e, ex->where, key, &d);
		return damage_hivex_err(e, err, ex->where, "the values", key);
	}
	for (i = 0; values[i] != 0 && rc == 0; i++)
		rc = export_value(ex, k, values[i]);
	free(values);
	fputs(ex->nl, ex->w);
	return rc;
}

/* regedit's own format: the UTF-8 text as UTF-16LE after a byte order
 * mark (none when it goes on a document already begun: `more`), in
 * place of *text. */
static int
to_utf16(char **text, size_t *len, int more, struct hp_err *e)
{
	static const char bom[2] = { (char)0xff, (char)0xfe };
	size_t widelen, bad_at, at = more ? 0 : sizeof(bom);
	unsigned char *wide;
	char *out;

	if (text_convert("UTF-16LE", "UTF-8", (unsigned char *)*text, *len,
	    &wide, &widelen, &bad_at) != TEXT_OK)
		return hp_err_set(e, HP_R_IO,
		    "cannot convert .reg output to UTF-16LE");
	if ((out = malloc(widelen + sizeof(bom))) == NULL) {
		free(wide);
		return hp_err_nomem(e);
	}
	memcpy(out, bom, at);
	memcpy(out + at, wide, widelen);
	free(wide);
	free(*text);
	*text = out;
	*len = widelen + at;
	return 0;
}

int
reg_export_render(hive_h *h, int fd, const char *where, hive_node_h node,
		  const char *keypath, uint64_t data_budget, unsigned flags,
		  char **text, size_t *len, struct hp_err *e)
{
	struct exporter *ex;
	int rc;

	*text = NULL;
	*len = 0;
	ex = calloc(1, sizeof(*ex));
	if (ex == NULL)
		return hp_err_nomem(e);
	ex->h = h;
	ex->where = where;
	ex->e = e;
	ex->nl = (flags & REG_EXPORT_UTF16) ? "\r\n" : "\n";
	ex->data_left = data_budget;
	ex->fd = fd;
	/* Nothing goes out before the whole key is rendered: a name that
	 * cannot be written refuses the export, not half of it. */
	if ((ex->w = open_memstream(text, len)) == NULL) {
		free(ex);
		return hp_err_nomem(e);
	}
	rc = check_keypath(ex, keypath);
	if (rc == 0) {
		if (!(flags & REG_EXPORT_MORE))
			fprintf(ex->w, "Windows Registry Editor Version 5.00%s%s",
			    ex->nl, ex->nl);
		rc = hive_walk(h, fd, node, keypath, where, export_key, ex, e);
	}
	if ((fclose(ex->w) == EOF || *text == NULL) && rc == 0)
		rc = hp_err_nomem(e);
	free(ex);
	if (rc == 0 && (flags & REG_EXPORT_UTF16))
		rc = to_utf16(text, len, (flags & REG_EXPORT_MORE) != 0, e);
	if (rc == -1) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	return rc;
}
