/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Partition tables through libfdisk, which reads a file descriptor.  A
 * raw disk is its own file.  A disk behind qemu-nbd or libewf is not,
 * so libfdisk gets a sparse memory file of the disk's size holding what
 * a table may be made of:
 * - the first and the last MiB: the MBR, the GPT's header and entries
 *   and their backup, wherever a partitioning tool puts them;
 * - the GPT entries wherever either header says they are;
 * - every EBR of the MBR's logical partitions, found by following the
 *   chain through the device (each EBR sits before its partition,
 *   anywhere in the extended partition).
 * libfdisk then reads these as it reads a disk, and everything else it
 * would look at there reads as zeros: nothing a DOS or GPT table needs.
 * Sectors are 512 bytes, as libfdisk takes them for a file. */
#include "config.h"

#include <errno.h>
#include <libfdisk.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error.h"
#include "parttable.h"

#define SECTOR 512u
#define EDGE (1u << 20)		/* the first and last MiB */
#define MAX_EBRS 128		/* more is a loop */
#define MAX_GPT_ENTRIES (1u << 20)	/* bytes of GPT entries */

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Bytes [off, off + len) of the disk into the memory file, what lies
 * past the disk's end left out. */
static int
copy_range(struct blockdev *disk, int mfd, uint64_t off, uint64_t len,
	   struct hp_err *e)
{
	unsigned char buf[64 * 1024];
	size_t n;

	if (off >= disk->size)
		return 0;
	if (len > disk->size - off)
		len = disk->size - off;
	while (len > 0) {
		n = len < sizeof(buf) ? (size_t)len : sizeof(buf);
		if (blockdev_pread(disk, buf, n, off, e) == -1)
			return -1;
		if (pwrite(mfd, buf, n, (off_t)off) != (ssize_t)n)
			return hp_err_set(e, HP_R_IO, "%s: cannot copy its "
			    "partition table: %s", disk->name,
			    strerror(errno));
		off += n;
		len -= n;
	}
	return 0;
}

/* Sector lba of the disk, copied into the memory file and into buf;
 * 0 when it is past the disk's end. */
static int
copy_sector(struct blockdev *disk, int mfd, uint64_t lba,
	    unsigned char buf[SECTOR], struct hp_err *e)
{
	if (lba >= disk->size / SECTOR)
		return 0;
	if (copy_range(disk, mfd, lba * SECTOR, SECTOR, e) == -1 ||
	    blockdev_pread(disk, buf, SECTOR, lba * SECTOR, e) == -1)
		return -1;
	return 1;
}

/* The entries of the GPT header at lba, when there is one. */
static int
copy_gpt_entries(struct blockdev *disk, int mfd, uint64_t lba,
		 struct hp_err *e)
{
	unsigned char h[SECTOR];
	uint64_t len;
	int rc;

	if ((rc = copy_sector(disk, mfd, lba, h, e)) <= 0)
		return rc;
	if (memcmp(h, "EFI PART", 8) != 0)
		return 0;
	len = (uint64_t)le32(h + 80) * le32(h + 84);
	if (len > MAX_GPT_ENTRIES || le64(h + 72) > UINT64_MAX / SECTOR)
		return 0;	/* libfdisk will call it damaged */
	return copy_range(disk, mfd, le64(h + 72) * SECTOR, len, e);
}

static int
is_extended(unsigned char type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

/* The EBRs of the MBR's first extended partition (the one libfdisk
 * reads): each holds its logical partition and the link to the next,
 * relative to the extended partition's start. */
static int
copy_ebr_chain(struct blockdev *disk, int mfd, struct hp_err *e)
{
	unsigned char s[SECTOR];
	uint64_t ext = 0, lba;
	int i, rc;

	if ((rc = copy_sector(disk, mfd, 0, s, e)) <= 0)
		return rc;
	if (s[510] != 0x55 || s[511] != 0xaa)
		return 0;
	for (i = 0; i < 4 && ext == 0; i++)
		if (is_extended(s[446 + 16 * i + 4]))
			ext = le32(s + 446 + 16 * i + 8);
	for (lba = ext, i = 0; lba != 0 && i < MAX_EBRS; i++) {
		if ((rc = copy_sector(disk, mfd, lba, s, e)) <= 0)
			return rc;
		if (s[510] != 0x55 || s[511] != 0xaa ||
		    !is_extended(s[446 + 16 + 4]) || le32(s + 446 + 16 + 8) == 0)
			break;
		lba = ext + le32(s + 446 + 16 + 8);
	}
	return 0;
}

/* The memory file libfdisk reads for a disk that is no file. */
static int
table_copy(struct blockdev *disk, int *mfd, struct hp_err *e)
{
	uint64_t last = disk->size / SECTOR;

	*mfd = memfd_create("partition-table", MFD_CLOEXEC);
	if (*mfd == -1 || ftruncate(*mfd, (off_t)disk->size) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot copy its partition "
		    "table: %s", disk->name, strerror(errno));
	if (copy_range(disk, *mfd, 0, EDGE, e) == -1 ||
	    copy_range(disk, *mfd, disk->size > EDGE ? disk->size - EDGE : 0,
	    EDGE, e) == -1 ||
	    copy_gpt_entries(disk, *mfd, 1, e) == -1 ||
	    (last > 0 && copy_gpt_entries(disk, *mfd, last - 1, e) == -1) ||
	    copy_ebr_chain(disk, *mfd, e) == -1)
		return -1;
	return 0;
}

/* The used partitions of tb, but extended ones, into parts. */
static int
table_entries(struct fdisk_context *cxt, struct fdisk_table *tb,
	      struct parttable_entry **parts, size_t *n, struct hp_err *e)
{
	uint64_t ss = fdisk_get_sector_size(cxt);
	size_t i, max = fdisk_table_get_nents(tb);
	struct fdisk_partition *pa;
	struct parttable_entry *p;
	const char *label;

	if ((*parts = calloc(max + 1, sizeof(**parts))) == NULL)
		return hp_err_nomem(e);
	for (i = 0; i < max; i++) {
		pa = fdisk_table_get_partition(tb, i);
		if (pa == NULL || !fdisk_partition_is_used(pa) ||
		    fdisk_partition_is_container(pa) ||
		    !fdisk_partition_has_start(pa) ||
		    !fdisk_partition_has_size(pa))
			continue;
		p = &(*parts)[(*n)++];
		p->number = (unsigned)fdisk_partition_get_partno(pa) + 1;
		p->offset = fdisk_partition_get_start(pa) * ss;
		p->size = fdisk_partition_get_size(pa) * ss;
		label = fdisk_partition_get_name(pa);
		if ((p->label = strdup(label != NULL ? label : "")) == NULL)
			return hp_err_nomem(e);
	}
	return 0;
}

/* Two partitions that share bytes are a damaged table (an EBR chain
 * that loops lists one partition over and over): a file system in both
 * would be patched twice, or one through the other. */
static int
check_overlap(struct blockdev *disk, const struct parttable_entry *p,
	      size_t n, struct hp_err *e)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (p[i].offset < p[j].offset + p[j].size &&
			    p[j].offset < p[i].offset + p[i].size)
				return hp_err_set(e, HP_R_DAMAGED, "%s: its "
				    "partition table is damaged: partitions "
				    "%u and %u overlap", disk->name,
				    p[i].number, p[j].number);
	return 0;
}

static int
read_table(struct fdisk_context *cxt, struct blockdev *disk, int fd,
	   struct parttable_entry **parts, size_t *n, struct hp_err *e)
{
	struct fdisk_table *tb = NULL;
	int rc;

	if ((rc = fdisk_assign_device_by_fd(cxt, fd, disk->name, 1)) < 0)
		return hp_err_set(e, HP_R_IO, "%s: libfdisk cannot read it: "
		    "%s", disk->name, strerror(-rc));
	if (!fdisk_has_label(cxt))
		return 0;
	if ((rc = fdisk_get_partitions(cxt, &tb)) < 0)
		return hp_err_set(e, HP_R_DAMAGED, "%s: its partition table "
		    "cannot be read: %s", disk->name, strerror(-rc));
	rc = table_entries(cxt, tb, parts, n, e);
	fdisk_unref_table(tb);
	return rc == -1 ? -1 : check_overlap(disk, *parts, *n, e);
}

int
parttable_read(struct blockdev *disk, int fd, struct parttable_entry **parts,
	       size_t *n, struct hp_err *e)
{
	struct fdisk_context *cxt;
	int mfd = -1, rc = -1;

	*parts = NULL;
	*n = 0;
	if ((cxt = fdisk_new_context()) == NULL)
		return hp_err_nomem(e);
	if (fd != -1 || table_copy(disk, &mfd, e) == 0)
		rc = read_table(cxt, disk, fd != -1 ? fd : mfd, parts, n, e);
	/* libfdisk leaves a descriptor it was given open. */
	fdisk_unref_context(cxt);
	if (mfd != -1)
		close(mfd);
	if (rc == -1) {
		parttable_free(*parts, *n);
		*parts = NULL;
		*n = 0;
	}
	return rc;
}

void
parttable_free(struct parttable_entry *parts, size_t n)
{
	size_t i;

	if (parts == NULL)
		return;
	for (i = 0; i < n; i++)
		free(parts[i].label);
	free(parts);
}
