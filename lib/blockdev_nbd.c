/* SPDX-License-Identifier: GPL-3.0-or-later */
/* VHDX, dynamic VHD, qcow2 and VMDK images through QEMU's block layer:
 * a qemu-nbd child serves the image over NBD and libnbd reaches it.
 *
 * The child is started the systemd socket-activation way (a listening
 * socket as fd 3, LISTEN_PID and LISTEN_FDS), but by this file rather
 * than by nbd_connect_systemd_socket_activation, so that
 * - our connection is queued on the listening socket before the child
 *   exists: it is the child's first client, and as it serves one
 *   client and is not --persistent, it exits when that client goes,
 *   however this process ends (SIGKILL included);
 * - but qemu-nbd stays for a client that left before the handshake
 *   ended, and loses a SIGTERM that comes while it starts (7.2), so the
 *   child is killed outright when its parent dies (PR_SET_PDEATHSIG
 *   SIGKILL; the parent is the thread that opened the device, which
 *   must outlive it): what was not yet flushed is lost as at a power
 *   cut, which the logged commit is made to survive, and QEMU's formats
 *   too (qcow2 and VHDX keep their metadata consistent across one);
 * - the socket's name lives in a private directory only for the few
 *   calls between bind and connect, and nothing is left on disk;
 * - the child sits in a process group of its own, so a Ctrl-C at the
 *   terminal reaches this process alone, which may finish a commit
 *   before it lets the child go;
 * - its stderr goes to a memory file, never to the user's terminal:
 *   the library prints nothing, and its words (a lock held by another
 *   QEMU) become the error.
 * The cache mode is writeback (QEMU's default): an NBD flush reaches
 * the file (fdatasync, after QEMU's own metadata caches), which is what
 * blockdev_sync promises; "none" would need O_DIRECT, which tmpfs
 * refuses, and "unsafe" ignores flushes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libnbd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "blockdev.h"
#include "dynlib.h"

/* qemu-nbd serves requests of up to 32 MiB. */
#define NBD_CHUNK (8u << 20)

/* The libnbd functions this file calls, loaded with the first image
 * qemu-nbd serves (dynlib.h). */
#define NBD_FUNCTIONS(F) \
	F(nbd_, get_error) F(nbd_, close) F(nbd_, pread) F(nbd_, pwrite) \
	F(nbd_, flush) F(nbd_, shutdown) F(nbd_, create) \
	F(nbd_, set_request_block_size) F(nbd_, set_strict_mode) \
	F(nbd_, get_strict_mode) F(nbd_, connect_socket) F(nbd_, is_read_only) \
	F(nbd_, can_flush) F(nbd_, get_size)
#define NBD_SYM(prefix, name) DYNSYM(nbdfn, prefix, name)

static struct {
	NBD_FUNCTIONS(DYNLIB_MEMBER)
} nbdfn;

static const struct dynsym nbd_syms[] = { NBD_FUNCTIONS(NBD_SYM) };

static struct dynlib nbd_lib = { .soname = NBD_SONAME,
    .package = NBD_PACKAGE,
    .serves = "VHD, VHDX, qcow2 and VMDK images through qemu-nbd",
    .syms = nbd_syms, .n_syms = sizeof(nbd_syms) / sizeof(nbd_syms[0]) };

struct nbd_dev {
	struct nbd_handle *h;
	pid_t pid;		/* the qemu-nbd child, reaped on close */
	int err_fd;		/* its stderr: a memory file */
};

/* What the child needs, made before fork (after it, only
 * async-signal-safe calls). */
struct nbd_child {
	const char *argv[9];
	char listen_pid[32];
	char *envp[3];
	int lsock, err_fd, null_fd;
	pid_t parent;
};

static void
put_pid(char *buf, pid_t pid)
{
	char digits[24];
	size_t n = 0, len = strlen("LISTEN_PID=");

	memcpy(buf, "LISTEN_PID=", len);
	do {
		digits[n++] = (char)('0' + pid % 10);
		pid /= 10;
	} while (pid > 0);
	while (n > 0)
		buf[len++] = digits[--n];
	buf[len] = '\0';
}

/* In the child: fd 3 the listening socket, 1 and 2 the memory file,
 * 0 /dev/null, no other descriptor; a process group of its own; the
 * plain environment of socket activation and nothing else. */
static void __attribute__((noreturn))
child_exec(struct nbd_child *c)
{
	sigset_t none;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != c->parent)
		_exit(127);
	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(c->lsock, 3) == -1 || dup2(c->err_fd, 2) == -1 ||
	    dup2(c->err_fd, 1) == -1 || dup2(c->null_fd, 0) == -1)
		_exit(127);
	/* Nothing else of ours: a caller's descriptor, left open across
	 * exec, would otherwise live as long as the child. */
	close_range(4, ~0u, 0);
	put_pid(c->listen_pid, getpid());
	execve(QEMU_NBD, (char *const *)c->argv, c->envp);
	_exit(127);
}

/* fd, moved to 4 or above (the child's dup2s must not clobber it). */
static int
high_fd(int fd)
{
	int high;

	if (fd == -1 || fd >= 4)
		return fd;
	high = fcntl(fd, F_DUPFD_CLOEXEC, 4);
	close(fd);
	return high;
}

/* A listening socket and our connection to it, queued before anyone
 * serves it; the name is gone again when this returns. */
static int
make_sockets(int *lsock, int *csock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[] = P_tmpdir "/hivepatch-nbd-XXXXXX";
	int rc = -1, saved;

	*lsock = *csock = -1;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s", dir);
	*lsock = high_fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
	*csock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*lsock != -1 && *csock != -1 &&
	    bind(*lsock, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    listen(*lsock, 1) == 0 &&
	    connect(*csock, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		rc = 0;
	saved = errno;
	unlink(sa.sun_path);
	rmdir(dir);
	if (rc == -1) {
		if (*lsock != -1)
			close(*lsock);
		if (*csock != -1)
			close(*csock);
		*lsock = *csock = -1;
	}
	errno = saved;
	return rc;
}

/* Forks the child serving `file`; *csock is our end of its socket. */
static int
spawn(const char *file, const char *format, int writable,
      struct nbd_dev *d, int *csock)
{
	struct nbd_child c;
	size_t n = 0;
	int saved;

	memset(&c, 0, sizeof(c));
	c.argv[n++] = QEMU_NBD;
	c.argv[n++] = "-f";
	c.argv[n++] = format;
	c.argv[n++] = "--cache=writeback";
	if (!writable)
		c.argv[n++] = "--read-only";
	c.argv[n++] = "--";
	c.argv[n++] = file;
	c.envp[0] = c.listen_pid;
	c.envp[1] = "LISTEN_FDS=1";
	c.err_fd = d->err_fd;
	if ((c.null_fd = high_fd(open("/dev/null", O_RDWR | O_CLOEXEC))) == -1)
		return -1;
	if (make_sockets(&c.lsock, csock) == -1) {
		saved = errno;
		close(c.null_fd);
		errno = saved;
		return -1;
	}
	c.parent = getpid();
	d->pid = fork();
	if (d->pid == 0)
		child_exec(&c);
	saved = errno;
	close(c.lsock);
	close(c.null_fd);
	if (d->pid == -1) {
		close(*csock);
		*csock = -1;
		errno = saved;
		return -1;
	}
	return 0;
}

/* The child's wait status (0 when there was none). */
static int
reap(struct nbd_dev *d)
{
	int status = 0;

	if (d->pid > 0)
		while (waitpid(d->pid, &status, 0) == -1 && errno == EINTR)
			;
	d->pid = -1;
	return status;
}

/* The first line qemu-nbd wrote on its stderr ("" when none), without
 * its "qemu-nbd: " prefix. */
static void
child_said(int err_fd, char *buf, size_t size)
{
	const char *prefix = "qemu-nbd: ";
	ssize_t n;
	char *nl;

	n = pread(err_fd, buf, size - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	if (strncmp(buf, prefix, strlen(prefix)) == 0)
		memmove(buf, buf + strlen(prefix), strlen(buf) -
		    strlen(prefix) + 1);
}

/* Why the handshake failed: the child's own words, which say when
 * another QEMU holds the image's lock (a running virtual machine, or
 * another qemu-nbd). */
static int
connect_failed(struct nbd_dev *d, const char *path, const char *format,
	       struct hp_err *e)
{
	char said[512], why[256];
	int status;

	snprintf(why, sizeof(why), "%s", nbdfn.get_error());
	nbdfn.close(d->h);
	d->h = NULL;
	status = reap(d);
	child_said(d->err_fd, said, sizeof(said));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return hp_err_set(e, HP_R_IO, "%s: cannot run %s (is it "
		    "installed? Debian: apt-get install qemu-utils)", path,
		    QEMU_NBD);
	if (strstr(said, "lock") != NULL)
		return hp_err_set(e, HP_R_LOCKED, "%s: another process holds "
		    "its lock (a running virtual machine or qemu-nbd?); stop "
		    "it first", path);
	return hp_err_set(e, HP_R_IO, "%s: qemu-nbd cannot serve it as %s: "
	    "%s", path, format, said[0] != '\0' ? said : why);
}

static int
nbd_dev_pread(struct blockdev *bd, void *buf, size_t len, uint64_t off,
	      struct hp_err *e)
{
	struct nbd_dev *d = bd->priv;
	size_t n;

	while (len > 0) {
		n = len < NBD_CHUNK ? len : NBD_CHUNK;
		if (nbdfn.pread(d->h, buf, n, off, 0) == -1)
			return hp_err_set(e, HP_R_IO, "%s: cannot read %zu "
			    "bytes at %llu: %s", bd->name, n,
			    (unsigned long long)off, nbdfn.get_error());
		buf = (char *)buf + n;
		off += n;
		len -= n;
	}
	return 0;
}

static int
nbd_dev_pwrite(struct blockdev *bd, const void *buf, size_t len,
	       uint64_t off, struct hp_err *e)
{
	struct nbd_dev *d = bd->priv;
	size_t n;

	while (len > 0) {
		n = len < NBD_CHUNK ? len : NBD_CHUNK;
		if (nbdfn.pwrite(d->h, buf, n, off, 0) == -1)
			return hp_err_set(e, HP_R_IO, "%s: cannot write %zu "
			    "bytes at %llu: %s", bd->name, n,
			    (unsigned long long)off, nbdfn.get_error());
		buf = (const char *)buf + n;
		off += n;
		len -= n;
	}
	return 0;
}

static int
nbd_dev_sync(struct blockdev *bd, struct hp_err *e)
{
	struct nbd_dev *d = bd->priv;

	if (nbdfn.flush(d->h, 0) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot flush: %s",
		    bd->name, nbdfn.get_error());
	return 0;
}

/* Disconnects (the child then flushes, closes the image and exits) and
 * reaps the child. */
static void
nbd_dev_free(struct nbd_dev *d)
{
	if (d->h != NULL) {
		nbdfn.shutdown(d->h, 0);
		nbdfn.close(d->h);
	}
	reap(d);
	if (d->err_fd != -1)
		close(d->err_fd);
	free(d);
}

/* blockdev_close frees the rest. */
static void
nbd_dev_close(struct blockdev *bd)
{
	nbd_dev_free(bd->priv);
}

static const struct blockdev_ops nbd_ops = {
	nbd_dev_pread, nbd_dev_pwrite, nbd_dev_sync, nbd_dev_close,
};

/* The child started and our handle through the handshake. */
static int
nbd_dev_connect(struct nbd_dev *d, const char *path, const char *file,
		const char *format, int writable, struct hp_err *e)
{
	int csock;

	if ((d->h = nbdfn.create()) == NULL)
		return hp_err_set(e, HP_R_NO_MEMORY, "%s: %s", path,
		    nbdfn.get_error());
	/* A file system reads and writes at any byte: asking for no block
	 * size leaves qemu-nbd free to serve requests that are not aligned
	 * to its sectors (its block layer reads, modifies and writes the
	 * sectors around them, serialised against overlapping requests),
	 * where it would otherwise refuse them. */
	if (nbdfn.set_request_block_size(d->h, false) == -1 ||
	    nbdfn.set_strict_mode(d->h, nbdfn.get_strict_mode(d->h) &
	    ~LIBNBD_STRICT_ALIGN) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", path, nbdfn.get_error());
	if (spawn(file, format, writable, d, &csock) == -1)
		return hp_err_set(e, HP_R_IO, "%s: cannot start qemu-nbd: %s",
		    path, strerror(errno));
	/* From here the handle owns csock, and closes it. */
	if (nbdfn.connect_socket(d->h, csock) == -1)
		return connect_failed(d, path, format, e);
	if (writable && (nbdfn.is_read_only(d->h) == 1 ||
	    nbdfn.can_flush(d->h) != 1))
		return hp_err_set(e, HP_R_IO, "%s: qemu-nbd serves it without "
		    "writes or flushes", path);
	return 0;
}

static int
nbd_dev_open(const char *path, const char *file, const char *format,
	     int writable, struct blockdev *bd, struct hp_err *e)
{
	struct nbd_dev *d;
	int64_t size;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return hp_err_nomem(e);
	d->pid = -1;
	bd->priv = d;
	d->err_fd = high_fd(memfd_create("qemu-nbd-stderr", MFD_CLOEXEC));
	if (d->err_fd == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", path, strerror(errno));
	if (nbd_dev_connect(d, path, file, format, writable, e) == -1)
		return -1;
	if ((size = nbdfn.get_size(d->h)) == -1)
		return hp_err_set(e, HP_R_IO, "%s: %s", path,
		    nbdfn.get_error());
	bd->size = (uint64_t)size;
	return 0;
}

int
blockdev_open_nbd(const char *path, int fd, const char *format,
		  int writable, struct blockdev **out, struct hp_err *e)
{
	struct blockdev *bd;
	char *file;

	*out = NULL;
	if (dynlib_load(&nbd_lib, path, e) == -1)
		return -1;
	/* The file this process opened (and locked), never a name that may
	 * lead elsewhere by now; QEMU reads it as a plain file.  Without
	 * one, the path: QEMU reads "proto:..." and "json:..." as other
	 * things than a file, so a path not starting with '/' gets "./". */
	if ((fd >= 0 ? asprintf(&file, "/proc/%d/fd/%d", (int)getpid(),
	    fd) : asprintf(&file, "%s%s", path[0] == '/' ? "" : "./",
	    path)) == -1)
		return hp_err_nomem(e);
	if ((bd = calloc(1, sizeof(*bd))) == NULL ||
	    (bd->name = strdup(path)) == NULL) {
		free(bd);
		free(file);
		return hp_err_nomem(e);
	}
	bd->ops = &nbd_ops;
	bd->writable = writable;
	if (nbd_dev_open(path, file, format, writable, bd, e) == -1) {
		free(file);
		if (bd->priv != NULL)
			nbd_dev_free(bd->priv);
		free(bd->name);
		free(bd);
		return -1;
	}
	free(file);
	*out = bd;
	return 0;
}
