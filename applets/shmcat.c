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
//config:	  character, default 1. Pages nobody wrote read as zeros and
//config:	  stay unallocated.
//config:
//config:	    -o OFF   from byte OFF        -l LEN   only LEN bytes
//config:	    -z       stop at a NUL byte   -x       hex dump, as hexdump -C
//config:	    -w       write stdin at OFF; more than fits: error, no write
//config:	    -Z       with -w: zero the rest of LEN
//config:	    -c SIZE  create, print the shmid (no key: a free random key,
//config:	             printed before it); -m MODE octal, default 600
//config:	    -s       print the IPC_STAT fields, name=value lines, and
//config:	             the times in RFC 3339 (empty: never)
//config:	    -L       list the segments as ipcs -m; -S: the semaphore
//config:	             sets, as ipcs -s; -n: owners as numbers
//config:	    --json   -L and -s as JSON, lsipc --json's field names
//config:	    -R       remove the segment (once detached); a shmbox spool
//config:	             goes as a whole, with its semaphore set
//config:
//config:	  OFF, LEN, SIZE: bytes, or a K, M or G suffix (KiB, MiB, GiB;
//config:	  k, m, g too).
//config:
//config:config FEATURE_SHMCAT_NAMES
//config:	bool "shmcat -L: owners by name, from /etc/passwd and /etc/group"
//config:	default y
//config:	depends on SHMCAT
//config:	help
//config:	  shmcat -L shows user names, and --json user and group names,
//config:	  read from /etc/passwd and /etc/group (numbers when a file or
//config:	  an entry is missing, as on a bare initramfs).
//config:
//config:config FEATURE_SHMCAT_JSON
//config:	bool "shmcat --json: -L and -s as JSON"
//config:	default y
//config:	depends on SHMCAT
//config:	help
//config:	  shmcat -L --json and -s --json print the objects as JSON, with
//config:	  the field names of util-linux lsipc --json.
//applet:APPLET(shmcat, APPLET_SYSV)
//options:wc:sLRk:f:j:i:o:l:zxZm:(json)nS
//usage-option:FEATURE_SHMCAT_JSON --json

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>
#include "libshmbox.h"
#include "spool.h"	/* -R of a spool: its magic and semaphores */
#define FOR_shmcat
#include "options.h"

/* the actions come first in //options: (check_options counts on it) */
enum {
	SELECT = FLAG_k | FLAG_f | FLAG_j | FLAG_i,
	ACTIONS = FLAG_w | FLAG_c | FLAG_s | FLAG_L | FLAG_R,
};
_Static_assert(ACTIONS == 31, "shmcat's actions are its first five options");

#define PROC_SHM "/proc/sysvipc/shm"
#define PROC_SEM "/proc/sysvipc/sem"
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
	static const unsigned takes[] = {
		SELECT | FLAG_o | FLAG_l | FLAG_z | FLAG_x,
		SELECT | FLAG_o | FLAG_l | FLAG_Z,
		FLAG_k | FLAG_f | FLAG_j | FLAG_m, SELECT | FLAG_json,
		FLAG_n | FLAG_S | FLAG_json, SELECT,
	};
	unsigned action = flags & ACTIONS, bad;
	char msg[32], what[] = "-?";

	if (action & (action - 1))
		usage_die("use only one of -w -c -s -L -R", NULL);
	bad = flags & ~(action | takes[action ? __builtin_ctz(action) + 1 : 0]);
	if (!bad)
		return;
	/* reading takes every option but these */
	if (!action)
		usage_die(bad & FLAG_Z ? "-Z needs -w" : bad & FLAG_m ? "-m needs -c" :
			  bad & FLAG_json ? "--json needs -L or -s" : "-n and -S go with -L", NULL);
	what[1] = OPT_LETTERS[__builtin_ctz(action)];
	usage_die(str_join(msg, sizeof(msg), bad & FLAG_json ? "--json" :
			   (char[]){ '-', OPT_LETTERS[__builtin_ctz(bad)], 0 },
			   " does not go with ", what), NULL);
}

/* The fields of a System V object: the IPC_STAT fields of a segment, in
 * the order -s prints them; a semaphore set has nsems in F_SIZE, otime in
 * F_ATIME, and no F_NATTCH, F_CPID, F_LPID, F_DTIME. */
enum {
	F_KEY, F_ID, F_UID, F_GID, F_CUID, F_CGID, F_MODE, F_SIZE, F_NATTCH,
	F_CPID, F_LPID, F_ATIME, F_DTIME, F_CTIME, NFIELDS,
	/* /proc/sysvipc/shm only: bytes resident and swapped out */
	F_RSS = NFIELDS, F_SWAP, NPROC
};
static const char field_names[] = "key\0shmid\0uid\0gid\0cuid\0cgid\0mode\0"
	"size\0nattch\0cpid\0lpid\0atime\0dtime\0ctime";
/* where each column of /proc/sysvipc/shm goes: "key shmid perms size
 * cpid lpid nattch uid gid cuid cgid atime dtime ctime rss swap" */
static const unsigned char proc_shm_fields[NPROC] = {
	F_KEY, F_ID, F_MODE, F_SIZE, F_CPID, F_LPID, F_NATTCH,
	F_UID, F_GID, F_CUID, F_CGID, F_ATIME, F_DTIME, F_CTIME, F_RSS, F_SWAP,
};
/* and of /proc/sysvipc/sem: "key semid perms nsems uid gid cuid cgid
 * otime ctime" */
#define NPROC_SEM 10
static const unsigned char proc_sem_fields[NPROC_SEM] = {
	F_KEY, F_ID, F_MODE, F_SIZE, F_UID, F_GID, F_CUID, F_CGID, F_ATIME, F_CTIME,
};

/* how -L and -s print */
enum { SHOW_SEM = 1, SHOW_NUMERIC = 2, SHOW_JSON = 4 };
static unsigned show;
static unsigned shown;	/* objects printed so far */

/* "2026-12-06T01:15:10+00:00" (RFC 3339, UTC) for the time t into buf
 * (26 bytes); NULL for 0 (never) and for what 32 bits do not hold (no
 * 64-bit division: on 32-bit targets it is a libgcc call) */
static const char *fmt_time(int64_t t, char *buf)
{
	struct utc u;

	if (t <= 0 || t > UINT32_MAX)
		return NULL;
	utc_of((uint64_t)t * 1000000, &u);
	const unsigned v[6] = { u.year, u.mon, u.day, u.hour, u.min, u.sec };

	memcpy(buf, "0000-00-00T00:00:00+00:00", 26);
	for (int i = 0; i < 6; i++)	/* number i ends at 3 + 3i */
		for (unsigned n = v[i], at = 3 + 3 * (unsigned)i; n; n /= 10)
			buf[at--] = (char)('0' + n % 10);
	return buf;
}

/* The name of a user (group 0: /etc/passwd) or a group (1: /etc/group)
 * by its number, or NULL: none there (a bare initramfs has neither
 * file), or -n.  Each file is read once, by hand: musl's getpwuid would
 * bring stdio. */
static const char *id_name(int group, int64_t id)
{
	static const char *text[2];
	static size_t size[2];
	static char loaded[2], name[64];
	char num[24];
	size_t nlen;
	const char *p, *end;

	if (!ENABLE_FEATURE_SHMCAT_NAMES || (show & SHOW_NUMERIC))
		return NULL;
	if (!loaded[group]) {
		int fd = open(group ? "/etc/group" : "/etc/passwd", O_RDONLY | O_CLOEXEC);
		off_t n = fd < 0 ? 0 : lseek(fd, 0, SEEK_END);

		loaded[group] = 1;
		if (n > 0 && n < INT32_MAX) {
			void *m = mmap(NULL, (size_t)n, PROT_READ, MAP_PRIVATE, fd, 0);

			if (m != MAP_FAILED) {
				text[group] = m;
				size[group] = (size_t)n;
			}
		}
		if (fd >= 0)
			xclose(fd);
	}
	nlen = fmt_i64(num, id);
	/* lines "name:password:NUMBER:..." */
	for (p = text[group], end = p + size[group]; p < end; p++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *c[3];

		if (!eol)
			eol = end;
		/* c: the first three colons */
		for (int k = 0; k < 3; k++) {
			const char *from = k ? c[k - 1] + 1 : p;

			c[k] = from ? memchr(from, ':', (size_t)(eol - from)) : NULL;
			if (!c[k])
				break;
		}
		if (c[0] && c[1] && c[2] && c[0] > p && (size_t)(c[2] - c[1] - 1) == nlen &&
		    !memcmp(c[1] + 1, num, nlen)) {
			size_t n = (size_t)(c[0] - p);

			n = n < sizeof(name) - 1 ? n : sizeof(name) - 1;
			memcpy(name, p, n);
			name[n] = 0;
			return name;
		}
		p = eol;
	}
	return NULL;
}

/* a JSON string: quotes, backslashes and control bytes escaped */
static void out_json_str(const char *s)
{
	out_char('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out_char('\\');
		} else if (c < ' ') {
			out_str("\\u00");
			out_u64_base(c, 16, 2);
			continue;
		}
		out_char((char)c);
	}
	out_char('"');
}

/* --json: each object's fields, by the names of lsipc --json -m / -s:
 * a field number, or'ed with how it is printed */
enum { J_NUM = 0, J_KEY = 16, J_PERMS = 32, J_USER = 48, J_GROUP = 64, J_STATUS = 80, J_TIME = 96 };
static const char json_shm_names[] = "key\0id\0owner\0perms\0cuid\0cuser\0cgid\0cgroup\0"
	"uid\0user\0gid\0group\0size\0nattch\0status\0attach\0detach\0ctime\0cpid\0lpid";
static const unsigned char json_shm[] = {
	J_KEY, F_ID, J_USER | F_UID, J_PERMS, F_CUID, J_USER | F_CUID, F_CGID, J_GROUP | F_CGID,
	F_UID, J_USER | F_UID, F_GID, J_GROUP | F_GID, F_SIZE, F_NATTCH, J_STATUS,
	J_TIME | F_ATIME, J_TIME | F_DTIME, J_TIME | F_CTIME, F_CPID, F_LPID, 0xff
};
static const char json_sem_names[] = "key\0id\0owner\0perms\0cuid\0cuser\0cgid\0cgroup\0"
	"uid\0user\0gid\0group\0nsems\0otime\0ctime";
static const unsigned char json_sem[] = {
	J_KEY, F_ID, J_USER | F_UID, J_PERMS, F_CUID, J_USER | F_CUID, F_CGID, J_GROUP | F_CGID,
	F_UID, J_USER | F_UID, F_GID, J_GROUP | F_GID, F_SIZE, J_TIME | F_ATIME, J_TIME | F_CTIME, 0xff
};

/* "dest", "locked", both, or NULL: the status of ipcs -m */
static const char *seg_status(int64_t mode, char sep)
{
	static char buf[12];

	buf[0] = 0;
	if (mode & SHM_DEST)
		str_join(buf, sizeof(buf), "dest", NULL, NULL);
	if (mode & SHM_LOCKED) {
		size_t n = strlen(buf);

		if (n)
			buf[n++] = sep;
		str_join(buf + n, sizeof(buf) - n, "locked", NULL, NULL);
	}
	return buf[0] ? buf : NULL;
}

/* --json: one object, after a comma when it is not the first */
static void print_json(const int64_t *v)
{
	const unsigned char *code = show & SHOW_SEM ? json_sem : json_shm;
	const char *name = show & SHOW_SEM ? json_sem_names : json_shm_names;

	out_str(shown++ ? ",\n{" : "{");
	for (; *code != 0xff; code++, name += strlen(name) + 1) {
		int64_t x = v[*code & 15];
		char buf[26];
		const char *str = buf;

		if (*name != 'k')	/* the first one, "key" */
			out_char(',');
		out_json_str(name);
		out_char(':');
		switch (*code & ~15) {
		case J_NUM:
			out_i64(x);
			continue;
		case J_KEY:
			fmt_key(buf, (key_t)v[F_KEY]);
			break;
		case J_PERMS:	/* "0600", as lsipc --numeric-perms */
			buf[0] = '0';
			buf[fmt_u64(buf + 1, (uint64_t)v[F_MODE] & 0777, 8) + 1] = 0;
			break;
		case J_USER:
		case J_GROUP:
			str = id_name((*code & ~15) == J_GROUP, x);
			break;
		case J_STATUS:
			str = seg_status(v[F_MODE], ',');
			break;
		default:
			str = fmt_time(x, buf);
		}
		if (str)
			out_json_str(str);
		else
			out_str("null");
	}
	out_char('}');
}

/* -L: s in a column of width, after the one before (no spaces at the
 * end of a line: each column pads the one before it) */
static void out_col(const char *s, int *pad)
{
	while ((*pad)-- > 0)
		out_char(' ');
	out_str(s);
	*pad = 11 - (int)strlen(s);
	if (*pad < 1)
		*pad = 1;
}

/* -L: one line as ipcs -m (key shmid owner perms bytes nattch status)
 * or ipcs -s prints it (key semid owner perms nsems) */
static void print_row(const int64_t *v)
{
	static const unsigned char cols[] = { F_KEY, F_ID, F_UID, F_MODE, F_SIZE, F_NATTCH };
	int pad = 0;

	for (unsigned i = 0; i < sizeof(cols) - (show & SHOW_SEM); i++) {
		char buf[24];
		const char *str = buf;
		int64_t x = v[cols[i]];

		if (cols[i] == F_KEY)
			fmt_key(buf, (key_t)x);
		else if (cols[i] == F_MODE)	/* as ipcs: 600, no leading 0 */
			buf[fmt_u64(buf, (uint64_t)x & 0777, 8)] = 0;
		else
			buf[fmt_i64(buf, x)] = 0;
		if (cols[i] == F_UID && id_name(0, x))
			str = id_name(0, x);
		out_col(str, &pad);
	}
	if (!(show & SHOW_SEM) && seg_status(v[F_MODE], ' '))
		out_col(seg_status(v[F_MODE], ' '), &pad);
	out_char('\n');
}

/* -s: every field as a name=value line, then each time in RFC 3339 */
static void print_named(const int64_t *v)
{
	const char *name = field_names;

	for (int i = 0; i < NFIELDS; i++, name += strlen(name) + 1) {
		out_str(name);
		out_char('=');
		if (i == F_KEY) {
			char buf[12];

			out_str(fmt_key(buf, (key_t)v[i]));
		} else if (i == F_MODE) {
			out_char('0');	/* octal: 0600, 01600 (SHM_DEST) */
			out_u64_base((uint64_t)v[i], 8, 1);
		} else {
			out_i64(v[i]);
		}
		out_char('\n');
	}
	/* empty for "never" */
	for (int i = F_ATIME; i <= F_CTIME; i++) {
		char buf[26];
		const char *t = fmt_time(v[i], buf);

		out_char("adc"[i - F_ATIME]);
		out_str("time_rfc3339=");
		if (t)
			out_str(t);
		out_char('\n');
	}
}

/* an object as -L or -s (named) shows it */
static void print_fields(const int64_t *v, int named)
{
	if (ENABLE_FEATURE_SHMCAT_JSON && (show & SHOW_JSON))
		print_json(v);
	else if (named)
		print_named(v);
	else
		print_row(v);
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

/* The IPC_STAT fields of a segment into v */
static void stat_fields(int id, const struct shmid_ds *ds, int64_t *v)
{
	for (int i = 0; i < NFIELDS; i++) {
		const void *p = (const char *)ds + (ds_fields[i] & ~3u);

		switch (ds_fields[i] & 3) {
		case FK_64: v[i] = *(const alias_i64 *)p; break;
		case FK_S32: v[i] = *(const alias_s32 *)p; break;
		default: v[i] = *(const alias_u32 *)p; break;
		}
	}
	v[F_ID] = id;
}

/* The numbers of a line of /proc/sysvipc/shm (or sem) into v, in field
 * order; the header and anything else that is not numbers is skipped
 * (-1).  Keys are signed decimal, perms octal.  Returns how many columns
 * were read: 16 with rss and swap (Linux 2.6.32 on), 14 without. */
static int proc_numbers(char *p, int64_t *v)
{
	const unsigned char *col = show & SHOW_SEM ? proc_sem_fields : proc_shm_fields;
	int i, n = show & SHOW_SEM ? NPROC_SEM : NPROC;

	for (i = 0; i < n; i++) {
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
		if (parse_i64(field, i == 2 ? 8 : 10, INT64_MIN, INT64_MAX, &v[col[i]]))
			return -1;
	}
	return i < (show & SHOW_SEM ? NPROC_SEM : NFIELDS) ? -1 : i;
}

/* each line of /proc/sysvipc/shm (or sem), as ipcs reads it, to row();
 * -1 when it is not there (an initramfs before /proc is mounted) */
static int proc_each(void (*row)(char *line, void *ctx), void *ctx)
{
	char buf[4096];	/* a line is about 200 bytes */
	size_t have = 0;
	int fd = open(show & SHOW_SEM ? PROC_SEM : PROC_SHM, O_RDONLY | O_CLOEXEC);
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
	int64_t v[NPROC] = { 0 };

	(void)ctx;
	if (proc_numbers(line, v) > 0)
		print_fields(v, 0);
}

/* the fields of a semaphore set, by SEM_STAT (or IPC_STAT) */
static void sem_fields(int id, const struct semid_ds *ds, int64_t *v)
{
	memset(v, 0, NFIELDS * sizeof(*v));
	v[F_KEY] = ds->sem_perm.__key;
	v[F_ID] = id;
	v[F_UID] = ds->sem_perm.uid;
	v[F_GID] = ds->sem_perm.gid;
	v[F_CUID] = ds->sem_perm.cuid;
	v[F_CGID] = ds->sem_perm.cgid;
	v[F_MODE] = ds->sem_perm.mode;
	v[F_SIZE] = ds->sem_nsems;
	v[F_ATIME] = ds->sem_otime;
	v[F_CTIME] = ds->sem_ctime;
}

/* -L: every segment (-S: semaphore set), as ipcs -m (-s) lists them.
 * Without /proc: SHM_INFO (SEM_INFO) gives the highest index in use,
 * SHM_STAT (SEM_STAT) each object the caller may read (the others fail
 * and are skipped). */
static void list_objects(void)
{
	union { struct shm_info shm; struct seminfo sem; } info;
	union { struct shmid_ds shm; struct semid_ds sem; } ds;
	int sem = show & SHOW_SEM, top;

	if (ENABLE_FEATURE_SHMCAT_JSON && (show & SHOW_JSON))
		out_str(sem ? "{\"semaphores\":[\n" : "{\"sharedmemory\":[\n");
	else
		out_str(sem ? "key        semid      owner      perms      nsems\n"
			: "key        shmid      owner      perms      bytes      nattch     status\n");
	if (proc_each(list_row, NULL) < 0) {
		top = sem ? semctl(0, 0, SEM_INFO, &info.sem) : shmctl(0, SHM_INFO, (void *)&info.shm);
		if (top < 0)
			sysv_fail(sem ? "SEM_INFO" : "SHM_INFO", sem ? "semctl" : "shmctl", errno);
		for (int i = 0; i <= top; i++) {
			int64_t v[NFIELDS];
			int id = sem ? semctl(i, 0, SEM_STAT, &ds.sem) : shmctl(i, SHM_STAT, &ds.shm);

			if (id < 0)
				continue;
			if (sem)
				sem_fields(id, &ds.sem, v);
			else
				stat_fields(id, &ds.shm, v);
			print_fields(v, 0);
		}
	}
	if (ENABLE_FEATURE_SHMCAT_JSON && (show & SHOW_JSON))
		out_str(shown ? "\n]}\n" : "]}\n");
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

/* n bytes of the segment out.  Into a pipe by vmsplice(2): the pipe takes
 * references to the segment's pages instead of a copy (write(2) from the
 * mapping ran at 0.5x cat(1) of a tmpfs file into the same pipe, which
 * copies once from the page cache; bench/shmcat-stream).  Like a write,
 * a reader sees the bytes as they are when it reads them, at most a
 * pipe's worth (64 KiB) after we return.  Not a pipe, or a kernel or
 * emulator without it: write(2). */
static void seg_put(const unsigned char *p, size_t n)
{
	static int pipe_out = -1;
	struct stat st;

	if (pipe_out < 0)
		pipe_out = fstat(1, &st) == 0 && S_ISFIFO(st.st_mode);
	out_flush();
	while (pipe_out && n) {
		struct iovec v = { (void *)p, n };
		ssize_t w = vmsplice(1, &v, 1, 0);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EPIPE)
			xwrite_all("standard output", 1, p, n);	/* says it as a write would */
		if (w < 0) {
			pipe_out = 0;	/* EINVAL, ENOSYS: write(2) instead */
			break;
		}
		p += w;
		n -= (size_t)w;
	}
	out_put(p, n);
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
				seg_put(at, (size_t)(end - at));
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

/* -R.  A shmbox spool (lib/spool.h) is a segment and a set of
 * SPOOL_NSEMS semaphores under one key, and the segment starts with
 * SPOOL_MAGIC: the set goes too, and the line on stderr says so. */
static void remove_segment(int id)
{
	struct shmid_ds ds;
	struct semid_ds sds;
	int semid = -1;

	if (shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_perm.__key != IPC_PRIVATE &&
	    ds.shm_segsz >= sizeof(struct spool_hdr)) {
		void *p = shmat(id, NULL, SHM_RDONLY);
		uint32_t magic = 0;

		if (p != (void *)-1) {
			memcpy(&magic, p, sizeof(magic));
			xshmdt(p);
		}
		if (magic == SPOOL_MAGIC)
			semid = semget(ds.shm_perm.__key, 0, 0);
		if (semid >= 0 && (semctl(semid, 0, IPC_STAT, &sds) < 0 ||
				   sds.sem_nsems != SPOOL_NSEMS))
			semid = -1;
	}
	if (shmctl(id, IPC_RMID, NULL) < 0)
		seg_fail();
	if (semid < 0)
		return;
	if (semctl(semid, 0, IPC_RMID) < 0)
		sysv_fail(seg_name, "spool's semaphore set", errno);
	warn_msg(seg_name, "a shmbox spool: its semaphore set is removed too");
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
		int mode = flags & FLAG_m ? (int)xparse_mode("-m", o->arg[OPT_m]) : 0600;
		/* no key: a free one at random, as ipcmk picks it */
		int any = !(flags & (FLAG_k | FLAG_f));

		do {
			if (any)
				fmt_key(seg_name + 4, key = xrandom_range(1, INT_MAX));
			id = shmget(key, size, IPC_CREAT | IPC_EXCL | mode);
		} while (any && id < 0 && errno == EEXIST);
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
	show = (flags & FLAG_S ? SHOW_SEM : 0) | (flags & FLAG_n ? SHOW_NUMERIC : 0) |
	       (flags & FLAG_json ? SHOW_JSON : 0);
	if (flags & FLAG_L) {
		list_objects();
		return EXIT_OK;
	}
	if (flags & FLAG_o)
		off = xparse_size("-o", o.arg[OPT_o], UINT64_MAX);
	if (flags & FLAG_l)
		len = xparse_size("-l", o.arg[OPT_l], UINT64_MAX);
	id = find_segment(&o, flags);
	if (flags & FLAG_c) {
		if (!(flags & (FLAG_k | FLAG_f))) {	/* the random key */
			out_str(seg_name + 4);
			out_char(' ');
		}
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
		remove_segment(id);
		return EXIT_OK;
	}
	if (shmctl(id, IPC_STAT, &ds) < 0)
		seg_fail();
	if (flags & FLAG_s) {
		int64_t v[NFIELDS];
		int json = ENABLE_FEATURE_SHMCAT_JSON && (show & SHOW_JSON);

		stat_fields(id, &ds, v);
		if (json)
			out_str("{\"sharedmemory\":[\n");
		print_fields(v, 1);
		if (json)
			out_str("\n]}\n");
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
		seg_put(seg + off, len);
	}
	/* exit detaches the segment */
	return EXIT_OK;
}
