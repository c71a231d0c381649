/* The spool's segment: finding it, creating it, checking its header.
 * Everything read from the segment is untrusted: another process may have
 * written anything there. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include "spool.h"

/* getenv(3), without the 0.5 KB of musl string functions it brings */
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
	const char *env = env_value("SHMBOX_SPOOL");
	key_t dflt = SPOOL_DEFAULT_KEY, key;

	if (env && *env && !key_arg && !path)
		dflt = (key_t)(uint32_t)xparse_u64("SHMBOX_SPOOL", env, 0, UINT32_MAX);
	key = ipc_key(key_arg, path, proj, dflt);
	/* IPC_PRIVATE: each spooler would make a new spool that no sender
	 * can find, and leave it behind */
	if (key == IPC_PRIVATE)
		die_msg("spool 0x00000000", "key 0 is IPC_PRIVATE: no other process could find it");
	return key;
}

static void name_spool(struct spool *s, key_t key)
{
	memset(s, 0, sizeof(*s));
	s->key = key;
	memcpy(s->keyname, "spool ", 6);
	fmt_key(s->keyname + 6, key);
}

void spool_corrupt(const struct spool *s, const char *what)
{
	char msg[96];

	die_msg(s->keyname, str_join(msg, sizeof(msg), "corrupt: ", what, NULL));
}

int pid_alive(int32_t pid)
{
	if (pid <= 0)
		return 0;
	return kill(pid, 0) == 0 || errno == EPERM;
}

size_t spool_fmt_prefix(char *buf, int32_t pid)
{
	size_t n = 1 + fmt_i64(buf + 1, pid);

	buf[0] = '(';
	memcpy(buf + n, "): ", 3);
	return n + 3;
}

uint32_t spool_payload_room(uint32_t len)
{
	return (uint32_t)sizeof(struct spool_rec) + ((len + SPOOL_ALIGN - 1) & ~(SPOOL_ALIGN - 1));
}

static size_t segment_size(const struct spool *s)
{
	struct shmid_ds ds;

	xshmctl(s->keyname, s->shmid, IPC_STAT, &ds);
	return ds.shm_segsz;
}

/* Check the header once, then keep validated copies of the sizes. */
static void check_header(struct spool *s)
{
	struct spool_hdr *h = s->h;
	uint32_t ring = __atomic_load_n(&h->ring_size, __ATOMIC_RELAXED);
	uint32_t used = h->reserve - h->consumed;

	if (h->magic != SPOOL_MAGIC)
		spool_corrupt(s, "not a shmbox spool (wrong magic number)");
	if (h->version != SPOOL_VERSION)
		spool_corrupt(s, "a spool of another version");
	if (h->hdr_size != sizeof(struct spool_hdr))
		spool_corrupt(s, "wrong header size");
	if (ring < SPOOL_MIN_SIZE || ring > SPOOL_MAX_SIZE || (ring & (ring - 1)))
		spool_corrupt(s, "wrong ring size");
	if (segment_size(s) < sizeof(struct spool_hdr) + (size_t)ring)
		spool_corrupt(s, "segment smaller than its ring");
	if (used > ring || used % SPOOL_ALIGN)
		spool_corrupt(s, "reserve and consumed positions do not fit the ring");
	s->size = ring;
	s->mask = ring - 1;
	s->ring = (unsigned char *)h + sizeof(struct spool_hdr);
	s->max_payload = ring / 4 - (uint32_t)sizeof(struct spool_rec);
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

static void attach_segment(struct spool *s)
{
	s->h = shmat(s->shmid, NULL, 0);
	if (s->h == (void *)-1)
		sysv_fail(s->keyname, NULL, errno);
}

void spool_attach(struct spool *s, key_t key)
{
	name_spool(s, key);
	s->semid = semget(key, 0, 0);
	s->shmid = s->semid < 0 ? -1 : shmget(key, 0, 0);
	if (s->semid < 0 || s->shmid < 0) {
		if (errno == ENOENT)
			die_msg(s->keyname, "no such spool: start shmspool first (or name another with -k or -f)");
		sysv_fail(s->keyname, NULL, errno);
	}
	attach_segment(s);
	/* a spooler that just created the segment sets it up in microseconds */
	for (int i = 0; header_is_blank(s->h); i++) {
		if (i == 200)
			die_msg(s->keyname, "not set up: no shmspool has started it");
		/* 10 ms: poll, not nanosleep, whose time64 form costs 32-bit
		 * targets 1 KB; an early return (a signal) only polls sooner */
		poll(NULL, 0, 10);
	}
	check_header(s);
}

/* Become the spool's only spooler: SEM_OWNER goes 0 -> 1 with SEM_UNDO in
 * one semop, so the kernel gives it back when we die. */
static void take_ownership(struct spool *s)
{
	struct sembuf ops[2] = {
		{ SEM_OWNER, 0, IPC_NOWAIT },
		{ SEM_OWNER, 1, SEM_UNDO | IPC_NOWAIT },
	};
	char msg[64];

	while (semtimedop(s->semid, ops, 2, NULL) < 0) {	/* semop, see sem_change */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			sysv_fail(s->keyname, "semop", errno);
		die_msg(s->keyname, str_join_num(msg, sizeof(msg), "already has a spooler (pid ", NULL,
						 xsemctl(s->keyname, s->semid, SEM_OWNER, GETPID, 0), ")"));
	}
}

static void set_up(struct spool *s, uint32_t size)
{
	struct spool_hdr *h = s->h;

	memset(h, 0, sizeof(*h));
	h->version = SPOOL_VERSION;
	h->hdr_size = sizeof(*h);
	h->ring_size = size;
	__atomic_store_n(&h->magic, SPOOL_MAGIC, __ATOMIC_RELEASE);
}

/* A kernel limit hit while making the spool: say which; remove the
 * semaphore set we made, so nothing is left behind. */
static NORETURN void create_failed(struct spool *s, int made_sems, int err)
{
	if (made_sems)
		semctl(s->semid, 0, IPC_RMID, 0);
	if (err == EINVAL)
		die_msg(s->keyname, "size outside the kernel's limits for a segment (kernel.shmmax, kernel.shmmin)");
	if (err == ENOSPC)
		die_msg(s->keyname, "no room for a new segment (kernel.shmmni, kernel.shmall)");
	sysv_fail(s->keyname, NULL, err);
}

void spool_create(struct spool *s, key_t key, uint32_t size, int mode)
{
	int made_sems = 1;

	name_spool(s, key);
	s->semid = semget(key, SPOOL_NSEMS, IPC_CREAT | IPC_EXCL | mode);
	if (s->semid < 0 && errno == EEXIST) {
		made_sems = 0;
		s->semid = semget(key, SPOOL_NSEMS, mode);
	}
	if (s->semid < 0 && errno == EINVAL)
		die_msg(s->keyname, "the key holds a semaphore set that is not a spool's");
	if (s->semid < 0 && errno == ENOSPC)
		die_msg(s->keyname, "no room for a new semaphore set (kernel.sem)");
	if (s->semid < 0)
		sysv_fail(s->keyname, NULL, errno);
	take_ownership(s);
	s->shmid = shmget(key, sizeof(struct spool_hdr) + size, IPC_CREAT | IPC_EXCL | mode);
	if (s->shmid < 0 && errno == EEXIST)
		s->shmid = shmget(key, 0, 0);
	if (s->shmid < 0)
		create_failed(s, made_sems, errno);
	attach_segment(s);
	/* blank: we created it, or a spooler died setting it up */
	if (header_is_blank(s->h) && segment_size(s) >= sizeof(struct spool_hdr) + size)
		set_up(s, size);
	check_header(s);
	__atomic_store_n(&s->h->spooler_pid, (int32_t)getpid(), __ATOMIC_RELAXED);
}
