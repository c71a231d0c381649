/* The client of the shared-memory tutorial (shared/seeds/002), in C: it
 * attaches the segment under ftok(KEYFILE, 'S') read-only and prints the
 * string, int, double and char that seed002-writer (or shmcat -w) put
 * there; the layout is in seed002-writer.c.
 *   seed002-reader KEYFILE */
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int main(int argc, char **argv)
{
	const char *seg;
	key_t key;
	int shmid, n;
	double d;

	if (argc != 2) {
		fprintf(stderr, "usage: seed002-reader KEYFILE\n");
		return 2;
	}
	key = ftok(argv[1], 'S');
	if (key == -1) {
		perror("ftok");
		return 1;
	}
	shmid = shmget(key, 1024, 0666);
	if (shmid < 0) {
		perror("shmget");
		return 1;
	}
	seg = shmat(shmid, NULL, SHM_RDONLY);
	if (seg == (void *)-1) {
		perror("shmat");
		return 1;
	}
	memcpy(&n, seg + 32, sizeof(n));
	memcpy(&d, seg + 40, sizeof(d));
	printf("string: %.*s\n", (int)strnlen(seg, 32), seg);
	printf("int: %d\ndouble: %.5f\nchar: %c\n", n, d, seg[48]);
	if (shmdt(seg) < 0) {
		perror("shmdt");
		return 1;
	}
	return 0;
}
