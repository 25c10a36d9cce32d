/* SPDX-License-Identifier: GPL-3.0-or-later */
/* libFuzzer target for the image readers, through the public API as a
 * caller reads an image: the input is written to a file, probed
 * (hp_image_probe), opened for reading (hp_image_open: the WIM's
 * headers through wimlib, the partition table through libfdisk, each
 * NTFS volume's boot sector, $Volume and hiberfil.sys through
 * libntfs-3g), its parts chosen (hp_image_choose), and each part
 * holding Windows opened as a store and inspected (hp_inspect: the
 * config directory found, its hives and logs read out of the image).
 * Nothing is ever written: the file's hash is the same after.
 *
 *   ./configure --enable-fuzzing && make fuzz-image
 *
 * Inputs that QEMU would read (VHDX, qcow2, VMDK, dynamic VHD) are
 * probed and then left alone: qemu-nbd parses them, in its own process.
 * The file lives in a directory made at the first input (under $TMPDIR,
 * else /tmp) and removed at exit.  test_fuzz replays
 * tests/fuzz-regressions/image/ through fuzz_image(). */
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

#ifndef FUZZ_PROFILE_DIR
#error "FUZZ_PROFILE_DIR: the source tree's profiles/"
#endif

static char dir[PATH_MAX - 32];
static char image_path[PATH_MAX];

static void
remove_dir(void)
{
	unlink(image_path);
	rmdir(dir);
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");

	if (dir[0] != '\0')
		return;
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (snprintf(dir, sizeof(dir), "%s/fuzz_image.XXXXXX", tmp) >=
	    (int)sizeof(dir) || mkdtemp(dir) == NULL) {
		perror("fuzz_image: mkdtemp");
		abort();
	}
	snprintf(image_path, sizeof(image_path), "%s/IMAGE", dir);
	atexit(remove_dir);
}

static void
put(const uint8_t *d, size_t len)
{
	ssize_t n;
	int fd;

	if (unlink(image_path) == -1 && errno != ENOENT)
		abort();
	fd = open(image_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1)
		abort();
	while (len > 0) {
		if ((n = write(fd, d, len)) <= 0)
			abort();
		d += n;
		len -= (size_t)n;
	}
	close(fd);
}

/* A failed call: a message, and a reason of its status. */
static void
check_err(const struct hp_err *e)
{
	if (e->msg[0] == '\0' || e->reason == HP_R_NONE ||
	    hp_reason_status(e->reason) != e->status)
		abort();
}

static void
inspect_part(struct hp_image_file *img, size_t i)
{
	struct hp_inspect_opts o = { FUZZ_PROFILE_DIR, 0, NULL };
	struct hp_inspect *r = NULL;
	struct hp_store *store;
	struct hp_err e = { 0 };

	if (hp_image_store_open(img, i, NULL, &store, &e) == -1) {
		check_err(&e);
		return;
	}
	if (hp_inspect(store, &o, &r, &e) == -1)
		check_err(&e);
	if (r == NULL)
		abort();
	hp_inspect_free(r);
	hp_store_close(store);
}

/* Reading an image never writes it. */
static void
same_as(const uint8_t *d, size_t len)
{
	uint8_t buf[65536];
	ssize_t n;
	int fd;

	if ((fd = open(image_path, O_RDONLY | O_CLOEXEC)) == -1)
		abort();
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if ((size_t)n > len || memcmp(buf, d, (size_t)n) != 0)
			abort();
		d += n;
		len -= (size_t)n;
	}
	if (n < 0 || len != 0)
		abort();
	close(fd);
}

static void
read_image(void)
{
	const struct hp_image_part *parts;
	struct hp_image_file *img;
	struct hp_err e = { 0 };
	size_t *chosen, n_chosen, i, n;

	if (hp_image_open(image_path, 0, &img, &e) == -1) {
		check_err(&e);
		return;
	}
	n = hp_image_parts(img, &parts);
	for (i = 0; i < n; i++)
		if (parts[i].name == NULL || parts[i].fs == NULL ||
		    (!parts[i].writable && parts[i].why_not == NULL))
			abort();
	if (hp_image_choose(img, NULL, NULL, 0, &chosen, &n_chosen,
	    &e) == -1)
		check_err(&e);
	for (i = 0; i < n_chosen; i++)
		inspect_part(img, chosen[i]);
	free(chosen);
	hp_image_close(img);
}

int
fuzz_image(const uint8_t *data, size_t size)
{
	struct hp_err e = { 0 };
	enum hp_image_kind kind;

	setup();
	put(data, size);
	if (hp_image_probe(image_path, &kind, &e) == -1)
		abort();
	switch (kind) {
	case HP_IMAGE_VHDX:
	case HP_IMAGE_QCOW2:
	case HP_IMAGE_VMDK:
		return 0;
	case HP_IMAGE_VHD:
		/* A fixed VHD is read here; a dynamic one by qemu-nbd. */
		if (size < 512 || memcmp(data, "conectix", 8) == 0)
			return 0;
		break;
	default:
		break;
	}
	read_image();
	same_as(data, size);
	return 0;
}

#ifdef HP_FUZZ_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_image(data, size);
}
#endif
