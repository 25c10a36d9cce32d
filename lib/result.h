/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Building the results the runs give back (hivepatch.h): each owns
 * copies of what it reports, so that it outlives the run's sessions. */
#ifndef HIVEPATCH_RESULT_H
#define HIVEPATCH_RESULT_H

#include <stdarg.h>
#include <stddef.h>

#include <hivex.h>

#include "hivepatch.h"
#include "plan.h"
#include "session.h"

/* Appends a copy of s to the list; -1 on out of memory. */
int strv_push(char ***v, size_t *n, const char *s);

/* Appends a formatted message (printf-style) to a warnings list,
 * escaped as hp_escape_text escapes (a message is one line of text). */
int strv_pushf(char ***v, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same with a va_list. */
int strv_vpushf(char ***v, size_t *n, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

void strv_free(char **v, size_t n);

/* Copies registry data (with its text for string types). */
int data_copy(struct hp_data *d, hive_type type, const unsigned char *bytes,
	      size_t len);
void data_free(struct hp_data *d);

/* Copies what the logs' replay said (logs_used duplicated). */
int recovery_copy(struct hp_recovery *dst, const struct hp_recovery *src);

/* Copies the image facts (free with image_info_free); the static
 * dotnet4_version is shared. */
int image_copy(struct hp_image *dst, const struct hp_image *src);

/* Appends the report of one hive of a patch run: what was read, the
 * plan as changes, and what the commit did. */
int result_add_hive(struct hp_result *r, const struct session *s);

#endif
