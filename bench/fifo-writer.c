/* Baseline for bench/spool: a producer that writes each stdin line to
 * FIFO with one write(2), as a shell loop or logger would. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char line[512];
	int fd;

	if (argc != 2 || (fd = open(argv[1], O_WRONLY)) < 0) {
		perror("fifo-writer");
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		size_t n = strlen(line);

		if (write(fd, line, n) != (ssize_t)n) {
			perror("fifo-writer: write");
			return 1;
		}
	}
	return 0;
}
