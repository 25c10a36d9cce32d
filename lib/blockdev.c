/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Block devices: not written yet. */
#include "config.h"

#include "blockdev.h"
