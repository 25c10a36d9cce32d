/* What Windows and which .NET Framework an offline SOFTWARE hive holds. */
#ifndef HIVEPATCH_DETECT_H
#define HIVEPATCH_DETECT_H

#include <stdint.h>

#include <stddef.h>

#include <hivex.h>

#include "error.h"

struct image_info {
	int from_software;	/* the fields below up to dotnet20 were read */
	char *product;		/* ProductName, or NULL */
	char *build;		/* CurrentBuild, or NULL */
	char *edition;		/* EditionID, or NULL */
	char *display_version;	/* DisplayVersion, else ReleaseId, or NULL */
	int is_64bit;		/* Wow6432Node present */
	int dotnet4_full;	/* NDP\v4\Full exists */
	int has_release;	/* ... and has a DWORD Release */
	uint32_t release;
	const char *dotnet4_version;	/* "4.8", "4.0", ... or NULL */
	int dotnet35;		/* NDP\v3.5 Install = 1 */
	int dotnet20;		/* NDP\v2.0.50727 Install = 1 */
	char *processor_arch;	/* from SYSTEM: AMD64, x86, ARM64; or NULL */
};

/* Reads what the SOFTWARE hive says; `software` may be 0 (no SOFTWARE
 * hive in the target), leaving those fields empty. */
void detect_image(hive_h *software, struct image_info *info);

/* Adds what the SYSTEM hive says (processor architecture of the current
 * control set, when Select names one that exists). */
void detect_system(hive_h *system, struct image_info *info);

/* The control sets CurrentControlSet stands for offline: the one
 * SYSTEM\Select Current names, or with `all` every ControlSetNNN at the
 * root.  HP_REFUSED when Select or Current is missing or names a control
 * set that does not exist.  *sets is NULL-terminated; free with
 * control_sets_free. */
int detect_control_sets(hive_h *system, int all, char ***sets, size_t *n,
			const char *hive_path, struct hp_err *e);
void control_sets_free(char **sets);

void image_info_free(struct image_info *info);

/* The .NET Framework version a v4\Full Release value stands for
 * ("4.5" .. "4.8.1"), or NULL below 4.5. */
const char *dotnet_release_name(uint32_t release);

/* True when .NET 4.5 or later is installed, the floor for the .NET 4
 * TLS 1.2 profiles. */
int image_has_dotnet45(const struct image_info *info);

#endif
