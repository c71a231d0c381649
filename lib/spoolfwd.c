/* Forwarding the spool's messages to syslog: a local daemon's datagram
 * socket, RFC 5424 over TCP, or RELP (spoolfwd.h says what each
 * promises).  Our own small client, no library: non-blocking sockets and
 * poll with a timeout everywhere, so that a receiver that never reads or
 * never answers cannot keep a stopping spooler. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include "spoolfwd.h"

#define HDR_MAX 224	/* frame prefix, PRI, time, host, tag, pid: 193 at most */
#define TAG_MAX 48	/* RFC 5424's APP-NAME */
#define POLL_MS 200	/* how often a wait looks at *stop */
#define STOP_GRACE_MS 1000	/* after *stop: time left to finish a batch */
#define CLOSE_MS 500	/* RELP: the longest wait for the answer to close */
#define BACKOFF_MAX 30
#define RELP_TXNR_MAX 999999999u
#define RELP_OPEN "relp_version=0\nrelp_software=shmbox\ncommands=syslog"

/* one group of at most FWD_WINDOW messages at a time, for the one
 * forwarder of a process */
static char hdrs[FWD_WINDOW][HDR_MAX];
static uint32_t hdr_len[FWD_WINDOW];
static struct iovec iov[3 * FWD_WINDOW];
static unsigned char acked[FWD_WINDOW];	/* RELP: index in the group acknowledged */
static int grp_idx[FWD_WINDOW];	/* RELP: the group index of txnr grp_t0 + j */
static uint32_t grp_t0, grp_sent;
static int grp_left;	/* sent, not yet acknowledged (the open too) */
static int opening;	/* RELP: waiting for the answer to open (txnr 1) */
/* TCP: the frames last written, whole, oldest first (resent after a
 * reconnect: what the receiver may not have read when it went) */
static unsigned char hist[FWD_HISTORY];
static uint32_t hist_len, hist_n;

static char *put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/* v in exactly width digits, zero-padded */
static char *put_dec(char *p, uint32_t v, int width)
{
	for (int i = width; i-- > 0; v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + width;
}

static char *put_u(char *p, uint64_t v)
{
	return p + fmt_u64(p, v, 10);
}

/* "<PRI>": a PRI outside syslog's 0..191 (shared memory is untrusted)
 * goes as user.notice */
static char *put_pri(char *p, unsigned prio)
{
	*p++ = '<';
	p = put_u(p, prio <= 191 ? prio : 13);
	*p++ = '>';
	return p;
}

/* the tag, cut to RFC 5424's 48 bytes; what a syslog parser would take
 * as its end (space, ':', '[', ']', control and non-ASCII bytes) as '_';
 * untagged: "shmsend" */
static char *put_tag(char *p, const struct spool_msg *m)
{
	unsigned n = m->taglen > TAG_MAX ? TAG_MAX : m->taglen;

	if (!n)
		return put_str(p, "shmsend");
	for (unsigned i = 0; i < n; i++) {
		unsigned char c = (unsigned char)m->tag[i];

		*p++ = c > ' ' && c < 127 && c != ':' && c != '[' && c != ']' ? (char)c : '_';
	}
	return p;
}

/* RFC 3164, as local daemons read it: "<PRI>Mmm dd hh:mm:ss TAG[PID]: " */
static size_t fmt_3164(char *buf, const struct spool_msg *m)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct utc t;
	char *p = put_pri(buf, m->prio);

	utc_of(m->time_us, &t);
	memcpy(p, months + 3 * (t.mon - 1), 3);
	p[3] = ' ';
	p = put_dec(p + 4, t.day, 2);
	if (t.day < 10)
		p[-2] = ' ';
	*p++ = ' ';
	p = put_dec(p, t.hour, 2);
	*p++ = ':';
	p = put_dec(p, t.min, 2);
	*p++ = ':';
	p = put_dec(p, t.sec, 2);
	*p++ = ' ';
	p = put_tag(p, m);
	*p++ = '[';
	p += fmt_i64(p, m->pid);
	return (size_t)(put_str(p, "]: ") - buf);
}

/* RFC 5424: "<PRI>1 YYYY-MM-DDThh:mm:ss.uuuuuuZ HOST TAG PID - - " */
static size_t fmt_5424(const struct fwd *f, char *buf, const struct spool_msg *m)
{
	struct utc t;
	char *p = put_str(put_pri(buf, m->prio), "1 ");

	utc_of(m->time_us, &t);
	p = put_dec(p, t.year, 4);
	*p++ = '-';
	p = put_dec(p, t.mon, 2);
	*p++ = '-';
	p = put_dec(p, t.day, 2);
	*p++ = 'T';
	p = put_dec(p, t.hour, 2);
	*p++ = ':';
	p = put_dec(p, t.min, 2);
	*p++ = ':';
	p = put_dec(p, t.sec, 2);
	*p++ = '.';
	p = put_dec(p, t.usec, 6);
	*p++ = 'Z';
	*p++ = ' ';
	p = put_str(p, f->host);
	*p++ = ' ';
	p = put_tag(p, m);
	*p++ = ' ';
	p += fmt_i64(p, m->pid);
	return (size_t)(put_str(p, " - - ") - buf);
}

/* A frame's head in hdrs[i]: TCP "LEN " + the RFC 5424 header, RELP
 * "TXNR syslog LEN " + it (its "\n" after the text is iov's) */
static size_t fmt_frame(const struct fwd *f, int i, const struct spool_msg *m, uint32_t txnr)
{
	char body[HDR_MAX], *p = hdrs[i];
	size_t n = fmt_5424(f, body, m);

	if (f->kind == FWD_RELP) {
		p = put_u(p, txnr);
		p = put_str(p, " syslog ");
	}
	p = put_u(p, n + m->len);
	*p++ = ' ';
	memcpy(p, body, n);
	return (size_t)(p + n - hdrs[i]);
}

/* *stop, seen for STOP_GRACE_MS in this call: give up */
static int stopping(struct fwd *f, volatile sig_atomic_t *stop)
{
	uint32_t now;

	if (!*stop)
		return 0;
	now = spool_now_ms() | 1;	/* never 0: "not seen" */
	if (!f->stop_at)
		f->stop_at = now;
	return now - f->stop_at >= STOP_GRACE_MS;
}

/* ms, cut short by *stop: 1 when stopped */
static int sleep_stop(uint32_t ms, volatile sig_atomic_t *stop)
{
	uint32_t start = spool_now_ms();

	while (!*stop && spool_now_ms() - start < ms) {
		if (poll(NULL, 0, POLL_MS) < 0 && errno != EINTR)
			die_errno("poll", NULL, errno);
	}
	return *stop != 0;
}

/* poll the socket for ev: its revents, 0 after a quiet POLL_MS or a
 * signal, -2 when stopping */
static int wait_fd(struct fwd *f, short ev, volatile sig_atomic_t *stop)
{
	struct pollfd p = { f->fd, ev, 0 };
	int r;

	if (stopping(f, stop))
		return -2;
	r = poll(&p, 1, POLL_MS);
	if (r < 0) {
		if (errno != EINTR)
			die_errno("poll", NULL, errno);
		return 0;
	}
	return r ? p.revents : 0;
}

/* digits at p[*at..n) (at most 9) into *v, *at past them: 1, 0 when
 * the buffer ends in them, -1 when there are none or too many */
static int rx_num(const char *p, uint32_t n, uint32_t *at, uint32_t *v)
{
	uint32_t i = *at;

	*v = 0;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		if (i - *at >= 9)
			return -1;
		*v = *v * 10 + (uint32_t)(p[i] - '0');
	}
	if (i == n)
		return 0;
	if (i == *at)
		return -1;
	*at = i;
	return 1;
}

/* the answer to txnr: "200 ..." takes it as delivered */
static int relp_ack(struct fwd *f, uint32_t txnr, const char *data, uint32_t len)
{
	uint32_t j = txnr - grp_t0;
	char why[64];

	if (opening ? txnr != 1 : j >= grp_sent || acked[grp_idx[j]])
		return 0;	/* not one we wait for */
	if (len < 3 || memcmp(data, "200", 3)) {
		memcpy(str_join(why, sizeof(why), "server said: ", NULL, NULL) + 13, data,
		       len < 48 ? len : 48);
		why[13 + (len < 48 ? len : 48)] = 0;
		warn_msg(f->dest, why);
		errno = EPROTO;
		return -1;
	}
	if (opening)
		opening = 0;
	else
		acked[grp_idx[j]] = 1;
	grp_left--;
	return 0;
}

/* One frame from a RELP server, "TXNR SP COMMAND SP DATALEN [SP DATA]
 * LF": "rsp" answers txnr, "serverclose": it goes.  1: one taken and
 * removed from rx; 0: not whole yet; -1 (errno): the session is over */
static int relp_answer(struct fwd *f)
{
	const char *p = f->rx;
	uint32_t n = f->rxlen, at = 0, txnr, len, cmd, cmdlen;
	int r;

	if ((r = rx_num(p, n, &at, &txnr)) <= 0)
		goto short_or_bad;
	if (p[at++] != ' ')
		goto bad;
	for (cmd = at; at < n && p[at] >= 'a' && p[at] <= 'z' && at - cmd < 16; at++)
		;
	if (at == n)
		return 0;
	if (p[at] != ' ' || at == cmd)
		goto bad;
	cmdlen = at++ - cmd;
	if ((r = rx_num(p, n, &at, &len)) <= 0)
		goto short_or_bad;
	if (p[at] == ' ')
		at += 1 + len;
	else if (len)
		goto bad;
	if (at >= n) {
		if (at < sizeof(f->rx))
			return 0;
		goto bad;	/* longer than any answer we wait for */
	}
	if (p[at] != '\n')
		goto bad;
	if (cmdlen == 3 && !memcmp(p + cmd, "rsp", 3)) {
		if (relp_ack(f, txnr, p + at - len, len) < 0)
			return -1;
	} else if (cmdlen == 11 && !memcmp(p + cmd, "serverclose", 11)) {
		errno = ECONNRESET;
		return -1;
	}
	f->rxlen = n - at - 1;
	move_down(f->rx, p + at + 1, f->rxlen);
	return 1;
short_or_bad:
	if (!r)
		return 0;
bad:
	errno = EPROTO;
	return -1;
}

/* read what the RELP server answered, and take each answer: 0, or -1
 * (errno) when the session is over */
static int relp_read(struct fwd *f)
{
	ssize_t r;
	int a;

	do
		r = read(f->fd, f->rx + f->rxlen, sizeof(f->rx) - f->rxlen);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EAGAIN ? 0 : -1;
	if (r == 0) {
		errno = ECONNRESET;
		return -1;
	}
	f->rxlen += (uint32_t)r;
	while ((a = relp_answer(f)) > 0)
		;
	return a;
}

/* write v[0..n) to the stream, taking RELP answers as they come (a
 * server whose answers we left unread would stop reading us): 0, -1
 * (errno) when the connection failed, -2 when stopping */
static int write_iov(struct fwd *f, struct iovec *v, int n, volatile sig_atomic_t *stop)
{
	short ev = f->kind == FWD_RELP ? POLLOUT | POLLIN : POLLOUT;

	while (n > 0) {
		ssize_t w = writev(f->fd, v, n);
		int r;

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -1;
			if ((r = wait_fd(f, ev, stop)) == -2)
				return -2;
			if ((r & POLLIN) && relp_read(f) < 0)
				return -1;
			continue;
		}
		n = iov_advance(&v, n, (size_t)w);
	}
	return 0;
}

/* RELP: until every message sent is acknowledged (and the open) */
static int relp_wait(struct fwd *f, volatile sig_atomic_t *stop)
{
	while (grp_left > 0) {
		int one = 1, r;

		/* acknowledge the server's answers at once: with its Nagle and
		 * our delayed ACK, the last answer of a group came 40 ms late
		 * (RELP to rsyslog: 20,000 messages in 7.4 s) */
		(void)setsockopt(f->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
		r = wait_fd(f, POLLIN, stop);

		if (r == -2)
			return -2;
		if (r && relp_read(f) < 0)
			return -1;
	}
	return 0;
}

/* TCP: has the receiver closed or reset the connection?  (imtcp never
 * sends: anything readable is the end.)  Asked before each group: what
 * is written after the end would be lost without an error. */
static int tcp_gone(struct fwd *f)
{
	struct pollfd p = { f->fd, POLLIN | POLLRDHUP, 0 };

	if (poll(&p, 1, 0) > 0) {
		errno = ECONNRESET;
		return 1;
	}
	return 0;
}

/* TCP: keep the frame just written (head h of hn bytes, then the text)
 * in hist; when full, the older half goes in one move */
static void hist_add(const char *h, size_t hn, const struct spool_msg *m)
{
	uint32_t need = (uint32_t)hn + m->len, at = 0, dropped = 0;

	if (need > FWD_HISTORY / 2)
		return;		/* too big to keep: not resent */
	if (hist_n >= FWD_WINDOW || hist_len + need > FWD_HISTORY) {
		while (at < hist_len && (hist_n - dropped > FWD_WINDOW / 2 ||
					 hist_len - at + need > FWD_HISTORY / 2)) {
			uint32_t len = 0;

			for (; hist[at] != ' '; at++)
				len = len * 10 + (uint32_t)(hist[at] - '0');
			at += 1 + len;
			dropped++;
		}
		hist_len -= at;
		hist_n -= dropped;
		move_down((char *)hist, (char *)hist + at, hist_len);
	}
	memcpy(hist + hist_len, h, hn);
	memcpy(hist + hist_len + hn, m->text, m->len);
	hist_len += need;
	hist_n++;
}

/* the messages of m[0..k) not yet acknowledged, as one write; RELP:
 * then until they are acknowledged.  0, -1 (errno), -2 stopping */
static int send_group(struct fwd *f, const struct spool_msg *m, int k, volatile sig_atomic_t *stop)
{
	int nv = 0, r;

	if (f->kind == FWD_TCP && tcp_gone(f))
		return -1;
	grp_t0 = f->txnr;
	grp_sent = 0;
	grp_left = 0;
	for (int i = 0; i < k; i++) {
		if (acked[i])
			continue;
		if (f->kind == FWD_RELP) {
			grp_idx[grp_sent++] = i;
			grp_left++;
		}
		hdr_len[i] = (uint32_t)fmt_frame(f, i, &m[i], f->txnr++);
		iov[nv].iov_base = hdrs[i];
		iov[nv++].iov_len = hdr_len[i];
		iov[nv].iov_base = (void *)m[i].text;
		iov[nv++].iov_len = m[i].len;
		if (f->kind == FWD_RELP) {
			iov[nv].iov_base = "\n";
			iov[nv++].iov_len = 1;
		}
	}
	if ((r = write_iov(f, iov, nv, stop)) || f->kind == FWD_TCP)
		goto out;
	r = relp_wait(f, stop);
out:
	if (f->kind == FWD_TCP && !r) {
		for (int i = 0; i < k; i++)
			hist_add(hdrs[i], hdr_len[i], &m[i]);
	}
	return r;
}

static void fwd_drop(struct fwd *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

/* RELP: end the session as the protocol says, "close" and the server's
 * answer, so that the receiver logs no broken session (rsyslog's imrelp
 * did at each stop).  What was not acknowledged stays in the spool
 * anyway.  Bounded: CLOSE_MS for the answer, then the socket goes. */
void fwd_close(struct fwd *f)
{
	char *p;
	uint32_t start = spool_now_ms();

	if (f->kind == FWD_RELP && f->fd >= 0 && !opening) {
		p = put_str(put_u(hdrs[0], f->txnr), " close 0\n");
		/* the whole frame or none: a socket that takes part of it
		 * (a full send buffer) is no session to close politely */
		if (write(f->fd, hdrs[0], (size_t)(p - hdrs[0])) == p - hdrs[0]) {
			struct pollfd q = { f->fd, POLLIN, 0 };
			char buf[256];
			int left, r;

			/* its answer, then the end of the stream */
			while ((left = CLOSE_MS - (int)(spool_now_ms() - start)) > 0) {
				if ((r = poll(&q, 1, left)) < 0 && errno == EINTR)
					continue;
				if (r <= 0)
					break;
				if ((r = (int)read(f->fd, buf, sizeof(buf))) == 0 ||
				    (r < 0 && errno != EINTR && errno != EAGAIN))
					break;
			}
		}
	}
	fwd_drop(f);
}

/* the destination failed: say so the first time; the messages stay */
static void say_down(struct fwd *f, int err)
{
	if (f->down)
		return;
	f->down = 1;
	warn_errno(f->dest, "not delivered, kept in the spool, retrying", err);
}

/* connect (and RELP's open; TCP: send the history again).  0, -1
 * (errno), -2 stopping */
static int fwd_connect(struct fwd *f, volatile sig_atomic_t *stop)
{
	int one = 1, r;

	f->fd = socket(f->addr.sa.sa_family, (f->kind == FWD_DGRAM ? SOCK_DGRAM : SOCK_STREAM) |
		       SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->fd < 0)
		return -1;
	if (connect(f->fd, &f->addr.sa, f->addrlen) < 0) {
		if (errno != EINPROGRESS && errno != EINTR)
			return -1;
		while (!(r = wait_fd(f, POLLOUT, stop)))
			;
		if (r == -2)
			return -2;
		/* connect again: EISCONN when it went through, else its error
		 * (not SO_ERROR's number: qemu-user hands that on untranslated,
		 * "Unknown error 111" for MIPS's ECONNREFUSED 146) */
		if (connect(f->fd, &f->addr.sa, f->addrlen) < 0 && errno != EISCONN)
			return -1;
	}
	if (f->kind == FWD_DGRAM)
		return 0;
	/* a group goes as one write; Nagle would hold its last segment
	 * back for the acknowledgement of the one before */
	(void)setsockopt(f->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (f->kind == FWD_TCP) {
		/* what we wrote and the receiver never read is lost when it
		 * goes: the part in our send buffer (doubled by the kernel)
		 * no more than hist holds, sent again (loopback's default
		 * would hold 4 MB; the receiver's buffer is its own) */
		int sndbuf = FWD_HISTORY / 2;
		struct iovec v = { hist, hist_len };

		(void)setsockopt(f->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));

		return hist_len ? write_iov(f, &v, 1, stop) : 0;
	} else {
		char *p = put_str(hdrs[0], "1 open ");
		struct iovec v = { hdrs[0], 0 };

		p = put_u(p, sizeof(RELP_OPEN) - 1);
		v.iov_len = (size_t)(put_str(p, " " RELP_OPEN "\n") - hdrs[0]);
		f->rxlen = 0;
		f->txnr = 2;
		grp_sent = 0;
		grp_left = opening = 1;
		if ((r = write_iov(f, &v, 1, stop)) || (r = relp_wait(f, stop)))
			return r;
		return 0;
	}
}

/* connected again, after a backoff of 1 s doubling to 30 s from the
 * second try on: 0, or -2 when stopped meanwhile */
static int fwd_reconnect(struct fwd *f, volatile sig_atomic_t *stop)
{
	for (;;) {
		int r;

		if (*stop || (f->backoff && sleep_stop(f->backoff * 1000u, stop)))
			return -2;
		f->backoff = !f->backoff ? 1 : f->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : f->backoff * 2;
		r = fwd_connect(f, stop);
		if (r == -2)
			return -2;
		if (!r) {
			if (f->down)
				warn_msg(f->dest, "forwarding again");
			f->down = 0;
			return 0;
		}
		say_down(f, errno);
		fwd_drop(f);
	}
}

/* One datagram: 0, -1 (errno), -2 stopping.  One too big for the socket
 * goes cut (halved until it fits), with a warning: the daemon would take
 * no bigger one. */
static int send_dgram(struct fwd *f, const struct spool_msg *m, volatile sig_atomic_t *stop)
{
	struct iovec v[2] = { { hdrs[0], fmt_3164(hdrs[0], m) }, { (void *)m->text, m->len } };

	for (;;) {
		int r;

		if (writev(f->fd, v, 2) >= 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EMSGSIZE && v[1].iov_len > 0) {
			if (v[1].iov_len == m->len)
				warn_msg(f->dest, "message too long for a datagram: cut");
			v[1].iov_len /= 2;
			continue;
		}
		if (errno != EAGAIN)
			return -1;
		if ((r = wait_fd(f, POLLOUT, stop)) == -2)
			return -2;
	}
}

int fwd_send(struct fwd *f, const struct spool_msg *m, int n, volatile sig_atomic_t *stop)
{
	f->stop_at = 0;
	while (n > 0) {
		int k = f->kind == FWD_DGRAM ? 1 : n < FWD_WINDOW ? n : FWD_WINDOW;

		memset(acked, 0, (size_t)k);
		/* RELP's txnr would pass 999,999,999: a new session, from 1 */
		if (f->kind == FWD_RELP && f->fd >= 0 && f->txnr > RELP_TXNR_MAX - FWD_WINDOW)
			fwd_drop(f);
		for (;;) {
			int r = f->fd < 0 ? fwd_reconnect(f, stop) : 0;

			if (!r)
				r = f->kind == FWD_DGRAM ? send_dgram(f, m, stop) : send_group(f, m, k, stop);
			if (!r)
				break;
			if (r == -2)
				return -1;
			say_down(f, errno);
			fwd_drop(f);
		}
		f->backoff = 0;
		m += k;
		n -= k;
	}
	return 0;
}

/* "ADDR:PORT", ADDR numeric IPv4 or [IPv6]: 1 when it is one */
static int parse_hostport(struct fwd *f, const char *s)
{
	char host[48];
	const char *from = s + (s[0] == '['), *end = from;
	uint64_t port;

	/* the address ends at ']', or at the last ':' */
	for (const char *p = from; *p && *end != ']'; p++) {
		if (*p == (s[0] == '[' ? ']' : ':'))
			end = p;
	}
	if (end == from || (size_t)(end - from) >= sizeof(host))
		return 0;
	memcpy(host, from, (size_t)(end - from));
	host[end - from] = 0;
	end += s[0] == '[';
	if (*end != ':' || parse_u64(end + 1, 10, 65535, &port) || !port)
		return 0;
	if (s[0] == '[') {
		f->addr.in6.sin6_family = AF_INET6;
		f->addr.in6.sin6_port = htons((uint16_t)port);
		f->addrlen = sizeof(f->addr.in6);
		return inet_pton(AF_INET6, host, &f->addr.in6.sin6_addr) == 1;
	}
	f->addr.in.sin_family = AF_INET;
	f->addr.in.sin_port = htons((uint16_t)port);
	f->addrlen = sizeof(f->addr.in);
	return inet_pton(AF_INET, host, &f->addr.in.sin_addr) == 1;
}

static int has_prefix(const char *s, const char *prefix)
{
	while (*prefix) {
		if (*s++ != *prefix++)
			return 0;
	}
	return 1;
}

void fwd_open(struct fwd *f, const char *dest)
{
	const char *hp = dest;
	struct utsname u;
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->dest = dest;
	if (has_prefix(dest, "relp://")) {
		f->kind = FWD_RELP;
		hp += 7;
	} else if (has_prefix(dest, "tcp://")) {
		f->kind = FWD_TCP;
		hp += 6;
	}
	if (parse_hostport(f, hp)) {
		if (!f->kind)
			f->kind = FWD_TCP;
	} else if (f->kind) {
		bad_arg_die("-F", dest, "not HOST:PORT (HOST: numeric IPv4 or [IPv6])");
	} else {
		f->kind = FWD_DGRAM;
		f->addr.un.sun_family = AF_UNIX;
		size_t len = strlen(dest);

		if (len >= sizeof(f->addr.un.sun_path))
			bad_arg_die("-F", dest, "socket path too long");
		memcpy(f->addr.un.sun_path, dest, len);
		f->addrlen = sizeof(f->addr.un);
	}
	/* RFC 5424's HOSTNAME: printable ASCII, no space; "-" when none */
	if (uname(&u) == 0) {
		for (; u.nodename[n] && n < sizeof(f->host) - 1; n++)
			f->host[n] = u.nodename[n] > ' ' && u.nodename[n] < 127 ? u.nodename[n] : '_';
	}
	if (!n)
		f->host[n++] = '-';
	f->host[n] = 0;
}
