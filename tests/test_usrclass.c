/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The user's classes, through the real hivepatch binary:
 * HKEY_CURRENT_USER\Software\Classes into the user's UsrClass.dat
 * (Users/NAME/AppData/Local/Microsoft/Windows, found in any letter case;
 * --user picks NAME), and HKEY_CLASSES_ROOT as Windows merges it: a key
 * the user's classes hold is theirs, any other HKLM\SOFTWARE\Classes's,
 * decided operation by operation.  apply, verify, import and export of
 * both roots, on a tree and on a bare UsrClass.dat; a missing
 * UsrClass.dat and every refusal leave each file byte-identical.
 *
 * The tree fixture's UsrClass.dat (hives/README.md) holds .txt (which
 * SOFTWARE\Classes holds too), Applications\notepad.exe (only there) and
 * Local Settings; SOFTWARE\Classes holds .txt and txtfile. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "testutil.h"

#define REG_HEADER "Windows Registry Editor Version 5.00\n\n"
#define CLASSES_DIR "AppData/Local/Microsoft/Windows"

#define ASSERT_NO_BACKUP()						\
	ck_assert_msg(tu_count_files(tu_bk) == 0,			\
	    "files were left under the backup dir %s", tu_bk)

/* tu_scratch/NAME holding `text`. */
static char *
reg_file(const char *name, const char *text)
{
	char *path = tu_pathf("%s/%s", tu_scratch, name);

	tu_write_text(path, text);
	return path;
}

/* A tree with the Default user's NTUSER.DAT beside its UsrClass.dat. */
static char *
user_tree(const char *name)
{
	char *root = tu_make_tree("tree", name);

	tu_mkhive("ntuser", tu_pathf("%s/Users/Default/NTUSER.DAT", root), 0);
	return root;
}

static void
assert_no_key(const char *hive, const char *key)
{
	ck_assert_msg(!tu_hive_key_exists(hive, key), "%s: key %s exists",
	    hive, key);
}

/* HKEY_CURRENT_USER\Software\Classes goes to UsrClass.dat, the rest of
 * HKEY_CURRENT_USER to NTUSER.DAT; verify reads both back. */
START_TEST(test_current_user_classes_go_to_usrclass)
{
	char *root = user_tree("img");
	char *cls = tu_tree_classes(root, NULL);
	char *user = tu_pathf("%s/Users/Default/NTUSER.DAT", root);
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *reg = reg_file("cu.reg", REG_HEADER
	    "[hkcu\\software\\CLASSES\\hpfile\\shell]\n"
	    "\"A\"=dword:00000001\n\n"
	    "[HKEY_CURRENT_USER\\Software\\Vendor]\n"
	    "\"B\"=dword:00000002\n");
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_sha256(sw, before);
	ASSERT_RUN(1, "verify", "--reg", reg, root, NULL);
	tu_hp(&r, "import", "--backup-dir", tu_bk, reg, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, tu_pathf("UsrClass.dat %s\n", cls));
	ASSERT_OUT(&r, "  added     HKCU\\Software\\Classes\\hpfile\\shell  A = "
	    "dword:00000001 (was absent)\n");
	ASSERT_OUT(&r, "  added     HKCU\\Software\\Vendor  B = dword:00000002");
	tu_result_free(&r);
	ASSERT_RUN(0, "verify", "--reg", reg, root, NULL);
	tu_assert_dword(cls, "hpfile\\shell", "A", 1);
	tu_assert_dword(user, "Software\\Vendor", "B", 2);
	assert_no_key(user, "Software\\Classes");
	ASSERT_HASH(sw, before);

	/* Every component in any letter case. */
	root = tu_make_tree("tree-lower", "lower");
	cls = tu_pathf("%s/users/default/appdata/local/microsoft/windows/"
	    "usrclass.dat", root);
	reg = reg_file("lower.reg", REG_HEADER
	    "[HKEY_CURRENT_USER\\Software\\Classes\\hpfile]\n"
	    "\"A\"=dword:00000003\n");
	ASSERT_RUN(0, "apply", "--reg", reg, "--backup-dir", tu_bk, root, NULL);
	tu_assert_dword(cls, "hpfile", "A", 3);
}
END_TEST

/* HKEY_CLASSES_ROOT: a key in both hives (.txt) and one only in the
 * user's (Applications\notepad.exe) are the user's; one only in the
 * machine's (txtfile) and a new one (.hpnew) HKLM\SOFTWARE\Classes's. */
START_TEST(test_classes_root_writes_where_windows_merges)
{
	char *root = tu_make_tree("tree", "img");
	char *cls = tu_tree_classes(root, NULL);
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *reg = reg_file("cr.reg", REG_HEADER
	    "[HKEY_CLASSES_ROOT\\.txt]\n"
	    "\"HpBoth\"=dword:00000001\n\n"
	    "[HKCR\\txtfile]\n"
	    "\"HpMachine\"=dword:00000002\n\n"
	    "[HKEY_CLASSES_ROOT\\applications\\NOTEPAD.EXE]\n"
	    "\"HpUser\"=dword:00000003\n\n"
	    "[HKEY_CLASSES_ROOT\\.hpnew]\n"
	    "\"HpNew\"=dword:00000004\n");
	struct tu_result r;

	tu_hp(&r, "verify", "--reg", reg, root, NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_OUT(&r, "  missing   HKCU\\Software\\Classes\\.txt  HpBoth");
	ASSERT_OUT(&r, "  missing   HKLM\\SOFTWARE\\Classes\\txtfile  "
	    "HpMachine");
	ASSERT_OUT(&r, "  missing   HKCU\\Software\\Classes\\applications\\"
	    "NOTEPAD.EXE  HpUser");
	ASSERT_OUT(&r, "  missing   HKLM\\SOFTWARE\\Classes\\.hpnew (key)");
	tu_result_free(&r);
	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, reg, root, NULL);
	ASSERT_RUN(0, "verify", "--reg", reg, root, NULL);
	tu_assert_dword(cls, ".txt", "HpBoth", 1);
	tu_assert_dword(sw, "Classes\\txtfile", "HpMachine", 2);
	tu_assert_dword(cls, "Applications\\notepad.exe", "HpUser", 3);
	tu_assert_dword(sw, "Classes\\.hpnew", "HpNew", 4);
	assert_no_key(cls, "txtfile");
	assert_no_key(cls, ".hpnew");
	assert_no_key(sw, "Classes\\Applications");
	ck_assert(!tu_hive_dword_is(sw, "Classes\\.txt", "HpBoth", 1));

	/* A second run finds everything where the first put it. */
	tu_hp(&r, "import", "--backup-dir", tu_bk, reg, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "already compliant: nothing written");
	tu_result_free(&r);
}
END_TEST

/* Each operation finds the user's classes as the ones before it left
 * them: a key made there (with its parents) is theirs from then on, a
 * key deleted there (with everything below) HKLM\SOFTWARE\Classes's. */
START_TEST(test_classes_root_follows_the_operations_before)
{
	char *root = tu_make_tree("tree", "img");
	char *cls = tu_tree_classes(root, NULL);
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *reg = reg_file("seq.reg", REG_HEADER
	    "[HKEY_CURRENT_USER\\Software\\Classes\\hpmade\\sub]\n\n"
	    "[HKEY_CLASSES_ROOT\\hpmade]\n"
	    "\"A\"=dword:00000001\n\n"
	    "[-HKEY_CLASSES_ROOT\\Applications]\n\n"
	    "[HKEY_CLASSES_ROOT\\Applications\\notepad.exe]\n"
	    "\"B\"=dword:00000002\n");
	struct tu_result r;

	tu_hp(&r, "import", "--backup-dir", tu_bk, reg, root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "  deleted   HKCU\\Software\\Classes\\Applications "
	    "(key");
	ASSERT_OUT(&r, "  added     HKLM\\SOFTWARE\\Classes\\Applications\\"
	    "notepad.exe  B = dword:00000002");
	tu_result_free(&r);
	tu_assert_dword(cls, "hpmade", "A", 1);
	assert_no_key(sw, "Classes\\hpmade");
	assert_no_key(cls, "Applications");
	tu_assert_dword(sw, "Classes\\Applications\\notepad.exe", "B", 2);
	ASSERT_RUN(0, "verify", "--reg", reg, root, NULL);
}
END_TEST

/* export of both roots: HKCU\Software\Classes from UsrClass.dat,
 * HKEY_CLASSES_ROOT from the hive that holds the key (from both, the
 * user's after the machine's, when both do), under that hive's root,
 * spelled as stored, with a note; a bare UsrClass.dat exports under
 * HKEY_CURRENT_USER\Software\Classes. */
START_TEST(test_export_of_both_roots)
{
	char *root = tu_make_tree("tree", "img");
	char *cls = tu_tree_classes(root, NULL);
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *out = tu_pathf("%s/apps.reg", tu_scratch);
	char *both = tu_pathf("%s/both.reg", tu_scratch);
	char h_cls[SHA256_HEX_LEN + 1], h_sw[SHA256_HEX_LEN + 1], *text;
	struct tu_result r;
	size_t len;

	tu_hp(&r, "export", root, "hkcu\\SOFTWARE\\CLASSES\\.TXT", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "\n[HKEY_CURRENT_USER\\Software\\Classes\\.txt]\n\n"
	    "[HKEY_CURRENT_USER\\Software\\Classes\\.txt\\OpenWithProgids]\n"
	    "\"txtfile\"=\"\"\n");
	tu_result_free(&r);

	tu_hp(&r, "export", root, "HKCR\\TXTFILE", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\txtfile]\n"
	    "@=\"Text Document\"\n");
	ASSERT_ERR(&r, tu_pathf("HKCR\\TXTFILE is HKEY_LOCAL_MACHINE\\SOFTWARE"
	    "\\Classes\\txtfile here (%s does not hold it)", cls));
	tu_result_free(&r);

	tu_hp(&r, "export", "--output", out, root,
	    "HKEY_CLASSES_ROOT\\applications", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_ERR(&r, tu_pathf("is HKEY_CURRENT_USER\\Software\\Classes\\"
	    "Applications here (%s does not hold it)", sw));
	tu_result_free(&r);
	/* Read back where it came from. */
	ASSERT_RUN(0, "verify", "--reg", out, root, NULL);

	/* In both: the machine's part, then the user's over it, in one
	 * document (one header), and a note; imported, each goes back. */
	tu_hp(&r, "export", "--output", both, root, "HKCR\\.txt", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_ERR(&r, tu_pathf("HKCR\\.txt is in both %s and %s: written "
	    "are HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\.txt, then "
	    "HKEY_CURRENT_USER\\Software\\Classes\\.txt", sw, cls));
	tu_result_free(&r);
	text = (char *)tu_read_file(both, &len);
	ck_assert_ptr_nonnull(strstr(text, "Windows Registry Editor Version "
	    "5.00\n\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Classes\\.txt]\n"
	    "@=\"txtfile\"\n"));
	ck_assert_ptr_nonnull(strstr(text, "\"PerceivedType\"=\"text\"\n\n"
	    "[HKEY_CURRENT_USER\\Software\\Classes\\.txt]\n\n"
	    "[HKEY_CURRENT_USER\\Software\\Classes\\.txt\\OpenWithProgids]\n"
	    "\"txtfile\"=\"\"\n"));
	ck_assert_int_eq(tu_count_lines(text, "Windows Registry Editor"), 1);
	free(text);
	tu_sha256(cls, h_cls);
	tu_sha256(sw, h_sw);
	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, both, root, NULL);
	ASSERT_HASH(cls, h_cls);
	ASSERT_HASH(sw, h_sw);

	tu_hp(&r, "export", root, "HKCR\\.none", NULL);
	ASSERT_STATUS(&r, 1);
	ASSERT_ERR(&r, tu_pathf("%s: no key HKCR\\.none (in neither %s nor %s)",
	    root, cls, sw));
	ck_assert_uint_eq(r.out_len, 0);
	tu_result_free(&r);

	/* A bare UsrClass.dat: its own root, no other. */
	tu_hp(&r, "export", cls, "HKCU\\Software\\Classes\\Applications\\"
	    "notepad.exe\\shell\\open\\command", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, "\n[HKEY_CURRENT_USER\\Software\\Classes\\Applications"
	    "\\notepad.exe\\shell\\open\\command]\n@=hex(2):25,00,53,00");
	tu_result_free(&r);
	tu_hp(&r, "export", cls, "HKCU\\Software", NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, tu_pathf("%s: not a NTUSER.DAT hive (its root keys make "
	    "it a UsrClass.dat hive", cls));
	tu_result_free(&r);
	tu_hp(&r, "export", cls, "HKCR\\.txt", NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, tu_pathf("HKCR\\.txt: %s is one hive file", cls));
	tu_result_free(&r);
}
END_TEST

/* A bare UsrClass.dat takes the keys of HKEY_CURRENT_USER\Software\Classes
 * and refuses every other, byte-identical. */
START_TEST(test_bare_usrclass_takes_its_own_keys)
{
	char *cls = tu_pathf("%s/UsrClass.dat", tu_scratch);
	char *reg = reg_file("ok.reg", REG_HEADER
	    "[HKEY_CURRENT_USER\\Software\\Classes\\.hp]\n"
	    "@=\"hpfile\"\n");
	char *user = reg_file("user.reg", REG_HEADER
	    "[HKEY_CURRENT_USER\\Software\\Vendor]\n");
	char *merged = reg_file("merged.reg", REG_HEADER
	    "[HKEY_CLASSES_ROOT\\.hp]\n");
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_mkhive("usrclass", cls, 0);
	ASSERT_RUN(1, "verify", "--reg", reg, cls, NULL);
	ASSERT_RUN(0, "import", "--backup-dir", tu_bk, reg, cls, NULL);
	ASSERT_RUN(0, "verify", "--reg", reg, cls, NULL);

	tu_sha256(cls, before);
	tu_hp(&r, "import", "--backup-dir", tu_bk, user, cls, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, tu_pathf("%s: not a NTUSER.DAT hive", cls));
	tu_result_free(&r);
	tu_hp(&r, "import", "--backup-dir", tu_bk, merged, cls, NULL);
	ASSERT_STATUS(&r, 3);
	ASSERT_ERR(&r, tu_pathf("%s:3: key 'HKEY_CLASSES_ROOT\\.hp' is in the "
	    "user's classes (UsrClass.dat) or in HKLM\\SOFTWARE\\Classes",
	    merged));
	ASSERT_ERR(&r, tu_pathf("and %s is one hive file; give the Windows "
	    "tree", cls));
	tu_result_free(&r);
	ASSERT_RUN(3, "verify", "--reg", merged, cls, NULL);
	ASSERT_HASH(cls, before);
}
END_TEST

/* --user NAME: that user's UsrClass.dat, for both roots; the Default
 * user's is left as it is. */
START_TEST(test_user_picks_the_users_classes)
{
	char *root = tu_make_tree("tree", "img");
	char *def = tu_tree_classes(root, NULL);
	char *alice = tu_tree_classes(root, "alice");
	char *reg = reg_file("u.reg", REG_HEADER
	    "[HKEY_CURRENT_USER\\Software\\Classes\\hpfile]\n"
	    "\"A\"=dword:00000001\n\n"
	    "[HKEY_CLASSES_ROOT\\.txt]\n"
	    "\"B\"=dword:00000002\n");
	char before[SHA256_HEX_LEN + 1];
	struct tu_result r;

	tu_mkdir_p(tu_pathf("%s/Users/alice/" CLASSES_DIR, root));
	tu_mkhive("usrclass", alice, 0);
	tu_sha256(def, before);
	ASSERT_RUN(1, "verify", "--user", "alice", "--reg", reg, root, NULL);
	tu_hp(&r, "import", "--user", "alice", "--backup-dir", tu_bk, reg,
	    root, NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_OUT(&r, tu_pathf("UsrClass.dat %s\n", alice));
	tu_result_free(&r);
	ASSERT_RUN(0, "verify", "--user", "alice", "--reg", reg, root, NULL);
	tu_assert_dword(alice, "hpfile", "A", 1);
	tu_assert_dword(alice, ".txt", "B", 2);
	ASSERT_HASH(def, before);
	ASSERT_RUN(1, "verify", "--reg", reg, root, NULL);
	tu_hp(&r, "export", "--user", "alice", root, "HKCR\\.txt", NULL);
	ASSERT_STATUS(&r, 0);
	ASSERT_ERR(&r, tu_pathf("is in both %s and %s", tu_tree_file(root,
	    "SOFTWARE"), alice));
	ASSERT_OUT(&r, "[HKEY_CURRENT_USER\\Software\\Classes\\.txt]\n"
	    "\"B\"=dword:00000002\n");
	tu_result_free(&r);
}
END_TEST

/* A missing UsrClass.dat is reported as a missing NTUSER.DAT is (exit
 * 4, naming the path and what is missing), for both roots, and nothing
 * is written. */
START_TEST(test_missing_usrclass_is_named)
{
	char *root = tu_make_tree("tree", "img");
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *cu = reg_file("cu.reg", REG_HEADER
	    "[HKEY_CURRENT_USER\\Software\\Classes\\hpfile]\n");
	char *cr = reg_file("cr.reg", REG_HEADER
	    "[HKEY_CLASSES_ROOT\\.hpnew]\n");
	char *nt = reg_file("nt.reg", REG_HEADER
	    "[HKEY_CURRENT_USER\\Software\\Vendor]\n");
	char *dir = tu_pathf("%s/Users/Default/" CLASSES_DIR, root);
	char before[SHA256_HEX_LEN + 1];
	const char *regs[] = { cu, cr };
	struct tu_result r;
	size_t i;

	ck_assert(unlink(tu_tree_classes(root, NULL)) == 0);
	tu_sha256(sw, before);
	for (i = 0; i < 2; i++) {
		tu_hp(&r, "import", "--backup-dir", tu_bk, regs[i], root, NULL);
		ASSERT_STATUS(&r, 4);
		ASSERT_ERR(&r, tu_pathf("%s: no Users/Default/" CLASSES_DIR
		    "/UsrClass.dat here (no 'UsrClass.dat' in %s)", root, dir));
		tu_result_free(&r);
		ASSERT_RUN(4, "verify", "--reg", regs[i], root, NULL);
	}
	/* The same status as for a missing NTUSER.DAT. */
	tu_hp(&r, "import", "--backup-dir", tu_bk, nt, root, NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, "no Users/Default/NTUSER.DAT here");
	tu_result_free(&r);
	tu_hp(&r, "export", root, "HKCR\\.txt", NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, "no Users/Default/" CLASSES_DIR "/UsrClass.dat here");
	tu_result_free(&r);
	tu_hp(&r, "import", "--user", "bob", "--backup-dir", tu_bk, cu, root,
	    NULL);
	ASSERT_STATUS(&r, 4);
	ASSERT_ERR(&r, tu_pathf("%s: no Users/bob/" CLASSES_DIR "/UsrClass.dat "
	    "here (no 'bob' in %s/Users)", root, root));
	tu_result_free(&r);
	ASSERT_HASH(sw, before);
	ASSERT_NO_BACKUP();
}
END_TEST

/* Deleting the root of either is refused as a bad .reg file, and nothing
 * is written. */
START_TEST(test_deleting_a_classes_root_is_refused)
{
	char *root = tu_make_tree("tree", "img");
	char *cls = tu_tree_classes(root, NULL);
	char *sw = tu_tree_file(root, "SOFTWARE");
	char *regs[] = {
		reg_file("cr.reg", REG_HEADER "[-HKEY_CLASSES_ROOT]\n"),
		reg_file("cu.reg", REG_HEADER
		    "[-HKEY_CURRENT_USER\\Software\\Classes]\n"),
	};
	const char *names[] = { "HKEY_CLASSES_ROOT", "UsrClass.dat" };
	char cls_before[SHA256_HEX_LEN + 1], sw_before[SHA256_HEX_LEN + 1];
	struct tu_result r;
	size_t i;

	tu_sha256(cls, cls_before);
	tu_sha256(sw, sw_before);
	for (i = 0; i < 2; i++) {
		tu_hp(&r, "import", "--backup-dir", tu_bk, regs[i], root, NULL);
		ASSERT_STATUS(&r, 2);
		ASSERT_ERR(&r, tu_pathf("%s:3: refusing to delete the root of "
		    "the %s hive", regs[i], names[i]));
		tu_result_free(&r);
	}
	ASSERT_HASH(cls, cls_before);
	ASSERT_HASH(sw, sw_before);
	ASSERT_NO_BACKUP();
}
END_TEST

static Suite *
usrclass_suite(void)
{
	Suite *s = suite_create("usrclass");
	TCase *tc;

	tc = tu_tcase(s, "current_user");
	tcase_add_test(tc, test_current_user_classes_go_to_usrclass);
	tcase_add_test(tc, test_bare_usrclass_takes_its_own_keys);
	tcase_add_test(tc, test_user_picks_the_users_classes);
	tcase_add_test(tc, test_missing_usrclass_is_named);

	tc = tu_tcase(s, "classes_root");
	tcase_add_test(tc, test_classes_root_writes_where_windows_merges);
	tcase_add_test(tc, test_classes_root_follows_the_operations_before);
	tcase_add_test(tc, test_deleting_a_classes_root_is_refused);

	tc = tu_tcase(s, "export");
	tcase_add_test(tc, test_export_of_both_roots);
	return s;
}

int
main(void)
{
	return tu_run_suite(usrclass_suite(), "hivepatch-test-usrclass");
}
