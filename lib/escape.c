/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The one escaping of text for people (hivepatch.h, hp_escape_text):
 * what a hive, a log or an image's file names hold never reaches a
 * terminal as control characters. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "textconv.h"

/* Length of the well-formed UTF-8 character at s (a C string), or 0:
 * a NUL is no continuation byte, so at most the string is read. */
static size_t
char_len(const unsigned char *s)
{
	return utf8_char_len(s, strnlen((const char *)s, 4));
}

/* The code point of the well-formed character of n bytes at s. */
static uint32_t
code_point(const unsigned char *s, size_t n)
{
	uint32_t cp = n == 1 ? s[0] : s[0] & (0x7f >> n);
	size_t i;

	for (i = 1; i < n; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/* What is never shown as it is: C0 controls, DEL, C1 controls, the line
 * and paragraph separators and the bidirectional formatting characters
 * (which reorder what a terminal shows around them). */
static int
hidden(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x061c ||
	    cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/* The bytes of the character (or lone byte) at s as shown: into unit
 * (at least 17 bytes); returns how many bytes of s it takes and sets
 * *len to the length shown. */
static size_t
show_char(const unsigned char *s, char *unit, size_t *len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = char_len(s), i;

	if (n != 0 && !hidden(code_point(s, n))) {
		memcpy(unit, s, n);
		*len = n;
		return n;
	}
	if (n == 0)
		n = 1;
	for (i = 0; i < n; i++) {
		unit[4 * i] = '\\';
		unit[4 * i + 1] = 'x';
		unit[4 * i + 2] = hex[s[i] >> 4];
		unit[4 * i + 3] = hex[s[i] & 0xf];
	}
	*len = 4 * n;
	return n;
}

size_t
hp_escape_text(char *buf, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t total = 0, used = 0, len;
	int full = size == 0;
	char unit[17];

	while (*p != '\0') {
		p += show_char(p, unit, &len);
		/* Whole characters and escapes only, and room for the NUL. */
		if (!full && used + len < size) {
			memcpy(buf + used, unit, len);
			used += len;
		} else
			full = 1;
		total += len;
	}
	if (size > 0)
		buf[used] = '\0';
	return total;
}

char *
hp_escape_text_dup(const char *s)
{
	size_t n = hp_escape_text(NULL, 0, s);
	char *out = malloc(n + 1);

	if (out != NULL)
		hp_escape_text(out, n + 1, s);
	return out;
}

int
hp_text_is_plain(const char *s)
{
	return hp_escape_text(NULL, 0, s) == strlen(s);
}

void
text_escape_in_place(char *buf, size_t size)
{
	char *copy;
	size_t i;

	if (size == 0 || hp_text_is_plain(buf))
		return;
	if ((copy = strdup(buf)) != NULL) {
		hp_escape_text(buf, size, copy);
		free(copy);
		return;
	}
	/* No memory for the copy: still nothing that is not plain ASCII. */
	for (i = 0; buf[i] != '\0'; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c < 0x20 || c >= 0x7f)
			buf[i] = '?';
	}
}
