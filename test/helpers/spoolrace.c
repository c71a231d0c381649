/* spoolrace: put a sender of a shmbox spool where a race needs it.
 *   spoolrace KEY stop MS -- CMD...       run CMD; once its record is
 *       reserved (mid-copy), SIGSTOP it for MS ms; exit with its status
 *   spoolrace KEY zombie SECS -- CMD...   ... SIGKILL it there and exec
 *       sleep SECS without reaping it: a zombie for SECS seconds
 *   spoolrace KEY cont-in-kill PID -- CMD...  ... SIGSTOP it there; when
 *       process PID (the spooler, under strace delaying kill(2)) is
 *       inside kill(2), SIGCONT it and reap it; exit with its status
 *   spoolrace KEY zombie-lock SECS        a child takes the reservation
 *       lock and is SIGKILLed in it; exec sleep SECS without reaping it
 *   spoolrace - seed-hold PID             when process PID (shmspool
 *       --seed under strace delaying semctl(2)) is inside semctl GETVAL,
 *       take the tutorial's mutex, hold it 1.5 s: exit 1 when it was
 *       released under us meanwhile
 * Exit 77: the record was never seen reserved (the sender was faster);
 * 78: PID never entered the system call.  The layout (lib/spool.h) is
 * repeated here on purpose: the test must not trust the code it tests. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define RESV 0x56534552u

struct hdr {
	uint32_t magic, version, hdr_size, ring_size, reserve, consumed, lock,
		 sleeping, waiters;
	int32_t spooler_pid;
	uint32_t spooler_ns, unused[5];
};

static void ms_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0)
		;
}

static struct hdr *attach(const char *key)
{
	int id = shmget((key_t)strtoul(key, NULL, 0), 0, 0);
	void *p;

	if (id < 0 || (p = shmat(id, NULL, 0)) == (void *)-1) {
		perror("spoolrace: segment");
		exit(2);
	}
	return p;
}

/* a record of pid in the RESERVED state between consumed and reserve */
static int reserved_by(struct hdr *h, pid_t pid)
{
	uint32_t size = h->ring_size, pos = h->consumed, end = h->reserve;
	unsigned char *ring = (unsigned char *)h + 64;

	if (!size || end - pos > size)
		return 0;
	while (pos != end) {
		volatile uint32_t *r = (uint32_t *)(void *)(ring + (pos & (size - 1)));
		uint32_t len = r[1];

		if (len > size)
			return 0;
		if (r[0] == RESV && (pid_t)r[2] == pid)
			return 1;
		pos += 32 + ((len + 15) & ~15u);	/* version 3: 32-byte headers */
	}
	return 0;
}

/* fork CMD and wait until its record is reserved: its pid, or exit 77 */
static pid_t catch_reserved(struct hdr *h, char **cmd)
{
	pid_t pid = fork();
	time_t until = time(NULL) + 20;

	if (pid < 0) {
		perror("spoolrace: fork");
		exit(2);
	}
	if (pid == 0) {
		execvp(cmd[0], cmd);
		perror("spoolrace: exec");
		_exit(127);
	}
	while (!reserved_by(h, pid)) {
		if (waitpid(pid, NULL, WNOHANG) == pid || time(NULL) > until) {
			fprintf(stderr, "spoolrace: the record of pid %d was never seen reserved\n", (int)pid);
			exit(77);
		}
		sched_yield();
	}
	return pid;
}

/* until process pid is inside system call nr (and, arg >= 0, with
 * (its third argument & 0xff) == arg); else exit 78 */
static void wait_syscall(const char *pid, long nr, long arg)
{
	char path[64], buf[256];
	time_t until = time(NULL) + 20;

	snprintf(path, sizeof(path), "/proc/%s/syscall", pid);
	for (;;) {
		FILE *f = fopen(path, "r");
		long n = -1;
		unsigned long a[3] = { 0, 0, 0 };

		if (f && fgets(buf, sizeof(buf), f) &&
		    sscanf(buf, "%ld %lx %lx %lx", &n, &a[0], &a[1], &a[2]) >= 1 && n == nr &&
		    (arg < 0 || (long)(a[2] & 0xff) == arg)) {
			fclose(f);
			return;
		}
		if (f)
			fclose(f);
		if (time(NULL) > until) {
			fprintf(stderr, "spoolrace: pid %s never entered system call %ld\n", pid, nr);
			exit(78);
		}
		ms_sleep(1);
	}
}

static int status_of(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void exec_sleep(const char *secs)
{
	execlp("sleep", "sleep", secs, (char *)NULL);
	perror("spoolrace: exec sleep");
	exit(2);
}

/* the zombie pid is dead for sure, and not reaped (WNOWAIT) */
static void wait_dead(pid_t pid)
{
	siginfo_t si;

	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0)
		;
}

int main(int argc, char **argv)
{
	struct hdr *h;
	pid_t pid;

	if (argc == 4 && !strcmp(argv[2], "seed-hold")) {
		key_t k = ftok("/tmp/sem-mutex-key", 'K');
		int id = semget(k, 1, 0), v;
		struct sembuf p = { 0, -1, 0 }, rel = { 0, 1, 0 };

		if (k == -1 || id < 0) {
			perror("spoolrace: the tutorial's mutex");
			return 2;
		}
		wait_syscall(argv[3], SYS_semctl, GETVAL);
		if (semop(id, &p, 1) < 0) {
			perror("spoolrace: semop");
			return 2;
		}
		ms_sleep(1500);
		v = semctl(id, 0, GETVAL);
		semop(id, &rel, 1);
		if (v != 0) {
			fprintf(stderr, "spoolrace: the mutex was released under its holder\n");
			return 1;
		}
		return 0;
	}
	if (argc == 4 && !strcmp(argv[2], "zombie-lock")) {
		h = attach(argv[1]);
		pid = fork();
		if (pid == 0) {
			uint32_t zero = 0;

			if (!__atomic_compare_exchange_n(&h->lock, &zero, (uint32_t)getpid(), 0,
							 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
				_exit(1);
			raise(SIGKILL);
		}
		wait_dead(pid);
		exec_sleep(argv[3]);
	}
	if (argc < 6 || strcmp(argv[4], "--")) {
		fprintf(stderr, "usage: spoolrace KEY stop|zombie|cont-in-kill ARG -- CMD...\n");
		return 2;
	}
	h = attach(argv[1]);
	pid = catch_reserved(h, argv + 5);
	if (!strcmp(argv[2], "stop")) {
		kill(pid, SIGSTOP);
		ms_sleep(atol(argv[3]));
		kill(pid, SIGCONT);
		return status_of(pid);
	}
	if (!strcmp(argv[2], "zombie")) {
		kill(pid, SIGKILL);
		wait_dead(pid);
		printf("%d\n", (int)pid);
		fflush(stdout);
		exec_sleep(argv[3]);
	}
	if (!strcmp(argv[2], "cont-in-kill")) {
		kill(pid, SIGSTOP);
		wait_syscall(argv[3], SYS_kill, -1);
		kill(pid, SIGCONT);
		return status_of(pid);
	}
	fprintf(stderr, "spoolrace: unknown mode %s\n", argv[2]);
	return 2;
}
