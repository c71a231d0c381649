/* System calls that report failure to the caller (the x-wrappers of
 * xsys.c die instead).  A leaf: the error and output code is built on it. */
#include <errno.h>
#include <unistd.h>
#include "libshmbox.h"

int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}
