/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where this binary reads its profiles when HIVEPATCH_PROFILE_DIR is not
 * set.  Makefile.am compiles this file once for each binary it links:
 * src/hivepatch, run from the build tree, gets the source tree's
 * profiles/; src/inst/hivepatch, the one make install installs, gets
 * the configured $(pkgdatadir)/profiles.  Nothing else differs. */
#include "config.h"

#include "cli.h"

#ifndef PROFILE_DIR
#error "PROFILE_DIR: the directory this binary reads profiles from (Makefile.am)"
#endif

const char cli_builtin_profile_dir[] = PROFILE_DIR;
