/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An NTFS volume mounted by libntfs-3g over a block device (blockdev.h)
 * through this library's own device operations, and what the NTFS store
 * (store_ntfs.c) and ntfs_volume_examine need of it: names found in any
 * letter case, never through a reparse point, files copied out, and the
 * checks that say whether Windows left the volume fit to be written. */
#ifndef HIVEPATCH_NTFS_VOL_H
#define HIVEPATCH_NTFS_VOL_H

#include <stdint.h>
#include <time.h>	/* before libntfs-3g's headers, which need it */

#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/volume.h>

#include "blockdev.h"
#include "error.h"

struct ntvol {
	struct blockdev *bd;
	ntfs_volume *vol;	/* NULL when not mounted */
	int rw;			/* mounted for writing */
	s64 pos;		/* the device's offset for read and write */
	struct hp_err dev_err;	/* the device's last failure, which the
				 * message of the libntfs-3g call that
				 * met it carries */
	unsigned dev_failures;	/* how many device calls failed */
};

/* Mounts the volume on bd, read-only unless rw.  A read-write mount runs
 * libntfs-3g's own checks first (hiberfil.sys, $LogFile): it fails on a
 * hibernated volume or one with an unclean journal, naming why. */
int ntvol_mount(struct ntvol *v, struct blockdev *bd, int rw,
		struct hp_err *e);

/* Unmounts (everything written is synced first); -1 with e set when
 * libntfs-3g could not write what it held.  Safe when not mounted. */
int ntvol_umount(struct ntvol *v, struct hp_err *e);

/* Sets e for a libntfs-3g call that failed with errno err: "WHAT: the
 * device's own error" when the device failed, else "WHAT: strerror".
 * Returns -1. */
int ntvol_fail(struct ntvol *v, int err, struct hp_err *e, const char *fmt,
	       ...) __attribute__((format(printf, 4, 5)));

/* A directory's entries, with their names as the volume spells them
 * (DOS 8.3 aliases left out). */
struct ntvol_dirent {
	char *name;		/* UTF-8 */
	ntfschar *uname;
	int ulen;
	MFT_REF mref;
};

int ntvol_readdir(struct ntvol *v, ntfs_inode *dir, const char *shown,
		  struct ntvol_dirent **out, size_t *n, struct hp_err *e);
void ntvol_dirents_free(struct ntvol_dirent *d, size_t n);

/* The entry named `want`: the exact spelling, else the one name that
 * matches in another case (HP_R_AMBIGUOUS when two do).  *i is n when
 * none matches. */
int ntvol_match(struct ntvol *v, const struct ntvol_dirent *d, size_t n,
		const char *want, const char *shown, size_t *i,
		struct hp_err *e);

/* Follows `path` ("Windows/System32/config/SOFTWARE") from the root of
 * the volume, matching every component in any letter case: none may be
 * a reparse point (a symbolic link or a junction: HP_R_SYMLINK), every
 * one but the last must be a directory (HP_R_NOT_FOUND), the last a
 * plain file (HP_R_NOT_REGULAR).  Sets the last directory and the
 * file's references, and *found, the path as the volume spells it.
 * `shown` names the volume in messages. */
int ntvol_walk(struct ntvol *v, const char *path, const char *shown,
	       MFT_REF *dir_ref, MFT_REF *ref, char **found, struct hp_err *e);

/* Why the file ni is no plain file (a directory, a reparse point,
 * encrypted; with names: more than one name other than its DOS alias),
 * into why; 0 when it is one, else the reason. */
enum hp_reason ntvol_not_plain(ntfs_inode *ni, int names, char *why,
			       size_t len);

/* The unnamed $DATA of the file `ref` copied into a new memfd (named
 * `where` in messages), at most `max` bytes (HP_R_OVER_LIMIT above). */
int ntvol_copy_out(struct ntvol *v, MFT_REF ref, ntfs_attr *open_na,
		   const char *where, uint64_t max, int *fd, uint64_t *size,
		   struct hp_err *e);

/* Whether Windows left the mounted volume fit to be written: NULL when
 * it did, else why not, one line naming `part` (malloc'd in *why):
 * hibernation or Fast Startup (hiberfil.sys), a $LogFile that is not
 * clean or holds Fast Startup's cached metadata, the dirty flag.  -1
 * only when out of memory. */
int ntvol_refusal(struct ntvol *v, const char *part, char **why,
		  struct hp_err *e);

#endif
