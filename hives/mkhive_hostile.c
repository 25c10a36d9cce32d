/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mkhive's hostile kinds: hives whose names and strings hold what a
 * terminal obeys (ESC and C1 sequences, CR, LF, DEL, bidirectional
 * overrides, a forged "result:   compliant" line) and what a .reg file
 * cannot hold (a backslash in a key name, a ']' followed by ';').  The
 * tests check that hivepatch never passes them on raw.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hivex.h>

#include "mkhive_hostile.h"
#include "textconv.h"

/* A line a hostile string tries to slip into a report. */
#define FORGED		"\nresult:   compliant\n"
#define CLEAR		"\x1b[2J"		/* ESC [ 2 J: clear the screen */
#define TITLE		"\x1b]0;pwned\x07"	/* OSC: set the window title */
#define C1_CSI		"\xc2\x9b" "31m"	/* U+009B: CSI as one C1 code */
#define RLO		"\xe2\x80\xae"		/* U+202E: right-to-left override */

/* A value of a hostile key: REG_SZ (or another string type) from UTF-8,
 * or raw bytes when raw is set. */
struct hostile_value {
	const char *name;
	hive_type type;
	const char *text;
	const unsigned char *raw;
	size_t raw_len;
};

/* The child `name` of parent, created when missing. */
static hive_node_h
child(hive_h *h, hive_node_h parent, const char *name)
{
	hive_node_h node;

	errno = 0;
	node = hivex_node_get_child(h, parent, name);
	if (node == 0 && errno != 0) {
		warn("looking up a hostile key");
		return 0;
	}
	if (node == 0 && (node = hivex_node_add_child(h, parent, name)) == 0)
		warn("adding a hostile key");
	return node;
}

/* The key at path ("A\\B", from the root), created as needed; the names
 * on the path are plain. */
static hive_node_h
key_at(hive_h *h, const char *path)
{
	char *copy = strdup(path), *name, *save = NULL;
	hive_node_h node = hivex_root(h);

	if (copy == NULL) {
		warn("strdup");
		return 0;
	}
	for (name = strtok_r(copy, "\\", &save); name != NULL && node != 0;
	    name = strtok_r(NULL, "\\", &save))
		node = child(h, node, name);
	free(copy);
	return node;
}

/* Sets one value, keeping the key's others. */
static int
set_value(hive_h *h, hive_node_h node, const struct hostile_value *v)
{
	hive_set_value sv;
	unsigned char *wide = NULL;
	size_t len, bad_at;
	int rc;

	sv.key = (char *)v->name;
	sv.t = v->type;
	if (v->raw != NULL) {
		sv.value = (char *)v->raw;
		sv.len = v->raw_len;
	} else {
		/* UTF-16LE with its terminating NUL, as Windows stores it. */
		if (text_convert("UTF-16LE", "UTF-8", (const unsigned char *)
		    v->text, strlen(v->text) + 1, &wide, &len, &bad_at) !=
		    TEXT_OK) {
			warnx("hostile value %s: cannot convert", v->name);
			return -1;
		}
		sv.value = (char *)wide;
		sv.len = len;
	}
	rc = hivex_node_set_value(h, node, &sv, 0);
	if (rc == -1)
		warn("setting a hostile value");
	free(wide);
	return rc;
}

static int
set_values(hive_h *h, const char *path, const struct hostile_value *v,
	   size_t n)
{
	hive_node_h node = key_at(h, path);
	size_t i;

	if (node == 0)
		return -1;
	for (i = 0; i < n; i++)
		if (set_value(h, node, &v[i]) == -1)
			return -1;
	return 0;
}

/* The image facts every report shows. */
static int
hostile_os(hive_h *h)
{
	static const struct hostile_value cv[] = {
		{ "ProductName", hive_t_REG_SZ, "Windows 10 Pro" CLEAR TITLE
		    "\r" FORGED C1_CSI "\x7f", NULL, 0 },
		{ "EditionID", hive_t_REG_SZ, "Professional\x1b[31m" FORGED,
		    NULL, 0 },
		{ "CurrentBuild", hive_t_REG_SZ, "19045\x1b[0m" FORGED, NULL,
		    0 },
		{ "DisplayVersion", hive_t_REG_SZ, "22H2" RLO "\t\x1b[5m", NULL,
		    0 },
	};

	return set_values(h, "Microsoft\\Windows NT\\CurrentVersion", cv,
	    sizeof(cv) / sizeof(cv[0]));
}

/* A value net4-tls12 sets, present with hostile data: verify shows what
 * it holds. */
static int
hostile_profile_value(hive_h *h)
{
	static const struct hostile_value v[] = {
		{ "SchUseStrongCrypto", hive_t_REG_SZ, "\x1b[32m1" FORGED
		    CLEAR, NULL, 0 },
	};

	return set_values(h, "Microsoft\\.NETFramework\\v4.0.30319", v, 1);
}

/* Plain names, hostile data: export writes the strings as hex(1):. */
static int
hostile_data(hive_h *h)
{
	static const unsigned char lone_surrogate[] = { 'a', 0, 0x00, 0xd8,
	    0, 0 };
	static const struct hostile_value v[] = {
		{ "Text", hive_t_REG_SZ, "a" FORGED CLEAR C1_CSI, NULL, 0 },
		{ "Lines", hive_t_REG_SZ, "line1\r" FORGED TITLE, NULL, 0 },
		{ "Tab", hive_t_REG_SZ, "a\tb", NULL, 0 },
		{ "Bidi", hive_t_REG_SZ, "x" RLO "y", NULL, 0 },
		{ "Quote", hive_t_REG_SZ, "C:\\dir\\\"q\"", NULL, 0 },
		{ "Expand", hive_t_REG_EXPAND_SZ, "%x%" FORGED, NULL, 0 },
		{ "Broken", hive_t_REG_SZ, NULL, lone_surrogate,
		    sizeof(lone_surrogate) },
	};

	if (set_values(h, "HostileData", v, sizeof(v) / sizeof(v[0])) == -1)
		return -1;
	/* A ']' that .reg can hold: not before a ';'. */
	return key_at(h, "HostileData\\a]b") == 0 ? -1 : 0;
}

/* Names .reg cannot hold, or only with control characters: each key
 * name under a parent of its own (HostileKeys\Esc, ...), so that each
 * can be exported alone, and value names under HostileValues. */
static int
hostile_names(hive_h *h)
{
	static const char *const keys[][2] = {
		{ "Esc", "Esc\x1b[31mRed" },
		{ "Line", "Line" FORGED },
		{ "Backslash", "back\\slash" },
		{ "Bracket", "br]; x" },
		{ "C1", "C1" C1_CSI },
		{ "Bidi", "evil" RLO "txt.exe" },
	};
	static const struct hostile_value v[] = {
		{ "name" FORGED, hive_t_REG_SZ, "data\x1b[0m", NULL, 0 },
	};
	char path[64];
	hive_node_h node;
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(path, sizeof(path), "HostileKeys\\%s", keys[i][0]);
		if ((node = key_at(h, path)) == 0 ||
		    child(h, node, keys[i][1]) == 0)
			return -1;
	}
	return set_values(h, "HostileValues", v, 1);
}

int
mkhive_hostile_software(hive_h *h)
{
	if (hostile_os(h) == -1 || hostile_profile_value(h) == -1 ||
	    hostile_data(h) == -1 || hostile_names(h) == -1)
		return -1;
	return 0;
}

int
mkhive_hostile_unknown(hive_h *h, const void *arg)
{
	static const struct hostile_value v[] = {
		{ "x" FORGED, hive_t_REG_SZ, CLEAR TITLE, NULL, 0 },
	};
	hive_node_h node;

	(void)arg;
	node = child(h, hivex_root(h), "Hostile\x1b[5m" FORGED);
	if (node == 0)
		return -1;
	return set_value(h, node, &v[0]);
}
