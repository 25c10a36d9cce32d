/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Makes seed inputs for the fuzz targets from the project's own
 * fixtures (tests/fuzz-seeds.sh runs it, for make fuzz):
 *
 *   fuzz_seed pack OUT BYTE FILE...
 *       BYTE (0-255), then the 24-bit little-endian length of each FILE
 *       but the last, then the FILEs: the input of fuzz_logreplay (hive,
 *       LOG1, LOG2) and of fuzz_hive
 *   fuzz_seed pages OUT OLD NEW
 *       the pages file a commit of NEW over OLD keeps (fuzz_pages)
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup_pages.h"
#include "commit_logged.h"

static unsigned char *
slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL, *grown;
	size_t cap = 0, got;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	*len = 0;
	do {
		if (*len == cap) {
			cap = cap ? 2 * cap : 65536;
			if ((grown = realloc(buf, cap)) == NULL) {
				perror("fuzz_seed");
				exit(1);
			}
			buf = grown;
		}
		got = fread(buf + *len, 1, cap - *len, f);
		*len += got;
	} while (got > 0);
	if (ferror(f)) {
		perror(path);
		exit(1);
	}
	fclose(f);
	return buf;
}

static int
pack(const char *out, const char *byte, char **files, int n)
{
	unsigned char **data = calloc((size_t)n, sizeof(*data));
	size_t *len = calloc((size_t)n, sizeof(*len));
	FILE *f;
	int i;

	if (data == NULL || len == NULL || (f = fopen(out, "wb")) == NULL) {
		perror(out);
		return 1;
	}
	for (i = 0; i < n; i++) {
		data[i] = slurp(files[i], &len[i]);
		if (i < n - 1 && len[i] > 0xffffff) {
			fprintf(stderr, "fuzz_seed: %s: too large\n", files[i]);
			return 1;
		}
	}
	fputc(atoi(byte) & 0xff, f);
	for (i = 0; i < n - 1; i++) {
		fputc((int)(len[i] & 0xff), f);
		fputc((int)(len[i] >> 8 & 0xff), f);
		fputc((int)(len[i] >> 16 & 0xff), f);
	}
	for (i = 0; i < n; i++) {
		fwrite(data[i], 1, len[i], f);
		free(data[i]);
	}
	free(data);
	free(len);
	if (fclose(f) != 0) {
		perror(out);
		return 1;
	}
	return 0;
}

static int
pages(const char *out, const char *old, const char *new)
{
	struct hp_err e = { 0 };
	struct hive_change change;
	struct page_run *runs;
	struct stat st;
	uint64_t bytes;
	int ofd = open(old, O_RDONLY | O_CLOEXEC);
	int nfd = open(new, O_RDONLY | O_CLOEXEC);

	if (ofd == -1 || nfd == -1 || fstat(ofd, &st) == -1) {
		perror("fuzz_seed pages");
		return 1;
	}
	if (hive_changed_runs(ofd, (uint64_t)st.st_size, nfd, new,
	    &change.new_size, &runs, &change.n, &e) == -1) {
		fprintf(stderr, "fuzz_seed: %s\n", e.msg);
		return 1;
	}
	change.runs = runs;
	if (pages_save(ofd, (uint64_t)st.st_size, &change, out, &bytes,
	    &e) == -1) {
		fprintf(stderr, "fuzz_seed: %s\n", e.msg);
		free(runs);
		return 1;
	}
	free(runs);
	close(ofd);
	close(nfd);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "pack") == 0)
		return pack(argv[2], argv[3], argv + 4, argc - 4);
	if (argc == 5 && strcmp(argv[1], "pages") == 0)
		return pages(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: fuzz_seed pack OUT BYTE FILE...\n"
	    "       fuzz_seed pages OUT OLD NEW\n");
	return 2;
}
