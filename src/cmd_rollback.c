/* rollback: put back the hives (and their logs) the last apply, import or
 * recover replaced, but only over the files that run left (their hashes
 * must match), unless forced. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "cli.h"
#include "commit.h"
#include "hash.h"
#include "target.h"

/* One hive of the target and the latest backup of it, if any. */
struct rollback_hive {
	struct hp_target target;
	struct backup backup;
	int found;
	int lock_fd;
	int hive_todo;		/* the hive needs restoring */
	int *log_todo;		/* each log of the backup needs restoring */
};

/* Whether a file (hive or log) is still what the apply left: 1 yes, 0
 * it already holds the backup, -1 refused (changed, and not forced). */
static int
check_unchanged(const char *path, const char *sha_before,
		const char *sha_after, const char *when, int force,
		struct hp_err *e)
{
	char sha_now[SHA256_HEX_LEN + 1] = "";
	struct hp_err missing;

	/* A log that is gone since is restored like a changed one. */
	if (sha256_file(path, sha_now, &missing) == -1 && access(path, F_OK) == 0)
		return hp_err_set(e, HP_R_IO, "%s", missing.msg);
	if (strcmp(sha_now, sha_before) == 0)
		return 0;
	if (strcmp(sha_now, sha_after) == 0)
		return 1;
	if (!force)
		return hp_err_set(e, HP_R_CHANGED,
		    "%s: changed since hivepatch wrote it (sha256 %s, the run of "
		    "%s left %s); --force restores the backup anyway", path,
		    sha_now[0] ? sha_now : "none: the file is gone", when,
		    sha_after[0] ? sha_after : "it untouched");
	fprintf(stderr, "hivepatch: warning: %s changed since the run of %s; "
	    "restoring anyway because of --force\n", path, when);
	return 1;
}

/* Checks that the hive and each of its logs are still what the run
 * left, and notes which need restoring.  Done for every hive of the run
 * before any is written, so a refusal writes nothing. */
static int
check_one(struct rollback_hive *rb, int force, struct hp_err *e)
{
	struct backup *b = &rb->backup;
	size_t i;

	rb->log_todo = calloc(b->n_logs ? b->n_logs : 1,
	    sizeof(*rb->log_todo));
	if (rb->log_todo == NULL)
		return hp_err_nomem(e);
	if ((rb->hive_todo = check_unchanged(rb->target.hive_path,
	    b->sha_before, b->sha_after, b->time, force, e)) == -1)
		return -1;
	for (i = 0; i < b->n_logs; i++)
		if ((rb->log_todo[i] = check_unchanged(b->logs[i].path,
		    b->logs[i].sha_before, b->logs[i].sha_after, b->time, force,
		    e)) == -1)
			return -1;
	return 0;
}

/* Restores one hive and its logs from their backup.  The logs go back
 * first: a crash in between then leaves the new, clean hive beside its
 * old logs, which Windows ignores, never the old dirty hive without the
 * logs it needs. */
static int
restore_one(const struct rollback_hive *rb, struct hp_err *e)
{
	const char *path = rb->target.hive_path;
	const struct backup *b = &rb->backup;
	size_t i;

	for (i = 0; i < b->n_logs; i++) {
		if (!rb->log_todo[i])
			continue;
		if (restore_atomic(b->logs[i].copy, b->logs[i].path,
		    b->logs[i].sha_before, e) == -1)
			return -1;
		printf("%s: restored as it was before the run of %s\n",
		    b->logs[i].path, b->time);
	}
	if (!rb->hive_todo) {
		printf("%s: already holds the backup of %s: nothing written\n",
		    path, b->time);
		return 0;
	}
	if (restore_atomic(b->copy, path, b->sha_before, e) == -1)
		return -1;
	printf("%s: restored as it was before the run of %s (sha256 %s)\n"
	    "backup:   %s\n", path, b->time, b->sha_before, b->dir);
	return 0;
}

/* Every hive the last apply changed goes back: in a tree that apply may
 * have written SOFTWARE, SYSTEM or both, under one backup id. */
static int
rollback(const char *target_arg, const char *backup_dir, int force,
	 struct hp_err *e)
{
	static const char *const names[] = { "SOFTWARE", "SYSTEM" };
	struct rollback_hive hives[2];
	const char *latest = NULL;
	char *root = NULL;
	struct stat st;
	size_t i, n;
	int rc = -1, is_tree;

	memset(hives, 0, sizeof(hives));
	hives[0].lock_fd = hives[1].lock_fd = -1;
	is_tree = stat(target_arg, &st) == 0 && S_ISDIR(st.st_mode);
	n = is_tree ? 2 : 1;
	if (backup_root(backup_dir, &root, e) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		struct hp_err missing;

		/* A tree without SYSTEM, or a hive never patched, is fine as
		 * long as one hive has a backup. */
		if (target_resolve(target_arg, names[i], &hives[i].target,
		    i == 0 ? e : &missing) == -1) {
			if (i == 0 && !is_tree)
				goto out;
			continue;
		}
		/* Lock before looking: the backup chosen must still be the
		 * latest when it is restored. */
		if ((hives[i].lock_fd = hive_lock(hives[i].target.hive_path,
		    e)) == -1)
			goto out;
		if (backup_find_latest(root, hives[i].target.hive_path,
		    &hives[i].backup, &missing) == -1)
			continue;
		hives[i].found = 1;
		if (latest == NULL || strcmp(hives[i].backup.id, latest) > 0)
			latest = hives[i].backup.id;
	}
	if (latest == NULL) {
		hp_err_set(e, HP_R_NO_BACKUP, "%s: no backup of this hive%s under %s",
		    hives[0].target.hive_path ? hives[0].target.hive_path :
		    target_arg, is_tree ? " or of the tree's SYSTEM hive" : "",
		    root);
		goto out;
	}
	/* Only the hives of the latest run go back. */
	for (i = 0; i < n; i++)
		if (hives[i].found && strcmp(hives[i].backup.id, latest) != 0)
			hives[i].found = 0;
	for (i = 0; i < n; i++)
		if (hives[i].found && check_one(&hives[i], force, e) == -1)
			goto out;
	printf("hivepatch rollback: %s\n", target_arg);
	for (i = 0; i < n; i++)
		if (hives[i].found && restore_one(&hives[i], e) == -1)
			goto out;
	rc = 0;
out:
	for (i = 0; i < 2; i++) {
		if (hives[i].lock_fd != -1)
			close(hives[i].lock_fd);
		free(hives[i].log_todo);
		backup_free(&hives[i].backup);
		target_free(&hives[i].target);
	}
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
	struct hp_err e = { 0 };
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
