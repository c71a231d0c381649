/* shmcat: System V shared-memory segments from the shell.  What the
 * tutorials (seeds 002-004) do by hand with shmget/shmat/shmctl and
 * ipcs/ipcrm, as one command for systems without util-linux. */
//config:config SHMCAT
//config:	bool "shmcat: read, write, create, list System V shared memory"
//config:	default y
//config:	help
//config:	  shmcat {-k KEY | -f PATH [-j PROJ] | -i SHMID} [OPTION]...
//config:
//config:	  Copy a System V shared-memory segment to stdout, or act on it.
//config:	  KEY: 0x hex or decimal. -f: ftok(PATH, PROJ), PROJ 1-255 or a
//config:	  character, default 1.
//config:
//config:	    -o OFF   from byte OFF        -l LEN   only LEN bytes
//config:	    -z       stop at a NUL byte   -x       hex dump, as hexdump -C
//config:	    -w       write stdin at OFF; more than fits: error, no write
//config:	    -Z       with -w: zero the rest of LEN
//config:	    -c SIZE  create (no key: private), print the shmid; -m MODE
//config:	             octal, default 600
//config:	    -s       print the IPC_STAT fields, name=value lines
//config:	    -L       list all: key shmid uid mode size nattch
//config:	    -R       mark the segment for removal
//config:
//config:	  OFF, LEN, SIZE: k or M suffix.
//applet:APPLET(shmcat, APPLET_SYSV)
//options:wc:sLRk:f:j:i:o:l:zxZm:

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>
#include "libshmbox.h"
#define FOR_shmcat
#include "options.h"

/* the actions come first in //options: (check_options counts on it) */
enum {
	SELECT = FLAG_k | FLAG_f | FLAG_j | FLAG_i,
	ACTIONS = FLAG_w | FLAG_c | FLAG_s | FLAG_L | FLAG_R,
};
_Static_assert(ACTIONS == 31, "shmcat's actions are its first five options");

#define PROC_SHM "/proc/sysvipc/shm"
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22	/* Linux 5.14 */
#endif

/* "key 0x0000abcd" or "shmid 42": what every message about it names */
static char seg_name[24];

/* the call on the segment just failed: say why (errno) */
static NORETURN void seg_fail(void)
{
	int err = errno;

	/* ENOENT: no segment has the key; EINVAL: no segment has the id */
	if (err == ENOENT || err == EINVAL)
		die_msg(seg_name, "no such segment");
	if (err == EIDRM)
		die_msg(seg_name, "segment removed");
	sysv_fail(seg_name, NULL, err);
}

/* Each action takes its own options; one that does not fit is named. */
static void check_options(unsigned flags)
{
	/* by action: reading, -w, -c, -s, -L, -R */
	static const unsigned short takes[] = {
		SELECT | FLAG_o | FLAG_l | FLAG_z | FLAG_x,
		SELECT | FLAG_o | FLAG_l | FLAG_Z,
		FLAG_k | FLAG_f | FLAG_j | FLAG_m, SELECT, 0, SELECT,
	};
	unsigned action = flags & ACTIONS, bad;
	char msg[] = "-? does not go with -?";

	if (action & (action - 1))
		usage_die("use only one of -w -c -s -L -R", NULL);
	bad = flags & ~(action | takes[action ? __builtin_ctz(action) + 1 : 0]);
	if (!bad)
		return;
	/* reading takes every option but these two */
	if (!action)
		usage_die(bad & FLAG_Z ? "-Z needs -w" : "-m needs -c", NULL);
	msg[1] = OPT_LETTERS[__builtin_ctz(bad)];
	msg[21] = OPT_LETTERS[__builtin_ctz(action)];
	usage_die(msg, NULL);
}

/* The IPC_STAT fields of a segment, in the order -s prints them. */
enum {
	F_KEY, F_ID, F_UID, F_GID, F_CUID, F_CGID, F_MODE, F_SIZE, F_NATTCH,
	F_CPID, F_LPID, F_ATIME, F_DTIME, F_CTIME, NFIELDS,
	/* /proc/sysvipc/shm only: bytes resident and swapped out */
	F_RSS = NFIELDS, F_SWAP, NPROC
};
static const char field_names[] = "key\0shmid\0uid\0gid\0cuid\0cgid\0mode\0"
	"size\0nattch\0cpid\0lpid\0atime\0dtime\0ctime";
/* -L prints these */
static const signed char list_fields[] = { F_KEY, F_ID, F_UID, F_MODE, F_SIZE, F_NATTCH, -1 };
/* where each column of /proc/sysvipc/shm goes: "key shmid perms size
 * cpid lpid nattch uid gid cuid cgid atime dtime ctime" */
static const unsigned char proc_fields[NPROC] = {
	F_KEY, F_ID, F_MODE, F_SIZE, F_CPID, F_LPID, F_NATTCH,
	F_UID, F_GID, F_CUID, F_CGID, F_ATIME, F_DTIME, F_CTIME, F_RSS, F_SWAP,
};

/* -s: every field as a name=value line; -L: the list_fields on one line */
static void print_fields(const int64_t *v, int named)
{
	const char *name = field_names;

	for (int i = 0; i < NFIELDS; i++, name += strlen(name) + 1) {
		int f = named ? i : list_fields[i];

		if (f < 0)
			break;
		if (named) {
			out_str(name);
			out_char('=');
		}
		if (f == F_KEY) {
			char buf[12];

			out_str(fmt_key(buf, (key_t)v[f]));
		} else if (f == F_MODE) {
			out_char('0');	/* octal: 0600, 01600 (SHM_DEST) */
			out_u64_base((uint64_t)v[f], 8, 1);
		} else {
			out_i64(v[f]);
		}
		out_char(named || list_fields[i + 1] < 0 ? '\n' : ' ');
	}
}

/* Where each IPC_STAT field lies in struct shmid_ds, and how to read it:
 * its offset (a multiple of 4, below 256: checked below) or'ed with its
 * kind.  One loop over this table, not 14 conversions by hand. */
enum { FK_U32, FK_S32, FK_64 };
#define DS_M(m) (((struct shmid_ds *)0)->m)
#define DS_FIELD(m) (offsetof(struct shmid_ds, m) | \
	(sizeof(DS_M(m)) == 8 ? FK_64 : (__typeof__(DS_M(m)))-1 < 1 ? FK_S32 : FK_U32))
#define DS_CHECK(m) _Static_assert(offsetof(struct shmid_ds, m) % 4 == 0 && \
	offsetof(struct shmid_ds, m) < 256 && \
	(sizeof(DS_M(m)) == 4 || sizeof(DS_M(m)) == 8), "shmid_ds." #m)
/* read through these: any type of the size and signedness */
typedef int64_t __attribute__((may_alias)) alias_i64;
typedef int32_t __attribute__((may_alias)) alias_s32;
typedef uint32_t __attribute__((may_alias)) alias_u32;
static const unsigned char ds_fields[NFIELDS] = {
	DS_FIELD(shm_perm.__key), 0 /* F_ID: not in it */, DS_FIELD(shm_perm.uid),
	DS_FIELD(shm_perm.gid), DS_FIELD(shm_perm.cuid), DS_FIELD(shm_perm.cgid),
	DS_FIELD(shm_perm.mode), DS_FIELD(shm_segsz), DS_FIELD(shm_nattch),
	DS_FIELD(shm_cpid), DS_FIELD(shm_lpid), DS_FIELD(shm_atime),
	DS_FIELD(shm_dtime), DS_FIELD(shm_ctime),
};
DS_CHECK(shm_perm.__key); DS_CHECK(shm_perm.uid); DS_CHECK(shm_perm.gid);
DS_CHECK(shm_perm.cuid); DS_CHECK(shm_perm.cgid); DS_CHECK(shm_perm.mode);
DS_CHECK(shm_segsz); DS_CHECK(shm_nattch); DS_CHECK(shm_cpid); DS_CHECK(shm_lpid);
DS_CHECK(shm_atime); DS_CHECK(shm_dtime); DS_CHECK(shm_ctime);

/* The IPC_STAT fields of a segment, printed for -s (named) or for -L
 * without /proc. */
static void print_stat(int id, const struct shmid_ds *ds, int named)
{
	int64_t v[NFIELDS];

	for (int i = 0; i < NFIELDS; i++) {
		const void *p = (const char *)ds + (ds_fields[i] & ~3u);

		switch (ds_fields[i] & 3) {
		case FK_64: v[i] = *(const alias_i64 *)p; break;
		case FK_S32: v[i] = *(const alias_s32 *)p; break;
		default: v[i] = *(const alias_u32 *)p; break;
		}
	}
	v[F_ID] = id;
	print_fields(v, named);
}

/* The numbers of a line of /proc/sysvipc/shm into v, in field order;
 * the header and anything else that is not 14 numbers is skipped (-1).
 * Keys are signed decimal, perms octal.  Returns how many columns were
 * read: 16 with rss and swap (Linux 2.6.32 on), else 14. */
static int proc_numbers(char *p, int64_t *v)
{
	int i;

	for (i = 0; i < NPROC; i++) {
		char *field;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		field = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = 0;
		if (parse_i64(field, i == 2 ? 8 : 10, INT64_MIN, INT64_MAX, &v[proc_fields[i]]))
			return -1;
	}
	return i < NFIELDS ? -1 : i;
}

/* each line of /proc/sysvipc/shm, as ipcs reads it, to row(); -1 when
 * it is not there (an initramfs before /proc is mounted) */
static int proc_each(void (*row)(char *line, void *ctx), void *ctx)
{
	char buf[4096];	/* a line is about 200 bytes */
	size_t have = 0;
	int fd = open(PROC_SHM, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	do {
		char *line = buf, *nl;

		r = xread(fd, buf + have, sizeof(buf) - have);
		have += (size_t)r;
		while ((nl = memchr(line, '\n', (size_t)(buf + have - line)))) {
			*nl = 0;
			row(line, ctx);
			line = nl + 1;
		}
		have -= (size_t)(line - buf);
		move_down(buf, line, have);
	} while (r > 0);
	xclose(fd);
	return 0;
}

static void list_row(char *line, void *ctx)
{
	int64_t v[NPROC];

	(void)ctx;
	if (proc_numbers(line, v) > 0)
		print_fields(v, 0);
}

/* Without /proc: SHM_INFO gives the highest index in use, SHM_STAT each
 * segment the caller may read (the others fail and are skipped). */
static void list_segments(void)
{
	struct shm_info info;
	struct shmid_ds ds;
	int top;

	if (proc_each(list_row, NULL) == 0)
		return;
	top = xshmctl("SHM_INFO", 0, SHM_INFO, &info);
	for (int i = 0; i <= top; i++) {
		int id = shmctl(i, SHM_STAT, &ds);

		if (id >= 0)
			print_stat(id, &ds, 0);
	}
}

/* the 16 bytes at q are the 16 before them; by hand: memcmp would be
 * linked for this alone (tiny_defconfig +64 B on mipsel, +54 B of code on
 * x86_64: docs/size.md) */
static int same_line(const unsigned char *q)
{
	for (int k = 0; k < 16; k++)
		if (q[k] != q[k - 16])
			return 0;
	return 1;
}

/* -x: the layout of hexdump -C, offsets counted from the segment's
 * start (at: an offset inside it, so a size_t, not 64-bit arithmetic on
 * 32-bit targets); a line equal to the one before becomes one "*" */
static void hex_dump(const unsigned char *p, size_t len, size_t at)
{
	int squeezing = 0;

	for (size_t i = 0; i < len; i += 16) {
		size_t n = len - i < 16 ? len - i : 16;
		char line[72];

		if (n == 16 && i && same_line(p + i)) {
			if (!squeezing)
				out_str("*\n");
			squeezing = 1;
			continue;
		}
		squeezing = 0;
		/* "  xx xx .. xx  xx .. xx  |text|": 8 bytes, a space, 8 bytes */
		memset(line, ' ', sizeof(line));
		for (size_t j = 0; j < n; j++) {
			unsigned char c = p[i + j];
			char *h = line + 2 + 3 * j + (j > 7);

			h[0] = "0123456789abcdef"[c >> 4];
			h[1] = "0123456789abcdef"[c & 15];
			line[53 + j] = c >= ' ' && c < 127 ? (char)c : '.';
		}
		line[52] = '|';
		line[53 + n] = '|';
		line[54 + n] = '\n';
		out_u64_base(at + i, 16, 8);
		out_put(line, 55 + n);
	}
	out_u64_base(at + len, 16, 8);
	out_char('\n');
}

/* the rss and swap columns of one segment's line of /proc/sysvipc/shm */
struct seg_usage {
	int64_t id, rss, swap;
	int found;
};

static void usage_row(char *line, void *ctx)
{
	struct seg_usage *u = ctx;
	int64_t v[NPROC];

	if (proc_numbers(line, v) == NPROC && v[F_ID] == u->id) {
		u->rss = v[F_RSS];
		u->swap = v[F_SWAP];
		u->found = 1;
	}
}

/* bytes of the segment in memory; -1: unknown (no /proc), or some of it
 * is swapped out */
static int64_t seg_resident(int id)
{
	struct seg_usage u = { id, 0, 0, 0 };

	if (proc_each(usage_row, &u) < 0 || !u.found || u.swap)
		return -1;
	return u.rss;
}

/* out_put of n zero bytes, from a mapping that is never written: the
 * kernel's copy reads the zero page, nothing is allocated */
static void out_zeros(size_t n)
{
	enum { ZEROS = 4 << 20 };	/* 256 write(2)s a GiB */
	static const unsigned char *zeros;

	if (!zeros)
		zeros = xmmap("zeros", ZEROS, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	for (size_t k; n; n -= k) {
		k = n < ZEROS ? n : ZEROS;
		out_put(zeros, k);
	}
}

/* no System V page is swapped out (SHM_INFO: no permission needed) */
static int none_swapped(void)
{
	struct shm_info info;

	return shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info) >= 0 && !info.shm_swp;
}

/* Reads never allocate what nobody wrote.  A page of a segment that was
 * never written is not in memory, and a read fault on it would allocate
 * it (shmem makes pages on read faults too: reading an untouched 256 MiB
 * segment raised Shmem by 256 MiB).  mincore(2) says which pages are in
 * memory: the others are zeros, written out without touching them
 * (RUNS_WRITE), or, for -x and -z, which read the mapping, replaced in it
 * by an anonymous read-only mapping, all zero page (RUNS_MAP).
 * RUNS_COUNT: only how many pages are in memory.  Returns that, or -1:
 * mincore or mmap failed. */
enum { RUNS_COUNT, RUNS_WRITE, RUNS_MAP };
static int64_t page_runs(unsigned char *base, size_t from, size_t to, int what)
{
	size_t page = (size_t)getpagesize(), n;
	int64_t resident = 0;
	int zeros = 1;
	unsigned char vec[4096];	/* 16 MiB of 4 KiB pages a call */

	for (size_t p0 = from / page; p0 * page < to; p0 += n) {
		int swap_checked = 0;

		n = (to - 1) / page + 1 - p0;
		n = n < sizeof(vec) ? n : sizeof(vec);
		if (mincore(base + p0 * page, n * page, vec) < 0) {
			if (what != RUNS_WRITE)
				return -1;
			memset(vec, 1, n);	/* cannot be: read as it is */
		}
		for (size_t i = 0, j; i < n; i = j) {
			int in = vec[i] & 1;
			unsigned char *at = base + (p0 + i) * page, *end;

			for (j = i; j < n && (vec[j] & 1) == in; j++)
				;
			resident += in ? (int64_t)(j - i) : 0;
			end = base + (p0 + j) * page;
			if (what == RUNS_MAP && !in &&
			    mmap(at, (size_t)(end - at), PROT_READ,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
				return -1;	/* ENOMEM: more pieces than vm.max_map_count */
			if (what != RUNS_WRITE)
				continue;
			/* a page swapped out since zeros_trusted(): read them
			 * all from here on */
			if (!in && zeros && !swap_checked++)
				zeros = none_swapped();
			in |= !zeros;
			if (in)	/* see the plain read below */
				madvise(at, (size_t)(end - at), MADV_POPULATE_READ);
			at = at > base + from ? at : base + from;
			end = end < base + to ? end : base + to;
			if (in)
				out_put(at, (size_t)(end - at));
			else
				out_zeros((size_t)(end - at));
		}
	}
	return resident;
}

/* mincore's answer stands for the segment mapped at base: it cannot
 * tell a swapped-out page from an unwritten one, and on hugetlb it sees
 * only this process's page tables; so /proc/sysvipc/shm must show none of
 * the segment swapped out, and no more of it in memory than mincore finds */
static int zeros_trusted(unsigned char *base, int id, size_t size)
{
	int64_t rss = seg_resident(id), pages;

	if (rss <= 0)	/* nothing in memory: no page to count */
		return !rss;
	pages = page_runs(base, 0, size, RUNS_COUNT);
	return pages >= 0 && (uint64_t)rss <= (uint64_t)pages * (uint64_t)getpagesize();
}

static unsigned char *attach(int id, int flags)
{
	void *p = shmat(id, NULL, flags);

	if (p == (void *)-1)
		seg_fail();
	return p;
}

/* -w: all of the input first, so that too much of it writes nothing;
 * at most room + 1 bytes are read to know */
static void write_segment(unsigned char *seg, size_t room, int zero_rest)
{
	char *in = xmmap("standard input", room + 1, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1);
	size_t got = 0;
	ssize_t r;

	while (got <= room && (r = xread(0, in + got, room + 1 - got)) > 0)
		got += (size_t)r;
	if (got > room)
		die_msg("standard input", "more than fits in the range; nothing written");
	memcpy(seg, in, got);
	if (zero_rest)
		memset(seg + got, 0, room - got);
}

/* The segment named by -i, or by the key of -k / -f -j (-c: created). */
static int find_segment(const struct opts *o, unsigned flags)
{
	key_t key;
	int id;

	if (flags & FLAG_i) {
		if (flags & (FLAG_k | FLAG_f | FLAG_j))
			usage_die("use -k, -f or -i, not two", NULL);
		id = (int)xparse_u64("-i", o->arg[OPT_i], 0, INT_MAX);
		str_join_num(seg_name, sizeof(seg_name), "shmid ", NULL, id, NULL);
		return id;
	}
	key = ipc_key(o->arg[OPT_k], o->arg[OPT_f], o->arg[OPT_j], IPC_PRIVATE);
	memcpy(seg_name, "key ", 4);
	fmt_key(seg_name + 4, key);
	if (flags & FLAG_c) {
		size_t size = xparse_size("-c", o->arg[OPT_c], SIZE_MAX);
		int mode = flags & FLAG_m ? (int)xparse_u64("-m", o->arg[OPT_m], 8, 0777) : 0600;

		id = shmget(key, size, IPC_CREAT | IPC_EXCL | mode);
		if (id < 0 && errno == EEXIST)
			die_msg(seg_name, "a segment with this key exists");
		if (id < 0 && errno == EINVAL)
			die_msg("-c", "size out of the kernel's limits");
	} else {
		if (!(flags & (FLAG_k | FLAG_f)))
			usage_die("missing -k KEY, -f PATH or -i SHMID", NULL);
		/* shmget would make a new segment for it */
		if (key == IPC_PRIVATE)
			die_msg(seg_name, "private: use -i SHMID");
		id = shmget(key, 0, 0);
	}
	if (id < 0)
		seg_fail();
	return id;
}

int shmcat_main(int argc, char **argv)
{
	struct opts o;
	struct shmid_ds ds;
	uint64_t off = 0, len = 0;
	unsigned char *seg;
	unsigned flags;
	int id, trusted;

	(void)argc;
	opt_parse(argv, OPTSTR, &o);
	flags = o.flags;
	if (o.nrest)
		usage_die("extra argument", o.rest[0]);
	check_options(flags);
	if (flags & FLAG_L) {
		list_segments();
		return EXIT_OK;
	}
	if (flags & FLAG_o)
		off = xparse_size("-o", o.arg[OPT_o], UINT64_MAX);
	if (flags & FLAG_l)
		len = xparse_size("-l", o.arg[OPT_l], UINT64_MAX);
	id = find_segment(&o, flags);
	if (flags & FLAG_c) {
		out_i64(id);
		out_char('\n');
		/* the id unseen, the new segment would be lost (a private one
		 * cannot be named at all): -c failed, so undo it (no check:
		 * the error to report is the write's).  SIGPIPE ignored, so
		 * that a closed pipe comes back as EPIPE, to undo it too
		 * (sigaction: the spool applets link it anyway; blocking the
		 * signal instead costs defconfig 0.2 KB) */
		xsigaction(SIGPIPE, SIG_IGN);
		if (out_flush_fd(1) < 0) {
			int err = errno;

			shmctl(id, IPC_RMID, NULL);
			if (err == EPIPE)	/* quietly, as xwrite_all */
				exit(EXIT_ERR);
			die_errno("write", "standard output", err);
		}
		return EXIT_OK;
	}
	if (flags & FLAG_R) {
		if (shmctl(id, IPC_RMID, NULL) < 0)
			seg_fail();
		return EXIT_OK;
	}
	if (shmctl(id, IPC_STAT, &ds) < 0)
		seg_fail();
	if (flags & FLAG_s) {
		print_stat(id, &ds, 1);
		return EXIT_OK;
	}
	if (ds.shm_perm.mode & SHM_DEST)
		die_msg(seg_name, "segment marked for removal");
	if (!(flags & FLAG_l))
		len = ds.shm_segsz - off;
	if (off > ds.shm_segsz || len > ds.shm_segsz - off)
		die_msg(off > ds.shm_segsz ? "-o" : "-l", "past the end of the segment");
	/* the segment's size comes from the kernel: every byte touched below
	 * lies in [off, off + len), inside it */
	if (flags & FLAG_w) {
		write_segment(attach(id, 0) + off, len, flags & FLAG_Z);
		return EXIT_OK;
	}
	seg = attach(id, SHM_RDONLY);
	trusted = len && zeros_trusted(seg, id, ds.shm_segsz);
	/* -z and -x read the mapping itself: the zero page in it */
	if (trusted && (flags & (FLAG_z | FLAG_x)) &&
	    (page_runs(seg, off, off + len, RUNS_MAP) < 0 ||
	     !zeros_trusted(seg, id, ds.shm_segsz))) {
		seg = attach(id, SHM_RDONLY);	/* a fresh mapping, read as it is */
		trusted = 0;
	}
	if (!trusted) {
		/* Page tables in one call, not a fault per 4 KiB page inside
		 * write(2): +35% into a pipe.  Older kernels say EINVAL: fine. */
		uintptr_t page = (uintptr_t)(seg + off) & -(uintptr_t)getpagesize();

		madvise((void *)page, (uintptr_t)(seg + off) + len - page, MADV_POPULATE_READ);
	}
	if (flags & FLAG_z) {
		unsigned char *nul = memchr(seg + off, 0, len);

		if (nul)
			len = (uint64_t)(nul - seg) - off;
	}
	if (flags & FLAG_x) {
		/* as hexdump -C: nothing for -n 0 or for no input from the
		 * start, else down to the end offset */
		if (len || (off && !(flags & FLAG_l)))
			hex_dump(seg + off, (size_t)len, (size_t)off);
	} else if (!trusted || page_runs(seg, off, off + len, RUNS_WRITE) < 0) {
		out_put(seg + off, len);	/* >= 4 KiB: one write(2) from the mapping */
	}
	/* exit detaches the segment */
	return EXIT_OK;
}
