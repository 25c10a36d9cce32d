/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "backup.h"
#include "jsonfile.h"

#define MANIFEST "manifest.json"
#define MANIFEST_SCHEMA "hivepatch-backup/2"

int
backup_root_usable(const char *root, struct hp_err *e)
{
	struct stat st;

	if (root == NULL || root[0] == '\0')
		return hp_err_set(e, HP_R_NO_BACKUP_DIR, "no place for backups: "
		    "no backup directory was given");
	/* A file where the directory should be, or above it. */
	if (stat(root, &st) == 0 ? !S_ISDIR(st.st_mode) : errno == ENOTDIR)
		return hp_err_set(e, HP_R_NO_BACKUP_DIR, "no place for backups: "
		    "the backup directory %s is not a directory", root);
	return 0;
}

int
backup_root_ready(const char *root, struct hp_err *e)
{
	struct hp_err why = { 0 };

	if (backup_root_usable(root, e) == -1)
		return -1;
	if (state_dir_create(root, &why) == -1)
		return hp_err_set(e, HP_R_NO_BACKUP_DIR, "no place for backups: "
		    "the backup directory %s cannot be made (%s)", root,
		    why.msg);
	if (access(root, W_OK | X_OK) == -1)
		return hp_err_set(e, HP_R_NO_BACKUP_DIR, "no place for backups: "
		    "the backup directory %s is not writable: %s", root,
		    strerror(errno));
	return 0;
}

/* Backups of one hive live together, under a name derived from the
 * hive's identity (its absolute path) so that two images never share a
 * slot. */
static int
hive_slot(const char *root, const char *identity, char **slot,
	  struct hp_err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_len = 0, i;
	char id[17];

	*slot = NULL;
	if (EVP_Digest(identity, strlen(identity), md, &md_len, EVP_sha256(),
	    NULL) != 1)
		return hp_err_set(e, HP_R_IO, "SHA-256 failed");
	for (i = 0; i < 8; i++)
		snprintf(id + 2 * i, 3, "%02x", md[i]);
	if (asprintf(slot, "%s/%s", root, id) == -1) {
		*slot = NULL;
		return hp_err_nomem(e);
	}
	return 0;
}

void
backup_run_start(struct backup_run *run, const struct timespec *now)
{
	struct timespec t;
	char stamp[24];
	struct tm tm;

	if (now != NULL)
		t = *now;
	else
		clock_gettime(CLOCK_REALTIME, &t);
	gmtime_r(&t.tv_sec, &tm);
	/* Sortable, and unique per process: rollback takes the largest. */
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(run->id, sizeof(run->id), "%s.%06ld-%ld", stamp,
	    t.tv_nsec / 1000, (long)getpid());
	strftime(run->time, sizeof(run->time), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Copies what src_fd holds to `dst` (created, mode 0600), hashing it. */
static int
copy_fd_hashed(int src_fd, const char *src, const char *dst,
	       char sha[SHA256_HEX_LEN + 1], struct hp_err *e)
{
	int out, rc;

	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot create backup: %s",
		    dst, strerror(errno));
	rc = copy_hashed(src_fd, src, out, dst, sha, e);
	close(out);
	return rc;
}

/* The logs sit beside the hive: their identity is the hive's directory
 * and their own name. */
static int
take_logs(struct backup *b, const struct hp_hive_files *f, struct hp_err *e)
{
	size_t i, dir_len = (size_t)(strrchr(b->hive, '/') - b->hive);

	b->logs = calloc(f->n_logs ? f->n_logs : 1, sizeof(*b->logs));
	if (b->logs == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < f->n_logs; i++) {
		struct backup_log *l = &b->logs[i];
		const char *name = f->logs[i].name;

		b->n_logs++;
		if (asprintf(&l->path, "%.*s/%s", (int)dir_len, b->hive,
		    name) == -1) {
			l->path = NULL;
			return hp_err_nomem(e);
		}
		if (asprintf(&l->copy, "%s/%s", b->dir, name) == -1) {
			l->copy = NULL;
			return hp_err_nomem(e);
		}
		if (copy_fd_hashed(f->logs[i].fd, f->logs[i].where, l->copy,
		    l->sha_before, e) == -1)
			return -1;
	}
	return 0;
}

static int
has_manifest(const char *dir)
{
	char *m = NULL;
	int yes;

	if (asprintf(&m, "%s/%s", dir, MANIFEST) == -1)
		return 0;
	yes = access(m, R_OK) == 0;
	free(m);
	return yes;
}

/* Removes the backups of a slot that have no manifest: their run was
 * cut short before it wrote anything (the manifest precedes every
 * write), so nothing needs them.  Called under the hive's lock, which
 * any run writing into this slot holds. */
static void
prune_unfinished(const char *slot)
{
	struct dirent *de, *f;
	DIR *d = opendir(slot), *sub;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *dir = NULL;

		if (de->d_name[0] == '.' ||
		    asprintf(&dir, "%s/%s", slot, de->d_name) == -1)
			continue;
		if (!has_manifest(dir) && (sub = opendir(dir)) != NULL) {
			while ((f = readdir(sub)) != NULL)
				if (f->d_type == DT_REG)
					(void)unlinkat(dirfd(sub), f->d_name, 0);
			closedir(sub);
			(void)rmdir(dir);
		}
		free(dir);
	}
	closedir(d);
}

int
backup_take(const char *root, const struct backup_run *run,
	    const struct hp_store_hive *hive, const struct hp_hive_files *f,
	    const struct hive_change *change, const char *sha_before,
	    struct backup *b, struct hp_err *e)
{
	char *slot = NULL;
	int rc = -1;

	memset(b, 0, sizeof(*b));
	if (hive->identity == NULL || strchr(hive->identity, '/') == NULL)
		return hp_err_set(e, HP_R_USAGE, "%s: the store gives this hive "
		    "no identity to keep its backups under", hive->where);
	if (hive_slot(root, hive->identity, &slot, e) == -1)
		goto out;
	prune_unfinished(slot);
	b->hive = strdup(hive->identity);
	b->time = strdup(run->time);
	b->id = strdup(run->id);
	if (b->hive == NULL || b->time == NULL || b->id == NULL ||
	    asprintf(&b->dir, "%s/%s", slot, run->id) == -1) {
		b->dir = NULL;
		hp_err_nomem(e);
		goto out;
	}
	if (state_dir_create(b->dir, e) == -1)
		goto out;
	b->pages = change != NULL;
	if (asprintf(&b->copy, "%s/%s", b->dir, b->pages ? "pages" : "hive") ==
	    -1) {
		b->copy = NULL;
		hp_err_nomem(e);
		goto out;
	}
	if (b->pages) {
		if (sha_before != NULL)
			memcpy(b->sha_before, sha_before, sizeof(b->sha_before));
		if ((sha_before == NULL &&
		    sha256_fd(f->fd, hive->where, b->sha_before, e) == -1) ||
		    pages_save(f->fd, f->size, change, b->copy, &b->bytes,
		    e) == -1)
			goto out;
	} else {
		if (copy_fd_hashed(f->fd, hive->where, b->copy, b->sha_before,
		    e) == -1)
			goto out;
		b->bytes = f->size;
	}
	if (take_logs(b, f, e) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1 && b->dir != NULL)
		backup_discard(b);
	free(slot);
	return rc;
}

static struct json_object *
json_logs(const struct backup *b)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; a != NULL && i < b->n_logs; i++) {
		struct json_object *l = json_object_new_object();
		const char *name = strrchr(b->logs[i].copy, '/') + 1;

		json_object_object_add(l, "log",
		    json_object_new_string(b->logs[i].path));
		json_object_object_add(l, "backup", json_object_new_string(name));
		json_object_object_add(l, "sha256_before",
		    json_object_new_string(b->logs[i].sha_before));
		json_object_object_add(l, "sha256_after", b->logs[i].sha_after[0] ?
		    json_object_new_string(b->logs[i].sha_after) : NULL);
		json_object_array_add(a, l);
	}
	return a;
}

int
backup_write_manifest(const struct backup *b, const char *command,
		      const char *sha_after,
		      const char *const *profiles, size_t n_profiles,
		      const char *const *reg_files, size_t n_reg_files,
		      struct hp_err *e)
{
	struct json_object *m = json_object_new_object();
	int rc;

	if (m == NULL)
		return hp_err_nomem(e);
	json_object_object_add(m, "schema", json_object_new_string(MANIFEST_SCHEMA));
	json_object_object_add(m, "hive", json_object_new_string(b->hive));
	json_object_object_add(m, "backup",
	    json_object_new_string(b->pages ? "pages" : "hive"));
	json_object_object_add(m, "bytes", json_object_new_int64((int64_t)b->bytes));
	json_object_object_add(m, "log_created", b->log_created ?
	    json_object_new_string(b->log_created) : NULL);
	json_object_object_add(m, "log_format", b->log_format == HP_LOG_NONE ?
	    NULL : json_object_new_string(b->log_format == HP_LOG_OLD ? "old" :
	    "new"));
	json_object_object_add(m, "sha256_before", json_object_new_string(b->sha_before));
	json_object_object_add(m, "sha256_after", json_object_new_string(sha_after));
	json_object_object_add(m, "time", json_object_new_string(b->time));
	json_object_object_add(m, "command", json_object_new_string(command));
	json_object_object_add(m, "profiles", json_strings_new(profiles, n_profiles));
	json_object_object_add(m, "reg_files", json_strings_new(reg_files, n_reg_files));
	json_object_object_add(m, "logs", json_logs(b));
	json_object_object_add(m, "tool_version", json_object_new_string(PACKAGE_VERSION));
	rc = json_file_write(b->dir, MANIFEST, m, e);
	json_object_put(m);
	return rc;
}

void
backup_discard(const struct backup *b)
{
	size_t i;

	for (i = 0; i < b->n_logs; i++)
		if (b->logs[i].copy != NULL)
			unlink(b->logs[i].copy);
	if (b->copy != NULL)
		unlink(b->copy);
	if (b->dir != NULL) {
		char *m = NULL;

		if (asprintf(&m, "%s/%s", b->dir, MANIFEST) != -1)
			unlink(m);
		free(m);
		rmdir(b->dir);
		/* And the hive's slot, when this was its only backup. */
		if ((m = strdup(b->dir)) != NULL && strrchr(m, '/') != NULL) {
			*strrchr(m, '/') = '\0';
			rmdir(m);
		}
		free(m);
	}
}

/* The logs a manifest lists.  Each must sit beside the hive and its copy
 * inside the backup, whatever the manifest says: rollback writes there. */
static int
load_manifest_logs(struct json_object *m, struct backup *b, const char *path,
		   struct hp_err *e)
{
	struct json_object *a, *l, *v;
	size_t i, n, dir_len;
	const char *log, *name;

	if (!json_object_object_get_ex(m, "logs", &a))
		return 0;	/* written before logs were backed up */
	if (!json_object_is_type(a, json_type_array))
		return hp_err_set(e, HP_R_DAMAGED, "%s: backup manifest is damaged", path);
	if (strrchr(b->hive, '/') == NULL)
		return hp_err_set(e, HP_R_DAMAGED, "%s: backup manifest is damaged", path);
	n = json_object_array_length(a);
	b->logs = calloc(n ? n : 1, sizeof(*b->logs));
	if (b->logs == NULL)
		return hp_err_nomem(e);
	dir_len = (size_t)(strrchr(b->hive, '/') - b->hive);
	for (i = 0; i < n; i++) {
		struct backup_log *bl = &b->logs[i];

		l = json_object_array_get_idx(a, i);
		if (!json_object_object_get_ex(l, "log", &v) ||
		    (log = json_object_get_string(v)) == NULL ||
		    !json_object_object_get_ex(l, "backup", &v) ||
		    (name = json_object_get_string(v)) == NULL ||
		    strncmp(log, b->hive, dir_len + 1) != 0 ||
		    strchr(log + dir_len + 1, '/') != NULL ||
		    strchr(name, '/') != NULL || name[0] == '.' ||
		    json_hex_get(l, "sha256_before", bl->sha_before) == -1)
			return hp_err_set(e, HP_R_DAMAGED, "%s: backup manifest is "
			    "damaged (log %zu)", path, i + 1);
		if (json_hex_get(l, "sha256_after", bl->sha_after) == -1)
			bl->sha_after[0] = '\0';
		b->n_logs++;
		bl->path = strdup(log);
		if (bl->path == NULL ||
		    asprintf(&bl->copy, "%s/%s", b->dir, name) == -1) {
			bl->copy = NULL;
			return hp_err_nomem(e);
		}
	}
	return 0;
}

/* What the run was: its command and profiles (older manifests have
 * neither; anything not a string is left out). */
static int
load_manifest_run(struct json_object *m, struct backup *b, struct hp_err *e)
{
	struct json_object *v;

	b->command = strdup(json_object_object_get_ex(m, "command", &v) &&
	    json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "");
	if (b->command == NULL)
		return hp_err_nomem(e);
	if (json_strings_get(m, "profiles", &b->profiles, &b->n_profiles) == -1)
		return hp_err_nomem(e);
	return 0;
}

static int
load_manifest(const char *dir, struct backup *b, struct hp_err *e)
{
	struct json_object *m, *v;
	char *path = NULL;
	int rc = -1;

	memset(b, 0, sizeof(*b));
	if (asprintf(&path, "%s/%s", dir, MANIFEST) == -1)
		return hp_err_nomem(e);
	m = json_object_from_file(path);
	if (m == NULL) {
		hp_err_set(e, HP_R_DAMAGED, "%s: cannot read the backup manifest", path);
		free(path);
		return -1;
	}
	/* A manifest is data in a directory anyone with the rights may
	 * edit: every member is checked for its type. */
	if (json_hex_get(m, "sha256_before", b->sha_before) == -1 ||
	    json_hex_get(m, "sha256_after", b->sha_after) == -1 ||
	    !json_object_object_get_ex(m, "hive", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		hp_err_set(e, HP_R_DAMAGED, "%s: backup manifest is damaged", path);
		goto out;
	}
	b->hive = strdup(json_object_get_string(v));
	b->dir = strdup(dir);
	if (b->hive != NULL && b->dir != NULL &&
	    load_manifest_logs(m, b, path, e) == -1)
		goto out;
	/* What the hive was kept as: whole, or its overwritten pages. */
	b->pages = json_object_object_get_ex(m, "backup", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    strcmp(json_object_get_string(v), "pages") == 0;
	b->bytes = json_object_object_get_ex(m, "bytes", &v) ?
	    (uint64_t)json_object_get_int64(v) : 0;
	if (json_object_object_get_ex(m, "log_created", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    strchr(json_object_get_string(v), '/') == NULL &&
	    (b->log_created = strdup(json_object_get_string(v))) == NULL) {
		hp_err_nomem(e);
		goto out;
	}
	b->log_format = !json_object_object_get_ex(m, "log_format", &v) ||
	    !json_object_is_type(v, json_type_string) ? HP_LOG_NONE :
	    strcmp(json_object_get_string(v), "old") == 0 ? HP_LOG_OLD :
	    HP_LOG_NEW;
	if (load_manifest_run(m, b, e) == -1)
		goto out;
	b->id = strdup(strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir);
	b->time = json_object_object_get_ex(m, "time", &v) &&
	    json_object_is_type(v, json_type_string) ?
	    strdup(json_object_get_string(v)) : strdup("");
	if (b->hive == NULL || b->dir == NULL || b->id == NULL ||
	    b->time == NULL || asprintf(&b->copy, "%s/%s", dir,
	    b->pages ? "pages" : "hive") == -1) {
		b->copy = NULL;
		hp_err_nomem(e);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		backup_free(b);
	json_object_put(m);
	free(path);
	return rc;
}

/* The name of the latest finished backup (with a manifest) in `slot`
 * whose manifest says sha256_after (sha256_before when `before`) is
 * `sha` (any, when NULL), if later than *best. */
static void
latest_in_slot(const char *slot, const char *sha, int before, char **best,
	       char **best_dir)
{
	struct dirent *de;
	DIR *d = opendir(slot);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct backup cand = { 0 };
		struct hp_err ignored;
		char *dir = NULL;

		if (de->d_name[0] == '.' ||
		    (*best != NULL && strcmp(de->d_name, *best) <= 0))
			continue;
		if (asprintf(&dir, "%s/%s", slot, de->d_name) == -1)
			break;
		/* Without a sha, any backup with a manifest, sound or not:
		 * a damaged one is then said, not skipped. */
		if (sha == NULL ? has_manifest(dir) :
		    load_manifest(dir, &cand, &ignored) == 0 &&
		    strcmp(before ? cand.sha_before : cand.sha_after,
		    sha) == 0) {
			free(*best);
			free(*best_dir);
			*best = strdup(de->d_name);
			*best_dir = dir;
			dir = NULL;
		}
		backup_free(&cand);
		free(dir);
	}
	closedir(d);
}

int
backup_find_latest(const char *root, const struct hp_store_hive *hive,
		   struct backup *b, struct hp_err *e)
{
	char *slot = NULL, *best = NULL, *dir = NULL;
	int rc = -1;

	memset(b, 0, sizeof(*b));
	if (hive->identity == NULL)
		return hp_err_set(e, HP_R_NO_BACKUP, "%s: no backup of this hive "
		    "under %s", hive->where, root);
	if (hive_slot(root, hive->identity, &slot, e) == -1)
		return -1;
	latest_in_slot(slot, NULL, 0, &best, &dir);
	if (dir == NULL)
		hp_err_set(e, HP_R_NO_BACKUP, "%s: no backup of this hive under %s",
		    hive->where, root);
	else
		rc = load_manifest(dir, b, e);
	free(slot);
	free(best);
	free(dir);
	return rc;
}


int
backup_found_before(const char *root, const struct hp_store_hive *hive,
		    const char *sha)
{
	struct hp_err ignored;
	struct dirent *de;
	char *slot = NULL;
	int found = 0;
	DIR *d;

	if (hive->identity == NULL ||
	    hive_slot(root, hive->identity, &slot, &ignored) == -1)
		return 0;
	if ((d = opendir(slot)) != NULL) {
		while (!found && (de = readdir(d)) != NULL) {
			struct backup cand = { 0 };
			char *dir = NULL;

			if (de->d_name[0] == '.' ||
			    asprintf(&dir, "%s/%s", slot, de->d_name) == -1)
				continue;
			found = load_manifest(dir, &cand, &ignored) == 0 &&
			    strcmp(cand.sha_before, sha) == 0;
			backup_free(&cand);
			free(dir);
		}
		closedir(d);
	}
	free(slot);
	return found;
}

static int
find_by_sha(const char *root, const char *sha, int before, struct backup *b,
	    struct hp_err *e)
{
	char *best = NULL, *best_dir = NULL;
	struct dirent *de;
	DIR *d;
	int rc;

	memset(b, 0, sizeof(*b));
	if ((d = opendir(root)) == NULL)
		return errno == ENOENT ? 1 : hp_err_set(e, HP_R_IO, "%s: %s", root,
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char *slot = NULL;

		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&slot, "%s/%s", root, de->d_name) == -1)
			break;
		latest_in_slot(slot, sha, before, &best, &best_dir);
		free(slot);
	}
	closedir(d);
	rc = best_dir == NULL ? 1 : load_manifest(best_dir, b, e);
	free(best);
	free(best_dir);
	return rc;
}

int
backup_find_by_sha(const char *root, const char *sha, struct backup *b,
		   struct hp_err *e)
{
	return find_by_sha(root, sha, 0, b, e);
}

int
backup_find_undone(const char *root, const char *sha, struct backup *b,
		   struct hp_err *e)
{
	return find_by_sha(root, sha, 1, b, e);
}

void
backup_free(struct backup *b)
{
	size_t i;

	for (i = 0; i < b->n_logs; i++) {
		free(b->logs[i].path);
		free(b->logs[i].copy);
	}
	free(b->logs);
	free(b->dir);
	free(b->id);
	free(b->copy);
	free(b->hive);
	free(b->time);
	free(b->command);
	free(b->log_created);
	for (i = 0; i < b->n_profiles; i++)
		free(b->profiles[i]);
	free(b->profiles);
	memset(b, 0, sizeof(*b));
}
