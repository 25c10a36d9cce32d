/* Carrying out a judged plan item on an in-memory hivex handle.  Nothing
 * reaches the disk until commit_atomic. */
#ifndef HIVEPATCH_APPLY_H
#define HIVEPATCH_APPLY_H

#include <hivex.h>

#include "error.h"
#include "plan.h"

/* Does what item->action says (nothing for HP_ACT_ALREADY and HP_ACT_SKIP),
 * creating missing parent keys on the way. */
int apply_item(hive_h *h, const struct plan_item *item, struct hp_err *e);

#endif
