/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The store behind struct hp_store (hivepatch.h): the one door through
 * which the runs reach hives.  A store lists the hives it holds, locks,
 * reads and commits them; everything above it works on the descriptors
 * it hands over. */
#ifndef HIVEPATCH_STORE_H
#define HIVEPATCH_STORE_H

#include "hivepatch.h"

struct hp_store {
	const struct hp_store_ops *ops;
	void *priv;
	char *target;			/* as given, for messages */
	struct hp_store_hive *hives;	/* the store's list */
	size_t n_hives;
	uint64_t hive_limit;		/* hp_store_set_hive_limit */
};

/* The hives of a Windows tree, in the order the runs use them: those of
 * its config directory, then the user's: HKEY_CURRENT_USER, whose path
 * from the root store_user_hive gives, and its Software\Classes, whose
 * path store_user_class_hive gives (the names here are the Default
 * user's). */
struct store_tree_hive {
	const char *name;
	enum hp_hive_kind kind;
};
extern const struct store_tree_hive store_tree_hives[];
#define STORE_N_TREE_HIVES 7
#define STORE_CONFIG_DIR "Windows/System32/config"

/* "Users/USER/NTUSER.DAT" (user NULL: the Default user's, which every
 * new user copies) into *path (malloc'd); HP_R_USAGE for a user that is
 * no plain directory name. */
int store_user_hive(const char *user, char **path, struct hp_err *e);

/* "Users/USER/AppData/Local/Microsoft/Windows/UsrClass.dat", the user's
 * HKEY_CURRENT_USER\Software\Classes, the same way. */
int store_user_class_hive(const char *user, char **path, struct hp_err *e);

/* The stores this library brings (store_fs.c): a Windows tree rooted at
 * `target` (whose HKEY_CURRENT_USER is Users/USER/NTUSER.DAT and its
 * classes Users/USER/.../UsrClass.dat; NULL: Default), or the hive file `target` (with its logs beside it). */
int store_fs_open(const char *target, int tree, const char *user,
		  void **priv, const struct hp_store_ops **ops,
		  struct hp_err *e);

/* Fills g (export --output) with what a store of store_fs_open holds:
 * a tree's directories, a bare hive's directory and name, every hive
 * and log file by identity.  1, touching nothing, for another store. */
struct out_guard;
int store_fs_guard(const struct hp_store *store, struct out_guard *g);

/* The hive of the store whose place says it is `kind`; for a store that
 * holds one bare hive, that hive whatever kind is asked.  NULL when the
 * store has none. */
struct hp_store_hive *store_hive_for(struct hp_store *s,
				     enum hp_hive_kind kind);

/* The hive's problem as an error (0 when it has none). */
int store_hive_usable(const struct hp_store_hive *hive, struct hp_err *e);

#endif
