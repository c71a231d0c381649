/* Error lines: "shmbox: APPLET: what: detail: strerror", one write(2).
 * Calls down to errtext.c and sys.c; and up once, to out.c: dying flushes
 * what the applet printed first (out_flush_fd, which does not die). */
#include <stdlib.h>
#include "libshmbox.h"

const char *applet_name;

/* A newline or other control byte in a name or value (a file name, an
 * argument) would break the one-line rule, or drive a terminal: '?'. */
static size_t put(char *buf, size_t at, size_t cap, const char *s)
{
	for (; *s && at < cap; s++)
		buf[at++] = (unsigned char)*s < ' ' || *s == 127 ? '?' : *s;
	return at;
}

static void emit3(const char *a, const char *b, const char *c, int err)
{
	char etext[ERR_TEXT_MAX], line[512];
	const char *parts[6] = { "shmbox", applet_name, a, b, c,
				 err ? err_text(err, etext) : NULL };
	size_t n = 0;

	/* i odd: parts[i / 2]; even: the ": " before it (none before the first) */
	for (int i = 1; i < 12; i++) {
		if (parts[i / 2])
			n = put(line, n, sizeof(line) - 1, i & 1 ? parts[i / 2] : ": ");
	}
	line[n++] = '\n';
	/* stderr may be closed or a broken pipe: nothing better to do */
	(void)write_all(2, line, n);
}

static void emit(const char *a, const char *b, int err)
{
	emit3(a, b, NULL, err);
}

void warn_msg(const char *a, const char *b)
{
	emit(a, b, 0);
}

void warn_errno(const char *a, const char *b, int err)
{
	emit(a, b, err);
}

static NORETURN void die3(int status, const char *a, const char *b, const char *c, int err)
{
	/* what the applet printed so far goes out before the error */
	out_flush_fd(1);
	emit3(a, b, c, err);
	exit(status);
}

void die_status(int status, const char *a, const char *b, int err)
{
	die3(status, a, b, NULL, err);
}

void die_msg3(const char *a, const char *b, const char *c)
{
	die3(EXIT_ERR, a, b, c, 0);
}

void die_msg(const char *a, const char *b)
{
	die_status(EXIT_ERR, a, b, 0);
}

void die_errno(const char *a, const char *b, int err)
{
	die_status(EXIT_ERR, a, b, err);
}

void bad_arg_die(const char *what, const char *value, const char *why)
{
	char quoted[80];
	size_t n = 0;

	quoted[n++] = '\'';
	for (; *value && n < sizeof(quoted) - 5; value++)
		quoted[n++] = *value;
	if (*value) {
		quoted[n++] = '.';
		quoted[n++] = '.';
	}
	quoted[n++] = '\'';
	quoted[n] = 0;
	die3(EXIT_USAGE, what, quoted, why, 0);
}
