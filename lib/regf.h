/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The regf layout: where the fields of a hive's base block, hive bins and
 * transaction logs lie, the base-block checksum and the Marvin32 hash of
 * new-format log entries.  The one definition used by the library, the
 * fixture generators (hives/) and the fuzz targets.
 *
 * Source: "Windows registry file format specification" by Maxim Suhanov
 * (github.com/msuhanov/regf).  Every field is little-endian; the helpers
 * below read and write them in byte buffers, with no alignment assumed. */
#ifndef HIVEPATCH_REGF_H
#define HIVEPATCH_REGF_H

#include <stddef.h>
#include <stdint.h>

/* Sizes. */
#define REGF_BASE_BLOCK		4096u	/* base block of a primary file */
#define REGF_LOG_HEADER		512u	/* base block copy that starts a log */
#define REGF_PAGE		4096u	/* hive bins are multiples of it */
#define REGF_OLD_PAGE		512u	/* dirty page of an old-format log */

/* Base block fields (offsets from the start of the file). */
#define REGF_BB_SEQ1		4	/* primary sequence number */
#define REGF_BB_SEQ2		8	/* secondary: differs when dirty */
#define REGF_BB_TIMESTAMP	12	/* last written, FILETIME */
#define REGF_BB_MAJOR		20
#define REGF_BB_MINOR		24
#define REGF_BB_FILE_TYPE	28
#define REGF_BB_FILE_FORMAT	32
#define REGF_BB_ROOT		36	/* root cell, from the first hive bin */
#define REGF_BB_BINS_SIZE	40	/* hive bins data size */
#define REGF_BB_CLUSTERING	44
#define REGF_BB_NAME		48	/* UTF-16LE file name tail */
#define REGF_BB_NAME_LEN	64
#define REGF_BB_RMID		112	/* resource manager GUID */
#define REGF_BB_LOGID		128
#define REGF_BB_FLAGS		144
#define REGF_BB_TMID		148
#define REGF_BB_GUID_LEN	16
#define REGF_BB_CHECKSUM	508	/* XOR of the 127 words before it */

/* File types (REGF_BB_FILE_TYPE). */
#define REGF_FILE_PRIMARY	0
#define REGF_FILE_LOG_OLD	1	/* old-format transaction log */
#define REGF_FILE_LOG_VERYOLD	2
#define REGF_FILE_LOG_NEW	6	/* HvLE entries */
#define REGF_FILE_FORMAT_DIRECT	1	/* "direct memory load" */

/* Hive bin header. */
#define REGF_HBIN_OFFSET	4	/* from the first hive bin */
#define REGF_HBIN_SIZE		8
#define REGF_HBIN_TIMESTAMP	20
#define REGF_HBIN_HEADER	32

/* Cells: a signed 32-bit size (negative when allocated), then the
 * record.  Offsets of cells count from the first hive bin. */
#define REGF_CELL_SIZE_FIELD	4
#define REGF_NO_OFFSET		0xffffffffU

/* Key node (nk) record, offsets from the start of the cell data. */
#define REGF_NK_FIXED_SIZE	76
#define REGF_NK_FLAGS		2
#define REGF_NK_TIMESTAMP	4	/* LastWrite, FILETIME */
#define REGF_NK_PARENT		16
#define REGF_NK_NR_SUBKEYS	20
#define REGF_NK_NR_VOLATILE	24
#define REGF_NK_SUBKEYS		28
#define REGF_NK_VOLATILE_SUBKEYS 32
#define REGF_NK_NR_VALUES	36
#define REGF_NK_VALUES		40
#define REGF_NK_SECURITY	44
#define REGF_NK_CLASS		48
#define REGF_NK_NAME_LEN	72
#define REGF_NK_CLASS_LEN	74
#define REGF_NK_NAME		76
#define REGF_KEY_HIVE_ENTRY	0x0004	/* nk flags */
#define REGF_KEY_NO_DELETE	0x0008
#define REGF_KEY_SYM_LINK	0x0010
#define REGF_KEY_COMP_NAME	0x0020	/* name in Latin-1, not UTF-16LE */
#define REGF_MAX_KEY_NAME	255

/* Key value (vk) record: fixed part, then the name. */
#define REGF_VK_FIXED_SIZE	20

/* Key security (sk) record, offsets from the start of the cell data. */
#define REGF_SK_FIXED_SIZE	20
#define REGF_SK_FLINK		4
#define REGF_SK_BLINK		8
#define REGF_SK_REFCOUNT	12
#define REGF_SK_DESCRIPTOR_SIZE	16
#define REGF_SK_DESCRIPTOR	20

/* Old-format log: the dirty vector after the base block copy. */
#define REGF_DIRT_OFFSET	REGF_LOG_HEADER

/* New-format log entry ("HvLE") header. */
#define REGF_LE_SIZE		4
#define REGF_LE_FLAGS		8
#define REGF_LE_SEQ		12
#define REGF_LE_BINS_SIZE	16
#define REGF_LE_PAGES		20	/* count of dirty page references */
#define REGF_LE_HASH1		24	/* Marvin32 of the entry past 40 */
#define REGF_LE_HASH2		32	/* Marvin32 of the first 32 bytes */
#define REGF_LE_HEADER		40	/* then 8-byte page references */
#define REGF_LE_MIN_SIZE	512u

/* Seed of the Marvin32 hashes in HvLE log entries.  The specification
 * lists it as the bytes 82 EF 4D 88 7A 4E 55 C5; read as one 64-bit
 * number, most significant byte first, so that Marvin32's low state word
 * starts as 0x7A4E55C5 and the high one as 0x82EF4D88 (checked against
 * logs written by Windows 10). */
#define REGF_LOG_HASH_SEED	0x82EF4D887A4E55C5ull

static inline uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Big-endian, for the image formats that use it (VHD, qcow2). */
static inline uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t
be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | (uint64_t)be32(p + 4);
}

static inline void
put_le16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static inline void
put_le32(unsigned char *p, uint32_t v)
{
	put_le16(p, (uint16_t)v);
	put_le16(p + 2, (uint16_t)(v >> 16));
}

static inline void
put_le64(unsigned char *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

/* The checksum Windows stores at REGF_BB_CHECKSUM (buffers of at least
 * 512 bytes): XOR of the first 127 32-bit words, with 0 stored as 1 and
 * 0xFFFFFFFF as 0xFFFFFFFE. */
uint32_t regf_checksum(const unsigned char *bb);
/* 1 when the stored checksum is right (the raw XOR is accepted too). */
int regf_checksum_ok(const unsigned char *bb);
/* Recomputes and stores the checksum. */
void regf_checksum_set(unsigned char *bb);

/* Marvin32 (the 64-bit result: low state word in the low half). */
uint64_t regf_marvin32(const unsigned char *data, size_t len, uint64_t seed);

#endif
