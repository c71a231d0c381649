/* spoolpoke: play the misbehaving process against a live shmbox spool.
 *   spoolpoke KEY get OFFSET          print the u32 at OFFSET of the segment
 *   spoolpoke KEY set OFFSET VALUE    write a u32 there (corruption tests)
 *   spoolpoke KEY dead-lock           leave the reservation lock held by a
 *                                     process that is gone
 *   spoolpoke KEY dead-reserve LEN    reserve a LEN-byte record as a process
 *                                     that died before committing it
 *   spoolpoke KEY fuzz SEED COUNT     write COUNT random u32s at random
 *                                     offsets of the header and ring
 *   spoolpoke KEY empty-records N     commit N empty LINES records (no
 *                                     sender makes one: only corruption)
 *   spoolpoke KEY sem NUM [VALUE]     print (or set) semaphore NUM of the
 *                                     spool's set (0 owner, 1 wake, 2 space)
 *   spoolpoke KEY sem-dead-take NUM   take semaphore NUM (-1, no SEM_UNDO)
 *                                     as a process that then dies, as the
 *                                     tutorial's client killed in its
 *                                     critical section
 * The layout (lib/spool.h) is repeated here on purpose: the test must not
 * trust the code it tests. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

struct hdr {
	uint32_t magic, version, hdr_size, ring_size, reserve, consumed, lock,
		 sleeping, waiters;
	int32_t spooler_pid;
	uint32_t unused[6];
};

static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

int main(int argc, char **argv)
{
	struct shmid_ds ds;
	unsigned char *seg;
	struct hdr *h;
	int id;

	if (argc < 3) {
		fprintf(stderr, "usage: spoolpoke KEY get|set|dead-lock|dead-reserve|fuzz ...\n");
		return 2;
	}
	if (!strcmp(argv[2], "sem-dead-take") && argc == 4) {
		int semid = semget((key_t)strtoul(argv[1], NULL, 0), 0, 0), st;
		struct sembuf op = { (unsigned short)atoi(argv[3]), -1, IPC_NOWAIT };
		pid_t pid;

		if (semid < 0) {
			perror("spoolpoke: semaphores");
			return 1;
		}
		if ((pid = fork()) < 0) {
			perror("spoolpoke: fork");
			return 1;
		}
		if (pid == 0)
			_exit(semop(semid, &op, 1) < 0);
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "spoolpoke: could not take the semaphore\n");
			return 1;
		}
		return 0;
	}
	if (!strcmp(argv[2], "sem") && (argc == 4 || argc == 5)) {
		int semid = semget((key_t)strtoul(argv[1], NULL, 0), 0, 0);
		int num = atoi(argv[3]), v;

		if (semid < 0) {
			perror("spoolpoke: semaphores");
			return 1;
		}
		if (argc == 5) {
			if (semctl(semid, num, SETVAL, atoi(argv[4])) < 0) {
				perror("spoolpoke: SETVAL");
				return 1;
			}
			return 0;
		}
		if ((v = semctl(semid, num, GETVAL)) < 0) {
			perror("spoolpoke: GETVAL");
			return 1;
		}
		printf("%d\n", v);
		return 0;
	}
	id = shmget((key_t)strtoul(argv[1], NULL, 0), 0, 0);
	if (id < 0 || shmctl(id, IPC_STAT, &ds) < 0 || (seg = shmat(id, NULL, 0)) == (void *)-1) {
		perror("spoolpoke: segment");
		return 1;
	}
	h = (struct hdr *)seg;
	if (!strcmp(argv[2], "get") && argc == 4) {
		printf("%u\n", *(uint32_t *)(seg + strtoul(argv[3], NULL, 0)));
	} else if (!strcmp(argv[2], "set") && argc == 5) {
		*(uint32_t *)(seg + strtoul(argv[3], NULL, 0)) = (uint32_t)strtoul(argv[4], NULL, 0);
	} else if (!strcmp(argv[2], "dead-lock")) {
		h->lock = (uint32_t)dead_pid();
	} else if (!strcmp(argv[2], "dead-reserve") && argc == 4) {
		uint32_t len = (uint32_t)atoi(argv[3]), need = 32 + ((len + 15) & ~15u);
		uint32_t off = h->reserve & (h->ring_size - 1);
		uint32_t *rec = (uint32_t *)(seg + 64 + off);

		if (off + need > h->ring_size) {
			fprintf(stderr, "spoolpoke: would wrap; send something first\n");
			return 1;
		}
		memset(rec, 0, 32);	/* version 3: a 32-byte header; no tag */
		rec[1] = len;
		rec[2] = (uint32_t)dead_pid();
		rec[3] = 1;
		rec[0] = 0x56534552u;	/* RESV */
		__atomic_store_n(&h->reserve, h->reserve + need, __ATOMIC_RELEASE);
	} else if (!strcmp(argv[2], "empty-records") && argc == 4) {
		for (int n = atoi(argv[3]); n > 0; n--) {
			uint32_t off = h->reserve & (h->ring_size - 1);
			uint32_t *rec = (uint32_t *)(seg + 64 + off);

			if (off + 32 > h->ring_size || h->reserve - h->consumed + 32 > h->ring_size) {
				fprintf(stderr, "spoolpoke: no room; a bigger ring or fewer\n");
				return 1;
			}
			memset(rec, 0, 32);	/* no time, prio 0, no tag */
			rec[1] = 0;
			rec[2] = (uint32_t)getpid();
			rec[3] = 2;	/* LINES */
			rec[0] = 0x544d4f43u;	/* COMT */
			__atomic_store_n(&h->reserve, h->reserve + 32, __ATOMIC_RELEASE);
		}
	} else if (!strcmp(argv[2], "fuzz") && argc == 5) {
		size_t words = ds.shm_segsz / 4;

		srand((unsigned)atoi(argv[3]));
		for (int i = atoi(argv[4]); i > 0; i--) {
			/* mostly the header and the first records: where the checks are */
			size_t w = rand() % 4 ? (size_t)rand() % 64 : (size_t)rand() % words;
			uint32_t v = rand() % 3 ? (uint32_t)rand() : (uint32_t)(rand() % 256);

			((uint32_t *)seg)[w] = v;
		}
	} else {
		fprintf(stderr, "spoolpoke: bad arguments\n");
		return 2;
	}
	return 0;
}
