/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The state of one hp_patch run, shared by patch.c (reading, planning,
 * applying) and patch_commit.c (backing up and committing). */
#ifndef HIVEPATCH_PATCH_H
#define HIVEPATCH_PATCH_H

#include "hivepatch.h"
#include "session.h"
#include "sources.h"

struct patch_run {
	const struct hp_patch_opts *o;
	struct hp_store *store;
	struct hp_result *res;		/* filled as the run goes */
	struct sources src;
	/* The hives read, SOFTWARE before SYSTEM: at most one per kind. */
	struct session hives[HP_HIVE_COMPONENTS + 1];
	size_t n_hives;
	struct hp_image image;
	unsigned char *to_machine;	/* plan_route_classes: per operation,
					 * 1 for a key of HKEY_CLASSES_ROOT
					 * that is HKLM\SOFTWARE\Classes's */
};

/* The session of the run that reads `kind`, or NULL. */
struct session *run_session_of(struct patch_run *run, enum hp_hive_kind kind);

/* Backs up every hive that must be written, then commits them in order
 * through the store.  When one fails, the ones before it are put back
 * from their backups, so a profile never lands in one hive and not the
 * other.  Once all are in place, the manifests are written and the logs
 * emptied. */
int patch_commit(struct patch_run *run, struct hp_err *e);

/* For a hive the run leaves as it is: when the latest run that wrote it
 * made a log for its commit and was cut short before removing it (its
 * backup says so, and the hive is what that run left), removes the log,
 * finishing that run.  1 when it did, with *what saying so (malloc'd),
 * 0 when there was nothing to finish, -1 on error. */
int patch_finish_cut_run(struct patch_run *run, struct session *s,
			 char **what, struct hp_err *e);

/* 1 when committing s may append an entry to the logs its recovery
 * read (patch_commit.c): its view must then keep what it differs in
 * from the primary file once let go (session_let_go_view). */
int patch_may_append(const struct patch_run *run, const struct session *s);

/* recover --output (recover_out.c): writes run->hives[0] as it was read
 * (recovered, or clean) to o->output, outside the target, or for a tree
 * each hive into the directory o->output, and reads each back; sets the
 * run's result phrase.  recover_output_usable, before anything is read:
 * a tree's output is a directory (HP_R_USAGE). */
int recover_output_usable(const struct patch_run *run, struct hp_err *e);
int recover_to_output(struct patch_run *run, struct hp_err *e);

void patch_run_free(struct patch_run *run);

/* hp_patch without settling runs cut short (cutrun.c): what a
 * completion runs. */
int patch_once(struct hp_store *store, const struct hp_patch_opts *o,
	       struct hp_result **result, struct hp_err *e);

#endif
