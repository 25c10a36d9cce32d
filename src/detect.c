#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "detect.h"
#include "hive.h"

/* Minimum Release values, from Microsoft's "determine which .NET Framework
 * versions are installed"; some OS builds use slightly higher ones, so the
 * largest minimum not above the value wins. */
static const struct {
	uint32_t min_release;
	const char *name;
} dotnet_releases[] = {
	{ 533320, "4.8.1" },
	{ 528040, "4.8" },
	{ 461808, "4.7.2" },
	{ 461308, "4.7.1" },
	{ 460798, "4.7" },
	{ 394802, "4.6.2" },
	{ 394254, "4.6.1" },
	{ 393295, "4.6" },
	{ 379893, "4.5.2" },
	{ 378675, "4.5.1" },
	{ 378389, "4.5" },
};

const char *
dotnet_release_name(uint32_t release)
{
	size_t i;

	for (i = 0; i < sizeof(dotnet_releases) / sizeof(dotnet_releases[0]); i++)
		if (release >= dotnet_releases[i].min_release)
			return dotnet_releases[i].name;
	return NULL;
}

/* A REG_SZ (or REG_EXPAND_SZ) value as UTF-8, or NULL. */
static char *
read_string(hive_h *h, hive_node_h node, const char *name)
{
	hive_value_h v;
	hive_type t;
	size_t len;

	if (node == 0)
		return NULL;
	v = hivex_node_get_value(h, node, name);
	if (v == 0 || hivex_value_type(h, v, &t, &len) == -1)
		return NULL;
	if (t != hive_t_REG_SZ && t != hive_t_REG_EXPAND_SZ)
		return NULL;
	return hivex_value_string(h, v);
}

static int
read_dword(hive_h *h, hive_node_h node, const char *name, uint32_t *out)
{
	hive_value_h v;
	hive_type t;
	size_t len;

	if (node == 0)
		return 0;
	v = hivex_node_get_value(h, node, name);
	if (v == 0 || hivex_value_type(h, v, &t, &len) == -1)
		return 0;
	if (t != hive_t_REG_DWORD || len != 4)
		return 0;
	*out = (uint32_t)hivex_value_dword(h, v);
	return 1;
}

void
detect_image(hive_h *h, struct image_info *info)
{
	hive_node_h cv, full;

	memset(info, 0, sizeof(*info));
	cv = hive_find_key(h, "Microsoft\\Windows NT\\CurrentVersion");
	info->product = read_string(h, cv, "ProductName");
	info->build = read_string(h, cv, "CurrentBuild");
	info->edition = read_string(h, cv, "EditionID");
	info->display_version = read_string(h, cv, "DisplayVersion");
	if (info->display_version == NULL)
		info->display_version = read_string(h, cv, "ReleaseId");
	info->is_64bit = hive_find_key(h, "Wow6432Node") != 0;

	full = hive_find_key(h, "Microsoft\\NET Framework Setup\\NDP\\v4\\Full");
	info->dotnet4_full = full != 0;
	info->has_release = read_dword(h, full, "Release", &info->release);
	if (info->has_release)
		info->dotnet4_version = dotnet_release_name(info->release);
	if (info->dotnet4_full && info->dotnet4_version == NULL)
		info->dotnet4_version = "4.0";
}

int
image_has_dotnet45(const struct image_info *info)
{
	return info->has_release && dotnet_release_name(info->release) != NULL;
}

void
image_info_free(struct image_info *info)
{
	free(info->product);
	free(info->build);
	free(info->edition);
	free(info->display_version);
	memset(info, 0, sizeof(*info));
}
