/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the read path of a hive, through the public API
 * as a user's program reads one: the input is written to a hive file
 * (and its logs), opened as a store (hp_store_open), and read by
 * hp_inspect, by hp_patch verifying a profile (header check, recovery
 * through the logs, detection, control sets, the plan and the judging
 * of it) and by hp_export of HKLM\SOFTWARE (the walk of the whole tree),
 * which writes nothing to the hive.
 *
 *   ./configure --enable-fuzzing && make fuzz-hive
 *
 * The input:
 *
 *   byte 0       bits 0-1: the profile verified (net4-tls12,
 *                schannel-tls12, auto, winhttp-tls12); bit 2:
 *                HP_NO_RECOVER; bit 3: HP_ALL_CONTROL_SETS; bit 4:
 *                export as UTF-16LE (regedit's own)
 *   bytes 1-3    length of the hive (little-endian, clipped)
 *   bytes 4-6    length of HIVE.LOG1 (clipped); HIVE.LOG2 is the rest
 *   then         the hive, HIVE.LOG1, HIVE.LOG2 (a log of length 0 is
 *                not there)
 *
 * Besides the sanitizers, the target checks what the interface
 * promises: every run gives a result, a failure has a message, a reason
 * of its status and the same error in its result; and what hp_export
 * writes is a .reg file that the parser of import reads back.
 *
 * The files live in one directory made at the first input (under
 * $TMPDIR, else /tmp) and removed at exit.  test_fuzz replays
 * tests/fuzz-regressions/hive/ through fuzz_hive(). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "hivepatch.h"
#include "regfile.h"

#ifndef FUZZ_PROFILE_DIR
#error "FUZZ_PROFILE_DIR: the source tree's profiles/"
#endif

static char dir[PATH_MAX - 32];
static char hive_path[PATH_MAX], log1_path[PATH_MAX], log2_path[PATH_MAX];

static void
remove_dir(void)
{
	unlink(hive_path);
	unlink(log1_path);
	unlink(log2_path);
	rmdir(dir);
}

static int
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir[0] != '\0')
		return 0;
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (snprintf(dir, sizeof(dir), "%s/fuzz_hive.XXXXXX", tmp) >=
	    (int)sizeof(dir) || mkdtemp(dir) == NULL) {
		perror("fuzz_hive: mkdtemp");
		abort();
	}
	snprintf(hive_path, sizeof(hive_path), "%s/HIVE", dir);
	snprintf(log1_path, sizeof(log1_path), "%s/HIVE.LOG1", dir);
	snprintf(log2_path, sizeof(log2_path), "%s/HIVE.LOG2", dir);
	atexit(remove_dir);
	return 0;
}

/* The file `path` holds exactly [d, d + len); none when len is 0 (but
 * the hive is always there). */
static void
put(const char *path, const uint8_t *d, size_t len, int always)
{
	ssize_t n;
	int fd;

	if (unlink(path) == -1 && errno != ENOENT)
		abort();
	if (len == 0 && !always)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		abort();
	while (len > 0) {
		n = write(fd, d, len);
		if (n <= 0)
			abort();
		d += n;
		len -= (size_t)n;
	}
	close(fd);
}

/* A failed run: -1 with a message and a reason of its status. */
static void
check_err(int rc, const struct hp_err *e)
{
	if (rc != -1)
		return;
	if (e->msg[0] == '\0' || e->reason == HP_R_NONE ||
	    hp_reason_status(e->reason) != e->status)
		abort();
}

static void
check_outcome(int rc, const struct hp_err *e, int exit_status,
	      enum hp_reason reason, const char *error)
{
	check_err(rc, e);
	if (rc == -1) {
		if (error == NULL || reason != e->reason ||
		    exit_status != (int)e->status)
			abort();
	} else if (rc != HP_OK && rc != HP_NONCOMPLIANT) {
		abort();
	} else if (error != NULL || reason != HP_R_NONE ||
	    exit_status != rc) {
		abort();
	}
}

static void
run_inspect(struct hp_store *s, unsigned flags)
{
	struct hp_inspect_opts o = { FUZZ_PROFILE_DIR, flags, NULL };
	struct hp_inspect *r = NULL;
	struct hp_err e = { 0 };
	int rc;

	rc = hp_inspect(s, &o, &r, &e);
	if (r == NULL)
		abort();
	check_outcome(rc, &e, r->exit_status, r->reason, r->error);
	hp_inspect_free(r);
}

static void
run_verify(struct hp_store *s, const char *profile, unsigned flags)
{
	const char *profiles[1] = { profile };
	struct hp_patch_opts o;
	struct hp_result *r = NULL;
	struct hp_err e = { 0 };
	int rc;

	memset(&o, 0, sizeof(o));
	o.command = "verify";
	o.mode = HP_PATCH_VERIFY;
	o.flags = flags;
	o.profiles = profiles;
	o.n_profiles = 1;
	o.profile_dir = FUZZ_PROFILE_DIR;
	rc = hp_patch(s, &o, &r, &e);
	if (r == NULL)
		abort();
	check_outcome(rc, &e, r->exit_status, r->reason, r->error);
	hp_result_free(r);
}

/* The whole of SOFTWARE, which the parser must read back. */
static void
run_export(struct hp_store *s, unsigned flags)
{
	struct hp_export_opts o;
	struct hp_export *r = NULL;
	struct hp_err e = { 0 }, pe = { 0 };
	struct reg_doc doc;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	if ((out = open_memstream(&buf, &len)) == NULL)
		abort();
	memset(&o, 0, sizeof(o));
	o.key = "HKLM\\SOFTWARE";
	o.flags = flags;
	o.stream = out;
	rc = hp_export(s, &o, &r, &e);
	if (r == NULL || fclose(out) != 0)
		abort();
	check_err(rc, &e);
	if (rc == 0) {
		if (reg_parse_buffer("export.reg", (unsigned char *)buf, len,
		    &doc, &pe) != 0) {
			fprintf(stderr, "fuzz_hive: the export does not parse: "
			    "%s\n", pe.msg);
			abort();
		}
		reg_doc_free(&doc);
	}
	hp_export_free(r);
	free(buf);
}

int
fuzz_hive(const uint8_t *data, size_t size)
{
	static const char *const profiles[4] = { "net4-tls12",
	    "schannel-tls12", HP_AUTO_PROFILE, "winhttp-tls12" };
	struct hp_store *s = NULL;
	struct hp_err e = { 0 };
	size_t rest, hl, l1;
	unsigned flags = 0;

	if (!fuzz_split3(data, size, &hl, &l1, &rest))
		return 0;
	setup();
	put(hive_path, data + FUZZ_HEADER, hl, 1);
	put(log1_path, data + FUZZ_HEADER + hl, l1, 0);
	put(log2_path, data + FUZZ_HEADER + hl + l1, rest, 0);

	if (data[0] & 4)
		flags |= HP_NO_RECOVER;
	if (data[0] & 8)
		flags |= HP_ALL_CONTROL_SETS;
	if (hp_store_open(hive_path, &s, &e) == -1) {
		check_err(-1, &e);
		return 0;
	}
	run_inspect(s, flags & HP_NO_RECOVER);
	run_verify(s, profiles[data[0] & 3], flags);
	run_export(s, (flags & HP_NO_RECOVER) |
	    ((data[0] & 16) ? HP_EXPORT_UTF16 : 0));
	hp_store_close(s);
	return 0;
}

FUZZ_ENTRY(fuzz_hive)
