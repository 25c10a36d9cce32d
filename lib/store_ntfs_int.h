/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the two halves of the NTFS store share: store_ntfs.c lists,
 * locks and reads; store_ntfs_rw.c writes in place. */
#ifndef HIVEPATCH_STORE_NTFS_INT_H
#define HIVEPATCH_STORE_NTFS_INT_H

#include "hivepatch.h"
#include "ntfs_vol.h"

/* A file of a hive open for writing in place: the hive (name NULL) or
 * one of its logs. */
struct nt_file {
	char *name;
	ntfs_inode *ni;
	ntfs_attr *na;
	int created;		/* write_at made it */
};

#define NT_MAX_RW 4		/* the hive, .LOG, .LOG1, .LOG2 */

struct nt_hive {
	char *path;		/* in the volume, as it spells it */
	char *dir;		/* its directory, likewise */
	MFT_REF dir_ref, ref;
	int locked;
	struct nt_file rw[NT_MAX_RW];
	size_t n_rw;
};

struct nt_store {
	struct ntvol v;
	char *where;		/* prefixes every path, for people */
	char *identity;		/* and for backups */
	char *user_hive;
	char *class_hive;	/* Users/USER/.../UsrClass.dat */
	int writable;
	char *why_not;		/* when not writable */
	struct hp_store_hive *hives;
	struct nt_hive *nh;
	size_t n;
};


static inline struct nt_hive *
nt_of(struct hp_store_hive *hive)
{
	return hive->store_data;
}

/* "A/B/C", "A/B" when C is "", "A/C" when B is "" (malloc'd). */
char *nt_cat3(const char *a, const char *b, const char *c);

/* The entries of the hive's directory (ntvol_dirents_free), and how
 * messages name that directory (*shown, malloc'd). */
int nt_hive_dir(struct nt_store *s, struct hp_store_hive *hive,
		struct ntvol_dirent **d, size_t *n, char **shown,
		struct hp_err *e);

/* Mounts the volume for writing, once, after every check (the first
 * write of the store does). */
int nt_need_rw(struct nt_store *s, struct hp_err *e);

/* A log's name of this hive: NAME.LOG, .LOG1, .LOG2 in any case. */
int nt_log_name_ok(const struct hp_store_hive *hive, const char *name);

/* The file `name` of the hive (NULL: the hive) for messages. */
char *nt_file_where(const struct nt_store *s, struct hp_store_hive *hive,
		    const char *name);

/* The hive's file open for writing, or NULL. */
struct nt_file *nt_rw_find(struct nt_hive *nh, const char *name);
int nt_rw_close(struct nt_file *f);

/* The store's in-place operations (hp_store_ops). */
int nt_write_at(void *priv, struct hp_store_hive *hive, const char *name,
		uint64_t off, const void *buf, size_t len, struct hp_err *e);
int nt_set_size(void *priv, struct hp_store_hive *hive, const char *name,
		uint64_t size, struct hp_err *e);
int nt_sync(void *priv, struct hp_store_hive *hive, const char *name,
	    struct hp_err *e);
int nt_remove_log(void *priv, struct hp_store_hive *hive, const char *name,
		  struct hp_err *e);
int nt_write_log(void *priv, struct hp_store_hive *hive, const char *name,
		 int src_fd, hp_check_fn check, void *arg, struct hp_err *e);

#endif
