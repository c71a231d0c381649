/* The spool's producer half: reserve room, copy a record in, commit it,
 * wake the spooler; wait for room when the spool is full. */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>
#include "spool.h"

void spool_send_open(struct spool_sender *w, key_t key, int32_t wait_ms,
		     const char *tag, uint16_t taglen, uint16_t prio)
{
	spool_attach(&w->sp, key);
	w->pid = (int32_t)getpid();
	/* unknown: 1, which no namespace has, and no spooler stores */
	w->ns = pid_ns_id() ?: 1;
	w->wait_ms = wait_ms;
	w->warned = 0;
	w->tag = tag ? tag : "";	/* memcpy's source: never NULL */
	w->taglen = taglen;
	w->prio = prio;
	/* nothing sent yet: nothing that a removal could lose */
	w->end = __atomic_load_n(&w->sp.h->consumed, __ATOMIC_RELAXED);
}

/* Our pid cannot be checked from the spooler's pid namespace: another
 * namespace's, or one of the two unknown.  Looked at for each record:
 * the next spooler may run elsewhere. */
static uint32_t unchecked(const struct spool_sender *w)
{
	uint32_t ns = __atomic_load_n(&w->sp.h->spooler_ns, __ATOMIC_SEQ_CST);

	return w->ns != ns ? SPOOL_UNCHECKED : 0;
}

/* The reservation lock: a CAS from 0 to me (our pid, | SPOOL_UNCHECKED
 * when unchecked).  It is held for a few
 * stores, never across a system call, so waiting means spinning briefly.
 * A holder that died (SIGKILL; a zombie too) is detected and its lock
 * taken over, by a CAS from the same holder: a dead holder cannot have
 * changed it, so the lock cannot be taken from a live one.  Only where
 * its pid means what it says: neither the holder nor we may be
 * unchecked (another pid namespace's pid names another process here). */
static void lock_reserve(const struct spool *s, uint32_t me)
{
	uint32_t *lock = &s->h->lock;
	uint32_t since = 0;	/* when a live holder was first seen; 0: not yet */

	for (unsigned spins = 0;; spins++) {
		uint32_t holder = 0;

		if (__atomic_compare_exchange_n(lock, &holder, me, 0,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return;
		if (spins < 64)
			continue;
		if (!((holder | me) & SPOOL_UNCHECKED) && !pid_alive((int32_t)holder)) {
			__atomic_compare_exchange_n(lock, &holder, 0, 0,
						    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
			continue;
		}
		/* since - 1 (never 0: spool_now_ms() is even), so the test
		 * is > 10001: more than 10 s since then */
		if (!since) {
			since = spool_now_ms() - 1;
		} else if (spool_now_ms() - since > 10001) {
			die_msg(s->keyname, "the reservation lock is held for 10 s (stopped? corrupt? another pid namespace?)");
		}
		sched_yield();
	}
}

static void unlock_reserve(struct spool_hdr *h)
{
	__atomic_store_n(&h->lock, 0, __ATOMIC_RELEASE);
}

/* The header's first half, under the lock: what the spooler needs to
 * walk past the record (the rest is written with the payload) */
static void put_rec(const struct spool_sender *w, uint32_t off, uint32_t state,
		    uint32_t len, uint32_t kind)
{
	struct spool_rec *r = (struct spool_rec *)(void *)(w->sp.ring + off);

	r->len = len;
	r->pid = w->pid;
	r->kind = kind;
	__atomic_store_n(&r->state, state, __ATOMIC_RELAXED);
}

/* Reserve room for a record of len payload bytes: its offset, or -1 when
 * the spool is full; its position in *pos.  A record never wraps: a
 * filler takes the ring's end. */
static int64_t reserve(struct spool_sender *w, uint32_t len, uint32_t kind, uint32_t *pos)
{
	const struct spool *s = &w->sp;
	struct spool_hdr *h = s->h;	/* a copy the atomics do not make us reload */
	uint32_t need = spool_payload_room(len), r, used, off, pad = 0;
	uint32_t flag = unchecked(w);

	lock_reserve(s, (uint32_t)w->pid | flag);
	if (__atomic_load_n(&h->closed, __ATOMIC_RELAXED)) {
		unlock_reserve(h);
		die_msg(s->keyname, "the spool was removed");
	}
	r = h->reserve;
	used = r - __atomic_load_n(&h->consumed, __ATOMIC_ACQUIRE);
	/* r off a record boundary would put a record header across the
	 * ring's end, past the segment */
	if (used > s->size || (used | r) % SPOOL_ALIGN) {
		unlock_reserve(h);
		spool_corrupt(s, "reserve and consumed positions do not fit the ring");
	}
	off = r & s->mask;
	if (off + need > s->size)
		pad = s->size - off;
	if (used + pad + need > s->size) {
		unlock_reserve(h);
		return -1;
	}
	if (pad)
		put_rec(w, off, REC_PAD, pad - (uint32_t)sizeof(struct spool_rec), 0);
	*pos = r + pad;
	off = *pos & s->mask;
	put_rec(w, off, REC_RESERVED, len, kind | flag);
	/* the commit point: from here on the spooler sees the record */
	w->end = r + pad + need;
	__atomic_store_n(&h->reserve, w->end, __ATOMIC_SEQ_CST);
	unlock_reserve(h);
	/* a spooler of another namespace that started since we looked:
	 * it stores its namespace before it reads reserve, so either it
	 * counts this record among those reserved before it (unchecked),
	 * or we see its namespace now */
	if (!flag && unchecked(w))
		__atomic_store_n(&((struct spool_rec *)(void *)(s->ring + off))->kind,
				 kind | SPOOL_UNCHECKED, __ATOMIC_SEQ_CST);
	return off;
}

/* RESERVED -> COMMITTED in one CAS, against the spooler's RESERVED ->
 * DROPPED: one of the two wins, and we know which.  The spooler drops a
 * record of ours only when it finds us dead, or unchecked and held for
 * SPOOL_UNCHECKED_MS: then the tail may have passed it already, and its
 * room be another record's; the position says so first. */
static void commit(const struct spool *s, uint32_t off, uint32_t pos)
{
	struct spool_rec *r = (struct spool_rec *)(void *)(s->ring + off);
	struct spool_hdr *h = s->h;
	uint32_t state = REC_RESERVED;

	if (pos - __atomic_load_n(&h->consumed, __ATOMIC_SEQ_CST) >= s->size ||
	    !__atomic_compare_exchange_n(&r->state, &state, REC_COMMITTED, 0,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		die_msg(s->keyname, "dropped by the spooler before its commit");
	/* paired with the spooler's store to sleeping and re-check */
	if (__atomic_load_n(&h->sleeping, __ATOMIC_SEQ_CST) &&
	    __atomic_exchange_n(&h->sleeping, 0, __ATOMIC_SEQ_CST))
		sem_change(s->keyname, s->semid, SEM_WAKE, 1, 0, -1);
}

/* Is the segment marked for removal (ipcrm, shmspool -R)?  It lives on
 * while attached, but no spooler will find it again. */
static int removed(const struct spool *s, struct shmid_ds *ds)
{
	if (shmctl(s->shmid, IPC_STAT, ds) < 0) {
		ds->shm_nattch = 0;
		return errno == EIDRM || errno == EINVAL;
	}
	return (ds->shm_perm.mode & SHM_DEST) != 0;
}

/* Sleep until the spooler frees space, or the -n/-w limit says stop;
 * -1: (by default) no spooler runs to free it. */
static int wait_for_room(struct spool_sender *w, uint32_t start)
{
	const struct spool *s = &w->sp;
	int32_t left = 100;

	if (w->wait_ms == 0)
		die_status(EXIT_FULL, s->keyname, "spool full", 0);
	if (w->wait_ms > 0) {
		/* unsigned: spool_now_ms() wraps */
		uint32_t waited = spool_now_ms() - start;

		if (waited >= (uint32_t)w->wait_ms)
			die_status(EXIT_FULL, s->keyname, "spool full: timed out", 0);
		left = w->wait_ms - (int32_t)waited;
	}
	/* asked each time: a spooler that dies while we wait leaves no one
	 * to make room */
	if (xsemctl(s->keyname, s->semid, SEM_OWNER, GETVAL, 0) == 0) {
		if (w->wait_ms == SPOOL_WAIT_SPOOLER)
			return -1;
		if (!w->warned)
			warn_msg(s->keyname, "spool full and no shmspool running: waiting");
		w->warned = 1;
	}
	__atomic_add_fetch(&s->h->waiters, 1, __ATOMIC_SEQ_CST);
	sem_change(s->keyname, s->semid, SEM_SPACE, -1, 0, left > 100 ? 100 : left);
	__atomic_sub_fetch(&s->h->waiters, 1, __ATOMIC_SEQ_CST);
	/* a removed spool is never drained again (its semaphore set gone
	 * too ends sem_change with the same words) */
	struct shmid_ds ds;

	if (removed(s, &ds))
		die_msg(s->keyname, "the spool was removed");
	return 0;
}

int spool_send(struct spool_sender *w, const void *text, uint32_t len, uint32_t kind,
	       uint64_t time_us)
{
	uint32_t start = w->wait_ms > 0 ? spool_now_ms() : 0, pos;
	int64_t off;
	struct spool_rec *r;

	while ((off = reserve(w, w->taglen + len, kind, &pos)) < 0)
		if (wait_for_room(w, start) < 0)
			return -1;
	r = (struct spool_rec *)(void *)(w->sp.ring + off);
	r->time_us = time_us;
	r->prio = w->prio;
	r->taglen = w->taglen;
	r->unused = 0;
	memcpy(r + 1, w->tag, w->taglen);
	memcpy((char *)(r + 1) + w->taglen, text, len);
	commit(&w->sp, (uint32_t)off, pos);
	return 0;
}

void spool_send_done(struct spool_sender *w)
{
	const struct spool *s = &w->sp;
	struct shmid_ds ds;

	/* removed: wait while a spooler is still attached to it and has not
	 * printed our last record (consumed passes its end: unsigned
	 * difference, positions wrap) */
	while (removed(s, &ds)) {
		if ((int32_t)(__atomic_load_n(&s->h->consumed, __ATOMIC_ACQUIRE) - w->end) >= 0)
			return;
		/* the spooler's pid means what it says in its namespace only */
		if (ds.shm_nattch < 2 ||
		    (__atomic_load_n(&s->h->spooler_ns, __ATOMIC_RELAXED) == w->ns &&
		     !pid_alive(__atomic_load_n(&s->h->spooler_pid, __ATOMIC_RELAXED))))
			die_msg(s->keyname, "the spool was removed before all that was sent was printed");
		poll(NULL, 0, 10);
	}
}

void spool_close(const struct spool *s)
{
	lock_reserve(s, (uint32_t)getpid());
	__atomic_store_n(&s->h->closed, 1, __ATOMIC_RELAXED);
	unlock_reserve(s->h);
}
