/* What Windows and which .NET Framework an offline SOFTWARE hive holds. */
#ifndef HIVEPATCH_DETECT_H
#define HIVEPATCH_DETECT_H

#include <stdint.h>

#include <hivex.h>

struct image_info {
	char *product;		/* ProductName, or NULL */
	char *build;		/* CurrentBuild, or NULL */
	char *edition;		/* EditionID, or NULL */
	char *display_version;	/* DisplayVersion, else ReleaseId, or NULL */
	int is_64bit;		/* Wow6432Node present */
	int dotnet4_full;	/* NDP\v4\Full exists */
	int has_release;	/* ... and has a DWORD Release */
	uint32_t release;
	const char *dotnet4_version;	/* "4.8", "4.0", ... or NULL */
};

void detect_image(hive_h *h, struct image_info *info);
void image_info_free(struct image_info *info);

/* The .NET Framework version a v4\Full Release value stands for
 * ("4.5" .. "4.8.1"), or NULL below 4.5. */
const char *dotnet_release_name(uint32_t release);

/* True when .NET 4.5 or later is installed, the floor for the .NET 4
 * TLS 1.2 profiles. */
int image_has_dotnet45(const struct image_info *info);

#endif
