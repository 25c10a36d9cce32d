/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>

#include "textconv.h"

/* Makes room for more output after E2BIG: doubles the buffer, keeping
 * one spare byte at the end for the NUL. */
static int
grow_output(unsigned char **out, size_t *cap, char **op, size_t *outleft)
{
	size_t used = (size_t)(*op - (char *)*out);
	unsigned char *grown;

	if (*cap > SIZE_MAX / 2)
		return -1;
	grown = realloc(*out, *cap * 2);
	if (grown == NULL)
		return -1;
	*out = grown;
	*cap *= 2;
	*op = (char *)grown + used;
	*outleft = *cap - 1 - used;
	return 0;
}

/* Converts `in` with iconv into a fresh buffer with a NUL byte after the
 * output (not counted in *outlen), so text can be used as a C string. */
enum text_conv
text_convert(const char *to, const char *from, const unsigned char *in,
	size_t inlen, unsigned char **outp, size_t *outlen, size_t *bad_at)
{
	enum text_conv rc = TEXT_OK;
	size_t cap, inleft, outleft;
	unsigned char *out;
	char *ip, *op;
	iconv_t cd;

	*outp = NULL;
	*outlen = 0;
	*bad_at = 0;
	if (inlen > (SIZE_MAX - 16) / 2)
		return TEXT_NO_MEMORY;
	cap = inlen * 2 + 16;
	out = malloc(cap);
	if (out == NULL)
		return TEXT_NO_MEMORY;
	cd = iconv_open(to, from);
	if (cd == (iconv_t)-1) {
		free(out);
		return TEXT_UNSUPPORTED;
	}
	ip = (char *)in;
	inleft = inlen;
	op = (char *)out;
	outleft = cap - 1;
	while (inleft > 0) {
		if (iconv(cd, &ip, &inleft, &op, &outleft) != (size_t)-1)
			continue;
		if (errno == E2BIG) {
			if (grow_output(&out, &cap, &op, &outleft) == -1) {
				rc = TEXT_NO_MEMORY;
				break;
			}
			continue;
		}
		*bad_at = (size_t)(ip - (const char *)in);
		rc = errno == EINVAL ? TEXT_TRUNCATED : TEXT_BAD_INPUT;
		break;
	}
	/* Flush any shift state (none for the encodings used here). */
	while (rc == TEXT_OK &&
	    iconv(cd, NULL, NULL, &op, &outleft) == (size_t)-1) {
		if (errno != E2BIG ||
		    grow_output(&out, &cap, &op, &outleft) == -1)
			rc = TEXT_NO_MEMORY;
	}
	iconv_close(cd);
	if (rc != TEXT_OK) {
		free(out);
		return rc;
	}
	*op = '\0';
	*outp = out;
	*outlen = (size_t)(op - (char *)out);
	return TEXT_OK;
}

char *
utf16le_to_utf8(const unsigned char *data, size_t len)
{
	unsigned char *out;
	size_t n, outlen, bad_at;

	for (n = 0; n + 1 < len; n += 2)
		if (data[n] == 0 && data[n + 1] == 0)
			break;
	if (text_convert("UTF-8", "UTF-16LE", data, n, &out, &outlen,
	    &bad_at) != TEXT_OK)
		return NULL;
	return (char *)out;
}
