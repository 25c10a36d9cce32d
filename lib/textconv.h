/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Character set conversion with iconv(3), for .reg files and for the
 * UTF-16LE strings a hive holds. */
#ifndef HIVEPATCH_TEXTCONV_H
#define HIVEPATCH_TEXTCONV_H

#include <stddef.h>

enum text_conv {
	TEXT_OK,
	TEXT_BAD_INPUT,		/* invalid sequence at *bad_at */
	TEXT_TRUNCATED,		/* input ends inside a character */
	TEXT_NO_MEMORY,
	TEXT_UNSUPPORTED,	/* iconv does not know the pair */
};

/* Converts `in` from `from` to `to` into a fresh buffer with a NUL byte
 * after the output (not counted in *outlen), so text can be used as a C
 * string. */
enum text_conv text_convert(const char *to, const char *from,
			    const unsigned char *in, size_t inlen,
			    unsigned char **outp, size_t *outlen,
			    size_t *bad_at);

/* A registry string (UTF-16LE, up to its first NUL) as UTF-8, or NULL
 * when it is not valid UTF-16. */
char *utf16le_to_utf8(const unsigned char *data, size_t len);

/* Length of the well-formed UTF-8 character at s (at most `left` bytes
 * long), or 0 when there is none: no overlongs, surrogates or values
 * above U+10FFFF. */
size_t utf8_char_len(const unsigned char *s, size_t left);

/* Whether a and b are the same name, or s starts with the prefix_len
 * bytes of prefix, letter case of ASCII letters aside (never the
 * locale's). */
int text_ascii_caseeq(const char *a, const char *b);
int text_ascii_caseprefix(const char *s, const char *prefix,
			  size_t prefix_len);

#endif
