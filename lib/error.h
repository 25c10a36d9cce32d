/* Errors reported errno-style: a function that fails returns -1 (or NULL)
 * and fills a struct hp_err with the exit status class and one line that
 * names the file and the reason.  The library never prints and never exits;
 * the command-line layer decides what to do with the message. */
#ifndef HIVEPATCH_ERROR_H
#define HIVEPATCH_ERROR_H

/* Exit statuses, documented in hivepatch(1). */
enum hp_status {
	HP_OK = 0,		/* done, or compliant */
	HP_NONCOMPLIANT = 1,	/* verify found a value missing or different */
	HP_USAGE = 2,		/* bad command line, bad .reg file */
	HP_REFUSED = 3,		/* refused for safety */
	HP_IOERR = 4,		/* I/O error or damaged hive */
};

struct hp_err {
	enum hp_status status;
	char msg[1024];
};

/* Sets the status and formats the message (printf-style); returns -1 so
 * callers can write `return hp_err_set(e, ...);`. */
int hp_err_set(struct hp_err *e, enum hp_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
