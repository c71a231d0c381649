/* libshmbox: what every applet shares: errors, output, numbers, options,
 * checked system calls.  No stdio: the binary goes into initramfs images. */
#ifndef LIBSHMBOX_H
#define LIBSHMBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "autoconf.h"

/* Exit statuses, the same for every applet (README "Exit statuses"). */
enum {
	EXIT_OK = 0,
	EXIT_ERR = 1,       /* the operation failed; one line on stderr says why */
	EXIT_USAGE = 2,     /* bad option or argument; usage on stderr */
	EXIT_NOSYSV = 3,    /* kernel built without CONFIG_SYSVIPC (ENOSYS) */
	EXIT_SYSVDENIED = 4,/* System V IPC refused by a sandbox (EPERM/EACCES) */
	EXIT_FULL = 5,      /* shmsend -n / -t: the spool stayed full */
	EXIT_NOAPPLET = 127,
};

#define NORETURN __attribute__((noreturn))

/* The files of lib/ and who calls whom: each calls only files below it,
 * but for one edge back up, err.c -> out.c (dying flushes what the applet
 * printed first, with out_flush_fd, which does not die).
 *   opt.c, sysv.c       options; System V calls and keys
 *   num.c               number parsing (its x-forms die through err.c)
 *   usage.c             --help and the usage after an error
 *   out.c               the output buffer
 *   xsys.c              system calls that die on failure
 *   err.c               error lines, dying
 *   errtext.c           errno -> text
 *   sys.c, str.c, pack.c  write_all; strings and numbers; packed texts
 * (main.c, the entry, and the spool files sit on top; mem.c stands apart.) */

/* pack.c: the packed text at offset at (a PACK_NAME of pack.h) into buf,
 * cut to fit and NUL-terminated; returns its length */
size_t unpack(unsigned at, char *buf, size_t size);
/* the same for a packed string s */
size_t unpack_str(const char *s, char *buf, size_t size);

/* str.c: strings and numbers */
size_t fmt_i64(char *buf, int64_t v);	/* buf >= 21 bytes; no NUL */
size_t fmt_u64(char *buf, uint64_t v, unsigned base);
/* v / d and v % d (in *rem) for d < 2^16, with 32-bit divisions: no
 * libgcc __udivdi3 on 32-bit targets (mipsel +2,484 B) */
uint64_t div_u16(uint64_t v, unsigned d, unsigned *rem);
/* microseconds since 1970 to a UTC date and time (16-bit divisors, no
 * 64-bit division: a libgcc call on 32-bit targets) */
struct utc {
	unsigned year, mon, day, hour, min, sec, usec;
};
void utc_of(uint64_t us, struct utc *t);
/* a + b + c into buf (any may be NULL), cut to fit; returns buf */
char *str_join(char *buf, size_t size, const char *a, const char *b, const char *c);
/* a + b + v in decimal + c, the same way */
char *str_join_num(char *buf, size_t size, const char *a, const char *b, int64_t v, const char *c);
void move_down(char *dst, const char *src, size_t n);	/* dst <= src */
int str_eq(const char *a, const char *b);	/* !strcmp(a, b) */

/* sys.c: system calls that return -1 and errno */
struct iovec;
/* after a writev of n iovecs at *v wrote w bytes: *v moved past what is
 * written (the first one left trimmed); returns the iovecs left */
int iov_advance(struct iovec **v, int n, size_t w);
int write_all(int fd, const void *p, size_t n);	/* EINTR, short writes */

/* errtext.c: strerror() in musl's words for the errnos of lib/errtext.h,
 * else "Unknown error N"; buf holds at least ERR_TEXT_MAX bytes */
#define ERR_TEXT_MAX 48
const char *err_text(int err, char *buf);

/* err.c: one line on stderr, "shmbox: APPLET: a: b[: errno text]" */
extern const char *applet_name;	/* the applet running now */
void warn_msg(const char *a, const char *b);
void warn_errno(const char *a, const char *b, int err);
NORETURN void die_msg(const char *a, const char *b);
NORETURN void die_errno(const char *a, const char *b, int err);
NORETURN void die_status(int status, const char *a, const char *b, int err);
NORETURN void die_msg3(const char *a, const char *b, const char *c);	/* a: b: c */
/* "shmbox: APPLET: what: 'value': why", exit EXIT_USAGE */
NORETURN void bad_arg_die(const char *what, const char *value, const char *why);

/* xsys.c: system calls that die with a clear message on failure */
int xopen(const char *path, int flags, mode_t mode);
void xclose(int fd);
void *xmmap(const char *what, size_t len, int prot, int flags, int fd);
ssize_t xread(int fd, void *buf, size_t n);	/* EINTR retried; 0 at EOF */
void xwrite_all(const char *what, int fd, const void *p, size_t n);
void xflock(const char *path, int fd, int op);
void xftruncate(const char *path, int fd, off_t len);
void xsigaction(int sig, void (*fn)(int));
int xrandom_range(int lo, int hi);

/* out.c: a small buffer over write(2); flushed on purpose */
void out_put(const void *p, size_t n);
void out_str(const char *s);
void out_char(char c);
void out_i64(int64_t v);
void out_u64(uint64_t v);
void out_u64_base(uint64_t v, unsigned base, int width);
int out_flush_fd(int fd);	/* -1 and errno on failure */
void out_flush(void);		/* dies on failure */

/* usage.c */
extern int applet_usage;	/* its help text in pack.h; -1: compiled out */
NORETURN void usage_die(const char *why, const char *what);
void show_usage(int full);	/* full: --help, on stdout; else on stderr */

/* num.c: checked integer parsing.  base 0: "0x" hex, else decimal.
 * Returns 0, or EINVAL (not a number, trailing garbage) / ERANGE. */
int parse_i64(const char *s, unsigned base, int64_t min, int64_t max, int64_t *out);
int parse_u64(const char *s, unsigned base, uint64_t max, uint64_t *out);
/* parse_u64 plus a k/K (KiB), m/M (MiB), g/G (GiB) suffix */
int parse_size(const char *s, uint64_t max, uint64_t *out);
/* the same, dying with "shmbox: APPLET: what: invalid number 'S'" */
int64_t xparse_i64(const char *what, const char *s, unsigned base, int64_t min, int64_t max);
uint64_t xparse_u64(const char *what, const char *s, unsigned base, uint64_t max);
uint64_t xparse_size(const char *what, const char *s, uint64_t max);	/* ERANGE: "(at most 1G)" */
/* an octal mode 0-777; else "what: 'S': invalid octal mode (0 to 777)" */
uint64_t xparse_mode(const char *what, const char *s);

/* opt.c: one option parser for all applets.  spec: one character per
 * option, ':' after it when it takes an argument.  Bit i of the result is
 * the i-th option of spec; arg[i] holds its argument.  Parsing stops at the
 * first non-option or "--" (so "mmapint F add -5" works).  Errors print
 * usage and exit EXIT_USAGE. */
#define OPT_MAX 24
struct opts {
	unsigned flags;
	const char *arg[OPT_MAX];
	char **rest;	/* the operands, NULL-terminated */
	int nrest;
};
void opt_parse(char **argv, const char *spec, struct opts *o);
#define OPT(o, i) ((o)->flags & (1u << (i)))

/* sysv.c: System V IPC; every failure of these goes through sysv_fail()
 * so a kernel without CONFIG_SYSVIPC is named, never a bare ENOSYS.
 * The line names the object, then the call: "spool 0x53484d53: shmctl:
 * Operation not permitted" (either may be NULL). */
void sysv_probe(void);
NORETURN void sysv_fail(const char *obj, const char *call, int err);
int xshmget(const char *obj, int key, size_t size, int flags);
void *xshmat(const char *obj, int id, int flags);
void xshmdt(const void *addr);
int xshmctl(const char *obj, int id, int cmd, void *buf);
/* -k KEY | -f PATH [-j PROJ] -> key; neither: dflt */
key_t ipc_key(const char *key_arg, const char *path, const char *proj, key_t dflt);
char *fmt_key(char *buf, key_t key);	/* "0x%08x"; buf >= 11 bytes */

#endif
