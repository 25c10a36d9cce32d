/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What Windows and which .NET Framework an offline SOFTWARE hive holds. */
#ifndef HIVEPATCH_DETECT_H
#define HIVEPATCH_DETECT_H

#include <stdint.h>

#include <stddef.h>

#include <hivex.h>

#include "error.h"


/* Reads what the SOFTWARE hive says; `software` may be 0 (no SOFTWARE
 * hive in the target), leaving those fields empty. */
void detect_image(hive_h *software, struct hp_image *info);

/* Adds what the SYSTEM hive says (processor architecture of the current
 * control set, when Select names one that exists). */
void detect_system(hive_h *system, struct hp_image *info);

/* The control sets CurrentControlSet stands for offline: the one
 * SYSTEM\Select Current names, or with `all` every ControlSetNNN at the
 * root.  HP_REFUSED when Select or Current is missing or names a control
 * set that does not exist.  *sets is NULL-terminated; free with
 * control_sets_free. */
int detect_control_sets(hive_h *system, int all, char ***sets, size_t *n,
			const char *hive_path, struct hp_err *e);
void control_sets_free(char **sets);

void image_info_free(struct hp_image *info);

/* The .NET Framework version a v4\Full Release value stands for
 * ("4.5" .. "4.8.1"), or NULL below 4.5. */
const char *dotnet_release_name(uint32_t release);

/* True when .NET 4.5 or later is installed, the floor for the .NET 4
 * TLS 1.2 profiles. */
int image_has_dotnet45(const struct hp_image *info);

#endif
