/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the .reg parser (lib/regparse.c, lib/regvalue.c)
 * through reg_parse_buffer(), the entry point reg_parse_file() (profiles
 * and the .reg files of import) hands the file's bytes to:
 *
 *   ./configure --enable-fuzzing && make fuzz-regparse
 *
 * The input is the file: UTF-16LE with its BOM, UTF-8, or REGEDIT4 in
 * Windows-1252, as the seeds (the profiles in each encoding, exports of
 * the mkhive fixtures) show the fuzzer.  Besides the sanitizers, the
 * target checks what the parser promises: a refusal is a .reg error (or
 * out of memory) naming the file, with nothing parsed left behind; a
 * document that parses has a canonical root, a path without stray
 * backslashes and a name exactly for value operations, in every
 * operation.  test_fuzz replays tests/fuzz-regressions/regparse/. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "regfile.h"

#define FUZZ_FILE "fuzz.reg"

static int
canonical_root(const char *root)
{
	static const char *const roots[] = { "HKEY_LOCAL_MACHINE",
	    "HKEY_CURRENT_USER", "HKEY_CLASSES_ROOT", "HKEY_USERS",
	    "HKEY_CURRENT_CONFIG" };
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (strcmp(root, roots[i]) == 0)
			return 1;
	return 0;
}

static void
check_op(const struct reg_doc *doc, const struct reg_op *op)
{
	size_t n;

	if (op->root == NULL || !canonical_root(op->root))
		abort();
	if (op->path == NULL)
		abort();
	n = strlen(op->path);
	if (n > 0 && (op->path[0] == '\\' || op->path[n - 1] == '\\'))
		abort();
	if (strstr(op->path, "\\\\") != NULL)
		abort();
	if (op->file != doc->file || op->line == 0)
		abort();
	switch (op->kind) {
	case HP_OP_CREATE_KEY:
	case HP_OP_DELETE_KEY:
		if (op->name != NULL || op->data != NULL || op->set_bits)
			abort();
		break;
	case HP_OP_SET_VALUE:
		if (op->name == NULL || (op->len > 0 && op->data == NULL))
			abort();
		if (op->set_bits && (op->type != hive_t_REG_DWORD ||
		    op->len != 4))
			abort();
		break;
	case HP_OP_DELETE_VALUE:
		if (op->name == NULL || op->set_bits)
			abort();
		break;
	default:
		abort();
	}
}

int
fuzz_regparse(const uint8_t *data, size_t size)
{
	struct reg_doc doc;
	struct hp_err e;
	size_t i;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = reg_parse_buffer(FUZZ_FILE, data, size, &doc, &e);
	if (rc == -1) {
		if (doc.ops != NULL || doc.n_ops != 0 || doc.file != NULL)
			abort();
		if (e.reason != HP_R_BAD_REG && e.reason != HP_R_IO &&
		    e.reason != HP_R_NO_MEMORY)
			abort();
		if (strncmp(e.msg, FUZZ_FILE ":", strlen(FUZZ_FILE ":")) != 0)
			abort();
		return 0;
	}
	if (rc != 0 || doc.file == NULL || strcmp(doc.file, FUZZ_FILE) != 0)
		abort();
	for (i = 0; i < doc.n_ops; i++)
		check_op(&doc, &doc.ops[i]);
	reg_doc_free(&doc);
	return 0;
}

FUZZ_ENTRY(fuzz_regparse)
