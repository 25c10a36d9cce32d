/* What apply, import, verify and recover share: their options and the
 * one flow they run (cmd_patch.c). */
#ifndef HIVEPATCH_CMD_PATCH_H
#define HIVEPATCH_CMD_PATCH_H

#include <stddef.h>

#define MAX_SOURCES 64

struct patch_opts {
	const char *command;
	int verify;			/* read-only: judge, never write */
	int recover;			/* write dirty hives recovered, no patch */
	int no_recover;			/* a dirty hive is refused (verify: read
					 * from its primary file alone) */
	const char *profiles[MAX_SOURCES];
	size_t n_profiles;
	const char *reg_files[MAX_SOURCES];
	size_t n_reg_files;
	int dry_run, json, force, all_control_sets;
	const char *backup_dir;
	const char *target;
};

enum { OPT_PROFILE = 256, OPT_REG, OPT_DRY_RUN, OPT_JSON, OPT_FORCE,
	OPT_BACKUP_DIR, OPT_ALL_CONTROL_SETS, OPT_NO_RECOVER };

/* Parses the options of o->command; `allowed` lists the codes it takes.
 * Returns 0, or HP_USAGE after printing the usage error. */
int patch_parse_options(int argc, char **argv, struct patch_opts *o,
			const int *allowed, size_t n_allowed);

/* Takes the one TARGET left after the options (HP_USAGE if not one). */
int patch_take_target(int argc, char **argv, struct patch_opts *o);

/* Runs the flow and prints the report; returns the exit status. */
int patch_run(const struct patch_opts *o);

#endif
