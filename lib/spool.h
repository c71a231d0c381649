/* The shared-memory spool of shmspool and shmsend.
 *
 * One System V segment and one semaphore set, both under the spool's key.
 * The segment is a 64-byte header and a ring of variable-length records.
 * Senders reserve space under a tiny lock that holds the owner's pid (no
 * system call; a dead owner's lock is taken over), write their record and
 * mark it committed; the spooler writes committed records out straight
 * from the segment (writev) and only then frees their space, and skips a
 * record whose sender died before committing.  Dead means: kill(2) does
 * not find the pid, or /proc shows a zombie; and only a pid of the
 * spooler's pid namespace is ever judged so (SPOOL_UNCHECKED below).
 * Semaphores serve only to sleep and wake:
 *   SEM_OWNER  1 while a spooler runs (taken with SEM_UNDO: it is given
 *              back by the kernel when the spooler dies, even by SIGKILL)
 *   SEM_WAKE   posted by a sender whose commit finds the spooler asleep
 *   SEM_SPACE  posted by the spooler when senders wait for space
 * Positions are byte counts mod 2^32 (32-bit atomics work on every target)
 * and the ring size is a power of two, so position & mask is the offset.
 * The files: spool.c (the segment, pids, what all share), spoolsend.c
 * (the senders' half), spooldrain.c (the spooler's), spoolout.c (the
 * spooler's output file), seedspool.c (the tutorial's protocol,
 * --seed); of the spool's files, spoolsend.c and seedspool.c call only
 * spool.c and sem.c (and libshmbox below them), spooldrain.c spoolout.c
 * too, and spoolout.c only libshmbox. */
#ifndef SPOOL_H
#define SPOOL_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include "libshmbox.h"

#define SPOOL_MAGIC 0x4c4f5053u		/* "SPOL" */
/* 2: the DROPPED state, the UNCHECKED flags of kind and lock, and
 * spooler_ns (version 1 knew none of them); 3: a record carries its send
 * time, priority and tag (a 32-byte header) */
#define SPOOL_VERSION 3
#define SPOOL_DEFAULT_KEY 0x53484d53	/* "SHMS" */
#define SPOOL_DEFAULT_SIZE 65536u
#define SPOOL_MIN_SIZE 4096u
#define SPOOL_MAX_SIZE (1u << 30)
#define SPOOL_ALIGN 16u

enum { SEM_OWNER, SEM_WAKE, SEM_SPACE, SPOOL_NSEMS };

/* record states: values unlikely to appear by accident */
#define REC_RESERVED 0x56534552u	/* "RESV" */
#define REC_COMMITTED 0x544d4f43u	/* "COMT" */
#define REC_PAD 0x44444150u		/* "PADD": filler to the ring's end */
/* given up by the spooler (RESERVED -> DROPPED in one CAS, so that a
 * sender's commit, RESERVED -> COMMITTED, and the drop never both win) */
#define REC_DROPPED 0x504f5244u	/* "DROP" */

/* record kinds */
#define KIND_MESSAGE 1	/* one message; may hold newlines; no newline at end */
#define KIND_LINES 2	/* whole lines, each ending in '\n' */
/* Or'ed into kind, and into the lock's pid: the sender's pid cannot be
 * checked from the spooler's pid namespace (another namespace, or one
 * that /proc cannot name).  The spooler never drops such a record on a
 * pid check: it waits for the commit, and gives up only after
 * SPOOL_UNCHECKED_MS, with a warning; no sender takes over such a lock. */
#define SPOOL_UNCHECKED 0x80000000u
#define SPOOL_UNCHECKED_MS 60000

struct spool_hdr {
	uint32_t magic;		/* written last when the spool is set up */
	uint32_t version;
	uint32_t hdr_size;	/* where the ring starts */
	uint32_t ring_size;	/* a power of two */
	uint32_t reserve;	/* bytes ever reserved, mod 2^32 */
	uint32_t consumed;	/* bytes ever written out by the spooler */
	uint32_t lock;		/* pid of the sender reserving now, or 0 */
	uint32_t sleeping;	/* 1: the spooler sleeps on SEM_WAKE */
	uint32_t waiters;	/* senders sleeping on SEM_SPACE */
	int32_t spooler_pid;
	uint32_t spooler_ns;	/* the last spooler's pid namespace (its inode); 0: unknown */
	uint32_t unused[2];
	uint32_t closed;	/* 1: a stopping -R spooler: no more reservations */
	/* the spooler's progress inside the tail record, for the next one
	 * after a death: skip payload bytes of the record at skip_pos are
	 * out (skip_pos != consumed: none) */
	uint32_t skip_pos, skip;
};

struct spool_rec {
	uint32_t state;
	uint32_t len;		/* payload bytes after this header: the tag, then the text */
	int32_t pid;		/* the sender */
	uint32_t kind;
	/* untrusted, as all of it: the spooler checks taglen <= len and
	 * shows any time or prio it finds without harm */
	uint64_t time_us;	/* the sender's CLOCK_REALTIME at sending, us since 1970 */
	uint16_t prio;		/* syslog PRI: facility * 8 + level */
	uint16_t taglen;	/* tag bytes at the payload's start; 0: untagged */
	uint32_t unused;
};
_Static_assert(sizeof(struct spool_rec) == 32 && sizeof(struct spool_rec) % SPOOL_ALIGN == 0,
	       "a record header is two alignment units: the payload starts aligned");

/* The longest tag (shmsend -t): a syslog TAG is at most 32 characters
 * (RFC 3164) and an APP-NAME 48 (RFC 5424); more than those, not more
 * than the header's 16 bits */
#define SPOOL_TAG_MAX 255u
/* priorities: syslog's numbers (facility * 8 + level, level 0 emerg ..
 * 7 debug); the default is logger's, user.notice */
#define SPOOL_PRIO_MAX (23 * 8 + 7)
#define SPOOL_PRIO_DEFAULT (1 * 8 + 5)

/* One message as the drain hands it on (to the output file, to a
 * forwarder): a MESSAGE record, or one line of a LINES record (all of
 * whose lines share the record's time, pid, tag and priority). */
struct spool_msg {
	uint64_t time_us;	/* sender's CLOCK_REALTIME, us since 1970 */
	int32_t pid;
	unsigned prio;		/* syslog PRI: facility * 8 + level (untrusted: any
				 * value the record's 16 bits hold) */
	const char *tag;	/* taglen bytes (0: untagged), bounds-checked */
	unsigned taglen;
	const unsigned char *text;	/* without a trailing '\n' */
	uint32_t len;
};

struct spool {
	char keyname[24];	/* "spool 0x53484d53" */
	int shmid, semid;
	struct spool_hdr *h;
	unsigned char *ring;
	uint32_t size, mask;	/* validated copies: never re-read */
	unsigned perm;		/* spool_create: the segment's mode bits */
	int made_semid;	/* the set spool_create made, removed if it fails; -1 */
};

/* the key from -k KEY, -f PATH [-j PROJ] (NULL: not given), else
 * $SHMBOX_SPOOL, else SPOOL_DEFAULT_KEY */
key_t spool_key(const char *key_arg, const char *path, const char *proj);
void spool_attach(struct spool *s, key_t key);	/* senders: the spool must exist */
/* the spooler: the spool at key, made when missing, with us as its
 * spooler.  how: SPOOL_ADOPT (-A): take objects at the key that are
 * another user's, or grant more than mode (else an error names owner
 * and mode); SPOOL_EXISTING (-x): make nothing ("no such spool");
 * SPOOL_MAKE (-c): make it, but do not become its spooler */
#define SPOOL_ADOPT 1u
#define SPOOL_EXISTING 2u
#define SPOOL_MAKE 4u
void spool_create(struct spool *s, key_t key, uint32_t size, int mode, unsigned how);
NORETURN void spool_corrupt(const struct spool *s, const char *what);
uint32_t spool_payload_room(uint32_t len);	/* record size for a payload */
/* the largest record payload: a quarter of the ring, with its header */
#define SPOOL_MAX_PAYLOAD(s) ((s)->size / 4 - (uint32_t)sizeof(struct spool_rec))
/* pid is a running process (not a zombie, where /proc can tell), seen
 * from our pid namespace */
int pid_alive(int32_t pid);
/* our pid namespace's inode number (/proc/self/ns/pid); 0: unknown */
uint32_t pid_ns_id(void);
/* a coarse clock, in ms; wraps: take differences in unsigned arithmetic */
uint32_t spool_now_ms(void);
/* CLOCK_REALTIME in microseconds since 1970: a record's send time */
uint64_t spool_time_us(void);
/* syslog levels: a name (emerg .. debug, and logger's panic, error,
 * warn) or a number 0-7; -1: neither */
int spool_parse_level(const char *s);
/* a priority as logger -p takes it: LEVEL (of facility user) or
 * FACILITY.LEVEL, each a name or a number (facility 0-23: local0 is
 * 16); -1 and why in *bad when it is none */
int spool_parse_prio(const char *s, const char **bad);
/* "facility.level" (a facility without a name as its number), no NUL;
 * at most 20 bytes for any prio < 2^16 */
size_t spool_fmt_prio(char *buf, unsigned prio);
/* "(PID): ", as shmspool prints it and the tutorial's client writes it;
 * at most 15 bytes, no NUL; returns its length */
size_t spool_fmt_prefix(char *buf, int32_t pid);
/* a, v in decimal, c (c may be NULL) into buf, cut to SPOOL_MSG_MAX
 * bytes: the messages that name a pid or a size */
#define SPOOL_MSG_MAX 64
#define spool_join_num(buf, a, v, c) str_join_num(buf, SPOOL_MSG_MAX, a, NULL, v, c)

/* TEXT... joined by spaces into a new buffer, its length in *len (the
 * message of shmsend's arguments) */
char *spool_join_args(char **args, size_t *len);

/* spoolsend.c: the producer half */
struct spool_sender {
	struct spool sp;
	int32_t pid;		/* ours: in the lock and in each record */
	uint32_t ns;		/* our pid namespace (pid_ns_id), 1: unknown */
	int32_t wait_ms;	/* for room: SPOOL_WAIT_SPOOLER, -1 forever (-W),
				 * 0 not at all (-n), else -w in ms */
	int warned;		/* "no shmspool running" said once */
	uint16_t prio;		/* in each record (-p) */
	uint16_t taglen;	/* tag bytes (-t); 0: none */
	const char *tag;
	uint32_t end;		/* the position past our last record */
};
/* the default wait for room: while a spooler runs (with none, a full
 * spool fails at once, as -n: a boot script never hangs on it) */
#define SPOOL_WAIT_SPOOLER (-2)
/* attach to the spool at key (it must exist); tag (taglen bytes, at most
 * SPOOL_TAG_MAX; NULL: none) and prio go into each record */
void spool_send_open(struct spool_sender *w, key_t key, int32_t wait_ms,
		     const char *tag, uint16_t taglen, uint16_t prio);
/* one record of the tag and len text bytes (together at most
 * SPOOL_MAX_PAYLOAD), sent at time_us (spool_time_us), committed when it
 * returns 0; a full spool is waited for as wait_ms says (exit EXIT_FULL
 * when that runs out).  -1, nothing sent: the spool is full, no spooler
 * runs and wait_ms is SPOOL_WAIT_SPOOLER. */
#define SPOOL_FULL_NO_SPOOLER "spool full and no shmspool running"
int spool_send(struct spool_sender *w, const void *text, uint32_t len, uint32_t kind,
		uint64_t time_us);
/* after the last spool_send: when the spool was removed (ipcrm, or a -R
 * spooler that gave up) before a spooler printed all we sent, and none
 * is left to, "the spool was removed ..." and exit 1 */
void spool_send_done(struct spool_sender *w);
/* the stopping -R spooler: no reservation after this (a sender that
 * tries says "the spool was removed" and exits 1); every one made
 * before is in reserve when it returns */
void spool_close(const struct spool *s);

/* spoolout.c: the spooler's output, appended to */
struct spool_out {
	int fd;
	int is_file;		/* a regular file: a full disk may come back */
	const char *path;	/* -o FILE; NULL: standard output */
	const char *name;	/* for errors: FILE, or standard output */
	uint64_t bytes;		/* in the file (for -S) */
	uint64_t max;		/* -S: rotate before the file passes it; 0: never */
	unsigned keep;		/* -b: old files kept, FILE.0 newest */
};
/* set by the spooler's SIGHUP: FILE is reopened before the next batch */
extern volatile sig_atomic_t spool_hup;
/* open path (NULL: standard output) for appending; a newline first
 * when it ends in a partial line (a spooler died mid-line) */
void spool_out_open(struct spool_out *o, const char *path);
/* bytes before a rotation is due; UINT64_MAX without -S */
uint64_t spool_out_room(const struct spool_out *o);
/* all of v written (rotating first when the batch would pass -S): 0.
 * ENOSPC, EDQUOT, EIO of a regular file: said once, retried each second
 * and at once on SIGHUP; *stop while retrying: -1 (nothing is out: the
 * records stay for the next spooler).  Other errors (EPIPE) die. */
int spool_out_writev(struct spool_out *o, struct iovec *v, int n, volatile sig_atomic_t *stop);
/* SIGHUP: FILE again by its name (logrotate moved it); stdout stays */
void spool_out_reopen(struct spool_out *o);

/* spoolfmt.c: the output lines of a batch of messages, in one buffer */
struct spool_fmt {
	int raw;	/* -r: the exact bytes (text and newline), no prefix */
	int times;	/* -T: the send time and the priority first */
	unsigned level;	/* -l: print levels 0 .. level (7: all) */
};
/* a new batch: empty, of room bytes at most (spool_out_room; a first
 * message bigger goes alone, with a buffer of its own size at most) */
void spool_fmt_start(uint64_t room);
/* m as lines into the batch (nothing when -l filters it out): 1 when it
 * is all in; 0 when the buffer is full: then alone (the batch's first
 * message) keeps what is made and *done (text bytes made, 0 at first)
 * says where to go on after the batch is written, else none of it is
 * in.  has_nl: m's newline follows its text in the segment (-r) */
int spool_fmt_add(const struct spool_fmt *f, const struct spool_msg *m, int has_nl,
		  uint32_t *done, int alone);
struct iovec;
int spool_fmt_iov(struct iovec **v);	/* the batch, to write: iovec count */

/* spooldrain.c: the consumer half, for the spooler of spool_create */
struct spool_reader {
	struct spool sp;
	uint32_t tail;		/* our copy of consumed: the segment's is untrusted */
	uint32_t skip;		/* payload bytes of the tail record already out */
	struct spool_fmt fmt;	/* -r, -T, -l */
	struct spool_out *out;
	uint32_t old_left;	/* bytes from the tail reserved under a spooler of
				 * another pid namespace: their pids are unchecked */
	uint32_t wait_since;	/* when we began to wait for the unchecked
				 * record at the tail (| 1); 0: we do not */
};
/* print committed records to out in commit order until *stop (after
 * the batch being written), or (once) until the spool is empty; rm (-R):
 * then close the spool (spool_close), print all that was reserved before
 * and remove it.  A message at the tail that a live process has been
 * writing for SPOOL_HOLD_WARN s is worth one warning; once (and rm's
 * last drain, which then leaves the spool) gives up after
 * SPOOL_HOLD_GIVE_UP s, says so and returns that pid (else 0).  Once per
 * process, on a zeroed rd but for sp, fmt and out */
#define SPOOL_HOLD_WARN 10
#define SPOOL_HOLD_GIVE_UP 3
int32_t spool_drain(struct spool_reader *rd, int once, int rm, volatile sig_atomic_t *stop);

/* seedspool.c: the tutorial's protocol (FEATURE_SPOOL_SEED).  The
 * spooler: once (-x) prints what is queued and returns, rm (-R) removes
 * the four objects on the way out */
int seed_spool(int out_fd, const char *out_name, volatile sig_atomic_t *stop, int once, int rm);
/* usage error when bad (opts flags of options --seed cannot take) */
void seed_refuse(unsigned bad, const char *letters);
/* shmsend --seed: TEXT... as one message (args not empty), else each
 * line of stdin as one; wait_ms as spool_sender's */
int seed_send(char **args, int32_t wait_ms);

/* sem.c: semaphore operations */
int xsemget(const char *obj, key_t key, int nsems, int flags);
/* one op; returns 0, or EAGAIN (IPC_NOWAIT / timeout) or EINTR; the
 * caller decides; other errors die */
int sem_change(const char *obj, int semid, int num, int op, int flags, int timeout_ms);
/* GETVAL, GETPID, IPC_RMID or SETVAL (to val; the others ignore it) */
int xsemctl(const char *obj, int semid, int num, int cmd, int val);

#endif
