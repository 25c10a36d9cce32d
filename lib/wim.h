/* SPDX-License-Identifier: GPL-3.0-or-later */
/* WIM and ESD images through wimlib: the backend (image_wim.c), the
 * store over one image (store_wim.c), and the NTFS volume a replaced
 * file is added from, so that it keeps its security descriptor,
 * attributes and times (wim_ntfs.c). */
#ifndef HIVEPATCH_WIM_H
#define HIVEPATCH_WIM_H

#include <stddef.h>
#include <stdint.h>

#include <wimlib.h>

#include "dynlib.h"
#include "image.h"

/* The wimlib functions hivepatch calls, loaded with the first WIM
 * (dynlib.h): a run on a plain hive never loads wimlib. */
#define WIMLIB_FUNCTIONS(F) \
	F(wimlib_, open_wim) F(wimlib_, get_wim_info) F(wimlib_, free) \
	F(wimlib_, get_error_string) F(wimlib_, iterate_dir_tree) \
	F(wimlib_, reference_resource_files) F(wimlib_, get_image_name) \
	F(wimlib_, get_image_property) F(wimlib_, extract_paths) \
	F(wimlib_, update_image) F(wimlib_, overwrite)

struct wim_api {
	WIMLIB_FUNCTIONS(DYNLIB_MEMBER)
};
extern struct wim_api wimfn;

/* What the backend keeps of a WIM file (img->priv). */
struct wim_file {
	WIMStruct *wim;		/* the file as it is now */
	struct wimlib_wim_info info;
	char fd_path[32];	/* /proc/self/fd/N of img->fd: wimlib opens
				 * the very file image.c opened and locked,
				 * and can make no file beside it */
	int format_ok;		/* hivepatch can write a WIM like it */
	int writable;		/* ... and it was opened for writing: its
				 * stores write */
	char *why_not;		/* else why (one line naming the file) */
};

/* A file or directory of an image, as a commit must keep it. */
struct wim_entry {
	char *name;		/* as the image spells it */
	char *path;		/* from the root: "/Windows/System32/..." */
	uint32_t attributes;	/* WIMLIB_FILE_ATTRIBUTE_* */
	uint32_t links;
	uint64_t size;		/* of its unnamed data stream */
	uint8_t sha1[20];	/* and its hash (zero: empty) */
	char *sd;		/* security descriptor, NULL: none */
	size_t sd_size;
	char *dos_name;		/* short name, NULL: none */
	uint64_t times[3];	/* creation, last write, last access
				 * (FILETIME) */
};

void wim_entry_free(struct wim_entry *ent);

/* A regular file: neither a directory nor a reparse point. */
int wim_entry_is_file(const struct wim_entry *ent);

/* Sets e: "FILE: what: wimlib's reason" (what is a printf format),
 * with `reason`, or HP_R_DAMAGED when wimlib's says the file is. */
int wim_err(struct hp_err *e, enum hp_reason reason, int code,
	    const char *file, const char *what, ...)
	__attribute__((format(printf, 5, 6)));

/* Opens img's file afresh into wf->wim (freeing the one it had): after
 * a commit, what is read is what the file holds. */
int wim_reopen(struct hp_image_file *img, struct hp_err *e);

/* The entries of the directory `dir` of image `image`. */
int wim_list_dir(WIMStruct *wim, int image, const char *dir,
		 struct wim_entry **list, size_t *n, const char *file,
		 struct hp_err *e);

/* The entry `path` itself (exact spelling). */
int wim_stat(WIMStruct *wim, int image, const char *path,
	     struct wim_entry *out, const char *file, struct hp_err *e);

/* Finds `rel` ("Windows/System32/config/SOFTWARE") in the image, every
 * component in any letter case, through directories only (never a
 * reparse point).  1 found (*out filled, its path as the image spells
 * it), 0 missing (why in *missing, naming `where`), -1 on error. */
int wim_resolve(WIMStruct *wim, int image, const char *rel,
		const char *where, struct wim_entry *out,
		struct hp_err *missing, const char *file, struct hp_err *e);

/* Puts the bytes of src_fd (-1: none) into a new NTFS volume, made in
 * an unlinked temporary file, as the file `name` of its root, with the
 * security descriptor, attributes, times and short name of `like`.
 * *vol_fd is the volume (the caller closes it, also on failure), and
 * vol_path the path that opens it in this process (/proc/self/fd/N). */
int wim_ntfs_stage(const char *name, int src_fd, const struct wim_entry *like,
		   int *vol_fd, char *vol_path, size_t len, const char *where,
		   struct hp_err *e);

/* The store over image part i (image_backend.store_open). */
int wim_store_open(struct hp_image_file *img, size_t i, const char *user,
		   const struct hp_store_ops **ops, void **priv,
		   struct hp_err *e);

#endif
