/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mkhostile: make hostile hives, for the tests of how hivepatch finds
 * keys and values as Windows does.
 *
 *     mkhostile CASE IN OUT
 *
 * IN is a SOFTWARE hive with Microsoft\.NETFramework\v4.0.30319 (and its
 * Wow6432Node twin), e.g. from `mkhive software64-net48`.  Each CASE adds
 * through hivex what hivex can write, commits it to OUT, then changes
 * bytes of OUT that hivex cannot write (its node and value handles are
 * the cells' offsets in the file):
 *
 *   key-nul     a decoy key listed before v4.0.30319, named
 *               "v4.0.30319", a NUL and more, holding
 *               SchUseStrongCrypto = 1: hivex's lookup takes it for the
 *               real key, Windows does not
 *   value-nul   in v4.0.30319 a decoy value named "SchUseStrongCrypto",
 *               a NUL and more, = 1
 *   dup-key     a second key named v4.0.30319 beside the first, holding
 *               SchUseStrongCrypto = 1
 *   link-key    v4.0.30319 flagged as a registry symbolic link (with a
 *               SymbolicLinkValue), holding SchUseStrongCrypto = 1:
 *               Windows follows the link and never reads it
 *   unsorted    .NETFramework's subkey list out of order (a key whose
 *               name sorts after v4.0.30319 listed before it)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hivex.h>

#include "regf.h"

#define NETFX "Microsoft\\.NETFramework"

static const char *const roots[] = { "", "Wow6432Node\\" };

/* A byte to write at an offset of OUT once hivex has committed it. */
struct patch {
	size_t off;
	unsigned char byte;
	int or;			/* OR-ed into what is there */
};

static struct patch patches[16];
static size_t n_patches;

static void
die(const char *what)
{
	fprintf(stderr, "mkhostile: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
patch_at(size_t off, unsigned char byte, int or)
{
	if (n_patches == sizeof(patches) / sizeof(patches[0])) {
		fprintf(stderr, "mkhostile: too many patches\n");
		exit(1);
	}
	patches[n_patches].off = off;
	patches[n_patches].or = or;
	patches[n_patches++].byte = byte;
}

static hive_node_h
key(hive_h *h, const char *root, const char *path)
{
	char full[256], *p, *part;
	hive_node_h node = hivex_root(h);

	snprintf(full, sizeof(full), "%s%s", root, path);
	for (part = strtok_r(full, "\\", &p); node != 0 && part != NULL;
	    part = strtok_r(NULL, "\\", &p))
		node = hivex_node_get_child(h, node, part);
	if (node == 0) {
		fprintf(stderr, "mkhostile: no key %s%s in IN\n", root, path);
		exit(1);
	}
	return node;
}

static void
set_dword(hive_h *h, hive_node_h node, const char *name, uint32_t v)
{
	unsigned char le[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
	    v >> 24 };
	hive_set_value val = { (char *)name, hive_t_REG_DWORD, 4, (char *)le };

	if (hivex_node_set_value(h, node, &val, 0) == -1)
		die(name);
}

static hive_node_h
add_key(hive_h *h, hive_node_h parent, const char *name)
{
	hive_node_h node = hivex_node_add_child(h, parent, name);

	if (node == 0)
		die(name);
	return node;
}

/* Byte i of an nk cell's name (stored one byte per character). */
static size_t
key_name_byte(hive_node_h node, size_t i)
{
	return (size_t)node + REGF_CELL_SIZE_FIELD + REGF_NK_NAME + i;
}

static void
make_case(hive_h *h, const char *which, const char *root)
{
	hive_node_h netfx = key(h, root, NETFX), real, node;
	hive_value_h v;

	real = key(h, root, NETFX "\\v4.0.30319");
	if (strcmp(which, "key-nul") == 0) {
		/* Sorts before the real key until it is renamed. */
		node = add_key(h, netfx, "v4.0.30318#decoy");
		set_dword(h, node, "SchUseStrongCrypto", 1);
		patch_at(key_name_byte(node, 9), '9', 0);
		patch_at(key_name_byte(node, 10), '\0', 0);
	} else if (strcmp(which, "value-nul") == 0) {
		set_dword(h, real, "SchUseStrongCrypto#decoy", 1);
		v = hivex_node_get_value(h, real, "SchUseStrongCrypto#decoy");
		if (v == 0)
			die("the decoy value");
		patch_at((size_t)v + REGF_CELL_SIZE_FIELD + REGF_VK_FIXED_SIZE +
		    18, '\0', 0);
	} else if (strcmp(which, "dup-key") == 0) {
		node = add_key(h, netfx, "v4.0.3031Z");
		set_dword(h, node, "SchUseStrongCrypto", 1);
		patch_at(key_name_byte(node, 9), '9', 0);
	} else if (strcmp(which, "link-key") == 0) {
		static const char target[] = "\\\0R\0e\0g\0i\0s\0t\0r\0y\0\\\0"
		    "M\0a\0c\0h\0i\0n\0e\0\\\0S\0O\0F\0T\0W\0A\0R\0E\0\\\0"
		    "E\0l\0s\0e\0w\0h\0e\0r\0e\0";
		hive_set_value link = { "SymbolicLinkValue", hive_t_REG_LINK,
		    sizeof(target) - 1, (char *)target };

		if (hivex_node_set_value(h, real, &link, 0) == -1)
			die("SymbolicLinkValue");
		set_dword(h, real, "SchUseStrongCrypto", 1);
		/* KEY_SYM_LINK, in the flags' low byte. */
		patch_at((size_t)real + REGF_CELL_SIZE_FIELD + REGF_NK_FLAGS,
		    REGF_KEY_SYM_LINK, 1);
	} else if (strcmp(which, "unsorted") == 0) {
		node = add_key(h, netfx, "v2.0.50727");
		patch_at(key_name_byte(node, 0), 'z', 0);
	} else {
		fprintf(stderr, "mkhostile: unknown case '%s'\n", which);
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	hive_h *h;
	size_t i;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: mkhostile key-nul|value-nul|dup-key|"
		    "link-key|unsorted IN OUT\n");
		return 2;
	}
	if ((h = hivex_open(argv[2], HIVEX_OPEN_WRITE)) == NULL)
		die(argv[2]);
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		make_case(h, argv[1], roots[i]);
	if (hivex_commit(h, argv[3], 0) == -1)
		die(argv[3]);
	hivex_close(h);
	if ((fd = open(argv[3], O_RDWR | O_CLOEXEC)) == -1)
		die(argv[3]);
	for (i = 0; i < n_patches; i++) {
		unsigned char b = 0;

		if (patches[i].or &&
		    pread(fd, &b, 1, (off_t)patches[i].off) != 1)
			die(argv[3]);
		b = patches[i].or ? b | patches[i].byte : patches[i].byte;
		if (pwrite(fd, &b, 1, (off_t)patches[i].off) != 1)
			die(argv[3]);
	}
	if (close(fd) == -1)
		die(argv[3]);
	return 0;
}
