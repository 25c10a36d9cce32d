/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests for .reg parsing (regparse.c) and export (regexport.c).
 *
 * The export tests need a hive, which hivex cannot make from nothing:
 * they use the generator named by $MKHIVE and are skipped, with a line on
 * stderr, when it is not there. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <hivex.h>

#include "error.h"
#include "regfile.h"

#define V5 "Windows Registry Editor Version 5.00\n\n"
#define V4 "REGEDIT4\n\n"
#define ROOTS_EXPECTED "a root key (HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, " \
	"HKEY_CLASSES_ROOT, HKEY_USERS or HKEY_CURRENT_CONFIG)"

/* ---- helpers ---- */

static void
parse_bytes_ok(const void *buf, size_t len, struct reg_doc *doc)
{
	struct hp_err e;

	memset(&e, 0, sizeof(e));
	ck_assert_msg(reg_parse_buffer("t.reg", buf, len, doc, &e) == 0,
	    "parse failed: %s", e.msg);
	ck_assert_str_eq(doc->file, "t.reg");
}

static void
parse_ok(const char *text, struct reg_doc *doc)
{
	parse_bytes_ok(text, strlen(text), doc);
}

/* The parse must fail with HP_USAGE and exactly `msg`, leaving the
 * document empty. */
static void
expect_error_bytes(const void *buf, size_t len, const char *msg)
{
	struct reg_doc doc;
	struct hp_err e;

	memset(&e, 0, sizeof(e));
	ck_assert_int_eq(reg_parse_buffer("t.reg", buf, len, &doc, &e), -1);
	ck_assert_int_eq(e.status, HP_USAGE);
	ck_assert_str_eq(e.msg, msg);
	ck_assert_ptr_null(doc.file);
	ck_assert_ptr_null(doc.ops);
	ck_assert_uint_eq(doc.n_ops, 0);
	reg_doc_free(&doc);
}

static void
expect_error(const char *text, const char *msg)
{
	expect_error_bytes(text, strlen(text), msg);
}

static void
check_key(const struct reg_doc *doc, size_t i, enum hp_op kind,
	  const char *root, const char *path, unsigned line)
{
	const struct reg_op *op;

	ck_assert_uint_lt(i, doc->n_ops);
	op = &doc->ops[i];
	ck_assert_int_eq(op->kind, kind);
	ck_assert_str_eq(op->root, root);
	ck_assert_str_eq(op->path, path);
	ck_assert_ptr_null(op->name);
	ck_assert_uint_eq(op->line, line);
	ck_assert_ptr_eq(op->file, doc->file);
}

/* A HP_OP_SET_VALUE with exactly these bytes. */
static void
check_value(const struct reg_doc *doc, size_t i, const char *name,
	    hive_type type, const void *data, size_t len, unsigned line)
{
	const struct reg_op *op;

	ck_assert_uint_lt(i, doc->n_ops);
	op = &doc->ops[i];
	ck_assert_int_eq(op->kind, HP_OP_SET_VALUE);
	ck_assert_str_eq(op->name, name);
	ck_assert_uint_eq((unsigned)op->type, (unsigned)type);
	ck_assert_uint_eq(op->len, len);
	if (len > 0)
		ck_assert_mem_eq(op->data, data, len);
	ck_assert_uint_eq(op->line, line);
	ck_assert_ptr_eq(op->file, doc->file);
}

static void
check_delete_value(const struct reg_doc *doc, size_t i, const char *name,
		   unsigned line)
{
	const struct reg_op *op;

	ck_assert_uint_lt(i, doc->n_ops);
	op = &doc->ops[i];
	ck_assert_int_eq(op->kind, HP_OP_DELETE_VALUE);
	ck_assert_str_eq(op->name, name);
	ck_assert_ptr_null(op->data);
	ck_assert_uint_eq(op->line, line);
}

/* iconv for the tests themselves; fails the test on error. */
static unsigned char *
conv(const char *to, const char *from, const void *in, size_t inlen,
     size_t *outlen)
{
	size_t cap = inlen * 4 + 16, inleft = inlen, outleft = cap;
	char *ip = (char *)in, *out, *op;
	iconv_t cd;

	out = malloc(cap);
	ck_assert_ptr_nonnull(out);
	cd = iconv_open(to, from);
	ck_assert_msg(cd != (iconv_t)-1, "iconv_open %s %s", to, from);
	op = out;
	ck_assert_msg(iconv(cd, &ip, &inleft, &op, &outleft) != (size_t)-1,
	    "iconv %s -> %s: %s", from, to, strerror(errno));
	iconv_close(cd);
	*outlen = (size_t)(op - out);
	return (unsigned char *)out;
}

/* UTF-8 (NUL-terminated) -> UTF-16LE with the terminating NUL, as a hive
 * stores REG_SZ; at most `size` bytes. */
static size_t
sz(const char *utf8, unsigned char *out, size_t size)
{
	unsigned char *wide;
	size_t len;

	wide = conv("UTF-16LE", "UTF-8", utf8, strlen(utf8), &len);
	ck_assert_uint_le(len + 2, size);
	memcpy(out, wide, len);
	out[len] = 0;
	out[len + 1] = 0;
	free(wide);
	return len + 2;
}

/* A file as regedit writes it: BOM FF FE, UTF-16LE, CRLF line ends. */
static unsigned char *
regedit_file(const char *utf8, size_t *len)
{
	size_t n = strlen(utf8), i, o = 0, widelen;
	unsigned char *wide, *file;
	char *crlf;

	crlf = malloc(2 * n + 1);
	ck_assert_ptr_nonnull(crlf);
	for (i = 0; i < n; i++) {
		if (utf8[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = utf8[i];
	}
	wide = conv("UTF-16LE", "UTF-8", crlf, o, &widelen);
	free(crlf);
	file = malloc(widelen + 2);
	ck_assert_ptr_nonnull(file);
	file[0] = 0xff;
	file[1] = 0xfe;
	memcpy(file + 2, wide, widelen);
	free(wide);
	*len = widelen + 2;
	return file;
}

static void
scratch_dir(char *dir, size_t size)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	ck_assert_int_lt(snprintf(dir, size, "%s/test_regfile.XXXXXX", tmp),
	    (int)size);
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
}

/* ---- headers and encodings ---- */

START_TEST(test_header_v5)
{
	static const unsigned char one[] = { 1, 0, 0, 0 };
	struct reg_doc doc;

	parse_ok(V5
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319]\n"
	    "\"SchUseStrongCrypto\"=dword:00000001\n", &doc);
	ck_assert_uint_eq(doc.n_ops, 2);
	check_key(&doc, 0, HP_OP_CREATE_KEY, "HKEY_LOCAL_MACHINE",
	    "SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319", 3);
	check_value(&doc, 1, "SchUseStrongCrypto", hive_t_REG_DWORD, one, 4, 4);
	reg_doc_free(&doc);
	ck_assert_ptr_null(doc.ops);
	ck_assert_uint_eq(doc.n_ops, 0);
	reg_doc_free(&doc);	/* a second free is harmless */
}
END_TEST

START_TEST(test_header_v4)
{
	static const unsigned char one[] = { 1, 0, 0, 0 };
	struct reg_doc doc;

	/* Blank lines before the header, trailing blanks and CRLF. */
	parse_ok("\r\n  \nREGEDIT4  \r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n"
	    "\"v\"=dword:00000001\r\n", &doc);
	ck_assert_uint_eq(doc.n_ops, 2);
	check_key(&doc, 0, HP_OP_CREATE_KEY, "HKEY_LOCAL_MACHINE",
	    "SOFTWARE\\X", 5);
	check_value(&doc, 1, "v", hive_t_REG_DWORD, one, 4, 6);
	reg_doc_free(&doc);
}
END_TEST

START_TEST(test_header_errors)
{
	expect_error("Windows Registry Editor Version 4.00\n[HKLM\\X]\n",
	    "t.reg:1: expected 'Windows Registry Editor Version 5.00' or "
	    "'REGEDIT4' header, found 'Windows Registry Editor Version ...'");
	expect_error("\n\n[HKLM\\X]\n",
	    "t.reg:3: expected 'Windows Registry Editor Version 5.00' or "
	    "'REGEDIT4' header, found '[HKLM\\X]'");
	expect_error("; comment first\nREGEDIT4\n",
	    "t.reg:1: expected 'Windows Registry Editor Version 5.00' or "
	    "'REGEDIT4' header, found '; comment first'");
	expect_error("",
	    "t.reg:1: expected 'Windows Registry Editor Version 5.00' or "
	    "'REGEDIT4' header, found end of file");
	expect_error("\n \n",
	    "t.reg:2: expected 'Windows Registry Editor Version 5.00' or "
	    "'REGEDIT4' header, found end of file");
	expect_error("REGEDIT5\n",
	    "t.reg:1: expected 'Windows Registry Editor Version 5.00' or "
	    "'REGEDIT4' header, found 'REGEDIT5'");
}
END_TEST

START_TEST(test_utf16le_regedit_format)
{
	unsigned char expect[64], *file;
	struct reg_doc doc;
	size_t len, n;
	static const unsigned char multi[] = {
		'a', 0, 0, 0, 'b', 0, 0, 0, 0, 0
	};

	file = regedit_file(V5
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Caf\xc3\xa9]\n"
	    "\"Gr\xc3\xbc\xc3\x9f" "e\"=\"\xe2\x82\xac" "uro\"\n"
	    "\"Multi\"=hex(7):61,00,00,00,62,00,\\\n"
	    "  00,00,00,00\n"
	    "@=dword:00000002\n", &len);
	parse_bytes_ok(file, len, &doc);
	free(file);
	ck_assert_uint_eq(doc.n_ops, 4);
	check_key(&doc, 0, HP_OP_CREATE_KEY, "HKEY_LOCAL_MACHINE",
	    "SOFTWARE\\Caf\xc3\xa9", 3);
	n = sz("\xe2\x82\xac" "uro", expect, sizeof(expect));
	check_value(&doc, 1, "Gr\xc3\xbc\xc3\x9f" "e", hive_t_REG_SZ, expect,
	    n, 4);
	/* In version 5 files hex(7) bytes are already UTF-16LE. */
	check_value(&doc, 2, "Multi", hive_t_REG_MULTI_SZ, multi,
	    sizeof(multi), 5);
	check_value(&doc, 3, "", hive_t_REG_DWORD, "\x02\0\0\0", 4, 7);
	reg_doc_free(&doc);

	/* Line numbers count CRLF once. */
	file = regedit_file(V5 "[HKLM\\X]\n\"a\"=dword:xyz\n", &len);
	expect_error_bytes(file, len,
	    "t.reg:4: expected 1 to 8 hex digits after 'dword:', found 'xyz'");
	free(file);
}
END_TEST

START_TEST(test_utf16le_errors)
{
	/* "R", then a lone low surrogate. */
	static const unsigned char lone[] = { 0xff, 0xfe, 'R', 0, '\n', 0,
		0x00, 0xdc };
	static const unsigned char odd[] = { 0xff, 0xfe, 'R', 0, 'E' };
	static const unsigned char be[] = { 0xfe, 0xff, 0, 'R' };
	static const char nobom[] = "R\0E\0G\0";

	expect_error_bytes(lone, sizeof(lone),
	    "t.reg:2: expected UTF-16LE text, found invalid code unit 0xdc00");
	expect_error_bytes(odd, sizeof(odd),
	    "t.reg:1: expected UTF-16LE text, found a character cut off at "
	    "the end of the file");
	expect_error_bytes(be, sizeof(be),
	    "t.reg:1: expected UTF-16LE or UTF-8 text, found a UTF-16BE byte "
	    "order mark");
	expect_error_bytes(nobom, sizeof(nobom) - 1,
	    "t.reg:1: expected text, found a NUL character (UTF-16 without a "
	    "byte order mark?)");
}
END_TEST

START_TEST(test_utf8_bom)
{
	unsigned char expect[32];
	struct reg_doc doc;
	size_t n;

	parse_ok("\xef\xbb\xbf" V5 "[HKCU\\Software]\n"
	    "\"Name\"=\"Gr\xc3\xbc\xc3\x9f" "e\"\n", &doc);
	ck_assert_uint_eq(doc.n_ops, 2);
	check_key(&doc, 0, HP_OP_CREATE_KEY, "HKEY_CURRENT_USER", "Software",
	    3);
	n = sz("Gr\xc3\xbc\xc3\x9f" "e", expect, sizeof(expect));
	check_value(&doc, 1, "Name", hive_t_REG_SZ, expect, n, 4);
	reg_doc_free(&doc);

	/* Without a BOM too. */
	parse_ok(V5 "[HKCU\\Software]\n\"\xc3\xa9\"=dword:1\n", &doc);
	check_value(&doc, 1, "\xc3\xa9", hive_t_REG_DWORD, "\x01\0\0\0", 4, 4);
	reg_doc_free(&doc);
}
END_TEST

START_TEST(test_encoding_errors)
{
	static const char nul[] = V4 "[HKLM\\X]\n\"a\0\"=dword:1\n";

	/* Version 5 text must be UTF-8... */
	expect_error(V5 "[HKLM\\X]\n\"Caf\xe9\"=dword:1\n",
	    "t.reg:4: expected UTF-8 text, found byte 0xe9");
	/* ...and so must REGEDIT4 text that says it is UTF-8. */
	expect_error("\xef\xbb\xbf" V4 "[HKLM\\X]\n\"Caf\xe9\"=dword:1\n",
	    "t.reg:4: expected UTF-8 text, found byte 0xe9");
	/* Surrogates and overlong forms are not UTF-8. */
	expect_error(V5 "[HKLM\\X]\n\"\xed\xa0\x80\"=dword:1\n",
	    "t.reg:4: expected UTF-8 text, found byte 0xed");
	expect_error(V5 "[HKLM\\X]\n\"\xc0\xaf\"=dword:1\n",
	    "t.reg:4: expected UTF-8 text, found byte 0xc0");
	/* 0x81 has no character in Windows-1252. */
	expect_error(V4 "[HKLM\\X]\n\n\"\x81\"=dword:1\n",
	    "t.reg:5: expected Windows-1252 text, found byte 0x81");
	expect_error_bytes(nul, sizeof(nul) - 1,
	    "t.reg:4: expected text, found a NUL character (UTF-16 without a "
	    "byte order mark?)");
}
END_TEST

START_TEST(test_regedit4_windows1252)
{
	unsigned char expect[32];
	struct reg_doc doc;
	size_t n;

	parse_ok(V4 "[HKLM\\X]\n\"Caf\xe9\"=\"\x80 5\"\n", &doc);
	ck_assert_uint_eq(doc.n_ops, 2);
	n = sz("\xe2\x82\xac 5", expect, sizeof(expect));
	check_value(&doc, 1, "Caf\xc3\xa9", hive_t_REG_SZ, expect, n, 4);
	reg_doc_free(&doc);
}
END_TEST

/* ---- data ---- */

START_TEST(test_data_types)
{
	static const unsigned char expand[] = { '%', 0, 'A', 0, '%', 0, 0, 0 };
	static const unsigned char multi[] = {
		'a', 0, 0, 0, 'b', 0, 0, 0, 0, 0
	};
	static const unsigned char qword[] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	unsigned char expect[32];
	struct reg_doc doc;
	size_t n, i = 1;

	parse_ok(V5 "[HKLM\\T]\n"
	    "\"sz\"=\"text\"\n"				/* 4 */
	    "\"empty\"=\"\"\n"
	    "\"dw\"=dword:0000002a\n"
	    "\"dwmax\"=dword:FFFFFFFF\n"
	    "\"dwshort\"=dword:1\n"
	    "\"bin\"=hex:00,ff,10\n"			/* 9 */
	    "\"binempty\"=hex:\n"
	    "\"exp\"=hex(2):25,00,41,00,25,00,00,00\n"
	    "\"multi\"=hex(7):61,00,00,00,62,00,00,00,00,00\n"
	    "\"qw\"=hex(b):01,02,03,04,05,06,07,08\n"
	    "\"none\"=hex(0):\n"			/* 14 */
	    "\"huge type\"=hex(ffffffff):aa\n"
	    "\"sz1\"=hex(1):41,00,00,00\n"
	    "\"upper\"=HEX(A):1,F\n"
	    "\"dword4\"=hex(4):01,00,00,00\n"
	    "\"spaces\" = dword:00000002\n"		/* 19 */
	    "\"DW\"=DWORD:00000003\n", &doc);
	ck_assert_uint_eq(doc.n_ops, 18);
	check_key(&doc, 0, HP_OP_CREATE_KEY, "HKEY_LOCAL_MACHINE", "T", 3);
	n = sz("text", expect, sizeof(expect));
	check_value(&doc, i++, "sz", hive_t_REG_SZ, expect, n, 4);
	check_value(&doc, i++, "empty", hive_t_REG_SZ, "\0", 2, 5);
	check_value(&doc, i++, "dw", hive_t_REG_DWORD, "\x2a\0\0\0", 4, 6);
	check_value(&doc, i++, "dwmax", hive_t_REG_DWORD, "\xff\xff\xff\xff",
	    4, 7);
	check_value(&doc, i++, "dwshort", hive_t_REG_DWORD, "\x01\0\0\0", 4, 8);
	check_value(&doc, i++, "bin", hive_t_REG_BINARY, "\x00\xff\x10", 3, 9);
	check_value(&doc, i++, "binempty", hive_t_REG_BINARY, NULL, 0, 10);
	check_value(&doc, i++, "exp", hive_t_REG_EXPAND_SZ, expand,
	    sizeof(expand), 11);
	check_value(&doc, i++, "multi", hive_t_REG_MULTI_SZ, multi,
	    sizeof(multi), 12);
	check_value(&doc, i++, "qw", hive_t_REG_QWORD, qword, 8, 13);
	check_value(&doc, i++, "none", hive_t_REG_NONE, NULL, 0, 14);
	check_value(&doc, i++, "huge type", (hive_type)0xffffffffu, "\xaa", 1,
	    15);
	check_value(&doc, i++, "sz1", hive_t_REG_SZ, "A\0\0\0", 4, 16);
	check_value(&doc, i++, "upper", (hive_type)0xa, "\x01\x0f", 2, 17);
	check_value(&doc, i++, "dword4", hive_t_REG_DWORD, "\x01\0\0\0", 4, 18);
	check_value(&doc, i++, "spaces", hive_t_REG_DWORD, "\x02\0\0\0", 4, 19);
	check_value(&doc, i++, "DW", hive_t_REG_DWORD, "\x03\0\0\0", 4, 20);
	reg_doc_free(&doc);
}
END_TEST

START_TEST(test_escapes)
{
	unsigned char expect[64];
	struct reg_doc doc;
	size_t n;

	parse_ok(V5 "[HKLM\\T]\n"
	    "\"a\\\\b\\\"c\"=\"x\\\\y\\\"z;not a comment [x]\"\n"
	    "\"=\"=\"\\\\\"\n"
	    "\"\"=\"empty name\"\n", &doc);
	ck_assert_uint_eq(doc.n_ops, 4);
	n = sz("x\\y\"z;not a comment [x]", expect, sizeof(expect));
	check_value(&doc, 1, "a\\b\"c", hive_t_REG_SZ, expect, n, 4);
	n = sz("\\", expect, sizeof(expect));
	check_value(&doc, 2, "=", hive_t_REG_SZ, expect, n, 5);
	n = sz("empty name", expect, sizeof(expect));
	check_value(&doc, 3, "", hive_t_REG_SZ, expect, n, 6);
	reg_doc_free(&doc);
}
END_TEST

START_TEST(test_default_and_deletions)
{
	unsigned char expect[32];
	struct reg_doc doc;
	size_t n;

	parse_ok(V5 "[HKLM\\T]\n"
	    "@=\"def\"\n"
	    "@=-\n"
	    "\"gone\"=-\n"
	    "\"gone too\" = -\n"
	    "\n"
	    "[-HKEY_CURRENT_USER\\Software\\Old]\n"	/* 9 */
	    "[-HKCU\\Software\\Old2\\]\n"
	    "[HKCU\\New]\n"
	    "@=dword:00000001\n", &doc);
	ck_assert_uint_eq(doc.n_ops, 9);
	n = sz("def", expect, sizeof(expect));
	check_value(&doc, 1, "", hive_t_REG_SZ, expect, n, 4);
	check_delete_value(&doc, 2, "", 5);
	check_delete_value(&doc, 3, "gone", 6);
	check_delete_value(&doc, 4, "gone too", 7);
	ck_assert_str_eq(doc.ops[4].path, "T");
	check_key(&doc, 5, HP_OP_DELETE_KEY, "HKEY_CURRENT_USER",
	    "Software\\Old", 9);
	check_key(&doc, 6, HP_OP_DELETE_KEY, "HKEY_CURRENT_USER",
	    "Software\\Old2", 10);
	check_key(&doc, 7, HP_OP_CREATE_KEY, "HKEY_CURRENT_USER", "New", 11);
	check_value(&doc, 8, "", hive_t_REG_DWORD, "\x01\0\0\0", 4, 12);
	ck_assert_str_eq(doc.ops[8].root, "HKEY_CURRENT_USER");
	ck_assert_str_eq(doc.ops[8].path, "New");
	reg_doc_free(&doc);
}
END_TEST

START_TEST(test_continued_hex)
{
	static const unsigned char five[] = { 1, 2, 3, 4, 5 };
	struct reg_doc doc;

	parse_ok(V5 "[HKLM\\T]\n"
	    "\"long\"=hex:01,02,\\\n"			/* 4 */
	    "  03,04,\\\n"
	    "\t05\n"
	    "\"after\"=dword:00000007\n"		/* 7 */
	    "\"first\"=hex:\\\n"
	    "  0a,0b\n"
	    "\"blanks\"=hex:01,02, \\  \n"		/* 10 */
	    "   03 , 04 ,05\n"
	    "\"comma\"=hex:01,02,\n"			/* 12 */
	    "\"split\"=hex:01\\\n"
	    "  ,02\n"
	    "\"ends\"=hex:01,\\\n"			/* 15 */
	    "\n"
	    "\"last\"=hex(3):01,\\\n", &doc);		/* 17 */
	ck_assert_uint_eq(doc.n_ops, 9);
	check_value(&doc, 1, "long", hive_t_REG_BINARY, five, 5, 4);
	check_value(&doc, 2, "after", hive_t_REG_DWORD, "\x07\0\0\0", 4, 7);
	check_value(&doc, 3, "first", hive_t_REG_BINARY, "\x0a\x0b", 2, 8);
	check_value(&doc, 4, "blanks", hive_t_REG_BINARY, "\x01\x02\x03\x04\x05",
	    5, 10);
	check_value(&doc, 5, "comma", hive_t_REG_BINARY, "\x01\x02", 2, 12);
	check_value(&doc, 6, "split", hive_t_REG_BINARY, "\x01\x02", 2, 13);
	check_value(&doc, 7, "ends", hive_t_REG_BINARY, "\x01", 1, 15);
	check_value(&doc, 8, "last", hive_t_REG_BINARY, "\x01", 1, 17);
	reg_doc_free(&doc);

	/* Errors on continuation lines name their own line. */
	expect_error(V5 "[HKLM\\X]\n\"a\"=hex:01,\\\n  02,\\\n  zz\n",
	    "t.reg:6: expected hex byte after ',', found 'zz'");
	expect_error(V5 "[HKLM\\X]\n\"a\"=hex:01\\\n  02\n",
	    "t.reg:5: expected ',' between hex bytes, found '02'");
	expect_error(V5 "[HKLM\\X]\n\"a\"=hex:01,\\\n[HKLM\\Y]\n",
	    "t.reg:5: expected hex byte after ',', found '[HKLM\\Y]'");
	/* A backslash elsewhere is not a continuation. */
	expect_error(V5 "[HKLM\\X]\n\"a\"=dword:00000001\\\n",
	    "t.reg:4: expected 1 to 8 hex digits after 'dword:', found "
	    "'00000001\\'");
}
END_TEST

START_TEST(test_comments)
{
	unsigned char expect[32];
	struct reg_doc doc;
	size_t n;

	parse_ok(V5
	    "; a comment\n"
	    "  ; an indented one\n"
	    "[HKLM\\X] ; after a key\n"		/* 5 */
	    "\"d\"=dword:00000001 ; after a dword\n"
	    "\"d2\"=dword:00000002;tight\n"
	    "\"h\"=hex:01,02 ; after hex\n"
	    "\"h2\"=hex:03;tight\n"
	    "\"s\"=\"a;b\" ; after a string\n"	/* 10 */
	    "\"del\"=- ; after a deletion\n"
	    "[-HKLM\\Y];x\n"
	    "\t;last\n", &doc);
	ck_assert_uint_eq(doc.n_ops, 8);
	check_key(&doc, 0, HP_OP_CREATE_KEY, "HKEY_LOCAL_MACHINE", "X", 5);
	check_value(&doc, 1, "d", hive_t_REG_DWORD, "\x01\0\0\0", 4, 6);
	check_value(&doc, 2, "d2", hive_t_REG_DWORD, "\x02\0\0\0", 4, 7);
	check_value(&doc, 3, "h", hive_t_REG_BINARY, "\x01\x02", 2, 8);
	check_value(&doc, 4, "h2", hive_t_REG_BINARY, "\x03", 1, 9);
	n = sz("a;b", expect, sizeof(expect));
	check_value(&doc, 5, "s", hive_t_REG_SZ, expect, n, 10);
	check_delete_value(&doc, 6, "del", 11);
	check_key(&doc, 7, HP_OP_DELETE_KEY, "HKEY_LOCAL_MACHINE", "Y", 12);
	reg_doc_free(&doc);
}
END_TEST

START_TEST(test_regedit4_ansi_strings)
{
	static const unsigned char multi[] = {
		'a', 0, 0, 0, 'b', 0, 'c', 0, 0, 0, 0, 0
	};
	unsigned char expect[64];
	struct reg_doc doc;
	size_t n;

	parse_ok(V4 "[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\n"
	    "\"Path\"=hex(2):25,53,79,73,74,65,6d,52,6f,6f,74,25,5c,e9,80,00\n"
	    "\"Multi\"=hex(7):61,00,62,63,00,00\n"
	    "\"Bin\"=hex:e9,00\n"
	    "\"Sz\"=\"x\"\n"
	    "\"EmptyExpand\"=hex(2):\n", &doc);
	ck_assert_uint_eq(doc.n_ops, 6);
	/* 8-bit strings in REGEDIT4 become UTF-16LE. */
	n = sz("%SystemRoot%\\\xc3\xa9\xe2\x82\xac", expect, sizeof(expect));
	check_value(&doc, 1, "Path", hive_t_REG_EXPAND_SZ, expect, n, 4);
	check_value(&doc, 2, "Multi", hive_t_REG_MULTI_SZ, multi,
	    sizeof(multi), 5);
	/* Binary data stays as it is. */
	check_value(&doc, 3, "Bin", hive_t_REG_BINARY, "\xe9\x00", 2, 6);
	n = sz("x", expect, sizeof(expect));
	check_value(&doc, 4, "Sz", hive_t_REG_SZ, expect, n, 7);
	check_value(&doc, 5, "EmptyExpand", hive_t_REG_EXPAND_SZ, NULL, 0, 8);
	reg_doc_free(&doc);

	/* The same bytes in a version 5 file are UTF-16LE already. */
	parse_ok(V5 "[HKLM\\X]\n\"Multi\"=hex(7):61,00,62,63,00,00\n", &doc);
	check_value(&doc, 1, "Multi", hive_t_REG_MULTI_SZ, "a\0bc\0\0", 6, 4);
	reg_doc_free(&doc);

	expect_error(V4 "[HKLM\\X]\n\"p\"=hex(2):41,\\\n  81,00\n",
	    "t.reg:4: expected Windows-1252 text in 'hex(2):' data, found "
	    "byte 0x81");
}
END_TEST

START_TEST(test_roots)
{
	struct reg_doc doc;

	parse_ok(V5
	    "[HKLM\\A]\n"
	    "[hkcu\\B]\n"
	    "[HKCR\\C]\n"
	    "[HKU\\D]\n"
	    "[HKCC\\E]\n"
	    "[HKEY_Users\\F]\n"
	    "[HKEY_LOCAL_MACHINE]\n"
	    "[HKLM\\\\SOFTWARE\\\\\\Foo\\\\]\n"
	    "[HKEY_CLASSES_ROOT\\a]b]\n"
	    "[HKCU\\with space \\x]\n"
	    "[HKEY_CURRENT_CONFIG\\]\n", &doc);
	ck_assert_uint_eq(doc.n_ops, 11);
	check_key(&doc, 0, HP_OP_CREATE_KEY, "HKEY_LOCAL_MACHINE", "A", 3);
	check_key(&doc, 1, HP_OP_CREATE_KEY, "HKEY_CURRENT_USER", "B", 4);
	check_key(&doc, 2, HP_OP_CREATE_KEY, "HKEY_CLASSES_ROOT", "C", 5);
	check_key(&doc, 3, HP_OP_CREATE_KEY, "HKEY_USERS", "D", 6);
	check_key(&doc, 4, HP_OP_CREATE_KEY, "HKEY_CURRENT_CONFIG", "E", 7);
	check_key(&doc, 5, HP_OP_CREATE_KEY, "HKEY_USERS", "F", 8);
	check_key(&doc, 6, HP_OP_CREATE_KEY, "HKEY_LOCAL_MACHINE", "", 9);
	check_key(&doc, 7, HP_OP_CREATE_KEY, "HKEY_LOCAL_MACHINE",
	    "SOFTWARE\\Foo", 10);
	check_key(&doc, 8, HP_OP_CREATE_KEY, "HKEY_CLASSES_ROOT", "a]b", 11);
	check_key(&doc, 9, HP_OP_CREATE_KEY, "HKEY_CURRENT_USER",
	    "with space \\x", 12);
	check_key(&doc, 10, HP_OP_CREATE_KEY, "HKEY_CURRENT_CONFIG", "", 13);
	reg_doc_free(&doc);
}
END_TEST

/* ---- syntax errors ---- */

struct error_case {
	const char *lines;	/* after V5 "[HKLM\\X]\n": line 4 on */
	const char *msg;
};

static const struct error_case value_errors[] = {
	{ "\"a\\nb\"=dword:1",
	  "t.reg:4: expected '\\\\' or '\\\"' after '\\' in the value name, "
	  "found '\\n'" },
	{ "\"abc=dword:1",
	  "t.reg:4: expected closing '\"' of the value name, found end of "
	  "line" },
	{ "\"a\"=\"abc",
	  "t.reg:4: expected closing '\"' of the string, found end of line" },
	{ "\"a\"=\"ab\\c\"",
	  "t.reg:4: expected '\\\\' or '\\\"' after '\\' in the string, "
	  "found '\\c'" },
	{ "\"a\" dword:1",
	  "t.reg:4: expected '=' after the value name, found 'dword:1'" },
	{ "@dword:1",
	  "t.reg:4: expected '=' after the value name, found 'dword:1'" },
	{ "\"a\"",
	  "t.reg:4: expected '=' after the value name, found end of line" },
	{ "\"a\"=qword:0000000000000001",
	  "t.reg:4: expected '\"', 'dword:', 'hex:', 'hex(N):' or '-' after "
	  "'=', found 'qword:0000000000000001'" },
	{ "\"a\"=",
	  "t.reg:4: expected '\"', 'dword:', 'hex:', 'hex(N):' or '-' after "
	  "'=', found end of line" },
	{ "\"a\"=dword:000000001",
	  "t.reg:4: expected 1 to 8 hex digits after 'dword:', found "
	  "'000000001'" },
	{ "\"a\"=dword:0000000g",
	  "t.reg:4: expected 1 to 8 hex digits after 'dword:', found "
	  "'0000000g'" },
	{ "\"a\"=dword:",
	  "t.reg:4: expected 1 to 8 hex digits after 'dword:', found end of "
	  "line" },
	{ "\"a\"=dword:-1",
	  "t.reg:4: expected 1 to 8 hex digits after 'dword:', found '-1'" },
	{ "\"a\"=hex:zz,01",
	  "t.reg:4: expected hex byte after 'hex:', found 'zz'" },
	{ "\"a\"=hex(2):00,1g",
	  "t.reg:4: expected hex byte after ',', found '1g'" },
	{ "\"a\"=hex:001",
	  "t.reg:4: expected hex byte after 'hex:', found '001'" },
	{ "\"a\"=hex:01 02",
	  "t.reg:4: expected ',' between hex bytes, found '02'" },
	{ "\"a\"=hex:,01",
	  "t.reg:4: expected hex byte after 'hex:', found ','" },
	{ "\"a\"=hex:01,,02",
	  "t.reg:4: expected hex byte after ',', found ','" },
	{ "\"a\"=hex(zz):01",
	  "t.reg:4: expected a type of 1 to 8 hex digits and '):' after "
	  "'hex(', found 'zz):01'" },
	{ "\"a\"=hex(123456789):01",
	  "t.reg:4: expected a type of 1 to 8 hex digits and '):' after "
	  "'hex(', found '123456789):01'" },
	{ "\"a\"=hex(2)01",
	  "t.reg:4: expected a type of 1 to 8 hex digits and '):' after "
	  "'hex(', found '2)01'" },
	{ "\"a\"=hexa:01",
	  "t.reg:4: expected 'hex:' or 'hex(N):', found 'hexa:01'" },
	{ "\"a\"=\"b\" c",
	  "t.reg:4: expected end of line after the value, found 'c'" },
	{ "\"a\"=dword:1 x",
	  "t.reg:4: expected end of line after the value, found 'x'" },
	{ "\"a\"=- x",
	  "t.reg:4: expected end of line after '=-', found 'x'" },
	{ "foo=bar",
	  "t.reg:4: expected '[KEY]', '\"NAME\"=' or '@=', found 'foo=bar'" },
	{ "\x01" "abc",
	  "t.reg:4: expected '[KEY]', '\"NAME\"=' or '@=', found '\\x01abc'" },
	{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	  "t.reg:4: expected '[KEY]', '\"NAME\"=' or '@=', found "
	  "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'" },
	/* A quote is cut at a character boundary, never inside one. */
	{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x\xc3\xa9",
	  "t.reg:4: expected '[KEY]', '\"NAME\"=' or '@=', found "
	  "'\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x...'" },
	{ "[HKEY_LOCAL_MACHIN\\Y]",
	  "t.reg:4: expected " ROOTS_EXPECTED ", found 'HKEY_LOCAL_MACHIN'" },
	{ "[HKEY_LOCAL_MACHINE\\Y",
	  "t.reg:4: expected ']' at the end of the key, found end of line" },
	{ "[HKLM\\Y] junk",
	  "t.reg:4: expected end of line after ']', found 'junk'" },
	{ "[]",
	  "t.reg:4: expected a root key after '[', found ']'" },
	{ "[-]",
	  "t.reg:4: expected a root key after '[', found ']'" },
	{ "[\\HKLM\\Y]",
	  "t.reg:4: expected a root key after '[', found '\\HKLM\\Y]'" },
	{ "[-HKLM\\Y]\n\"a\"=dword:1",
	  "t.reg:5: expected values only under '[KEY]', not under '[-KEY]', "
	  "found '\"a\"=dword:1'" },
	{ "[-HKLM\\Y]\n\n@=-",
	  "t.reg:6: expected values only under '[KEY]', not under '[-KEY]', "
	  "found '@=-'" },
};

START_TEST(test_value_errors)
{
	const struct error_case *c = &value_errors[_i];
	char text[512];

	ck_assert_int_lt(snprintf(text, sizeof(text), V5 "[HKLM\\X]\n%s\n",
	    c->lines), (int)sizeof(text));
	expect_error(text, c->msg);
}
END_TEST

START_TEST(test_value_before_key)
{
	expect_error(V5 "\"a\"=dword:1\n[HKLM\\X]\n",
	    "t.reg:3: expected a '[KEY]' line before the first value, found "
	    "'\"a\"=dword:1'");
	expect_error(V4 "@=\"x\"\n",
	    "t.reg:3: expected a '[KEY]' line before the first value, found "
	    "'@=\"x\"'");
}
END_TEST

/* ---- the set-bits directive ---- */

#define SET_BITS_MISPLACED(line) "t.reg:" #line ": expected a \"NAME\"=dword: " \
	"value right after '; hivepatch: set-bits'"

static void
check_set_bits(const struct reg_doc *doc, size_t i, int want)
{
	ck_assert_uint_lt(i, doc->n_ops);
	ck_assert_msg(doc->ops[i].set_bits == want, "op %zu (line %u): set_bits "
	    "%d, expected %d", i, doc->ops[i].line, doc->ops[i].set_bits, want);
}

START_TEST(test_set_bits_directive)
{
	struct reg_doc doc;
	size_t len, i;
	unsigned char *file;

	parse_ok(V5
	    "[HKLM\\X]\n"
	    "; hivepatch: set-bits\n"
	    "\"a\"=dword:00000a00\n"		/* 5 */
	    "\"b\"=dword:00000a00\n"
	    "  ; hivepatch: set-bits \t\n"
	    "@=dword:1\n"
	    "; a comment\n"
	    "; hivepatch: set-bits and more\n"	/* 10 */
	    "; hivepatch: set-bitsy\n"
	    "; hivepatch:set-bits\n"
	    ";hivepatch: set-bits\n"
	    "; hivepatch: something-else\n"
	    "\"c\"=dword:00000002\n"		/* 15 */
	    "\"d\"=\"text\"\n"
	    "\"e\"=hex:01,02,03,04\n"
	    "\"f\"=-\n", &doc);
	ck_assert_uint_eq(doc.n_ops, 8);
	check_key(&doc, 0, HP_OP_CREATE_KEY, "HKEY_LOCAL_MACHINE", "X", 3);
	/* The directive marks the next value only, and leaves its data. */
	check_value(&doc, 1, "a", hive_t_REG_DWORD, "\x00\x0a\0\0", 4, 5);
	check_set_bits(&doc, 1, 1);
	check_value(&doc, 2, "b", hive_t_REG_DWORD, "\x00\x0a\0\0", 4, 6);
	check_set_bits(&doc, 2, 0);
	check_value(&doc, 3, "", hive_t_REG_DWORD, "\x01\0\0\0", 4, 8);
	check_set_bits(&doc, 3, 1);
	/* Other comments, however close, do nothing. */
	check_value(&doc, 4, "c", hive_t_REG_DWORD, "\x02\0\0\0", 4, 15);
	for (i = 4; i < 7; i++)
		check_set_bits(&doc, i, 0);
	check_delete_value(&doc, 7, "f", 18);
	reg_doc_free(&doc);

	/* As regedit writes it: UTF-16LE, CRLF. */
	file = regedit_file(V5 "[HKLM\\X]\n; hivepatch: set-bits\n"
	    "\"a\"=dword:00000a00\n", &len);
	parse_bytes_ok(file, len, &doc);
	free(file);
	ck_assert_uint_eq(doc.n_ops, 2);
	check_set_bits(&doc, 1, 1);
	reg_doc_free(&doc);

	/* A value written without the directive is never set-bits. */
	parse_ok(V5 "[HKLM\\X]\n\"a\"=dword:00000a00\n", &doc);
	check_set_bits(&doc, 1, 0);
	reg_doc_free(&doc);
}
END_TEST

static const struct error_case set_bits_errors[] = {
	/* Followed by a value that is not a dword. */
	{ "; hivepatch: set-bits\n\"a\"=\"text\"", SET_BITS_MISPLACED(4) },
	{ "; hivepatch: set-bits\n\"a\"=hex:01,02,03,04", SET_BITS_MISPLACED(4) },
	{ "; hivepatch: set-bits\n\"a\"=hex(b):01,00,00,00,00,00,00,00",
	  SET_BITS_MISPLACED(4) },
	{ "; hivepatch: set-bits\n\"a\"=-", SET_BITS_MISPLACED(4) },
	{ "; hivepatch: set-bits\n@=\"x\"", SET_BITS_MISPLACED(4) },
	/* The directive's line is named, not the value's. */
	{ "\"z\"=dword:1\n; hivepatch: set-bits\n; why\n\n\"a\"=\"s\"",
	  SET_BITS_MISPLACED(5) },
	/* Followed by a section header. */
	{ "; hivepatch: set-bits\n[HKLM\\Y]\n\"a\"=dword:1",
	  SET_BITS_MISPLACED(4) },
	{ "; hivepatch: set-bits\n[-HKLM\\Y]", SET_BITS_MISPLACED(4) },
	/* At the end of the file, after blank and comment lines too. */
	{ "\"a\"=dword:1\n; hivepatch: set-bits", SET_BITS_MISPLACED(5) },
	{ "; hivepatch: set-bits\n\n; the end\n", SET_BITS_MISPLACED(4) },
};

START_TEST(test_set_bits_errors)
{
	const struct error_case *c = &set_bits_errors[_i];
	char text[512];

	ck_assert_int_lt(snprintf(text, sizeof(text), V5 "[HKLM\\X]\n%s\n",
	    c->lines), (int)sizeof(text));
	expect_error(text, c->msg);
}
END_TEST

/* Before the first key, the header that follows is the misplacement. */
START_TEST(test_set_bits_before_the_first_key)
{
	expect_error(V5 "; hivepatch: set-bits\n[HKLM\\X]\n\"a\"=dword:1\n",
	    SET_BITS_MISPLACED(3));
}
END_TEST

/* ---- files ---- */

START_TEST(test_too_large)
{
	unsigned char *big;
	struct reg_doc doc;
	struct hp_err e;
	char dir[PATH_MAX], path[PATH_MAX + 16], msg[PATH_MAX + 64];
	int fd;

	big = calloc(1, (size_t)REG_FILE_MAX + 1);
	ck_assert_ptr_nonnull(big);
	ck_assert_int_eq(reg_parse_buffer("big.reg", big, (size_t)REG_FILE_MAX
	    + 1, &doc, &e), -1);
	free(big);
	ck_assert_int_eq(e.status, HP_USAGE);
	ck_assert_str_eq(e.msg,
	    "big.reg: too large (67108865 bytes, limit 67108864)");
	ck_assert_ptr_null(doc.file);

	scratch_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/big.reg", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(ftruncate(fd, (off_t)REG_FILE_MAX + 1), 0);
	close(fd);
	ck_assert_int_eq(reg_parse_file(path, &doc, &e), -1);
	ck_assert_int_eq(e.status, HP_USAGE);
	snprintf(msg, sizeof(msg),
	    "%s: too large (67108865 bytes, limit 67108864)", path);
	ck_assert_str_eq(e.msg, msg);
	ck_assert_ptr_null(doc.file);
	ck_assert_uint_eq(doc.n_ops, 0);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_parse_file)
{
	static const char text[] = V5 "[HKLM\\X]\n\"a\"=dword:00000005\n";
	char dir[PATH_MAX], path[PATH_MAX + 16], msg[PATH_MAX + 64];
	struct reg_doc doc;
	struct hp_err e;
	FILE *f;

	scratch_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/x.reg", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, sizeof(text) - 1, f),
	    sizeof(text) - 1);
	ck_assert_int_eq(fclose(f), 0);

	ck_assert_msg(reg_parse_file(path, &doc, &e) == 0, "%s", e.msg);
	ck_assert_str_eq(doc.file, path);
	ck_assert_uint_eq(doc.n_ops, 2);
	ck_assert_ptr_eq(doc.ops[1].file, doc.file);
	ck_assert_uint_eq(doc.ops[1].line, 4);
	reg_doc_free(&doc);

	/* Errors name the path given. */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(V5 "[HKLM\\X]\n\"a\"=hex:zz\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(reg_parse_file(path, &doc, &e), -1);
	ck_assert_int_eq(e.status, HP_USAGE);
	snprintf(msg, sizeof(msg),
	    "%s:4: expected hex byte after 'hex:', found 'zz'", path);
	ck_assert_str_eq(e.msg, msg);
	ck_assert_ptr_null(doc.file);

	/* A directory cannot be read. */
	ck_assert_int_eq(reg_parse_file(dir, &doc, &e), -1);
	ck_assert_int_eq(e.status, HP_IOERR);
	snprintf(msg, sizeof(msg), "%s: cannot read: %s", dir,
	    strerror(EISDIR));
	ck_assert_str_eq(e.msg, msg);

	unlink(path);
	ck_assert_int_eq(reg_parse_file(path, &doc, &e), -1);
	ck_assert_int_eq(e.status, HP_IOERR);
	snprintf(msg, sizeof(msg), "%s: cannot read: %s", path,
	    strerror(ENOENT));
	ck_assert_str_eq(e.msg, msg);
	ck_assert_ptr_null(doc.file);
	ck_assert_ptr_null(doc.ops);
	rmdir(dir);
}
END_TEST

START_TEST(test_parse_pipe)
{
	static const char text[] = V5 "[HKLM\\X]\n\"a\"=dword:00000005\n";
	char path[64];
	struct reg_doc doc;
	struct hp_err e;
	int fds[2];

	/* Not a regular file: read to the end all the same. */
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], text, sizeof(text) - 1),
	    (ssize_t)sizeof(text) - 1);
	close(fds[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	ck_assert_msg(reg_parse_file(path, &doc, &e) == 0, "%s", e.msg);
	ck_assert_uint_eq(doc.n_ops, 2);
	reg_doc_free(&doc);
	close(fds[0]);
}
END_TEST

/* ---- export ---- */

/* A SOFTWARE-shaped hive opened for writing, made with $MKHIVE; NULL
 * after a note on stderr when there is no generator. */
static hive_h *
fixture_hive(const char *test)
{
	const char *mkhive = getenv("MKHIVE");
	char dir[PATH_MAX], path[PATH_MAX + 16];
	int status;
	hive_h *h;
	pid_t pid;

	if (mkhive == NULL || *mkhive == '\0') {
		fprintf(stderr, "test_regfile: SKIP %s: MKHIVE is not set "
		    "(the hive generator, hives/mkhive)\n", test);
		return NULL;
	}
	if (access(mkhive, X_OK) != 0) {
		fprintf(stderr, "test_regfile: SKIP %s: MKHIVE=%s: %s\n", test,
		    mkhive, strerror(errno));
		return NULL;
	}
	scratch_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/SOFTWARE", dir);
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		execl(mkhive, mkhive, "software64-net48", path, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "%s software64-net48 %s failed (status %d)", mkhive, path, status);
	h = hivex_open(path, HIVEX_OPEN_WRITE);
	ck_assert_msg(h != NULL, "hivex_open %s: %s", path, strerror(errno));
	/* In write mode hivex holds the whole hive in memory. */
	unlink(path);
	rmdir(dir);
	return h;
}

struct test_value {
	const char *name;
	hive_type type;
	unsigned char data[256];
	size_t len;
};

static void
set_value(hive_h *h, hive_node_h node, const struct test_value *v)
{
	hive_set_value sv;

	sv.key = (char *)v->name;
	sv.t = v->type;
	sv.len = v->len;
	sv.value = (char *)v->data;
	ck_assert_msg(hivex_node_set_value(h, node, &sv, 0) == 0,
	    "set value %s: %s", v->name, strerror(errno));
}

static char *
export_to_memory(hive_h *h, hive_node_h node, const char *keypath, int utf16,
		 size_t *len)
{
	struct hp_err e;
	char *buf = NULL;

	ck_assert_msg(reg_export_render(h, -1, "hive", node, keypath, UINT64_MAX,
	    utf16, &buf, len, &e) == 0, "reg_export_render: %s", e.msg);
	return buf;
}

/* Every line at most 80 columns (counted in characters). */
static void
check_line_widths(const char *text, size_t len)
{
	size_t i, col = 0;

	for (i = 0; i < len; i++) {
		if (text[i] == '\n') {
			col = 0;
			continue;
		}
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			col++;
		ck_assert_msg(col <= 80, "line longer than 80 columns at %zu",
		    i);
	}
}

static void
round_trip(int utf16)
{
	struct test_value vals[16];
	struct reg_doc doc;
	struct hp_err e;
	hive_node_h root, key, child, grandchild;
	size_t n = 0, i, len;
	hive_h *h;
	char *out;

	h = fixture_hive(utf16 ? "round trip (UTF-16LE)" :
	    "round trip (UTF-8)");
	if (h == NULL)
		return;
	memset(vals, 0, sizeof(vals));
	vals[n].name = "";
	vals[n].type = hive_t_REG_SZ;
	vals[n].len = sz("default", vals[n].data, sizeof(vals[n].data));
	n++;
	vals[n].name = "String";
	vals[n].type = hive_t_REG_SZ;
	vals[n].len = sz("Gr\xc3\xbc\xc3\x9f" "e \"q\" back\\slash ;semi [x] "
	    "\xf0\x9f\x94\x92", vals[n].data, sizeof(vals[n].data));
	n++;
	vals[n].name = "Empty";
	vals[n].type = hive_t_REG_SZ;
	vals[n].len = 2;
	n++;
	vals[n].name = "Expand";
	vals[n].type = hive_t_REG_EXPAND_SZ;
	vals[n].len = sz("%SystemRoot%\\system32", vals[n].data,
	    sizeof(vals[n].data));
	n++;
	vals[n].name = "Multi";
	vals[n].type = hive_t_REG_MULTI_SZ;
	memcpy(vals[n].data, "o\0n\0e\0\0\0t\0w\0o\0\0\0\0\0", 18);
	vals[n].len = 18;
	n++;
	vals[n].name = "Dword";
	vals[n].type = hive_t_REG_DWORD;
	memcpy(vals[n].data, "\xef\xbe\xad\xde", 4);
	vals[n].len = 4;
	n++;
	vals[n].name = "Qword";
	vals[n].type = hive_t_REG_QWORD;
	memcpy(vals[n].data, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	vals[n].len = 8;
	n++;
	vals[n].name = "Binary, long enough to wrap";
	vals[n].type = hive_t_REG_BINARY;
	for (i = 0; i < 200; i++)
		vals[n].data[i] = (unsigned char)i;
	vals[n].len = 200;
	n++;
	vals[n].name = "None";
	vals[n].type = hive_t_REG_NONE;
	vals[n].len = 0;
	n++;
	vals[n].name = "Odd type";
	vals[n].type = (hive_type)0x12345;
	memcpy(vals[n].data, "\x01\x02\x03", 3);
	vals[n].len = 3;
	n++;
	/* REG_SZ that "string" cannot carry: hex(1) instead. */
	vals[n].name = "Line break";
	vals[n].type = hive_t_REG_SZ;
	vals[n].len = sz("a\r\nb", vals[n].data, sizeof(vals[n].data));
	n++;
	vals[n].name = "Odd length sz";
	vals[n].type = hive_t_REG_SZ;
	memcpy(vals[n].data, "a\0b", 3);
	vals[n].len = 3;
	n++;
	vals[n].name = "Short dword";
	vals[n].type = hive_t_REG_DWORD;
	memcpy(vals[n].data, "\x01\x02\x03", 3);
	vals[n].len = 3;
	n++;
	vals[n].name = "Name \"quoted\" \\ and \xc3\xa9";
	vals[n].type = hive_t_REG_DWORD;
	memcpy(vals[n].data, "\x00\x00\x00\x00", 4);
	vals[n].len = 4;
	n++;

	root = hivex_root(h);
	key = hivex_node_add_child(h, root, "HivepatchRoundTrip");
	ck_assert_msg(key != 0, "add_child: %s", strerror(errno));
	for (i = 0; i < n; i++)
		set_value(h, key, &vals[i]);
	child = hivex_node_add_child(h, key, "Child \xc3\xa9");
	ck_assert_msg(child != 0, "add_child: %s", strerror(errno));
	set_value(h, child, &vals[5]);
	grandchild = hivex_node_add_child(h, child, "Grand child");
	ck_assert_msg(grandchild != 0, "add_child: %s", strerror(errno));

	out = export_to_memory(h, key,
	    "HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchRoundTrip", utf16, &len);
	hivex_close(h);

	if (utf16) {
		size_t j;

		ck_assert_uint_ge(len, 2);
		ck_assert_int_eq((unsigned char)out[0], 0xff);
		ck_assert_int_eq((unsigned char)out[1], 0xfe);
		ck_assert_uint_eq(len % 2, 0);
		/* Every LF has its CR. */
		for (j = 2; j + 1 < len; j += 2)
			if (out[j] == '\n' && out[j + 1] == 0)
				ck_assert_msg(j >= 4 && out[j - 2] == '\r' &&
				    out[j - 1] == 0, "bare LF at %zu", j);
	} else {
		ck_assert_ptr_null(memchr(out, '\r', len));
		ck_assert_uint_ge(len, 38);
		ck_assert_mem_eq(out, V5, 38);
		check_line_widths(out, len);
	}

	memset(&e, 0, sizeof(e));
	ck_assert_msg(reg_parse_buffer("export.reg", (unsigned char *)out, len,
	    &doc, &e) == 0, "reparse: %s", e.msg);
	free(out);

	ck_assert_uint_eq(doc.n_ops, n + 4);
	ck_assert_int_eq(doc.ops[0].kind, HP_OP_CREATE_KEY);
	ck_assert_str_eq(doc.ops[0].root, "HKEY_LOCAL_MACHINE");
	ck_assert_str_eq(doc.ops[0].path, "SOFTWARE\\HivepatchRoundTrip");
	for (i = 0; i < n; i++) {
		const struct reg_op *op = &doc.ops[1 + i];

		ck_assert_int_eq(op->kind, HP_OP_SET_VALUE);
		ck_assert_str_eq(op->name, vals[i].name);
		ck_assert_msg(op->type == vals[i].type, "%s: type %x, set %x",
		    vals[i].name, (unsigned)op->type, (unsigned)vals[i].type);
		ck_assert_msg(op->len == vals[i].len, "%s: %zu bytes, set %zu",
		    vals[i].name, op->len, vals[i].len);
		if (op->len > 0)
			ck_assert_mem_eq(op->data, vals[i].data, op->len);
		ck_assert_str_eq(op->path, "SOFTWARE\\HivepatchRoundTrip");
	}
	ck_assert_int_eq(doc.ops[n + 1].kind, HP_OP_CREATE_KEY);
	ck_assert_str_eq(doc.ops[n + 1].path,
	    "SOFTWARE\\HivepatchRoundTrip\\Child \xc3\xa9");
	ck_assert_int_eq(doc.ops[n + 2].kind, HP_OP_SET_VALUE);
	ck_assert_str_eq(doc.ops[n + 2].name, "Dword");
	ck_assert_uint_eq(doc.ops[n + 2].len, 4);
	ck_assert_mem_eq(doc.ops[n + 2].data, "\xef\xbe\xad\xde", 4);
	ck_assert_int_eq(doc.ops[n + 3].kind, HP_OP_CREATE_KEY);
	ck_assert_str_eq(doc.ops[n + 3].path,
	    "SOFTWARE\\HivepatchRoundTrip\\Child \xc3\xa9\\Grand child");
	reg_doc_free(&doc);
}

START_TEST(test_round_trip_utf8)
{
	round_trip(0);
}
END_TEST

START_TEST(test_round_trip_utf16)
{
	round_trip(1);
}
END_TEST

/* The exact text, wrapping included, for a small key. */
START_TEST(test_export_text)
{
	static const char expect[] =
	    "Windows Registry Editor Version 5.00\n"
	    "\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchSmall]\n"
	    "@=\"x\"\n"
	    "\"d\"=dword:0000002a\n"
	    "\"b\"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,"
	    "12,13,14,15,16,\\\n"
	    "  17,18,19,1a,1b,1c,1d,1e,1f,20,21,22,23,24,25,26,27,28,29,2a,"
	    "2b,2c,2d,2e,2f,\\\n"
	    "  30,31\n"
	    "\"e\"=hex(2):\n"
	    "\n"
	    "[HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchSmall\\Sub]\n"
	    "\n";
	struct test_value v;
	hive_node_h key, sub;
	size_t len, i;
	hive_h *h;
	char *out;

	h = fixture_hive("export text");
	if (h == NULL)
		return;
	key = hivex_node_add_child(h, hivex_root(h), "HivepatchSmall");
	ck_assert_msg(key != 0, "add_child: %s", strerror(errno));
	memset(&v, 0, sizeof(v));
	v.name = "";
	v.type = hive_t_REG_SZ;
	v.len = sz("x", v.data, sizeof(v.data));
	set_value(h, key, &v);
	v.name = "d";
	v.type = hive_t_REG_DWORD;
	memcpy(v.data, "\x2a\0\0\0", 4);
	v.len = 4;
	set_value(h, key, &v);
	v.name = "b";
	v.type = hive_t_REG_BINARY;
	for (i = 0; i < 50; i++)
		v.data[i] = (unsigned char)i;
	v.len = 50;
	set_value(h, key, &v);
	v.name = "e";
	v.type = hive_t_REG_EXPAND_SZ;
	v.len = 0;
	set_value(h, key, &v);
	sub = hivex_node_add_child(h, key, "Sub");
	ck_assert_msg(sub != 0, "add_child: %s", strerror(errno));

	out = export_to_memory(h, key,
	    "HKEY_LOCAL_MACHINE\\SOFTWARE\\HivepatchSmall", 0, &len);
	hivex_close(h);
	ck_assert_uint_eq(len, strlen(expect));
	ck_assert_str_eq(out, expect);
	free(out);
}
END_TEST

/* Names .reg syntax cannot carry are refused, not written broken. */
START_TEST(test_export_line_break_names)
{
	struct test_value v;
	struct hp_err e;
	hive_node_h key, sub;
	hive_h *h;
	char *buf = NULL;
	size_t len;

	h = fixture_hive("export line break names");
	if (h == NULL)
		return;
	key = hivex_node_add_child(h, hivex_root(h), "HivepatchBreak");
	ck_assert(key != 0);
	memset(&v, 0, sizeof(v));
	v.name = "two\nlines";
	v.type = hive_t_REG_DWORD;
	v.len = 4;
	set_value(h, key, &v);
	ck_assert_int_eq(reg_export_render(h, -1, "hive", key, "HKLM\\B",
	    UINT64_MAX, 0, &buf, &len, &e), -1);
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(e.status, HP_REFUSED);
	ck_assert_int_eq(e.reason, HP_R_UNEXPORTABLE);
	ck_assert_str_eq(e.msg, "hive: key 'HKLM\\B' has a value named "
	    "'two\\x0alines', which a .reg file cannot hold (it holds a "
	    "control character, a line break or another character shown "
	    "escaped): nothing exported");

	sub = hivex_node_add_child(h, hivex_root(h), "HivepatchBreak2");
	ck_assert(sub != 0);
	ck_assert(hivex_node_add_child(h, sub, "a\rb") != 0);
	ck_assert_int_eq(reg_export_render(h, -1, "hive", sub, "HKLM\\C",
	    UINT64_MAX, 1, &buf, &len, &e), -1);
	ck_assert_ptr_null(buf);
	ck_assert_int_eq(e.reason, HP_R_UNEXPORTABLE);
	ck_assert_str_eq(e.msg, "hive: key 'HKLM\\C' has a subkey named "
	    "'a\\x0db', which a .reg file cannot hold (it holds a control "
	    "character, a line break or another character shown escaped): "
	    "nothing exported");
	hivex_close(h);
}
END_TEST

static Suite *
regfile_suite(void)
{
	Suite *s = suite_create("regfile");
	TCase *tc;

	tc = tcase_create("encodings");
	tcase_add_test(tc, test_header_v5);
	tcase_add_test(tc, test_header_v4);
	tcase_add_test(tc, test_header_errors);
	tcase_add_test(tc, test_utf16le_regedit_format);
	tcase_add_test(tc, test_utf16le_errors);
	tcase_add_test(tc, test_utf8_bom);
	tcase_add_test(tc, test_encoding_errors);
	tcase_add_test(tc, test_regedit4_windows1252);
	suite_add_tcase(s, tc);

	tc = tcase_create("syntax");
	tcase_add_test(tc, test_data_types);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_default_and_deletions);
	tcase_add_test(tc, test_continued_hex);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_regedit4_ansi_strings);
	tcase_add_test(tc, test_roots);
	tcase_add_loop_test(tc, test_value_errors, 0,
	    (int)(sizeof(value_errors) / sizeof(value_errors[0])));
	tcase_add_test(tc, test_value_before_key);
	tcase_add_test(tc, test_set_bits_directive);
	tcase_add_loop_test(tc, test_set_bits_errors, 0,
	    (int)(sizeof(set_bits_errors) / sizeof(set_bits_errors[0])));
	tcase_add_test(tc, test_set_bits_before_the_first_key);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, test_too_large);
	tcase_add_test(tc, test_parse_file);
	tcase_add_test(tc, test_parse_pipe);
	suite_add_tcase(s, tc);

	tc = tcase_create("export");
	tcase_add_test(tc, test_round_trip_utf8);
	tcase_add_test(tc, test_round_trip_utf16);
	tcase_add_test(tc, test_export_text);
	tcase_add_test(tc, test_export_line_break_names);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	SRunner *runner;
	int n_failed;

	runner = srunner_create(regfile_suite());
	srunner_run_all(runner, CK_NORMAL);
	n_failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return n_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
