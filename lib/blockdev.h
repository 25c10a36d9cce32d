/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The bytes of a disk or a volume, wherever they are: a file (a raw disk,
 * a fixed VHD, a bare volume), a byte range of another device (a
 * partition), an NBD export served by qemu-nbd (VHDX, dynamic VHD,
 * qcow2, VMDK) or an E01 read through libewf.  File systems are read and
 * written through this and nothing else, so a partition can never reach
 * past its own range. */
#ifndef HIVEPATCH_BLOCKDEV_H
#define HIVEPATCH_BLOCKDEV_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct blockdev;

struct blockdev_ops {
	/* All of len bytes at off, or -1 with e set naming the device
	 * (a short read past the end is an error). */
	int (*pread)(struct blockdev *bd, void *buf, size_t len, uint64_t off,
		     struct hp_err *e);
	int (*pwrite)(struct blockdev *bd, const void *buf, size_t len,
		      uint64_t off, struct hp_err *e);
	/* Everything written so far is durable on the medium. */
	int (*sync)(struct blockdev *bd, struct hp_err *e);
	void (*close)(struct blockdev *bd);
};

struct blockdev {
	const struct blockdev_ops *ops;
	void *priv;
	char *name;		/* for messages: "disk.img", "disk.img
				 * partition 2" */
	uint64_t size;		/* bytes */
	int writable;		/* 0: pwrite and sync refuse */
};

/* The file `path` as a device: opened for writing when `writable`. */
int blockdev_open_file(const char *path, int writable, struct blockdev **bd,
		       struct hp_err *e);

/* The same, of the file open as fd (which the device duplicates): the
 * very file a caller opened and locked, named `name` in messages.  fd
 * must be open for writing when `writable`. */
int blockdev_open_fd(int fd, const char *name, int writable,
		     struct blockdev **bd, struct hp_err *e);

/* Bytes [off, off + len) of `parent`, which must outlive it, as a device
 * named `name`; nothing outside the range is reachable through it. */
int blockdev_open_range(struct blockdev *parent, uint64_t off, uint64_t len,
			const char *name, struct blockdev **bd,
			struct hp_err *e);

/* An image QEMU reads (format "vhdx", "vpc", "qcow2", "vmdk") served by a
 * qemu-nbd child on a private socket, read and written through libnbd.
 * The child opens the file open as fd in this process (through /proc,
 * so never another file that took its name; fd -1: `path`, for a VMDK
 * descriptor whose extents are named beside it), `path` names it in
 * messages.  The child is reaped when the device is closed, on every
 * path. */
int blockdev_open_nbd(const char *path, int fd, const char *format,
		      int writable, struct blockdev **bd, struct hp_err *e);

/* An E01 (and its segments) through libewf: read-only. */
int blockdev_open_ewf(const char *path, struct blockdev **bd,
		      struct hp_err *e);

/* Wrappers that check the range and the writable flag. */
int blockdev_pread(struct blockdev *bd, void *buf, size_t len, uint64_t off,
		   struct hp_err *e);
int blockdev_pwrite(struct blockdev *bd, const void *buf, size_t len,
		    uint64_t off, struct hp_err *e);
int blockdev_sync(struct blockdev *bd, struct hp_err *e);
void blockdev_close(struct blockdev *bd);

#endif
