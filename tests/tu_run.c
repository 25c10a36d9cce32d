/* SPDX-License-Identifier: GPL-3.0-or-later */
/* testutil: running commands and collecting what they print, hivepatch
 * and mkhive among them (tu_run.h). */
#include "config.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "testutil.h"

/* ---- running commands ---- */

static int
capture_file(void)
{
	char *path;
	int fd;

	if (*tu_base_dir() == '\0')
		tu_base_init("hivepatch-test");
	path = tu_strf("%s/.capture.XXXXXX", tu_base_dir());
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
	tu_live_add(r->out);
	tu_live_add(r->err);
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
	tu_live_forget(r->out);
	tu_live_forget(r->err);
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
	const char *argv[TU_MAX_ARGS + 2];
	const char *a;
	size_t n = 1;

	while ((a = va_arg(ap, const char *)) != NULL) {
		ck_assert_msg(n <= TU_MAX_ARGS, "too many arguments");
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

char *
tu_line_of(const char *text, const char *prefix)
{
	const char *p = text, *found = NULL;

	ck_assert_msg(tu_count_lines(text, prefix) == 1,
	    "not exactly one line starts with '%s':\n%s", prefix, text);
	while (found == NULL) {
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			found = p;
		else
			p = strchr(p, '\n') + 1;
	}
	return tu_pathf("%.*s", (int)strcspn(found, "\n"), found);
}

/* ---- fixtures made by mkhive ---- */

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

char *
tu_tree_classes(const char *root, const char *user)
{
	return tu_pathf("%s/Users/%s/AppData/Local/Microsoft/Windows/"
	    "UsrClass.dat", root, user != NULL ? user : "Default");
}
