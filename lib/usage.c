/* The usage text: APPLET --help, and the synopsis after a usage error.
 * Calls down to err.c, out.c, xsys.c, sys.c, pack.c and str.c. */
#include <stdlib.h>
#include <string.h>
#include "libshmbox.h"
#include "pack.h"

int applet_usage = -1;

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
		warn_msg("help text compiled out (CONFIG_FEATURE_HELP is not set)", NULL);
	}
}

void usage_die(const char *why, const char *what)
{
	/* what the applet printed so far goes out before the error */
	out_flush_fd(1);
	warn_msg(why, what);
	show_usage(0);
	exit(EXIT_USAGE);
}
