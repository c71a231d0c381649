/* One option parser for every applet, declared as a string (toybox-style).
 * "-abc" bundles, "-kVALUE" and "-k VALUE" both work, "--" ends options,
 * a lone "-" is an operand (stdin), the first operand ends options. */
#include <string.h>
#include "libshmbox.h"

static int opt_index(const char *spec, char c, int *takes_arg)
{
	int i = 0;

	for (; *spec; spec++) {
		if (*spec == ':')
			continue;
		if (*spec == c) {
			*takes_arg = (spec[1] == ':');
			return i;
		}
		i++;
	}
	return -1;
}

void opt_parse(char **argv, const char *spec, struct opts *o)
{
	char **a = argv + 1;

	memset(o, 0, sizeof(*o));
	for (; *a && (*a)[0] == '-' && (*a)[1]; a++) {
		char *p = *a + 1;

		if (!strcmp(*a, "--")) {
			a++;
			break;
		}
		for (; *p; p++) {
			int takes_arg = 0, i = opt_index(spec, *p, &takes_arg);
			char flag[3] = { '-', *p, 0 };

			if (i < 0)
				usage_die("unknown option", flag);
			o->flags |= 1u << i;
			if (!takes_arg)
				continue;
			if (p[1]) {
				o->arg[i] = p + 1;
			} else if (a[1]) {
				o->arg[i] = *++a;
			} else {
				usage_die("option requires an argument", flag);
			}
			break;
		}
	}
	o->rest = a;
	while (a[o->nrest])
		o->nrest++;
}
