/* SPDX-License-Identifier: GPL-3.0-or-later */
/* failio.so: an LD_PRELOAD shim that makes one chosen system call fail,
 * for tests/test_ioerr.c.  It interposes the calls that change files
 * (write, pwrite, fsync, fdatasync, ftruncate, fchmod, fchown,
 * fsetxattr, sendfile, copy_file_range, rename, mkdir, unlink, and open
 * with O_CREAT), grouped in families named by their plain call (pwrite
 * also counts pwrite64, rename renameat and renameat2, open open64,
 * openat and the fortified variants, ...), and counts the calls of
 * each family on files below one directory:
 *
 *   FAILIO_UNDER=DIR     only calls on a path or descriptor below DIR
 *                        count (a descriptor is named by
 *                        /proc/self/fd/N); without it, nothing counts
 *   FAILIO_FUNC=NAME     the family whose call fails
 *   FAILIO_NTH=N         ... its N-th counted call (from 1)
 *   FAILIO_ERRNO=E       with this errno: EIO (the default), ENOSPC,
 *                        EDQUOT, EINVAL, EPERM, ENOTSUP, or SHORT: a
 *                        write-like call writes half of what it was
 *                        given (at least one byte) and says so, as a
 *                        full disk or a signal may make it
 *   FAILIO_STICKY=1      every counted call from the N-th on fails
 *   FAILIO_COUNT=1       at exit, one line on stderr:
 *                        "failio: write=W pwrite=P ..." (every family)
 *
 * Each call made to fail says so on stderr ("failio: failing ..."), so
 * that a test failure shows what was injected.  The shim calls the
 * real functions through dlsym(RTLD_NEXT); it never counts its own
 * calls (readlink, getcwd and its own writes to stderr). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum family {
	F_WRITE, F_PWRITE, F_FSYNC, F_FDATASYNC, F_FTRUNCATE, F_FCHMOD,
	F_FCHOWN, F_FSETXATTR, F_SENDFILE, F_COPY_FILE_RANGE, F_RENAME,
	F_MKDIR, F_UNLINK, F_OPEN, N_FAMILIES
};

static const char *const family_names[N_FAMILIES] = {
	"write", "pwrite", "fsync", "fdatasync", "ftruncate", "fchmod",
	"fchown", "fsetxattr", "sendfile", "copy_file_range", "rename",
	"mkdir", "unlink", "open",
};

#define SHORT_WRITE (-1)

static struct {
	int ready;
	char under[PATH_MAX];
	size_t under_len;
	int fail;		/* the family, or -1 */
	unsigned long nth;
	int err;		/* errno, or SHORT_WRITE */
	int sticky;
	int count;
	unsigned long calls[N_FAMILIES];
} cfg = { .fail = -1 };

/* ---- the real functions ---- */

static void *
real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (f == NULL) {
		static const char msg[] = "failio: a function is missing\n";

		(void)!write(2, msg, sizeof(msg) - 1);
		abort();
	}
	return f;
}

#define REAL(type, name) \
	static type name##_p; \
	if (name##_p == NULL) \
		name##_p = (type)real(#name)

/* The shim's own messages: straight to fd 2, never counted. */
static void
say(const char *fmt, ...)
{
	typedef ssize_t (*write_fn)(int, const void *, size_t);
	char buf[PATH_MAX + 256];
	va_list ap;
	int n;

	REAL(write_fn, write);
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)!write_p(2, buf, (size_t)n < sizeof(buf) ? (size_t)n :
		    sizeof(buf) - 1);
}

/* ---- configuration ---- */

static int
errno_named(const char *s)
{
	static const struct { const char *name; int err; } names[] = {
		{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EDQUOT", EDQUOT },
		{ "EINVAL", EINVAL }, { "EPERM", EPERM },
		{ "ENOTSUP", ENOTSUP }, { "EACCES", EACCES },
		{ "SHORT", SHORT_WRITE },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].err;
	say("failio: unknown FAILIO_ERRNO %s; EIO it is\n", s);
	return EIO;
}

__attribute__((constructor)) static void
failio_init(void)
{
	const char *under = getenv("FAILIO_UNDER");
	const char *func = getenv("FAILIO_FUNC");
	const char *nth = getenv("FAILIO_NTH");
	const char *err = getenv("FAILIO_ERRNO");
	const char *s;
	int i;

	if (cfg.ready)
		return;
	if (under != NULL && under[0] != '\0' &&
	    realpath(under, cfg.under) != NULL)
		cfg.under_len = strlen(cfg.under);
	if (func != NULL)
		for (i = 0; i < N_FAMILIES; i++)
			if (strcmp(func, family_names[i]) == 0)
				cfg.fail = i;
	if (func != NULL && func[0] != '\0' && cfg.fail == -1)
		say("failio: unknown FAILIO_FUNC %s\n", func);
	cfg.nth = nth != NULL ? strtoul(nth, NULL, 10) : 1;
	cfg.err = err != NULL && err[0] != '\0' ? errno_named(err) : EIO;
	cfg.sticky = (s = getenv("FAILIO_STICKY")) != NULL && s[0] == '1';
	cfg.count = (s = getenv("FAILIO_COUNT")) != NULL && s[0] == '1';
	cfg.ready = 1;
}

__attribute__((destructor)) static void
failio_report(void)
{
	char line[1024];
	size_t used = 0;
	int i;

	if (!cfg.count)
		return;
	used += (size_t)snprintf(line, sizeof(line), "failio:");
	for (i = 0; i < N_FAMILIES && used < sizeof(line); i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used,
		    " %s=%lu", family_names[i],
		    __atomic_load_n(&cfg.calls[i], __ATOMIC_SEQ_CST));
	say("%s\n", line);
}

/* ---- which calls count ---- */

static int
below(const char *path)
{
	return cfg.under_len > 0 &&
	    strncmp(path, cfg.under, cfg.under_len) == 0 &&
	    (path[cfg.under_len] == '/' || path[cfg.under_len] == '\0');
}

static int
fd_path(int fd, char *out, size_t len)
{
	char link[64];
	ssize_t n;

	if (fd == AT_FDCWD) {
		if (getcwd(out, len) == NULL)
			return -1;
		return 0;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, out, len - 1)) <= 0)
		return -1;
	out[n] = '\0';
	return 0;
}

static int
at_below(int dirfd, const char *name)
{
	char path[2 * PATH_MAX];
	size_t n;

	if (cfg.under_len == 0 || name == NULL)
		return 0;
	if (name[0] == '/')
		return below(name);
	if (fd_path(dirfd, path, PATH_MAX) == -1)
		return 0;
	n = strlen(path);
	snprintf(path + n, sizeof(path) - n, "/%s", name);
	return below(path);
}

/* Counts a call of family f on `what` (a path, for the message); 1 when
 * it is to fail (errno is set, unless it is to be a short write). */
static int
hit(enum family f, int counted, const char *what)
{
	unsigned long k;

	if (!cfg.ready)
		failio_init();
	if (!counted)
		return 0;
	k = __atomic_add_fetch(&cfg.calls[f], 1, __ATOMIC_SEQ_CST);
	if ((int)f != cfg.fail || k < cfg.nth || (k > cfg.nth && !cfg.sticky))
		return 0;
	say("failio: failing %s #%lu (%s) with %s\n", family_names[f], k, what,
	    cfg.err == SHORT_WRITE ? "a short write" : strerror(cfg.err));
	if (cfg.err != SHORT_WRITE)
		errno = cfg.err;
	return 1;
}

static int
hit_fd(enum family f, int fd)
{
	char path[PATH_MAX];

	if (!cfg.ready)
		failio_init();
	if (cfg.under_len == 0 || fd_path(fd, path, sizeof(path)) == -1 ||
	    !below(path))
		return 0;
	return hit(f, 1, path);
}

static int
hit_at(enum family f, int dirfd, const char *name)
{
	if (!cfg.ready)
		failio_init();
	return hit(f, at_below(dirfd, name), name);
}

/* A call that writes: fails, or writes less (len becomes half). */
static int
hit_write(enum family f, int fd, size_t *len)
{
	if (!hit_fd(f, fd))
		return 0;
	if (cfg.err != SHORT_WRITE)
		return 1;
	if (*len > 1)
		*len /= 2;
	return 0;
}

/* A call that is no write cannot be short: SHORT fails it with EIO. */
static int
failed(int yes)
{
	if (yes && cfg.err == SHORT_WRITE)
		errno = EIO;
	return yes;
}

/* ---- writes ---- */

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);

ssize_t
write(int fd, const void *buf, size_t len)
{
	REAL(write_fn, write);
	if (hit_write(F_WRITE, fd, &len))
		return -1;
	return write_p(fd, buf, len);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	REAL(pwrite_fn, pwrite);
	if (hit_write(F_PWRITE, fd, &len))
		return -1;
	return pwrite_p(fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	REAL(pwrite_fn, pwrite64);
	if (hit_write(F_PWRITE, fd, &len))
		return -1;
	return pwrite64_p(fd, buf, len, off);
}

typedef ssize_t (*sendfile_fn)(int, int, off_t *, size_t);

ssize_t
sendfile(int out, int in, off_t *off, size_t len)
{
	REAL(sendfile_fn, sendfile);
	if (hit_write(F_SENDFILE, out, &len))
		return -1;
	return sendfile_p(out, in, off, len);
}

ssize_t
sendfile64(int out, int in, off_t *off, size_t len)
{
	REAL(sendfile_fn, sendfile64);
	if (hit_write(F_SENDFILE, out, &len))
		return -1;
	return sendfile64_p(out, in, off, len);
}

typedef ssize_t (*cfr_fn)(int, off_t *, int, off_t *, size_t, unsigned);

ssize_t
copy_file_range(int in, off_t *in_off, int out, off_t *out_off, size_t len,
		unsigned flags)
{
	REAL(cfr_fn, copy_file_range);
	if (hit_write(F_COPY_FILE_RANGE, out, &len))
		return -1;
	return copy_file_range_p(in, in_off, out, out_off, len, flags);
}

/* ---- syncs, sizes, metadata ---- */

typedef int (*fd_fn)(int);

int
fsync(int fd)
{
	REAL(fd_fn, fsync);
	if (failed(hit_fd(F_FSYNC, fd)))
		return -1;
	return fsync_p(fd);
}

int
fdatasync(int fd)
{
	REAL(fd_fn, fdatasync);
	if (failed(hit_fd(F_FDATASYNC, fd)))
		return -1;
	return fdatasync_p(fd);
}

typedef int (*ftruncate_fn)(int, off_t);

int
ftruncate(int fd, off_t len)
{
	REAL(ftruncate_fn, ftruncate);
	if (failed(hit_fd(F_FTRUNCATE, fd)))
		return -1;
	return ftruncate_p(fd, len);
}

int
ftruncate64(int fd, off_t len)
{
	REAL(ftruncate_fn, ftruncate64);
	if (failed(hit_fd(F_FTRUNCATE, fd)))
		return -1;
	return ftruncate64_p(fd, len);
}

typedef int (*fchmod_fn)(int, mode_t);

int
fchmod(int fd, mode_t mode)
{
	REAL(fchmod_fn, fchmod);
	if (failed(hit_fd(F_FCHMOD, fd)))
		return -1;
	return fchmod_p(fd, mode);
}

typedef int (*fchown_fn)(int, uid_t, gid_t);

int
fchown(int fd, uid_t uid, gid_t gid)
{
	REAL(fchown_fn, fchown);
	if (failed(hit_fd(F_FCHOWN, fd)))
		return -1;
	return fchown_p(fd, uid, gid);
}

typedef int (*fsetxattr_fn)(int, const char *, const void *, size_t, int);

int
fsetxattr(int fd, const char *name, const void *value, size_t len, int flags)
{
	REAL(fsetxattr_fn, fsetxattr);
	if (failed(hit_fd(F_FSETXATTR, fd)))
		return -1;
	return fsetxattr_p(fd, name, value, len, flags);
}

/* ---- names ---- */

typedef int (*rename_fn)(const char *, const char *);
typedef int (*renameat_fn)(int, const char *, int, const char *);
typedef int (*renameat2_fn)(int, const char *, int, const char *, unsigned);

int
rename(const char *from, const char *to)
{
	REAL(rename_fn, rename);
	if (failed(hit_at(F_RENAME, AT_FDCWD, to)))
		return -1;
	return rename_p(from, to);
}

int
renameat(int fromfd, const char *from, int tofd, const char *to)
{
	REAL(renameat_fn, renameat);
	if (failed(hit_at(F_RENAME, tofd, to)))
		return -1;
	return renameat_p(fromfd, from, tofd, to);
}

int
renameat2(int fromfd, const char *from, int tofd, const char *to,
	  unsigned flags)
{
	REAL(renameat2_fn, renameat2);
	if (failed(hit_at(F_RENAME, tofd, to)))
		return -1;
	return renameat2_p(fromfd, from, tofd, to, flags);
}

typedef int (*mkdir_fn)(const char *, mode_t);
typedef int (*mkdirat_fn)(int, const char *, mode_t);

int
mkdir(const char *path, mode_t mode)
{
	REAL(mkdir_fn, mkdir);
	if (failed(hit_at(F_MKDIR, AT_FDCWD, path)))
		return -1;
	return mkdir_p(path, mode);
}

int
mkdirat(int dirfd, const char *path, mode_t mode)
{
	REAL(mkdirat_fn, mkdirat);
	if (failed(hit_at(F_MKDIR, dirfd, path)))
		return -1;
	return mkdirat_p(dirfd, path, mode);
}

typedef int (*unlink_fn)(const char *);
typedef int (*unlinkat_fn)(int, const char *, int);

int
unlink(const char *path)
{
	REAL(unlink_fn, unlink);
	if (failed(hit_at(F_UNLINK, AT_FDCWD, path)))
		return -1;
	return unlink_p(path);
}

int
unlinkat(int dirfd, const char *path, int flags)
{
	REAL(unlinkat_fn, unlinkat);
	if (failed(hit_at(F_UNLINK, dirfd, path)))
		return -1;
	return unlinkat_p(dirfd, path, flags);
}

/* ---- open with O_CREAT ---- */

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);

static mode_t
mode_arg(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;
}

#define OPEN_BODY(name, dirfd, path) \
	va_list ap; \
	mode_t mode; \
	REAL(open_fn, name); \
	va_start(ap, flags); \
	mode = mode_arg(flags, ap); \
	va_end(ap); \
	if ((flags & O_CREAT) && failed(hit_at(F_OPEN, dirfd, path))) \
		return -1; \
	return name##_p(path, flags, mode)

#define OPENAT_BODY(name) \
	va_list ap; \
	mode_t mode; \
	REAL(openat_fn, name); \
	va_start(ap, flags); \
	mode = mode_arg(flags, ap); \
	va_end(ap); \
	if ((flags & O_CREAT) && failed(hit_at(F_OPEN, dirfd, path))) \
		return -1; \
	return name##_p(dirfd, path, flags, mode)

int
open(const char *path, int flags, ...)
{
	OPEN_BODY(open, AT_FDCWD, path);
}

int
open64(const char *path, int flags, ...)
{
	OPEN_BODY(open64, AT_FDCWD, path);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	OPENAT_BODY(openat);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	OPENAT_BODY(openat64);
}

/* The fortified entry points (_FORTIFY_SOURCE): open without a mode. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

typedef int (*open2_fn)(const char *, int);
typedef int (*openat2_fn)(int, const char *, int);

int
__open_2(const char *path, int flags)
{
	REAL(open2_fn, __open_2);
	if ((flags & O_CREAT) && failed(hit_at(F_OPEN, AT_FDCWD, path)))
		return -1;
	return __open_2_p(path, flags);
}

int
__open64_2(const char *path, int flags)
{
	REAL(open2_fn, __open64_2);
	if ((flags & O_CREAT) && failed(hit_at(F_OPEN, AT_FDCWD, path)))
		return -1;
	return __open64_2_p(path, flags);
}

int
__openat_2(int dirfd, const char *path, int flags)
{
	REAL(openat2_fn, __openat_2);
	if ((flags & O_CREAT) && failed(hit_at(F_OPEN, dirfd, path)))
		return -1;
	return __openat_2_p(dirfd, path, flags);
}

int
__openat64_2(int dirfd, const char *path, int flags)
{
	REAL(openat2_fn, __openat64_2);
	if ((flags & O_CREAT) && failed(hit_at(F_OPEN, dirfd, path)))
		return -1;
	return __openat64_2_p(dirfd, path, flags);
}
