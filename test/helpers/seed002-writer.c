/* The server of the shared-memory tutorial (shared/seeds/002), in C: it
 * creates a 1024-byte segment under ftok(KEYFILE, 'S') (IPC_CREAT, 0666),
 * zeroes it (the tutorial's memset) and writes a string, an int, a double
 * and a char at fixed offsets, as seed002-reader reads them:
 *     0  char[32]  "PI is defined as: 22/7=="
 *    32  int       22
 *    40  double    22.0 / 7
 *    48  char      '!'
 *   seed002-writer KEYFILE        write, detach, leave the segment
 *   seed002-writer KEYFILE hold   also print the shmid, stay attached
 *                                 until stdin ends, then detach and
 *                                 remove the segment (the tutorial's
 *                                 shutdown) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#define SEG_SIZE 1024

int main(int argc, char **argv)
{
	int hold = argc > 2 && !strcmp(argv[2], "hold");
	int shmid, n = 22;
	double d = 22.0 / 7;
	key_t key;
	char *seg, c;

	if (argc < 2) {
		fprintf(stderr, "usage: seed002-writer KEYFILE [hold]\n");
		return 2;
	}
	key = ftok(argv[1], 'S');
	if (key == -1) {
		perror("ftok");
		return 1;
	}
	shmid = shmget(key, SEG_SIZE, IPC_CREAT | 0666);
	if (shmid < 0) {
		perror("shmget");
		return 1;
	}
	seg = shmat(shmid, NULL, 0);
	if (seg == (void *)-1) {
		perror("shmat");
		return 1;
	}
	memset(seg, 0, SEG_SIZE);
	strcpy(seg, "PI is defined as: 22/7==");
	memcpy(seg + 32, &n, sizeof(n));
	memcpy(seg + 40, &d, sizeof(d));
	seg[48] = '!';
	if (hold) {
		printf("%d\n", shmid);
		fflush(stdout);
		while (read(0, &c, 1) > 0)
			;
	}
	if (shmdt(seg) < 0) {
		perror("shmdt");
		return 1;
	}
	/* someone may have removed it already (shmcat -R while we held it) */
	if (hold && shmctl(shmid, IPC_RMID, NULL) < 0 && errno != EINVAL && errno != EIDRM) {
		perror("shmctl IPC_RMID");
		return 1;
	}
	return 0;
}
