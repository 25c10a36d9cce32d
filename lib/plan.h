/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plan: each .reg operation mapped into the hive that holds its key
 * (SOFTWARE or SYSTEM, CurrentControlSet resolved to ControlSet00N) and
 * judged against what the hive holds now, with what applying it means. */
#ifndef HIVEPATCH_PLAN_H
#define HIVEPATCH_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include <hivex.h>

#include "detect.h"
#include "error.h"
#include "hive.h"
#include "lookup.h"
#include "regfile.h"


struct plan_item {
	const struct reg_op *op;
	char *hive_path;	/* key path inside the hive, '\\'-separated */
	char *display_key;	/* "HKLM\\SOFTWARE\\..." for reports */
	enum hp_action action;
	const char *skip_reason;
	int key_exists;		/* the key was there before */
	int had_value;		/* the value was there before */
	hive_type before_type;
	unsigned char *before;
	size_t before_len;
	/* What the value is to hold: the operation's data (set by plan_map),
	 * or once judged, for a set-bits operation, the bits OR-ed into what
	 * was there. */
	hive_type after_type;
	const unsigned char *after;
	size_t after_len;
	unsigned char merged[4];
	/* Another value of the key, kept as big data, that writing this
	 * one would rewrite (found when judged with the hive's file), and
	 * its length; NULL when none. */
	char *big_sibling;
	uint32_t big_sibling_len;
};

struct plan {
	struct plan_item *items;
	size_t n_items;
};

/* How keys map into one hive. */
struct map_ctx {
	enum hp_hive_kind hive;		/* HP_HIVE_SOFTWARE or HP_HIVE_SYSTEM */
	int is_64bit;			/* SOFTWARE: Wow6432Node present */
	char *const *control_sets;	/* SYSTEM: what CurrentControlSet
					 * stands for ("ControlSet001", ...) */
	size_t n_control_sets;
	const unsigned char *to_machine;	/* per operation, from
					 * plan_route_classes; NULL: a key of
					 * HKEY_CLASSES_ROOT is refused */
};

/* The hive an operation's key lives in (HKLM\SOFTWARE, SYSTEM, SAM or
 * SECURITY, HKU\.DEFAULT, HKCU: NTUSER.DAT, HKCU\Software\Classes:
 * UsrClass.dat) and the path below that hive's root; HP_USAGE naming
 * file:line for a key in any other hive.  A key of HKEY_CLASSES_ROOT is
 * given as the user's classes (HP_HIVE_USRCLASS, its path unchanged);
 * plan_route_classes says whether it is HKLM\SOFTWARE\Classes's. */
int op_hive(const struct reg_op *op, enum hp_hive_kind *kind, const char **rel,
	    struct hp_err *e);

/* True when the operation's key is under HKEY_CLASSES_ROOT. */
int op_in_classes_root(const struct reg_op *op);

/* Windows' merged view of HKEY_CLASSES_ROOT (Microsoft, "Merged View of
 * HKEY_CLASSES_ROOT"): a key the user's classes hold is read and written
 * there; any other is HKLM\SOFTWARE\Classes's.  Decides this for each
 * operation under HKEY_CLASSES_ROOT, in order, from what `user` (the
 * user's UsrClass.dat) holds and what the operations before it do to
 * it: *to_machine (malloc'd, one byte per operation) is 1 for those that
 * go to HKLM\SOFTWARE\Classes. */
int plan_route_classes(const struct reg_op *const *ops, size_t n_ops,
		       const struct lookup_ctx *user, unsigned char **to_machine,
		       struct hp_err *e);

/* True when the operation's key is under SYSTEM\CurrentControlSet. */
int op_uses_current_control_set(const struct reg_op *op);

/* Maps the operations whose key is in ctx->hive (others are left for
 * another plan).  A key under CurrentControlSet becomes one item per
 * control set in ctx; on a 32-bit image Wow6432Node keys become
 * HP_ACT_SKIP.  Judging against the hive is a separate step (plan_judge)
 * because applying one item can change what the next one finds. */
int plan_map(const struct reg_op *const *ops, size_t n_ops,
	     const struct map_ctx *ctx, struct plan *plan, struct hp_err *e);

/* Largest value data a single cell may hold in regf 1.4 and later;
 * larger data needs "big data" records, which hivex does not write. */
#define PLAN_MAX_CELL_VALUE 16344

/* Refuses (HP_REFUSED, naming file:line) a value that hivex would store
 * in a form Windows cannot read from a hive of this minor version. */
int plan_check_value_sizes(const struct plan *plan, uint32_t minor,
			   const char *hive_path, struct hp_err *e);

/* Refuses (HP_REFUSED, naming the file `where`, the key and the value)
 * an item, judged, that would write a value of a key holding another
 * value kept as big data (its big_sibling): writing one value rewrites
 * them all (apply.c), and hivex would write that one back as one cell,
 * which Windows cannot read. */
int plan_check_rewrites(const struct plan *plan, const char *where,
			struct hp_err *e);

/* The length of the part of item->display_key that names the hive's
 * root ("HKLM\\SOFTWARE"). */
size_t plan_root_len(const struct plan_item *item);

/* The item's key, looked up as Windows would (lookup_key): 1, 0, -1. */
int plan_find_key(const struct lookup_ctx *c, const struct plan_item *item,
		  hive_node_h *node, struct hp_err *e);

/* Reads the hive's current state for one item and sets its action. */
int plan_judge(const struct lookup_ctx *c, struct plan_item *item,
	       struct hp_err *e);

/* True when a later item makes item i's outcome irrelevant (it touches
 * the same value, or removes or recreates the key). */
int plan_superseded(const struct plan *plan, size_t i);

/* Counts the plan items (not skipped, not superseded) that the hive does
 * not hold; judging refreshes each item's before state.  -1 on error. */
int plan_count_unmet(const struct lookup_ctx *c, struct plan *plan,
		     struct hp_err *e);

void plan_free(struct plan *plan);

#endif
