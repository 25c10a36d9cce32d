/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fileio.h"
#include "hash.h"

#define CHUNK (1u << 20)

static void
to_hex(const unsigned char *md, unsigned len, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned i;

	for (i = 0; i < len; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * len] = '\0';
}

/* Reads src_fd to its end, hashing, and writing to dst_fd when >= 0. */
static int
hash_stream(int src_fd, const char *src, int dst_fd, const char *dst,
	    char hex[SHA256_HEX_LEN + 1], struct hp_err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE], *buf;
	unsigned md_len = 0;
	EVP_MD_CTX *ctx;
	off_t off = 0;
	int rc = -1;

	buf = malloc(CHUNK);
	if (buf == NULL)
		return hp_err_nomem(e);
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		hp_err_set(e, HP_R_IO, "%s: cannot set up SHA-256", src);
		goto out;
	}
	for (;;) {
		ssize_t n = pread(src_fd, buf, CHUNK, off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			hp_err_set(e, HP_R_IO, "%s: cannot read: %s", src,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		off += n;
		if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1) {
			hp_err_set(e, HP_R_IO, "%s: SHA-256 failed", src);
			goto out;
		}
		if (dst_fd >= 0 && write_all(dst_fd, buf, (size_t)n) == -1) {
			hp_err_set(e, HP_R_IO, "%s: cannot write: %s", dst,
			    strerror(errno));
			goto out;
		}
	}
	if (dst_fd >= 0 && fsync(dst_fd) == -1) {
		hp_err_set(e, HP_R_IO, "%s: cannot sync: %s", dst,
		    strerror(errno));
		goto out;
	}
	if (EVP_DigestFinal_ex(ctx, md, &md_len) != 1) {
		hp_err_set(e, HP_R_IO, "%s: SHA-256 failed", src);
		goto out;
	}
	to_hex(md, md_len, hex);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}

int
sha256_fd(int fd, const char *where, char hex[SHA256_HEX_LEN + 1],
	  struct hp_err *e)
{
	return hash_stream(fd, where, -1, NULL, hex, e);
}

int
copy_hashed(int src_fd, const char *src, int dst_fd, const char *dst,
	    char hex[SHA256_HEX_LEN + 1], struct hp_err *e)
{
	return hash_stream(src_fd, src, dst_fd, dst, hex, e);
}

static void *
sha_thread(void *arg)
{
	struct sha_task *t = arg;

	t->rc = sha256_fd(t->fd, t->where, t->hex, &t->e);
	return NULL;
}

int
sha256_begin(struct sha_task *t, int fd, const char *where, struct hp_err *e)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->fd = fd;
	t->where = where;
	if ((err = pthread_create(&t->thread, NULL, sha_thread, t)) != 0)
		return hp_err_set(e, HP_R_IO, "%s: cannot start hashing: %s",
		    where, strerror(err));
	t->running = 1;
	return 0;
}

int
sha256_end(struct sha_task *t, char hex[SHA256_HEX_LEN + 1], struct hp_err *e)
{
	if (!t->running)
		return 0;
	pthread_join(t->thread, NULL);
	t->running = 0;
	if (t->rc == -1) {
		if (e != NULL)
			*e = t->e;
		return -1;
	}
	if (hex != NULL)
		memcpy(hex, t->hex, sizeof(t->hex));
	return 0;
}
