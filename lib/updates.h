/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Windows updates a profile's values need to take effect (its
 * "; hivepatch-update:" lines), looked for among the servicing packages
 * the image's SOFTWARE hive lists. */
#ifndef HIVEPATCH_UPDATES_H
#define HIVEPATCH_UPDATES_H

#include <stddef.h>

#include <hivex.h>

#include "hivepatch.h"
#include "profile.h"

/* Whether update u applies to this image (its CurrentBuild is u's) and
 * is not installed: 1 with a sentence in buf saying so and why it
 * matters, else 0.  Installed is a package of Component Based
 * Servicing\Packages named "..._for_KBnnn~..." whose CurrentState is
 * Installed (0x70), Permanent (0x80) or Superseded (0x50: a later
 * package that holds it is). */
int update_missing(hive_h *software, const struct hp_image *im,
		   const struct profile_update *u, char *buf, size_t len);

#endif
