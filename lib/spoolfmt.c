/* The spool's output lines, built for one writev per batch:
 *   (PID): text                  untagged (the tutorial's format)
 *   TAG[PID]: text               tagged
 *   TIME FACILITY.LEVEL ...      -T: the send time, RFC 3339 UTC to the
 *                                microsecond, and the priority first
 * Every line of a message that holds newlines carries the whole prefix,
 * and control bytes but TAB are shown as ^X (DEL ^?), as BusyBox's
 * syslogd does; bytes >= 0x80 pass (UTF-8): no message can forge a line.
 * The lines are built in one buffer (a writev of three iovecs per line
 * ran at 0.5-0.7x the rate of -r); -r writes the exact bytes straight
 * from the segment instead.  Calls str.c only. */
#include <string.h>
#include <sys/uio.h>
#include "spool.h"

#define FMT_BUF (128 * 1024)	/* a batch's lines (a bigger message goes in pieces) */
#define FMT_IOV 1024		/* the kernel's IOV_MAX */
/* the longest prefix: a time of 29 bytes (a 6-digit year: the record
 * is untrusted), "facility.level " 21, a tag escaped (2 bytes each; a
 * record's longer tag is cut at SPOOL_TAG_MAX), "[PID]: " 15 */
#define PREFIX_MAX (29 + 21 + 2 * SPOOL_TAG_MAX + 15)

static unsigned char buf[FMT_BUF];
static size_t used, cap;	/* cap: the batch's bytes at most (FMT_BUF, or -S's room) */
static struct iovec iov[FMT_IOV];
static int niov;

/* the prefix of the last message, kept for the lines that follow with the
 * same time, pid, priority and tag (a LINES record's) */
static struct {
	char text[PREFIX_MAX];
	size_t len;
	uint64_t time_us;
	int32_t pid;
	unsigned prio;
	const char *tag;
	unsigned taglen;
	int valid;
} pre;

/* n digits of v, zero-padded, at p */
static char *digits(char *p, uint32_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + n;
}

/* "2026-12-05T20:41:07.123456Z " (the year has 4 digits, or more) */
static size_t fmt_time(char *out, uint64_t us)
{
	struct utc t;
	char *p = out;

	utc_of(us, &t);
	p = digits(p, t.year, t.year > 9999 ? (t.year > 99999 ? 6 : 5) : 4);
	*p++ = '-';
	p = digits(p, t.mon, 2);
	*p++ = '-';
	p = digits(p, t.day, 2);
	*p++ = 'T';
	p = digits(p, t.hour, 2);
	*p++ = ':';
	p = digits(p, t.min, 2);
	*p++ = ':';
	p = digits(p, t.sec, 2);
	*p++ = '.';
	p = digits(p, t.usec, 6);
	*p++ = 'Z';
	*p++ = ' ';
	return (size_t)(p - out);
}

/* a control byte (but TAB) as ^X, DEL as ^?: 2 bytes; else 1 */
static size_t put_byte(unsigned char *out, unsigned char c)
{
	if ((c < 0x20 && c != '\t') || c == 0x7f) {
		out[0] = '^';
		out[1] = c ^ 0x40;
		return 2;
	}
	out[0] = c;
	return 1;
}

static void make_prefix(const struct spool_fmt *f, const struct spool_msg *m)
{
	char *p = pre.text;
	unsigned taglen = m->taglen < SPOOL_TAG_MAX ? m->taglen : SPOOL_TAG_MAX;

	if (f->times) {
		p += fmt_time(p, m->time_us);
		p += spool_fmt_prio(p, m->prio);
		*p++ = ' ';
	}
	if (m->taglen) {
		for (unsigned i = 0; i < taglen; i++)
			p += put_byte((unsigned char *)p, (unsigned char)m->tag[i]);
		*p++ = '[';
		p += fmt_i64(p, m->pid);
		memcpy(p, "]: ", 3);
		p += 3;
	} else {
		p += spool_fmt_prefix(p, m->pid);
	}
	pre.len = (size_t)(p - pre.text);
	pre.time_us = m->time_us;
	pre.pid = m->pid;
	pre.prio = m->prio;
	pre.tag = m->tag;
	pre.taglen = m->taglen;
	pre.valid = 1;
}

void spool_fmt_start(uint64_t room)
{
	used = 0;
	niov = 0;
	cap = room < FMT_BUF ? (size_t)room : FMT_BUF;
}

/* a word of bytes that are all printable or >= 0x80: none < 0x20 (the
 * newline, TAB and the control bytes) and none 0x7f ("hasless" of the
 * Bit Twiddling Hacks: exact about whether any byte is) */
#define ONES (~0ul / 255)
static int word_plain(unsigned long w)
{
	unsigned long x = w ^ (ONES * 0x7f);

	return !((((w - ONES * 0x20) & ~w) | ((x - ONES) & ~x)) & ONES * 0x80);
}

/* -r: the text and its newline, from the segment; a line whose newline
 * follows it there (a LINES record's) joins the iovec before it when
 * that ends where it starts.  0: no room in iov */
static int add_raw(const struct spool_msg *m, int has_nl)
{
	struct iovec *last = niov ? &iov[niov - 1] : NULL;

	if (niov > FMT_IOV - 2 || (niov && used + m->len + 1 > cap))
		return 0;
	used += m->len + 1;	/* -r counts its bytes here, for the room */
	if (has_nl && last && (const unsigned char *)last->iov_base + last->iov_len == m->text) {
		last->iov_len += m->len + 1;
		return 1;
	}
	iov[niov].iov_base = (void *)m->text;
	iov[niov++].iov_len = m->len + (uint32_t)has_nl;
	if (!has_nl) {
		iov[niov].iov_base = (void *)"\n";
		iov[niov++].iov_len = 1;
	}
	return 1;
}

int spool_fmt_add(const struct spool_fmt *f, const struct spool_msg *m, int has_nl,
		  uint32_t *done, int alone)
{
	const unsigned char *p = m->text + *done, *end = m->text + m->len;
	unsigned char *o = buf + used, *stop = buf + cap;
	int line_start = *done == 0 || p[-1] == '\n';

	if ((m->prio & 7) > f->level)
		return 1;	/* -l: not printed, but out of the spool all the same */
	if (f->raw)
		return add_raw(m, has_nl);
	if (!pre.valid || pre.time_us != m->time_us || pre.pid != m->pid || pre.prio != m->prio ||
	    pre.tag != m->tag || pre.taglen != m->taglen)
		make_prefix(f, m);
	for (;;) {
		if (line_start) {
			if ((size_t)(stop - o) < pre.len + 17)
				break;
			memcpy(o, pre.text, pre.len);
			o += pre.len;
			line_start = 0;
		}
		/* 17: room for 8 bytes escaped and a newline */
		while (p < end && (size_t)(stop - o) >= 17) {
			unsigned long w;

			if ((size_t)(end - p) >= sizeof(w)) {
				memcpy(&w, p, sizeof(w));
				if (word_plain(w)) {
					memcpy(o, &w, sizeof(w));
					o += sizeof(w);
					p += sizeof(w);
					continue;
				}
			}
			if (*p == '\n') {
				*o++ = *p++;
				line_start = 1;
				break;
			}
			o += put_byte(o, *p++);
		}
		if (line_start)
			continue;	/* the next line, or the empty one after a last newline */
		if (p == end) {
			*o++ = '\n';
			used = (size_t)(o - buf);
			*done = m->len;
			return 1;
		}
		break;
	}
	/* out of room: alone (the batch's first message), write what is
	 * made and go on from here; else the batch ends before it */
	if (alone) {
		used = (size_t)(o - buf);
		*done = (uint32_t)(p - m->text);
	}
	return 0;
}

int spool_fmt_iov(struct iovec **v)
{
	if (used && !niov) {
		iov[0].iov_base = buf;
		iov[0].iov_len = used;
		niov = 1;
	}
	*v = iov;
	return niov;
}
