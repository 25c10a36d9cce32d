/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mkhive's hostile kinds (mkhive_hostile.c; see hives/README.md). */
#ifndef MKHIVE_HOSTILE_H
#define MKHIVE_HOSTILE_H

#include <hivex.h>

/* Run after a SOFTWARE kind is built: hostile ProductName, EditionID,
 * CurrentBuild and DisplayVersion, a hostile SchUseStrongCrypto, the
 * key HostileData (plain names, hostile data), and HostileKeys and
 * HostileValues (hostile names).  0, or -1 after a message on stderr. */
int mkhive_hostile_software(hive_h *h);

/* A hive of no kind hivepatch knows: one hostile key and value under
 * its root (its header's file name is hostile too: mkhive.c). */
int mkhive_hostile_unknown(hive_h *h, const void *arg);

#endif
