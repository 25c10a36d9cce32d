/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Small helpers for the tests that run the real hivepatch binary: scratch
 * directories, running a command and capturing what it prints, hashes,
 * reading values back with hivex and with libregf's regfexport, reading
 * JSON reports, and making fixtures with mkhive and mkdirty.
 *
 * Functions named tu_* fail the current Check test (ck_assert) when
 * something outside the program under test goes wrong (mkdtemp, fork,
 * a fixture that cannot be made), so a test never goes on with a broken
 * setup.
 *
 * One header per concern, each with its .c beside it; a test includes
 * this one for all of them:
 *   tu_scratch   the environment, scratch directories, strings, the
 *                per-test fixture and the suite runner
 *   tu_files     files, what hivepatch leaves behind, hashes
 *   tu_run       running commands (hivepatch, mkhive), the run asserts
 *   tu_hive      reading and comparing hives with hivex
 *   tu_regf      reading hives with regfexport
 *   tu_json      the JSON reports
 *   tu_dirty     dirty fixtures (mkdirty) and their logs */
#ifndef HIVEPATCH_TESTUTIL_H
#define HIVEPATCH_TESTUTIL_H

#include "tu_scratch.h"
#include "tu_files.h"
#include "tu_run.h"
#include "tu_hive.h"
#include "tu_regf.h"
#include "tu_json.h"
#include "tu_dirty.h"

/* The regf layout and le32(), which many tests read a hive with. */
#include "regf.h"

#endif
