#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commit.h"
#include "hive.h"
#include "target.h"

int
hive_lock(const char *path, struct hp_err *e)
{
	struct stat locked, now;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot open: %s", path,
		    strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int saved = errno;

		close(fd);
		if (saved == EWOULDBLOCK)
			return hp_err_set(e, HP_R_LOCKED,
			    "%s: another hivepatch run is changing this hive; "
			    "try again when it has finished", path);
		return hp_err_set(e, HP_R_IO, "%s: cannot lock: %s", path,
		    strerror(saved));
	}
	/* The lock is on the inode; a run that finished meanwhile renamed a
	 * new file into place, so make sure the path is still ours. */
	if (fstat(fd, &locked) == -1 || stat(path, &now) == -1 ||
	    locked.st_ino != now.st_ino || locked.st_dev != now.st_dev) {
		close(fd);
		return hp_err_set(e, HP_R_LOCKED,
		    "%s: the hive was replaced while we waited for it; run again",
		    path);
	}
	return fd;
}

static int
fsync_dir_of(const char *path, struct hp_err *e)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (copy == NULL)
		return hp_err_nomem(e);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 || fsync(fd) == -1)
		rc = hp_err_set(e, HP_R_IO, "%s: cannot sync its directory: %s",
		    path, strerror(errno));
	if (fd != -1)
		close(fd);
	free(copy);
	return rc;
}

/* A temporary file in the hive's own directory, so that rename(2) is
 * atomic; the leading dot keeps it out of casual listings. */
static int
make_temp_beside(const char *path, char **tmp, struct hp_err *e)
{
	char *copy = strdup(path), *dir, *base;
	int fd;

	if (copy == NULL)
		return hp_err_nomem(e);
	base = strrchr(copy, '/');
	if (base == NULL) {
		dir = ".";
		base = copy;
	} else {
		*base++ = '\0';
		dir = *copy ? copy : "/";
	}
	if (asprintf(tmp, "%s/.%s.hivepatch-XXXXXX", dir, base) == -1) {
		free(copy);
		*tmp = NULL;
		return hp_err_nomem(e);
	}
	free(copy);
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd == -1) {
		hp_err_set(e, HP_R_IO, "%s: cannot create a temporary file: %s",
		    *tmp, strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	return fd;
}

/* Gives the temporary file the original's mode and owner and syncs it. */
static int
settle_temp(int fd, const char *tmp, const struct stat *orig, struct hp_err *e)
{
	if (fchmod(fd, orig->st_mode & 07777) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot set mode: %s", tmp,
		    strerror(errno));
	if ((orig->st_uid != geteuid() || orig->st_gid != getegid()) &&
	    fchown(fd, orig->st_uid, orig->st_gid) == -1)
		return hp_err_set(e, HP_R_IO,
		    "%s: cannot keep the hive's owner %ld:%ld: %s", tmp,
		    (long)orig->st_uid, (long)orig->st_gid, strerror(errno));
	if (fsync(fd) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot sync: %s", tmp,
		    strerror(errno));
	return 0;
}

/* Opens the new hive afresh and checks it holds the plan, the same
 * question `verify` asks, answered from disk, not from memory, and that
 * it walks whole.  *seq receives its sequence number. */
static int
check_written(const char *file, struct plan *plan, uint32_t *seq,
	      struct hp_err *e)
{
	struct hive_header hdr;
	struct plan check;
	hive_h *h;
	int unmet;

	if (hive_read_header(file, &hdr, e) == -1)
		return -1;
	*seq = hdr.seq_primary;
	h = hive_open(file, 0, e);
	if (h == NULL)
		return -1;
	/* Judge a copy so the caller's plan keeps its "before" data. */
	check.n_items = plan->n_items;
	check.items = calloc(plan->n_items ? plan->n_items : 1,
	    sizeof(*check.items));
	if (check.items == NULL) {
		hivex_close(h);
		return hp_err_nomem(e);
	}
	for (size_t i = 0; i < plan->n_items; i++) {
		check.items[i] = plan->items[i];
		check.items[i].before = NULL;
	}
	unmet = plan_count_unmet(h, &check, e);
	for (size_t i = 0; i < check.n_items; i++)
		free(check.items[i].before);
	free(check.items);
	if (unmet == -1) {
		hivex_close(h);
		return -1;
	}
	if (unmet > 0) {
		hivex_close(h);
		return hp_err_set(e, HP_R_NOT_VERIFIED,
		    "%s: the new hive does not hold %d of the planned values", file,
		    unmet);
	}
	if (hive_walk_all(h) == -1) {
		int saved = errno;

		hivex_close(h);
		return hp_err_set(e, HP_R_NOT_VERIFIED, "%s: the new hive does not walk "
		    "whole: %s", file, strerror(saved));
	}
	hivex_close(h);
	return 0;
}

int
commit_atomic(hive_h *h, const char *path, struct plan *plan,
	      char sha_after[SHA256_HEX_LEN + 1], uint32_t *seq_after,
	      int *replaced, struct hp_err *e)
{
	struct stat orig, written, now;
	char *tmp = NULL;
	int fd = -1, rc, saved;

	*replaced = 0;
	if (stat(path, &orig) == -1) {
		hivex_close(h);
		return hp_err_set(e, hp_errno_reason(errno), "%s: %s", path, strerror(errno));
	}
	fd = make_temp_beside(path, &tmp, e);
	if (fd == -1) {
		hivex_close(h);
		return -1;
	}
	errno = 0;
	rc = hivex_commit(h, tmp, 0);
	saved = errno;
	hivex_close(h);
	if (rc == -1) {
		hp_err_set(e, HP_R_IO, "%s: cannot write the new hive: %s",
		    path, saved ? strerror(saved) : "hivex_commit failed");
		goto fail;
	}
	if (settle_temp(fd, tmp, &orig, e) == -1)
		goto fail;
	if (check_written(tmp, plan, seq_after, e) == -1)
		goto fail;
	if (sha256_file(tmp, sha_after, e) == -1)
		goto fail;
	if (fstat(fd, &written) == -1) {
		hp_err_set(e, hp_errno_reason(errno), "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		hp_err_set(e, HP_R_IO, "%s: cannot rename the new hive into place: %s",
		    path, strerror(errno));
		goto fail;
	}
	*replaced = 1;
	close(fd);
	free(tmp);
	if (fsync_dir_of(path, e) == -1)
		return -1;
	/* The name now leads to the file just checked: reading it again
	 * would read the same bytes. */
	if (stat(path, &now) == -1 || now.st_dev != written.st_dev ||
	    now.st_ino != written.st_ino)
		return hp_err_set(e, HP_R_IO, "%s: after the rename the name does "
		    "not lead to the hive written", path);
	return 0;
fail:
	close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int
restore_atomic(const char *src, const char *path, const char *expect_sha,
	       struct hp_err *e)
{
	char sha[SHA256_HEX_LEN + 1];
	struct stat orig;
	char *tmp = NULL;
	int fd, src_fd;

	/* A log the image lost since is put back with the backup's mode. */
	if (stat(path, &orig) == -1 && (errno != ENOENT || stat(src, &orig) == -1))
		return hp_err_set(e, hp_errno_reason(errno), "%s: %s", path, strerror(errno));
	src_fd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (src_fd == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot open the backup: %s",
		    src, strerror(errno));
	fd = make_temp_beside(path, &tmp, e);
	if (fd == -1) {
		close(src_fd);
		return -1;
	}
	if (copy_hashed(src_fd, src, fd, tmp, sha, e) == -1)
		goto fail;
	if (strcmp(sha, expect_sha) != 0) {
		hp_err_set(e, HP_R_DAMAGED,
		    "%s: backup is damaged (sha256 %s, manifest says %s)", src,
		    sha, expect_sha);
		goto fail;
	}
	if (settle_temp(fd, tmp, &orig, e) == -1)
		goto fail;
	if (rename(tmp, path) == -1) {
		hp_err_set(e, HP_R_IO, "%s: cannot rename the restored hive into place: %s",
		    path, strerror(errno));
		goto fail;
	}
	close(fd);
	close(src_fd);
	free(tmp);
	return fsync_dir_of(path, e);
fail:
	close(fd);
	close(src_fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int
log_reset(const char *path, struct hp_err *e)
{
	struct stat st;
	int fd;

	if ((fd = target_open_file(path, O_WRONLY, &st, e)) == -1)
		return -1;
	if (ftruncate(fd, 0) == -1 || fsync(fd) == -1) {
		int saved = errno;

		close(fd);
		return hp_err_set(e, HP_R_IO, "%s: cannot empty the log: %s",
		    path, strerror(saved));
	}
	close(fd);
	return 0;
}
