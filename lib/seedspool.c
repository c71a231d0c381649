/* The tutorial's spool protocol (shared/seeds/000), for shmspool --seed
 * and shmsend --seed: ten 256-byte buffers in a segment and three
 * one-semaphore sets, all keyed by ftok("/tmp/...", 'K').  We speak it
 * exactly, but check what we read (indexes, string lengths) and never
 * split a message silently. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include "spool.h"

#define SEED_BUFFERS 10
#define SEED_BUFLEN 256
#define SEED_PROJECT 'K'

struct seed_shm {
	char buf[SEED_BUFFERS][SEED_BUFLEN];
	int buffer_index;
	int buffer_print_index;
};

enum { SEED_SHM, SEED_MUTEX, SEED_COUNT, SEED_SIGNAL };

static const char *const seed_paths[] = {
	"/tmp/shared_memory_key", "/tmp/sem-mutex-key",
	"/tmp/sem-buffer-count-key", "/tmp/sem-spool-signal-key",
};

static int sems[4];
static struct seed_shm *shm;

static key_t seed_key(int which, int create)
{
	key_t k;

	if (create)	/* the tutorial asks users to create them by hand */
		xclose(xopen(seed_paths[which], O_RDONLY | O_CREAT, 0644));
	k = ftok(seed_paths[which], SEED_PROJECT);
	if (k == -1)
		die_errno(seed_paths[which], "ftok", errno);
	return k;
}

static void seed_setval(int which, int val)
{
	xsemctl(seed_paths[which], sems[which], 0, SETVAL, val);
}

/* P or V on one of the three semaphores, EINTR retried (a timed wait
 * starts again: only a stop and SIGCONT interrupts it, shmsend catches
 * no signal): 0, or EAGAIN for IPC_NOWAIT or when ms ran out */
static int seed_op(int which, int op, int flags, int ms)
{
	int r;

	while ((r = sem_change(seed_paths[which], sems[which], 0, op, flags, ms)) == EINTR)
		;
	return r;
}

/* the segment (w 0) or a semaphore set; -1 and errno on failure */
static int seed_get(int w, key_t k, int flags)
{
	return w ? semget(k, 1, flags) : shmget(k, sizeof(struct seed_shm), flags);
}

/* the segment and the three semaphores; create: missing ones are made
 * (the spooler), else they must exist (shmsend).  Returns which objects
 * it made, as bits */
static int seed_open(int create)
{
	int made = 0;

	/* the segment, then the three semaphores; created new
	 * (IPC_EXCL) where missing, so we know which are ours */
	for (int w = SEED_SHM; w <= SEED_SIGNAL; w++) {
		int id;
		key_t k = seed_key(w, create);

		id = seed_get(w, k, create ? 0660 | IPC_CREAT | IPC_EXCL : 0);
		if (id >= 0)
			made |= create << w;
		else if (errno == EEXIST)
			id = seed_get(w, k, 0);
		if (id < 0) {
			int err = errno;

			/* leave nothing behind of what we made */
			for (int i = 0; i < w; i++)
				if (made & 1 << i)
					i ? semctl(sems[i], 0, IPC_RMID) : shmctl(sems[i], IPC_RMID, NULL);
			sysv_fail(seed_paths[w], w ? "semget" : "shmget", err);
		}
		sems[w] = id;
	}
	shm = xshmat(seed_paths[SEED_SHM], sems[SEED_SHM], 0);
	return made;
}

/* GETVAL or IPC_RMID of a semaphore */
static int seed_ctl(int w, int cmd)
{
	return xsemctl(seed_paths[w], sems[w], 0, cmd, 0);
}

/* A spool found whole and in range is kept as it is: a restart loses
 * nothing.  Free buffers and queued messages add up to at most ten
 * (less while a sender or a spooler is between its operations). */
static int seed_sane(int made, int idx)
{
	return !made && (unsigned)idx < SEED_BUFFERS &&
	       (unsigned)shm->buffer_index < SEED_BUFFERS && seed_ctl(SEED_MUTEX, GETVAL) <= 1 &&
	       seed_ctl(SEED_COUNT, GETVAL) + seed_ctl(SEED_SIGNAL, GETVAL) <= SEED_BUFFERS;
}

/* The tutorial's client takes the mutex without SEM_UNDO: killed in its
 * few instructions inside, it leaves the mutex taken and every sender
 * waiting for ever.  The last process to change it is the holder; when
 * that one is gone, give the mutex back (at start and each idle second).
 * No system call reads the last pid and the value together, so: the
 * last pid, the value, the last pid again.  Every semop on the mutex
 * makes its caller the last pid, and the first pid is dead, so the same
 * pid twice means nobody changed the mutex between the two: the 0 read
 * between them is the dead holder's.  From then on nobody can take it
 * (it is 0: a P waits) and nobody gives it back but a holder, and there
 * is none alive: SETVAL cannot release it under a live client.  (A
 * client that gives back what it never took breaks the mutex anyway.) */
static void seed_unstick(void)
{
	/* pid 0: the holder is in another pid namespace, alive or not */
	int pid = seed_ctl(SEED_MUTEX, GETPID);

	if (pid > 0 && !pid_alive(pid) && seed_ctl(SEED_MUTEX, GETVAL) == 0 &&
	    seed_ctl(SEED_MUTEX, GETPID) == pid) {
		warn_msg("--seed", "the mutex was held by a process that died: released");
		seed_setval(SEED_MUTEX, 1);
	}
}

int seed_spool(int out_fd, const char *out_name, volatile sig_atomic_t *stop, int once, int rm)
{
	int fd = xopen(seed_paths[SEED_SHM], O_RDONLY | O_CREAT, 0644), made, idx;

	/* first thing: one shmbox spooler at a time, by a lock it holds
	 * for life and the kernel drops when it dies, even by SIGKILL (the
	 * tutorial's spooler takes none).  LOCK_NB never waits: no EINTR */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			die_msg("--seed", "already has a spooler");
		die_errno(seed_paths[SEED_SHM], "lock", errno);
	}
	made = seed_open(1);
	idx = shm->buffer_print_index;
	if (!seed_sane(made, idx)) {
		if (made != 15)
			warn_msg("--seed", "not a sane spool: set up anew (what it held is lost)");
		/* the tutorial's order: mutex locked until all is set up */
		seed_setval(SEED_MUTEX, 0);
		shm->buffer_index = shm->buffer_print_index = idx = 0;
		seed_setval(SEED_COUNT, SEED_BUFFERS);
		seed_setval(SEED_SIGNAL, 0);
		seed_setval(SEED_MUTEX, 1);
	}
	seed_unstick();
	for (;;) {
		const char *s = shm->buf[idx], *nul;

		/* in 1 s steps: a spooler told to stop gives up waiting;
		 * -x does not wait */
		while (sem_change(seed_paths[SEED_SIGNAL], sems[SEED_SIGNAL], 0, -1,
				  once ? IPC_NOWAIT : 0, 1000)) {
			if (*stop || once)
				goto done;
			seed_unstick();
		}
		/* bounded: a string without its NUL stops at the buffer's end
		 * (strnlen by hand: strnlen is memchr and 68 B more on mipsel) */
		nul = memchr(s, 0, SEED_BUFLEN);
		if (write_all(out_fd, s, nul ? (size_t)(nul - s) : SEED_BUFLEN) < 0)
			die_errno("write", out_name, errno);
		idx = (idx + 1) % SEED_BUFFERS;
		shm->buffer_print_index = idx;
		seed_op(SEED_COUNT, 1, 0, -1);
	}
done:
	/* -R: the four objects, not the key files (others may use them) */
	if (rm) {
		xshmctl(seed_paths[SEED_SHM], sems[SEED_SHM], IPC_RMID, NULL);
		for (int w = SEED_MUTEX; w <= SEED_SIGNAL; w++)
			seed_ctl(w, IPC_RMID);
	}
	return EXIT_OK;
}

/* An option --seed cannot honour is a usage error, not ignored: bad,
 * the given ones among them as opts flags; letters, the applet's */
void seed_refuse(unsigned bad, const char *letters)
{
	char opt[3] = { '-', 0, 0 };

	if (bad) {
		opt[1] = letters[__builtin_ctz(bad)];
		usage_die(opt, "does not go with --seed (the tutorial's protocol fixes it)");
	}
}

static NORETURN void seed_too_long(void)
{
	die_msg("--seed", "message longer than the tutorial's 256-byte buffers");
}

/* SEM_UNDO: dying while holding it must not leave it taken forever */
static void seed_mutex(int op)
{
	seed_op(SEED_MUTEX, op, SEM_UNDO, -1);
}

/* one message into the next buffer as "(PID): text\n"; wait_ms is
 * shmsend's: 0 (-n) fails at once when full, -1 waits, else at most
 * that long */
/* what the buffers cannot carry: an error before anything is sent */
static void seed_check(const char *text, size_t len, size_t need)
{
	if (memchr(text, 0, len))
		die_msg("--seed", "a NUL byte cannot cross the tutorial's protocol");
	if (need >= SEED_BUFLEN)
		seed_too_long();
}

static void seed_put(const char *text, size_t len, int32_t wait_ms)
{
	char pre[16], *buf;
	size_t plen = spool_fmt_prefix(pre, getpid()), need = plen + len + 1;
	int idx;

	seed_check(text, len, need);
	if (seed_op(SEED_COUNT, -1, wait_ms ? 0 : IPC_NOWAIT, wait_ms))
		die_status(EXIT_FULL, "--seed", "spool full", 0);
	seed_mutex(-1);
	idx = shm->buffer_index;
	if (idx < 0 || idx >= SEED_BUFFERS) {
		seed_mutex(1);
		die_msg("--seed", "corrupt buffer index in the tutorial's segment");
	}
	buf = shm->buf[idx];
	memcpy(buf, pre, plen);
	memcpy(buf + plen, text, len);
	buf[need - 1] = '\n';
	buf[need] = 0;
	shm->buffer_index = (idx + 1) % SEED_BUFFERS;
	seed_mutex(1);
	seed_op(SEED_SIGNAL, 1, 0, -1);
}

/* each line of stdin (without its newline) as one message: the
 * tutorial's buffers hold one each */
static void seed_send_lines(int32_t wait_ms)
{
	char buf[SEED_BUFLEN + 1];	/* a longest message and its newline */
	size_t have = 0;

	for (;;) {
		ssize_t n = xread(0, buf + have, sizeof(buf) - have);
		char *nl;

		if (n == 0) {
			/* a last line without its newline */
			if (have)
				seed_put(buf, have, wait_ms);
			return;
		}
		have += (size_t)n;
		while ((nl = memchr(buf, '\n', have))) {
			seed_put(buf, (size_t)(nl - buf), wait_ms);
			have -= (size_t)(nl + 1 - buf);
			move_down(buf, nl + 1, have);
		}
		if (have == sizeof(buf))
			seed_too_long();
	}
}

int seed_send(char **args, int32_t wait_ms)
{
	if (*args) {
		size_t len;
		char *msg = spool_join_args(args, &len), pre[16];

		/* too long is said first, even when there is no spool */
		seed_check(msg, len, spool_fmt_prefix(pre, getpid()) + len + 1);
		seed_open(0);
		seed_put(msg, len, wait_ms);
	} else {
		seed_open(0);
		seed_send_lines(wait_ms);
	}
	return EXIT_OK;
}
