/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The NTFS volume a replaced file is added to a WIM from.  wimlib adds a
 * file from a plain directory with no security descriptor and with the
 * attributes and times of the host file; added from an NTFS volume
 * (WIMLIB_ADD_FLAG_NTFS) it takes them from the volume.  So the new
 * bytes go into a small volume that mkntfs makes in a sparse file, with
 * the old file's security descriptor, attributes, times and short name
 * set through libntfs-3g. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "wim.h"

/* After hivepatch.h and <time.h>: ntfs-3g's headers redeclare time(). */
#include <ntfs-3g/types.h>
#include <ntfs-3g/attrib.h>
#include <ntfs-3g/dir.h>
#include <ntfs-3g/inode.h>
#include <ntfs-3g/security.h>
#include <ntfs-3g/unistr.h>
#include <ntfs-3g/volume.h>

/* The attributes a file's own metadata holds (ntfs-3g sets no others:
 * sparse, compressed and the like follow from how it is stored). */
#define SETTABLE (WIMLIB_FILE_ATTRIBUTE_READONLY | \
	WIMLIB_FILE_ATTRIBUTE_HIDDEN | WIMLIB_FILE_ATTRIBUTE_SYSTEM | \
	WIMLIB_FILE_ATTRIBUTE_ARCHIVE | WIMLIB_FILE_ATTRIBUTE_TEMPORARY | \
	WIMLIB_FILE_ATTRIBUTE_OFFLINE | \
	WIMLIB_FILE_ATTRIBUTE_NOT_CONTENT_INDEXED)

#define MIB (1024ull * 1024)

/* A sparse file of `size` bytes, unlinked at once (nothing is left
 * behind, even by a run that is killed), made an NTFS volume by mkntfs:
 * a child with no environment, given the file as its descriptor 3, its
 * output thrown away (the library never prints). */
static int
make_volume(uint64_t size, int *fd, const char *where, struct hp_err *e)
{
	char *const argv[] = { (char *)MKNTFS, (char *)"-F", (char *)"-Q",
	    (char *)"-q", (char *)"/proc/self/fd/3", NULL };
	char *const envp[] = { NULL };
	char path[64];
	posix_spawn_file_actions_t fa;
	int rc, status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/hivepatch-ntfs-XXXXXX", P_tmpdir);
	if ((*fd = mkostemp(path, O_CLOEXEC)) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot make the volume its "
		    "new bytes are added from (%s): %s", where, path,
		    strerror(errno));
	(void)unlink(path);
	if (ftruncate(*fd, (off_t)size) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot make the volume its "
		    "new bytes are added from: %s", where, strerror(errno));
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
		return hp_err_set(e, HP_R_IO, "%s: %s", where, strerror(rc));
	rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
		    O_WRONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, *fd, 3);
	if (rc == 0)
		rc = posix_spawn(&pid, MKNTFS, &fa, NULL, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return hp_err_set(e, HP_R_IO, "%s: cannot run %s: %s", where,
		    MKNTFS, strerror(rc));
	while ((rc = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
		;
	if (rc == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return hp_err_set(e, HP_R_IO, "%s: %s could not make the volume "
		    "its new bytes are added from", where, MKNTFS);
	return 0;
}

/* The bytes of src_fd, from offset 0 to its end, into ni's data. */
static int
copy_data(ntfs_inode *ni, int src_fd, const char *where, struct hp_err *e)
{
	char buf[1 << 16];
	ntfs_attr *na;
	s64 off = 0;
	ssize_t n;
	int rc = 0;

	if ((na = ntfs_attr_open(ni, AT_DATA, AT_UNNAMED, 0)) == NULL)
		return hp_err_set(e, HP_R_IO, "%s: ntfs-3g: %s", where,
		    strerror(errno));
	while (rc == 0 && (n = pread(src_fd, buf, sizeof(buf), off)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			rc = hp_err_set(e, HP_R_IO, "%s: cannot read its new bytes: "
			    "%s", where, strerror(errno));
		else if (ntfs_attr_pwrite(na, off, n, buf) != n)
			rc = hp_err_set(e, HP_R_IO, "%s: cannot put its new bytes "
			    "in the volume they are added from: %s", where,
			    strerror(errno));
		else
			off += n;
	}
	ntfs_attr_close(na);
	return rc;
}

/* The metadata of `like` on ni: security descriptor, attributes, and
 * times last (setting the others changes them). */
static int
set_meta(ntfs_volume *vol, ntfs_inode *ni, const struct wim_entry *like,
	 const char *where, struct hp_err *e)
{
	struct SECURITY_CONTEXT scx;
	uint32_t attr = like->attributes & SETTABLE;
	uint64_t times[3];

	memset(&scx, 0, sizeof(scx));
	scx.vol = vol;
	if (like->sd != NULL && ntfs_set_ntfs_acl(&scx, ni, like->sd,
	    like->sd_size, 0) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot keep its security "
		    "descriptor (%zu bytes; ntfs-3g: %s)", where, like->sd_size,
		    strerror(errno));
	if (ntfs_set_ntfs_attrib(ni, (const char *)&attr, sizeof(attr), 0) ==
	    -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot keep its attributes "
		    "(ntfs-3g: %s)", where, strerror(errno));
	memcpy(times, like->times, sizeof(times));
	if (ntfs_inode_set_times(ni, (const char *)times, sizeof(times), 0) ==
	    -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot keep its times "
		    "(ntfs-3g: %s)", where, strerror(errno));
	return 0;
}

/* The short name, which ntfs-3g sets by closing both inodes; they are
 * opened again. */
static int
set_dos_name(ntfs_volume *vol, ntfs_inode **ni, ntfs_inode **root,
	     const char *name, const char *dos, const char *where,
	     struct hp_err *e)
{
	char path[1024];

	if (ntfs_set_ntfs_dos_name(*ni, *root, dos, strlen(dos), 0) != 0) {
		/* Closed on some failures, not on others: reopen to know. */
		*ni = *root = NULL;
		return hp_err_set(e, HP_R_IO, "%s: cannot keep its short name "
		    "'%s' (ntfs-3g: %s)", where, dos, strerror(errno));
	}
	snprintf(path, sizeof(path), "/%s", name);
	*root = ntfs_inode_open(vol, FILE_root);
	*ni = ntfs_pathname_to_inode(vol, NULL, path);
	if (*root == NULL || *ni == NULL)
		return hp_err_set(e, HP_R_IO, "%s: ntfs-3g: %s", where,
		    strerror(errno));
	return 0;
}

static int
fill_volume(ntfs_volume *vol, const char *name, int src_fd,
	    const struct wim_entry *like, const char *where, struct hp_err *e)
{
	ntfs_inode *root, *ni = NULL;
	ntfschar *uname = NULL;
	int len, rc = -1;

	if ((root = ntfs_inode_open(vol, FILE_root)) == NULL)
		return hp_err_set(e, HP_R_IO, "%s: ntfs-3g: %s", where,
		    strerror(errno));
	len = ntfs_mbstoucs(name, &uname);
	if (len <= 0 || len > 255)
		hp_err_set(e, HP_R_IO, "%s: a name NTFS cannot hold", where);
	else if ((ni = ntfs_create(root, const_cpu_to_le32(0), uname,
	    (u8)len, S_IFREG)) == NULL)
		hp_err_set(e, HP_R_IO, "%s: ntfs-3g: %s", where,
		    strerror(errno));
	else if (src_fd >= 0 && copy_data(ni, src_fd, where, e) == -1)
		;
	else if (like->dos_name != NULL && set_dos_name(vol, &ni, &root, name,
	    like->dos_name, where, e) == -1)
		;
	else
		rc = set_meta(vol, ni, like, where, e);
	free(uname);
	/* Closed in its open parent: ntfs_inode_close would open the root
	 * a second time to update its index entry. */
	if (ni != NULL && (root != NULL ? ntfs_inode_close_in_dir(ni, root) :
	    ntfs_inode_close(ni)) != 0 && rc == 0)
		rc = hp_err_set(e, HP_R_IO, "%s: ntfs-3g: %s", where,
		    strerror(errno));
	if (root != NULL)
		ntfs_inode_close(root);
	return rc;
}

int
wim_ntfs_stage(const char *name, int src_fd, const struct wim_entry *like,
	       int *vol_fd, char *vol_path, size_t len, const char *where,
	       struct hp_err *e)
{
	uint64_t size = 0;
	ntfs_volume *vol;
	struct stat st;
	int rc;

	*vol_fd = -1;
	if (src_fd >= 0) {
		if (fstat(src_fd, &st) == -1)
			return hp_err_set(e, HP_R_IO, "%s: %s", where,
			    strerror(errno));
		size = (uint64_t)st.st_size;
	}
	/* Room for the file, the MFT and its zone, the logfile: sparse,
	 * so what is not written costs nothing. */
	if (make_volume((size + size / 4 + 32 * MIB + MIB - 1) / MIB * MIB,
	    vol_fd, where, e) == -1)
		return -1;
	snprintf(vol_path, len, "/proc/self/fd/%d", *vol_fd);
	if ((vol = ntfs_mount(vol_path, 0)) == NULL)
		return hp_err_set(e, HP_R_IO, "%s: cannot open the volume its "
		    "new bytes are added from (ntfs-3g: %s)", where,
		    strerror(errno));
	rc = fill_volume(vol, name, src_fd, like, where, e);
	if (ntfs_umount(vol, FALSE) != 0 && rc == 0)
		rc = hp_err_set(e, HP_R_IO, "%s: cannot close the volume its new "
		    "bytes are added from (ntfs-3g: %s)", where,
		    strerror(errno));
	return rc;
}
