/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What an NTFS volume is, and whether Windows left it fit to be written
 * (store_ntfs.h, ntfs_vol.h).  The checks are those libntfs-3g makes
 * before it mounts a volume for writing (volume.c: hiberfil.sys,
 * $LogFile), made here on a read-only mount so that they can be told
 * apart and named, plus what it leaves to its callers: the dirty flag,
 * and a hiberfil.sys that says "wake". */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ntfs_vol.h"

#include <ntfs-3g/logfile.h>

#include "store_ntfs.h"

#define SHUT_DOWN "do a full shutdown: powercfg /h off, or shutdown /s /f " \
	"/t 0 on Windows"

/* The first bytes of hiberfil.sys in the root, in sig (NUL-terminated,
 * "" when it is absent); *n how many of its first 4096 it has. */
static int
hiberfil_head(struct ntvol *v, const char *part, char sig[5], s64 *n,
	      struct hp_err *e)
{
	struct ntvol_dirent *d;
	unsigned char head[4096];
	ntfs_inode *ni = NULL;
	ntfs_attr *na = NULL;
	size_t cnt, i;
	int rc = -1;

	sig[0] = '\0';
	*n = 0;
	if ((ni = ntfs_inode_open(v->vol, FILE_root)) == NULL)
		return ntvol_fail(v, errno, e, "%s: cannot open the root "
		    "directory", part);
	if (ntvol_readdir(v, ni, part, &d, &cnt, e) == -1) {
		ntfs_inode_close(ni);
		return -1;
	}
	ntfs_inode_close(ni);
	ni = NULL;
	if (ntvol_match(v, d, cnt, "hiberfil.sys", part, &i, e) == -1)
		goto out;
	rc = 0;
	if (i == cnt)
		goto out;
	rc = -1;
	if ((ni = ntfs_inode_open(v->vol, MREF(d[i].mref))) == NULL ||
	    (na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0)) == NULL ||
	    (*n = ntfs_attr_pread(na, 0, sizeof(head), head)) < 0) {
		ntvol_fail(v, errno, e, "%s/hiberfil.sys: cannot read", part);
		goto out;
	}
	if (*n >= 4) {
		memcpy(sig, head, 4);
		sig[4] = '\0';
	}
	rc = 0;
out:
	if (na != NULL)
		ntfs_attr_close(na);
	if (ni != NULL)
		ntfs_inode_close(ni);
	ntvol_dirents_free(d, cnt);
	return rc;
}

/* Hibernation and Fast Startup, as hiberfil.sys tells them. */
static int
hiber_refusal(struct ntvol *v, const char *part, char **why,
	      struct hp_err *e)
{
	char sig[5];
	s64 n;
	int rc = 0;

	if (hiberfil_head(v, part, sig, &n, e) == -1)
		return -1;
	if (strcmp(sig, "hibr") == 0 || strcmp(sig, "HIBR") == 0)
		rc = asprintf(why, "%s: Windows is hibernated or was shut down "
		    "with Fast Startup (hiberfil.sys starts with \"%s\"): what "
		    "hivepatch wrote would be lost or destroy data when it "
		    "resumes; " SHUT_DOWN, part, sig);
	else if (strcmp(sig, "wake") == 0)
		rc = asprintf(why, "%s: Windows resumed from hibernation or "
		    "Fast Startup and was not shut down fully (hiberfil.sys "
		    "starts with \"wake\"); " SHUT_DOWN, part);
	else if (ntfs_volume_check_hiberfile(v->vol, 0) == -1)
		rc = asprintf(why, "%s: libntfs-3g takes it for hibernated "
		    "(hiberfil.sys: %s); " SHUT_DOWN, part, errno == EPERM ?
		    "shorter than its 4096-byte header" : strerror(errno));
	if (rc == -1) {
		*why = NULL;
		return hp_err_nomem(e);
	}
	return 0;
}

/* $LogFile, checked as libntfs-3g checks it before mounting for
 * writing (volume.c, ntfs_volume_check_logfile). */
static int
logfile_refusal(struct ntvol *v, const char *part, char **why,
		struct hp_err *e)
{
	RESTART_PAGE_HEADER *rp = NULL;
	ntfs_inode *ni;
	ntfs_attr *na;
	int clean, cached, rc = 0;

	if ((ni = ntfs_inode_open(v->vol, FILE_LogFile)) == NULL)
		return ntvol_fail(v, errno, e, "%s: cannot open $LogFile", part);
	if ((na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0)) == NULL) {
		ntfs_inode_close(ni);
		return ntvol_fail(v, errno, e, "%s: cannot open $LogFile", part);
	}
	clean = ntfs_check_logfile(na, &rp) && ntfs_is_logfile_clean(na, rp);
	/* Version 2.0: Windows keeps the metadata cached (Fast Startup, or
	 * the power went while it was mounted). */
	cached = rp != NULL && le16_to_cpu(rp->major_ver) == 2 &&
	    le16_to_cpu(rp->minor_ver) == 0;
	free(rp);
	ntfs_attr_close(na);
	ntfs_inode_close(ni);
	if (cached)
		rc = asprintf(why, "%s: its $LogFile says Windows keeps the "
		    "volume's metadata cached (Fast Startup, or the power went "
		    "while it ran): what hivepatch wrote would be lost or "
		    "destroy data; " SHUT_DOWN, part);
	else if (!clean)
		rc = asprintf(why, "%s: its $LogFile is not clean (Windows did "
		    "not shut down cleanly): boot Windows and shut it down "
		    "fully, or run chkdsk /f, before patching it", part);
	if (rc == -1) {
		*why = NULL;
		return hp_err_nomem(e);
	}
	return 0;
}

int
ntvol_refusal(struct ntvol *v, const char *part, char **why,
	      struct hp_err *e)
{
	*why = NULL;
	if (hiber_refusal(v, part, why, e) == -1)
		return -1;
	if (*why == NULL && logfile_refusal(v, part, why, e) == -1)
		return -1;
	if (*why == NULL && (v->vol->flags & VOLUME_IS_DIRTY) &&
	    asprintf(why, "%s: NTFS marks the volume dirty (Windows did not "
	    "shut down cleanly, or found an error): run chkdsk /f on Windows "
	    "and shut it down fully before patching it", part) == -1) {
		*why = NULL;
		return hp_err_nomem(e);
	}
	return 0;
}

static int
set_str(char **dst, const char *s, struct hp_err *e)
{
	free(*dst);
	if ((*dst = strdup(s)) == NULL)
		return hp_err_nomem(e);
	return 0;
}

/* Windows/System32/config holds SOFTWARE or SYSTEM.  1 yes, 0 no, -1
 * when the device failed. */
static int
has_windows(struct ntvol *v, const char *part, struct hp_err *e)
{
	static const char *const hives[] = {
		"Windows/System32/config/SOFTWARE",
		"Windows/System32/config/SYSTEM",
	};
	MFT_REF dir, ref;
	struct hp_err why;
	char *found;
	size_t i;
	int rc;

	for (i = 0; i < 2; i++) {
		memset(&why, 0, sizeof(why));
		rc = ntvol_walk(v, hives[i], part, &dir, &ref, &found, &why);
		free(found);
		if (rc == 0)
			return 1;
		if (why.reason == HP_R_IO || why.reason == HP_R_NO_MEMORY) {
			*e = why;
			return -1;
		}
	}
	return 0;
}

/* The mounted volume: its label, its Windows, and why it may not be
 * written. */
static int
examine_mounted(struct ntvol *v, const char *part_name,
		struct hp_image_part *part, struct hp_err *e)
{
	int win;

	if ((part->name == NULL || part->name[0] == '\0') &&
	    set_str(&part->name, v->vol->vol_name ? v->vol->vol_name : "",
	    e) == -1)
		return -1;
	if ((win = has_windows(v, part_name, e)) == -1)
		return -1;
	part->windows = win;
	/* Whether hivepatch can write the volume, however it was opened:
	 * a store on a device opened read-only refuses writes itself. */
	if (ntvol_refusal(v, part_name, &part->why_not, e) == -1)
		return -1;
	part->writable = part->why_not == NULL;
	return 0;
}

int
ntfs_volume_examine(struct blockdev *bd, const char *part_name,
		    struct hp_image_part *part, struct hp_err *e)
{
	unsigned char bs[512];
	struct ntvol v;
	struct hp_err why;
	int rc;

	part->windows = 0;
	part->writable = 0;
	free(part->why_not);
	part->why_not = NULL;
	if (bd->size >= sizeof(bs) && blockdev_pread(bd, bs, sizeof(bs), 0,
	    e) == -1)
		return -1;
	if (bd->size >= sizeof(bs) && memcmp(bs + 3, "-FVE-FS-", 8) == 0) {
		if (set_str(&part->fs, "bitlocker", e) == -1)
			return -1;
		rc = asprintf(&part->why_not, "%s: encrypted with BitLocker "
		    "(-FVE-FS-): hivepatch cannot read or write it; decrypt it "
		    "first (manage-bde -off on Windows)", part_name);
	} else if (bd->size < sizeof(bs) || memcmp(bs + 3, "NTFS    ", 8) != 0) {
		if (set_str(&part->fs, "", e) == -1)
			return -1;
		rc = asprintf(&part->why_not, "%s: not an NTFS volume",
		    part_name);
	} else {
		if (set_str(&part->fs, "ntfs", e) == -1)
			return -1;
		memset(&why, 0, sizeof(why));
		if (ntvol_mount(&v, bd, 0, &why) == -1) {
			/* Not NTFS after all, unless the device failed. */
			if (why.reason != HP_R_IO || v.dev_failures > 0) {
				*e = why;
				return -1;
			}
			rc = asprintf(&part->why_not, "%s: libntfs-3g cannot "
			    "read it as NTFS (%s): run chkdsk /f on Windows",
			    part_name, why.msg);
		} else {
			rc = examine_mounted(&v, part_name, part, e);
			if (ntvol_umount(&v, rc == 0 ? e : &why) == -1)
				rc = -1;
			return rc;
		}
	}
	if (rc == -1) {
		part->why_not = NULL;
		return hp_err_nomem(e);
	}
	return 0;
}
