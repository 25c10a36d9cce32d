/* SPDX-License-Identifier: GPL-3.0-or-later */
/* WIM and ESD images through wimlib: every image of the file is a part,
 * a Windows tree when its Windows/System32/config holds SOFTWARE or
 * SYSTEM (found in any letter case).  Whether the file may be written
 * is decided here, once; store_wim.c reads and commits. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sys/stat.h>
#include <unistd.h>

#include "dynlib.h"
#include "error.h"
#include "regf.h"
#include "store.h"
#include "wim.h"

struct wim_api wimfn;

#define WIM_SYM(prefix, name) DYNSYM(wimfn, prefix, name)
static const struct dynsym wim_syms[] = { WIMLIB_FUNCTIONS(WIM_SYM) };

static struct dynlib wim_lib = { .soname = WIMLIB_SONAME,
    .package = WIMLIB_PACKAGE, .serves = "WIM images", .syms = wim_syms,
    .n_syms = sizeof(wim_syms) / sizeof(wim_syms[0]) };

void
wim_entry_free(struct wim_entry *ent)
{
	free(ent->name);
	free(ent->path);
	free(ent->sd);
	free(ent->dos_name);
	memset(ent, 0, sizeof(*ent));
}

int
wim_entry_is_file(const struct wim_entry *ent)
{
	return !(ent->attributes & (WIMLIB_FILE_ATTRIBUTE_DIRECTORY |
	    WIMLIB_FILE_ATTRIBUTE_REPARSE_POINT));
}

/* wimlib's answers that mean the file is damaged, not that reading or
 * writing it failed. */
static int
wim_damage_code(int code)
{
	static const int damage[] = {
		WIMLIB_ERR_NOT_A_WIM_FILE, WIMLIB_ERR_INVALID_HEADER,
		WIMLIB_ERR_UNKNOWN_VERSION, WIMLIB_ERR_XML,
		WIMLIB_ERR_IMAGE_COUNT, WIMLIB_ERR_INVALID_CHUNK_SIZE,
		WIMLIB_ERR_INVALID_COMPRESSION_TYPE,
		WIMLIB_ERR_INVALID_LOOKUP_TABLE_ENTRY,
		WIMLIB_ERR_INVALID_METADATA_RESOURCE,
		WIMLIB_ERR_INVALID_RESOURCE_HASH, WIMLIB_ERR_DECOMPRESSION,
		WIMLIB_ERR_INTEGRITY, WIMLIB_ERR_INVALID_INTEGRITY_TABLE,
		WIMLIB_ERR_INVALID_PART_NUMBER,
		WIMLIB_ERR_METADATA_NOT_FOUND, WIMLIB_ERR_RESOURCE_NOT_FOUND,
		WIMLIB_ERR_UNEXPECTED_END_OF_FILE,
	};
	size_t i;

	for (i = 0; i < sizeof(damage) / sizeof(damage[0]); i++)
		if (code == damage[i])
			return 1;
	return 0;
}

int
wim_err(struct hp_err *e, enum hp_reason reason, int code, const char *file,
	const char *what, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, what);
	vsnprintf(buf, sizeof(buf), what, ap);
	va_end(ap);
	if (code == WIMLIB_ERR_NOMEM)
		return hp_err_nomem(e);
	if (wim_damage_code(code))
		reason = HP_R_DAMAGED;
	return hp_err_set(e, reason, "%s: %s: %s", file, buf,
	    wimfn.get_error_string((enum wimlib_error_code)code));
}

/* ---- directory entries ---- */

/* FILETIME from the time wimlib gives (which it keeps as FILETIME). */
static uint64_t
filetime(const struct wimlib_timespec *t)
{
	return ((uint64_t)((int64_t)t->tv_sec + 11644473600LL)) * 10000000u +
	    (uint64_t)t->tv_nsec / 100u;
}

static int
copy_entry(const struct wimlib_dir_entry *d, struct wim_entry *out)
{
	memset(out, 0, sizeof(*out));
	out->name = strdup(d->filename);
	out->path = strdup(d->full_path);
	if (out->name == NULL || out->path == NULL)
		return -1;
	out->attributes = d->attributes;
	out->links = d->num_links;
	out->size = d->streams[0].resource.uncompressed_size;
	memcpy(out->sha1, d->streams[0].resource.sha1_hash, sizeof(out->sha1));
	if (d->security_descriptor != NULL && d->security_descriptor_size > 0) {
		if ((out->sd = malloc(d->security_descriptor_size)) == NULL)
			return -1;
		memcpy(out->sd, d->security_descriptor,
		    d->security_descriptor_size);
		out->sd_size = d->security_descriptor_size;
	}
	if (d->dos_name != NULL && d->dos_name[0] != '\0' &&
	    (out->dos_name = strdup(d->dos_name)) == NULL)
		return -1;
	out->times[0] = filetime(&d->creation_time);
	out->times[1] = filetime(&d->last_write_time);
	out->times[2] = filetime(&d->last_access_time);
	return 0;
}

struct dir_list {
	struct wim_entry *list;
	size_t n, cap;
};

/* wimlib's callback: one entry more (its pointers live only here). */
static int
collect(const struct wimlib_dir_entry *d, void *arg)
{
	struct dir_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct wim_entry *p = realloc(l->list, cap * sizeof(*p));

		if (p == NULL)
			return WIMLIB_ERR_NOMEM;
		l->list = p;
		l->cap = cap;
	}
	if (copy_entry(d, &l->list[l->n]) == -1) {
		wim_entry_free(&l->list[l->n]);
		return WIMLIB_ERR_NOMEM;
	}
	l->n++;
	return 0;
}

static int
iterate(WIMStruct *wim, int image, const char *path, int flags,
	struct wim_entry **list, size_t *n, const char *file, struct hp_err *e)
{
	struct dir_list l = { NULL, 0, 0 };
	size_t i;
	int rc;

	*list = NULL;
	*n = 0;
	rc = wimfn.iterate_dir_tree(wim, image, path, flags, collect, &l);
	if (rc != 0) {
		for (i = 0; i < l.n; i++)
			wim_entry_free(&l.list[i]);
		free(l.list);
		return wim_err(e, rc == WIMLIB_ERR_PATH_DOES_NOT_EXIST ?
		    HP_R_NOT_FOUND : HP_R_IO, rc, file, "image %d: %s", image,
		    path);
	}
	*list = l.list;
	*n = l.n;
	return 0;
}

int
wim_list_dir(WIMStruct *wim, int image, const char *dir,
	     struct wim_entry **list, size_t *n, const char *file,
	     struct hp_err *e)
{
	return iterate(wim, image, dir, WIMLIB_ITERATE_DIR_TREE_FLAG_CHILDREN,
	    list, n, file, e);
}

int
wim_stat(WIMStruct *wim, int image, const char *path, struct wim_entry *out,
	 const char *file, struct hp_err *e)
{
	struct wim_entry *list;
	size_t n;

	if (iterate(wim, image, path, 0, &list, &n, file, e) == -1)
		return -1;
	if (n != 1) {
		while (n > 0)
			wim_entry_free(&list[--n]);
		free(list);
		return hp_err_set(e, HP_R_IO, "%s: image %d: %s: not one entry",
		    file, image, path);
	}
	*out = list[0];
	free(list);
	return 0;
}

static void
free_list(struct wim_entry *list, size_t n)
{
	while (n > 0)
		wim_entry_free(&list[--n]);
	free(list);
}

/* The child `want` of the directory `dir`, in any letter case: 1 found
 * (moved into *out), 0 none; two that match is an error. */
static int
find_child(WIMStruct *wim, int image, const char *dir, const char *want,
	   struct wim_entry *out, const char *file, struct hp_err *e)
{
	struct wim_entry *list;
	size_t i, n, hit = (size_t)-1;

	if (wim_list_dir(wim, image, dir, &list, &n, file, e) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcasecmp(list[i].name, want) != 0)
			continue;
		if (hit != (size_t)-1) {
			hp_err_set(e, HP_R_AMBIGUOUS, "%s[image %d]%s: both '%s' "
			    "and '%s' match '%s'; refusing to guess which one",
			    file, image, dir, list[hit].name, list[i].name,
			    want);
			free_list(list, n);
			return -1;
		}
		hit = i;
	}
	if (hit != (size_t)-1) {
		*out = list[hit];
		memset(&list[hit], 0, sizeof(list[hit]));
	}
	free_list(list, n);
	return hit != (size_t)-1;
}

/* A directory wim_resolve may descend into; 0 (why in *missing) when
 * not. */
static int
descendable(const struct wim_entry *ent, const char *where,
	    struct hp_err *missing)
{
	if (ent->attributes & WIMLIB_FILE_ATTRIBUTE_REPARSE_POINT) {
		hp_err_set(missing, HP_R_SYMLINK, "%s: %s is a reparse point (a "
		    "link); refusing to follow links inside the image", where,
		    ent->path);
		return 0;
	}
	if (!(ent->attributes & WIMLIB_FILE_ATTRIBUTE_DIRECTORY)) {
		hp_err_set(missing, HP_R_NOT_FOUND, "%s: %s is not a directory",
		    where, ent->path);
		return 0;
	}
	return 1;
}

int
wim_resolve(WIMStruct *wim, int image, const char *rel, const char *where,
	    struct wim_entry *out, struct hp_err *missing, const char *file,
	    struct hp_err *e)
{
	char *copy, *part, *save = NULL, *dir;
	int rc = 1;

	memset(out, 0, sizeof(*out));
	if ((copy = strdup(rel)) == NULL || (dir = strdup("/")) == NULL) {
		free(copy);
		return hp_err_nomem(e);
	}
	for (part = strtok_r(copy, "/", &save); part != NULL && rc == 1;
	    part = strtok_r(NULL, "/", &save)) {
		if (out->path != NULL) {
			if (!descendable(out, where, missing)) {
				rc = 0;
				break;
			}
			free(dir);
			dir = out->path;
			out->path = NULL;
			wim_entry_free(out);
		}
		rc = find_child(wim, image, dir, part, out, file, e);
		if (rc == 0)
			hp_err_set(missing, HP_R_NOT_FOUND, "%s: not in the image "
			    "(no '%s' in %s)", where, part, dir);
	}
	free(copy);
	free(dir);
	if (rc == 1 && (out->attributes & WIMLIB_FILE_ATTRIBUTE_REPARSE_POINT)) {
		hp_err_set(missing, HP_R_SYMLINK, "%s: is a reparse point (a "
		    "link); refusing to follow links inside the image", where);
		rc = 0;
	}
	if (rc != 1)
		wim_entry_free(out);
	return rc;
}

/* ---- the file ---- */

/* wimlib's reading of the file, by the descriptor image.c holds. */
/* What a WIM's header and blob table may claim before wimlib is given
 * it: wimlib allocates what a resource says it holds before reading
 * it, so a header of a few bytes could cost terabytes.  Every resource
 * must lie in the file; a metadata resource (an image's directory tree)
 * and the XML data may not claim more than these once uncompressed,
 * far above what Windows images hold (tens of MiB). */
#define WIM_HEADER_SIZE 208
#define WIM_RESHDR_SIZE 24
#define WIM_BLOB_SIZE 50
#define WIM_METADATA_MAX (512ull << 20)
#define WIM_XML_MAX (64ull << 20)
#define RESHDR_METADATA 0x02
#define RESHDR_COMPRESSED 0x04
#define RESHDR_SOLID 0x10

struct reshdr {
	uint64_t size, offset, usize;
	unsigned flags;
};

static void
reshdr_of(const unsigned char *p, struct reshdr *r)
{
	r->size = le64(p) & 0x00ffffffffffffffull;
	r->flags = p[7];
	r->offset = le64(p + 8);
	r->usize = le64(p + 16);
}

static int
reshdr_bounded(const struct reshdr *r, uint64_t file_size, uint64_t umax)
{
	return r->offset <= file_size && r->size <= file_size - r->offset &&
	    r->usize <= umax;
}

/* A blob of the table: in the file (a blob of a solid resource is
 * placed in that resource, not in the file), and a metadata resource,
 * which wimlib allocates whole, bounded even in a solid resource. */
static int
blob_bounded(const struct reshdr *r, uint64_t file_size)
{
	if ((r->flags & RESHDR_METADATA) && r->usize > WIM_METADATA_MAX)
		return 0;
	if (r->flags & RESHDR_SOLID)
		return 1;
	return reshdr_bounded(r, file_size, UINT64_MAX);
}

/* The header's blob table, XML data, boot metadata and integrity
 * table, its count of images, and (when the blob table is stored
 * uncompressed, as wimlib and Windows write it) each blob it lists. */
static int
wim_bounded(struct hp_image_file *img, struct hp_err *e)
{
	unsigned char h[WIM_HEADER_SIZE], b[WIM_BLOB_SIZE];
	struct reshdr table, xml, boot, integrity, blob;
	struct stat st;
	uint64_t i, n;

	if (fstat(img->fd, &st) == -1 || pread(img->fd, h, sizeof(h), 0) !=
	    (ssize_t)sizeof(h))
		return hp_err_set(e, HP_R_DAMAGED, "%s: a WIM header cut "
		    "short", img->path);
	reshdr_of(h + 48, &table);
	reshdr_of(h + 72, &xml);
	reshdr_of(h + 96, &boot);
	reshdr_of(h + 124, &integrity);
	if (!reshdr_bounded(&table, (uint64_t)st.st_size,
	    (uint64_t)st.st_size) ||
	    !reshdr_bounded(&xml, (uint64_t)st.st_size, WIM_XML_MAX) ||
	    !reshdr_bounded(&boot, (uint64_t)st.st_size, WIM_METADATA_MAX) ||
	    !reshdr_bounded(&integrity, (uint64_t)st.st_size,
	    (uint64_t)st.st_size))
		return hp_err_set(e, HP_R_DAMAGED, "%s: damaged WIM: its "
		    "header places a table past the file's end", img->path);
	/* Each image has its metadata resource in the table. */
	n = table.size / WIM_BLOB_SIZE;
	if (le32(h + 44) > n)
		return hp_err_set(e, HP_R_DAMAGED, "%s: damaged WIM: its header "
		    "counts %u images, its table holds %llu resources",
		    img->path, le32(h + 44), (unsigned long long)n);
	if (table.flags & RESHDR_COMPRESSED)
		return 0;
	for (i = 0; i < n; i++) {
		if (pread(img->fd, b, sizeof(b), (off_t)(table.offset +
		    i * WIM_BLOB_SIZE)) != (ssize_t)sizeof(b))
			return hp_err_set(e, HP_R_IO, "%s: %s", img->path,
			    strerror(errno));
		reshdr_of(b, &blob);
		if (!blob_bounded(&blob, (uint64_t)st.st_size))
			return hp_err_set(e, HP_R_DAMAGED, "%s: damaged WIM: "
			    "blob %llu of its table lies past the file's end "
			    "or claims too much", img->path,
			    (unsigned long long)i);
	}
	return 0;
}

/* libxml2's handler of errors (xmlGenericErrorFunc), declared here:
 * hivepatch does not build against libxml2, wimlib 1.13 loads it. */
typedef void (*xml_error_fn)(void *ctx, const char *msg, ...);
typedef void (*xml_set_error_fn)(void *ctx, xml_error_fn handler);

static void
xml_say_nothing(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* wimlib 1.13 reads a WIM's XML with libxml2, whose own handler prints
 * each error with the line of the image it found it in, to standard
 * error, raw: a hostile WIM's escape sequences would reach the terminal
 * (fuzz_image showed them).  The handler is per thread: set to one that
 * says nothing in the thread that opens a WIM, and for threads to come.
 * wimlib's own error is what the message gives.  A wimlib that reads
 * XML itself has no libxml2 to quiet. */
static void
quiet_xml(void)
{
	xml_set_error_fn set;
	const char *setters[] = { "xmlSetGenericErrorFunc",
	    "xmlThrDefSetGenericErrorFunc" };
	size_t i;

	for (i = 0; i < sizeof(setters) / sizeof(setters[0]); i++) {
		void *fn = dynlib_find(&wim_lib, setters[i]);

		if (fn == NULL)
			continue;
		memcpy(&set, &fn, sizeof(set));
		set(NULL, xml_say_nothing);
	}
}

static int
open_wim(struct hp_image_file *img, struct wim_file *wf, struct hp_err *e)
{
	int rc;

	if (dynlib_load(&wim_lib, img->path, e) == -1 ||
	    wim_bounded(img, e) == -1)
		return -1;
	quiet_xml();
	rc = wimfn.open_wim(wf->fd_path, 0, &wf->wim);
	if (rc == WIMLIB_ERR_WIM_IS_ENCRYPTED)
		return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s: an encrypted "
		    "ESD: wimlib cannot read it, nor can hivepatch; decrypt it "
		    "first (e.g. with esd-decrypter) and run on the WIM",
		    img->path);
	if (rc != 0)
		return wim_err(e, HP_R_IO, rc, img->path, "cannot open the WIM");
	return wimfn.get_wim_info(wf->wim, &wf->info) == 0 ? 0 :
	    hp_err_set(e, HP_R_IO, "%s: cannot read the WIM's header",
	    img->path);
}

int
wim_reopen(struct hp_image_file *img, struct hp_err *e)
{
	struct wim_file *wf = img->priv;

	wimfn.free(wf->wim);
	wf->wim = NULL;
	return open_wim(img, wf, e);
}

/* Why hivepatch must not write this WIM (NULL: it may), in `buf`. */
static const char *
refusal(const struct hp_image_file *img, const struct wim_file *wf,
	char *buf, size_t len)
{
	const struct wimlib_wim_info *in = &wf->info;

	if (in->total_parts != 1)
		snprintf(buf, len, "%s: split WIM (part %u of %u): hivepatch "
		    "cannot write a split WIM; join it with wimlib-imagex "
		    "join", img->path, in->part_number, in->total_parts);
	else if (in->is_marked_readonly)
		snprintf(buf, len, "%s: the WIM is marked read-only in its "
		    "header", img->path);
	else if (in->pipable)
		snprintf(buf, len, "%s: a pipable WIM: wimlib can only rewrite "
		    "it whole, not append to it in place; convert it with "
		    "wimlib-imagex optimize --not-pipable", img->path);
	else
		return NULL;
	return buf;
}

/* The other parts of a split WIM, named as the first (PATH minus .swm,
 * then anything, then .swm), for reading files stored there. */
static int
reference_parts(struct hp_image_file *img, struct wim_file *wf,
		struct hp_err *e)
{
	size_t n = strlen(img->path);
	char *glob;
	int rc;

	if (wf->info.total_parts == 1)
		return 0;
	if (wf->info.part_number != 1)
		return hp_err_set(e, HP_R_USAGE, "%s: part %u of %u of a split "
		    "WIM: name its first part", img->path, wf->info.part_number,
		    wf->info.total_parts);
	if (n < 4 || strcasecmp(img->path + n - 4, ".swm") != 0)
		return 0;
	if (asprintf(&glob, "%.*s*%s", (int)(n - 4), img->path,
	    img->path + n - 4) == -1)
		return hp_err_nomem(e);
	rc = wimfn.reference_resource_files(wf->wim,
	    (const char *const *)&glob, 1, WIMLIB_REF_FLAG_GLOB_ENABLE, 0);
	free(glob);
	return rc == 0 ? 0 : wim_err(e, HP_R_IO, rc, img->path, "cannot "
	    "read the other parts of the split WIM");
}

/* The Windows tree of image `index`: its config directory holds
 * SOFTWARE or SYSTEM, as regular files. */
static int
has_windows(struct wim_file *wf, int index, const char *file,
	    struct hp_err *e)
{
	static const char *const hives[] = { "SOFTWARE", "SYSTEM" };
	struct wim_entry ent;
	struct hp_err missing;
	char rel[64];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(hives) / sizeof(hives[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/%s", STORE_CONFIG_DIR, hives[i]);
		rc = wim_resolve(wf->wim, index, rel, file, &ent, &missing,
		    file, e);
		if (rc == -1)
			return -1;
		if (rc == 1 && wim_entry_is_file(&ent)) {
			wim_entry_free(&ent);
			return 1;
		}
		wim_entry_free(&ent);
	}
	return 0;
}

static int
list_part(struct hp_image_file *img, struct wim_file *wf, int index,
	  struct hp_err *e)
{
	struct hp_image_part *p = &img->parts[index - 1];
	const char *name = wimfn.get_image_name(wf->wim, index);
	const char *bytes = wimfn.get_image_property(wf->wim, index,
	    "TOTALBYTES");
	int windows;

	p->number = (unsigned)index;
	p->name = strdup(name != NULL ? name : "");
	p->fs = strdup("wim");
	if (p->name == NULL || p->fs == NULL)
		return hp_err_nomem(e);
	p->size = bytes != NULL ? strtoull(bytes, NULL, 10) : 0;
	/* Part 1 of a split WIM holds the metadata; the others none. */
	windows = wf->info.part_number != 1 ? 0 : has_windows(wf, index,
	    img->path, e);
	if (windows == -1)
		return -1;
	p->windows = windows;
	p->writable = wf->format_ok;
	if (!wf->format_ok && (p->why_not = strdup(wf->why_not)) == NULL)
		return hp_err_nomem(e);
	return 0;
}

static int
wim_open(struct hp_image_file *img, struct hp_err *e)
{
	struct wim_file *wf;
	char why[1024];
	const char *no;
	uint32_t i;

	if ((wf = calloc(1, sizeof(*wf))) == NULL)
		return hp_err_nomem(e);
	img->priv = wf;
	snprintf(wf->fd_path, sizeof(wf->fd_path), "/proc/self/fd/%d",
	    img->fd);
	if (open_wim(img, wf, e) == -1)
		return -1;
	/* The parts say whether the WIM can be written; its stores write
	 * only when it was opened for writing too. */
	no = refusal(img, wf, why, sizeof(why));
	wf->format_ok = no == NULL;
	wf->writable = no == NULL && (img->flags & HP_IMAGE_WRITE);
	if (no == NULL && !wf->writable)
		snprintf(why, sizeof(why), "%s: opened for reading only",
		    img->path);
	if (!wf->writable && (wf->why_not = strdup(why)) == NULL)
		return hp_err_nomem(e);
	/* Writing was asked for a file that cannot be written at all. */
	if (no != NULL && (img->flags & HP_IMAGE_WRITE))
		return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s", no);
	if (reference_parts(img, wf, e) == -1)
		return -1;
	if (wf->info.image_count == 0)
		return 0;
	if ((img->parts = calloc(wf->info.image_count,
	    sizeof(*img->parts))) == NULL)
		return hp_err_nomem(e);
	for (i = 1; i <= wf->info.image_count; i++) {
		img->n_parts = i;
		if (list_part(img, wf, (int)i, e) == -1)
			return -1;
	}
	return 0;
}

static int
wim_store_open_be(struct hp_image_file *img, size_t i, const char *user,
		  const struct hp_store_ops **ops, void **priv,
		  struct hp_err *e)
{
	return wim_store_open(img, i, user, ops, priv, e);
}

static void
wim_close(struct hp_image_file *img)
{
	struct wim_file *wf = img->priv;

	/* NULL when wimlib could not be loaded or could not open the file. */
	if (wf->wim != NULL)
		wimfn.free(wf->wim);
	free(wf->why_not);
	free(wf);
	img->priv = NULL;
}

const struct image_backend image_wim_backend = {
	wim_open, wim_store_open_be, wim_close,
};
