/* shmspool: the spooler.  Owns a System V shared-memory spool and prints
 * every message shmsend puts there, in commit order (seed 000's spooler,
 * without its deadlocks, lost messages and silent truncation). */
//config:config SHMSPOOL
//config:	bool "shmspool: print what shmsend puts into a shared-memory spool"
//config:	default y
//config:	help
//config:	  shmspool [-rxRA] [-s SIZE] [-m MODE] [-o FILE] [-F DEST] [-k KEY | -f PATH [-j PROJ]] [--seed]
//config:
//config:	  Create the spool if it is missing and print each message that
//config:	  shmsend puts there, in commit order, as "(PID): text", with
//config:	  write(2): a message is out before its space is freed.
//config:
//config:	    -r        the text alone, without "(PID): "
//config:	    -o FILE   append to FILE instead of standard output (a
//config:	              newline first if FILE, or a file standard output
//config:	              appends to, ends in a partial line)
//config:	    -F DEST   forward each message to syslog instead (with -o
//config:	              as well): a socket path (/dev/log),
//config:	              relp://ADDR:PORT (acknowledged: nothing lost) or
//config:	              tcp://ADDR:PORT; ADDR numeric IPv4 or [IPv6]
//config:	    -x        print what is queued, then exit (exit 1 behind a
//config:	              message that a live process has held for 3 s)
//config:	    -R        on exit: let no sender in, print all, remove the
//config:	              spool (exit 1 and keep it, as -x, when held)
//config:	    -s SIZE   capacity of a new spool (k/M suffixes; rounded up to
//config:	              a power of two, 4k to 1G; default 64k)
//config:	    -m MODE   permissions of a new spool (octal, default 600)
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
//config:	  what is queued, repeating at most one batch. SIGTERM, SIGINT,
//config:	  SIGHUP: finish the batch being written, exit 0, and leave the
//config:	  rest for the next spooler.
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
//options:rxRAs:m:o:F:k:f:j:S(seed)
//usage-option:FEATURE_SPOOL_SEED --seed
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

/* The output, appended to: -o FILE, or standard output opened for
 * appending (shmspool >>log).  A regular file whose last byte is not a
 * newline (a spooler died in the middle of a line) gets one first: no two
 * lines glued.  Its last byte through a descriptor of its own (for
 * standard output, by /proc/self/fd/1 when /proc is there): a FIFO opened
 * for reading too would never see its reader go. */
static void end_partial_line(int fd, const char *path, const char *name)
{
	struct stat st;
	char last = '\n';
	int rfd;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (fcntl(fd, F_GETFL) & O_APPEND) && (rfd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		if (pread(rfd, &last, 1, st.st_size - 1) != 1)
			last = '\n';
		close(rfd);
	}
	if (last != '\n')
		xwrite_all(name, fd, "\n", 1);
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
	static struct spool_reader rd;	/* static: one base address for all of it */
	static struct fwd fwd;
	struct opts o;
	uint32_t size = SPOOL_DEFAULT_SIZE;
	int mode = 0600;

	(void)argc;
	opt_parse(argv, OPTSTR, &o);
	if (o.nrest)
		usage_die("extra argument", o.rest[0]);
	if (ENABLE_FEATURE_SPOOL_SEED && OPT(&o, OPT_seed))
		seed_refuse(o.flags & (1u << OPT_r | 1u << OPT_A | 1u << OPT_s | 1u << OPT_m |
				       1u << OPT_k | 1u << OPT_f | 1u << OPT_j | 1u << OPT_F), OPT_LETTERS);
	rd.raw = OPT(&o, OPT_r) != 0;
	if (o.arg[OPT_s])
		size = ring_size_arg(o.arg[OPT_s]);
	if (o.arg[OPT_m])
		mode = (int)xparse_u64("-m", o.arg[OPT_m], 8, 0777);
	if (ENABLE_FEATURE_SPOOL_FORWARD && o.arg[OPT_F]) {
		fwd_open(&fwd, o.arg[OPT_F]);
		rd.fwd = &fwd;
		rd.no_out = !o.arg[OPT_o];
	}
	rd.out_name = o.arg[OPT_o] ? o.arg[OPT_o] : "standard output";
	rd.out_fd = o.arg[OPT_o] ? xopen(o.arg[OPT_o], O_WRONLY | O_CREAT | O_APPEND, 0666) : 1;
	end_partial_line(rd.out_fd, o.arg[OPT_o] ? o.arg[OPT_o] : "/proc/self/fd/1", rd.out_name);
	xsigaction(SIGTERM, on_stop);
	xsigaction(SIGINT, on_stop);
	xsigaction(SIGHUP, on_stop);
	/* a closed output is a write error we report, not a silent death */
	xsigaction(SIGPIPE, SIG_IGN);
	if (ENABLE_FEATURE_SPOOL_SEED && OPT(&o, OPT_seed))
		return seed_spool(rd.out_fd, rd.out_name, &stop, OPT(&o, OPT_x), OPT(&o, OPT_R));

	spool_create(&rd.sp, spool_key(o.arg[OPT_k], o.arg[OPT_f], o.arg[OPT_j]), size, mode,
		     OPT(&o, OPT_A) != 0);
	if (o.arg[OPT_s] && rd.sp.size != size)
		warn_msg(rd.sp.keyname, "the spool exists with another size: -s ignored (remove it with -R to change it)");
	/* 1: gave up behind a message a live process is writing (-x, -R) */
	return spool_drain(&rd, OPT(&o, OPT_x) != 0, OPT(&o, OPT_R) != 0, &stop) ? EXIT_ERR : EXIT_OK;
}
