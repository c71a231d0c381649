/* flipsize FILE TEXT SECONDS: for SECONDS, keep shrinking FILE to nothing
 * and writing TEXT back, without any lock (as a careless program would).
 * Tests that mmapint survives a file truncated under its mapping. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;
	size_t n;
	time_t end;

	if (argc != 4) {
		fprintf(stderr, "usage: flipsize FILE TEXT SECONDS\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	n = strlen(argv[2]);
	end = time(NULL) + atoi(argv[3]);
	while (time(NULL) < end) {
		if (ftruncate(fd, 0) < 0 || pwrite(fd, argv[2], n, 0) != (ssize_t)n) {
			perror("flipsize");
			return 1;
		}
	}
	return 0;
}
