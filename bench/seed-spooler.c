/* Baseline for bench/spool: the tutorial's spooler (shared/seeds/000),
 * the same design -- ten 256-byte buffers, three semaphore sets, one
 * semop pair per message, printf to stdout -- with two changes a
 * benchmark needs: it stops after COUNT messages and flushes (the
 * original never flushes a file), and it takes its key files from $DIR. */
#include <stdio.h>
#include <stdlib.h>
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

static int sem(const char *dir, const char *name, int val)
{
	char path[512];
	key_t k;
	int id;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((k = ftok(path, PROJECT_ID)) == -1) error("ftok");
	if ((id = semget(k, 1, 0660 | IPC_CREAT)) == -1) error("semget");
	if (semctl(id, 0, SETVAL, val) == -1) error("semctl SETVAL");
	return id;
}

int main(int argc, char **argv)
{
	const char *dir = argv[1];
	long count = atol(argv[2]);
	char path[512];
	key_t k;
	int shm_id, mutex_sem, buffer_count_sem, spool_signal_sem;
	struct shared_memory *shm;
	struct sembuf asem[1] = { { 0, 0, 0 } };

	if (argc != 3) { fprintf(stderr, "usage: seed-spooler DIR COUNT\n"); return 2; }
	mutex_sem = sem(dir, "sem-mutex-key", 0);
	snprintf(path, sizeof(path), "%s/shared_memory_key", dir);
	if ((k = ftok(path, PROJECT_ID)) == -1) error("ftok");
	if ((shm_id = shmget(k, sizeof(*shm), 0660 | IPC_CREAT)) == -1) error("shmget");
	if ((shm = shmat(shm_id, NULL, 0)) == (void *)-1) error("shmat");
	shm->buffer_index = shm->buffer_print_index = 0;
	buffer_count_sem = sem(dir, "sem-buffer-count-key", MAX_BUFFERS);
	spool_signal_sem = sem(dir, "sem-spool-signal-key", 0);
	if (semctl(mutex_sem, 0, SETVAL, 1) == -1) error("semctl SETVAL");
	fprintf(stderr, "ready\n");
	for (long n = 0; n < count; n++) {
		asem[0].sem_op = -1;
		if (semop(spool_signal_sem, asem, 1) == -1) perror("semop: spool_signal_sem");
		printf("%s", shm->buf[shm->buffer_print_index]);
		shm->buffer_print_index++;
		if (shm->buffer_print_index == MAX_BUFFERS)
			shm->buffer_print_index = 0;
		asem[0].sem_op = 1;
		if (semop(buffer_count_sem, asem, 1) == -1) perror("semop: buffer_count_sem");
	}
	fflush(stdout);
	shmctl(shm_id, IPC_RMID, NULL);
	semctl(mutex_sem, 0, IPC_RMID);
	semctl(buffer_count_sem, 0, IPC_RMID);
	semctl(spool_signal_sem, 0, IPC_RMID);
	return 0;
}
