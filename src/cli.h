/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The command line: one file per subcommand (cmd_*.c), each parsing its
 * options, making one library call and rendering the result.  What they
 * share is here.  Nothing in src/ includes more of the library than
 * hivepatch.h. */
#ifndef HIVEPATCH_CLI_H
#define HIVEPATCH_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "hivepatch.h"

int cmd_apply(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_backups(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_recover(int argc, char **argv);

void cli_print_help(FILE *out);

/* Prints "hivepatch: MESSAGE" on stderr and returns the status. */
int cli_fail(const struct hp_err *e);

/* Prints a usage error for `cmd` and returns HP_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The next option of `cmd` (getopt_long with `options`, options before
 * the operands): its code; 0 when there are no more; CLI_HELP after
 * printing the help for --help; CLI_BAD after printing a usage error for
 * an option it does not know or one missing its value (naming what the
 * value must be).  Start each command with optind = 1. */
#define CLI_HELP (-1)
#define CLI_BAD (-2)
struct option;
int cli_next_option(int argc, char **argv, const struct option *options,
		    const char *cmd);

/* What a command returns for CLI_HELP or CLI_BAD. */
#define CLI_OPTION_STATUS(c) ((c) == CLI_HELP ? HP_OK : HP_USAGE)

/* Where profiles are read: $HIVEPATCH_PROFILE_DIR, else
 * cli_builtin_profile_dir, fixed when the binary was linked (never
 * looked for beside the binary). */
const char *cli_profile_dir(void);

/* src/profile_dir.c, compiled once per binary (Makefile.am): the source
 * tree's profiles/ for src/hivepatch, the build tree's binary, and the
 * configured $(pkgdatadir)/profiles for the binary make install
 * installs. */
extern const char cli_builtin_profile_dir[];

/* Where backups go: --backup-dir, else $XDG_STATE_HOME/hivepatch, else
 * ~/.local/state/hivepatch; NULL when none of them is set (malloc'd). */
char *cli_backup_root(const char *override);

/* A run that had no place for its backups (HP_R_NO_BACKUP_DIR) says
 * how to give one. */
void cli_explain_backup_root(const char *root, struct hp_err *e);

/* Opens TARGET as a store whose runs read hives of at most max_hive
 * bytes (0: the library's default); NULL with e set on failure. */
struct hp_store *cli_open_store(const char *target, uint64_t max_hive,
				struct hp_err *e);

/* --max-hive-size SIZE: bytes, or with a suffix K, M or G (powers of
 * 1024), at most 2G.  0, or HP_USAGE after printing the usage error. */
int cli_hive_size(const char *cmd, const char *arg, uint64_t *bytes);

/* ---- apply, verify, import and recover ---- */

#define CLI_MAX_SOURCES 64

struct cli_patch {
	const char *command;
	enum hp_patch_mode mode;
	const char *profiles[CLI_MAX_SOURCES];
	size_t n_profiles;
	const char *reg_files[CLI_MAX_SOURCES];
	size_t n_reg_files;
	unsigned flags;			/* HP_DRY_RUN, HP_FORCE, ... */
	int json;
	const char *backup_dir;
	uint64_t max_hive;		/* --max-hive-size, or 0 */
	const char *output;		/* recover --output, or NULL */
	const char *target;
};

enum { OPT_PROFILE = 256, OPT_REG, OPT_DRY_RUN, OPT_JSON, OPT_FORCE,
	OPT_BACKUP_DIR, OPT_ALL_CONTROL_SETS, OPT_NO_RECOVER, OPT_COMMIT,
	OPT_KEEP_TIMESTAMPS, OPT_BACKUP, OPT_MAX_HIVE_SIZE,
	OPT_OUTPUT };

/* Parses the options of c->command; `allowed` lists the codes it takes.
 * Returns 0, or HP_USAGE after printing the usage error; --help prints
 * the help and returns -1. */
int cli_patch_options(int argc, char **argv, struct cli_patch *c,
		      const int *allowed, size_t n_allowed);

/* Takes the one TARGET left after the options (HP_USAGE if not one). */
int cli_patch_target(int argc, char **argv, struct cli_patch *c);

/* Runs hp_patch over TARGET and renders its result; returns the exit
 * status. */
int cli_patch_run(const struct cli_patch *c);

/* apply, verify and recover: the options `allowed`, one TARGET, and
 * with default_profile net4-tls12 when no profile or .reg file was
 * given; then the run. */
int cli_patch_main(int argc, char **argv, struct cli_patch *c,
		   const int *allowed, size_t n_allowed, int default_profile);

#endif
