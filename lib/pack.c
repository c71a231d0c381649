/* Texts packed at build time by scripts/packstr (help texts, errno
 * texts): a byte >= 128 stands for the two
 * bytes of its pack_dict entry, each of which may be such a byte again. */
#define PACK_DATA
#include "pack.h"
#include "libshmbox.h"

static char *expand(char *p, char *end, unsigned c)
{
	if (c >= 128) {
		p = expand(p, end, pack_dict[c - 128][0]);
		return expand(p, end, pack_dict[c - 128][1]);
	}
	if (p < end)
		*p++ = (char)c;
	return p;
}

size_t unpack_str(const char *s, char *buf, size_t size)
{
	char *p = buf;

	for (; *s; s++)
		p = expand(p, buf + size - 1, (unsigned char)*s);
	*p = 0;
	return (size_t)(p - buf);
}

size_t unpack(unsigned at, char *buf, size_t size)
{
	return unpack_str((const char *)pack_data + at, buf, size);
}
