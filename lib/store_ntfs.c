/* SPDX-License-Identifier: GPL-3.0-or-later */
/* NTFS stores: not written yet. */
#include "config.h"

#include "store_ntfs.h"
