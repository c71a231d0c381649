/* Error lines: "shmbox: APPLET: what: detail: strerror", one write(2). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libshmbox.h"
#include "pack.h"

const char *applet_name;
int applet_usage = -1;

/* errno -> its text in pack.h, in a table of 4 bytes an entry */
static const struct errtext {
	unsigned short err, at;
} errtexts[] = {
#define ERR(name, text) { name, PACK_##name },
#include "errtext.h"
#undef ERR
};

const char *err_text(int err, char *buf)
{
	for (size_t i = 0; i < sizeof(errtexts) / sizeof(errtexts[0]); i++)
		if (errtexts[i].err == err) {
			unpack(errtexts[i].at, buf, ERR_TEXT_MAX);
			return buf;
		}
	return str_join_num(buf, ERR_TEXT_MAX, "Unknown error ", NULL, err, NULL);
}

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

/* full: the whole help text, on stdout (--help); else the synopsis line
 * and a hint, on stderr, for errors, so the error line stays visible */
void show_usage(int full)
{
	if (ENABLE_FEATURE_HELP && applet_usage >= 0) {
		/* "Usage: ", the text, "Try ...": one write */
		char u[7 + PACK_MAXLEN + 64];
		size_t n;
		char *nl;

		memcpy(u, "Usage: ", 7);
		n = 7 + unpack((unsigned)applet_usage, u + 7, PACK_MAXLEN + 1);
		nl = memchr(u, '\n', n);
		if (!full) {
			if (nl)		/* the synopsis: the first line */
				n = (size_t)(nl + 1 - u);
			n += strlen(str_join(u + n, sizeof(u) - n, "Try '", applet_name,
					     " --help' for more.\n"));
		}
		if (full)	/* --help >/dev/full: an error, as for --list */
			xwrite_all("standard output", 1, u, n);
		else	/* stderr may be closed: nothing better to do */
			(void)write_all(2, u, n);
	} else if (full) {
		emit("help text compiled out (CONFIG_FEATURE_HELP is not set)", NULL, 0);
	}
}

void usage_die(const char *why, const char *what)
{
	out_flush_fd(1);
	emit(why, what, 0);
	show_usage(0);
	exit(EXIT_USAGE);
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
