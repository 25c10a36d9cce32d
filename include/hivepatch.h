/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hivepatch.h: the public interface of libhivepatch.
 *
 * libhivepatch changes the registry of a Windows that is not running, the
 * way merging a .reg file on the running machine would, and proves the
 * change by reading it back from what was written.  It reads a dirty hive
 * as Windows would load it (its transaction logs replayed), backs up what
 * it replaces, and never writes outside the hives and logs it was given.
 *
 * The data flows one way:
 *
 *   target -> store -> hive -> view -> plan -> apply -> commit -> verify
 *          -> result -> (the caller renders it)
 *
 * A *store* is where hives live: a Windows tree on a mounted file system,
 * a bare hive file, or one a caller writes itself (struct hp_store_ops).
 * Everything above the store works on the descriptors it hands over; the
 * library never opens a hive by path again once the store has checked it.
 *
 * The runs (hp_patch, hp_inspect, hp_rollback, hp_backups, hp_export)
 * each take a store and an options struct, and give back a result that
 * owns its data, on success and on failure alike (out of memory aside),
 * for the caller to render; hp_profiles lists a profile directory.  The
 * library never prints, never exits and reads no environment variable:
 * the profile directory, the backup directory and the clock come in
 * through the options.
 *
 * Errors are errno-style: a call that fails returns -1 and fills a
 * struct hp_err with the exit status class, a stable reason code and one
 * line that names the file and what is wrong with it.
 *
 * Ownership: strings and arrays in results belong to the result and are
 * freed with it; descriptors in struct hp_hive_files belong to whoever
 * called the store's read and are closed by hp_hive_files_free.
 *
 * Threads: a store, and the results of runs on it, must be used by one
 * thread at a time.  Distinct stores may be used concurrently.
 */
#ifndef HIVEPATCH_H
#define HIVEPATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==== Errors ==== */

/* Exit statuses of the hivepatch command, one class per reason. */
enum hp_status {
	HP_OK = 0,		/* done, or compliant */
	HP_NONCOMPLIANT = 1,	/* a value missing or different; no such key */
	HP_USAGE = 2,		/* bad arguments, bad .reg file, unknown profile */
	HP_REFUSED = 3,		/* refused for safety */
	HP_IOERR = 4,		/* I/O error or damaged hive */
};

/* Why a call failed, for programs that count failures by kind.  The
 * names (hp_reason_name) are stable and printed as "reason" in the JSON
 * reports; hivepatch(1) lists them.  Each reason has one status. */
enum hp_reason {
	HP_R_NONE = 0,
	HP_R_NO_KEY,		/* 1: export: the key does not exist */
	HP_R_USAGE,		/* 2: bad arguments */
	HP_R_BAD_REG,		/* 2: a .reg file that cannot be read or used */
	HP_R_UNKNOWN_PROFILE,	/* 2: no profile of that name (the message
				 * names the nearest, when one is near) */
	HP_R_NO_BACKUP_DIR,	/* 2: a run must back up, and has no place
				 * (none, or not a directory) */
	HP_R_DIRTY_UNRECOVERABLE,	/* 3: dirty, and no log recovers it */
	HP_R_DIRTY_NO_RECOVER,	/* 3: dirty, and recovery was forbidden */
	HP_R_PARTIAL_LOG,	/* 3: an old-format log stops early */
	HP_R_WRONG_KIND,	/* 3: not the hive the keys belong to */
	HP_R_BAD_SELECT,	/* 3: CurrentControlSet cannot be resolved */
	HP_R_NET_MISSING,	/* 3: the .NET version a profile needs */
	HP_R_UNSUPPORTED_OS,	/* 3: --profile auto does not know the build */
	HP_R_VALUE_TOO_LARGE,	/* 3: a value hivex cannot write */
	HP_R_SYMLINK,		/* 3: a symbolic link inside the image */
	HP_R_NOT_REGULAR,	/* 3: a FIFO, device or directory */
	HP_R_AMBIGUOUS,		/* 3: two names match in different case */
	HP_R_LOCKED,		/* 3: another run holds the hive */
	HP_R_CHANGED,		/* 3: rollback over a hive changed since */
	HP_R_NO_BACKUP,		/* 3: rollback finds no backup */
	HP_R_OVER_LIMIT,	/* 3: larger than a bound hivepatch keeps */
	HP_R_UNEXPORTABLE,	/* 3: export: a key or value name a .reg
				 * file cannot hold as it is */
	HP_R_FOREIGN_LOG,	/* 3: a log's name on a file that is not
				 * the hive's (a hard link, another owner) */
	HP_R_OUTPUT_IN_TARGET,	/* 3: export --output into the target */
	HP_R_NOT_FOUND,		/* 4: a file or directory does not exist */
	HP_R_TOO_LARGE,		/* 4: a hive file larger than regf allows */
	HP_R_DAMAGED,		/* 4: a damaged hive, log or backup */
	HP_R_NOT_VERIFIED,	/* 4: what was written does not read back */
	HP_R_IO,		/* 4: a read or write failed */
	HP_R_NO_MEMORY,		/* 4: out of memory */
	HP_R_LINK_KEY,		/* 3: a registry symbolic link key on the
				 * path of a key the run reads or writes */
	HP_R_IMAGE_UNWRITABLE,	/* 3: an image hivepatch must not write:
				 * hibernated, dirty, encrypted, split,
				 * evidence, opened for reading only */
	HP_R_IMAGE_CHOICE,	/* 3: --image or --partition names nothing
				 * the image holds, or a command that takes
				 * one Windows was given several */
};

struct hp_err {
	enum hp_status status;
	enum hp_reason reason;
	char msg[1024];		/* one line, naming the file and the problem */
};

/* The stable name of a reason ("dirty-unrecoverable"); "" for
 * HP_R_NONE. */
const char *hp_reason_name(enum hp_reason reason);

/* The exit status a reason has. */
enum hp_status hp_reason_status(enum hp_reason reason);

/* The library's version, "0.1.0". */
const char *hp_version(void);

/* ==== Text for people ====
 *
 * What an image holds (key and value names, value data, ProductName and
 * the other facts, the names of files found in it) may hold anything; in
 * text meant for a terminal it is shown through this one escaping.  Every
 * byte that is not part of a character shown as it is becomes \xHH (two
 * lower-case hex digits): the C0 controls (0x00-0x1f: newline, carriage
 * return, tab, ESC), DEL (0x7f), each byte of a C1 control (U+0080 to
 * U+009F), of a line or paragraph separator (U+2028, U+2029) or of a
 * bidirectional formatting character (U+061C, U+200E, U+200F, U+202A to
 * U+202E, U+2066 to U+2069), and each byte of anything that is not
 * well-formed UTF-8.  Everything else is kept, the backslash too (it
 * separates the keys of a registry path), so escaping escaped text
 * changes nothing; the text is for people, not to be read back (a
 * literal "\x1b" and an escaped ESC look alike).
 *
 * The library escapes its own messages with it (struct hp_err msg, the
 * warnings and notes of the results, the reasons and stop_reason): they
 * are one line each, in JSON too.  The data in results (paths, names,
 * strings read from a hive, struct hp_image) is kept as found, for the
 * caller to escape (hivepatch's text reports) or encode (its JSON). */

/* Writes s, escaped, into buf (size bytes; NUL-terminated when size > 0),
 * leaving out what does not fit, never half an escape or half a
 * character.  Returns the length of the whole escaped text, as snprintf
 * does (hp_escape_text(NULL, 0, s) measures it). */
size_t hp_escape_text(char *buf, size_t size, const char *s);

/* The same into a new string (free it); NULL when out of memory. */
char *hp_escape_text_dup(const char *s);

/* 1 when escaping leaves s as it is, else 0. */
int hp_text_is_plain(const char *s);

/* ==== Hives ==== */

enum hp_hive_kind {
	HP_HIVE_UNKNOWN,
	HP_HIVE_SOFTWARE,
	HP_HIVE_SYSTEM,
	HP_HIVE_SAM,
	HP_HIVE_SECURITY,
	HP_HIVE_DEFAULT,
	HP_HIVE_NTUSER,
	HP_HIVE_USRCLASS,
	HP_HIVE_AMCACHE,
	HP_HIVE_BCD,
	HP_HIVE_COMPONENTS,
};

/* "SOFTWARE", "NTUSER.DAT", ...; "unknown". */
const char *hp_hive_kind_name(enum hp_hive_kind kind);

/* How a dirty hive was read through its transaction logs. */
enum hp_log_format {
	HP_LOG_NONE = 0,
	HP_LOG_OLD = 1,		/* Vista to 8: base block, dirty vector, pages */
	HP_LOG_NEW = 2,		/* 8.1 and later: HvLE log entries */
};

struct hp_recovery {
	int dirty;		/* the primary's base block was dirty */
	int replayed;		/* its logs were applied */
	enum hp_log_format format;
	char *logs_used[2];	/* the logs applied, in order */
	size_t n_logs_used;
	unsigned entries_applied;	/* HvLE entries (new format) */
	unsigned pages_applied;		/* pages written from the logs */
	uint32_t seq_before_primary, seq_before_secondary;
	uint32_t seq_after;	/* both sequence numbers of the result */
	int base_block_recovered;	/* a bad base block came from a log */
	uint32_t seq_first;	/* new format: the first entry applied */
	int started_late;	/* that entry is not the one the hive asks
				 * for: the ones between are in no log */
	int stopped_early;	/* a log held more that could not be used */
	char stop_reason[160];	/* why, naming the log and the offset */
	uint64_t log_end;	/* new format: where the entries applied end
				 * in the last log used (a commit appends
				 * its own entry there) */
};

/* ==== Stores ==== */

/* One hive a store holds. */
struct hp_store_hive {
	char *name;		/* "SOFTWARE"; a bare file: its own name */
	enum hp_hive_kind kind;	/* what its place says it is;
				 * HP_HIVE_UNKNOWN when only its content
				 * can tell (a bare hive file) */
	char *where;		/* for people: its path in the target */
	char *identity;		/* what its backups are kept under: the same
				 * hive gives the same identity each run */
	struct hp_err problem;	/* HP_OK when it can be read; else why not
				 * (missing, a link, not a regular file) */
	char *commit_note;	/* set by the store's commit: what of the
				 * old file it could not keep (extended
				 * attributes a replacement could not copy),
				 * or NULL; the store owns it */
	void *store_data;	/* the store's own */
};

/* A transaction log beside a hive. */
struct hp_log_file {
	char *name;		/* "SOFTWARE.LOG1" */
	char *where;		/* its path, for people */
	int fd;			/* open for reading */
};

/* What reading a hive from its store gives: descriptors checked by the
 * store (regular files, not reached through a link). */
struct hp_hive_files {
	int fd;			/* the hive, read-only */
	uint64_t size;
	struct hp_log_file *logs;	/* sorted by name */
	size_t n_logs;
	char **skipped;		/* entries with a log's name that are no
				 * logs of the hive: not regular files, with
				 * more than one name, or another owner's;
				 * never read nor written (their paths) */
	char **skipped_why;	/* why, one each ("has 2 hard links") */
	size_t n_skipped;
	uint64_t limit;		/* the largest hive to read: the primary
				 * file, each log, the hive as its logs
				 * recover it (HP_R_OVER_LIMIT above it);
				 * 0: HP_HIVE_LIMIT_DEFAULT.  Runs set the
				 * store's (hp_store_set_hive_limit). */
};

/* Closes the descriptors and frees the names (safe after a read that
 * failed, which leaves fd -1). */
void hp_hive_files_free(struct hp_hive_files *f);

/* Called by a store's commit on a descriptor that reads back, from the
 * medium, what it wrote; 0 accepts it, -1 (with e set) refuses it. */
typedef int (*hp_check_fn)(void *arg, int fd, struct hp_err *e);

/* What a store does, for a caller that brings its own (as libarchive's
 * archive_read_open2 takes the caller's callbacks).  Every operation
 * returns 0, or -1 with e set naming the file.  `priv` is the pointer
 * given to hp_store_open_ops. */
struct hp_store_ops {
	const char *name;	/* "tree", "file": what kind of store */
	int tree;		/* 1 when its hives are known by their place
				 * in a Windows tree; 0 for a single hive
				 * whose kind only its content tells */
	/* The hives it holds (the store keeps the array until close). */
	int (*list)(void *priv, struct hp_store_hive **hives, size_t *n,
		    struct hp_err *e);
	/* Takes the hive's exclusive write lock, held until close: a second
	 * writer is refused (HP_R_LOCKED), never waited for. */
	int (*lock)(void *priv, struct hp_store_hive *hive, struct hp_err *e);
	/* Opens the hive and its logs for reading; once locked, the
	 * descriptors are of the very files the lock holds. */
	int (*read)(void *priv, struct hp_store_hive *hive,
		    struct hp_hive_files *files, struct hp_err *e);
	/* Replaces the hive with the bytes of image_fd (read from offset 0
	 * to its end).  The store writes them durably and calls check on a
	 * descriptor that reads back what it wrote (through the file system
	 * or the image, not from its own buffers), at the last point where a
	 * refusal still leaves the old hive in place; when check refuses,
	 * or anything fails there, the old hive must be what remains.
	 * *replaced tells, on failure too, whether the new hive is in
	 * place (a step after that point failed: the caller puts the old
	 * bytes back through commit).  A locked hive stays locked: once
	 * the new hive is in place, the lock and read are of it. */
	int (*commit)(void *priv, struct hp_store_hive *hive, int image_fd,
		      hp_check_fn check, void *check_arg, int *replaced,
		      struct hp_err *e);
	/* Sets the log `name` of the hive (one of the names read gave, or
	 * one a backup lists) to the bytes of src_fd, checked as commit
	 * checks (a log that is gone is created); src_fd -1 empties an
	 * existing log in place. */
	int (*write_log)(void *priv, struct hp_store_hive *hive,
			 const char *name, int src_fd, hp_check_fn check,
			 void *check_arg, struct hp_err *e);
	/* Writing in place, for the commit through the hive's own log (how
	 * hp_patch commits unless told HP_COMMIT_REPLACE).  A store that
	 * leaves all four NULL is committed by replacement (commit).  `name`
	 * is NULL for the hive itself (locked first), else the name of one
	 * of its logs (".LOG1", ".LOG2" or ".LOG" after the hive's name),
	 * which write_at creates when it is absent.  Nothing is durable
	 * before sync returns. */
	int (*write_at)(void *priv, struct hp_store_hive *hive,
			const char *name, uint64_t offset, const void *buf,
			size_t len, struct hp_err *e);
	/* Cuts the file, or extends it with zeros, to `size` bytes. */
	int (*set_size)(void *priv, struct hp_store_hive *hive,
			const char *name, uint64_t size, struct hp_err *e);
	int (*sync)(void *priv, struct hp_store_hive *hive, const char *name,
		    struct hp_err *e);
	/* Removes a log of the hive that a commit made: now (write_at
	 * created it), or in a run cut short (its backup says so); never
	 * a link or a file with another name. */
	int (*remove_log)(void *priv, struct hp_store_hive *hive,
			  const char *name, struct hp_err *e);
	/* Releases everything, locks included. */
	void (*close)(void *priv);
};

struct hp_store;

/* Opens TARGET as a store: a directory (or a link to one) is the root
 * of a Windows tree, in which Windows/System32/config and its hives are
 * found in any letter case, never through a symbolic link; anything else
 * is taken for a hive file.  What keeps a hive from being read (missing,
 * a link, not a regular file, an empty TARGET) is that hive's `problem`,
 * which a run that needs the hive reports; so a run fails in the order
 * it works (its .reg files first).  Fails only when out of memory. */
int hp_store_open(const char *target, struct hp_store **store,
		  struct hp_err *e);

/* The same, where HKEY_CURRENT_USER of a tree is the hive of the user
 * `user` (Users/USER/NTUSER.DAT, and for its Software\Classes
 * Users/USER/AppData/Local/Microsoft/Windows/UsrClass.dat, found in any
 * letter case) rather than the Default user's, which every new user
 * copies (user NULL).
 * HP_R_USAGE for a name that is no plain directory name. */
int hp_store_open_user(const char *target, const char *user,
		       struct hp_store **store, struct hp_err *e);

/* Wraps a caller's store: `ops` and `priv` must outlive it; `target`
 * names it in messages.  ops->list is called at once; when it (or this
 * call) fails, ops->close(priv) has been called. */
int hp_store_open_ops(const struct hp_store_ops *ops, void *priv,
		      const char *target, struct hp_store **store,
		      struct hp_err *e);

/* The store's operations and private pointer (to wrap a store in
 * another: a caller's store can delegate to a tree store). */
const struct hp_store_ops *hp_store_get_ops(const struct hp_store *store,
					    void **priv);

/* The hives the store listed when it was opened.  A store that wraps
 * this one may hand them on as its own (from its list), and pass them
 * to this store's operations. */
size_t hp_store_hives(const struct hp_store *store,
		      struct hp_store_hive **hives);

/* TARGET as it was given. */
const char *hp_store_target(const struct hp_store *store);

/* The largest hive a run reads by default, and the most it can be
 * raised to: regf's cell offsets stop at 2 GiB.  The default is far
 * above any hive Windows ships; below it, what a hive or a log claims
 * costs no more than the pages it carries, but a hive that large is
 * loaded whole and, by apply, written. */
#define HP_HIVE_LIMIT_DEFAULT (1024ull * 1024 * 1024)
#define HP_HIVE_LIMIT_MAX (2048ull * 1024 * 1024)

/* Sets the largest hive the runs on `store` read (bytes of the primary
 * file, of each log, and of the hive as its logs recover it); larger is
 * refused with HP_R_OVER_LIMIT.  HP_R_USAGE for 0 or above
 * HP_HIVE_LIMIT_MAX. */
int hp_store_set_hive_limit(struct hp_store *store, uint64_t bytes,
			    struct hp_err *e);

void hp_store_close(struct hp_store *store);

/* ==== Images: files that hold Windows trees ====
 *
 * A TARGET that is a file may be an image rather than a hive: a WIM or
 * ESD, a raw disk with an MBR or GPT partition table, a bare NTFS
 * volume, a VHD, VHDX, qcow2 or VMDK, or an E01.  Its kind is told by
 * its content, never by its name.  An image holds parts (WIM images,
 * partitions); each part that holds a Windows tree opens as a store,
 * and the runs work on it as on a tree on the host. */

enum hp_image_kind {
	HP_IMAGE_NONE = 0,	/* not an image: a hive file, or no file */
	HP_IMAGE_WIM,		/* WIM or ESD */
	HP_IMAGE_RAW,		/* a raw disk: MBR or GPT */
	HP_IMAGE_NTFS,		/* a bare NTFS volume */
	HP_IMAGE_VHD,		/* fixed or dynamic VHD */
	HP_IMAGE_VHDX,
	HP_IMAGE_QCOW2,
	HP_IMAGE_VMDK,
	HP_IMAGE_E01,		/* evidence: read-only */
};

/* "wim", "raw", "ntfs", "vhd", "vhdx", "qcow2", "vmdk", "e01"; "" for
 * HP_IMAGE_NONE. */
const char *hp_image_kind_name(enum hp_image_kind kind);

/* What the first bytes of the file `path` say it is (HP_IMAGE_NONE for
 * a directory, a hive, or anything else); -1 with e set only when the
 * file exists and cannot be read. */
int hp_image_probe(const char *path, enum hp_image_kind *kind,
		   struct hp_err *e);

/* One part of an image: a WIM image or a partition. */
struct hp_image_part {
	unsigned number;	/* the WIM image's index (from 1), the
				 * partition's number (from 1); 0 for a bare
				 * volume */
	char *name;		/* the WIM image's name, the partition's
				 * label; "" when it has none (as stored:
				 * escape before printing) */
	uint64_t offset;	/* partitions: bytes from the disk's start */
	uint64_t size;		/* partitions: bytes; WIM: total bytes of
				 * its files */
	char *fs;		/* "ntfs", "vfat", "wim", ...; "" unknown */
	int windows;		/* 1: a Windows tree (Windows/System32/config
				 * holds SOFTWARE or SYSTEM) */
	int writable;		/* 1: hivepatch can write it (its format and
				 * state allow it), however the image was
				 * opened; an image opened without
				 * HP_IMAGE_WRITE is never written */
	char *why_not;		/* writable 0: why, one line naming the image
				 * and the part; NULL otherwise */
};

struct hp_image_file;

/* Opens the image `path` (its kind from hp_image_probe; HP_R_USAGE when
 * it is none) and lists its parts.  HP_IMAGE_WRITE: the runs will
 * write, so the file is opened for writing and locked (HP_R_LOCKED when
 * another process holds its lock, HP_R_IMAGE_UNWRITABLE for an image
 * that cannot be written as a whole: an E01, a split WIM, a file
 * without write permission); without it nothing is ever written.
 * The library its kind needs (wimlib, libnbd, libewf) is loaded here,
 * the first time (HP_R_NOT_FOUND, naming its package, when it cannot
 * be).  Opening writes nothing. */
#define HP_IMAGE_WRITE 0x1
int hp_image_open(const char *path, unsigned flags, struct hp_image_file **img,
		  struct hp_err *e);

enum hp_image_kind hp_image_kind(const struct hp_image_file *img);

/* The parts, in the image's order; the image owns them. */
size_t hp_image_parts(const struct hp_image_file *img,
		      const struct hp_image_part **parts);

/* The parts a run works on, into *chosen (malloc'd indexes, *n of
 * them): those holding Windows, or the one `image` names (a WIM image's
 * index, or its name in any letter case) or `partition` names (a disk's
 * partition number); "all" or NULL: every one with Windows.  Flags:
 * HP_IMAGE_ONE, the run reads one Windows (several are HP_R_IMAGE_CHOICE);
 * HP_IMAGE_WRITE, each must be writable (HP_R_IMAGE_UNWRITABLE with its
 * why_not, before anything is written).  HP_R_USAGE for an image
 * named in a disk or a partition in a WIM; HP_R_IMAGE_CHOICE when the
 * one named does not exist or holds no Windows, or none holds one. */
#define HP_IMAGE_ONE 0x2
int hp_image_choose(struct hp_image_file *img, const char *image,
		    const char *partition, unsigned flags, size_t **chosen,
		    size_t *n, struct hp_err *e);

/* "install.wim[image 2] 'Data'": how messages name part i (escape
 * before printing). */
int hp_image_part_label(const struct hp_image_file *img, size_t i,
			char *buf, size_t len);

/* Opens part i as a store of the Windows tree it holds (whose
 * HKEY_CURRENT_USER is the user `user`'s, NULL: the Default user's).
 * The store may be opened and closed again; one at a time per image.
 * A part that is not writable is opened for reading only, and every
 * write through its store is refused with its why_not
 * (HP_R_IMAGE_UNWRITABLE). */
int hp_image_store_open(struct hp_image_file *img, size_t i, const char *user,
			struct hp_store **store, struct hp_err *e);

/* The SHA-256 of the image file as it is now (its first segment for an
 * E01), in hex: 64 characters and a NUL. */
int hp_image_sha256(struct hp_image_file *img, char hex[65],
		    struct hp_err *e);

/* Releases the image and its lock (every store's commit was durable
 * when it returned). */
void hp_image_close(struct hp_image_file *img);


/* ==== Views: a hive as Windows would load it ==== */

struct hp_view;

enum {
	HP_VIEW_NO_RECOVER = 1,	/* read a dirty hive's primary file alone */
	HP_VIEW_FOR_WRITE = 2,	/* refuse a recovery Windows never wrote
				 * (an old-format log that stops early) or
				 * may not (a log's name skipped) */
};

/* Reads the hive of `files` (`where` names it in messages): a clean one
 * as it is, a dirty one with its logs replayed into memory, nothing
 * written anywhere.  Errors: HP_R_DIRTY_UNRECOVERABLE (naming each log
 * and why), HP_R_PARTIAL_LOG, HP_R_FOREIGN_LOG, HP_R_DAMAGED,
 * HP_R_OVER_LIMIT, HP_R_IO. */
int hp_view_open(const struct hp_hive_files *files, const char *where,
		 unsigned flags, struct hp_view **view, struct hp_err *e);

/* A path hivex_open(3) (or any reader) can open for the hive as read:
 * /proc/self/fd/N of the checked descriptor or of the recovered image;
 * valid until hp_view_close. */
const char *hp_view_path(const struct hp_view *view);

/* How it was read; `dirty` is the primary file's state. */
const struct hp_recovery *hp_view_recovery(const struct hp_view *view);

/* What a reader must be told about a replayed hive ("" when nothing):
 * the replay stopped early, started late, or a log was not read. */
const char *hp_view_caveat(const struct hp_view *view);

void hp_view_close(struct hp_view *view);

/* ==== What runs report ==== */

/* Facts about the Windows in the target. */
struct hp_image {
	int from_software;	/* the SOFTWARE hive was read */
	char *product;		/* ProductName, or NULL */
	char *build;		/* CurrentBuild, or NULL */
	char *edition;		/* EditionID, or NULL */
	char *display_version;	/* DisplayVersion, else ReleaseId, or NULL */
	int is_64bit;		/* Wow6432Node present */
	int dotnet4_full;	/* NDP\v4\Full exists */
	int has_release;	/* ... and has a DWORD Release */
	uint32_t release;
	const char *dotnet4_version;	/* "4.8", ... (static), or NULL */
	int dotnet35;		/* NDP\v3.5 Install = 1 */
	int dotnet20;		/* NDP\v2.0.50727 Install = 1 */
	char *processor_arch;	/* from SYSTEM: AMD64, x86, ARM64; or NULL */
};

/* Registry data. */
struct hp_data {
	uint32_t type;		/* REG_SZ = 1, REG_DWORD = 4, ... */
	unsigned char *bytes;	/* as stored in a hive */
	size_t len;
	char *text;		/* REG_SZ and REG_EXPAND_SZ: the string as
				 * UTF-8 (up to its first NUL), or NULL when
				 * it is not valid UTF-16 */
};

enum hp_op {
	HP_OP_CREATE_KEY,	/* [KEY] */
	HP_OP_DELETE_KEY,	/* [-KEY] */
	HP_OP_SET_VALUE,	/* "name"=data */
	HP_OP_DELETE_VALUE,	/* "name"=- */
};

enum hp_action {
	HP_ACT_ALREADY,		/* the hive already holds it */
	HP_ACT_ADD,		/* absent: created */
	HP_ACT_CHANGE,		/* present with other type or data */
	HP_ACT_DELETE,		/* present and removed */
	HP_ACT_SKIP,		/* does not apply to this image */
};

/* One operation of a .reg file or profile, as judged against a hive
 * (and, by apply, carried out). */
struct hp_change {
	enum hp_hive_kind hive;
	char *key;		/* "HKLM\\SOFTWARE\\..." */
	char *name;		/* value name ("" the default); NULL for keys */
	enum hp_op op;
	enum hp_action action;
	char *skip_reason;	/* HP_ACT_SKIP: why; else NULL */
	int key_existed;
	int had_value;
	struct hp_data before;	/* when had_value */
	struct hp_data after;	/* HP_OP_SET_VALUE: what it holds after */
	char *source;		/* the .reg file or profile */
	unsigned line;
};

/* One hive a run read or wrote. */
/* How a hive was committed. */
enum hp_commit_method {
	HP_METHOD_NONE,		/* not written */
	HP_METHOD_LOGGED,	/* in place, through its own log, as Windows
				 * writes it: the file keeps its identity */
	HP_METHOD_REPLACED,	/* a new file renamed over it */
};

struct hp_hive_report {
	enum hp_hive_kind kind;
	char *where;
	int read;		/* its base block was read: dirty, seq set */
	int dirty;
	uint32_t seq[2];	/* its sequence numbers as found */
	char **logs;		/* the logs beside it (paths) */
	size_t n_logs;
	char **control_sets;	/* what CurrentControlSet meant */
	size_t n_control_sets;
	int all_control_sets;	/* HP_ALL_CONTROL_SETS chose them */
	int planned;		/* changes[] is the plan */
	struct hp_change *changes;
	size_t n_changes;
	char *backup;		/* the backup taken, or NULL */
	char *sha_before, *sha_after;	/* SHA-256 when written */
	uint32_t seq_after;	/* of the file written; 0: none */
	char **logs_reset;	/* the logs emptied after the commit */
	size_t n_logs_reset;
	struct hp_recovery recovery;
	enum hp_commit_method commit;	/* how it was written */
	char *commit_log;	/* HP_METHOD_LOGGED: the log written through
				 * (its path, as logs[] names them) */
	int commit_log_format;	/* and its format (HP_LOG_*) */
	size_t pages_written;	/* 4 KiB pages written in place */
	uint64_t last_written;	/* FILETIME given to the hive and to
				 * every key the run changed (as Windows
				 * keeps LastWrite); 0: kept as they were */
	size_t keys_stamped;	/* how many keys got it */
	char *output;		/* recover --output: the file the hive was
				 * written to (the hive itself untouched) */
	char *sha_output;	/* and the SHA-256 it reads back with */
	char *sha_read;		/* HP_HASH_READ: the hive file as read */
	char **logs_sha;	/* and each of logs[], in its order */
};

struct hp_result {
	char *command;		/* "apply", "verify", "import", "recover" */
	char *target;
	struct hp_hive_report *hives;
	size_t n_hives;
	int has_image;		/* image was detected (not for recover) */
	struct hp_image image;
	char **profiles;	/* with auto expanded */
	size_t n_profiles;
	char *auto_reason;	/* why --profile auto chose them, or NULL */
	char **reg_files;
	size_t n_reg_files;
	int verify;		/* statuses read as compliance */
	int dry_run;
	char *result;		/* one phrase, or NULL on failure */
	char **warnings;
	size_t n_warnings;
	int exit_status;
	enum hp_reason reason;	/* HP_R_NONE unless it failed */
	char *error;		/* the message when it failed, else NULL */
};

void hp_result_free(struct hp_result *result);

/* ==== Patching: apply, verify, import, recover ==== */

#define HP_DEFAULT_PROFILE "net4-tls12"
#define HP_AUTO_PROFILE "auto"

enum hp_patch_mode {
	HP_PATCH_APPLY,		/* write what the hive does not hold */
	HP_PATCH_VERIFY,	/* judge only, never write */
	HP_PATCH_RECOVER,	/* write dirty hives as their logs recover
				 * them; no profile */
};

enum {
	HP_DRY_RUN = 1,		/* plan and report, write nothing */
	HP_FORCE = 2,		/* .NET missing, a hive of an unknown kind,
				 * rollback over a changed hive */
	HP_ALL_CONTROL_SETS = 4,	/* CurrentControlSet: every set */
	HP_NO_RECOVER = 8,	/* never replay logs: refuse a dirty hive
				 * for writing, read its primary otherwise */
	HP_COMMIT_REPLACE = 16,	/* commit by writing a new file and renaming
				 * it over the hive, not in place through
				 * its log */
	HP_KEEP_TIMESTAMPS = 32,	/* leave every LastWrite time, and the
					 * hive's last written time, as they
					 * were (forensic copies) */
	HP_BACKUP_FULL = 64,	/* back up the whole hive, not only the
				 * pages the commit overwrites */
	HP_DISCARD_LOGS = 256,	/* apply, import, recover: a dirty hive
				 * whose logs cannot recover it (missing,
				 * damaged, of another hive) is written
				 * from its primary file as it is, with a
				 * warning: what the logs held is lost
				 * (the backup keeps them) */
	HP_HASH_READ = 128,	/* the SHA-256 of every file read (the
				 * hive, each log) into the report: one
				 * more pass over the hive, by a second
				 * thread (hp_inspect takes it too) */
};

struct hp_patch_opts {
	const char *command;	/* names the run in its result and backups */
	enum hp_patch_mode mode;
	unsigned flags;
	const char *const *profiles;	/* names; "auto" chooses */
	size_t n_profiles;
	const char *const *reg_files;
	size_t n_reg_files;
	const char *profile_dir;	/* where profiles are read */
	const char *backup_root;	/* where backups go (writing runs) */
	const struct timespec *now;	/* the run's time; NULL: the clock */
	const char *output;	/* recover of a hive file: write the hive as
				 * its logs recover it to this file (never
				 * in the target: see hp_export's output),
				 * read it back, and leave the hive and its
				 * logs untouched; of a tree: into this
				 * directory, each hive of it under its own
				 * name; NULL: recover in place */
};

/* Runs one patch over the store: reads the hives the operations need
 * (SOFTWARE, SYSTEM), as Windows would load them, judges every
 * operation, and unless verifying or dry, backs up and commits the
 * hives that must change (SOFTWARE before SYSTEM; when a later one
 * fails, the earlier ones are put back) and empties their logs.
 * Returns HP_OK, HP_NONCOMPLIANT (verify: something missing), or -1
 * with e set.  *result is set in every case but out of memory (what
 * was read and done, and on failure the error); free it with
 * hp_result_free. */
int hp_patch(struct hp_store *store, const struct hp_patch_opts *opts,
	     struct hp_result **result, struct hp_err *e);

/* ==== Inspecting: is the image TLS 1.2 ready? ==== */

enum hp_profile_state {
	HP_PROFILE_COMPLIANT,
	HP_PROFILE_NOT_COMPLIANT,
	HP_PROFILE_NOT_APPLICABLE,
};

/* What inspect advises (rendered as a command line by the caller). */
enum hp_advice {
	HP_ADVISE_NONE_READY,	/* ready by auto's rules */
	HP_ADVISE_APPLY_AUTO,	/* apply --profile auto */
	HP_ADVISE_BLOCKED,	/* auto needs a profile the target cannot
				 * take (advice_profile, advice_reason) */
	HP_ADVISE_NO_AUTO,	/* auto cannot choose (auto_reason says) */
	HP_ADVISE_UPDATE,	/* a profile auto needs takes effect only
				 * with an update the image lacks
				 * (advice_profile, advice_reason) */
	HP_ADVISE_DIRTY,	/* a hive read with HP_NO_RECOVER is dirty
				 * and its logs cannot recover it: apply
				 * would refuse (advice_reason says why) */
};

struct hp_inspect_hive {
	enum hp_hive_kind kind;
	char *where;
	int dirty;
	uint32_t seq[2];
	struct hp_recovery recovery;
	char *current_control_set;	/* SYSTEM, when Select is sound */
	char *sha_read;		/* HP_HASH_READ: the hive file as read */
	char **logs;		/* HP_HASH_READ: the logs beside it */
	char **logs_sha;	/* and their SHA-256, in that order */
	size_t n_logs;
};

struct hp_inspect_value {
	char *key;
	char *name;
	int present;
	struct hp_data data;	/* when present */
	char *profile;		/* the first profile that sets it */
};

struct hp_inspect_profile {
	char *name;
	char *description;
	enum hp_profile_state state;
	char *reason;		/* why not compliant or not applicable */
	int chosen_by_auto;
};

struct hp_inspect {
	char *target;
	struct hp_inspect_hive *hives;
	size_t n_hives;
	int has_image;
	struct hp_image image;
	struct hp_inspect_value *values;
	size_t n_values;
	struct hp_inspect_profile *profiles;
	size_t n_profiles;
	char **auto_profiles;
	size_t n_auto_profiles;
	int auto_ok;
	char *auto_reason;	/* the rule that applied, or why none did */
	char **warnings;
	size_t n_warnings;
	int ready;
	enum hp_advice advice;
	char *advice_profile, *advice_reason;	/* HP_ADVISE_BLOCKED */
	int has_system;		/* the target has a SYSTEM hive */
	int exit_status;
	enum hp_reason reason;
	char *error;
};

struct hp_inspect_opts {
	const char *profile_dir;
	unsigned flags;		/* HP_NO_RECOVER, HP_HASH_READ */
	const char *backup_root;	/* read only: the record of a run over
					 * two hives that was cut short, which
					 * the warnings then name; NULL: none */
};

/* Reads SOFTWARE (required) and SYSTEM (when the store has it), judges
 * every profile against them, and writes nothing.  Returns HP_OK when
 * ready by --profile auto's rules, HP_NONCOMPLIANT when not, -1 with e
 * set on failure; *result is set in every case but out of memory (free
 * it with hp_inspect_free). */
int hp_inspect(struct hp_store *store, const struct hp_inspect_opts *opts,
	       struct hp_inspect **result, struct hp_err *e);

void hp_inspect_free(struct hp_inspect *result);

/* ==== Rolling back the last run ==== */

struct hp_rollback_file {
	char *where;
	int is_log;
	int written;		/* 0: it already held the backup */
	char *time;		/* of the run undone */
	char *sha256;		/* the hive's, as restored */
	char *backup;		/* the backup it came from (hives) */
};

struct hp_rollback {
	char *target;
	int checked;		/* every file passed its check */
	struct hp_rollback_file *files;
	size_t n_files;
	char **warnings;
	size_t n_warnings;
	int exit_status;
	enum hp_reason reason;
	char *error;
};

struct hp_rollback_opts {
	const char *backup_root;
	unsigned flags;		/* HP_FORCE: restore over changed files */
	const char *to;		/* NULL: undo the last run; else undo run
				 * after run until the run of this id (one
				 * hp_backups lists) is undone */
};

/* Puts back every hive (and its logs) the last writing run on the
 * store replaced, but only over files that run left (their hashes must
 * match) unless forced.  Every file is checked before any is written.
 * With opts->to, first checks that the id is in the chain hp_backups
 * gives for the store (HP_R_NO_BACKUP, naming the id and the target,
 * and nothing written, when not), then undoes one run at a time as
 * above, newest first, until that run is undone: each step is checked
 * before it writes, and one that finds another run to undo than the
 * chain listed (the hives changed meanwhile) is refused (HP_R_CHANGED).
 * A refusal at a later step leaves the earlier steps done: files[]
 * lists what every step restored.  Returns 0 or -1; *result is set in
 * every case but out of memory. */
int hp_rollback(struct hp_store *store, const struct hp_rollback_opts *opts,
		struct hp_rollback **result, struct hp_err *e);

void hp_rollback_free(struct hp_rollback *result);

/* ==== Listing the backups that apply to a store ==== */

/* One hive a run changed, as its backup keeps it. */
struct hp_backup_hive {
	enum hp_hive_kind kind;	/* what the store's place says it is; a
				 * bare file: what its content says
				 * (HP_HIVE_UNKNOWN when it does not) */
	char *where;		/* the hive in the target, as it lies now */
	char *sha256_before;	/* the hive before the run */
	char *sha256_after;	/* and as the run left it */
	int pages;		/* 1: the backup keeps the pages the commit
				 * overwrote; 0: a whole copy of the hive */
	uint64_t bytes;		/* what the backup keeps of the hive */
};

/* One writing run (apply, import, recover) whose backups would undo
 * it: the hives it changed share its id. */
struct hp_backup_run {
	char *id;		/* the backup's id, as rollback --to takes it */
	char *time;		/* UTC, ISO 8601 */
	char *command;		/* "apply", ...; "" when not recorded */
	char **profiles;
	size_t n_profiles;
	struct hp_backup_hive *hives;	/* in the store's order */
	size_t n_hives;
	uint64_t bytes;		/* the sum over its hives */
	unsigned step;		/* 1: the run hp_rollback undoes next;
				 * 2: the one after; ... */
};

/* A hive changed since the run of its latest backup (found by its
 * place): that backup no longer undoes what it holds. */
struct hp_backup_changed {
	enum hp_hive_kind kind;	/* as hp_backup_hive's */
	char *where;		/* the hive in the target */
	char *id;		/* the run of its latest backup */
	char *time;		/* and its time (UTC, ISO 8601) */
	int pages;		/* 1: that backup keeps only the pages its
				 * run overwrote: rollback cannot put the
				 * hive back, even forced; 0: a whole copy,
				 * which rollback puts back only forced */
};

struct hp_backups {
	char *target;
	char *backup_root;	/* NULL when none was given */
	struct hp_backup_run *runs;	/* newest first (runs[i].step is
					 * i + 1) */
	size_t n_runs;
	struct hp_backup_changed *changed;	/* when no run is listed:
						 * the hives that changed
						 * since their latest
						 * backup's run, in the
						 * store's order */
	size_t n_changed;
	int exit_status;
	enum hp_reason reason;
	char *error;
};

struct hp_backups_opts {
	const char *backup_root;	/* where the backups are */
};

/* Lists the backups that would undo what the store's hives hold now,
 * writing nothing and taking no lock.  For each hive the store holds
 * (in a tree, a hive that cannot be read is passed over, as rollback
 * does), it follows the chain: the backup whose run left the hive's
 * SHA-256, then the one whose run left that backup's sha256_before,
 * and so on, until none does, a SHA-256 comes back, or after 1000
 * steps; the backups may be kept anywhere under backup_root (the image
 * may have moved since).  The hives' chains are merged into runs by
 * id, newest first.  No backup is no error: n_runs 0; then each hive
 * whose latest backup (by its place, as rollback finds it) was taken by
 * a run whose hive it no longer holds, when no run of it found what it
 * holds now (it was not rolled back), is in changed[], for the caller
 * to say why rollback refuses it.  Errors:
 * HP_R_NO_BACKUP_DIR (no backup_root, or not a directory), the hive's
 * own problem when a bare hive file (or every hive of a tree) cannot be
 * read (HP_R_NOT_FOUND, ...), HP_R_IO.  Returns 0 or -1; *result is set in
 * every case but out of memory (free it with hp_backups_free); its
 * strings and arrays belong to it. */
int hp_backups(struct hp_store *store, const struct hp_backups_opts *opts,
	       struct hp_backups **result, struct hp_err *e);

void hp_backups_free(struct hp_backups *result);

/* ==== Exporting a key as a .reg file ==== */

enum {
	HP_EXPORT_UTF16 = 16,	/* regedit's own UTF-16LE with CRLF */
};

struct hp_export_opts {
	const char *key;	/* "HKLM\\SOFTWARE\\...", "HKLM\\SYSTEM\\..." */
	unsigned flags;		/* HP_NO_RECOVER, HP_EXPORT_UTF16 */
	const char *output;	/* a file to create or empty, or NULL */
	FILE *stream;		/* where to write when output is NULL */
	/* Called with each note (as hp_export.notes) when it arises, before
	 * anything is written; NULL: none. */
	void (*note)(void *arg, const char *note);
	void *note_arg;
};

struct hp_export {
	char *where;		/* the hive read, or NULL */
	char **notes;		/* what its reader must be told about how it
				 * was read ("warning: ..." when it may be
				 * stale or incomplete) */
	size_t n_notes;
};

/* Writes the key and everything below it, as regedit exports, once all
 * of it is rendered (a failure writes nothing, and creates no output
 * file).  A key of HKEY_CLASSES_ROOT is written from the hive that holds
 * it (the user's classes or HKLM\SOFTWARE\Classes; the machine's when
 * both do, with a warning note), under that hive's root, and a note says
 * which.  What it writes holds no control character (line ends aside):
 * a REG_SZ that hp_escape_text would change is written as hex(1):, and a
 * key or value name that .reg cannot hold (one hp_escape_text would
 * change; a key's holding a backslash, or a ']' followed by ';') refuses
 * the export.  Errors: HP_R_NO_KEY, HP_R_USAGE (a key under no root
 * export reads: HKLM\SOFTWARE, SYSTEM, SAM, SECURITY, HKU\.DEFAULT,
 * HKCU, HKCU\Software\Classes, or HKCR), HP_R_WRONG_KIND (a hive file
 * of another kind than the key's root, or any hive file for HKCR, which
 * needs a tree), HP_R_OUTPUT_IN_TARGET (an output that is, or lies, in the
 * target: for a tree, below it; for a hive file, the hive or a log
 * name beside it; for a caller's store, the hive or a log read),
 * HP_R_UNEXPORTABLE (naming the key and the name), and those of reading
 * the hive.  *result is set in every case but out of memory. */
int hp_export(struct hp_store *store, const struct hp_export_opts *opts,
	      struct hp_export **result, struct hp_err *e);

void hp_export_free(struct hp_export *result);

/* ==== Profiles ==== */

struct hp_profile_info {
	char *name;
	char *description;
};

/* The profiles in profile_dir, sorted by name. */
int hp_profiles(const char *profile_dir, struct hp_profile_info **list,
		size_t *n, struct hp_err *e);

void hp_profiles_free(struct hp_profile_info *list, size_t n);

#ifdef __cplusplus
}
#endif

#endif
