/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Commit by replacement in a host directory (see commit.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "commit.h"
#include "error.h"
#include "target.h"

#define COPY_CHUNK (1u << 20)

/* Opens `name` in the directory (O_RDONLY or O_WRONLY), never through a
 * link, and only if it is a regular file. */
static int
open_at(const struct dir_ref *dir, const char *name, int flags,
	struct hp_err *e)
{
	struct stat st;
	int fd;

	fd = openat(dir->fd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		if (errno == ELOOP)
			return hp_err_set(e, HP_R_SYMLINK, "%s/%s: is a symbolic "
			    "link; refusing to follow links inside the image",
			    dir->path, name);
		return hp_err_set(e, hp_errno_reason(errno),
		    "%s/%s: cannot open: %s", dir->path, name,
		    strerror(errno));
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return hp_err_set(e, HP_R_NOT_REGULAR, "%s/%s: not a regular file",
		    dir->path, name);
	}
	return fd;
}

int
open_regular_at(const struct dir_ref *dir, const char *name, struct hp_err *e)
{
	return open_at(dir, name, O_RDONLY, e);
}

/* A fresh temporary name beside `name`; the leading dot keeps it out of
 * casual listings.  Created O_EXCL, never through a link. */
static int
make_temp(const struct dir_ref *dir, const char *name, char **tmp,
	  struct hp_err *e)
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[6];
	int tries, fd, i;

	for (tries = 0; tries < 100; tries++) {
		char suffix[sizeof(rnd) + 1];

		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return hp_err_set(e, HP_R_IO, "%s: no random bytes for a "
			    "temporary name: %s", dir->path, strerror(errno));
		for (i = 0; i < (int)sizeof(rnd); i++)
			suffix[i] = digits[rnd[i] % (sizeof(digits) - 1)];
		suffix[sizeof(rnd)] = '\0';
		if (asprintf(tmp, ".%s.hivepatch-%s", name, suffix) == -1) {
			*tmp = NULL;
			return hp_err_nomem(e);
		}
		fd = openat(dir->fd, *tmp, O_RDWR | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST) {
			hp_err_set(e, hp_errno_reason(errno), "%s/%s: cannot "
			    "create the temporary file %s beside it: %s",
			    dir->path, name, *tmp, strerror(errno));
			free(*tmp);
			*tmp = NULL;
			return -1;
		}
		free(*tmp);
		*tmp = NULL;
	}
	return hp_err_set(e, HP_R_IO, "%s: cannot find a free temporary name",
	    dir->path);
}

/* Copies src_fd from its start into dst_fd, which is empty: in the
 * kernel where it can (sendfile takes a memfd to any file), else through
 * a buffer. */
static int
copy_all(int src_fd, int dst_fd, const char *dst, struct hp_err *e)
{
	unsigned char *buf;
	off_t in = 0, out = 0;
	ssize_t n, w;

	while ((n = sendfile(dst_fd, src_fd, &in, COPY_CHUNK)) > 0 ||
	    (n == -1 && errno == EINTR))
		;
	if (n == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return hp_err_set(e, hp_errno_reason(errno), "%s: cannot write: %s",
		    dst, strerror(errno));
	out = in;
	if ((buf = malloc(COPY_CHUNK)) == NULL)
		return hp_err_nomem(e);
	while ((n = pread(src_fd, buf, COPY_CHUNK, in)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		in += n;
		for (ssize_t done = 0; done < n; done += w) {
			w = pwrite(dst_fd, buf + done, (size_t)(n - done), out);
			if (w <= 0 && !(w < 0 && errno == EINTR)) {
				free(buf);
				return hp_err_set(e, hp_errno_reason(errno),
				    "%s: cannot write: %s", dst, w < 0 ?
				    strerror(errno) : "short write");
			}
			if (w > 0)
				out += w;
			else
				w = 0;
		}
	}
	free(buf);
	if (n < 0)
		return hp_err_set(e, hp_errno_reason(errno), "%s: cannot read "
		    "the new bytes: %s", dst, strerror(errno));
	return 0;
}

/* Gives the temporary file the mode and owner the file had (or
 * mode_if_new), and syncs it. */
static int
settle(int fd, const char *tmp, const struct stat *orig, unsigned mode_if_new,
       struct hp_err *e)
{
	mode_t mode = orig != NULL ? orig->st_mode & 07777 : mode_if_new;

	if (fchmod(fd, mode) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot set mode: %s", tmp,
		    strerror(errno));
	if (orig != NULL && (orig->st_uid != geteuid() ||
	    orig->st_gid != getegid()) &&
	    fchown(fd, orig->st_uid, orig->st_gid) == -1)
		return hp_err_set(e, HP_R_IO,
		    "%s: cannot keep the hive's owner %ld:%ld: %s", tmp,
		    (long)orig->st_uid, (long)orig->st_gid, strerror(errno));
	if (fsync(fd) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot sync: %s", tmp,
		    strerror(errno));
	return 0;
}

/* Attributes a file system has but does not list: ntfs-3g's NTFS
 * security descriptor and file attributes (hidden, system). */
static const char unlisted[] = "system.ntfs_acl\0system.ntfs_attrib_be\0";

/* Copies the extended attributes of `name` (the file being replaced)
 * to fd, each it can (an NTFS security descriptor on an ntfs-3g mount,
 * say, needs the rights to set it); *lost lists the others, with why. */
static int
copy_xattrs(const struct dir_ref *dir, const char *name, int fd, char **lost,
	    struct hp_err *e)
{
	char *names = NULL, *value = NULL, *p;
	ssize_t len = -1, vlen;
	size_t used = 0;
	int ofd;

	*lost = NULL;
	ofd = openat(dir->fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (ofd == -1)
		return 0;	/* nothing to keep */
	len = flistxattr(ofd, NULL, 0);
	if ((names = malloc((len > 0 ? (size_t)len : 0) +
	    sizeof(unlisted))) == NULL) {
		close(ofd);
		return hp_err_nomem(e);
	}
	len = len > 0 ? flistxattr(ofd, names, (size_t)len) : 0;
	if (len < 0)
		len = 0;
	memcpy(names + len, unlisted, sizeof(unlisted));
	len += (ssize_t)sizeof(unlisted) - 1;
	for (p = names; p < names + len; p += strlen(p) + 1) {
		int err = 0;

		errno = 0;
		vlen = fgetxattr(ofd, p, NULL, 0);
		if (vlen < 0 && (errno == ENODATA || errno == ENOTSUP) &&
		    memmem(unlisted, sizeof(unlisted), p, strlen(p) + 1) != NULL)
			continue;	/* not on this file system */
		if (vlen < 0 || (value = realloc(value, vlen ? (size_t)vlen :
		    1)) == NULL || fgetxattr(ofd, p, value, (size_t)vlen) !=
		    vlen || fsetxattr(fd, p, value, (size_t)vlen, 0) == -1)
			err = errno ? errno : ENOMEM;
		if (err != 0) {
			size_t add = strlen(p) + strlen(strerror(err)) + 6;
			char *grown = realloc(*lost, used + add);

			if (grown == NULL) {
				close(ofd);
				free(names);
				free(value);
				return hp_err_nomem(e);
			}
			*lost = grown;
			used += (size_t)snprintf(*lost + used, add, "%s%s (%s)",
			    used ? ", " : "", p, strerror(err));
		}
	}
	close(ofd);
	free(names);
	free(value);
	return 0;
}

/* Removes the temporary file of a replacement that did not happen, and
 * says so in e (when not NULL): the file it was for is unchanged. */
static void
gone(const struct dir_ref *dir, const char *name, const char *tmp,
     struct hp_err *e)
{
	if (unlinkat(dir->fd, tmp, 0) == -1)
		hp_err_append(e, " (the temporary file %s/%s could not be "
		    "removed: %s; %s is unchanged)", dir->path, tmp,
		    strerror(errno), name);
	else
		hp_err_append(e, " (the temporary file was removed; %s is "
		    "unchanged)", name);
}

/* After the rename: the directory entry is durable and leads to the
 * file that was checked. */
static int
settle_rename(const struct dir_ref *dir, const char *name,
	      const struct stat *written, struct hp_err *e)
{
	struct stat now;

	if (fsync(dir->fd) == -1)
		return hp_err_set(e, HP_R_IO, "%s/%s: cannot sync its directory: "
		    "%s", dir->path, name, strerror(errno));
	if (fstatat(dir->fd, name, &now, AT_SYMLINK_NOFOLLOW) == -1 ||
	    now.st_dev != written->st_dev || now.st_ino != written->st_ino)
		return hp_err_set(e, HP_R_NOT_VERIFIED, "%s/%s: after the rename "
		    "the name does not lead to the file written", dir->path,
		    name);
	return 0;
}

int
commit_replace(const struct dir_ref *dir, const char *name, const char *what,
	       int src_fd, unsigned mode_if_new, hp_check_fn check,
	       void *check_arg, int *replaced, int *locked, char **lost,
	       struct hp_err *e)
{
	char *not_kept = NULL;

	if (lost != NULL)
		*lost = NULL;
	struct stat orig, written;
	char *tmp = NULL, *shown = NULL;
	int fd, have_orig, rc = -1;

	*replaced = 0;
	if (locked != NULL)
		*locked = -1;
	have_orig = fstatat(dir->fd, name, &orig, AT_SYMLINK_NOFOLLOW) == 0;
	if (!have_orig && errno != ENOENT)
		return hp_err_set(e, hp_errno_reason(errno), "%s/%s: %s",
		    dir->path, name, strerror(errno));
	fd = make_temp(dir, name, &tmp, e);
	if (fd == -1)
		return -1;
	/* Messages blame the file being replaced; the temporary file is
	 * named as such, and said removed (below). */
	if (asprintf(&shown, "%s/%s: the temporary file %s for the new %s",
	    dir->path, name, tmp, what) == -1) {
		shown = NULL;
		hp_err_nomem(e);
		goto out;
	}
	if (copy_all(src_fd, fd, shown, e) == -1 ||
	    (have_orig && copy_xattrs(dir, name, fd, &not_kept, e) == -1) ||
	    settle(fd, shown, have_orig ? &orig : NULL, mode_if_new, e) == -1 ||
	    (check != NULL && check(check_arg, fd, e) == -1))
		goto out;
	if (fstat(fd, &written) == -1 ||
	    (locked != NULL && flock(fd, LOCK_EX | LOCK_NB) == -1)) {
		hp_err_set(e, HP_R_IO, "%s: %s", shown, strerror(errno));
		goto out;
	}
	if (renameat(dir->fd, tmp, dir->fd, name) == -1) {
		hp_err_set(e, HP_R_IO, "%s/%s: cannot rename the new %s into "
		    "place: %s", dir->path, name, what, strerror(errno));
		goto out;
	}
	*replaced = 1;
	rc = settle_rename(dir, name, &written, e);
	if (locked != NULL) {
		*locked = fd;
		fd = -1;
	}
out:
	if (lost != NULL && *replaced) {
		*lost = not_kept;
		not_kept = NULL;
	}
	free(not_kept);
	if (fd != -1)
		close(fd);
	if (!*replaced)
		gone(dir, name, tmp, rc == -1 ? e : NULL);
	free(tmp);
	free(shown);
	return rc;
}

int
commit_truncate(const struct dir_ref *dir, const char *name,
		const struct stat *owner, struct hp_err *e)
{
	int fd = open_at(dir, name, O_WRONLY, e);
	struct stat st;
	char why[128];

	if (fd == -1)
		return -1;
	/* Never through a link to a file outside the directory, nor
	 * another owner's file. */
	if (fstat(fd, &st) == -1) {
		close(fd);
		return hp_err_set(e, HP_R_IO, "%s/%s: %s", dir->path, name,
		    strerror(errno));
	}
	if (target_log_foreign(&st, owner, why, sizeof(why))) {
		close(fd);
		return hp_err_set(e, HP_R_FOREIGN_LOG, "%s/%s: has a log's name "
		    "but %s: not a log of this hive, not emptied", dir->path,
		    name, why);
	}
	if (ftruncate(fd, 0) == -1 || fsync(fd) == -1) {
		int saved = errno;

		close(fd);
		return hp_err_set(e, HP_R_IO, "%s/%s: cannot empty the log: %s",
		    dir->path, name, strerror(saved));
	}
	close(fd);
	return 0;
}
