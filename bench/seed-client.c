/* Baseline for bench/spool: the tutorial's client (shared/seeds/000), the
 * same design -- per line: P(count), P(mutex), sprintf into the slot,
 * V(mutex), V(signal) -- without the prompt, with a line buffer large
 * enough for the benchmark's 200-byte messages, key files from $DIR. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>

#define MAX_BUFFERS 10
#define PROJECT_ID 'K'

struct shared_memory {
	char buf[MAX_BUFFERS][256];
	int buffer_index;
	int buffer_print_index;
};

static void error(char *msg) { perror(msg); exit(1); }

static int get(const char *dir, const char *name, int shm)
{
	char path[512];
	key_t k;
	int id;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((k = ftok(path, PROJECT_ID)) == -1) error("ftok");
	id = shm ? shmget(k, sizeof(struct shared_memory), 0) : semget(k, 1, 0);
	if (id == -1) error("get");
	return id;
}

int main(int argc, char **argv)
{
	const char *dir = argv[1];
	int mutex_sem, buffer_count_sem, spool_signal_sem;
	struct shared_memory *shm;
	struct sembuf asem[1] = { { 0, 0, 0 } };
	char buf[240];

	if (argc != 2) { fprintf(stderr, "usage: seed-client DIR\n"); return 2; }
	mutex_sem = get(dir, "sem-mutex-key", 0);
	if ((shm = shmat(get(dir, "shared_memory_key", 1), NULL, 0)) == (void *)-1) error("shmat");
	buffer_count_sem = get(dir, "sem-buffer-count-key", 0);
	spool_signal_sem = get(dir, "sem-spool-signal-key", 0);
	while (fgets(buf, 238, stdin)) {
		int length = strlen(buf);
		if (buf[length - 1] == '\n')
			buf[length - 1] = '\0';
		asem[0].sem_op = -1;
		if (semop(buffer_count_sem, asem, 1) == -1) error("semop: buffer_count_sem");
		asem[0].sem_op = -1;
		if (semop(mutex_sem, asem, 1) == -1) error("semop: mutex_sem");
		sprintf(shm->buf[shm->buffer_index], "(%d): %s\n", getpid(), buf);
		shm->buffer_index++;
		if (shm->buffer_index == MAX_BUFFERS)
			shm->buffer_index = 0;
		asem[0].sem_op = 1;
		if (semop(mutex_sem, asem, 1) == -1) error("semop: mutex_sem");
		asem[0].sem_op = 1;
		if (semop(spool_signal_sem, asem, 1) == -1) error("semop: spool_signal_sem");
	}
	return 0;
}
