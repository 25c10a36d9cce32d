/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Text for people: printf whose every string argument is escaped with
 * hp_escape_text (hivepatch.h), so that only the format strings, which
 * are ours, reach the terminal as they are. */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"

/* One conversion of a format: "%-*s", "%08" PRIx64, ... */
struct conv {
	char spec[32];		/* the conversion, '*' replaced by numbers */
	size_t used;
	char length[3];		/* "", "hh", "h", "l", "ll", "z", "j", "t" */
	char type;		/* 's', 'd', 'u', 'x', 'c', '%', or 0: unknown */
};

static void
spec_add(struct conv *c, const char *text, size_t n)
{
	if (c->used + n < sizeof(c->spec)) {
		memcpy(c->spec + c->used, text, n);
		c->used += n;
		c->spec[c->used] = '\0';
	} else
		c->type = 0;
}

/* A width or precision: digits, or '*' taken from the arguments. */
static const char *
parse_number(const char *f, struct conv *c, va_list *ap)
{
	char num[16];
	int n;

	if (*f == '*') {
		n = snprintf(num, sizeof(num), "%d", va_arg(*ap, int));
		spec_add(c, num, n > 0 ? (size_t)n : 0);
		return f + 1;
	}
	while (*f >= '0' && *f <= '9')
		spec_add(c, f++, 1);
	return f;
}

/* Parses the conversion at f (just after its '%'); returns what follows. */
static const char *
parse_conv(const char *f, struct conv *c, va_list *ap)
{
	size_t n;

	memset(c, 0, sizeof(*c));
	c->type = '?';
	spec_add(c, "%", 1);
	while (*f != '\0' && strchr("-+ #0", *f) != NULL)
		spec_add(c, f++, 1);
	f = parse_number(f, c, ap);
	if (*f == '.') {
		spec_add(c, f++, 1);
		f = parse_number(f, c, ap);
	}
	n = strspn(f, "hlzjt");
	if (n <= 2) {
		memcpy(c->length, f, n);
		f += n;
	}
	if (*f != '\0' && strchr("sdiuxXoc%", *f) != NULL && c->type != 0)
		c->type = *f == 'i' ? 'd' : *f == 'X' || *f == 'o' ? 'x' : *f;
	else
		c->type = 0;
	return *f != '\0' ? f + 1 : f;
}

/* A conversion of a signed or unsigned integer of c's length, printed
 * through intmax_t ("%08" PRIx64 becomes "%08jx"). */
static void
put_integer(FILE *out, struct conv *c, const char *f_conv, va_list *ap)
{
	const char *l = c->length;
	intmax_t s = 0;
	uintmax_t u = 0;
	char conv[3] = { 'j', *f_conv, '\0' };

	if (c->type == 'd')
		s = strcmp(l, "l") == 0 ? va_arg(*ap, long) :
		    strcmp(l, "ll") == 0 ? va_arg(*ap, long long) :
		    strcmp(l, "z") == 0 ? (intmax_t)va_arg(*ap, size_t) :
		    strcmp(l, "j") == 0 ? va_arg(*ap, intmax_t) :
		    strcmp(l, "t") == 0 ? va_arg(*ap, ptrdiff_t) :
		    va_arg(*ap, int);
	else
		u = strcmp(l, "l") == 0 ? va_arg(*ap, unsigned long) :
		    strcmp(l, "ll") == 0 ? va_arg(*ap, unsigned long long) :
		    strcmp(l, "z") == 0 ? va_arg(*ap, size_t) :
		    strcmp(l, "j") == 0 ? va_arg(*ap, uintmax_t) :
		    strcmp(l, "t") == 0 ? (uintmax_t)va_arg(*ap, ptrdiff_t) :
		    va_arg(*ap, unsigned);
	spec_add(c, conv, 2);
	/* The specification is built here from a checked format. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (c->type == 'd')
		fprintf(out, c->spec, s);
	else
		fprintf(out, c->spec, u);
#pragma GCC diagnostic pop
}

/* Prints one parsed conversion; f_conv points at its conversion
 * character in the format. */
static void
put_conv(FILE *out, struct conv *c, const char *f_conv, va_list *ap)
{
	char one[2] = { 0, 0 }, *shown;
	const char *s;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	switch (c->type) {
	case '%':
		fputc('%', out);
		break;
	case 'c':
	case 's':
		/* A character is shown as the string it makes (kept in
		 * `one`, which outlives this block, as a compound literal
		 * in it would not). */
		if (c->type == 'c') {
			one[0] = (char)va_arg(*ap, int);
			s = one;
		} else
			s = va_arg(*ap, const char *);
		spec_add(c, "s", 1);
		shown = hp_escape_text_dup(s != NULL ? s : "(null)");
		fprintf(out, c->spec, shown != NULL ? shown : "?");
		free(shown);
		break;
	default:
		put_integer(out, c, f_conv, ap);
		break;
	}
#pragma GCC diagnostic pop
}

void
out_vprintf(FILE *out, const char *fmt, va_list ap)
{
	const char *f = fmt, *pct, *next;
	struct conv c;
	va_list args;

	va_copy(args, ap);
	while ((pct = strchr(f, '%')) != NULL) {
		fwrite(f, 1, (size_t)(pct - f), out);
		next = parse_conv(pct + 1, &c, &args);
		if (c.type == 0) {
			/* Not a conversion this knows: the rest as it is. */
			f = pct;
			break;
		}
		put_conv(out, &c, next - 1, &args);
		f = next;
	}
	fputs(f, out);
	va_end(args);
}

void
out_printf(FILE *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vprintf(out, fmt, ap);
	va_end(ap);
}
