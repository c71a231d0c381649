/* One option parser for every applet, declared as a string (toybox-style).
 * spec: one character per option, then "(name)" for a --name long form,
 * then ':' when it takes an argument: "k:f:j:s(seed)".  "-abc" bundles,
 * "-kVALUE", "-k VALUE" and "--name VALUE" work, "--" ends options, a lone
 * "-" is an operand (stdin), and the first operand ends options. */
#include <string.h>
#include "libshmbox.h"

struct optdef {
	char c;
	unsigned char takes_arg;
	unsigned char llen;
	const char *lname;
};

static int parse_spec(const char *spec, struct optdef *d)
{
	int n = 0;

	while (*spec && n < OPT_MAX) {
		d[n].c = *spec++;
		d[n].lname = NULL;
		d[n].llen = 0;
		if (*spec == '(') {
			const char *end = spec;

			while (*end != ')')	/* our own specs: it is there */
				end++;
			d[n].lname = spec + 1;
			d[n].llen = (unsigned char)(end - spec - 1);
			spec = end + 1;
		}
		d[n].takes_arg = (*spec == ':');
		spec += d[n].takes_arg;
		n++;
	}
	return n;
}

static int find_short(const struct optdef *d, int n, char c)
{
	for (int i = 0; i < n; i++)
		if (d[i].c == c)
			return i;
	return -1;
}

static int find_long(const struct optdef *d, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (d[i].lname && strlen(name) == d[i].llen &&
		    !memcmp(d[i].lname, name, d[i].llen))
			return i;
	return -1;
}

/* option i seen: take its argument from the rest of this word or the
 * next one; returns the new position in argv */
static char **take(struct opts *o, const struct optdef *d, int i,
		   char *inword, char **a, const char *shown)
{
	o->flags |= 1u << i;
	if (!d[i].takes_arg)
		return a;
	if (inword && *inword)
		o->arg[i] = inword;
	else if (a[1])
		o->arg[i] = *++a;
	else
		usage_die("option requires an argument", shown);
	return a;
}

void opt_parse(char **argv, const char *spec, struct opts *o)
{
	struct optdef d[OPT_MAX];
	int n = parse_spec(spec, d);
	char **a = argv + 1;

	memset(o, 0, sizeof(*o));
	for (; *a && (*a)[0] == '-' && (*a)[1]; a++) {
		if (!strcmp(*a, "--")) {
			a++;
			break;
		}
		if ((*a)[1] == '-') {
			int i = find_long(d, n, *a + 2);

			if (i < 0)
				usage_die("unknown option", *a);
			a = take(o, d, i, NULL, a, *a);
			continue;
		}
		for (char *p = *a + 1; *p; p++) {
			char shown[3] = { '-', *p, 0 };
			int i = find_short(d, n, *p);

			if (i < 0)
				usage_die("unknown option", shown);
			if (d[i].takes_arg) {
				a = take(o, d, i, p + 1, a, shown);
				break;
			}
			o->flags |= 1u << i;
		}
	}
	o->rest = a;
	while (a[o->nrest])
		o->nrest++;
}
