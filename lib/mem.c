/* memcpy and memset for the targets where musl has no assembly ones:
 * MIPS and RISC-V get musl's generic C, unrolled for speed and with a
 * shift-and-merge path for every misalignment: without this file mipsel
 * defconfig is 1,152 B bigger (docs/size.md).  A static
 * link takes these (a symbol the program defines is not pulled from
 * libc.a), for musl's own calls too.  Words when the two pointers share
 * their alignment (the spool's records and the segments are word-aligned),
 * bytes otherwise; the copies here are a message or a header at a time.
 * x86, ARM and AArch64 keep musl's assembly. */
#include <stdint.h>
#include <string.h>

#if defined(__mips__) || defined(__riscv)
typedef unsigned long __attribute__((__may_alias__)) word;
#define W sizeof(word)

/* used: under LTO, the calls gcc itself emits (struct copies) appear only
 * after the plugin has decided what is used; no-tree-loop-distribute-
 * patterns: the loops are not turned back into calls to memcpy/memset */
#define LIBC_FN __attribute__((used, optimize("no-tree-loop-distribute-patterns")))

LIBC_FN void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (!(((uintptr_t)d ^ (uintptr_t)s) & (W - 1))) {
		for (; n && (uintptr_t)d & (W - 1); n--)
			*d++ = *s++;
		for (; n >= W; n -= W, d += W, s += W)
			*(word *)d = *(const word *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

LIBC_FN void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	word w = (unsigned char)c * (~(word)0 / 255);	/* c in every byte */

	for (; n && (uintptr_t)d & (W - 1); n--)
		*d++ = (unsigned char)c;
	for (; n >= W; n -= W, d += W)
		*(word *)d = w;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}
#endif
