#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <check.h>

#include <json-c/json.h>

#include "testutil.h"

#define MAX_ARGS 64

static char base_dir[PATH_MAX];

/* ---- environment ---- */

const char *
tu_env_required(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL && *v != '\0',
	    "%s is not set: run the tests with make check, or set it to the "
	    "built program", name);
	return v;
}

const char *
tu_env(const char *name)
{
	const char *v = getenv(name);

	return v ? v : "";
}

/* ---- scratch directories ---- */

void
tu_base_init(const char *prefix)
{
	const char *tmp = getenv("TMPDIR");
	int n;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = snprintf(base_dir, sizeof(base_dir), "%s/%s.XXXXXX", tmp, prefix);
	if (n < 0 || (size_t)n >= sizeof(base_dir) || mkdtemp(base_dir) == NULL) {
		fprintf(stderr, "cannot make a scratch directory under %s: %s\n",
		    tmp, strerror(errno));
		exit(99);
	}
}

void
tu_base_remove(void)
{
	if (base_dir[0] != '\0' && tu_remove_tree(base_dir) == -1)
		fprintf(stderr, "warning: cannot remove %s: %s\n", base_dir,
		    strerror(errno));
	base_dir[0] = '\0';
}

const char *
tu_base_dir(void)
{
	return base_dir;
}

char *
tu_scratch_new(void)
{
	char *dir;

	if (base_dir[0] == '\0')
		tu_base_init("hivepatch-test");
	dir = tu_strf("%s/t.XXXXXX", base_dir);
	ck_assert_msg(mkdtemp(dir) != NULL, "mkdtemp %s: %s", dir,
	    strerror(errno));
	return dir;
}

/* Strings from tu_pathf, freed by tu_scratch_remove. */
static char **kept;
static size_t n_kept, cap_kept;

char *
tu_pathf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0, "out of memory");
	if (n_kept == cap_kept) {
		char **bigger;

		cap_kept = cap_kept ? 2 * cap_kept : 64;
		bigger = realloc(kept, cap_kept * sizeof(*kept));
		ck_assert_msg(bigger != NULL, "out of memory");
		kept = bigger;
	}
	kept[n_kept++] = s;
	return s;
}

/* Output buffers of results not yet freed: a failed assertion leaves
 * its test before tu_result_free, and the leak would drown the failure
 * in LeakSanitizer's report. */
#define MAX_LIVE 64
static char *live[MAX_LIVE];

static void
live_add(char *p)
{
	size_t i;

	for (i = 0; i < MAX_LIVE; i++)
		if (live[i] == NULL) {
			live[i] = p;
			return;
		}
}

static void
live_forget(const char *p)
{
	size_t i;

	for (i = 0; p != NULL && i < MAX_LIVE; i++)
		if (live[i] == p)
			live[i] = NULL;
}

static void
free_kept(void)
{
	size_t i;

	while (n_kept > 0)
		free(kept[--n_kept]);
	free(kept);
	kept = NULL;
	cap_kept = 0;
	for (i = 0; i < MAX_LIVE; i++) {
		free(live[i]);
		live[i] = NULL;
	}
}

void
tu_scratch_remove(char *dir)
{
	free_kept();
	if (dir == NULL)
		return;
	if (tu_remove_tree(dir) == -1)
		fprintf(stderr, "warning: cannot remove %s: %s\n", dir,
		    strerror(errno));
	free(dir);
}

static int
remove_entry(const char *path, const struct stat *st, int type,
	     struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

int
tu_remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- paths and files ---- */

char *
tu_strf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0, "out of memory");
	return s;
}

void
tu_write_file(const char *path, const void *data, size_t len)
{
	const unsigned char *p = data;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_msg(fd != -1, "create %s: %s", path, strerror(errno));
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n > 0, "write %s: %s", path, strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	ck_assert_msg(close(fd) == 0, "close %s: %s", path, strerror(errno));
}

void
tu_write_text(const char *path, const char *text)
{
	tu_write_file(path, text, strlen(text));
}

char *
tu_big_binary_reg(const char *head, int n, size_t size)
{
	size_t hl = strlen(head);
	char *text = malloc(hl + 1 + (size_t)n * (size * 4 + 32)), *p;
	size_t i;
	int v;

	ck_assert(text != NULL);
	p = text + sprintf(text, "%s", head);
	for (v = 0; v < n; v++) {
		p += sprintf(p, "\"Big%d\"=hex:", v);
		for (i = 0; i < size; i++) {
			p += sprintf(p, "%02x", (unsigned)((i * 7 + (size_t)v) & 0xff));
			if (i + 1 < size)
				p += sprintf(p, (i % 24 == 23) ? ",\\\n  " : ",");
		}
		p += sprintf(p, "\n");
	}
	return text;
}

unsigned char *
tu_read_file(const char *path, size_t *len)
{
	unsigned char *buf;
	struct stat st;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(fd != -1, "open %s: %s", path, strerror(errno));
	ck_assert_msg(fstat(fd, &st) == 0, "stat %s: %s", path, strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_msg(buf != NULL, "out of memory");
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n >= 0, "read %s: %s", path, strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	if (len != NULL)
		*len = got;
	return buf;
}

void
tu_copy_file(const char *src, const char *dst)
{
	unsigned char *data;
	size_t len;

	data = tu_read_file(src, &len);
	tu_write_file(dst, data, len);
	free(data);
}

void
tu_mkdir_p(const char *path)
{
	char *copy = tu_strf("%s", path), *p;

	for (p = copy + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			ck_assert_msg(mkdir(copy, 0755) == 0 || errno == EEXIST,
			    "mkdir %s: %s", copy, strerror(errno));
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	free(copy);
}

off_t
tu_file_size(const char *path)
{
	struct stat st;

	ck_assert_msg(stat(path, &st) == 0, "stat %s: %s", path, strerror(errno));
	return st.st_size;
}

struct timespec
tu_mtime(const char *path)
{
	struct stat st;

	ck_assert_msg(lstat(path, &st) == 0, "stat %s: %s", path,
	    strerror(errno));
	return st.st_mtim;
}

int
tu_same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

int
tu_count_temp_files(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	d = opendir(dir);
	ck_assert_msg(d != NULL, "opendir %s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] == '.' && strstr(de->d_name, ".hivepatch-")) {
			fprintf(stderr, "leftover temporary file: %s/%s\n", dir,
			    de->d_name);
			n++;
		}
	closedir(d);
	return n;
}

/* nftw has no user pointer. */
static int n_manifests;
static char *first_manifest;

static int
count_manifest(const char *path, const struct stat *st, int type,
	       struct FTW *ftw)
{
	(void)st;
	if (type == FTW_F && strcmp(path + ftw->base, "manifest.json") == 0) {
		if (n_manifests++ == 0)
			first_manifest = strdup(path);
	}
	return 0;
}

int
tu_count_backups(const char *dir, char **first)
{
	struct stat st;

	n_manifests = 0;
	first_manifest = NULL;
	if (lstat(dir, &st) == -1) {
		ck_assert_msg(errno == ENOENT, "stat %s: %s", dir,
		    strerror(errno));
	} else {
		ck_assert_msg(nftw(dir, count_manifest, 16, FTW_PHYS) == 0,
		    "walking %s: %s", dir, strerror(errno));
	}
	if (first != NULL)
		*first = first_manifest;
	else
		free(first_manifest);
	first_manifest = NULL;
	return n_manifests;
}

/* nftw has no user pointer. */
static char **listed;
static int n_listed, max_listed;

static int
list_manifest(const char *path, const struct stat *st, int type,
	      struct FTW *ftw)
{
	(void)st;
	if (type == FTW_F && strcmp(path + ftw->base, "manifest.json") == 0) {
		if (n_listed < max_listed)
			listed[n_listed] = tu_pathf("%s", path);
		n_listed++;
	}
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
tu_list_backups(const char *dir, char **paths, int max)
{
	struct stat st;

	listed = paths;
	n_listed = 0;
	max_listed = max;
	if (lstat(dir, &st) == -1) {
		ck_assert_msg(errno == ENOENT, "stat %s: %s", dir,
		    strerror(errno));
	} else {
		ck_assert_msg(nftw(dir, list_manifest, 16, FTW_PHYS) == 0,
		    "walking %s: %s", dir, strerror(errno));
	}
	qsort(paths, (size_t)(n_listed < max ? n_listed : max), sizeof(*paths),
	    cmp_str);
	listed = NULL;
	return n_listed;
}

static int n_files;

static int
count_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)st;
	(void)ftw;
	if (type == FTW_F)
		n_files++;
	return 0;
}

int
tu_count_files(const char *dir)
{
	struct stat st;

	n_files = 0;
	if (lstat(dir, &st) == -1) {
		ck_assert_msg(errno == ENOENT, "stat %s: %s", dir,
		    strerror(errno));
		return 0;
	}
	ck_assert_msg(nftw(dir, count_file, 16, FTW_PHYS) == 0,
	    "walking %s: %s", dir, strerror(errno));
	return n_files;
}

/* ---- hashes ---- */

void
tu_sha256(const char *path, char hex[SHA256_HEX_LEN + 1])
{
	struct hp_err e = { 0 };

	ck_assert_msg(sha256_file(path, hex, &e) == 0, "sha256: %s", e.msg);
}

/* ---- running commands ---- */

static int
capture_file(void)
{
	char *path;
	int fd;

	if (base_dir[0] == '\0')
		tu_base_init("hivepatch-test");
	path = tu_strf("%s/.capture.XXXXXX", base_dir);
	fd = mkostemp(path, O_CLOEXEC);
	ck_assert_msg(fd != -1, "mkostemp %s: %s", path, strerror(errno));
	unlink(path);
	free(path);
	return fd;
}

void
tu_spawn(const char *const *argv, const struct tu_run_opts *opts,
	 struct tu_proc *p)
{
	p->out_fd = capture_file();
	p->err_fd = capture_file();
	fflush(NULL);
	p->pid = fork();
	ck_assert_msg(p->pid != -1, "fork: %s", strerror(errno));
	if (p->pid == 0) {
		int null_fd = open("/dev/null", O_RDONLY);

		if (null_fd == -1 || dup2(null_fd, 0) == -1 ||
		    dup2(p->out_fd, 1) == -1 || dup2(p->err_fd, 2) == -1)
			_exit(126);
		if (opts != NULL) {
			size_t i;

			if (opts->fsize_limit != 0) {
				struct rlimit rl = { opts->fsize_limit,
				    opts->fsize_limit };

				if (setrlimit(RLIMIT_FSIZE, &rl) == -1) {
					perror("setrlimit");
					_exit(126);
				}
			}
			for (i = 0; opts->env_add != NULL &&
			    opts->env_add[i] != NULL; i++)
				putenv((char *)opts->env_add[i]);
			if (opts->cwd != NULL && chdir(opts->cwd) == -1) {
				perror(opts->cwd);
				_exit(126);
			}
		}
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
}

static char *
slurp_fd(int fd, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;

	ck_assert_msg(fstat(fd, &st) == 0, "fstat: %s", strerror(errno));
	buf = malloc((size_t)st.st_size + 1);
	ck_assert_msg(buf != NULL, "out of memory");
	while (got < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + got, (size_t)st.st_size - got,
		    (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		ck_assert_msg(n >= 0, "read: %s", strerror(errno));
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

void
tu_wait(struct tu_proc *p, struct tu_result *r)
{
	int ws;

	memset(r, 0, sizeof(*r));
	while (waitpid(p->pid, &ws, 0) == -1)
		ck_assert_msg(errno == EINTR, "waitpid: %s", strerror(errno));
	if (WIFEXITED(ws)) {
		r->status = WEXITSTATUS(ws);
	} else {
		r->signaled = WTERMSIG(ws);
		r->status = 128 + r->signaled;
	}
	r->out = slurp_fd(p->out_fd, &r->out_len);
	r->err = slurp_fd(p->err_fd, &r->err_len);
	live_add(r->out);
	live_add(r->err);
	close(p->out_fd);
	close(p->err_fd);
}

void
tu_run(const char *const *argv, const struct tu_run_opts *opts,
       struct tu_result *r)
{
	struct tu_proc p;

	tu_spawn(argv, opts, &p);
	tu_wait(&p, r);
}

void
tu_result_free(struct tu_result *r)
{
	live_forget(r->out);
	live_forget(r->err);
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

void
tu_hp_argv(struct tu_result *r, const struct tu_run_opts *opts,
	   const char **argv)
{
	argv[0] = tu_env_required("HIVEPATCH");
	tu_run(argv, opts, r);
}

static void
hp_va(struct tu_result *r, const struct tu_run_opts *opts, va_list ap)
{
	const char *argv[MAX_ARGS + 2];
	const char *a;
	size_t n = 1;

	while ((a = va_arg(ap, const char *)) != NULL) {
		ck_assert_msg(n <= MAX_ARGS, "too many arguments");
		argv[n++] = a;
	}
	argv[n] = NULL;
	tu_hp_argv(r, opts, argv);
}

void
tu_hp(struct tu_result *r, ...)
{
	va_list ap;

	va_start(ap, r);
	hp_va(r, NULL, ap);
	va_end(ap);
}

void
tu_hp_opts(struct tu_result *r, const struct tu_run_opts *opts, ...)
{
	va_list ap;

	va_start(ap, opts);
	hp_va(r, opts, ap);
	va_end(ap);
}

int
tu_count_lines(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p = text;
	int count = 0;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, n) == 0)
			count++;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return count;
}

/* ---- fixtures ---- */

void
tu_mkhive(const char *kind, const char *out, int dirty)
{
	const char *argv[5];
	struct tu_result r;
	size_t n = 0;

	argv[n++] = tu_env_required("MKHIVE");
	if (dirty)
		argv[n++] = "--dirty";
	argv[n++] = kind;
	argv[n++] = out;
	argv[n] = NULL;
	tu_run(argv, NULL, &r);
	ck_assert_msg(r.status == 0, "mkhive %s %s failed (%d): %s", kind, out,
	    r.status, r.err);
	tu_result_free(&r);
}

/* ---- reading hives ---- */

static hive_h *
open_hive(const char *hive)
{
	hive_h *h;

	errno = 0;
	h = hivex_open(hive, 0);
	ck_assert_msg(h != NULL, "hivex cannot open %s: %s", hive,
	    strerror(errno));
	return h;
}

static hive_node_h
find_key(hive_h *h, const char *key)
{
	hive_node_h node = hivex_root(h);
	const char *p = key;

	while (node != 0 && *p != '\0') {
		size_t n = strcspn(p, "\\");
		char *part;

		if (n == 0) {
			p++;
			continue;
		}
		part = strndup(p, n);
		ck_assert_msg(part != NULL, "out of memory");
		node = hivex_node_get_child(h, node, part);
		free(part);
		p += n;
	}
	return node;
}

int
tu_hive_key_exists(const char *hive, const char *key)
{
	hive_h *h = open_hive(hive);
	int found = find_key(h, key) != 0;

	hivex_close(h);
	return found;
}

int
tu_hive_value(const char *hive, const char *key, const char *name,
	      hive_type *type, unsigned char **data, size_t *len)
{
	hive_h *h = open_hive(hive);
	hive_node_h node = find_key(h, key);
	hive_value_h v = node ? hivex_node_get_value(h, node, name) : 0;
	char *bytes;

	*data = NULL;
	*len = 0;
	if (v == 0) {
		hivex_close(h);
		return 0;
	}
	bytes = hivex_value_value(h, v, type, len);
	ck_assert_msg(bytes != NULL, "%s: cannot read value '%s' of %s: %s",
	    hive, name, key, strerror(errno));
	*data = (unsigned char *)bytes;
	hivex_close(h);
	return 1;
}

int
tu_hive_dword_is(const char *hive, const char *key, const char *name,
		 uint32_t want)
{
	unsigned char *data;
	hive_type t;
	size_t len;
	uint32_t got;

	if (!tu_hive_value(hive, key, name, &t, &data, &len)) {
		fprintf(stderr, "%s: no value '%s' in %s\n", hive, name, key);
		return 0;
	}
	if (t != hive_t_REG_DWORD || len != 4) {
		fprintf(stderr, "%s: '%s' in %s is type %d, %zu bytes, not a "
		    "REG_DWORD\n", hive, name, key, (int)t, len);
		free(data);
		return 0;
	}
	got = le32(data);
	free(data);
	if (got != want) {
		fprintf(stderr, "%s: '%s' in %s is %u, not %u\n", hive, name,
		    key, got, want);
		return 0;
	}
	return 1;
}

/* ---- comparing hives ---- */

struct sb {
	char *s;
	size_t len, cap;
};

static void
sb_add(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? room : 0, fmt,
		    ap);
		va_end(ap);
		ck_assert(n >= 0);
		if (b->s != NULL && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		ck_assert_msg(b->s != NULL, "out of memory");
	}
}

struct named {
	char *name;
	uint64_t h;	/* hive_node_h or hive_value_h */
};

static int
cmp_named(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcasecmp(x->name, y->name);

	return c ? c : strcmp(x->name, y->name);
}

/* The handles of a 0-terminated list (values or subkeys of `path`), with
 * their names from name_of (fn, for the message), sorted by name; *np
 * gets how many. */
static struct named *
by_name(hive_h *h, const size_t *hs, char *(*name_of)(hive_h *, size_t),
    const char *fn, const char *path, size_t *np)
{
	struct named *list;
	size_t n, i;

	for (n = 0; hs[n] != 0; n++)
		;
	list = calloc(n + 1, sizeof(*list));
	ck_assert_msg(list != NULL, "out of memory");
	for (i = 0; i < n; i++) {
		list[i].name = name_of(h, hs[i]);
		ck_assert_msg(list[i].name != NULL, "%s: %s: %s", path, fn,
		    strerror(errno));
		list[i].h = hs[i];
	}
	qsort(list, n, sizeof(*list), cmp_named);
	*np = n;
	return list;
}

static void
walk(hive_h *h, hive_node_h node, const char *path, int depth, struct sb *out,
     struct tu_hive_count *count)
{
	hive_value_h *vals;
	hive_node_h *kids;
	struct named *list;
	size_t n, i, j;

	ck_assert_msg(depth < 512, "%s: keys nested too deep (a loop?)", path);
	sb_add(out, "K %s\n", path);
	count->keys++;

	vals = hivex_node_values(h, node);
	ck_assert_msg(vals != NULL, "%s: hivex_node_values: %s", path,
	    strerror(errno));
	list = by_name(h, vals, hivex_value_key, "hivex_value_key", path, &n);
	for (i = 0; i < n; i++) {
		hive_type t;
		size_t len;
		char *data = hivex_value_value(h, (hive_value_h)list[i].h, &t,
		    &len);

		ck_assert_msg(data != NULL, "%s: value '%s': %s", path,
		    list[i].name, strerror(errno));
		sb_add(out, "V %s \"%s\" type %d len %zu ", path, list[i].name,
		    (int)t, len);
		for (j = 0; j < len; j++)
			sb_add(out, "%02x", (unsigned char)data[j]);
		sb_add(out, "\n");
		count->values++;
		free(data);
		free(list[i].name);
	}
	free(list);
	free(vals);

	kids = hivex_node_children(h, node);
	ck_assert_msg(kids != NULL, "%s: hivex_node_children: %s", path,
	    strerror(errno));
	list = by_name(h, kids, hivex_node_name, "hivex_node_name", path, &n);
	for (i = 0; i < n; i++) {
		char *sub = tu_strf("%s\\%s", path, list[i].name);

		walk(h, (hive_node_h)list[i].h, sub, depth + 1, out, count);
		free(sub);
		free(list[i].name);
	}
	free(list);
	free(kids);
}

char *
tu_dump_hive(const char *path, struct tu_hive_count *count)
{
	hive_h *h = open_hive(path);
	struct sb out = { NULL, 0, 0 };
	struct tu_hive_count c = { 0, 0 };

	walk(h, hivex_root(h), "", 0, &out, &c);
	hivex_close(h);
	if (count != NULL)
		*count = c;
	return out.s;
}

void
tu_assert_same_hive(const char *got, const char *want)
{
	struct tu_hive_count cg, cw;
	char *a = tu_dump_hive(got, &cg), *b = tu_dump_hive(want, &cw);
	const char *pa = a, *pb = b;

	while (*pa != '\0' && *pa == *pb) {
		pa++;
		pb++;
	}
	if (*pa != *pb) {
		/* Back to the start of the line, for the message. */
		while (pa > a && pa[-1] != '\n') {
			pa--;
			pb--;
		}
		ck_abort_msg("%s (%u keys, %u values) differs from %s (%u keys, "
		    "%u values):\n  got:  %.200s\n  want: %.200s", got, cg.keys,
		    cg.values, want, cw.keys, cw.values, pa, pb);
	}
	free(a);
	free(b);
}

void
tu_assert_hives_differ(const char *a, const char *b)
{
	char *da = tu_dump_hive(a, NULL), *db = tu_dump_hive(b, NULL);

	ck_assert_msg(strcmp(da, db) != 0, "%s and %s hold the same keys and "
	    "values", a, b);
	free(da);
	free(db);
}

char *
tu_first_lost_line(const char *before, const char *after)
{
	const char *b = before, *a = after;

	while (*b != '\0') {
		size_t blen = strcspn(b, "\n");

		for (;;) {
			size_t alen = strcspn(a, "\n");

			if (*a == '\0')
				return strndup(b, blen);
			if (alen == blen && memcmp(a, b, blen) == 0) {
				a += alen + (a[alen] == '\n');
				break;
			}
			a += alen + (a[alen] == '\n');
		}
		b += blen + (b[blen] == '\n');
	}
	return NULL;
}

void
tu_assert_hive_keeps(const char *got, const char *want)
{
	char *a = tu_dump_hive(got, NULL), *b = tu_dump_hive(want, NULL);
	char *lost = tu_first_lost_line(b, a);

	ck_assert_msg(lost == NULL, "%s lost what %s holds:\n  %.300s", got,
	    want, lost ? lost : "");
	free(a);
	free(b);
}

/* ---- dirty fixtures ---- */

void
tu_mkdirty_va(const char *mode, const char *clean, const char *out,
	      va_list opts)
{
	const char *argv[MAX_ARGS + 5];
	struct tu_result r;
	const char *a;
	size_t n = 0;

	argv[n++] = tu_env_required("MKDIRTY");
	while ((a = va_arg(opts, const char *)) != NULL) {
		ck_assert_msg(n <= MAX_ARGS, "too many mkdirty options");
		argv[n++] = a;
	}
	argv[n++] = mode;
	argv[n++] = clean;
	argv[n++] = out;
	argv[n] = NULL;
	tu_run(argv, NULL, &r);
	ck_assert_msg(r.status == 0, "mkdirty %s %s %s failed (%d): %s", mode,
	    clean, out, r.status, r.err);
	tu_result_free(&r);
}

void
tu_mkdirty(const char *mode, const char *clean, const char *out, ...)
{
	va_list ap;

	va_start(ap, out);
	tu_mkdirty_va(mode, clean, out, ap);
	va_end(ap);
}

size_t
tu_log_entry_offset(const char *log, unsigned k)
{
	size_t len, off = 512;
	unsigned char *d = tu_read_file(log, &len);
	unsigned i;

	for (i = 1; ; i++) {
		ck_assert_msg(k >= 1 && off + 40 <= len &&
		    memcmp(d + off, "HvLE", 4) == 0,
		    "%s: no log entry %u (entry %u at offset %zu is not one)",
		    log, k, i, off);
		if (i == k)
			break;
		ck_assert_msg(le32(d + off + 4) >= 40, "%s: entry %u has a "
		    "bad size", log, i);
		off += le32(d + off + 4);
	}
	free(d);
	return off;
}

/* ---- the shared corpus ---- */

const char *
tu_corpus(const char *what)
{
	const char *c = getenv("HIVEPATCH_CORPUS");
	struct stat st;

	if (c == NULL || *c == '\0' || stat(c, &st) != 0 ||
	    !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "SKIP: HIVEPATCH_CORPUS is not set or not a "
		    "directory: %s not run\n", what);
		return NULL;
	}
	return c;
}

/* ---- regfexport ---- */

char *
tu_regfexport(const char *hive)
{
	static int said;
	const char *prog = tu_env("REGFEXPORT");
	const char *argv[3];
	struct tu_result r;
	char *out;

	if (*prog == '\0') {
		if (!said++)
			fprintf(stderr, "SKIP: REGFEXPORT not set (libregf's "
			    "regfexport not found); the independent read-back "
			    "checks are not run\n");
		return NULL;
	}
	argv[0] = prog;
	argv[1] = hive;
	argv[2] = NULL;
	tu_run(argv, NULL, &r);
	if (r.status != 0) {
		fprintf(stderr, "regfexport %s exited %d: %s\n", hive, r.status,
		    r.err);
		tu_result_free(&r);
		return tu_strf("%s", "");
	}
	out = r.out;
	live_forget(out);
	r.out = NULL;
	tu_result_free(&r);
	return out;
}

/* "Key path: ROOT\a\b" names key "a\b"; the root's own name varies. */
static int
key_line_is(const char *line, size_t len, const char *key)
{
	static const char tag[] = "Key path: ";
	const char *p, *end = line + len;

	if (len < sizeof(tag) - 1 || strncmp(line, tag, sizeof(tag) - 1) != 0)
		return 0;
	p = memchr(line, '\\', len);
	if (p == NULL)
		return *key == '\0';
	p++;
	return (size_t)(end - p) == strlen(key) &&
	    strncasecmp(p, key, (size_t)(end - p)) == 0;
}

/* "Value: N NAME" */
static int
value_line_is(const char *line, size_t len, const char *name)
{
	const char *p = line + 7, *end = line + len;
	const char *want = *name ? name : "(default)";

	if (len < 7 || strncmp(line, "Value: ", 7) != 0)
		return 0;
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p == end || *p != ' ')
		return 0;
	p++;
	return (size_t)(end - p) == strlen(want) &&
	    strncmp(p, want, (size_t)(end - p)) == 0;
}

/* Finds the key's section; with name, the value's block (to the next
 * blank line).  Returns a malloc'd copy, or NULL. */
static char *
regf_block(const char *out, const char *key, const char *name)
{
	const char *p = out, *start = NULL;
	int in_key = 0;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (start != NULL && (len == 0 || strncmp(p, "Key path: ", 10) == 0 ||
		    (name != NULL && strncmp(p, "Value: ", 7) == 0)))
			return strndup(start, (size_t)(p - start));
		if (strncmp(p, "Key path: ", 10) == 0) {
			in_key = key_line_is(p, len, key);
			if (in_key && name == NULL)
				start = p;
		} else if (in_key && name != NULL && value_line_is(p, len, name)) {
			start = p;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return start ? strdup(start) : NULL;
}

int
tu_regf_value(const char *hive, const char *key, const char *name,
	      const char *type_text, const char *data_text)
{
	char *out = tu_regfexport(hive), *block;
	int ok = 1;

	if (out == NULL)
		return -1;
	block = regf_block(out, key, name);
	free(out);
	if (block == NULL) {
		fprintf(stderr, "regfexport %s: no value '%s' in key %s\n", hive,
		    name, key);
		return 0;
	}
	if (type_text != NULL && strstr(block, type_text) == NULL)
		ok = 0;
	if (data_text != NULL && strstr(block, data_text) == NULL)
		ok = 0;
	if (!ok)
		fprintf(stderr, "regfexport %s: value '%s' of %s is\n%s\n"
		    "expected to contain '%s' and '%s'\n", hive, name, key, block,
		    type_text ? type_text : "", data_text ? data_text : "");
	free(block);
	return ok;
}

int
tu_regf_key_exists(const char *hive, const char *key)
{
	char *out = tu_regfexport(hive), *block;
	int found;

	if (out == NULL)
		return -1;
	block = regf_block(out, key, NULL);
	found = block != NULL;
	free(out);
	free(block);
	return found;
}

int
tu_regf_text_value(const char *text, const char *key, const char *name,
		   const char *type_text, const char *data_text)
{
	char *block = regf_block(text, key, name);
	int ok = 1;

	if (block == NULL) {
		fprintf(stderr, "regfexport: no value '%s' in key %s\n", name,
		    key);
		return 0;
	}
	if (type_text != NULL && strstr(block, type_text) == NULL)
		ok = 0;
	if (data_text != NULL && strstr(block, data_text) == NULL)
		ok = 0;
	if (!ok)
		fprintf(stderr, "regfexport: value '%s' of %s is\n%s\n"
		    "expected to contain '%s' and '%s'\n", name, key, block,
		    type_text ? type_text : "", data_text ? data_text : "");
	free(block);
	return ok;
}

int
tu_regf_text_key_exists(const char *text, const char *key)
{
	char *block = regf_block(text, key, NULL);

	free(block);
	return block != NULL;
}

/* "Key path: ROOT\a\b" is `key` or lies below it. */
static int
key_line_within(const char *line, size_t len, const char *key)
{
	static const char tag[] = "Key path: ";
	const char *p, *end = line + len;
	size_t n = strlen(key), rest;

	if (len < sizeof(tag) - 1 || strncmp(line, tag, sizeof(tag) - 1) != 0)
		return 0;
	p = memchr(line, '\\', len);
	if (p == NULL)
		return *key == '\0';
	p++;
	rest = (size_t)(end - p);
	return rest >= n && strncasecmp(p, key, n) == 0 &&
	    (rest == n || p[n] == '\\');
}

char *
tu_regf_subtree(const char *text, const char *key)
{
	size_t cap = strlen(text) + 2, used = 0;
	char *out = malloc(cap);
	const char *p = text;
	int in = 0;

	ck_assert_msg(out != NULL, "out of memory");
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (strncmp(p, "Key path: ", 10) == 0)
			in = key_line_within(p, len, key);
		if (in) {
			memcpy(out + used, p, len);
			used += len;
			out[used++] = '\n';
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	out[used] = '\0';
	return out;
}

/* ---- fixtures and checks the CLI suites share ---- */

char *
tu_dir_of(const char *path)
{
	return dirname(tu_pathf("%s", path));
}

char *
tu_make_tree(const char *kind, const char *name)
{
	char *root = tu_pathf("%s/%s", tu_scratch, name);

	tu_mkhive(kind, root, 0);
	return root;
}

char *
tu_tree_file(const char *root, const char *file)
{
	const char *dir = strcmp(file, "software") == 0 ||
	    strcmp(file, "system") == 0 ? "windows/system32/config" :
	    "Windows/System32/config";

	return tu_pathf("%s/%s/%s", root, dir, file);
}

void
tu_stat(const char *path, struct stat *st)
{
	ck_assert_msg(stat(path, st) == 0, "stat %s: %s", path, strerror(errno));
}

void
tu_assert_untouched_since(const char *path, const struct stat *before)
{
	struct stat now;

	tu_stat(path, &now);
	ck_assert_msg(now.st_ino == before->st_ino, "%s was replaced", path);
	ck_assert_msg(tu_same_time(now.st_mtim, before->st_mtim),
	    "%s: modification time changed", path);
}

void
tu_assert_dword(const char *hive, const char *key, const char *name,
		uint32_t want)
{
	char *data = tu_strf("Data: %u\n", want);
	int regf;

	ck_assert_msg(tu_hive_dword_is(hive, key, name, want),
	    "hivex: %s: %s\\%s is not dword %u", hive, key, name, want);
	regf = tu_regf_value(hive, key, name, "(REG_DWORD", data);
	free(data);
	ck_assert_msg(regf != 0, "regfexport: %s: %s\\%s is not dword %u",
	    hive, key, name, want);
}

void
tu_assert_net4(const char *hive)
{
	tu_assert_dword(hive, "Microsoft\\.NETFramework\\v4.0.30319",
	    "SchUseStrongCrypto", 1);
	tu_assert_dword(hive,
	    "Wow6432Node\\Microsoft\\.NETFramework\\v4.0.30319",
	    "SchUseStrongCrypto", 1);
}

TCase *
tu_tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, tu_setup, tu_teardown);
	suite_add_tcase(s, tc);
	return tc;
}

char *tu_scratch;
char *tu_bk;

void
tu_setup(void)
{
	tu_scratch = tu_scratch_new();
	tu_bk = tu_pathf("%s/backups", tu_scratch);
}

void
tu_teardown(void)
{
	tu_scratch_remove(tu_scratch);
	tu_scratch = NULL;
	tu_bk = NULL;
}

struct json_object *
tu_jget(struct json_object *o, const char *path)
{
	char *copy = strdup(path), *part, *save = NULL;

	ck_assert(copy != NULL);
	for (part = strtok_r(copy, ".", &save); part != NULL && o != NULL;
	    part = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, part, &o))
			o = NULL;
	free(copy);
	return o;
}

int
tu_jnull(struct json_object *o, const char *name)
{
	struct json_object *v = NULL;

	return json_object_object_get_ex(o, name, &v) && v == NULL;
}

const char *
tu_jstr(struct json_object *o, const char *path)
{
	struct json_object *v = tu_jget(o, path);

	return v && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "(not a string)";
}

struct json_object *
tu_jarray(struct json_object *o, const char *path)
{
	struct json_object *a = tu_jget(o, path);

	ck_assert_msg(a != NULL && json_object_is_type(a, json_type_array),
	    "%s is not an array", path);
	return a;
}

int
tu_jbool(struct json_object *o, const char *path)
{
	struct json_object *v = tu_jget(o, path);

	ck_assert_msg(v != NULL && json_object_is_type(v, json_type_boolean),
	    "%s is not a boolean", path);
	return json_object_get_boolean(v);
}

long long
tu_jint(struct json_object *o, const char *path)
{
	struct json_object *v = tu_jget(o, path);

	ck_assert_msg(v != NULL && json_object_is_type(v, json_type_int),
	    "%s is not an integer", path);
	return (long long)json_object_get_int64(v);
}

struct json_object *
tu_parse_json(const struct tu_result *r, const char *schema)
{
	struct json_object *j = json_tokener_parse(r->out);

	ck_assert_msg(j != NULL, "stdout is not one JSON document:\n%s", r->out);
	ck_assert_str_eq(tu_jstr(j, "schema"), schema);
	ck_assert(tu_jget(j, "exit_status") != NULL);
	ck_assert_int_eq(json_object_get_int(tu_jget(j, "exit_status")),
	    r->status);
	return j;
}

int
tu_run_suite(Suite *s, const char *name)
{
	SRunner *sr;
	char *state;
	int failed;

	/* Fail early and clearly outside make check. */
	if (getenv("HIVEPATCH") == NULL || getenv("MKHIVE") == NULL) {
		fprintf(stderr, "HIVEPATCH and MKHIVE must name the built "
		    "programs (make check sets them)\n");
		return 99;
	}
	tu_base_init(name);
	if (asprintf(&state, "%s/state", tu_base_dir()) == -1)
		return 99;
	setenv("XDG_STATE_HOME", state, 1);
	free(state);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	tu_base_remove();
	return failed == 0 ? 0 : 1;
}
