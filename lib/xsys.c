/* Checked system calls: each dies with "shmbox: APPLET: what: strerror".
 * Calls down to err.c and sys.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include "libshmbox.h"

int xopen(const char *path, int flags, mode_t mode)
{
	int fd;

	do
		fd = open(path, flags | O_CLOEXEC, mode);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		die_errno(path, NULL, errno);
	return fd;
}

void xclose(int fd)
{
	/* Linux closes the descriptor even when close() says EINTR */
	if (close(fd) < 0 && errno != EINTR)
		die_errno("close", NULL, errno);
}

void *xmmap(const char *what, size_t len, int prot, int flags, int fd)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		die_errno(what, "mmap", errno);
	return p;
}

ssize_t xread(int fd, void *buf, size_t n)
{
	ssize_t r;

	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		die_errno("read", NULL, errno);
	return r;
}

void xwrite_all(const char *what, int fd, const void *p, size_t n)
{
	if (write_all(fd, p, n) >= 0)
		return;
	/* the reader went away (| head -c 1): end quietly, as cat does when
	 * SIGPIPE kills it; here SIGPIPE was ignored */
	if (errno == EPIPE)
		exit(EXIT_ERR);
	die_errno("write", what, errno);
}

void xflock(const char *path, int fd, int op)
{
	while (flock(fd, op) < 0) {
		if (errno != EINTR)
			die_errno(path, "lock", errno);
	}
}

void xftruncate(const char *path, int fd, off_t len)
{
	while (ftruncate(fd, len) < 0) {
		if (errno != EINTR)
			die_errno(path, "truncate", errno);
	}
}

void xsigaction(int sig, void (*fn)(int))
{
	struct sigaction sa = { .sa_handler = fn };	/* no flags, empty mask */

	if (sigaction(sig, &sa, NULL) < 0)
		die_errno("sigaction", NULL, errno);
}

/* uniform in [lo, hi]: rejection sampling, no modulo bias */
int xrandom_range(int lo, int hi)
{
	uint32_t span = (uint32_t)(hi - lo) + 1, limit = UINT32_MAX - UINT32_MAX % span, r;

	do {
		ssize_t n;

		do
			n = getrandom(&r, sizeof(r), 0);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(r))
			die_errno("getrandom", NULL, n < 0 ? errno : EIO);
	} while (r >= limit);
	return lo + (int)(r % span);
}
