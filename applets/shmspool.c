/* shmspool: the spooler.  Owns a System V shared-memory spool and prints
 * every message shmsend puts there, in commit order (seed 000's spooler,
 * without its deadlocks, lost messages and silent truncation). */
//config:config SHMSPOOL
//config:	bool "shmspool: print what shmsend puts into a shared-memory spool"
//config:	default y
//config:	help
//config:	  shmspool [-rTxRAc] [-l LEVEL] [-s SIZE] [-m MODE] [-o FILE [-S SIZE] [-b N]] [-F DEST] [-k KEY | -f PATH [-j PROJ]] [--seed]
//config:
//config:	  Create the spool if it is missing and print each message that
//config:	  shmsend puts there, in commit order, as "(PID): text", or
//config:	  "TAG[PID]: text" when tagged, with write(2): a message is out
//config:	  before its space is freed. Each line of a message that holds
//config:	  newlines carries the whole prefix, and control bytes but TAB
//config:	  are shown as ^X (DEL as ^?); bytes from 0x80 pass (UTF-8).
//config:
//config:	    -T        the time the message was sent first, RFC 3339 in
//config:	              UTC to the microsecond, then its priority as
//config:	              FACILITY.LEVEL, as BusyBox syslogd's lines:
//config:	              "2026-12-05T20:41:07.123456Z user.notice app[42]: text"
//config:	    -l LEVEL  print only messages of LEVEL or more urgent (0-7 or
//config:	              emerg alert crit err warning notice info debug);
//config:	              the others leave the spool unprinted
//config:	    -r        the exact bytes of the text alone, without prefix or
//config:	              escapes (a message's newlines and control bytes
//config:	              reach the output as they are)
//config:	    -o FILE   append to FILE instead of standard output (a
//config:	              newline first if FILE, or a file standard output
//config:	              appends to, ends in a partial line)
//config:	    -S SIZE   rotate FILE before it would pass SIZE bytes (k/M
//config:	              suffixes), between messages: FILE.0 is the newest
//config:	              old file
//config:	    -b N      old files kept by -S (0-99, default 1; 0: FILE
//config:	              starts again empty)
//config:	    -F DEST   forward each message to syslog instead (with -o
//config:	              as well): a socket path (/dev/log),
//config:	              relp://ADDR:PORT (acknowledged: nothing lost) or
//config:	              tcp://ADDR:PORT; ADDR numeric IPv4 or [IPv6]
//config:	    -x        print what is queued, then exit (exit 1 behind a
//config:	              message that a live process has held for 3 s);
//config:	              no spool: "no such spool", exit 1
//config:	    -R        on exit: let no sender in, print all, remove the
//config:	              spool (exit 1 and keep it, as -x, when held)
//config:	    -c        create the spool (-s, -m) and exit: senders queue
//config:	              until a spooler starts
//config:	    -s SIZE   capacity of a new spool (k/M suffixes; rounded up to
//config:	              a power of two, 4k to 1G; default 64k)
//config:	    -m MODE   permissions of a new spool (octal, default 600;
//config:	              666: every user may send)
//config:	    -A        adopt a spool of another user, or one whose mode
//config:	              grants more than -m (refused without -A)
//config:	    -k KEY    the spool's key (0x hex or decimal); default
//config:	              $SHMBOX_SPOOL, else 0x53484d53
//config:	    -f PATH   the key from ftok(PATH, PROJ); -j PROJ: 1-255 or
//config:	              one character, default 1
//config:	    --seed    be spooler.c of the tutorial "Interprocess
//config:	              communication using System V Shared Memory in
//config:	              Linux" (keys from /tmp files; -o, -x, -R only)
//config:
//config:	  One spooler per spool: a second one exits; after a spooler is
//config:	  killed, even with SIGKILL, the next one takes over and prints
//config:	  what is queued, repeating at most one batch. SIGTERM, SIGINT:
//config:	  finish the batch being written, exit 0, and leave the rest for
//config:	  the next spooler. SIGHUP: open FILE again by its name (after
//config:	  logrotate's mv) and go on; with standard output, only retry a
//config:	  stalled write. A full disk (or EIO) under FILE keeps the
//config:	  messages in the spool: said once, retried each second and on
//config:	  SIGHUP. A closed pipe or terminal: exit 1, messages kept.
//config:
//config:config FEATURE_SPOOL_ROTATE
//config:	bool "-S, -b: rotate the spooler's output file by size"
//config:	default y
//config:	depends on SHMSPOOL
//config:	help
//config:	  shmspool -o FILE -S SIZE renames FILE to FILE.0 (FILE.0 to
//config:	  FILE.1, ... keeping -b N old files) before a batch would make
//config:	  it pass SIZE, as BusyBox syslogd's -s and -b; a message never
//config:	  straddles two files.
//config:
//config:config FEATURE_SPOOL_SEED
//config:	bool "--seed: the spool protocol of the System V shared-memory tutorial"
//config:	default y
//config:	depends on SHMSPOOL || SHMSEND
//config:	help
//config:	  shmspool --seed serves the exact protocol of spooler.c in the
//config:	  tutorial "Interprocess communication using System V Shared
//config:	  Memory in Linux" (ten 256-byte buffers, three semaphores, keys
//config:	  from ftok("/tmp/...", 'K')) so its unmodified client.c works,
//config:	  and shmsend --seed talks to that spooler.c. Unlike it, shmspool --seed keeps what is queued when
//config:	  it starts and runs alone (an flock on /tmp/shared_memory_key).
//config:
//config:config FEATURE_SPOOL_FORWARD
//config:	bool "-F DEST: forward the spool to syslog (socket, RELP, TCP)"
//config:	default y
//config:	depends on SHMSPOOL
//config:	help
//config:	  shmspool -F DEST sends each message to a syslog receiver:
//config:	  a local daemon's datagram socket (-F /dev/log, RFC 3164), a
//config:	  server over RELP (-F relp://ADDR:PORT: a message leaves the
//config:	  spool when the server acknowledged it; up to 128 are sent
//config:	  again after a reconnect) or plain TCP (-F tcp://ADDR:PORT,
//config:	  RFC 5424 with octet counting: what the receiver took but
//config:	  never read when it went is lost, past the last 128 messages
//config:	  sent again). While the receiver is down the messages stay in
//config:	  the spool, retried from 1 s to every 30 s.
//applet:APPLET(shmspool, APPLET_SYSV)
//options:rTl:xRAcs:m:o:S:b:F:k:f:j:(seed)
//usage-option:FEATURE_SPOOL_SEED --seed
//usage-option:FEATURE_SPOOL_ROTATE -S
//usage-option:FEATURE_SPOOL_ROTATE -b
//usage-option:FEATURE_SPOOL_FORWARD -F

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include "spool.h"
#include "spoolfwd.h"

#define FOR_shmspool
#include "options.h"

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	spool_hup = 1;
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

/* -m or -s on a spool that was there with others: said, not done */
static void say_ignored(const struct spool *sp, const char *opt, uint64_t had, unsigned base)
{
	char num[24], has[48], msg[96];

	num[fmt_u64(num, had, base)] = 0;
	str_join(has, sizeof(has), "the spool exists with ", base == 8 ? "mode 0" : "size ", num);
	warn_msg(sp->keyname, str_join(msg, sizeof(msg), has, ": ", opt));
}

int shmspool_main(int argc, char **argv)
{
	static struct spool_reader rd;	/* static: one base address for all of it */
	static struct spool_out out;
	static struct fwd fwd;
	struct opts o;
	uint32_t size = SPOOL_DEFAULT_SIZE;
	int mode = 0600;
	int32_t r;
	unsigned how = 0;

	(void)argc;
	opt_parse(argv, OPTSTR, &o);
	if (o.nrest)
		usage_die("extra argument", o.rest[0]);
	if (ENABLE_FEATURE_SPOOL_SEED && OPT(&o, OPT_seed))
		seed_refuse(o.flags & (FLAG_r | FLAG_T | FLAG_l | FLAG_A | FLAG_c | FLAG_s | FLAG_m |
				       FLAG_S | FLAG_b | FLAG_F | FLAG_k | FLAG_f | FLAG_j), OPT_LETTERS);
	rd.fmt.raw = OPT(&o, OPT_r) != 0;
	rd.fmt.times = OPT(&o, OPT_T) != 0;
	rd.fmt.level = 7;
	if (o.arg[OPT_l]) {
		int level = spool_parse_level(o.arg[OPT_l]);

		if (level < 0)
			bad_arg_die("-l", o.arg[OPT_l], "unknown level");
		rd.fmt.level = (unsigned)level;
	}
	if (o.arg[OPT_s])
		size = ring_size_arg(o.arg[OPT_s]);
	if (o.arg[OPT_m])
		mode = (int)xparse_u64("-m", o.arg[OPT_m], 8, 0777);
	if (ENABLE_FEATURE_SPOOL_FORWARD && o.arg[OPT_F]) {
		fwd_open(&fwd, o.arg[OPT_F]);
		rd.fwd = &fwd;
		rd.no_out = !o.arg[OPT_o];
	}
	if (ENABLE_FEATURE_SPOOL_ROTATE && (o.arg[OPT_S] || o.arg[OPT_b])) {
		if (!o.arg[OPT_o])
			usage_die("-S and -b rotate -o FILE", "standard output");
		out.max = o.arg[OPT_S] ? xparse_size("-S", o.arg[OPT_S], UINT64_MAX) : 0;
		out.keep = o.arg[OPT_b] ? (unsigned)xparse_u64("-b", o.arg[OPT_b], 10, 99) : 1;
	}
	if (!OPT(&o, OPT_c))
		spool_out_open(&out, o.arg[OPT_o]);
	rd.out = &out;
	xsigaction(SIGTERM, on_stop);
	xsigaction(SIGINT, on_stop);
	/* --seed has no FILE to reopen: SIGHUP stops it, as before */
	xsigaction(SIGHUP, ENABLE_FEATURE_SPOOL_SEED && OPT(&o, OPT_seed) ? on_stop : on_hup);
	/* a closed output is a write error we report, not a silent death */
	xsigaction(SIGPIPE, SIG_IGN);
	if (ENABLE_FEATURE_SPOOL_SEED && OPT(&o, OPT_seed))
		return seed_spool(out.fd, out.name, &stop, OPT(&o, OPT_x), OPT(&o, OPT_R));

	if (OPT(&o, OPT_A))
		how |= SPOOL_ADOPT;
	if (OPT(&o, OPT_x))
		how |= SPOOL_EXISTING;
	if (OPT(&o, OPT_c))
		how = (how & SPOOL_ADOPT) | SPOOL_MAKE;
	spool_create(&rd.sp, spool_key(o.arg[OPT_k], o.arg[OPT_f], o.arg[OPT_j]), size, mode, how);
	if (o.arg[OPT_s] && rd.sp.size != size)
		say_ignored(&rd.sp, "-s ignored (remove it with -R to change it)", rd.sp.size, 10);
	if (o.arg[OPT_m] && rd.sp.perm != (unsigned)mode)
		say_ignored(&rd.sp, "-m ignored (remove it with -R to change it)", rd.sp.perm, 8);
	if (OPT(&o, OPT_c))
		return EXIT_OK;
	/* 1: gave up behind a message a live process is writing (-x, -R),
	 * or stopped with -R on an output that took nothing */
	r = spool_drain(&rd, OPT(&o, OPT_x) != 0, OPT(&o, OPT_R) != 0, &stop);
	if (ENABLE_FEATURE_SPOOL_FORWARD && rd.fwd)
		fwd_close(rd.fwd);
	return r ? EXIT_ERR : EXIT_OK;
}
