/* shmspool: the spooler.  Owns a System V shared-memory spool and prints
 * every message shmsend puts there, in commit order (seed 000's spooler,
 * without its deadlocks, lost messages and silent truncation). */
//config:config SHMSPOOL
//config:	bool "shmspool: print what shmsend puts into a shared-memory spool"
//config:	default y
//config:	help
//config:	  shmspool [-rxR] [-s SIZE] [-m MODE] [-o FILE] [-k KEY | -f PATH [-j PROJ]] [--seed]
//config:
//config:	  Create the spool if it is missing and print each message that
//config:	  shmsend puts there, in commit order, as "(PID): text", with
//config:	  write(2): a message is out before its space is freed.
//config:
//config:	    -r        the text alone, without "(PID): "
//config:	    -o FILE   append to FILE instead of standard output
//config:	    -x        print what is queued, then exit
//config:	    -R        remove the spool on exit
//config:	    -s SIZE   capacity of a new spool (k/M suffixes; rounded up to
//config:	              a power of two, 4k to 1G; default 64k)
//config:	    -m MODE   permissions of a new spool (octal, default 600)
//config:	    -k KEY    the spool's key (0x hex or decimal); default
//config:	              $SHMBOX_SPOOL, else 0x53484d53
//config:	    -f PATH   the key from ftok(PATH, PROJ); -j PROJ: 1-255 or
//config:	              one character, default 1
//config:	    --seed    serve the tutorial's protocol (keys from /tmp files;
//config:	              with -o, -x, -R only)
//config:
//config:	  One spooler per spool: a second one exits; after a spooler is
//config:	  killed, even with SIGKILL, the next one takes over and prints
//config:	  what is queued. SIGTERM, SIGINT, SIGHUP: print what is
//config:	  committed, exit 0, and leave the spool for the next spooler.
//config:
//config:config FEATURE_SPOOL_SEED
//config:	bool "--seed: the tutorial's spool protocol"
//config:	default y
//config:	depends on SHMSPOOL || SHMSEND
//config:	help
//config:	  shmspool --seed serves the exact protocol of the tutorial's
//config:	  spooler (ten 256-byte buffers, three semaphores, keys from
//config:	  ftok("/tmp/...", 'K')) so its unmodified client works, and
//config:	  shmsend --seed talks to the tutorial's spooler. Unlike the
//config:	  tutorial's spooler, shmspool --seed keeps what is queued when
//config:	  it starts and runs alone (an flock on /tmp/shared_memory_key).
//applet:APPLET(shmspool, APPLET_SYSV)
//options:rxRs:m:o:k:f:j:S(seed)
//usage-option:FEATURE_SPOOL_SEED --seed

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/uio.h>
#include <unistd.h>
#include "spool.h"

enum { OPT_r, OPT_x, OPT_R, OPT_s, OPT_m, OPT_o, OPT_k, OPT_f, OPT_j, OPT_seed };

#define IOV_BATCH 1024	/* the kernel's IOV_MAX: one writev takes a whole batch */

/* the spooler's state in one place: one base address for all of it */
static struct {
	struct spool sp;
	uint32_t tail;	/* our copy of consumed: the segment's is untrusted */
	uint32_t skip;	/* payload bytes of the tail record already out */
	int niov, raw, out_fd;
	const char *out_name;	/* for errors: -o FILE, or standard output */
	volatile sig_atomic_t stop;
} g;

static struct iovec iov[IOV_BATCH];
static char prefixes[IOV_BATCH][16];

static void on_stop(int sig)
{
	(void)sig;
	g.stop = 1;
}

static void add_iov(const void *p, size_t n)
{
	iov[g.niov].iov_base = (void *)p;
	iov[g.niov++].iov_len = n;
}

/* "(PID): ", formatted once per record, in the slot of the record's
 * first iov: a record that adds none (an empty LINES record, which only
 * a corrupt segment holds) leaves its slot to the next, so a batch never
 * needs more than IOV_BATCH of them */
static const char *make_prefix(int32_t pid, size_t *len)
{
	char *p = prefixes[g.niov];

	*len = spool_fmt_prefix(p, pid);
	return p;
}

/* A committed record into iov, straight from the segment: returns how far
 * into its payload the batch got (len when the whole record fitted).
 * Each line of a LINES record gets its own prefix; a MESSAGE, or any
 * record with -r, goes out as one piece. */
static uint32_t add_record(const unsigned char *payload, uint32_t len, uint32_t kind,
			   int32_t pid, uint32_t from)
{
	const unsigned char *p = payload + from, *end = payload + len;
	size_t plen = 0;
	const char *pre = g.raw ? NULL : make_prefix(pid, &plen);

	/* an empty LINES record has no line to print */
	while ((p < end || kind == KIND_MESSAGE) && g.niov <= IOV_BATCH - 3) {
		const unsigned char *next = end, *nl;

		if (pre && kind == KIND_LINES && (nl = memchr(p, '\n', (size_t)(end - p))))
			next = nl + 1;
		if (pre)
			add_iov(pre, plen);
		add_iov(p, (size_t)(next - p));
		/* a message has no newline of its own; a corrupt LINES record
		 * may lack its last one */
		if (kind == KIND_MESSAGE || next[-1] != '\n')
			add_iov("\n", 1);
		p = next;
		if (kind == KIND_MESSAGE)
			break;
	}
	return (uint32_t)(p - payload);
}

static void write_batch(void)
{
	struct iovec *v = iov;
	int n = g.niov;

	while (n > 0) {
		ssize_t w = writev(g.out_fd, v, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die_errno("write", g.out_name, errno);
		}
		while (n > 0 && (size_t)w >= v->iov_len) {
			w -= (ssize_t)v->iov_len;
			v++;
			n--;
		}
		if (n > 0) {
			v->iov_base = (char *)v->iov_base + w;
			v->iov_len -= (size_t)w;
		}
	}
}

enum walk { WALK_EMPTY, WALK_WAIT, WALK_DONE };

/* Gather committed records from the tail into one batch, write it out,
 * and only then free their space.  Stops at a record still being written:
 * order is kept.  A record whose sender died before committing is skipped:
 * its message appears whole or not at all. */
static enum walk drain_batch(void)
{
	struct spool_hdr *h = g.sp.h;	/* a copy the atomics do not make us reload */
	uint32_t res = __atomic_load_n(&h->reserve, __ATOMIC_ACQUIRE);
	uint32_t pos = g.tail, from = g.skip, avail = res - g.tail, waiters;
	enum walk result = WALK_DONE;

	/* with avail, res on a record boundary: so is the tail (consumed,
	 * untrusted when read at start-up), and every record walked */
	if (avail > g.sp.size || (avail | res) % SPOOL_ALIGN)
		spool_corrupt(&g.sp, "reserve position outside the ring");
	if (__atomic_load_n(&h->consumed, __ATOMIC_RELAXED) != g.tail)
		spool_corrupt(&g.sp, "consumed position changed under the spooler");
	if (!avail)
		return WALK_EMPTY;
	g.niov = 0;
	while (pos != res && g.niov <= IOV_BATCH - 3) {
		uint32_t off = pos & g.sp.mask;
		struct spool_rec *r = (struct spool_rec *)(void *)(g.sp.ring + off);
		uint32_t state = __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
		/* read once: the checks below hold for these copies */
		uint32_t len = __atomic_load_n(&r->len, __ATOMIC_RELAXED);
		uint32_t kind = __atomic_load_n(&r->kind, __ATOMIC_RELAXED);
		int32_t pid = __atomic_load_n(&r->pid, __ATOMIC_RELAXED);
		uint32_t room;

		if (len > g.sp.size - off - sizeof(*r) || (room = spool_payload_room(len)) > res - pos)
			spool_corrupt(&g.sp, "record length outside the ring");
		if (state == REC_RESERVED) {
			if (pos != g.tail || pid_alive(pid)) {
				result = pos == g.tail ? WALK_WAIT : WALK_DONE;
				break;
			}
			char msg[SPOOL_MSG_MAX];

			warn_msg(g.sp.keyname, spool_join_num(msg, "dropped a message that pid ",
							    pid, " died writing"));
		} else if (state == REC_PAD) {
			if (off + room != g.sp.size)
				spool_corrupt(&g.sp, "filler record not at the ring's end");
		} else if (state != REC_COMMITTED || (kind != KIND_MESSAGE && kind != KIND_LINES)) {
			spool_corrupt(&g.sp, "unknown record state or kind");
		} else {
			/* the tail record, part written already: nobody may
			 * shrink a committed record, but someone did */
			if (from > len)
				spool_corrupt(&g.sp, "record length changed under the spooler");
			from = add_record((unsigned char *)(r + 1), len, kind, pid, from);
			if (from < len)
				break;
		}
		pos += room;
		from = 0;
	}
	write_batch();
	if (pos == g.tail && from == g.skip)
		return result;
	g.tail = pos;
	g.skip = from;
	__atomic_store_n(&h->consumed, g.tail, __ATOMIC_SEQ_CST);
	/* wake every waiting sender: top SEM_SPACE up to their number (a few
	 * too many wake-ups are harmless: each looks again and sleeps).  Not
	 * add it: a sender killed while waiting never takes itself off
	 * waiters, and the value would grow by it each batch until the
	 * kernel refused it (ERANGE at 32767).  waiters is untrusted:
	 * bounded. */
	waiters = __atomic_load_n(&h->waiters, __ATOMIC_SEQ_CST);
	if (waiters) {
		int want = waiters > 64 ? 64 : (int)waiters;
		int have = xsemctl(g.sp.keyname, g.sp.semid, SEM_SPACE, GETVAL, 0);

		if (want > have)
			sem_change(g.sp.keyname, g.sp.semid, SEM_SPACE, want - have, 0, -1);
	}
	return result;
}

/* Is there something at the tail to write now? */
static int tail_ready(struct spool_hdr *h)
{
	uint32_t res = __atomic_load_n(&h->reserve, __ATOMIC_SEQ_CST);
	struct spool_rec *r = (struct spool_rec *)(void *)(g.sp.ring + (g.tail & g.sp.mask));

	return res != g.tail && __atomic_load_n(&r->state, __ATOMIC_SEQ_CST) != REC_RESERVED;
}

/* Sleep until a sender's commit wakes us (or ms pass, or a signal).
 * The flag is set before the last look, the sender commits before it
 * looks at the flag: one of the two sees the other. */
static void sleep_for_senders(int ms)
{
	struct spool_hdr *h = g.sp.h;

	__atomic_store_n(&h->sleeping, 1, __ATOMIC_SEQ_CST);
	if (!tail_ready(h) && !g.stop)
		sem_change(g.sp.keyname, g.sp.semid, SEM_WAKE, -1, 0, ms);
	__atomic_store_n(&h->sleeping, 0, __ATOMIC_SEQ_CST);
}

static uint32_t ring_size_arg(const char *arg)
{
	/* at most SPOOL_MAX_SIZE: 32 bits do */
	uint32_t want = (uint32_t)xparse_size("-s", arg, SPOOL_MAX_SIZE);
	uint32_t size = SPOOL_MIN_SIZE;

	while (size < want)
		size <<= 1;
	return size;
}

int shmspool_main(int argc, char **argv)
{
	struct opts o;
	uint32_t size = SPOOL_DEFAULT_SIZE;
	int mode = 0600;

	(void)argc;
	opt_parse(argv, "rxRs:m:o:k:f:j:" IF_FEATURE_SPOOL_SEED("S(seed)"), &o);
	if (o.nrest)
		usage_die("extra argument", o.rest[0]);
	if (ENABLE_FEATURE_SPOOL_SEED && OPT(&o, OPT_seed))
		seed_refuse(o.flags & (1u << OPT_r | 1u << OPT_s | 1u << OPT_m | 1u << OPT_k |
				       1u << OPT_f | 1u << OPT_j), "rxRsmokfj");
	g.raw = OPT(&o, OPT_r) != 0;
	if (o.arg[OPT_s])
		size = ring_size_arg(o.arg[OPT_s]);
	if (o.arg[OPT_m])
		mode = (int)xparse_u64("-m", o.arg[OPT_m], 8, 0777);
	g.out_name = o.arg[OPT_o] ? o.arg[OPT_o] : "standard output";
	g.out_fd = o.arg[OPT_o] ? xopen(o.arg[OPT_o], O_WRONLY | O_CREAT | O_APPEND, 0666) : 1;
	xsigaction(SIGTERM, on_stop);
	xsigaction(SIGINT, on_stop);
	xsigaction(SIGHUP, on_stop);
	/* a closed output is a write error we report, not a silent death */
	xsigaction(SIGPIPE, SIG_IGN);
	if (ENABLE_FEATURE_SPOOL_SEED && OPT(&o, OPT_seed))
		return seed_spool(g.out_fd, g.out_name, &g.stop, OPT(&o, OPT_x), OPT(&o, OPT_R));

	spool_create(&g.sp, spool_key(o.arg[OPT_k], o.arg[OPT_f], o.arg[OPT_j]), size, mode);
	if (o.arg[OPT_s] && g.sp.size != size)
		warn_msg(g.sp.keyname, "the spool exists with another size: -s ignored (remove it with -R to change it)");
	g.tail = g.sp.h->consumed;
	for (;;) {
		enum walk w = drain_batch();

		if (w == WALK_DONE)
			continue;
		if (g.stop || (w == WALK_EMPTY && OPT(&o, OPT_x)))
			break;
		/* waiting on a live sender: look again soon in case it dies */
		sleep_for_senders(w == WALK_WAIT ? 50 : 1000);
	}
	if (OPT(&o, OPT_R)) {
		xshmctl(g.sp.keyname, g.sp.shmid, IPC_RMID, NULL);
		xsemctl(g.sp.keyname, g.sp.semid, 0, IPC_RMID, 0);
	}
	return EXIT_OK;
}
