/* The spool's segment: finding it, creating it, checking its header;
 * what both halves of the protocol (spoolsend.c, spooldrain.c) and
 * --seed (seedspool.c) share.  Everything read from the segment is
 * untrusted: another process may have written anything there. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <time.h>
#include "spool.h"

/* getenv(3), without the musl string functions it brings (defconfig
 * +256 B on x86_64, +384 B on mipsel, docs/size.md) */
static const char *env_value(const char *name)
{
	extern char **environ;

	for (char **e = environ; *e; e++) {
		const char *p = *e, *n = name;

		while (*n && *p == *n)
			p++, n++;
		if (!*n && *p == '=')
			return p + 1;
	}
	return NULL;
}

key_t spool_key(const char *key_arg, const char *path, const char *proj)
{
	const char *env;
	key_t dflt = SPOOL_DEFAULT_KEY, key;

	if (!key_arg && !path && (env = env_value("SHMBOX_SPOOL")) && *env)
		dflt = (key_t)(uint32_t)xparse_u64("SHMBOX_SPOOL", env, 0, UINT32_MAX);
	key = ipc_key(key_arg, path, proj, dflt);
	/* IPC_PRIVATE: each spooler would make a new spool that no sender
	 * can find, and leave it behind */
	if (key == IPC_PRIVATE)
		die_msg("spool 0x00000000", "key 0 is IPC_PRIVATE: no other process could find it");
	return key;
}

/* no memset: every field is set before it is read (the ids by the
 * callers, the rest by attach_segment and check_header); noinline: LTO
 * put a copy into each of spool_attach and spool_create */
static __attribute__((noinline)) void name_spool(struct spool *s, key_t key)
{
	memcpy(s->keyname, "spool ", 6);
	fmt_key(s->keyname + 6, key);
	s->made_semid = -1;
}

/* spool_create failing after it made the semaphore set: remove it, so
 * that nothing is left behind (the segment it may have made is blank
 * and the next spooler sets it up) */
static void undo_create(const struct spool *s)
{
	if (s->made_semid >= 0)
		semctl(s->made_semid, 0, IPC_RMID, 0);
}

void spool_corrupt(const struct spool *s, const char *what)
{
	undo_create(s);
	die_msg3(s->keyname, "corrupt", what);
}

/* the digits of a symbolic link of /proc ("1234", "pid:[4026531836]",
 * made by the kernel) as a number; 0: no such link */
static uint32_t proc_link_num(const char *path)
{
	char link[32];
	ssize_t n = readlink(path, link, sizeof(link));
	uint32_t v = 0;

	for (ssize_t i = 0; i < n; i++)
		if (link[i] >= '0' && link[i] <= '9')
			v = v * 10 + (uint32_t)(link[i] - '0');
	return v;
}

/* /proc is our pid namespace's: /proc/self is our pid.  (Another
 * namespace's /proc names other processes by our pids.)  Not kept: it
 * is asked only while a record or the lock waits on its owner */
static int proc_is_ours(void)
{
	return proc_link_num("/proc/self") == (uint32_t)getpid();
}

/* /proc says pid is a zombie (killed, not yet reaped by its parent: kill
 * finds it, but it will never commit nor unlock) or gone; 0 where /proc
 * cannot tell */
static int proc_says_dead(int32_t pid)
{
	char path[40], buf[64], *p;
	size_t n = 6;
	ssize_t r;
	int fd;

	if (!proc_is_ours())
		return 0;
	memcpy(path, "/proc/", 6);
	n += fmt_i64(path + n, pid);
	memcpy(path + n, "/stat", 6);
	fd = open(path, O_RDONLY);
	if (fd < 0)	/* ENOENT: gone since kill found it */
		return errno == ENOENT;
	/* an error (EINTR: a signal) is "cannot tell": we look again soon */
	r = read(fd, buf, sizeof(buf));
	close(fd);
	/* "PID (COMM) S ...": the state after the last ')' (COMM may hold
	 * any byte, and is at most 15 of them: all within 64) */
	for (p = buf + (r > 0 ? r : 0); p > buf && p[-1] != ')'; p--)
		;
	return p > buf && p + 1 < buf + r && (p[1] == 'Z' || p[1] == 'X');
}

int pid_alive(int32_t pid)
{
	if (pid <= 0)
		return 0;
	if (kill(pid, 0) < 0 && errno != EPERM)
		return 0;
	return !proc_says_dead(pid);
}

uint32_t pid_ns_id(void)
{
	return proc_link_num("/proc/self/ns/pid");
}

/* times(2) counts USER_HZ ticks (100 a second on every Linux ABI) and
 * needs neither the vDSO nor 64-bit time on 32-bit targets (clock_gettime:
 * defconfig +724 B on x86_64, +1,492 B on mipsel, docs/size.md) */
uint32_t spool_now_ms(void)
{
	struct tms t;

	return (uint32_t)times(&t) * 10u;
}

/* By the system call, as times(2) above: musl's clock_gettime brings its
 * vDSO lookup (defconfig +654 B on x86_64).  32-bit targets ask for the
 * 64-bit time first (Linux 5.1), then the old call (up to 2106: its
 * seconds taken as unsigned). */
uint64_t spool_time_us(void)
{
	struct { int64_t sec, nsec; } t;	/* the kernel's __kernel_timespec */

	/* CLOCK_REALTIME is always there: no other error */
#ifdef SYS_clock_gettime64
	if (syscall(SYS_clock_gettime64, CLOCK_REALTIME, &t) < 0) {
		struct { long sec, nsec; } old;

		syscall(SYS_clock_gettime32, CLOCK_REALTIME, &old);	/* musl's name there */
		t.sec = (uint32_t)old.sec;
		t.nsec = old.nsec;
	}
#else
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &t);
#endif
	return (uint64_t)t.sec * 1000000u + (uint32_t)t.nsec / 1000u;	/* nsec < 10^9 */
}

/* syslog's names, by number; a name's length is at most 8 */
static const char level_names[] =
	"emerg\0alert\0crit\0err\0warning\0notice\0info\0debug\0";
/* 12-15 have no name (musl's, glibc's and BusyBox's tables give none) */
static const char facility_names[] =
	"kern\0user\0mail\0daemon\0auth\0syslog\0lpr\0news\0uucp\0cron\0authpriv\0ftp\0"
	"\0\0\0\0local0\0local1\0local2\0local3\0local4\0local5\0local6\0local7\0";

/* the i-th name of a list (i in range) */
static const char *nth_name(const char *list, unsigned i)
{
	while (i--)
		list += strlen(list) + 1;
	return list;
}

/* name (n bytes) as a number up to max, or one of the list's names or
 * aliases ("panic\0" 0 ...: a NUL-separated list, each name followed
 * by its number as one byte); -1: neither */
static int name_value(const char *name, size_t n, unsigned max, const char *list,
		      const char *aliases)
{
	char buf[12];
	uint64_t v;

	if (!n || n >= sizeof(buf))
		return -1;
	memcpy(buf, name, n);
	buf[n] = 0;
	if (parse_u64(buf, 10, max, &v) == 0)
		return (int)v;
	for (unsigned i = 0; i <= max; i++, list += strlen(list) + 1)
		if (str_eq(buf, list))
			return (int)i;
	for (; *aliases; aliases += strlen(aliases) + 2)
		if (str_eq(buf, aliases))
			return aliases[strlen(aliases) + 1];
	return -1;
}

int spool_parse_level(const char *s)
{
	return name_value(s, strlen(s), 7, level_names, "panic\0\0" "error\0\3" "warn\0\4");
}

int spool_parse_prio(const char *s, const char **bad)
{
	const char *dot = s;
	int fac = 1, level;

	while (*dot && *dot != '.')	/* strchr: musl's costs 157 B */
		dot++;
	if (!*dot)
		dot = NULL;

	*bad = "unknown facility";
	if (dot && (fac = name_value(s, (size_t)(dot - s), 23, facility_names, "security\0\4")) < 0)
		return -1;
	*bad = "unknown level";
	if ((level = spool_parse_level(dot ? dot + 1 : s)) < 0)
		return -1;
	return fac * 8 + level;
}

size_t spool_fmt_prio(char *buf, unsigned prio)
{
	const char *fac = prio >> 3 <= 23 ? nth_name(facility_names, prio >> 3) : "";
	size_t n;

	if (*fac) {
		n = strlen(fac);
		memcpy(buf, fac, n);
	} else {
		n = fmt_u64(buf, prio >> 3, 10);
	}
	buf[n++] = '.';
	fac = nth_name(level_names, prio & 7);
	memcpy(buf + n, fac, strlen(fac));
	return n + strlen(fac);
}

size_t spool_fmt_prefix(char *buf, int32_t pid)
{
	size_t n = 1 + fmt_i64(buf + 1, pid);

	buf[0] = '(';
	memcpy(buf + n, "): ", 3);
	return n + 3;
}

char *spool_join_args(char **args, size_t *len)
{
	size_t total = 0, n = 0;
	char *msg;

	for (char **a = args; *a; a++)
		total += strlen(*a) + 1;
	msg = xmmap("buffer", total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	for (char **a = args; *a; a++) {
		size_t l = strlen(*a);

		memcpy(msg + n, *a, l);
		n += l;
		msg[n++] = ' ';
	}
	*len = total - 1;
	return msg;
}

uint32_t spool_payload_room(uint32_t len)
{
	/* the header and the payload rounded up, in one add (the header is
	 * SPOOL_ALIGN bytes: adding it first changes no low bits) */
	return (len + (uint32_t)sizeof(struct spool_rec) + SPOOL_ALIGN - 1) & ~(SPOOL_ALIGN - 1);
}

static size_t segment_size(const struct spool *s)
{
	struct shmid_ds ds;

	xshmctl(s->keyname, s->shmid, IPC_STAT, &ds);
	return ds.shm_segsz;
}

static int ring_size_ok(size_t ring)
{
	return ring >= SPOOL_MIN_SIZE && ring <= SPOOL_MAX_SIZE && !(ring & (ring - 1));
}

/* Check the header once, then keep validated copies of the sizes. */
static void check_header(struct spool *s)
{
	struct spool_hdr *h = s->h;
	uint32_t ring = __atomic_load_n(&h->ring_size, __ATOMIC_RELAXED), used;

	if (h->magic != SPOOL_MAGIC)
		spool_corrupt(s, "not a shmbox spool (wrong magic number)");
	if (h->version != SPOOL_VERSION)
		spool_corrupt(s, "a spool of another version");
	if (h->hdr_size != sizeof(struct spool_hdr))
		spool_corrupt(s, "wrong header size");
	if (!ring_size_ok(ring))
		spool_corrupt(s, "wrong ring size");
	s->size = ring;
	s->mask = ring - 1;
	if (segment_size(s) < sizeof(struct spool_hdr) + (size_t)s->size)
		spool_corrupt(s, "segment smaller than its ring");
	used = h->reserve - h->consumed;
	if (used > s->size || used % SPOOL_ALIGN)
		spool_corrupt(s, "reserve and consumed positions do not fit the ring");
	s->ring = (unsigned char *)h + sizeof(struct spool_hdr);
}

/* all zero, word by word (no 64-byte zero header to memcmp against) */
static int header_is_blank(const struct spool_hdr *h)
{
	const uint32_t *w = (const uint32_t *)(const void *)h;
	uint32_t any = 0;

	for (unsigned i = 0; i < sizeof(*h) / sizeof(*w); i++)
		any |= w[i];
	return !any;
}

/* The owner and mode of the segment at key, from /proc/sysvipc/shm
 * (IPC_STAT needs the read permission we lack): "KEY SHMID PERMS SIZE
 * CPID LPID NATTCH UID ...", the key in signed decimal, PERMS in octal.
 * 0: not found (no /proc) */
static int shm_owner(key_t key, uint64_t *uid, uint64_t *perm)
{
	char want[24], f[8][16], chunk[512];
	int fd = open("/proc/sysvipc/shm", O_RDONLY | O_CLOEXEC), n = 0, len = 0, found = 0;
	ssize_t r;

	want[fmt_i64(want, (int32_t)key)] = 0;	/* as the kernel prints it */
	/* byte by byte: the first 8 fields of each line, 15 bytes of each */
	while (fd >= 0 && !found && (r = read(fd, chunk, sizeof(chunk))) > 0) {
		for (ssize_t i = 0; i < r && !found; i++) {
			char c = chunk[i];

			if (c != ' ' && c != '\n') {
				if (n < 8 && len < 15)
					f[n][len++] = c;
				continue;
			}
			if (len && n < 8)
				f[n++][len] = 0;
			len = 0;
			if (c == '\n') {
				found = n == 8 && str_eq(f[0], want) && parse_u64(f[2], 8, 07777, perm) == 0 &&
					parse_u64(f[7], 10, UINT32_MAX, uid) == 0;
				n = 0;
			}
		}
	}
	if (fd >= 0)
		close(fd);
	return found;
}

/* Permission denied: whose the spool is, and how it is made wider */
static NORETURN void spool_denied(struct spool *s, key_t key)
{
	char who[64], num[24], why[160];
	uint64_t uid, perm;

	undo_create(s);
	if (!shm_owner(key, &uid, &perm))
		die_msg3(s->keyname, "Permission denied", "shmspool -m 666 makes a spool every user may use");
	num[fmt_u64(num, perm & 0777, 8)] = 0;
	str_join_num(who, sizeof(who), "the spool is uid ", NULL, (int64_t)uid, "'s, mode 0");
	die_msg3(s->keyname, "Permission denied", str_join(why, sizeof(why), who, num, " (shmspool -m 666 makes one every user may use)"));
}

/* a System V call on the spool failed: EACCES gets its hint */
static NORETURN void spool_failed(struct spool *s, key_t key, int err)
{
	if (err == EACCES)
		spool_denied(s, key);
	undo_create(s);
	sysv_fail(s->keyname, NULL, err);
}

static void attach_segment(struct spool *s, key_t key)
{
	s->h = shmat(s->shmid, NULL, 0);
	if (s->h == (void *)-1)
		spool_failed(s, key, errno);
}

/* A set of another size at the key is another program's (semget only
 * refuses one smaller than asked for): -R would remove it. */
static void check_sems(struct spool *s, key_t key, struct semid_ds *ds)
{
	if (semctl(s->semid, 0, IPC_STAT, ds) < 0)
		spool_failed(s, key, errno);
	if (ds->sem_nsems != SPOOL_NSEMS)
		die_msg(s->keyname, "the key holds a semaphore set that is not a spool's");
}

void spool_attach(struct spool *s, key_t key)
{
	struct semid_ds ds;

	name_spool(s, key);
	if ((s->semid = semget(key, 0, 0)) < 0 || (s->shmid = shmget(key, 0, 0)) < 0) {
		if (errno == ENOENT)
			die_msg(s->keyname, "no such spool: start shmspool first (or name another with -k or -f)");
		spool_failed(s, key, errno);
	}
	check_sems(s, key, &ds);
	attach_segment(s, key);
	/* a spooler that just created the segment sets it up in microseconds */
	for (int i = 0; header_is_blank(s->h); i++) {
		if (i == 200)
			die_msg(s->keyname, "not set up: no shmspool has started it");
		/* 10 ms: poll, not nanosleep, whose time64 form costs 32-bit targets:
		 * mipsel 468 B; an early return (a signal) only polls sooner */
		poll(NULL, 0, 10);
	}
	check_header(s);
}

/* Become the spool's only spooler: SEM_OWNER goes 0 -> 1 with SEM_UNDO in
 * one semop, so the kernel gives it back when we die. */
static void take_ownership(struct spool *s)
{
	/* the kernel only reads them: no copy on the stack */
	static const struct sembuf ops[2] = {
		{ SEM_OWNER, 0, IPC_NOWAIT },
		{ SEM_OWNER, 1, SEM_UNDO | IPC_NOWAIT },
	};
	char msg[SPOOL_MSG_MAX];

	while (semtimedop(s->semid, (struct sembuf *)ops, 2, NULL) < 0) {	/* semop, see sem_change */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			sysv_fail(s->keyname, "semop", errno);
		die_msg(s->keyname, spool_join_num(msg, "already has a spooler (pid ",
						   xsemctl(s->keyname, s->semid, SEM_OWNER, GETPID, 0), ")"));
	}
}

/* on a header found all zero (no memset: senders only read a header
 * without its magic number) */
static void set_up(struct spool *s, uint32_t size)
{
	struct spool_hdr *h = s->h;

	h->version = SPOOL_VERSION;
	h->hdr_size = sizeof(*h);
	h->ring_size = size;
	__atomic_store_n(&h->magic, SPOOL_MAGIC, __ATOMIC_RELEASE);
}

/* A kernel limit hit while making the spool: say which; remove the
 * semaphore set we made, so nothing is left behind. */
static NORETURN void create_failed(struct spool *s, key_t key, int err)
{
	undo_create(s);
	if (err == EINVAL)
		die_msg(s->keyname, "size outside the kernel's limits for a segment (kernel.shmmax, kernel.shmmin)");
	if (err == ENOSPC)
		die_msg(s->keyname, "no room for a new segment (kernel.shmmni, kernel.shmall)");
	if (err == ENOENT)	/* SPOOL_EXISTING */
		die_msg(s->keyname, "no such spool");
	spool_failed(s, key, err);
}

/* Objects at the key that this spooler did not make are adopted only when
 * they are ours (owner and creator our uid) and grant no more than -m
 * asked; another user's could read, feed or remove our spool (issue 14,
 * point 3).  adopt (-A): take them anyway, as before. */
static void check_adopt(const struct spool *s, const char *obj, const struct ipc_perm *p,
			int mode, int adopt)
{
	uid_t me = geteuid(), who = p->uid != me ? p->uid : p->cuid;
	unsigned grants = p->mode & 0777;
	const char *key = s->keyname + 6;	/* "0x..." of "spool 0x..." */
	char what[64], rm[48], why[96], num[24];

	if (adopt || (who == me && !(grants & ~(unsigned)mode)))
		return;
	undo_create(s);
	num[fmt_u64(num, grants, 8)] = 0;
	str_join_num(rm, sizeof(rm), obj, " of uid ", (int64_t)who, " with mode 0");
	str_join(what, sizeof(what), rm, num, NULL);
	str_join(rm, sizeof(rm), "not adopted (ipcrm -M ", key, " -S ");
	die_msg3(s->keyname, what, str_join(why, sizeof(why), rm, key, " removes it; -A adopts it)"));
}

void spool_create(struct spool *s, key_t key, uint32_t size, int mode, unsigned how)
{
	/* -x makes nothing: as if an IPC_EXCL create found the objects */
	int creat = how & SPOOL_EXISTING ? 0 : IPC_CREAT | IPC_EXCL;
	int made_sems = 1, made_seg, id, adopt = how & SPOOL_ADOPT;
	size_t seg;

	name_spool(s, key);
	/* a local id, not s->semid: errno's address could alias s */
	id = creat ? semget(key, SPOOL_NSEMS, creat | mode) : -1;
	if (id < 0 && (errno == EEXIST || !creat)) {
		made_sems = 0;
		id = semget(key, SPOOL_NSEMS, mode);
	}
	if (id < 0) {
		if (errno == EINVAL)
			die_msg(s->keyname, "the key holds a semaphore set that is not a spool's");
		if (errno == ENOSPC)
			die_msg(s->keyname, "no room for a new semaphore set (kernel.sem)");
		create_failed(s, key, errno);
	}
	s->semid = id;
	if (made_sems) {
		s->made_semid = id;
	} else {
		struct semid_ds ds;

		check_sems(s, key, &ds);
		check_adopt(s, "semaphore set", &ds.sem_perm, mode, adopt);
	}
	/* -c makes the spool for a spooler to come: it does not spool */
	if (!(how & SPOOL_MAKE))
		take_ownership(s);
	id = creat ? shmget(key, sizeof(struct spool_hdr) + size, creat | mode) : -1;
	made_seg = id >= 0;
	if (id < 0 && (errno == EEXIST || !creat))
		id = shmget(key, 0, 0);
	if (id < 0)
		create_failed(s, key, errno);
	s->shmid = id;
	s->perm = (unsigned)mode;
	if (!made_seg) {
		struct shmid_ds ds;

		if (shmctl(id, IPC_STAT, &ds) < 0)
			create_failed(s, key, errno);	/* removes a set we made */
		check_adopt(s, "segment", &ds.shm_perm, mode, adopt);
		s->perm = ds.shm_perm.mode & 0777;
	}
	attach_segment(s, key);
	/* blank: we created it, or a spooler died setting it up; either way
	 * the segment is a header and a ring of a spool's size.  A blank
	 * segment of any other size is another program's, not taken. */
	seg = segment_size(s) - sizeof(struct spool_hdr);
	if (header_is_blank(s->h) && ring_size_ok(seg)) {
		/* -c: senders until a spooler starts are of our pid namespace,
		 * as a spooler's would be (else it could not check their
		 * pids); before the magic number lets them in */
		if (how & SPOOL_MAKE)
			__atomic_store_n(&s->h->spooler_ns, pid_ns_id(), __ATOMIC_SEQ_CST);
		set_up(s, (uint32_t)seg);
	}
	check_header(s);
	s->made_semid = -1;
	if (how & SPOOL_MAKE)
		return;
	__atomic_store_n(&s->h->spooler_pid, (int32_t)getpid(), __ATOMIC_RELAXED);
	/* a -R spooler killed between closing and removing left it closed */
	__atomic_store_n(&s->h->closed, 0, __ATOMIC_RELAXED);
}
