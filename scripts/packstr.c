/* packstr: pack the binary's long texts with byte-pair encoding, for
 * lib/pack.c to unpack at run time.
 *
 *   packstr OUTDIR [SOURCE.c...] <TEXTS >pack.h
 *
 * TEXTS, one per line: NAME, a tab, the text with "\n" for a newline and
 * "\\" for a backslash (help texts, errno texts).  They go into pack_data;
 * pack.h gives PACK_NAME, the offset of each (each ends in a 0 byte), and
 * PACK_MAXLEN, the longest unpacked.
 *
 * Messages: each M("text") in a SOURCE (one string literal; \n \t \\ \"
 * and \' escapes) is packed.  pack.h declares pack_msg_N for each distinct
 * one (and defines it under PACK_DATA, in the section shmbox_msgs: lib/err.c
 * unpacks a string found there).  OUTDIR/DIR/FILE.c is a copy of SOURCE
 * DIR/FILE.c with each M("text") replaced by its pack_msg_N, on the same
 * line; a #line directive keeps the compiler's messages pointing at
 * SOURCE.  PACK_MSG_MAX is the longest message and its NUL.
 *
 * Byte-pair encoding: the most frequent pair of adjacent bytes becomes a
 * byte 128-255 that the texts do not use, again and again while a pair is
 * frequent enough to pay for its 2 dictionary bytes.  All texts and
 * messages share the dictionary.  Unpacking expands a byte >= 128 into its
 * pair, recursively: a few instructions and no buffers, where a real
 * compressor (zlib) costs kilobytes.  Texts shrink to about 60 %.  A
 * build tool: runs on the build machine. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TEXTS 512
#define MAX_DATA (64 * 1024)
#define MAX_SOURCES 64
#define MAX_SOURCE (256 * 1024)	/* bytes of one source file */
#define MAX_USES 1024
#define NTOKENS 128

static unsigned char data[MAX_DATA];
static size_t ndata;
static const char *names[MAX_TEXTS];	/* NULL: a message */
static size_t starts[MAX_TEXTS], raw_len[MAX_TEXTS];
static int ntexts;
static unsigned char dict[NTOKENS][2];
static int ntokens;

/* the sources, and where each M("...") is: bytes at..end of source src */
static struct source {
	const char *path;
	char *text;
	size_t len;
} sources[MAX_SOURCES];
static int nsources;
static struct use {
	int src, text;
	size_t at, end;
} uses[MAX_USES];
static int nuses;

#define NORETURN_ __attribute__((noreturn))

static NORETURN_ void die(const char *why, const char *what)
{
	fprintf(stderr, "packstr: %s%s%s\n", why, what ? ": " : "", what ? what : "");
	exit(1);
}

/* one more text of n raw bytes, already in data[] from starts[ntexts] */
static int end_text(const char *name, size_t n)
{
	if (ndata + 1 > sizeof(data))
		die("texts too long", NULL);
	data[ndata++] = 0;
	names[ntexts] = name;
	raw_len[ntexts] = n;
	return ntexts++;
}

static void add_byte(int c, const char *where)
{
	/* 128-255 are the tokens */
	if (c == 0 || c >= 128)
		die("not 7-bit ASCII text", where);
	if (ndata + 2 > sizeof(data))
		die("texts too long", NULL);
	data[ndata++] = (unsigned char)c;
}

static void read_texts(void)
{
	static char line[MAX_DATA];

	while (fgets(line, sizeof(line), stdin)) {
		char *tab = strchr(line, '\t'), *p;
		size_t n = 0;

		line[strcspn(line, "\n")] = 0;
		if (!tab)
			die("a line without NAME<tab>TEXT", line);
		if (ntexts == MAX_TEXTS)
			die("too many texts", NULL);
		*tab = 0;
		starts[ntexts] = ndata;
		for (p = tab + 1; *p; p++, n++) {
			int c = (unsigned char)*p;

			if (c == '\\') {
				c = *++p;
				if (c == 'n')
					c = '\n';
				else if (c != '\\')
					die("unknown escape in", line);
			}
			add_byte(c, line);
		}
		end_text(strdup(line), n);
	}
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = malloc(MAX_SOURCE + 1);
	size_t n;

	if (!f || !buf)
		die("cannot read", path);
	n = fread(buf, 1, MAX_SOURCE, f);
	if (ferror(f))
		die("cannot read", path);
	if (n == MAX_SOURCE)
		die("too long", path);
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* the place in a source an error names: "FILE:LINE" */
static NORETURN_ void src_die(const char *why, const char *path, int line)
{
	char where[4200];

	snprintf(where, sizeof(where), "%s:%d", path, line);
	die(why, where);
}

/* the message at s (just after M(") as a text; the index of the same
 * message met before, or of a new one.  *end: just after its ')'. */
static int scan_message(const char *path, int line, const char *s, const char **end)
{
	size_t at = ndata, n = 0;
	const char *p;

	for (p = s; *p != '"'; p++, n++) {
		int c = (unsigned char)*p;

		if (c == '\n' || c == 0)
			src_die("M(\"...\") must end on its line", path, line);
		if (c == '\\') {
			switch (*++p) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case '\\': case '"': case '\'': c = *p; break;
			default: src_die("unknown escape in M(\"...\")", path, line);
			}
		}
		if (c == 0 || c >= 128)
			src_die("not 7-bit ASCII text", path, line);
		add_byte(c, path);
	}
	if (p[1] != ')')
		src_die("M() takes one string literal", path, line);
	*end = p + 2;
	data[ndata] = 0;
	for (int k = 0; k < ntexts; k++)
		if (!names[k] && !strcmp((char *)data + starts[k], (char *)data + at)) {
			ndata = at;
			return k;
		}
	if (ntexts == MAX_TEXTS)
		die("too many texts", NULL);
	starts[ntexts] = at;
	return end_text(NULL, n);
}

/* Just past the comment, string literal or character constant at p (and
 * *line past its newlines); p itself when there is none. */
static const char *skip_non_code(const char *p, int *line)
{
	const char *e = p;

	if (p[0] == '/' && p[1] == '*') {
		e = strstr(p + 2, "*/");
		e = e ? e + 2 : p + strlen(p);
	} else if (p[0] == '/' && p[1] == '/') {
		e = p + strcspn(p, "\n");
	} else if (*p == '"' || *p == '\'') {
		for (e = p + 1; *e && *e != *p && *e != '\n'; e++)
			if (*e == '\\' && e[1])
				e++;
		e += *e == *p;
	}
	for (const char *q = p; q < e; q++)
		*line += *q == '\n';
	return e;
}

static int ident_char(int c)
{
	return c == '_' || isalnum(c);
}

/* Every M("...") of a source, outside comments and literals; an M( that
 * is not M("one literal"), or M and a space before (, fails the build
 * rather than stay unpacked unnoticed. */
static void read_source(const char *path)
{
	struct source *src = &sources[nsources];
	const char *p, *end;
	int line = 1;

	if (nsources == MAX_SOURCES)
		die("too many sources", NULL);
	src->path = path;
	src->text = read_file(path, &src->len);
	for (p = src->text; *p;) {
		const char *w = skip_non_code(p, &line);

		if (w != p) {
			p = w;
			continue;
		}
		if (!ident_char((unsigned char)*p)) {
			line += *p++ == '\n';
			continue;
		}
		/* a name, or a number (no M of ours inside either) */
		while (ident_char((unsigned char)*p))
			p++;
		if (p - w != 1 || *w != 'M')
			continue;
		for (end = p; *end == ' ' || *end == '\t'; end++)
			;
		if (*end != '(')
			continue;	/* an M that is not a call */
		if (end != p || p[1] != '"')
			src_die("write a message as M(\"text\"): one string literal", path, line);
		if (nuses == MAX_USES)
			die("too many M() uses", NULL);
		uses[nuses].src = nsources;
		uses[nuses].at = (size_t)(w - src->text);
		uses[nuses].text = scan_message(path, line, p + 2, &end);
		uses[nuses].end = (size_t)(end - src->text);
		nuses++;
		p = end;
	}
	nsources++;
}

/* One round: the most frequent pair (the first of equals, so the output
 * is the same on every machine) replaced by token t.  0 when no pair
 * pays: a token costs 2 bytes and saves one a use. */
static int pack_round(int t)
{
	static unsigned count[256][256];
	unsigned best = 0;
	int a = 0, b = 0;
	size_t i, o;

	memset(count, 0, sizeof(count));
	for (i = 0; i + 1 < ndata; i++) {
		if (!data[i] || !data[i + 1])
			continue;
		count[data[i]][data[i + 1]]++;
		/* "aaa" holds one "aa" that can be replaced, not two */
		if (data[i] == data[i + 1] && i + 2 < ndata && data[i + 2] == data[i])
			i++;
	}
	for (int x = 1; x < 256; x++)
		for (int y = 1; y < 256; y++)
			if (count[x][y] > best) {
				best = count[x][y];
				a = x;
				b = y;
			}
	if (best < 3)
		return 0;
	dict[t - 128][0] = (unsigned char)a;
	dict[t - 128][1] = (unsigned char)b;
	for (i = o = 0; i < ndata; i++) {
		for (int k = 0; k < ntexts; k++)
			if (starts[k] == i)
				starts[k] = o;
		if (i + 1 < ndata && data[i] == a && data[i + 1] == b) {
			data[o++] = (unsigned char)t;
			i++;
		} else {
			data[o++] = data[i];
		}
	}
	ndata = o;
	return 1;
}

/* a packed text as the body of a C string literal; octal escapes of 3
 * digits, so that a digit after one stays a digit */
static void put_literal(FILE *f, int k)
{
	for (const unsigned char *p = data + starts[k]; *p; p++) {
		if (*p >= 128 || *p < ' ' || *p == '"' || *p == '\\' || *p == '?')
			fprintf(f, "\\%03o", *p);
		else
			fputc(*p, f);
	}
}

/* OUTDIR/DIR/FILE.c for source DIR/FILE.c */
static void write_source(const char *outdir, int s)
{
	const struct source *src = &sources[s];
	const char *base = strrchr(src->path, '/'), *dir = base;
	char out[4096];
	size_t at = 0;
	int used = 0;
	FILE *f;

	while (dir && dir > src->path && dir[-1] != '/')
		dir--;
	if (!base || !dir || dir == base)
		die("a source must be named DIR/FILE.c", src->path);
	snprintf(out, sizeof(out), "%s/%s", outdir, dir);
	if (!(f = fopen(out, "w")))
		die("cannot write", out);
	for (int u = 0; u < nuses; u++)
		used |= uses[u].src == s;
	if (used)
		fputs("#include \"pack.h\"\n", f);
	fputs("#line 1 \"", f);
	for (const char *p = src->path; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputs("\"\n", f);
	for (int u = 0; u < nuses; u++) {
		int n;

		if (uses[u].src != s)
			continue;
		fwrite(src->text + at, 1, uses[u].at - at, f);
		/* padded to the width of M("text"): the compiler's columns
		 * after it stay right */
		n = fprintf(f, "pack_msg_%d", uses[u].text);
		for (; n < (int)(uses[u].end - uses[u].at); n++)
			fputc(' ', f);
		at = uses[u].end;
	}
	fwrite(src->text + at, 1, src->len - at, f);
	if (ferror(f) || fclose(f))
		die("cannot write", out);
}

int main(int argc, char **argv)
{
	size_t maxlen = 0, maxmsg = 0, raw = 0, nout = 0, nmsg = 0;

	if (argc < 2)
		die("usage: packstr OUTDIR [SOURCE.c...] <TEXTS >pack.h", NULL);
	read_texts();
	for (int i = 2; i < argc; i++)
		read_source(argv[i]);
	while (ntokens < NTOKENS && pack_round(128 + ntokens))
		ntokens++;
	for (int k = 0; k < ntexts; k++) {
		raw += raw_len[k] + 1;
		if (names[k] && raw_len[k] > maxlen)
			maxlen = raw_len[k];
		if (!names[k] && raw_len[k] + 1 > maxmsg)
			maxmsg = raw_len[k] + 1;
		if (names[k])
			nout += strlen((char *)data + starts[k]) + 1;
		nmsg += names[k] ? 0 : strlen((char *)data + starts[k]) + 1;
	}
	/* the offsets live in shorts (lib/main.c's applet table) */
	if (nout > 32767)
		die("more than 32 KiB of packed texts", NULL);
	printf("/* generated by scripts/packstr: do not edit.  %d texts and messages,\n"
	       " * %zu bytes, packed into %zu and a %d-byte dictionary */\n",
	       ntexts, raw, nout + nmsg, 2 * ntokens);
	printf("#ifndef PACK_H\n#define PACK_H\n#define PACK_NTOKENS %d\n", ntokens);
	printf("#define PACK_MAXLEN %zu\n#define PACK_MSG_MAX %zu\n", maxlen, maxmsg ? maxmsg : 1);
	nout = 0;
	for (int k = 0; k < ntexts; k++)
		if (names[k]) {
			printf("#define PACK_%s %zu\n", names[k], nout);
			nout += strlen((char *)data + starts[k]) + 1;
		}
	for (int k = 0; k < ntexts; k++)
		if (!names[k])
			printf("extern const char pack_msg_%d[];\n", k);
	printf("#endif\n#if defined(PACK_DATA) && !defined(PACK_DATA_DONE)\n#define PACK_DATA_DONE\n");
	/* aligned(1): no padding between them (a target may align arrays) */
	for (int k = 0; k < ntexts; k++)
		if (!names[k]) {
			printf("__attribute__((section(\"shmbox_msgs\"), aligned(1)))\n"
			       "const char pack_msg_%d[] = \"", k);
			put_literal(stdout, k);
			printf("\";\n");
		}
	printf("static const unsigned char pack_dict[%d][2] = {", ntokens ? ntokens : 1);
	for (int t = 0; t < ntokens; t++)
		printf("%s{%d,%d},", t % 8 ? "" : "\n\t", dict[t][0], dict[t][1]);
	printf("\n};\nstatic const unsigned char pack_data[%zu] = {", nout ? nout : 1);
	nout = 0;
	for (int k = 0; k < ntexts; k++)
		if (names[k])
			for (const unsigned char *p = data + starts[k];; p++) {
				printf("%s%d,", nout++ % 16 ? "" : "\n\t", *p);
				if (!*p)
					break;
			}
	printf("\n};\n#endif\n");
	for (int s = 0; s < nsources; s++)
		write_source(argv[1], s);
	return ferror(stdout) || fclose(stdout) ? 1 : 0;
}
