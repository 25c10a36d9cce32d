/* SPDX-License-Identifier: GPL-3.0-or-later */
/* --profile auto: the profiles an image needs, from what it holds. */
#ifndef HIVEPATCH_AUTOPROFILE_H
#define HIVEPATCH_AUTOPROFILE_H

#include <stddef.h>

#include "detect.h"
#include "error.h"

#define AUTO_PROFILE "auto"
#define AUTO_MAX 4

/* Chooses, from the image's build and installed .NET versions:
 * Windows 7 / 2008 R2 (build 7601) gets schannel-tls12, winhttp-tls12
 * and net4-tls12; Windows 8 / 2012 (9200) winhttp-tls12 and net4-tls12;
 * 8.1 / 2012 R2 (9600) and later net4-tls12.  net4-tls12 only with .NET
 * 4.5 or later, net35-tls12 added when .NET 3.5 is installed.  `why`
 * says which rule applied; *n may be 0 (nothing needed).  HP_REFUSED
 * when the build is unknown or older than 7601. */
int auto_choose(const struct hp_image *image, const char *names[AUTO_MAX],
		size_t *n, char *why, size_t whylen, struct hp_err *e);

#endif
