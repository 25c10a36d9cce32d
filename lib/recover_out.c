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

int
recover_to_output(struct patch_run *run, struct hp_err *e)
{
	struct session *s = &run->hives[0];
	const char *path = run->o->output;
	char hex[SHA256_HEX_LEN + 1];
	struct stat st;
	FILE *out;
	int rc;

	if (run->o->flags & HP_DRY_RUN)
		return asprintf(&run->res->result, "dry run: would write the "
		    "hive%s to %s", s->view.rec.replayed ? " as its logs "
		    "recover it" : "", path) == -1 ? hp_err_nomem(e) : 0;
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
	if ((s->output = strdup(path)) == NULL)
		return hp_err_nomem(e);
	return asprintf(&run->res->result, "%s written to %s and verified; the "
	    "hive and its logs are untouched", s->view.rec.replayed ? "the hive "
	    "as its logs recover it" : "the hive (clean: nothing to recover)",
	    path) == -1 ? hp_err_nomem(e) : 0;
}
