/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Transaction log replay (see logreplay.h).
 *
 * Everything read from a file is bounds-checked before use; the reading
 * helpers below never look past a buffer's end.  The recovered image is
 * built in one growing buffer, or in place in the memory file holding
 * the primary; nothing is written to disk here.
 *
 * Layout and rules: "Windows registry file format specification" by Maxim
 * Suhanov (github.com/msuhanov/regf), sections "Base block", "Format of
 * transaction log files", "Dirty state of a hive" and "Multiple
 * transaction log files".  The rules this file follows, in short:
 *
 *  - A hive is dirty when its base block has a wrong checksum or its two
 *    sequence numbers differ.  A clean hive is used as it is; its logs
 *    are ignored (even if they hold later entries).
 *  - A log is usable when its base block (the first 512 bytes) has the
 *    regf signature, a good checksum, equal sequence numbers, and file
 *    type 1 or 2 (old format) or 6 (new format).
 *  - New format, base block valid: a log applies when its base block's
 *    sequence number is not below the hive's secondary sequence number.
 *    Of those, the one with the lowest sequence number is applied first
 *    (entries must start at its sequence number and follow one by one),
 *    then a second log whose sequence number is exactly one past the last
 *    entry applied.  This is "LOG1, then LOG2" when LOG1 is the older,
 *    and the other way round when Windows had switched logs.
 *  - New format, base block invalid: the base block is taken from the log
 *    with the highest sequence number, and that log's entries applied.
 *  - An entry stops recovery when its hashes, size, hive bins data size
 *    or page references are wrong, or its sequence number is not the one
 *    expected; entries before it stay applied.  An entry with a lower
 *    sequence number than expected is a remnant of an earlier cycle: the
 *    normal end of the log.
 *  - Old format: the log applies when its base block's last written
 *    timestamp equals the hive's (the first hive bin's timestamp when the
 *    hive's base block is invalid).  Dirty pages are applied hive bin by
 *    hive bin; a dirty hive bin with a bad header, or whose pages are
 *    missing from the log, stops recovery.
 *
 * Beyond Windows, for safety: a new-format log whose base block has a
 * different last written timestamp from the hive's AND names another file
 * or carries other resource manager GUIDs is taken as another hive's log
 * and refused. */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "logreplay_int.h"

/* ---- the report ---- */

void
log_replay_report_free(struct hp_recovery *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < 2; i++)
		free(rep->logs_used[i]);
	memset(rep, 0, sizeof(*rep));
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

void
set_why(struct lr_log *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->why, sizeof(l->why), fmt, ap);
	va_end(ap);
}

void
stop(struct lr *c, const struct lr_log *l, const char *fmt, ...)
{
	char *out = c->rep->stop_reason;
	size_t size = sizeof(c->rep->stop_reason), o;
	va_list ap;

	c->rep->stopped_early = 1;
	o = strlen(l->base);
	if (o > size / 2)
		o = size / 2;		/* keep room for the reason */
	memcpy(out, l->base, o);
	out[o++] = ':';
	out[o++] = ' ';
	va_start(ap, fmt);
	vsnprintf(out + o, size - o, fmt, ap);
	va_end(ap);
	/* The log's name is the image's. */
	text_escape_in_place(out, size);
}

int
note_used(struct lr *c, struct lr_log *l, struct hp_err *e)
{
	struct hp_recovery *rep = c->rep;
	char *copy;

	l->used = 1;
	if (rep->n_logs_used >= 2)
		return 0;
	copy = strdup(l->buf->name);
	if (copy == NULL)
		return hp_err_nomem(e);
	rep->logs_used[rep->n_logs_used++] = copy;
	return 0;
}

/* The mapped image grown to `need` bytes with its file: what the file
 * gains reads as zeros, and holds no memory until written. */
static unsigned char *
grow_mapped(struct lr *c, size_t need)
{
	void *p;

	if (need <= c->map_len)
		return c->img;
	if (ftruncate(c->img_fd, (off_t)need) == -1)
		return NULL;
	p = mremap(c->img, c->map_len, need, MREMAP_MAYMOVE);
	if (p == MAP_FAILED)
		return NULL;
	c->map_len = need;
	return p;
}

/* Grows the image to `need` bytes, zero-filled, without touching what
 * it gains: a log that claims a far larger hive than its pages costs
 * memory for what was copied, not for what it claims.  A buffer: a
 * fresh zeroed block rather than realloc and memset (the allocator maps
 * a large one lazily).  A mapped image: its file and the mapping grow. */
int
grow(struct lr *c, uint64_t need, struct hp_err *e)
{
	unsigned char *p;
	size_t had;

	if (need <= c->len)
		return 0;
	if (need > c->max)
		return hp_err_over_limit(e, c->hive->name, "as its logs "
		    "recover it, it would be ", need, c->max);
	if (c->img_fd != -1) {
		/* Bytes past its length (an old-format log's growth
		 * undone) are zeroed again; what the file gains is zeros. */
		had = need < c->map_len ? (size_t)need : c->map_len;
		if ((p = grow_mapped(c, (size_t)need)) != NULL)
			memset(p + c->len, 0, had - c->len);
	} else if ((p = calloc(1, (size_t)need)) != NULL) {
		memcpy(p, c->img, c->len);
		free(c->img);
	}
	if (p == NULL)
		return hp_err_set(e, HP_R_NO_MEMORY,
		    "%s: out of memory for a %llu-byte hive", c->hive->name,
		    (unsigned long long)need);
	c->img = p;
	c->len = (size_t)need;
	return 0;
}

/* The name field as printable ASCII, for messages. */
static void
name_field(const unsigned char *bb, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i + 1 < REGF_BB_NAME_LEN && o + 1 < outlen; i += 2) {
		unsigned c = bb[REGF_BB_NAME + i] | bb[REGF_BB_NAME + i + 1] << 8;

		if (c == 0)
			break;
		out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[o] = '\0';
}

/* The two name fields hold the same UTF-16 text, ASCII letters compared
 * case-insensitively. */
static int
same_name(const unsigned char *a, const unsigned char *b)
{
	size_t i;

	for (i = 0; i + 1 < REGF_BB_NAME_LEN; i += 2) {
		unsigned ca = a[REGF_BB_NAME + i] | a[REGF_BB_NAME + i + 1] << 8;
		unsigned cb = b[REGF_BB_NAME + i] | b[REGF_BB_NAME + i + 1] << 8;

		if (ca >= 'a' && ca <= 'z')
			ca -= 'a' - 'A';
		if (cb >= 'a' && cb <= 'z')
			cb -= 'a' - 'A';
		if (ca != cb)
			return 0;
		if (ca == 0)
			return 1;
	}
	return 1;
}

static int
all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* GUIDs at off are equal, or one of them is unset. */
static int
guid_compatible(const unsigned char *a, const unsigned char *b, size_t off)
{
	return all_zero(a + off, REGF_BB_GUID_LEN) ||
	    all_zero(b + off, REGF_BB_GUID_LEN) ||
	    memcmp(a + off, b + off, REGF_BB_GUID_LEN) == 0;
}

/* A new-format log of this hive?  (See the comment at the top.) */
static int
same_hive(const struct lr *c, const unsigned char *lbb, char *why,
	  size_t whylen)
{
	const unsigned char *pbb = c->pbb;
	char ln[40], pn[40];

	if (memcmp(lbb + REGF_BB_TIMESTAMP, c->ts, 8) == 0)
		return 1;
	if (!c->has_sig)
		return 1;	/* nothing left to compare with */
	if (!same_name(lbb, pbb)) {
		name_field(lbb, ln, sizeof(ln));
		name_field(pbb, pn, sizeof(pn));
		snprintf(why, whylen, "belongs to another hive: its base "
		    "block names '%s', the hive's '%s', and their last "
		    "written times differ", ln, pn);
		return 0;
	}
	if (!guid_compatible(lbb, pbb, REGF_BB_RMID) ||
	    !guid_compatible(lbb, pbb, REGF_BB_LOGID) ||
	    !guid_compatible(lbb, pbb, REGF_BB_TMID)) {
		snprintf(why, whylen, "belongs to another hive: other "
		    "resource manager GUIDs and another last written time");
		return 0;
	}
	return 1;
}

static void
classify(struct lr *c, struct lr_log *l)
{
	const unsigned char *d = l->buf->data;
	size_t n = l->buf->len;
	uint32_t type, s1, s2;

	l->fmt = HP_LOG_NONE;
	if (n == 0) {
		set_why(l, "empty");
		return;
	}
	if (n < REGF_LOG_HEADER) {
		set_why(l, "%zu bytes, too short for a transaction log", n);
		return;
	}
	if (memcmp(d, "regf", 4) != 0) {
		set_why(l, "not a transaction log (no regf signature)");
		return;
	}
	if (!regf_checksum_ok(d)) {
		set_why(l, "its base block checksum is wrong");
		return;
	}
	type = le32(d + REGF_BB_FILE_TYPE);
	s1 = le32(d + REGF_BB_SEQ1);
	s2 = le32(d + REGF_BB_SEQ2);
	if (type != REGF_FILE_LOG_OLD && type != REGF_FILE_LOG_VERYOLD &&
	    type != REGF_FILE_LOG_NEW) {
		set_why(l, "file type %u is not a transaction log", type);
		return;
	}
	if (s1 != s2) {
		set_why(l, "the log itself was not completely written "
		    "(sequence numbers %u/%u)", s1, s2);
		return;
	}
	l->seq = s1;
	if (type == REGF_FILE_LOG_NEW) {
		if (!same_hive(c, d, l->why, sizeof(l->why)))
			return;
		l->fmt = HP_LOG_NEW;
	} else {
		if (memcmp(d + REGF_BB_TIMESTAMP, c->ts, 8) != 0) {
			set_why(l, "old-format log with another last written "
			    "time than the hive's: another hive's, or an "
			    "earlier write's");
			return;
		}
		l->fmt = HP_LOG_OLD;
	}
}

/* ---- putting it together ---- */

static void
finish_base_block(struct lr *c)
{
	unsigned char *bb = c->img;

	if (c->bb_source != NULL) {
		memcpy(bb, c->bb_source, REGF_LOG_HEADER);
		memset(bb + REGF_LOG_HEADER, 0, REGF_BASE_BLOCK - REGF_LOG_HEADER);
		c->rep->base_block_recovered = 1;
	}
	put_le32(bb + REGF_BB_SEQ1, c->seq_final);
	put_le32(bb + REGF_BB_SEQ2, c->seq_final);
	put_le32(bb + REGF_BB_FILE_TYPE, REGF_FILE_PRIMARY);
	put_le32(bb + REGF_BB_ROOT, c->root_final);
	put_le32(bb + REGF_BB_BINS_SIZE, c->bins_final);
	put_le32(bb + REGF_BB_FLAGS, c->flags_final);
	regf_checksum_set(bb);
	c->rep->seq_after = c->seq_final;
}

/* The refusal: every log and why it could not be used, on one line. */
static int
refuse(struct lr *c, struct hp_err *e)
{
	char list[900];
	size_t i, o = 0;
	const unsigned char *bb = c->pbb;
	char state[80];

	if (c->bb_valid)
		snprintf(state, sizeof(state), "sequence numbers %u/%u",
		    le32(bb + REGF_BB_SEQ1), le32(bb + REGF_BB_SEQ2));
	else
		snprintf(state, sizeof(state), "its base block is damaged");
	if (c->n_logs == 0)
		return hp_err_set(e, HP_R_DIRTY_UNRECOVERABLE, "%s is dirty (%s) and has no "
		    "transaction log (.LOG, .LOG1, .LOG2) to recover it from",
		    c->hive->name, state);
	list[0] = '\0';
	for (i = 0; i < c->n_logs && o < sizeof(list); i++) {
		struct lr_log *l = &c->logs[i];
		int w = snprintf(list + o, sizeof(list) - o, "%s%s: %s",
		    i ? "; " : "", l->buf->name,
		    l->why[0] ? l->why : "not applicable");

		if (w < 0)
			break;
		o += (size_t)w;
	}
	return hp_err_set(e, HP_R_DIRTY_UNRECOVERABLE, "%s is dirty (%s) and no transaction "
	    "log can recover it: %s", c->hive->name, state, list);
}

/* The checks that refuse a primary file outright. */
static int
check_primary(const struct log_replay_buf *hive, size_t max, struct hp_err *e)
{
	const unsigned char *d = hive->data;

	if (hive->len > max)
		return hp_err_over_limit(e, hive->name, "", hive->len, max);
	if (hive->len < REGF_BASE_BLOCK)
		return hp_err_set(e, HP_R_DAMAGED, "%s: %zu bytes: too short to "
		    "be a registry hive", hive->name, hive->len);
	if (memcmp(d, "regf", 4) != 0 &&
	    (hive->len < REGF_BASE_BLOCK + REGF_HBIN_HEADER ||
	    memcmp(d + REGF_BASE_BLOCK, "hbin", 4) != 0))
		return hp_err_set(e, HP_R_DAMAGED, "%s: not a registry hive (no "
		    "regf signature)", hive->name);
	if (memcmp(d, "regf", 4) == 0 && regf_checksum_ok(d) &&
	    le32(d + REGF_BB_FILE_TYPE) != REGF_FILE_PRIMARY)
		return hp_err_set(e, HP_R_DAMAGED, "%s: file type %u: a "
		    "transaction log, not a primary hive file", hive->name,
		    le32(d + REGF_BB_FILE_TYPE));
	return 0;
}

/* Reads what the primary's base block says into c and the report;
 * returns whether the hive is dirty. */
static int
read_primary(struct lr *c, const struct log_replay_buf *hive)
{
	const unsigned char *d = hive->data;
	uint32_t s1 = le32(d + REGF_BB_SEQ1), s2 = le32(d + REGF_BB_SEQ2);

	c->has_sig = memcmp(d, "regf", 4) == 0;
	c->bb_valid = c->has_sig && regf_checksum_ok(d);
	c->rep->seq_before_primary = s1;
	c->rep->seq_before_secondary = s2;
	c->seq2 = s2;
	memcpy(c->pbb, d, REGF_BASE_BLOCK);
	/* The timestamp logs are matched against: the first hive bin keeps
	 * a copy for when the base block is damaged. */
	if (!c->bb_valid && hive->len >= REGF_BASE_BLOCK + REGF_HBIN_HEADER &&
	    memcmp(d + REGF_BASE_BLOCK, "hbin", 4) == 0)
		memcpy(c->ts, d + REGF_BASE_BLOCK + REGF_HBIN_TIMESTAMP, 8);
	else
		memcpy(c->ts, d + REGF_BB_TIMESTAMP, 8);
	if (c->bb_valid && s1 == s2) {
		c->rep->seq_after = s1;
		return 0;
	}
	c->rep->dirty = 1;
	return 1;
}

/* A dirty hive: classify the logs, then recover from the new format or
 * else the old, else refuse. */
static int
recover(struct lr *c, const struct log_replay_buf *logs, size_t n_logs,
	struct hp_err *e)
{
	size_t i;
	int rc;

	if (n_logs > 0 && (c->logs = calloc(n_logs, sizeof(*c->logs))) == NULL)
		return hp_err_nomem(e);
	c->n_logs = n_logs;
	for (i = 0; i < n_logs; i++) {
		c->logs[i].buf = &logs[i];
		c->logs[i].base = base_name(logs[i].name);
		classify(c, &c->logs[i]);
	}
	rc = try_new(c, e);
	if (rc == 0)
		rc = try_old(c, e);
	if (rc == 0)
		refuse(c, e);
	free(c->logs);
	if (rc <= 0)
		return -1;
	/* The hive the logs claim, not the pages they carried (the rest is
	 * holes): the size a reader loads and a commit writes. */
	if ((uint64_t)REGF_BASE_BLOCK + c->bins_final > c->max)
		return hp_err_over_limit(e, c->hive->name, "as its logs recover "
		    "it, it would be ", REGF_BASE_BLOCK + (uint64_t)c->bins_final,
		    c->max);
	finish_base_block(c);
	return 0;
}

static void
lr_init(struct lr *c, const struct log_replay_buf *hive, size_t max_image,
	struct hp_recovery *rep)
{
	memset(rep, 0, sizeof(*rep));
	memset(c, 0, sizeof(*c));
	c->hive = hive;
	c->rep = rep;
	c->img_fd = -1;
	c->max = max_image && max_image < (size_t)HP_HIVE_LIMIT_MAX ?
	    max_image : (size_t)HP_HIVE_LIMIT_MAX;
}

int
log_replay_buffers(const struct log_replay_buf *hive,
		   const struct log_replay_buf *logs, size_t n_logs,
		   size_t max_image, unsigned char **image, size_t *image_len,
		   struct hp_recovery *rep, struct hp_err *e)
{
	struct lr c;
	int dirty;

	*image = NULL;
	*image_len = 0;
	lr_init(&c, hive, max_image, rep);
	if (check_primary(hive, c.max, e) != 0)
		return -1;
	dirty = read_primary(&c, hive);
	c.img = malloc(hive->len);
	if (c.img == NULL)
		return hp_err_set(e, HP_R_NO_MEMORY, "%s: out of memory (%zu "
		    "bytes)", hive->name, hive->len);
	memcpy(c.img, hive->data, hive->len);
	c.len = hive->len;
	if (dirty && recover(&c, logs, n_logs, e) == -1) {
		free(c.img);
		return -1;
	}
	*image = c.img;
	*image_len = c.len;
	return 0;
}

int
log_replay_fd(const char *hive_name, int img_fd, size_t len,
	      const struct log_replay_buf *logs, size_t n_logs,
	      size_t max_image, size_t *image_len, struct hp_recovery *rep,
	      struct hp_err *e)
{
	struct log_replay_buf hive = { hive_name, NULL, len };
	struct lr c;
	void *p = NULL;
	int rc = -1;

	*image_len = 0;
	lr_init(&c, &hive, max_image, rep);
	if (len > 0 && (p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
	    img_fd, 0)) == MAP_FAILED)
		return hp_err_set(e, HP_R_NO_MEMORY, "%s: cannot map the hive "
		    "to recover it: %s", hive_name, strerror(errno));
	hive.data = p != NULL ? p : (const unsigned char *)"";
	/* From the first write on, hive.data may be the image, and move. */
	if (check_primary(&hive, c.max, e) == 0) {
		c.img = p;
		c.len = c.map_len = len;
		c.img_fd = img_fd;
		if (!read_primary(&c, &hive) || recover(&c, logs, n_logs,
		    e) == 0)
			rc = 0;
		p = c.img;
	}
	if (p != NULL)
		munmap(p, c.img_fd != -1 ? c.map_len : len);
	/* What an old-format log's undone growth left past the image. */
	if (rc == 0 && c.len != c.map_len && ftruncate(img_fd,
	    (off_t)c.len) == -1)
		rc = hp_err_set(e, HP_R_IO, "%s: %s", hive_name,
		    strerror(errno));
	if (rc == 0)
		*image_len = c.len;
	return rc;
}
