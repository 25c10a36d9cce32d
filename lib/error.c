#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "error.h"

int
hp_err_set(struct hp_err *e, enum hp_status status, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -1;
	e->status = status;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}
