/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs cut short between the commits of their hives: recorded before
 * the first commit, found and completed by a later run. */
#ifndef HIVEPATCH_CUTRUN_H
#define HIVEPATCH_CUTRUN_H

#include "patch.h"
#include "runrec.h"

/* When the run writes more than one hive, writes its record (after the
 * backups' manifests, before the first commit); otherwise leaves *rec
 * empty.  runrec_remove it once every hive is written. */
int cutrun_record(const struct patch_run *run, struct runrec *rec,
		  struct hp_err *e);

/* Finds the records of runs over the store's hives under o's backup
 * root and settles each: a run cut short between its commits is
 * completed when o writes (not dry), else only noted; a run that
 * finished or wrote nothing loses its record.  Notes go to *notes. */
int cutrun_settle(struct hp_store *store, const struct hp_patch_opts *o,
		  char ***notes, size_t *n_notes, struct hp_err *e);

#endif
