/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Opening a store, and what every store shares (see store.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "store.h"

static int
store_new(const struct hp_store_ops *ops, void *priv, const char *target,
	  struct hp_store **out, struct hp_err *e)
{
	struct hp_store *s;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->target = strdup(target)) == NULL) {
		free(s);
		ops->close(priv);
		return hp_err_nomem(e);
	}
	s->ops = ops;
	s->priv = priv;
	s->hive_limit = HP_HIVE_LIMIT_DEFAULT;
	if (ops->list(priv, &s->hives, &s->n_hives, e) == -1) {
		hp_store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

const struct store_tree_hive store_tree_hives[STORE_N_TREE_HIVES] = {
	{ "SOFTWARE", HP_HIVE_SOFTWARE },
	{ "SYSTEM", HP_HIVE_SYSTEM },
	{ "SAM", HP_HIVE_SAM },
	{ "SECURITY", HP_HIVE_SECURITY },
	{ "DEFAULT", HP_HIVE_DEFAULT },
	{ "Users/Default/NTUSER.DAT", HP_HIVE_NTUSER },
	{ "Users/Default/AppData/Local/Microsoft/Windows/UsrClass.dat",
	    HP_HIVE_USRCLASS },
};

/* "Users/USER/" and `file` into *path. */
static int
user_path(const char *user, const char *file, char **path, struct hp_err *e)
{
	*path = NULL;
	/* A user is a directory of Users: one plain name. */
	if (user != NULL && (user[0] == '\0' || strchr(user, '/') != NULL ||
	    strcmp(user, ".") == 0 || strcmp(user, "..") == 0))
		return hp_err_set(e, HP_R_USAGE, "'%s': not a user's name (a "
		    "directory of Users)", user);
	if (asprintf(path, "Users/%s/%s", user != NULL ? user : "Default",
	    file) == -1) {
		*path = NULL;
		return hp_err_nomem(e);
	}
	return 0;
}

int
store_user_hive(const char *user, char **path, struct hp_err *e)
{
	return user_path(user, "NTUSER.DAT", path, e);
}

int
store_user_class_hive(const char *user, char **path, struct hp_err *e)
{
	return user_path(user, "AppData/Local/Microsoft/Windows/UsrClass.dat",
	    path, e);
}

int
hp_store_set_hive_limit(struct hp_store *store, uint64_t bytes,
			struct hp_err *e)
{
	if (bytes == 0 || bytes > HP_HIVE_LIMIT_MAX)
		return hp_err_set(e, HP_R_USAGE, "a hive limit of %llu bytes: "
		    "it must be from 1 byte to %llu", (unsigned long long)bytes,
		    HP_HIVE_LIMIT_MAX);
	store->hive_limit = bytes;
	return 0;
}

int
hp_store_open(const char *target, struct hp_store **store, struct hp_err *e)
{
	return hp_store_open_user(target, NULL, store, e);
}

int
hp_store_open_user(const char *target, const char *user,
		   struct hp_store **store, struct hp_err *e)
{
	const struct hp_store_ops *ops;
	struct stat st, followed;
	void *priv;
	int tree;

	*store = NULL;
	if (target == NULL)
		return hp_err_set(e, HP_R_USAGE, "no TARGET");
	/* A link to a directory is a tree root the user chose; anything
	 * else is a hive file, and what is wrong with it (missing, a link,
	 * not a regular file) is its hive's problem, for the run that reads
	 * it to report in its turn. */
	tree = lstat(target, &st) == 0 && (S_ISDIR(st.st_mode) ||
	    (S_ISLNK(st.st_mode) && stat(target, &followed) == 0 &&
	    S_ISDIR(followed.st_mode)));
	if (store_fs_open(target, tree, user, &priv, &ops, e) == -1)
		return -1;
	return store_new(ops, priv, target, store, e);
}

int
hp_store_open_ops(const struct hp_store_ops *ops, void *priv,
		  const char *target, struct hp_store **store,
		  struct hp_err *e)
{
	return store_new(ops, priv, target ? target : "", store, e);
}

const struct hp_store_ops *
hp_store_get_ops(const struct hp_store *store, void **priv)
{
	if (priv != NULL)
		*priv = store->priv;
	return store->ops;
}

size_t
hp_store_hives(const struct hp_store *store, struct hp_store_hive **hives)
{
	*hives = store->hives;
	return store->n_hives;
}

const char *
hp_store_target(const struct hp_store *store)
{
	return store->target;
}

void
hp_store_close(struct hp_store *store)
{
	if (store == NULL)
		return;
	store->ops->close(store->priv);
	free(store->target);
	free(store);
}

struct hp_store_hive *
store_hive_for(struct hp_store *s, enum hp_hive_kind kind)
{
	size_t i;

	if (!s->ops->tree)
		return s->n_hives > 0 ? &s->hives[0] : NULL;
	for (i = 0; i < s->n_hives; i++)
		if (s->hives[i].kind == kind)
			return &s->hives[i];
	return NULL;
}

int
store_hive_usable(const struct hp_store_hive *hive, struct hp_err *e)
{
	if (hive->problem.status == HP_OK)
		return 0;
	if (e != NULL)
		*e = hive->problem;
	return -1;
}

void
hp_hive_files_free(struct hp_hive_files *f)
{
	size_t i;

	if (f == NULL)
		return;
	if (f->fd >= 0)
		close(f->fd);
	for (i = 0; i < f->n_logs; i++) {
		if (f->logs[i].fd >= 0)
			close(f->logs[i].fd);
		free(f->logs[i].name);
		free(f->logs[i].where);
	}
	free(f->logs);
	for (i = 0; i < f->n_skipped; i++) {
		free(f->skipped[i]);
		if (f->skipped_why != NULL)
			free(f->skipped_why[i]);
	}
	free(f->skipped);
	free(f->skipped_why);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}
