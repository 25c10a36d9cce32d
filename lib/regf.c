/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The base-block checksum and Marvin32 (see regf.h). */
#include "config.h"

#include "regf.h"

static uint32_t
xor508(const unsigned char *bb)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < REGF_BB_CHECKSUM; i += 4)
		sum ^= le32(bb + i);
	return sum;
}

uint32_t
regf_checksum(const unsigned char *bb)
{
	uint32_t sum = xor508(bb);

	if (sum == 0)
		return 1;
	if (sum == 0xFFFFFFFFu)
		return 0xFFFFFFFEu;
	return sum;
}

int
regf_checksum_ok(const unsigned char *bb)
{
	uint32_t stored = le32(bb + REGF_BB_CHECKSUM);

	return stored == regf_checksum(bb) || stored == xor508(bb);
}

void
regf_checksum_set(unsigned char *bb)
{
	put_le32(bb + REGF_BB_CHECKSUM, regf_checksum(bb));
}

static uint32_t
rotl32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static void
marvin_mix(uint32_t *lo, uint32_t *hi)
{
	*hi ^= *lo;
	*lo = rotl32(*lo, 20);
	*lo += *hi;
	*hi = rotl32(*hi, 9);
	*hi ^= *lo;
	*lo = rotl32(*lo, 27);
	*lo += *hi;
	*hi = rotl32(*hi, 19);
}

uint64_t
regf_marvin32(const unsigned char *data, size_t len, uint64_t seed)
{
	uint32_t lo = (uint32_t)seed, hi = (uint32_t)(seed >> 32);
	uint32_t last = 0;
	size_t i = 0, rest, k;

	for (; len - i >= 4; i += 4) {
		lo += le32(data + i);
		marvin_mix(&lo, &hi);
	}
	/* The tail (0 to 3 bytes), then a 0x80 byte, then zeros up to two
	 * more 32-bit words. */
	rest = len - i;
	for (k = 0; k < rest; k++)
		last |= (uint32_t)data[i + k] << (8 * k);
	last |= 0x80u << (8 * rest);
	lo += last;
	marvin_mix(&lo, &hi);
	marvin_mix(&lo, &hi);
	return (uint64_t)hi << 32 | lo;
}
