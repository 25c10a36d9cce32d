/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What libntfs-3g says of a file in an NTFS volume (ntfsmeta.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/volume.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/security.h>

#include "ntfsmeta.h"

int
ntfsmeta_get(const char *volume, const char *path, char *sd, size_t size,
	     int *sd_len, uint32_t *attrib, char *why, size_t why_len)
{
	ntfs_volume *vol = ntfs_mount(volume, NTFS_MNT_RDONLY);
	struct SECURITY_CONTEXT scx;
	ntfs_inode *ni;
	le32 a;
	int rc = -1;

	if (vol == NULL) {
		snprintf(why, why_len, "%s: ntfs_mount: %s", volume,
		    strerror(errno));
		return -1;
	}
	if ((ni = ntfs_pathname_to_inode(vol, NULL, path)) == NULL) {
		snprintf(why, why_len, "%s: %s: %s", volume, path,
		    strerror(errno));
		ntfs_umount(vol, FALSE);
		return -1;
	}
	memset(&scx, 0, sizeof(scx));
	scx.vol = vol;
	*sd_len = ntfs_get_ntfs_acl(&scx, ni, sd, size);
	if (*sd_len <= 0 || (size_t)*sd_len > size)
		snprintf(why, why_len, "%s: %s: no security descriptor read",
		    volume, path);
	else if (ntfs_get_ntfs_attrib(ni, (char *)&a, sizeof(a)) !=
	    (int)sizeof(a))
		snprintf(why, why_len, "%s: %s: no attributes read", volume,
		    path);
	else {
		*attrib = le32_to_cpu(a);
		rc = 0;
	}
	ntfs_inode_close(ni);
	ntfs_umount(vol, FALSE);
	return rc;
}
