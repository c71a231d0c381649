/* Output: a small buffer over write(2), like skalibs' buffer_put.  The
 * applet decides when bytes reach the kernel (out_flush).  Calls down to
 * sys.c, str.c and, to die of a failed write, xsys.c. */
#include <string.h>
#include "libshmbox.h"

static char obuf[4096];
static size_t olen;

int out_flush_fd(int fd)
{
	size_t n = olen;

	olen = 0;
	return write_all(fd, obuf, n);
}

void out_flush(void)
{
	size_t n = olen;

	olen = 0;
	xwrite_all("standard output", 1, obuf, n);
}

void out_put(const void *p, size_t n)
{
	if (n > sizeof(obuf) - olen) {
		out_flush();
		if (n >= sizeof(obuf)) {
			xwrite_all("standard output", 1, p, n);
			return;
		}
	}
	memcpy(obuf + olen, p, n);
	olen += n;
}

void out_str(const char *s)
{
	out_put(s, strlen(s));
}

void out_char(char c)
{
	out_put(&c, 1);
}

void out_i64(int64_t v)
{
	char buf[24];

	out_put(buf, fmt_i64(buf, v));
}

void out_u64(uint64_t v)
{
	char buf[24];

	out_put(buf, fmt_u64(buf, v, 10));
}

/* zero-padded to width (e.g. hex dumps, key=0x%08x) */
void out_u64_base(uint64_t v, unsigned base, int width)
{
	char buf[64];
	size_t n = fmt_u64(buf, v, base);

	for (; width > (int)n; width--)
		out_char('0');
	out_put(buf, n);
}
