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

/* Length of the well-formed UTF-8 character at s (at most `left` bytes
 * long), or 0 when there is none: no overlongs, surrogates or values
 * above U+10FFFF. */
size_t
utf8_char_len(const unsigned char *s, size_t left)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (left == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (left < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/* ASCII-only case folding: hive, log and directory names are compared
 * so, and the answer must not depend on the user's locale. */
static int
ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int
text_ascii_caseeq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (ascii_lower((unsigned char)*a) !=
		    ascii_lower((unsigned char)*b))
			return 0;
	return *a == '\0' && *b == '\0';
}

int
text_ascii_caseprefix(const char *s, const char *prefix, size_t prefix_len)
{
	size_t i;

	for (i = 0; i < prefix_len; i++)
		if (s[i] == '\0' || ascii_lower((unsigned char)s[i]) !=
		    ascii_lower((unsigned char)prefix[i]))
			return 0;
	return 1;
}
