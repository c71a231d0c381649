/* The spooler's output: -o FILE or standard output, appended to.  A
 * batch is written whole before the drain frees its records; a full or
 * failing disk keeps them in the spool and is retried; SIGHUP reopens
 * FILE (logrotate's mv + HUP); -S rotates it between batches. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>	/* rename(2): a system call, no stdio */
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "spool.h"

volatile sig_atomic_t spool_hup;

/* A regular file whose last byte is not a newline (a spooler died in
 * the middle of a line) gets one first: no two lines glued.  Its last
 * byte through a descriptor of its own (for standard output, by
 * /proc/self/fd/1 when /proc is there): a FIFO opened for reading too
 * would never see its reader go.  Notes what the file holds (-S). */
static void end_partial_line(struct spool_out *o)
{
	struct stat st;
	char last = '\n';
	int rfd;

	o->is_file = fstat(o->fd, &st) == 0 && S_ISREG(st.st_mode);
	o->bytes = o->is_file ? (uint64_t)st.st_size : 0;
	if (o->bytes && (fcntl(o->fd, F_GETFL) & O_APPEND) &&
	    (rfd = open(o->path ? o->path : "/proc/self/fd/1", O_RDONLY | O_CLOEXEC)) >= 0) {
		if (pread(rfd, &last, 1, st.st_size - 1) != 1)
			last = '\n';
		close(rfd);
	}
	if (last != '\n') {
		xwrite_all(o->name, o->fd, "\n", 1);
		o->bytes++;
	}
}

void spool_out_open(struct spool_out *o, const char *path)
{
	o->path = path;
	o->name = path ? path : "standard output";
	o->fd = path ? xopen(path, O_WRONLY | O_CREAT | O_APPEND, 0666) : 1;
	end_partial_line(o);
}

void spool_out_reopen(struct spool_out *o)
{
	spool_hup = 0;
	if (!o->path)
		return;	/* standard output: nothing to reopen */
	xclose(o->fd);
	spool_out_open(o, o->path);
}

uint64_t spool_out_room(const struct spool_out *o)
{
	if (!ENABLE_FEATURE_SPOOL_ROTATE || !o->max)
		return UINT64_MAX;
	return o->bytes < o->max ? o->max - o->bytes : 0;
}

/* FILE.N-2 -> FILE.N-1, ..., FILE -> FILE.0, as BusyBox syslogd; -b 0
 * keeps none: FILE starts again empty.  One that is not there (moved
 * away by someone else) is no error. */
static void rotate(struct spool_out *o)
{
	char from[4096], to[4096];
	size_t n = strlen(o->path);

	if (n > sizeof(from) - 4)
		die_msg(o->path, "name too long to rotate");
	for (unsigned i = o->keep; i > 0; i--) {
		memcpy(from, o->path, n);
		memcpy(to, o->path, n);
		from[n] = to[n] = '.';
		to[n + 1 + fmt_u64(to + n + 1, i - 1, 10)] = 0;
		if (i > 1)
			from[n + 1 + fmt_u64(from + n + 1, i - 2, 10)] = 0;
		else
			from[n] = 0;
		if (rename(from, to) < 0 && errno != ENOENT)
			die_errno("rename", from, errno);
	}
	if (!o->keep && unlink(o->path) < 0 && errno != ENOENT)
		die_errno("unlink", o->path, errno);
	xclose(o->fd);
	spool_out_open(o, o->path);
}

/* The output cannot take bytes now, but may later (a full disk, a
 * failing one): only a regular file's.  A pipe's EPIPE, a terminal's
 * EIO after a hang-up are lost outputs. */
static int may_come_back(const struct spool_out *o, int err)
{
	return o->is_file && (err == ENOSPC || err == EDQUOT || err == EIO);
}

int spool_out_writev(struct spool_out *o, struct iovec *v, int n, volatile sig_atomic_t *stop)
{
	uint64_t total = 0, written = 0;
	int stalled = 0;

	if (spool_hup)
		spool_out_reopen(o);
	for (int i = 0; i < n; i++)
		total += v[i].iov_len;
	if (ENABLE_FEATURE_SPOOL_ROTATE && o->max && o->bytes && total > spool_out_room(o))
		rotate(o);
	while (n > 0) {
		ssize_t w = writev(o->fd, v, n);

		if (w < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			if (!may_come_back(o, err))
				die_errno("write", o->name, err);
			if (!stalled++)
				warn_errno(o->name, "write (the messages stay in the spool; retrying each second)", err);
			/* a second, or less: a signal (SIGHUP: at once, SIGTERM: stop) */
			poll(NULL, 0, 1000);
			if (*stop)
				return -1;
			/* a reopen after part of the batch is out would split a
			 * line over two files: then after the batch */
			if (spool_hup && !written)
				spool_out_reopen(o);
			continue;
		}
		o->bytes += (uint64_t)w;
		written += (uint64_t)w;
		n = iov_advance(&v, n, (size_t)w);
	}
	if (stalled)
		warn_msg(o->name, "writing again");
	return 0;
}
