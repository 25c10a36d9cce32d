/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect.h"
#include "lookup.h"
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

/* What the image says of itself is read as Windows reads it: a value
 * whose name only starts so, or two of one name, is no answer. */
static int
value_of(hive_h *h, hive_node_h node, const char *name, hive_value_h *v)
{
	const struct lookup_ctx c = { h, -1, "" };
	struct hp_err ignored;

	return lookup_value(&c, node, name, "", v, &ignored);
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
	if (value_of(h, node, name, &v) != 1 ||
	    hivex_value_type(h, v, &t, &len) == -1)
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
	if (value_of(h, node, name, &v) != 1 ||
	    hivex_value_type(h, v, &t, &len) == -1)
		return 0;
	if (t != hive_t_REG_DWORD || len != 4)
		return 0;
	*out = (uint32_t)hivex_value_dword(h, v);
	return 1;
}

void
detect_image(hive_h *h, struct hp_image *info)
{
	hive_node_h cv, full;
	uint32_t install;

	memset(info, 0, sizeof(*info));
	if (h == NULL)
		return;
	info->from_software = 1;
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
	info->dotnet35 = read_dword(h, hive_find_key(h,
	    "Microsoft\\NET Framework Setup\\NDP\\v3.5"), "Install", &install) &&
	    install == 1;
	info->dotnet20 = read_dword(h, hive_find_key(h,
	    "Microsoft\\NET Framework Setup\\NDP\\v2.0.50727"), "Install",
	    &install) && install == 1;
}

static int
is_control_set_name(const char *name)
{
	size_t i;

	if (strncasecmp(name, "ControlSet", 10) != 0 || strlen(name) != 13)
		return 0;
	for (i = 10; i < 13; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	return 1;
}

int
detect_control_sets(hive_h *h, int all, char ***sets, size_t *n,
		    const char *hive_path, struct hp_err *e)
{
	hive_node_h select, set, *children;
	uint32_t current;
	char name[16];
	size_t i, count = 0;
	char **out;

	*sets = NULL;
	*n = 0;
	if (all) {
		children = hivex_node_children(h, hivex_root(h));
		if (children == NULL)
			return hp_err_set(e, HP_R_IO, "%s: cannot read the root key: %s",
			    hive_path, strerror(errno));
		for (i = 0; children[i] != 0; i++)
			count++;
		out = calloc(count + 1, sizeof(*out));
		for (i = 0, count = 0; out != NULL && children[i] != 0; i++) {
			char *child = hivex_node_name(h, children[i]);

			if (child != NULL && is_control_set_name(child))
				out[count++] = child;
			else
				free(child);
		}
		free(children);
		if (out == NULL)
			return hp_err_nomem(e);
		if (count == 0) {
			free(out);
			return hp_err_set(e, HP_R_BAD_SELECT,
			    "%s: no ControlSetNNN key at the root of this SYSTEM hive",
			    hive_path);
		}
		*sets = out;
		*n = count;
		return 0;
	}
	select = hive_find_key(h, "Select");
	if (select == 0)
		return hp_err_set(e, HP_R_BAD_SELECT,
		    "%s: no Select key, so CurrentControlSet cannot be resolved "
		    "offline", hive_path);
	if (!read_dword(h, select, "Current", &current))
		return hp_err_set(e, HP_R_BAD_SELECT,
		    "%s: Select has no DWORD Current, so CurrentControlSet cannot "
		    "be resolved offline", hive_path);
	if (current == 0 || current > 999)
		return hp_err_set(e, HP_R_BAD_SELECT,
		    "%s: Select\\Current is %u, which names no control set",
		    hive_path, current);
	snprintf(name, sizeof(name), "ControlSet%03u", current);
	set = hive_find_key(h, name);
	if (set == 0)
		return hp_err_set(e, HP_R_BAD_SELECT,
		    "%s: Select\\Current is %u but there is no %s", hive_path,
		    current, name);
	out = calloc(2, sizeof(*out));
	if (out == NULL || (out[0] = strdup(name)) == NULL) {
		free(out);
		return hp_err_nomem(e);
	}
	*sets = out;
	*n = 1;
	return 0;
}

void
control_sets_free(char **sets)
{
	size_t i;

	for (i = 0; sets != NULL && sets[i] != NULL; i++)
		free(sets[i]);
	free(sets);
}

void
detect_system(hive_h *h, struct hp_image *info)
{
	char **sets = NULL, *path = NULL;
	size_t n;

	if (h == NULL || detect_control_sets(h, 0, &sets, &n, "", NULL) == -1)
		return;
	if (asprintf(&path, "%s\\Control\\Session Manager\\Environment",
	    sets[0]) != -1) {
		free(info->processor_arch);
		info->processor_arch = read_string(h, hive_find_key(h, path),
		    "PROCESSOR_ARCHITECTURE");
	}
	free(path);
	control_sets_free(sets);
}

int
image_has_dotnet45(const struct hp_image *info)
{
	return info->has_release && dotnet_release_name(info->release) != NULL;
}

void
image_info_free(struct hp_image *info)
{
	free(info->product);
	free(info->build);
	free(info->edition);
	free(info->display_version);
	free(info->processor_arch);
	memset(info, 0, sizeof(*info));
}
