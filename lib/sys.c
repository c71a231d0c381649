/* System calls that report failure to the caller (the x-wrappers of
 * xsys.c die instead).  A leaf: the error and output code is built on it. */
#include <errno.h>
#include <sys/uio.h>
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

int iov_advance(struct iovec **v, int n, size_t w)
{
	while (n > 0 && w >= (*v)->iov_len) {
		w -= (*v)->iov_len;
		(*v)++;
		n--;
	}
	if (n > 0) {
		(*v)->iov_base = (char *)(*v)->iov_base + w;
		(*v)->iov_len -= w;
	}
	return n;
}
