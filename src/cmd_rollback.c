/* rollback: put back the hive the last apply replaced, but only over the
 * file that apply left (its hash must match), unless forced. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup.h"
#include "cli.h"
#include "commit.h"
#include "hash.h"
#include "target.h"

static int
rollback(const char *target_arg, const char *backup_dir, int force,
	 struct hp_err *e)
{
	char sha_now[SHA256_HEX_LEN + 1], *root = NULL;
	struct hp_target target;
	struct backup b;
	int lock_fd = -1, rc = -1;

	memset(&target, 0, sizeof(target));
	memset(&b, 0, sizeof(b));
	if (target_resolve(target_arg, "SOFTWARE", &target, e) == -1)
		goto out;
	if ((lock_fd = hive_lock(target.hive_path, e)) == -1)
		goto out;
	if (backup_root(backup_dir, &root, e) == -1 ||
	    backup_find_latest(root, target.hive_path, &b, e) == -1 ||
	    sha256_file(target.hive_path, sha_now, e) == -1)
		goto out;
	if (strcmp(sha_now, b.sha_before) == 0) {
		printf("hivepatch rollback: %s\nresult:   already holds the backup "
		    "of %s: nothing written\n", target.hive_path, b.time);
		rc = 0;
		goto out;
	}
	if (strcmp(sha_now, b.sha_after) != 0) {
		if (!force) {
			hp_err_set(e, HP_REFUSED,
			    "%s: changed since hivepatch wrote it (sha256 %s, "
			    "the apply of %s left %s); --force restores the backup anyway",
			    target.hive_path, sha_now, b.time, b.sha_after);
			goto out;
		}
		fprintf(stderr, "hivepatch: warning: %s changed since the apply of %s; "
		    "restoring anyway because of --force\n", target.hive_path, b.time);
	}
	if (restore_atomic(b.copy, target.hive_path, b.sha_before, e) == -1)
		goto out;
	printf("hivepatch rollback: %s\nbackup:   %s\nresult:   restored the "
	    "hive as it was before the apply of %s (sha256 %s)\n",
	    target.hive_path, b.dir, b.time, b.sha_before);
	rc = 0;
out:
	if (lock_fd != -1)
		close(lock_fd);
	backup_free(&b);
	target_free(&target);
	free(root);
	return rc;
}

int
cmd_rollback(int argc, char **argv)
{
	static const struct option options[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "backup-dir", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hp_err e = { HP_OK, "" };
	const char *backup_dir = NULL;
	int c, force = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = 1;
			break;
		case 'b':
			backup_dir = optarg;
			break;
		case 'h':
			cli_print_help(stdout);
			return 0;
		default:
			return cli_usage("rollback", "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage("rollback", optind >= argc ? "missing TARGET" :
		    "too many arguments");
	if (rollback(argv[optind], backup_dir, force, &e) == -1)
		return cli_fail(&e);
	return 0;
}
