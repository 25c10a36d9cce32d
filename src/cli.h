/* The command-line layer: one file per subcommand, sharing these. */
#ifndef HIVEPATCH_CLI_H
#define HIVEPATCH_CLI_H

#include <stdio.h>

#include "error.h"

int cmd_apply(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_recover(int argc, char **argv);

void cli_print_help(FILE *out);

/* Prints "hivepatch: MESSAGE" on stderr and returns the status. */
int cli_fail(const struct hp_err *e);

/* Prints a usage error for `cmd` and returns HP_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct hp_target;
struct hive_view;

/* hive_view_open for a command that only reads (verify, inspect,
 * export): a dirty hive its logs cannot recover is refused with a hint
 * that --no-recover reads the primary file as it is. */
int cli_view_for_reading(const struct hp_target *t, int no_recover,
			 struct hive_view *v, struct hp_err *e);

#endif
