/* SPDX-License-Identifier: GPL-3.0-or-later */
/* recover --output: the hive as its logs recover it (or as it is, when
 * clean), written to a new file outside the target and proven by
 * reading it back; the hive and its logs are only read, so evidence and
 * read-only media stay as they are. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "hive.h"
#include "verify.h"
#include "patch.h"

/* What was written to fd reads back as the check after any commit reads
 * a new hive (verify_written: its base block, every key and value
 * header), with the hash of what was meant to be written. */
static int
read_back(int fd, const char *path, const struct session *s,
	  const char *want, char got[SHA256_HEX_LEN + 1], struct hp_err *e)
{
	struct verify_job job = { .where = path, .kind = s->kind };
	char proc[64];
	int rd, rc;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if ((rd = open(proc, O_RDONLY | O_CLOEXEC)) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot read back what was "
		    "written: %s", path, strerror(errno));
	rc = verify_written(&job, rd, e);
	close(rd);
	if (rc == 0 && strcmp(job.sha, want) != 0)
		rc = hp_err_set(e, HP_R_NOT_VERIFIED, "%s: reads back with "
		    "sha256 %s, not the %s written", path, job.sha, want);
	if (rc == 0)
		memcpy(got, job.sha, sizeof(job.sha));
	return rc;
}

/* One hive, as its logs recover it, into `path`. */
static int
write_one(struct patch_run *run, struct session *s, const char *path,
	  struct hp_err *e)
{
	char hex[SHA256_HEX_LEN + 1];
	struct stat st;
	FILE *out;
	int rc;

	if ((out = session_out_open(run->store, s, path, e)) == NULL)
		return -1;
	if (fstat(fileno(out), &st) == -1 || !S_ISREG(st.st_mode)) {
		fclose(out);
		return hp_err_set(e, HP_R_USAGE, "%s: recover --output writes a "
		    "regular file, which it reads back; this is none", path);
	}
	rc = copy_hashed(s->view.fd, s->hive->where, fileno(out), path, hex, e);
	if (rc == 0)
		rc = read_back(fileno(out), path, s, hex, s->sha_output, e);
	/* Nothing that failed its proof is left to be taken for the hive. */
	if (rc == -1 && ftruncate(fileno(out), 0) == 0)
		hp_err_append(e, "; %s emptied", path);
	if (fclose(out) == EOF && rc == 0)
		rc = hp_err_set(e, HP_R_IO, "%s: %s", path, strerror(errno));
	if (rc == -1)
		return -1;
	return (s->output = strdup(path)) == NULL ? hp_err_nomem(e) : 0;
}

/* A tree's hives, each into the directory under its own name. */
static int
write_tree(struct patch_run *run, const char *dir, struct hp_err *e)
{
	size_t i, n = 0;
	int rc = 0;

	for (i = 0; i < run->n_hives && rc == 0; i++) {
		struct session *s = &run->hives[i];
		const char *base = strrchr(s->hive->name, '/');
		char *path;

		if (asprintf(&path, "%s/%s", dir, base ? base + 1 :
		    s->hive->name) == -1)
			return hp_err_nomem(e);
		rc = write_one(run, s, path, e);
		free(path);
		n++;
	}
	if (rc == -1)
		return -1;
	return asprintf(&run->res->result, "%zu hive%s written to %s as their "
	    "logs recover them, and verified; the hives and their logs are "
	    "untouched", n, n == 1 ? "" : "s", dir) == -1 ? hp_err_nomem(e) : 0;
}

int
recover_output_usable(const struct patch_run *run, struct hp_err *e)
{
	const char *dir = run->o->output;
	struct stat st;

	if (!run->store->ops->tree || (stat(dir, &st) == 0 &&
	    S_ISDIR(st.st_mode)))
		return 0;
	return hp_err_set(e, HP_R_USAGE, "%s: recover --output of a Windows "
	    "tree writes its hives into a directory; this is none", dir);
}

int
recover_to_output(struct patch_run *run, struct hp_err *e)
{
	struct session *s = &run->hives[0];
	const char *path = run->o->output;

	if (run->o->flags & HP_DRY_RUN)
		return asprintf(&run->res->result, "dry run: would write the "
		    "hive%s to %s", run->store->ops->tree ? "s" :
		    s->view.rec.replayed ? " as its logs recover it" : "",
		    path) == -1 ? hp_err_nomem(e) : 0;
	if (run->store->ops->tree)
		return write_tree(run, path, e);
	if (write_one(run, s, path, e) == -1)
		return -1;
	return asprintf(&run->res->result, "%s written to %s and verified; the "
	    "hive and its logs are untouched", s->view.rec.replayed ? "the hive "
	    "as its logs recover it" : "the hive (clean: nothing to recover)",
	    path) == -1 ? hp_err_nomem(e) : 0;
}
