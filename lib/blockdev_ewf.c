/* SPDX-License-Identifier: GPL-3.0-or-later */
/* E01 evidence through libewf, for reading only: the media (the disk
 * that was acquired) as a device.  Its segment files (E01, E02, ...)
 * are found by libewf_glob from the first one's name; a first segment
 * whose name is not an EWF one (the kind was told by its content) is
 * opened alone, which is all there is of a single-segment image. */
#include "config.h"

#include <libewf.h>
#include <stdlib.h>
#include <string.h>

#include "blockdev.h"
#include "dynlib.h"

/* The libewf functions this file calls, loaded with the first E01
 * (dynlib.h). */
#define EWF_FUNCTIONS(F) \
	F(libewf_, error_free) F(libewf_, error_sprint) F(libewf_, glob) \
	F(libewf_, glob_free) F(libewf_, handle_close) F(libewf_, handle_free) \
	F(libewf_, handle_get_media_size) F(libewf_, handle_initialize) \
	F(libewf_, handle_open) F(libewf_, handle_read_random)
#define EWF_SYM(prefix, name) DYNSYM(ewffn, prefix, name)

static struct {
	EWF_FUNCTIONS(DYNLIB_MEMBER)
} ewffn;

static const struct dynsym ewf_syms[] = { EWF_FUNCTIONS(EWF_SYM) };

static struct dynlib ewf_lib = { .soname = EWF_SONAME,
    .package = EWF_PACKAGE, .serves = "E01 evidence", .syms = ewf_syms,
    .n_syms = sizeof(ewf_syms) / sizeof(ewf_syms[0]) };

/* libewf reads a request of any size, but a chunk at a time. */
#define EWF_CHUNK (4u << 20)

/* libewf's error as text (freed), for a message. */
static void
ewf_why(libewf_error_t **error, char *buf, size_t size)
{
	char *nl;

	buf[0] = '\0';
	if (*error == NULL)
		return;
	if (ewffn.error_sprint(*error, buf, size) == -1)
		buf[0] = '\0';
	/* The last line is the innermost cause. */
	while ((nl = strrchr(buf, '\n')) != NULL && nl[1] == '\0')
		*nl = '\0';
	if ((nl = strrchr(buf, '\n')) != NULL)
		memmove(buf, nl + 1, strlen(nl + 1) + 1);
	ewffn.error_free(error);
}

static int
ewf_pread(struct blockdev *bd, void *buf, size_t len, uint64_t off,
	  struct hp_err *e)
{
	libewf_handle_t *h = bd->priv;
	libewf_error_t *error = NULL;
	char why[512];
	size_t n;
	ssize_t got;

	while (len > 0) {
		n = len < EWF_CHUNK ? len : EWF_CHUNK;
		got = ewffn.handle_read_random(h, buf, n, (off64_t)off,
		    &error);
		if (got != (ssize_t)n) {
			ewf_why(&error, why, sizeof(why));
			return hp_err_set(e, HP_R_IO, "%s: cannot read %zu "
			    "bytes at %llu%s%s", bd->name, n,
			    (unsigned long long)off, why[0] ? ": " : "", why);
		}
		buf = (char *)buf + n;
		off += n;
		len -= n;
	}
	return 0;
}

static int
ewf_pwrite(struct blockdev *bd, const void *buf, size_t len, uint64_t off,
	   struct hp_err *e)
{
	(void)buf;
	(void)len;
	(void)off;
	return hp_err_set(e, HP_R_IMAGE_UNWRITABLE, "%s: an E01 is evidence, "
	    "read-only", bd->name);
}

static int
ewf_sync(struct blockdev *bd, struct hp_err *e)
{
	return ewf_pwrite(bd, NULL, 0, 0, e);
}

static void
ewf_free(libewf_handle_t *h, int opened)
{
	if (opened)
		ewffn.handle_close(h, NULL);
	ewffn.handle_free(&h, NULL);
}

/* blockdev_close frees the rest. */
static void
ewf_close(struct blockdev *bd)
{
	ewf_free(bd->priv, 1);
}

static const struct blockdev_ops ewf_ops = {
	ewf_pread, ewf_pwrite, ewf_sync, ewf_close,
};

/* Opens the segments of `path` into h. */
static int
ewf_open_segments(libewf_handle_t *h, const char *path, struct hp_err *e)
{
	libewf_error_t *error = NULL;
	char *alone[1], **names = NULL, why[512];
	int n = 0, rc;

	if (ewffn.glob(path, strlen(path), LIBEWF_FORMAT_UNKNOWN, &names, &n,
	    &error) != 1 || n < 1) {
		ewffn.error_free(&error);
		if (names != NULL)
			ewffn.glob_free(names, n, NULL);
		alone[0] = (char *)path;
		names = alone;
		n = 1;
	}
	rc = ewffn.handle_open(h, names, n, LIBEWF_OPEN_READ, &error);
	if (names != alone)
		ewffn.glob_free(names, n, NULL);
	if (rc != 1) {
		ewf_why(&error, why, sizeof(why));
		return hp_err_set(e, HP_R_DAMAGED, "%s: libewf cannot open it "
		    "as an E01%s%s", path, why[0] ? ": " : "", why);
	}
	return 0;
}

int
blockdev_open_ewf(const char *path, struct blockdev **out, struct hp_err *e)
{
	libewf_handle_t *h = NULL;
	libewf_error_t *error = NULL;
	struct blockdev *bd;
	size64_t size;
	char why[512];

	*out = NULL;
	if (dynlib_load(&ewf_lib, path, e) == -1)
		return -1;
	if (ewffn.handle_initialize(&h, &error) != 1) {
		ewffn.error_free(&error);
		return hp_err_nomem(e);
	}
	if (ewf_open_segments(h, path, e) == -1) {
		ewf_free(h, 0);
		return -1;
	}
	if (ewffn.handle_get_media_size(h, &size, &error) != 1) {
		ewf_why(&error, why, sizeof(why));
		ewf_free(h, 1);
		return hp_err_set(e, HP_R_DAMAGED, "%s: no media size: %s",
		    path, why);
	}
	if ((bd = calloc(1, sizeof(*bd))) == NULL ||
	    (bd->name = strdup(path)) == NULL) {
		free(bd);
		ewf_free(h, 1);
		return hp_err_nomem(e);
	}
	bd->ops = &ewf_ops;
	bd->priv = h;
	bd->size = size;
	bd->writable = 0;
	*out = bd;
	return 0;
}
