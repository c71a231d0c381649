/* One option parser for every applet, declared as a string (toybox-style).
 * spec: one character per option, then "(name)" for a --name long form,
 * then ':' when it takes an argument: "k:f:j:s(seed)"; "(name)" alone is
 * --name without a letter.  "-abc" bundles,
 * "-kVALUE", "-k VALUE" and "--name VALUE" work, "--" ends options, a lone
 * "-" is an operand (stdin), and the first operand ends options. */
#include <string.h>
#include "libshmbox.h"

/* The option that spec lists as letter c, or (c == 0) as --name: its
 * index in spec, or -1.  *takes_arg: whether a ':' follows it. */
static int find_opt(const char *spec, char c, const char *name, int *takes_arg)
{
	for (int i = 0; *spec && i < OPT_MAX; i++) {
		/* "(name)" with no letter before it: --name only */
		char letter = *spec == '(' ? 0 : *spec++;
		const char *n = name;
		int same = *spec == '(';	/* name matches the "(name)" so far */

		if (same) {
			while (*++spec != ')') {	/* our own specs: it is there */
				same &= *n == *spec;	/* n stays on name: no overrun */
				n += same;
			}
			spec++;
		}
		*takes_arg = *spec == ':';
		spec += *takes_arg;
		if (c ? letter == c : same && !*n)
			return i;
	}
	return -1;
}

void opt_parse(char **argv, const char *spec, struct opts *o)
{
	char **a = argv + 1;
	int n = 0;

	memset(o, 0, sizeof(*o));
	for (; *a && (*a)[0] == '-' && (*a)[1]; a++) {
		char *p = *a + 1;
		int is_long = *p == '-';

		if (is_long && !*++p) {	/* "--" */
			a++;
			break;
		}
		/* each letter of "-abc", or once the whole "--name" */
		do {
			char shown[3] = { '-', *p, 0 };
			const char *opt = is_long ? *a : shown;
			int takes_arg, i = find_opt(spec, is_long ? 0 : *p, p, &takes_arg);

			if (i < 0)
				usage_die("unknown option", opt);
			o->flags |= 1u << i;
			if (takes_arg) {
				if (!is_long && p[1])
					o->arg[i] = p + 1;
				else if (a[1])
					o->arg[i] = *++a;
				else
					usage_die("option requires an argument", opt);
				break;
			}
		} while (!is_long && *++p);
	}
	o->rest = a;
	while (a[n])
		n++;
	o->nrest = n;
}
