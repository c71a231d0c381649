/* The tutorial's spool protocol (shared/seeds/000), for shmspool --seed
 * and shmsend --seed: ten 256-byte buffers in a segment and three
 * one-semaphore sets, all keyed by ftok("/tmp/...", 'K').  We speak it
 * exactly, but check what we read (indexes, string lengths) and never
 * split a message silently. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include "spool.h"

#define SEED_BUFFERS 10
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

/* P or V on one of the three semaphores, EINTR retried: 0, or EAGAIN
 * for IPC_NOWAIT */
static int seed_op(int which, int op, int flags)
{
	int r;

	while ((r = sem_change(seed_paths[which], sems[which], 0, op, flags, -1)) == EINTR)
		;
	return r;
}

void seed_open(int create)
{
	int flags = create ? 0660 | IPC_CREAT : 0;

	/* the three semaphores, then the segment: 1, 2, 3, 0 */
	for (int i = SEED_MUTEX; i <= SEED_SIGNAL + 1; i++) {
		int w = i & 3;
		key_t k = seed_key(w, create);

		sems[w] = w ? xsemget(seed_paths[w], k, 1, flags) :
			xshmget(seed_paths[w], k, sizeof(struct seed_shm), flags);
	}
	shm = xshmat(seed_paths[SEED_SHM], sems[SEED_SHM], 0);
}

int seed_spool(int out_fd, volatile sig_atomic_t *stop)
{
	int idx = 0;

	seed_open(1);
	/* the tutorial's order: mutex locked until all is set up */
	seed_setval(SEED_MUTEX, 0);
	shm->buffer_index = shm->buffer_print_index = 0;
	seed_setval(SEED_COUNT, SEED_BUFFERS);
	seed_setval(SEED_SIGNAL, 0);
	seed_setval(SEED_MUTEX, 1);
	for (;;) {
		const char *s = shm->buf[idx], *nul;

		/* in 1 s steps: a spooler told to stop gives up waiting */
		while (sem_change(seed_paths[SEED_SIGNAL], sems[SEED_SIGNAL], 0, -1, 0, 1000))
			if (*stop)
				return EXIT_OK;
		/* bounded: a string without its NUL stops at the buffer's end
		 * (strnlen by hand: it is memchr and 0.1 KB more on mipsel) */
		nul = memchr(s, 0, SEED_BUFLEN);
		if (write_all(out_fd, s, nul ? (size_t)(nul - s) : SEED_BUFLEN) < 0)
			die_errno("write", NULL, errno);
		idx = (idx + 1) % SEED_BUFFERS;
		shm->buffer_print_index = idx;
		seed_op(SEED_COUNT, 1, 0);
	}
}

NORETURN void seed_too_long(void)
{
	die_msg("--seed", M("message longer than the tutorial's 256-byte buffers"));
}

/* SEM_UNDO: dying while holding it must not leave it taken forever */
static void seed_mutex(int op)
{
	seed_op(SEED_MUTEX, op, SEM_UNDO);
}

/* one message into the next buffer as "(PID): text\n"; wait_ms is
 * shmsend's: 0 (-n) fails at once when full, else it waits (the
 * protocol has no timeout) */
void seed_put(const char *text, size_t len, int32_t wait_ms)
{
	char pre[16], *buf;
	size_t plen = spool_fmt_prefix(pre, getpid()), need = plen + len + 1;
	int idx;

	if (memchr(text, 0, len))
		die_msg("--seed", M("a NUL byte cannot cross the tutorial's protocol"));
	if (need >= SEED_BUFLEN)
		seed_too_long();
	if (seed_op(SEED_COUNT, -1, wait_ms ? 0 : IPC_NOWAIT))
		die_status(EXIT_FULL, "--seed", M("spool full"), 0);
	seed_mutex(-1);
	idx = shm->buffer_index;
	if (idx < 0 || idx >= SEED_BUFFERS) {
		seed_mutex(1);
		die_msg("--seed", M("corrupt buffer index in the tutorial's segment"));
	}
	buf = shm->buf[idx];
	memcpy(buf, pre, plen);
	memcpy(buf + plen, text, len);
	buf[need - 1] = '\n';
	buf[need] = 0;
	shm->buffer_index = (idx + 1) % SEED_BUFFERS;
	seed_mutex(1);
	seed_op(SEED_SIGNAL, 1, 0);
}
