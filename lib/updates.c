/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Updates a profile needs (updates.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hive.h"
#include "lookup.h"
#include "regf.h"
#include "updates.h"

#define PACKAGES "Microsoft\\Windows\\CurrentVersion\\Component Based " \
	"Servicing\\Packages"

/* CurrentState values in which what the package holds is in place. */
static int
state_in_place(uint32_t state)
{
	return state == 0x70 || state == 0x80 || state == 0x50;
}

/* Whether the name is a package of update kb: "Package_for_KB1~...",
 * "Package_2_for_KB1~..." (case as Windows writes it, compared without). */
static int
package_of(const char *name, const char *kb)
{
	const char *p = strcasestr(name, "_for_");
	size_t n = strlen(kb);

	return strncasecmp(name, "Package_", 8) == 0 && p != NULL &&
	    strncasecmp(p + 5, kb, n) == 0 && p[5 + n] == '~';
}

static int
installed(hive_h *h, hive_node_h packages, const char *kb)
{
	const struct lookup_ctx c = { h, -1, "" };
	hive_node_h *kids = hivex_node_children(h, packages);
	struct hp_err ignored;
	hive_value_h v;
	size_t i, len;
	int found = 0;

	for (i = 0; kids != NULL && kids[i] != 0 && !found; i++) {
		char *name = hivex_node_name(h, kids[i]);
		hive_type t;
		char *d;

		if (name != NULL && package_of(name, kb) &&
		    lookup_value(&c, kids[i], "CurrentState", "", &v,
		    &ignored) == 1 && (d = hivex_value_value(h, v, &t,
		    &len)) != NULL) {
			found = t == hive_t_REG_DWORD && len == 4 &&
			    state_in_place(le32((const unsigned char *)d));
			free(d);
		}
		free(name);
	}
	free(kids);
	return found;
}

int
update_missing(hive_h *software, const struct hp_image *im,
	       const struct profile_update *u, char *buf, size_t len)
{
	hive_node_h packages;

	if (software == NULL || im->build == NULL ||
	    strcmp(im->build, u->build) != 0)
		return 0;
	packages = hive_find_key(software, PACKAGES);
	if (packages != 0 && installed(software, packages, u->kb))
		return 0;
	snprintf(buf, len, "%s takes effect on build %s only with update %s "
	    "(%s), which %s", u->profile, u->build, u->kb, u->why,
	    packages != 0 ? "is not installed" : "cannot be told: the image "
	    "lists no servicing packages");
	return 1;
}
