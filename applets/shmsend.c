/* shmsend: put messages into the spool that shmspool prints. */
//config:config SHMSEND
//config:	bool "shmsend: put messages into a shared-memory spool"
//config:	default y
//config:	help
//config:	  shmsend [-nsW] [-w SECS] [-t TAG] [-p PRIO] [-k KEY | -f PATH [-j PROJ]] [--seed] [TEXT...]
//config:
//config:	  Put a message into the spool that shmspool prints, as logger
//config:	  does into the system log: the TEXT arguments joined by spaces,
//config:	  or, without TEXT, every line of standard input (lines are sent
//config:	  in blocks as they arrive; empty lines and NUL bytes are sent
//config:	  exactly). Each message carries the time it was sent, our pid,
//config:	  its tag and its priority. A message and its tag may hold at most
//config:	  a quarter of the spool's size less 33 bytes (16,351 for the
//config:	  default 64 KiB spool); a longer one is an error and is not sent.
//config:
//config:	    -t TAG    tag each message with TAG (at most 255 bytes; a
//config:	              number is a tag too); default: none
//config:	    -p PRIO   priority: LEVEL or FACILITY.LEVEL, names as logger's
//config:	              (user, daemon, local0 .. local7 ...; emerg, alert,
//config:	              crit, err, warning, notice, info, debug) or numbers
//config:	              (level 0-7, facility 0-23); default user.notice
//config:	    -s        also write each message to standard error, as
//config:	              BusyBox logger -s does: "TAG: text" ("text" untagged)
//config:	    -n        fail at once when the spool is full (exit 5)
//config:	    -w SECS   wait at most SECS seconds for room, even with no
//config:	              shmspool running (then exit 5)
//config:	    -W        wait for room as long as it takes, even with no
//config:	              shmspool running
//config:	    -k KEY    the spool's key (0x hex or decimal); default
//config:	              $SHMBOX_SPOOL, else 0x53484d53
//config:	    -f PATH   the key from ftok(PATH, PROJ); -j PROJ: 1-255 or
//config:	              one character, default 1
//config:	    --seed    talk to spooler.c of the tutorial "Interprocess
//config:	              communication using System V Shared Memory in
//config:	              Linux" (ten 256-byte buffers, keys from /tmp
//config:	              files); not with -t, -p, -s, -k, -f, -j
//config:
//config:	  A full spool is waited for while a shmspool runs to empty it.
//config:	  With none running, messages queue until the spool is full and
//config:	  are printed, with their own send times, when a spooler starts;
//config:	  a full spool then never blocks (a boot script does not hang on
//config:	  it): TEXT is refused at once (exit 5), lines of standard input
//config:	  are dropped while it stays full, and counted (exit 5 at the
//config:	  end). A spool that does not exist is an error (exit 1). A
//config:	  spool removed (shmspool -R, ipcrm) before all that was sent is
//config:	  printed: an error, exit 1.
//applet:APPLET(shmsend, APPLET_SYSV)
//options:nw:Wt:p:sk:f:j:S(seed)
//usage-option:FEATURE_SPOOL_SEED --seed

#include <string.h>
#include <sys/mman.h>
#include "spool.h"

#define FOR_shmsend
#include "options.h"

static int also_stderr;	/* -s */

/* -s: "TAG: text" (or "text") and a newline on standard error, as
 * BusyBox logger -s (musl's LOG_PERROR) writes it.  A failure to write
 * there is not ours to report: the message is in the spool. */
static void echo_stderr(const struct spool_sender *w, const char *text, size_t len)
{
	char buf[512];
	size_t n = 0;

	if (w->taglen + 3 + len <= sizeof(buf)) {
		memcpy(buf, w->tag, w->taglen);
		n = w->taglen;
	} else if (w->taglen) {
		(void)write_all(2, w->tag, w->taglen);
	}
	if (w->taglen) {
		memcpy(buf + n, ": ", 2);
		n += 2;
	}
	if (n + len + 1 > sizeof(buf)) {
		(void)write_all(2, buf, n);
		(void)write_all(2, text, len);
		n = 0;
	} else {
		memcpy(buf + n, text, len);
		n += len;
	}
	buf[n++] = '\n';
	(void)write_all(2, buf, n);
}

/* what: "message of N bytes", or a line of stdin, whose length is not
 * known: its end may never come */
static NORETURN void too_long(const char *what, uint32_t max)
{
	char why[SPOOL_MSG_MAX];

	die_msg(what, spool_join_num(why, "longer than the maximum of ", max, NULL));
}

/* TEXT...: one message, the words joined by spaces */
static void send_args(struct spool_sender *w, char **args, uint32_t max)
{
	size_t len;
	char *msg = spool_join_args(args, &len);

	if (len > max) {
		char what[SPOOL_MSG_MAX];

		too_long(spool_join_num(what, "message of ", (int64_t)len, " bytes"), max);
	}
	if (spool_send(w, msg, (uint32_t)len, KIND_MESSAGE, spool_time_us()) < 0)
		die_status(EXIT_FULL, w->sp.keyname, SPOOL_FULL_NO_SPOOLER " (-w SECS or -W waits)", 0);
	if (also_stderr)
		echo_stderr(w, msg, len);
}

static uint64_t lines_dropped;	/* refused: full, and no spooler to empty it */

/* a block of whole lines into one record, and with -s each line to
 * standard error.  Refused (full, no spooler): its lines are counted and
 * we read on, as logger does without a syslogd, so that the program
 * writing to us is not cut off (SIGPIPE) and a spooler that starts gets
 * the lines from then on */
static void send_block(struct spool_sender *w, const char *buf, uint32_t len, uint64_t time_us)
{
	int sent = spool_send(w, buf, len, KIND_LINES, time_us) == 0;

	for (const char *p = buf, *end = buf + len, *nl; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (also_stderr)
			echo_stderr(w, p, (size_t)(nl - p));
		if (!sent && !lines_dropped++)
			warn_msg(w->sp.keyname, SPOOL_FULL_NO_SPOOLER ": dropping lines until one starts");
	}
}

/* at the end: how many lines were refused, exit EXIT_FULL */
static void say_dropped(const struct spool_sender *w)
{
	char what[SPOOL_MSG_MAX];

	if (lines_dropped)
		die_status(EXIT_FULL, w->sp.keyname,
			   spool_join_num(what, SPOOL_FULL_NO_SPOOLER ": ", (int64_t)lines_dropped, " lines not sent"), 0);
}

/* stdin: each read's complete lines go in one record, so a busy producer
 * costs one reservation per block, not per line; its lines share the
 * time the block was read */
static void send_lines(struct spool_sender *w, uint32_t max)
{
	uint32_t cap = max + 1;	/* a longest message and its newline */
	char *buf = xmmap("buffer", cap + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	uint32_t have = 0;

	for (;;) {
		ssize_t n = xread(0, buf + have, cap - have);
		uint64_t now = spool_time_us();
		char *end;

		if (n == 0) {
			if (!have)
				return;
			/* a last line without its newline */
			buf[have++] = '\n';
			send_block(w, buf, have, now);
			return;
		}
		have += (uint32_t)n;
		/* past the last newline; memrchr by hand: musl's is this
		 * byte loop too */
		for (end = buf + have; end > buf && end[-1] != '\n'; end--)
			;
		if (end > buf) {
			send_block(w, buf, (uint32_t)(end - buf), now);
			have -= (uint32_t)(end - buf);
			move_down(buf, end, have);
		}
		if (have == cap)
			too_long("a line of standard input", max);
	}
}

int shmsend_main(int argc, char **argv)
{
	static struct spool_sender w;	/* static: one base address for all of it */
	struct opts o;
	int32_t wait_ms = SPOOL_WAIT_SPOOLER;
	int prio = SPOOL_PRIO_DEFAULT;
	const char *tag, *bad;
	size_t taglen = 0;
	uint32_t max;

	(void)argc;
	opt_parse(argv, OPTSTR, &o);
	if (OPT(&o, OPT_W))
		wait_ms = -1;
	if (o.arg[OPT_w])
		wait_ms = (int32_t)xparse_u64("-w", o.arg[OPT_w], 10, 1000000) * 1000;
	if (OPT(&o, OPT_n))
		wait_ms = 0;
	if (ENABLE_FEATURE_SPOOL_SEED && OPT(&o, OPT_seed)) {
		seed_refuse(o.flags & (1u << OPT_t | 1u << OPT_p | 1u << OPT_s |
				       1u << OPT_k | 1u << OPT_f | 1u << OPT_j), OPT_LETTERS);
		/* the tutorial's spool knows no spooler to wait for */
		return seed_send(o.rest, wait_ms == SPOOL_WAIT_SPOOLER ? -1 : wait_ms);
	}
	if ((tag = o.arg[OPT_t]) && (taglen = strlen(tag)) > SPOOL_TAG_MAX)
		bad_arg_die("-t", tag, "longer than 255 bytes");
	if (o.arg[OPT_p] && (prio = spool_parse_prio(o.arg[OPT_p], &bad)) < 0)
		bad_arg_die("-p", o.arg[OPT_p], bad);
	also_stderr = OPT(&o, OPT_s) != 0;
	spool_send_open(&w, spool_key(o.arg[OPT_k], o.arg[OPT_f], o.arg[OPT_j]), wait_ms,
			tag, (uint16_t)taglen, (uint16_t)prio);
	max = SPOOL_MAX_PAYLOAD(&w.sp) - 1 - (uint32_t)taglen;
	if (o.nrest)
		send_args(&w, o.rest, max);
	else
		send_lines(&w, max);
	spool_send_done(&w);
	say_dropped(&w);
	return EXIT_OK;
}
