/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A Windows tree on an NTFS volume reached through libntfs-3g over a
 * block device (blockdev.h) with the library's own device operations:
 * no mount, no FUSE, no loop device, no root.  The hives are written in
 * place (write_at, set_size, sync, remove_log: the logged commit), and
 * keep their security descriptor and attributes. */
#ifndef HIVEPATCH_STORE_NTFS_H
#define HIVEPATCH_STORE_NTFS_H

#include "blockdev.h"
#include "hivepatch.h"

/* What the volume on bd is, read only: part->fs ("ntfs", "bitlocker",
 * or "" when neither), part->name (the volume label, when NTFS and the
 * part has no name yet), part->windows, and part->writable with
 * part->why_not ("PART: hibernated (hiberfil.sys says the system is
 * suspended; ...)": Fast Startup, hibernation, the dirty flag, an
 * unclean $LogFile, BitLocker, a read-only device).  `part_name` names
 * the part in why_not ("disk.img partition 2").  -1 only for an I/O
 * failure or no memory. */
int ntfs_volume_examine(struct blockdev *bd, const char *part_name,
			struct hp_image_part *part, struct hp_err *e);

/* A store over the Windows tree of the NTFS volume on bd, which must
 * outlive the store.  `where` prefixes every hive's path for people
 * and backups (image_where).  writable 0: mounted read-only, and every
 * write is refused with why_not (HP_R_IMAGE_UNWRITABLE). */
int store_ntfs_open(struct blockdev *bd, const char *where,
		    const char *identity, const char *user, int writable,
		    const char *why_not, const struct hp_store_ops **ops,
		    void **priv, struct hp_err *e);

#endif
