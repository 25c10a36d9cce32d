/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "render.h"

static const char usage_text[] =
"Usage: hivepatch COMMAND [OPTION]...\n"
"Patch the registry of a Windows that is not running.\n"
"\n"
"Commands:\n"
"  apply   [--profile NAME]... [--reg FILE]... [--dry-run] [--json] [--force]\n"
"          [--backup-dir DIR] [--all-control-sets] [--no-recover]\n"
"          [--commit=logged|replace] [--keep-timestamps]\n"
"          [--backup=pages|full] [--max-hive-size SIZE] [--discard-logs]\n"
"          [--user NAME] [--image N|NAME|all] [--partition N] TARGET\n"
"                        write the profiles' values (default: net4-tls12),\n"
"                        after a backup, and verify them from disk\n"
"  verify  [--profile NAME]... [--reg FILE]... [--json] [--all-control-sets]\n"
"          [--no-recover] [--backup-dir DIR] [--max-hive-size SIZE]\n"
"          [--user NAME] [--image N|NAME|all] [--partition N] TARGET\n"
"                        check the values without writing (exit 1 if not met)\n"
"  import  [--dry-run] [--json] [--force] [--backup-dir DIR]\n"
"          [--all-control-sets] [--no-recover] [--commit=logged|replace]\n"
"          [--keep-timestamps] [--backup=pages|full] [--max-hive-size SIZE]\n"
"          [--discard-logs] [--user NAME] [--image N|NAME|all]\n"
"          [--partition N] FILE.reg TARGET\n"
"                        apply an arbitrary .reg file\n"
"  inspect [--json] [--no-recover] [--backup-dir DIR] [--max-hive-size SIZE]\n"
"          [--image N|NAME|all] [--partition N] TARGET\n"
"                        is the image TLS 1.2 ready, and why not (read-only;\n"
"                        exit 1 when not ready by --profile auto's rules)\n"
"  recover [--dry-run] [--json] [--backup-dir DIR] [--commit=logged|replace]\n"
"          [--keep-timestamps] [--backup=pages|full] [--max-hive-size SIZE]\n"
"          [--output FILE] [--discard-logs] [--user NAME]\n"
"          [--image N|NAME|all] [--partition N] TARGET\n"
"                        replay a dirty hive's transaction logs as Windows\n"
"                        would, write the result and empty the logs (after a\n"
"                        backup of the hive and its logs)\n"
"  export  [--utf16] [--output FILE] [--json] [--no-recover]\n"
"          [--max-hive-size SIZE] [--user NAME] [--image N|NAME]\n"
"          [--partition N] TARGET KEY\n"
"                        print KEY and everything below it as a .reg file\n"
"  rollback [--force] [--json] [--backup-dir DIR] [--to ID]\n"
"          [--image N|NAME|all] [--partition N] TARGET\n"
"                        restore the hives, and their logs, as they were\n"
"                        before the last apply, import or recover (--to:\n"
"                        run after run, until the run ID is undone)\n"
"  backups [--json] [--backup-dir DIR] [--image N|NAME|all] [--partition N]\n"
"          TARGET\n"
"                        list the runs whose backups would undo what the\n"
"                        hives hold now, newest first (step 1: what\n"
"                        rollback undoes next); with none, the hives\n"
"                        changed since their latest backup, and why\n"
"                        rollback refuses them\n"
"  images  [--json] IMAGE\n"
"                        what an image file holds: each WIM image or\n"
"                        partition, the Windows in it, and whether hivepatch\n"
"                        can write it (read-only)\n"
"  profiles [--json]     list the profiles (and 'auto')\n"
"\n"
"TARGET is a hive file or the root of a Windows tree (a mount point); in a\n"
"tree Windows/System32/config/SOFTWARE, SYSTEM, SAM, SECURITY and DEFAULT,\n"
"Users/Default/NTUSER.DAT (HKEY_CURRENT_USER) and the Default user's\n"
"AppData/Local/Microsoft/Windows/UsrClass.dat (HKCU\\Software\\Classes) are\n"
"found in any letter case.  HKEY_CLASSES_ROOT is the user's classes where\n"
"they hold the key, else HKLM\\SOFTWARE\\Classes, as Windows merges them (a\n"
"tree only).  A hive file takes only keys of its own hive.  TARGET may also\n"
"be an image file, known by its content: a WIM or ESD, a raw disk (MBR or\n"
"GPT), an NTFS volume, a VHD, VHDX, qcow2 or VMDK, or an E01 (read-only); a\n"
"command then works on every Windows it holds, or those --image (a WIM's\n"
"index or name) and --partition (a disk's partition number) choose.\n"
"\n"
"Every command also takes --json, -q (--quiet) and -v (--verbose), which may\n"
"also come before the command.  Options may come before or after the\n"
"operands; '--' ends them (a TARGET or KEY that starts with '-' goes after\n"
"it).  A long option may be shortened to any start that is its own.\n"
"\n"
"Options:\n"
"  --profile NAME    use a profile (may be repeated); 'auto' chooses them\n"
"                    from the image\n"
"  --reg FILE        use a .reg file (may be repeated)\n"
"  --dry-run         show what would change, write nothing\n"
"  --json            print one JSON document, for a usage error too (schema\n"
"                    hivepatch-report/1; inspect, backups, export,\n"
"                    rollback, profiles, images: hivepatch-COMMAND/1; a\n"
"                    run on an image file: hivepatch-image-run/1, which\n"
"                    holds each part's document); export --json needs\n"
"                    --output\n"
"  --force           go on where hivepatch would refuse: .NET missing for a\n"
"                    .NET profile, a hive file whose kind neither its root\n"
"                    keys nor its header tell, rollback over a changed hive\n"
"  --backup-dir DIR  keep backups in DIR, not empty (default\n"
"                    $XDG_STATE_HOME/hivepatch, else\n"
"                    $HOME/.local/state/hivepatch); verify and inspect\n"
"                    read there the record of a run cut short\n"
"  --to ID           rollback: undo every run down to the run ID (an id\n"
"                    hivepatch backups lists); nothing is written when ID\n"
"                    is not among them\n"
"  --all-control-sets  map CurrentControlSet to every ControlSetNNN, not\n"
"                    just the one SYSTEM\\Select Current names\n"
"  --no-recover      do not replay a dirty hive's logs: apply and import\n"
"                    refuse the hive; verify, inspect and export read its\n"
"                    stale primary file (by default a dirty hive is read as\n"
"                    its logs recover it, and written clean)\n"
"  --user NAME       in a tree, HKEY_CURRENT_USER is Users/NAME/NTUSER.DAT\n"
"                    and its Software\\Classes Users/NAME/.../UsrClass.dat\n"
"                    (default: the Default user's, which new users copy)\n"
"  --image N|NAME|all  in a WIM, work on the image of index N or named NAME\n"
"                    (default all: every image holding Windows)\n"
"  --partition N     in a disk image, work on partition N (default: every\n"
"                    partition holding Windows)\n"
"  --discard-logs    apply, import, recover: write a dirty hive whose logs\n"
"                    cannot recover it (missing, damaged, another hive's)\n"
"                    from its primary file, clean, saying what is lost\n"
"                    (the old logs are kept in the backup)\n"
"  --commit=logged   write a hive in place, as Windows does: the changed\n"
"                    pages go to its transaction log first, then into the\n"
"                    hive (the default; the file keeps its inode, owner,\n"
"                    attributes and links)\n"
"  --commit=replace  write a new file beside the hive and rename it over it\n"
"                    (other hard links of the hive keep the old one)\n"
"  --backup=pages    back up only what the commit overwrites (the default)\n"
"  --backup=full     back up whole copies of the hives written\n"
"  --keep-timestamps leave the LastWrite time of the keys written, and the\n"
"                    hive's last written time, as they were (by default\n"
"                    they become the time of the run, as Windows keeps them)\n"
"  --utf16           export in regedit's own UTF-16LE format\n"
"  --output FILE     export into FILE instead of standard output; recover:\n"
"                    write the recovered hive file into FILE (a tree or an\n"
"                    image: each hive into the directory FILE), read it\n"
"                    back, and leave the hive and its logs untouched; never\n"
"                    a file in TARGET (a hive, a log, anything below a tree)\n"
"  --max-hive-size SIZE  read no hive larger than SIZE bytes (with K, M or G:\n"
"                    KiB, MiB, GiB; default 1G, at most 2G): not as a file,\n"
"                    nor a log, nor as its logs would recover it\n"
"  -q, --quiet       print no report nor note, only errors (the exit status\n"
"                    says the rest; export still writes its .reg text)\n"
"  -v, --verbose     say more in the text report: how each hive was found,\n"
"                    its logs, the keys that exist, its SHA-256 before and\n"
"                    after (see hivepatch(1) for each command)\n"
"  -h, --help        show this help\n"
"  -V, --version     show the version\n"
"\n"
"Exit status: 0 done or compliant; 1 verify found a value missing or\n"
"different (inspect: not ready); 2 usage error; 3 refused for safety;\n"
"4 I/O error or damaged hive.\n"
"See hivepatch(1).\n";

void
cli_print_help(FILE *out)
{
	fputs(usage_text, out);
}

static const struct {
	const char *name;
	int (*run)(int, char **);
} commands[] = {
	{ "apply", cmd_apply },
	{ "verify", cmd_verify },
	{ "import", cmd_import },
	{ "recover", cmd_recover },
	{ "export", cmd_export },
	{ "rollback", cmd_rollback },
	{ "backups", cmd_backups },
	{ "profiles", cmd_profiles },
	{ "inspect", cmd_inspect },
	{ "images", cmd_images },
};

/* "hivepatch --json verify T": the options every command takes may
 * come before the command too; the command then sees them first among
 * its own.  Any other option there is a usage error. */
static int
run_after_options(int argc, char **argv)
{
	static const char *const common[] = { "--json", "-q", "--quiet", "-v",
	    "--verbose" };
	char **moved;
	int k, j, rc;
	size_t i;

	for (k = 1; k < argc && argv[k][0] == '-'; k++) {
		for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
			if (strcmp(argv[k], common[i]) == 0)
				break;
		if (i == sizeof(common) / sizeof(common[0])) {
			out_printf(stderr, "hivepatch: '%s' before the command: "
			    "only --json, -q and -v may come there\nTry "
			    "'hivepatch --help'.\n", argv[k]);
			return HP_USAGE;
		}
	}
	if (k == argc) {
		fputs(usage_text, stderr);
		return HP_USAGE;
	}
	/* The command, its leading options, then the rest. */
	if ((moved = calloc((size_t)argc + 1, sizeof(*moved))) == NULL) {
		fputs("hivepatch: out of memory\n", stderr);
		return HP_IOERR;
	}
	moved[0] = argv[k];
	for (j = 1; j < k; j++)
		moved[j] = argv[j];
	for (j = k + 1; j <= argc; j++)
		moved[j - 1] = argv[j];
	rc = -1;
	for (i = 0; rc == -1 && i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(moved[0], commands[i].name) == 0)
			rc = commands[i].run(argc - 1, moved);
	if (rc == -1) {
		out_printf(stderr, "hivepatch: unknown command '%s'\nTry "
		    "'hivepatch --help'.\n", moved[0]);
		rc = HP_USAGE;
	}
	free(moved);
	return rc;
}

int
main(int argc, char **argv)
{
	size_t i;

	/* A file size limit (ulimit -f) must fail a write with EFBIG, which we
	 * handle, not kill us half-way with SIGXFSZ. */
	signal(SIGXFSZ, SIG_IGN);

	if (argc < 2) {
		fputs(usage_text, stderr);
		return HP_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("hivepatch %s\n", hp_version());
		return 0;
	}
	if (argv[1][0] == '-')
		return run_after_options(argc, argv);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	out_printf(stderr, "hivepatch: unknown command '%s'\nTry 'hivepatch "
	    "--help'.\n", argv[1]);
	return 2;
}
