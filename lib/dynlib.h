/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The libraries only some images need (wimlib for a WIM, libnbd for
 * QEMU's formats, libewf for E01 evidence) are loaded when the first
 * such image is opened, not when hivepatch starts: their constructors
 * and relocations were most of its start-up, paid by every run on a
 * plain hive.  Each user keeps a table of the functions it calls. */
#ifndef HIVEPATCH_DYNLIB_H
#define HIVEPATCH_DYNLIB_H

#include <stddef.h>

#include "hivepatch.h"

struct dynsym {
	const char *name;
	void **fn;		/* where the function's address goes */
};

/* A user's table comes from one list of the functions it calls,
 * LIST(F) giving F(prefix, name) for each: DYNLIB_MEMBER makes the
 * table's member `name`, a pointer to prefix##name; DYNSYM(table)
 * makes its entry in the array dynlib_load fills the table from. */
#define DYNLIB_MEMBER(prefix, name) __typeof__(prefix##name) *name;
#define DYNSYM(table, prefix, name) \
	{ #prefix #name, (void **)(void *)&(table).name },

struct dynlib {
	const char *soname;	/* as configure found it */
	const char *package;	/* Debian's package of it, for the message */
	const char *serves;	/* "WIM images", for the message */
	const struct dynsym *syms;
	size_t n_syms;
	void *handle;		/* once loaded */
	int state;		/* 0 not tried, 1 loaded, -1 failed */
	char why[256];		/* why it failed */
};

/* Loads l once (later calls give the first call's result) and fills its
 * table.  HP_R_NOT_FOUND, naming `where`, the library, what it serves
 * and its package, when it or one of its functions is missing. */
int dynlib_load(struct dynlib *l, const char *where, struct hp_err *e);

/* A function of a loaded library or of one it loaded, which it may lack
 * (NULL then): for what an older or newer build does or does not use. */
void *dynlib_find(const struct dynlib *l, const char *name);

#endif
