/* SPDX-License-Identifier: GPL-3.0-or-later */
/* .reg files: parsing what regedit and people write, and writing a key
 * back out in regedit's format.  Both REGEDIT4 and "Windows Registry
 * Editor Version 5.00"; UTF-16LE with BOM (as regedit writes it) or UTF-8. */
#ifndef HIVEPATCH_REGFILE_H
#define HIVEPATCH_REGFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <hivex.h>

#include "error.h"

/* A comment line that makes the next value, which must be a dword:, a
 * set of bits to OR into the value already there (hivepatch's own
 * extension; regedit reads it as a comment and sets the value). */
#define REG_SET_BITS_DIRECTIVE "; hivepatch: set-bits"

/* Largest .reg file we read; anything bigger is refused, not truncated. */
#define REG_FILE_MAX (64u * 1024 * 1024)


struct reg_op {
	enum hp_op kind;
	char *root;		/* canonical root: "HKEY_LOCAL_MACHINE", "HKEY_CURRENT_USER",
				 * "HKEY_CLASSES_ROOT", "HKEY_USERS", "HKEY_CURRENT_CONFIG" */
	char *path;		/* below the root, '\\'-separated, UTF-8, no leading or
				 * trailing '\\'; "" for the root itself */
	char *name;		/* value name in UTF-8; "" is the default value (@);
				 * NULL for key operations */
	hive_type type;		/* for HP_OP_SET_VALUE */
	unsigned char *data;	/* registry bytes as stored in a hive: REG_SZ and
				 * REG_EXPAND_SZ are UTF-16LE with a terminating NUL,
				 * REG_MULTI_SZ UTF-16LE with the double NUL, DWORD and
				 * QWORD little-endian */
	size_t len;
	int set_bits;		/* REG_DWORD preceded by "; hivepatch: set-bits":
				 * OR these bits into the value already there
				 * instead of replacing it */
	const char *file;	/* points into reg_doc.file */
	unsigned line;		/* line of the value (or key header) in the file */
};

struct reg_doc {
	char *file;		/* name used in messages */
	struct reg_op *ops;	/* in file order */
	size_t n_ops;
};

/* Reads and parses a .reg file.  On error returns -1 with e->status
 * HP_USAGE for a syntax error ("FILE:LINE: expected ..., found ...") or
 * HP_IOERR when the file cannot be read; *doc is then empty. */
int reg_parse_file(const char *path, struct reg_doc *doc, struct hp_err *e);

/* The same for bytes already in memory; `name` is used in messages. */
int reg_parse_buffer(const char *name, const unsigned char *buf, size_t len,
		     struct reg_doc *doc, struct hp_err *e);

void reg_doc_free(struct reg_doc *doc);

/* Renders `node` and everything below it as a .reg document (header
 * line, then one [section] per key, parents before children), naming the
 * node `keypath` (e.g. "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft"), into a
 * new buffer (*text, *len; free it).  With REG_EXPORT_UTF16, the output
 * is regedit's own: UTF-16LE with BOM and CRLF; otherwise UTF-8 with LF.
 * With REG_EXPORT_MORE, neither the BOM nor the header line: the
 * sections that go on a document already begun.
 * Nothing in it is a control character (line ends aside): a REG_SZ that
 * is not plain text (hp_text_is_plain: a line break, a control character)
 * is written as hex(1):, and a key or value name that .reg cannot hold,
 * or only with control characters, refuses the whole export
 * (HP_R_UNEXPORTABLE, naming the key).  The keys are walked as
 * hive_walk walks them (each once, 512 levels at most); the values'
 * data may total data_budget bytes (the hive's size: Windows stores
 * each value's data in cells of its own), more is damage.  Output is
 * thus bounded by the hive: about three bytes per byte of data, and
 * each key's path.  fd is the file h was opened from, or -1 (damage.h);
 * `where` names the hive in messages.  Returns 0, or -1 with e set and
 * nothing rendered. */
#define REG_EXPORT_UTF16 0x1
#define REG_EXPORT_MORE 0x2
int reg_export_render(hive_h *h, int fd, const char *where,
		      hive_node_h node, const char *keypath,
		      uint64_t data_budget, unsigned flags, char **text,
		      size_t *len, struct hp_err *e);

#endif
