/* The spool's consumer half: walk the committed records from the tail,
 * write them out straight from the segment (writev), and only then free
 * their space; sleep until a sender commits. */
#include <errno.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/uio.h>
#include "spool.h"
#include "spoolfwd.h"

#define IOV_BATCH 1024	/* the kernel's IOV_MAX: one writev takes a whole batch */

/* one batch at a time, for the one spooler of a process */
static struct iovec iov[IOV_BATCH];
static char prefixes[IOV_BATCH][16];
static int niov;
/* -F: the batch's messages, one per message (a LINES record: per line) */
static struct spool_msg msgs[FWD_WINDOW];
static int nmsg;
/* the record being added: its time, pid, priority and tag */
static struct spool_msg rec_msg;
/* the compiler drops all of forwarding without FEATURE_SPOOL_FORWARD */
#define FORWARDING(rd) (ENABLE_FEATURE_SPOOL_FORWARD && (rd)->fwd)

static void add_msg(const unsigned char *p, size_t n)
{
	struct spool_msg *m = &msgs[nmsg++];

	*m = rec_msg;
	m->text = p;
	m->len = (uint32_t)n;
}

/* room in the batch for one more message, its prefix and newline */
static int batch_room(const struct spool_reader *rd)
{
	return niov <= IOV_BATCH - 3 && (!FORWARDING(rd) || nmsg < FWD_WINDOW);
}

static void add_iov(const void *p, size_t n)
{
	iov[niov].iov_base = (void *)p;
	iov[niov++].iov_len = n;
}

/* "(PID): ", formatted once per record, in the slot of the record's
 * first iov: a record that adds none (an empty LINES record, which only
 * a corrupt segment holds) leaves its slot to the next, so a batch never
 * needs more than IOV_BATCH of them */
static const char *make_prefix(int32_t pid, size_t *len)
{
	char *p = prefixes[niov];

	*len = spool_fmt_prefix(p, pid);
	return p;
}

/* A committed record into iov, straight from the segment: returns how far
 * into its payload the batch got (len when the whole record fitted).
 * Each line of a LINES record gets its own prefix; a MESSAGE, or any
 * record with -r, goes out as one piece. */
static uint32_t add_record(const struct spool_reader *rd, const unsigned char *payload,
			   uint32_t len, uint32_t kind, int32_t pid, uint32_t from, uint32_t taglen)
{
	/* the text follows the tag */
	const unsigned char *p = payload + (from > taglen ? from : taglen), *end = payload + len;
	size_t plen = 0;
	const char *pre = rd->raw ? NULL : make_prefix(pid, &plen);

	/* an empty LINES record has no line to print */
	while ((p < end || kind == KIND_MESSAGE) && batch_room(rd)) {
		const unsigned char *next = end, *nl;

		if ((pre || FORWARDING(rd)) && kind == KIND_LINES && (nl = memchr(p, '\n', (size_t)(end - p))))
			next = nl + 1;
		if (FORWARDING(rd))
			add_msg(p, (size_t)(next - p) - (kind == KIND_LINES && next[-1] == '\n'));
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

static void write_batch(const struct spool_reader *rd)
{
	struct iovec *v = iov;
	int n = rd->no_out ? 0 : niov;

	while (n > 0) {
		ssize_t w = writev(rd->out_fd, v, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die_errno("write", rd->out_name, errno);
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

/* wake every waiting sender: top SEM_SPACE up to their number (a few
 * too many wake-ups are harmless: each looks again and sleeps).  Not
 * add it: a sender killed while waiting never takes itself off
 * waiters, and the value would grow by it each batch until the
 * kernel refused it (ERANGE at 32767).  waiters is untrusted:
 * bounded. */
static void wake_waiters(const struct spool *s)
{
	uint32_t waiters = __atomic_load_n(&s->h->waiters, __ATOMIC_SEQ_CST);

	if (waiters) {
		int want = waiters > 64 ? 64 : (int)waiters;
		int have = xsemctl(s->keyname, s->semid, SEM_SPACE, GETVAL, 0);

		if (want > have)
			sem_change(s->keyname, s->semid, SEM_SPACE, want - have, 0, -1);
	}
}

/* What is out, for senders (consumed) and for the next spooler after a
 * death (skip inside the record at skip_pos), so that it repeats at most
 * one batch.  In this order: dying after the first store leaves an
 * old skip_pos, and the skip of a record written whole meanwhile (one
 * longer is taken as 0 by the next spooler); after the second, a skip_pos
 * that is not the tail: the record from its start, this batch again. */
static void save_progress(struct spool_reader *rd, uint32_t pos, uint32_t from)
{
	struct spool_hdr *h = rd->sp.h;

	__atomic_store_n(&h->skip, from, __ATOMIC_RELAXED);
	__atomic_store_n(&h->consumed, pos, __ATOMIC_SEQ_CST);
	__atomic_store_n(&h->skip_pos, pos, __ATOMIC_RELAXED);
	rd->tail = pos;
	rd->skip = from;
}

/* The skip a spooler that died left for the tail record, if it is still
 * the tail and its state and length allow it (untrusted: 0 otherwise) */
static uint32_t saved_skip(const struct spool_reader *rd)
{
	const struct spool *s = &rd->sp;
	const struct spool_rec *r = (const struct spool_rec *)(const void *)(s->ring + (rd->tail & s->mask));
	uint32_t skip = __atomic_load_n(&s->h->skip, __ATOMIC_RELAXED);

	if (__atomic_load_n(&s->h->skip_pos, __ATOMIC_RELAXED) != rd->tail ||
	    __atomic_load_n(&s->h->reserve, __ATOMIC_ACQUIRE) == rd->tail ||
	    __atomic_load_n(&r->state, __ATOMIC_ACQUIRE) != REC_COMMITTED ||
	    skip > __atomic_load_n(&r->len, __ATOMIC_RELAXED))
		return 0;
	return skip;
}

enum walk { WALK_EMPTY, WALK_WAIT, WALK_DONE, WALK_STOPPED };

/* The tail record is still RESERVED: is its sender gone for good?  NULL
 * while it may yet commit, else why we give up on it.  Its pid is
 * checked only where it means what it says: not when the sender marked
 * it unchecked (another pid namespace than ours, or an unknown one), nor
 * when it was reserved under a spooler of another namespace (old_left).
 * Those are waited for, SPOOL_UNCHECKED_MS at most: then a sender that
 * commits after all is told (its commit fails). */
static const char *owner_gone(struct spool_reader *rd, int32_t pid, uint32_t kind)
{
	uint32_t now;

	if (!(kind & SPOOL_UNCHECKED) && !rd->old_left)
		return pid_alive(pid) ? NULL : " died writing";
	now = spool_now_ms() | 1;	/* never 0: "not waiting" */
	if (!rd->wait_since)
		rd->wait_since = now;
	return now - rd->wait_since > SPOOL_UNCHECKED_MS ? " of another pid namespace held for 60 s" : NULL;
}

/* Gather committed records from the tail into one batch, write it out,
 * and only then free their space.  Stops at a record still being written:
 * order is kept.  A record whose sender died before committing is skipped:
 * its message appears whole or not at all.  (Skipped: RESERVED -> DROPPED
 * in one CAS; when the sender committed since we looked, the CAS fails
 * and the record is read again, now committed.) */
static enum walk drain_batch(struct spool_reader *rd, volatile sig_atomic_t *stop)
{
	const struct spool *s = &rd->sp;
	struct spool_hdr *h = s->h;	/* a copy the atomics do not make us reload */
	uint32_t res = __atomic_load_n(&h->reserve, __ATOMIC_ACQUIRE);
	uint32_t pos = rd->tail, from = rd->skip, avail = res - rd->tail;
	enum walk result = WALK_DONE;

	/* with avail, res on a record boundary: so is the tail (consumed,
	 * untrusted when read at start-up), and every record walked */
	if (avail > s->size || (avail | res) % SPOOL_ALIGN)
		spool_corrupt(s, "reserve position outside the ring");
	if (__atomic_load_n(&h->consumed, __ATOMIC_RELAXED) != rd->tail)
		spool_corrupt(s, "consumed position changed under the spooler");
	if (!avail)
		return WALK_EMPTY;
	niov = nmsg = 0;
	while (pos != res && batch_room(rd)) {
		uint32_t off = pos & s->mask;
		struct spool_rec *r = (struct spool_rec *)(void *)(s->ring + off);
		uint32_t state = __atomic_load_n(&r->state, __ATOMIC_ACQUIRE);
		/* read once: the checks below hold for these copies */
		uint32_t len = __atomic_load_n(&r->len, __ATOMIC_RELAXED);
		uint32_t kind = __atomic_load_n(&r->kind, __ATOMIC_RELAXED);
		int32_t pid = __atomic_load_n(&r->pid, __ATOMIC_RELAXED);
		uint32_t taglen = __atomic_load_n(&r->taglen, __ATOMIC_RELAXED);
		uint32_t room;

		if (len > s->size - off - sizeof(*r) || (room = spool_payload_room(len)) > res - pos)
			spool_corrupt(s, "record length outside the ring");
		if (state == REC_RESERVED) {
			const char *why;
			char msg[96];

			if (pos != rd->tail || !(why = owner_gone(rd, pid, kind))) {
				result = pos == rd->tail ? WALK_WAIT : WALK_DONE;
				break;
			}
			if (!__atomic_compare_exchange_n(&r->state, &state, REC_DROPPED, 0,
							 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				continue;	/* committed after all: read it again */
			warn_msg(s->keyname, str_join_num(msg, sizeof(msg), "dropped a message that pid ",
							  NULL, pid, why));
		} else if (state == REC_DROPPED) {
			/* dropped by a spooler that died before it freed the room */
		} else if (state == REC_PAD) {
			if (off + room != s->size)
				spool_corrupt(s, "filler record not at the ring's end");
		} else if (state != REC_COMMITTED || ((kind &= ~SPOOL_UNCHECKED) != KIND_MESSAGE &&
							kind != KIND_LINES)) {
			spool_corrupt(s, "unknown record state or kind");
		} else {
			/* the tail record, part written already: nobody may
			 * shrink a committed record, but someone did */
			if (from > len)
				spool_corrupt(s, "record length changed under the spooler");
			if (taglen > len)
				spool_corrupt(s, "tag longer than its record");
			if (FORWARDING(rd)) {
				/* time and prio: any value is shown without harm
				 * (a plain load: 32-bit targets have no 64-bit
				 * atomics, and the committed record stays put) */
				rec_msg.time_us = r->time_us;
				rec_msg.prio = __atomic_load_n(&r->prio, __ATOMIC_RELAXED);
				rec_msg.pid = pid;
				rec_msg.tag = (const char *)(r + 1);
				rec_msg.taglen = taglen;
			}
			from = add_record(rd, (unsigned char *)(r + 1), len, kind, pid, from, taglen);
			if (from < len)
				break;
		}
		pos += room;
		from = 0;
	}
	/* -F: forwarded first; -F and -o: both before the space is freed */
	if (FORWARDING(rd) && nmsg && fwd_send(rd->fwd, msgs, nmsg, stop) < 0)
		return WALK_STOPPED;
	write_batch(rd);
	if (pos == rd->tail && from == rd->skip)
		return result;
	rd->old_left = rd->old_left > pos - rd->tail ? rd->old_left - (pos - rd->tail) : 0;
	rd->wait_since = 0;
	save_progress(rd, pos, from);
	wake_waiters(s);
	return result;
}

/* Is there something at the tail to write now? */
static int tail_ready(const struct spool_reader *rd)
{
	const struct spool *s = &rd->sp;
	uint32_t res = __atomic_load_n(&s->h->reserve, __ATOMIC_SEQ_CST);
	struct spool_rec *r = (struct spool_rec *)(void *)(s->ring + (rd->tail & s->mask));

	return res != rd->tail && __atomic_load_n(&r->state, __ATOMIC_SEQ_CST) != REC_RESERVED;
}

/* Sleep until a sender's commit wakes us (or ms pass, or a signal).
 * The flag is set before the last look, the sender commits before it
 * looks at the flag: one of the two sees the other. */
static void sleep_for_senders(const struct spool_reader *rd, int ms, int stopping)
{
	const struct spool *s = &rd->sp;

	__atomic_store_n(&s->h->sleeping, 1, __ATOMIC_SEQ_CST);
	if (!tail_ready(rd) && !stopping)
		sem_change(s->keyname, s->semid, SEM_WAKE, -1, 0, ms);
	__atomic_store_n(&s->h->sleeping, 0, __ATOMIC_SEQ_CST);
}

/* The pid in the record at the tail (a live one holds it: WALK_WAIT) */
static int32_t tail_pid(const struct spool_reader *rd)
{
	const struct spool *s = &rd->sp;
	const struct spool_rec *r = (const struct spool_rec *)(const void *)(s->ring + (rd->tail & s->mask));

	return __atomic_load_n(&r->pid, __ATOMIC_RELAXED);
}

/* "pid N has held the next message for S s: then" */
static void say_held(const struct spool_reader *rd, int32_t pid, int secs, const char *then)
{
	char msg[SPOOL_MSG_MAX], end[48];

	str_join_num(end, sizeof(end), " has held the next message for ", NULL, secs, then);
	warn_msg(rd->sp.keyname, spool_join_num(msg, "pid ", pid, end));
}

/* Who holds the message at the tail, since when (spool_now_ms) */
struct hold {
	uint32_t since, tail;
	int32_t pid;	/* 0: nobody we know of */
	int warned;
};

/* A live process is writing the message at the tail (WALK_WAIT): say so
 * once when it has for SPOOL_HOLD_WARN s; give_up: after
 * SPOOL_HOLD_GIVE_UP s, say so and return its pid (else 0) */
static int32_t held_too_long(struct hold *hd, const struct spool_reader *rd, int give_up)
{
	uint32_t now = spool_now_ms();
	int32_t pid = tail_pid(rd);

	if (!hd->pid || pid != hd->pid || rd->tail != hd->tail) {
		hd->pid = pid;
		hd->tail = rd->tail;
		hd->since = now;
		hd->warned = 0;
	} else if (give_up && now - hd->since > SPOOL_HOLD_GIVE_UP * 1000u) {
		say_held(rd, pid, SPOOL_HOLD_GIVE_UP, " s: gave up");
		return pid;
	} else if (!hd->warned && now - hd->since > SPOOL_HOLD_WARN * 1000u) {
		say_held(rd, pid, SPOOL_HOLD_WARN, " s: waiting");
		hd->warned = 1;
	}
	return 0;
}

int32_t spool_drain(struct spool_reader *rd, int once, int rm, volatile sig_atomic_t *stop)
{
	const struct spool *s = &rd->sp;
	struct spool_hdr *h = s->h;
	struct hold hd = { 0, 0, 0, 0 };
	int closed = 0;
	uint32_t ns = pid_ns_id();
	/* ours first, then what is reserved: a sender that reserves after
	 * the first sees our namespace (see spoolsend.c's reserve) */
	uint32_t was = __atomic_exchange_n(&h->spooler_ns, ns, __ATOMIC_SEQ_CST);

	/* wait_since starts at 0: rd is zeroed (static) */
	rd->tail = h->consumed;
	rd->skip = saved_skip(rd);
	/* what senders reserved under a spooler of another pid namespace
	 * (or of one unknown) holds pids we cannot check */
	rd->old_left = !ns || ns != was ? __atomic_load_n(&h->reserve, __ATOMIC_SEQ_CST) - rd->tail : 0;
	for (;;) {
		enum walk w = drain_batch(rd, stop);
		int32_t gave_up;

		if (w == WALK_STOPPED) {
			/* stopped, the destination down: all is kept, and -R's
			 * spool stays, open again */
			__atomic_store_n(&h->closed, 0, __ATOMIC_RELAXED);
			return 0;
		}

		/* after each batch: a spool that never runs empty must not
		 * keep a service manager waiting.  -R: then no reservation
		 * any more, and all made before are printed */
		if ((*stop && !closed) || (w == WALK_EMPTY && (once || closed))) {
			if (closed || !rm)
				break;
			spool_close(s);
			closed = 1;
			continue;
		}
		if (w == WALK_DONE)
			continue;
		if (w == WALK_EMPTY) {
			hd.pid = 0;
		} else if ((gave_up = held_too_long(&hd, rd, once || closed))) {
			/* -R: the spool stays, with what it holds, open again */
			__atomic_store_n(&h->closed, 0, __ATOMIC_RELAXED);
			return gave_up;
		}
		/* waiting on a live sender: look again soon in case it dies */
		sleep_for_senders(rd, w == WALK_WAIT ? 50 : 1000, *stop && !closed);
	}
	if (rm) {
		xshmctl(s->keyname, s->shmid, IPC_RMID, NULL);
		xsemctl(s->keyname, s->semid, 0, IPC_RMID, 0);
	}
	return 0;
}
