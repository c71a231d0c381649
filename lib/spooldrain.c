/* The spool's consumer half: walk the committed records from the tail
 * into a batch of messages, write them out as lines (spoolfmt.c), and
 * only then free their space; sleep until a sender commits. */
#include <errno.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/uio.h>
#include "spool.h"
#include "spoolfwd.h"

#define SPOOL_BATCH 512	/* messages in a batch, at most: what a death repeats */

/* one batch at a time, for the one spooler of a process: its messages,
 * and where the spool stands once each is out (the record's position
 * and the payload bytes of it out; 0: all, pos past it) */
static struct spool_msg msgs[SPOOL_BATCH];
static struct {
	uint32_t pos, from;
	int has_nl;	/* its newline follows it in the segment (-r writes it) */
} after[SPOOL_BATCH];
static int nmsgs;
/* the compiler drops all of forwarding without FEATURE_SPOOL_FORWARD */
#define FORWARDING(rd) (ENABLE_FEATURE_SPOOL_FORWARD && (rd)->fwd)
/* a batch's messages at most: -F's window of outstanding ones */
#define BATCH_MAX(rd) (FORWARDING(rd) ? FWD_WINDOW : SPOOL_BATCH)

/* A committed record's messages into msgs, straight from the segment:
 * returns how far into its payload the batch got (len when the whole
 * record fitted).  A MESSAGE is one message; each line of a LINES record
 * is one, all with the record's time, pid, tag and priority. */
static uint32_t add_record(const struct spool_reader *rd, const struct spool_rec *r,
			   const unsigned char *payload, uint32_t len, uint32_t kind, uint32_t from,
			   uint32_t taglen, uint32_t pos, uint32_t room)
{
	const unsigned char *p = payload + (from > taglen ? from : taglen), *end = payload + len;
	struct spool_msg m;

	m.time_us = r->time_us;
	m.pid = r->pid;
	m.prio = r->prio;
	m.tag = (const char *)payload;
	m.taglen = taglen;
	/* an empty LINES record (only a corrupt segment holds one) has no line */
	while ((p < end || kind == KIND_MESSAGE) && nmsgs < BATCH_MAX(rd)) {
		const unsigned char *next = end, *nl;
		int has_nl = 0;

		if (kind == KIND_LINES && (nl = memchr(p, '\n', (size_t)(end - p)))) {
			next = nl + 1;
			has_nl = 1;
		}
		m.text = p;
		m.len = (uint32_t)(next - p) - (uint32_t)has_nl;
		msgs[nmsgs] = m;
		after[nmsgs].has_nl = has_nl;
		/* a message has no newline of its own; a corrupt LINES record
		 * may lack its last one */
		after[nmsgs].pos = next == end ? pos + room : pos;
		after[nmsgs++].from = next == end ? 0 : (uint32_t)(next - payload);
		p = next;
		if (kind == KIND_MESSAGE)
			break;
	}
	return (uint32_t)(p - payload);
}

/* The batch to the output (spoolout.c): 0, or -1 when *stop came while
 * the output could take nothing (then nothing of it counts as out) */
static int write_out(const struct spool_reader *rd, volatile sig_atomic_t *stop)
{
	struct iovec *v;
	int n = spool_fmt_iov(&v);

	return spool_out_writev(rd->out, v, n, stop);
}

/* The batch's messages as lines (spoolfmt.c), written out: how many
 * went (-1: stopped, none).  The batch ends at a message that does not
 * fit the buffer or the output's room before a rotation (-S); a first
 * one that does not goes alone, in pieces of the whole buffer (a spooler
 * that dies in between prints it again whole: progress is saved per
 * message). */
static int output_batch(const struct spool_reader *rd, volatile sig_atomic_t *stop)
{
	int k = 0;
	uint32_t done = 0;

	spool_fmt_start(spool_out_room(rd->out));
	while (k < nmsgs && spool_fmt_add(&rd->fmt, &msgs[k], after[k].has_nl, &done, 0)) {
		done = 0;
		k++;
	}
	if (k == 0) {
		spool_fmt_start(UINT64_MAX);
		while (!spool_fmt_add(&rd->fmt, &msgs[0], after[0].has_nl, &done, 1)) {
			if (write_out(rd, stop) < 0)
				return -1;
			spool_fmt_start(UINT64_MAX);
		}
		k = 1;
	}
	return write_out(rd, stop) < 0 ? -1 : k;
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

/* WALK_STOPPED: *stop while the output could take nothing */
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
	int k;

	/* with avail, res on a record boundary: so is the tail (consumed,
	 * untrusted when read at start-up), and every record walked */
	if (avail > s->size || (avail | res) % SPOOL_ALIGN)
		spool_corrupt(s, "reserve position outside the ring");
	if (__atomic_load_n(&h->consumed, __ATOMIC_RELAXED) != rd->tail)
		spool_corrupt(s, "consumed position changed under the spooler");
	if (!avail)
		return WALK_EMPTY;
	nmsgs = 0;
	while (pos != res && nmsgs < BATCH_MAX(rd)) {
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
			from = add_record(rd, r, (unsigned char *)(r + 1), len, kind, from, taglen, pos, room);
			if (from < len)
				break;
		}
		pos += room;
		from = 0;
	}
	/* to the file first, then (-F) what it took to the receiver: both
	 * before the space is freed.  -F alone: no file */
	k = nmsgs;
	if (nmsgs && !rd->no_out && (k = output_batch(rd, stop)) < 0)
		return WALK_STOPPED;
	if (FORWARDING(rd) && k && fwd_send(rd->fwd, msgs, k, stop) < 0)
		return WALK_STOPPED;
	if (nmsgs && k < nmsgs) {
		/* ended early: from the message after the last one out */
		pos = after[k - 1].pos;
		from = after[k - 1].from;
		result = WALK_DONE;
	}
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

		/* stopped while the output or -F's receiver took nothing: what is
		 * queued stays; -R: the spool too, open again (exit 1, as when
		 * held) */
		if (w == WALK_STOPPED) {
			if (!rm)
				break;
			__atomic_store_n(&h->closed, 0, __ATOMIC_RELAXED);
			return -1;
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
		/* sink: SIGHUP while idle: FILE again now, not at the next batch */
		if (spool_hup)
			spool_out_reopen(rd->out);
		/* waiting on a live sender: look again soon in case it dies */
		sleep_for_senders(rd, w == WALK_WAIT ? 50 : 1000, *stop && !closed);
	}
	if (rm) {
		xshmctl(s->keyname, s->shmid, IPC_RMID, NULL);
		xsemctl(s->keyname, s->semid, 0, IPC_RMID, 0);
	}
	return 0;
}
