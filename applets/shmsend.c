/* shmsend: put messages into the spool that shmspool prints. */
//config:config SHMSEND
//config:	bool "shmsend: put messages into a shared-memory spool"
//config:	default y
//config:	help
//config:	  shmsend [-n] [-t SECS] [-k KEY | -f PATH [-j PROJ]] [--seed] [TEXT...]
//config:
//config:	  Put a message into the spool that shmspool prints: the TEXT
//config:	  arguments joined by spaces, or, without TEXT, every line of
//config:	  standard input (lines are sent in blocks as they arrive; empty
//config:	  lines and NUL bytes are sent exactly). A message may hold at
//config:	  most a quarter of the spool's size less 17 bytes (16,367 for the
//config:	  default 64 KiB spool); a longer one is an error and is not sent.
//config:
//config:	    -n        fail at once when the spool is full (exit 5)
//config:	    -t SECS   wait at most SECS seconds for room (then exit 5)
//config:	    -k KEY    the spool's key (0x hex or decimal); default
//config:	              $SHMBOX_SPOOL, else 0x53484d53
//config:	    -f PATH   the key from ftok(PATH, PROJ); -j PROJ: 1-255 or
//config:	              one character, default 1
//config:	    --seed    talk to spooler.c of the tutorial "Interprocess
//config:	              communication using System V Shared Memory in
//config:	              Linux" (ten 256-byte buffers, keys from /tmp
//config:	              files); not with -k, -f, -j
//config:
//config:	  Without -n or -t, a full spool is waited for. With no shmspool
//config:	  running, messages queue until the spool is full and are printed
//config:	  when a spooler starts. A spool removed (shmspool -R, ipcrm)
//config:	  before all that was sent is printed: an error, exit 1.
//applet:APPLET(shmsend, APPLET_SYSV)
//options:nt:k:f:j:S(seed)
//usage-option:FEATURE_SPOOL_SEED --seed

#include <string.h>
#include <sys/mman.h>
#include "spool.h"

#define FOR_shmsend
#include "options.h"

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
	spool_send(w, msg, (uint32_t)len, KIND_MESSAGE);
}

/* stdin: each read's complete lines go in one record, so a busy producer
 * costs one reservation per block, not per line */
static void send_lines(struct spool_sender *w, uint32_t max)
{
	uint32_t cap = max + 1;	/* a longest message and its newline */
	char *buf = xmmap("buffer", cap + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	uint32_t have = 0;

	for (;;) {
		ssize_t n = xread(0, buf + have, cap - have);
		char *end;

		if (n == 0) {
			if (!have)
				return;
			/* a last line without its newline */
			buf[have++] = '\n';
			spool_send(w, buf, have, KIND_LINES);
			return;
		}
		have += (uint32_t)n;
		/* past the last newline; memrchr by hand: musl's is this
		 * byte loop too */
		for (end = buf + have; end > buf && end[-1] != '\n'; end--)
			;
		if (end > buf) {
			spool_send(w, buf, (uint32_t)(end - buf), KIND_LINES);
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
	int32_t wait_ms;
	uint32_t max;

	(void)argc;
	opt_parse(argv, OPTSTR, &o);
	wait_ms = OPT(&o, OPT_n) ? 0 : -1;
	if (o.arg[OPT_t])
		wait_ms = (int32_t)xparse_u64("-t", o.arg[OPT_t], 10, 1000000) * 1000;
	if (ENABLE_FEATURE_SPOOL_SEED && OPT(&o, OPT_seed)) {
		seed_refuse(o.flags & (1u << OPT_k | 1u << OPT_f | 1u << OPT_j), OPT_LETTERS);
		return seed_send(o.rest, wait_ms);
	}
	spool_send_open(&w, spool_key(o.arg[OPT_k], o.arg[OPT_f], o.arg[OPT_j]), wait_ms);
	max = SPOOL_MAX_PAYLOAD(&w.sp) - 1;
	if (o.nrest)
		send_args(&w, o.rest, max);
	else
		send_lines(&w, max);
	spool_send_done(&w);
	return EXIT_OK;
}
