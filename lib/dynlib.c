/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "dynlib.h"
#include "error.h"

/* One lock for every library: loading is rare, and a second run's
 * thread must not see a table half filled. */
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

static int
load_locked(struct dynlib *l)
{
	void *h;
	size_t i;

	/* RTLD_NOW: a function missing from an older build of the
	 * library is found here, not at its first call. */
	if ((h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		snprintf(l->why, sizeof(l->why), "%s", dlerror());
		return -1;
	}
	for (i = 0; i < l->n_syms; i++) {
		void *fn = dlsym(h, l->syms[i].name);

		if (fn == NULL) {
			snprintf(l->why, sizeof(l->why), "it has no %s",
			    l->syms[i].name);
			/* Kept loaded: the table may be half filled, and is
			 * never used. */
			return -1;
		}
		*l->syms[i].fn = fn;
	}
	l->handle = h;
	return 0;
}

int
dynlib_load(struct dynlib *l, const char *where, struct hp_err *e)
{
	int state;

	pthread_mutex_lock(&load_lock);
	if (l->state == 0)
		l->state = load_locked(l) == 0 ? 1 : -1;
	state = l->state;
	pthread_mutex_unlock(&load_lock);
	if (state == 1)
		return 0;
	return hp_err_set(e, HP_R_NOT_FOUND, "%s: cannot load %s, which "
	    "reads %s (Debian: apt-get install %s): %s", where, l->soname,
	    l->serves, l->package, l->why);
}

void *
dynlib_find(const struct dynlib *l, const char *name)
{
	/* A handle's lookup takes in the libraries it loaded. */
	return l->state == 1 ? dlsym(l->handle, name) : NULL;
}
