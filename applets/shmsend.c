/* shmsend: put messages into the spool that shmspool prints. */
//config:config SHMSEND
//config:	bool "shmsend: put messages into a shared-memory spool"
//config:	default y
//config:	help
//config:	  shmsend [-n] [-t SECS] [-k KEY | -f PATH [-j PROJ]] [--seed] [TEXT...]
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
//config:	    --seed    talk to the tutorial's spooler (its keys under /tmp;
//config:	              not with -k, -f, -j)
//config:
//config:	  Without -n or -t, a full spool is waited for. With no shmspool
//config:	  running, messages queue until the spool is full and are printed
//config:	  when a spooler starts.
//applet:APPLET(shmsend, APPLET_SYSV)
//options:nt:k:f:j:S(seed)
//usage-option:FEATURE_SPOOL_SEED --seed

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

/* the sender's state in one place: one base address for all of it */
static struct {
	struct spool sp;
	int32_t my_pid;
	int32_t wait_ms;	/* -1: forever; -t: at most 10^9 */
	int warned;
} g;

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
static void lock_reserve(struct spool_hdr *h)
{
	uint32_t *lock = &h->lock;
	uint32_t since = 0;	/* when a live holder was first seen; 0: not yet */

	for (unsigned spins = 0;; spins++) {
		uint32_t holder = 0;

		if (__atomic_compare_exchange_n(lock, &holder, (uint32_t)g.my_pid, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		if (spins < 64)
			continue;
		if (!pid_alive((int32_t)holder)) {
			__atomic_compare_exchange_n(lock, &holder, 0, 0,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
			continue;
		}
		/* since - 1 (never 0: now_ms() is even), so the test is > 10001:
		 * more than 10 s since then */
		if (!since) {
			since = now_ms() - 1;
		} else if (now_ms() - since > 10001) {
			die_msg(g.sp.keyname, "the reservation lock is held by a live process for 10 s (stopped? corrupt?)");
		}
		sched_yield();
	}
}

static void unlock_reserve(struct spool_hdr *h)
{
	__atomic_store_n(&h->lock, 0, __ATOMIC_RELEASE);
}

static void put_rec(uint32_t off, uint32_t state, uint32_t len, uint32_t kind)
{
	struct spool_rec *r = (struct spool_rec *)(void *)(g.sp.ring + off);

	r->len = len;
	r->pid = g.my_pid;
	r->kind = kind;
	__atomic_store_n(&r->state, state, __ATOMIC_RELAXED);
}

/* Reserve room for a record of len payload bytes: its offset, or -1 when
 * the spool is full.  A record never wraps: a filler takes the ring's end. */
static int64_t reserve(uint32_t len, uint32_t kind)
{
	struct spool_hdr *h = g.sp.h;	/* a copy the atomics do not make us reload */
	uint32_t need = spool_payload_room(len), r, used, off, pad = 0;

	lock_reserve(h);
	r = h->reserve;
	used = r - __atomic_load_n(&h->consumed, __ATOMIC_ACQUIRE);
	/* r off a record boundary would put a record header across the
	 * ring's end, past the segment */
	if (used > g.sp.size || (used | r) % SPOOL_ALIGN) {
		unlock_reserve(h);
		spool_corrupt(&g.sp, "reserve and consumed positions do not fit the ring");
	}
	off = r & g.sp.mask;
	if (off + need > g.sp.size)
		pad = g.sp.size - off;
	if (used + pad + need > g.sp.size) {
		unlock_reserve(h);
		return -1;
	}
	if (pad)
		put_rec(off, REC_PAD, pad - (uint32_t)sizeof(struct spool_rec), 0);
	off = (r + pad) & g.sp.mask;
	put_rec(off, REC_RESERVED, len, kind);
	/* the commit point: from here on the spooler sees the record */
	__atomic_store_n(&h->reserve, r + pad + need, __ATOMIC_RELEASE);
	unlock_reserve(h);
	return off;
}

static void commit(uint32_t off)
{
	struct spool_rec *r = (struct spool_rec *)(void *)(g.sp.ring + off);
	struct spool_hdr *h = g.sp.h;

	__atomic_store_n(&r->state, REC_COMMITTED, __ATOMIC_SEQ_CST);
	/* paired with the spooler's store to sleeping and re-check */
	if (__atomic_load_n(&h->sleeping, __ATOMIC_SEQ_CST) &&
	    __atomic_exchange_n(&h->sleeping, 0, __ATOMIC_SEQ_CST))
		sem_change(g.sp.keyname, g.sp.semid, SEM_WAKE, 1, 0, -1);
}

/* Sleep until the spooler frees space, or the -n/-t limit says stop. */
static void wait_for_room(uint32_t start)
{
	struct spool_hdr *h = g.sp.h;
	int32_t left = 100;

	if (g.wait_ms == 0)
		die_status(EXIT_FULL, g.sp.keyname, "spool full", 0);
	if (g.wait_ms > 0) {
		/* unsigned: now_ms() wraps */
		uint32_t waited = now_ms() - start;

		if (waited >= (uint32_t)g.wait_ms)
			die_status(EXIT_FULL, g.sp.keyname, "spool full: timed out", 0);
		left = g.wait_ms - (int32_t)waited;
	}
	if (!g.warned && xsemctl(g.sp.keyname, g.sp.semid, SEM_OWNER, GETVAL, 0) == 0) {
		warn_msg(g.sp.keyname, "spool full and no shmspool running: waiting");
		g.warned = 1;
	}
	__atomic_add_fetch(&h->waiters, 1, __ATOMIC_SEQ_CST);
	sem_change(g.sp.keyname, g.sp.semid, SEM_SPACE, -1, 0, left > 100 ? 100 : left);
	__atomic_sub_fetch(&h->waiters, 1, __ATOMIC_SEQ_CST);
}

static void send_record(const void *payload, uint32_t len, uint32_t kind)
{
	uint32_t start = g.wait_ms > 0 ? now_ms() : 0;
	int64_t off;

	while ((off = reserve(len, kind)) < 0)
		wait_for_room(start);
	memcpy(g.sp.ring + off + sizeof(struct spool_rec), payload, len);
	commit((uint32_t)off);
}

/* what: "message of N bytes", or a line of stdin, whose length is not
 * known: its end may never come */
static NORETURN void too_long(const char *what, uint32_t max)
{
	char why[SPOOL_MSG_MAX];

	die_msg(what, spool_join_num(why, "longer than the maximum of ", max, NULL));
}

/* TEXT...: one message, the words joined by spaces */
static void send_args(char **args, uint32_t max, int seed)
{
	size_t total = 0, n = 0;
	char *msg;

	for (char **a = args; *a; a++)
		total += strlen(*a) + 1;
	if (total - 1 > max) {
		char what[SPOOL_MSG_MAX];

		if (seed)
			seed_too_long();
		too_long(spool_join_num(what, "message of ", (int64_t)(total - 1), " bytes"), max);
	}
	msg = xmmap("buffer", total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	for (char **a = args; *a; a++) {
		size_t l = strlen(*a);

		memcpy(msg + n, *a, l);
		n += l;
		msg[n++] = ' ';
	}
	if (seed)
		seed_put(msg, total - 1, g.wait_ms);
	else
		send_record(msg, (uint32_t)(total - 1), KIND_MESSAGE);
}

/* stdin: each read's complete lines go in one record, so a busy producer
 * costs one reservation per block, not per line; --seed: one message a
 * line, without its newline (the tutorial's buffers hold one each) */
static void send_lines(uint32_t max, int seed)
{
	uint32_t cap = max + 1;	/* a longest message and its newline */
	char *buf = xmmap("buffer", cap + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	uint32_t have = 0;

	for (;;) {
		ssize_t n = xread(0, buf + have, cap - have);
		char *end;

		if (n == 0) {
			if (!have)
				return;
			/* a last line without its newline */
			if (seed) {
				seed_put(buf, have, g.wait_ms);
				return;
			}
			buf[have++] = '\n';
			send_record(buf, have, KIND_LINES);
			return;
		}
		have += (uint32_t)n;
		do {
			if (seed) {	/* past the first newline */
				end = memchr(buf, '\n', have);
				end = end ? end + 1 : buf;
			} else {	/* past the last one; memrchr by hand:
					 * musl's is this byte loop too */
				for (end = buf + have; end > buf && end[-1] != '\n'; end--)
					;
			}
			if (end == buf)
				break;
			if (seed)
				seed_put(buf, (size_t)(end - 1 - buf), g.wait_ms);
			else
				send_record(buf, (uint32_t)(end - buf), KIND_LINES);
			have -= (uint32_t)(end - buf);
			move_down(buf, end, have);
		} while (seed);
		if (have == cap) {
			if (seed)
				seed_too_long();
			too_long("a line of standard input", max);
		}
	}
}

int shmsend_main(int argc, char **argv)
{
	struct opts o;
	uint32_t max;
	int seed;

	(void)argc;
	opt_parse(argv, "nt:k:f:j:" IF_FEATURE_SPOOL_SEED("S(seed)"), &o);
	seed = ENABLE_FEATURE_SPOOL_SEED && OPT(&o, OPT_seed);
	g.wait_ms = OPT(&o, OPT_n) ? 0 : -1;
	if (o.arg[OPT_t])
		g.wait_ms = (int32_t)xparse_u64("-t", o.arg[OPT_t], 10, 1000000) * 1000;
	if (seed) {
		seed_refuse(o.flags & (1u << OPT_k | 1u << OPT_f | 1u << OPT_j), "ntkfj");
		seed_open(0);
		max = SEED_BUFLEN;
	} else {
		spool_attach(&g.sp, spool_key(o.arg[OPT_k], o.arg[OPT_f], o.arg[OPT_j]));
		g.my_pid = (int32_t)getpid();
		max = SPOOL_MAX_PAYLOAD(&g.sp) - 1;
	}
	if (o.nrest)
		send_args(o.rest, max, seed);
	else
		send_lines(max, seed);
	return EXIT_OK;
}
