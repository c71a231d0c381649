/* shmspool -F DEST: forwarding the spool's messages to syslog
 * (FEATURE_SPOOL_FORWARD).  lib/spoolfwd.c; calls spool.c's clock and
 * libshmbox below it.
 *   PATH               a local daemon's UNIX datagram socket (/dev/log):
 *                      "<PRI>Mmm dd hh:mm:ss TAG[PID]: text", one datagram
 *                      a message, a successful send is delivery
 *   tcp://HOST:PORT    RFC 5424 over TCP, octet-counting framing (RFC
 *   (or HOST:PORT)     6587); no acknowledgement: after a reconnect the
 *                      last FWD_WINDOW messages written are sent again
 *   relp://HOST:PORT   RELP (rsyslog's imrelp): a message is delivered
 *                      when the server acknowledged it; up to FWD_WINDOW
 *                      outstanding; the unacknowledged ones are sent
 *                      again after a reconnect
 * HOST: numeric IPv4, or [IPv6].  Times are UTC.  The caller ignores
 * SIGPIPE (a receiver gone is an error of write(2) here, not a death). */
#ifndef SPOOLFWD_H
#define SPOOLFWD_H

#include <signal.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/un.h>
#include "spool.h"

/* RELP: messages sent and not yet acknowledged, at most; TCP: messages
 * kept to send again after a reconnect (up to FWD_HISTORY bytes).  The
 * drain's batches for -F are at most this many messages, so that a stop
 * repeats no more than the window. */
#define FWD_WINDOW 128
#define FWD_HISTORY 65536

enum { FWD_DGRAM = 1, FWD_TCP, FWD_RELP };

struct fwd {
	int kind;
	const char *dest;	/* as given, for messages */
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_un un;
	} addr;
	unsigned addrlen;
	int fd;			/* -1: not connected */
	int down;		/* "down" said, "forwarding again" not yet */
	unsigned backoff;	/* seconds before the next try */
	uint32_t txnr;		/* RELP: the next transaction number */
	char host[65];		/* RFC 5424 HOSTNAME: uname's nodename, or "-" */
	uint32_t stop_at;	/* when this call saw *stop (| 1); 0: not yet */
	uint32_t rxlen;
	char rx[1024];		/* RELP: responses read, not yet parsed */
};

/* parse DEST (a usage error when it is none of the forms above); no
 * connection yet */
void fwd_open(struct fwd *f, const char *dest);
/* deliver n messages, in order: 0 when all are (reconnecting with a
 * backoff of 1 s doubling to 30 s while the destination is down), -1 when
 * *stop was set and they could not be within a second (then nothing of
 * them counts as delivered) */
int fwd_send(struct fwd *f, const struct spool_msg *m, int n, volatile sig_atomic_t *stop);
/* the end: RELP's close and its answer (at most half a second), then the
 * socket closed */
void fwd_close(struct fwd *f);

#endif
