/* mmapint: one signed 64-bit integer kept as text in a memory-mapped file.
 * The tool of the mmap-write / mmap-read tutorial (seed 001), made safe:
 * locked read-modify-write, checked parsing, overflow, truncation. */
//config:config MMAPINT
//config:	bool "mmapint: an integer kept in a memory-mapped file"
//config:	default y
//config:	help
//config:	  mmapint [-c] FILE [get | set N | add N | random | double]
//config:
//config:	  Keep one signed 64-bit integer as a line of decimal text in FILE
//config:	  (cat shows it) and read or change it through a shared mapping.
//config:	  Each change holds an exclusive lock (flock) on FILE, so changes
//config:	  from many processes never get lost.
//config:
//config:	    get       print the value (the default)
//config:	    set N     store N
//config:	    add N     add N (may be negative), print the new value
//config:	    random    store a random value in [-100, 100], print it
//config:	              (mmap-write.c, Advanced Linux Programming ch. 5)
//config:	    double    print "value: N", then store 2*N
//config:	              (mmap-read.c, Advanced Linux Programming ch. 5)
//config:
//config:	    -c        create FILE holding 0 when it does not exist
//config:
//config:	  N is decimal or 0x-prefixed hex, from -9223372036854775808 to
//config:	  9223372036854775807. A result out of that range is an error
//config:	  and leaves FILE unchanged, as does a FILE that does not hold
//config:	  one number.
//applet:APPLET(mmapint, APPLET_PLAIN)
//options:c

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libshmbox.h"
#define FOR_mmapint
#include "options.h"

/* Past this many bytes without a NUL, FILE is not one of ours (the
 * tutorial's files are 258 bytes: the text, then NULs). */
#define INTFILE_MAX 4096

enum op { OP_GET, OP_SET, OP_ADD, OP_RANDOM, OP_DOUBLE };

static const char *const op_names[] = { "get", "set", "add", "random", "double" };

static const char *file_path;

/* Errors about FILE start with its name; one function each keeps the
 * twelve call sites to one argument. */
static NORETURN void file_die(const char *why)
{
	die_msg(file_path, why);
}

static NORETURN void file_die_errno(int err)
{
	die_errno(file_path, NULL, err);
}

/* Another process may shrink FILE while it is mapped; touching the lost
 * pages raises SIGBUS.  Turn that into an error instead of a crash.  The
 * signal is synchronous (our own memchr/memcpy on the mapping, which hold
 * no lock), so the handler can end the program itself: no jump back.
 * Reading, a lost page means FILE shrank; writing, the file system may
 * also have failed to back the page (no space on a copy-on-write file
 * system, an I/O error), which SIGBUS does not tell apart. */
static const char *volatile sigbus_why = "truncated by another process while in use";

static void on_sigbus(int sig)
{
	(void)sig;
	file_die(sigbus_why);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The text up to the first NUL (the tutorial's sscanf reads a C string)
 * must be one decimal number with optional white space around it. */
static int64_t parse_content(const char *map, size_t len, off_t size)
{
	/* all of it: leading zeros make a valid number of any length */
	char digits[INTFILE_MAX + 1];
	const char *end = memchr(map, 0, len), *p = map;
	size_t n = 0;
	int64_t v;

	if (!end) {
		if (size > (off_t)len)
			file_die("not an mmapint file (no number in its first 4096 bytes)");
		end = map + len;
	}
	while (p < end && is_space(*p))
		p++;
	while (end > p && is_space(end[-1]))
		end--;
	if (p == end)
		file_die("empty: it holds no number");
	if ((size_t)(end - p) >= sizeof(digits))
		file_die("corrupt: not a number");
	n = (size_t)(end - p);
	memcpy(digits, p, n);
	digits[n] = 0;
	switch (parse_i64(digits, 10, INT64_MIN, INT64_MAX, &v)) {
	case 0:
		return v;
	case ERANGE:
		file_die("corrupt: number out of range");
	default:
		file_die("corrupt: not a number");
	}
}

static int64_t read_value(int fd)
{
	struct stat st;
	size_t len;
	char *map;
	int64_t v;

	if (fstat(fd, &st) < 0)
		file_die_errno(errno);
	if (S_ISDIR(st.st_mode))
		file_die_errno(EISDIR);
	if (!S_ISREG(st.st_mode))
		file_die("not a regular file");
	if (st.st_size == 0)
		file_die("empty: it holds no number");
	len = st.st_size > INTFILE_MAX ? INTFILE_MAX : (size_t)st.st_size;
	map = xmmap(file_path, len, PROT_READ, MAP_SHARED, fd);
	v = parse_content(map, len, st.st_size);
	munmap(map, len);
	return v;
}

/* Store "V\n" as the whole file: the tutorial's mmap-read parses it and
 * cat shows it. */
static void write_value(int fd, int64_t v)
{
	char text[24];
	size_t n = fmt_i64(text, v);
	char *map;

	text[n++] = '\n';
	sigbus_why = "truncated, out of space or I/O error while in use";
	xftruncate(file_path, fd, (off_t)n);
	map = xmmap(file_path, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd);
	memcpy(map, text, n);
	munmap(map, n);
}

/* -c: build the file aside and link it into place, so no other process
 * ever sees it empty; if someone else made FILE meanwhile, theirs wins.
 * The first value goes in with write(2), not through a mapping: a full
 * file system then says ENOSPC instead of raising SIGBUS.  Errors name
 * FILE, not the file aside, which is never left behind. */
static void create_file(void)
{
	size_t plen = strlen(file_path);
	char tmp[PATH_MAX];
	int fd;

	if (plen + 16 > sizeof(tmp))
		file_die_errno(ENAMETOOLONG);
	str_join_num(tmp, sizeof(tmp), file_path, ".new.", getpid(), NULL);
	/* a file aside of our pid is a dead run's (killed between its open
	 * and unlink): ours now.  No signal handler is installed yet: open
	 * and close see no EINTR */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		file_die_errno(errno);
	if (write_all(fd, "0\n", 2) < 0 || close(fd) < 0 ||
	    (link(tmp, file_path) < 0 && errno != EEXIST)) {
		int e = errno;

		unlink(tmp);
		file_die_errno(e);
	}
	unlink(tmp);
}

static void print_value(const char *prefix, int64_t v)
{
	out_str(prefix);
	out_i64(v);
	out_char('\n');
}

/* Every operation is: read, maybe compute and store a new value, maybe
 * print one; in that order, so that what is printed has been stored. */
static void apply(int fd, enum op op, int64_t arg)
{
	int64_t v, next;

	xsigaction(SIGBUS, on_sigbus);
	next = v = read_value(fd);
	switch (op) {
	case OP_GET:
		break;
	case OP_SET:
		next = arg;
		break;
	case OP_RANDOM:
		next = xrandom_range(-100, 100);
		break;
	case OP_ADD:
	case OP_DOUBLE:	/* 2*N is N + N */
		if (__builtin_add_overflow(v, op == OP_DOUBLE ? v : arg, &next))
			die_msg(op_names[op], "result out of range; value unchanged");
		break;
	}
	if (op != OP_GET)
		write_value(fd, next);
	/* double shows the value it read, as the tutorial's mmap-read does */
	if (op != OP_SET)
		print_value(op == OP_DOUBLE ? "value: " : "", op == OP_DOUBLE ? v : next);
}

int mmapint_main(int argc, char **argv)
{
	struct opts o;
	enum op op = OP_GET;
	int64_t arg = 0;
	char **args;
	int fd, need;

	(void)argc;
	opt_parse(argv, OPTSTR, &o);
	if (o.nrest < 1)
		usage_die("missing FILE", NULL);
	file_path = o.rest[0];
	if (o.nrest > 1) {
		while (!str_eq(o.rest[1], op_names[op]))
			if (++op > OP_DOUBLE)
				usage_die("unknown operation", o.rest[1]);
	}
	args = o.rest + (o.nrest > 1 ? 2 : 1);
	need = (op == OP_SET || op == OP_ADD);
	if (need && !args[0])
		usage_die("missing number after", op_names[op]);
	if (args[need])
		usage_die("extra argument", args[need]);
	if (need)
		arg = xparse_i64(op_names[op], args[0], 0, INT64_MIN, INT64_MAX);

	/* -c: create a missing FILE, then open it once more */
	for (int create = OPT(&o, OPT_c);; create = 0) {
		/* O_NONBLOCK: a FIFO must not wait for a writer (or a device
		 * for a carrier) before read_value() turns it away; it changes
		 * nothing for a regular file, its mapping or flock() */
		fd = open(file_path, (op == OP_GET ? O_RDONLY : O_RDWR) | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT || !create)
			break;
		create_file();
	}
	if (fd < 0)
		file_die_errno(errno);
	xflock(file_path, fd, op == OP_GET ? LOCK_SH : LOCK_EX);

	apply(fd, op, arg);
	return EXIT_OK;
}
