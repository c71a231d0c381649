/* shmsend: put messages into the spool that shmspool prints. */
//config:config SHMSEND
//config:	bool "shmsend: put messages into a shared-memory spool"
//config:	default y
//config:	help
//config:	  shmsend [-n] [-t SECS] [-k KEY | -f PATH [-j PROJ]] [TEXT...]
//config:
//config:	  Put a message into the spool that shmspool prints: the TEXT
//config:	  arguments joined by spaces, or, without TEXT, every line of
//config:	  standard input (lines are sent in blocks as they arrive; empty
//config:	  lines and NUL bytes are sent exactly). A message may hold at
//config:	  most a quarter of the spool's size less 17 bytes (16,367 for the
//config:	  default 64 KiB spool); a longer one is an error and is not sent.
//config:
//config:	    -n        fail at once when the spool is full (exit 5)
//config:	    -t SECS   wait at most SECS seconds for room (then exit 5)
//config:	    -k KEY    the spool's key (0x hex or decimal); default
//config:	              $SHMBOX_SPOOL, else 0x53484d53
//config:	    -f PATH   the key from ftok(PATH, PROJ); -j PROJ: 1-255 or
//config:	              one character, default 1
//config:	    --seed    talk to the tutorial's spooler (its keys under /tmp)
//config:
//config:	  Without -n or -t, a full spool is waited for. With no shmspool
//config:	  running, messages queue until the spool is full and are printed
//config:	  when a spooler starts.
//applet:APPLET(shmsend, APPLET_SYSV)

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include "spool.h"

enum { OPT_n, OPT_t, OPT_k, OPT_f, OPT_j, OPT_seed };

static struct spool sp;
static int32_t my_pid;
static int32_t wait_ms = -1;	/* -1: forever; -t: at most 10^9 */

/* A coarse clock for the -t and lock limits: times(2) counts USER_HZ
 * ticks (100 a second on every Linux ABI) and needs neither the vDSO
 * (~0.9 KB) nor 64-bit time on 32-bit targets; differences are taken
 * in unsigned arithmetic, so its wrapping does not matter. */
static uint32_t now_ms(void)
{
	struct tms t;

	return (uint32_t)times(&t) * 10u;
}

/* The reservation lock: a CAS from 0 to our pid.  It is held for a few
 * stores, never across a system call, so waiting means spinning briefly;
 * a holder that died (SIGKILL) is detected and its lock taken over. */
static void lock_reserve(void)
{
	uint32_t *lock = &sp.h->lock;
	uint32_t since = 0;
	int timing = 0;

	for (unsigned spins = 0;; spins++) {
		uint32_t holder = 0;

		if (__atomic_compare_exchange_n(lock, &holder, (uint32_t)my_pid, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		if (spins < 64)
			continue;
		if (!pid_alive((int32_t)holder)) {
			__atomic_compare_exchange_n(lock, &holder, 0, 0,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
			continue;
		}
		if (!timing) {
			since = now_ms();
			timing = 1;
		} else if (now_ms() - since > 10000) {
			die_msg(sp.keyname, "the reservation lock is held by a live process for 10 s (stopped? corrupt?)");
		}
		sched_yield();
	}
}

static void unlock_reserve(void)
{
	__atomic_store_n(&sp.h->lock, 0, __ATOMIC_RELEASE);
}

static void put_rec(uint32_t off, uint32_t state, uint32_t len, uint32_t kind)
{
	struct spool_rec *r = (struct spool_rec *)(void *)(sp.ring + off);

	r->len = len;
	r->pid = my_pid;
	r->kind = kind;
	__atomic_store_n(&r->state, state, __ATOMIC_RELAXED);
}

/* Reserve room for a record of len payload bytes: its offset, or -1 when
 * the spool is full.  A record never wraps: a filler takes the ring's end. */
static int64_t reserve(uint32_t len, uint32_t kind)
{
	uint32_t need = spool_payload_room(len), r, used, off, pad = 0;

	lock_reserve();
	r = sp.h->reserve;
	used = r - __atomic_load_n(&sp.h->consumed, __ATOMIC_ACQUIRE);
	if (used > sp.size || used % SPOOL_ALIGN) {
		unlock_reserve();
		spool_corrupt(&sp, "reserve and consumed positions do not fit the ring");
	}
	off = r & sp.mask;
	if (off + need > sp.size)
		pad = sp.size - off;
	if (used + pad + need > sp.size) {
		unlock_reserve();
		return -1;
	}
	if (pad)
		put_rec(off, REC_PAD, pad - (uint32_t)sizeof(struct spool_rec), 0);
	off = (r + pad) & sp.mask;
	put_rec(off, REC_RESERVED, len, kind);
	/* the commit point: from here on the spooler sees the record */
	__atomic_store_n(&sp.h->reserve, r + pad + need, __ATOMIC_RELEASE);
	unlock_reserve();
	return off;
}

static void commit(uint32_t off)
{
	struct spool_rec *r = (struct spool_rec *)(void *)(sp.ring + off);

	__atomic_store_n(&r->state, REC_COMMITTED, __ATOMIC_SEQ_CST);
	/* paired with the spooler's store to sleeping and re-check */
	if (__atomic_load_n(&sp.h->sleeping, __ATOMIC_SEQ_CST) &&
	    __atomic_exchange_n(&sp.h->sleeping, 0, __ATOMIC_SEQ_CST))
		sem_change(sp.keyname, sp.semid, SEM_WAKE, 1, 0, -1);
}

/* Sleep until the spooler frees space, or the -n/-t limit says stop. */
static void wait_for_room(uint32_t start)
{
	static int warned;
	int32_t left = 100;

	if (wait_ms == 0)
		die_status(EXIT_FULL, sp.keyname, "spool full", 0);
	if (wait_ms > 0) {
		/* unsigned: now_ms() wraps */
		uint32_t waited = now_ms() - start;

		if (waited >= (uint32_t)wait_ms)
			die_status(EXIT_FULL, sp.keyname, "spool full: timed out", 0);
		left = wait_ms - (int32_t)waited;
	}
	if (!warned && xsemctl(sp.keyname, sp.semid, SEM_OWNER, GETVAL, 0) == 0) {
		warn_msg(sp.keyname, "spool full and no shmspool running: waiting");
		warned = 1;
	}
	__atomic_add_fetch(&sp.h->waiters, 1, __ATOMIC_SEQ_CST);
	sem_change(sp.keyname, sp.semid, SEM_SPACE, -1, 0, left > 100 ? 100 : left);
	__atomic_sub_fetch(&sp.h->waiters, 1, __ATOMIC_SEQ_CST);
}

static void send_record(const void *payload, uint32_t len, uint32_t kind)
{
	uint32_t start = wait_ms > 0 ? now_ms() : 0;
	int64_t off;

	while ((off = reserve(len, kind)) < 0)
		wait_for_room(start);
	memcpy(sp.ring + off + sizeof(struct spool_rec), payload, len);
	commit((uint32_t)off);
}

static NORETURN void too_long(uint64_t len, uint32_t max)
{
	char what[48], why[56];

	die_msg(str_join_num(what, sizeof(what), "message of ", NULL, (int64_t)len, " bytes"),
		str_join_num(why, sizeof(why), "longer than the maximum of ", NULL, max, NULL));
}

/* TEXT...: one message, the words joined by spaces */
static void send_args(char **args, uint32_t max)
{
	size_t total = 0, n = 0;
	char *msg;

	for (char **a = args; *a; a++)
		total += strlen(*a) + 1;
	if (total - 1 > max)
		too_long(total - 1, max);
	msg = xmmap("buffer", total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	for (char **a = args; *a; a++) {
		size_t l = strlen(*a);

		memcpy(msg + n, *a, l);
		n += l;
		msg[n++] = ' ';
	}
	send_record(msg, (uint32_t)(total - 1), KIND_MESSAGE);
}

/* stdin: each read's complete lines go in one record, so a busy producer
 * costs one reservation per block, not per line */
static void send_lines(uint32_t max)
{
	uint32_t cap = max + 1;	/* a longest message and its newline */
	char *buf = xmmap("buffer", cap + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	uint32_t have = 0;

	for (;;) {
		ssize_t n = xread(0, buf + have, cap - have);
		char *last;

		if (n == 0) {
			if (have) {	/* a last line without its newline */
				buf[have++] = '\n';
				send_record(buf, have, KIND_LINES);
			}
			return;
		}
		have += (uint32_t)n;
		last = memrchr(buf, '\n', have);
		if (!last) {
			if (have == cap)
				too_long(have, max);
			continue;
		}
		send_record(buf, (uint32_t)(last + 1 - buf), KIND_LINES);
		have -= (uint32_t)(last + 1 - buf);
		move_down(buf, last + 1, have);
	}
}

int shmsend_main(int argc, char **argv)
{
	struct opts o;

	(void)argc;
	opt_parse(argv, "nt:k:f:j:" IF_FEATURE_SPOOL_SEED("S(seed)"), &o);
	if (OPT(&o, OPT_n))
		wait_ms = 0;
	if (o.arg[OPT_t])
		wait_ms = (int32_t)xparse_u64("-t", o.arg[OPT_t], 10, 1000000) * 1000;
	if (ENABLE_FEATURE_SPOOL_SEED && OPT(&o, OPT_seed))
		return seed_send(o.rest, wait_ms == 0);
	spool_attach(&sp, spool_key(o.arg[OPT_k], o.arg[OPT_f], o.arg[OPT_j]));
	my_pid = (int32_t)getpid();
	if (o.nrest)
		send_args(o.rest, sp.max_payload - 1);
	else
		send_lines(sp.max_payload - 1);
	return EXIT_OK;
}
