/* sstrip FILE: drop what the kernel never reads from a stripped static
 * ELF executable: the section header table and the section names after
 * the last segment (about 1 KB of a 30 KB binary).  The idea of
 * ELFkickers' sstrip, which OpenWrt runs on every binary; Debian does not
 * package it.  Program headers and segments stay byte for byte; only
 * e_shoff, e_shnum and e_shstrndx become 0 and the file is cut where its
 * last segment's bytes end.  Little-endian ELF32 and ELF64, the targets
 * shmbox builds for.  A build tool: runs on the build machine. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint64_t get(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static void put(unsigned char *p, int n, uint64_t v)
{
	for (int i = 0; i < n; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

static int fail(const char *path, const char *why)
{
	fprintf(stderr, "sstrip: %s: %s\n", path, why);
	return 1;
}

int main(int argc, char **argv)
{
	static unsigned char buf[8 << 20];
	const char *path = argv[1];
	FILE *f;
	size_t size;
	uint64_t phoff, end = 0;
	unsigned phentsize, phnum;
	int w;	/* 4 or 8: ELF32 or ELF64 */

	if (argc != 2) {
		fprintf(stderr, "usage: sstrip FILE\n");
		return 2;
	}
	if (!(f = fopen(path, "r+b")))
		return fail(path, strerror(errno));
	size = fread(buf, 1, sizeof(buf), f);
	if (size == sizeof(buf) || ferror(f))
		return fail(path, "cannot read it (or larger than 8 MiB)");
	if (size < 52 || memcmp(buf, "\177ELF", 4) || buf[5] != 1 ||
	    (buf[4] != 1 && buf[4] != 2))
		return fail(path, "not a little-endian ELF file");
	w = buf[4] == 2 ? 8 : 4;
	if (get(buf + 16, 2) != 2)
		return fail(path, "not an executable (ET_EXEC)");
	/* e_phoff, e_phentsize, e_phnum; ELF64 fields are 4 bytes later */
	phoff = get(buf + 28 + (w == 8 ? 4 : 0), w);
	phentsize = (unsigned)get(buf + (w == 8 ? 54 : 42), 2);
	phnum = (unsigned)get(buf + (w == 8 ? 56 : 44), 2);
	if (phentsize < (w == 8 ? 56u : 32u) || phoff > size ||
	    (uint64_t)phentsize * phnum > size - phoff)
		return fail(path, "program headers outside the file");
	end = phoff + (uint64_t)phentsize * phnum;
	for (unsigned i = 0; i < phnum; i++) {
		const unsigned char *ph = buf + phoff + (uint64_t)i * phentsize;
		/* p_offset, p_filesz */
		uint64_t off = get(ph + (w == 8 ? 8 : 4), w);
		uint64_t len = get(ph + (w == 8 ? 32 : 16), w);

		if (off > size || len > size - off)
			return fail(path, "a segment reaches past the end of the file");
		if (off + len > end)
			end = off + len;
	}
	if (end < (w == 8 ? 64u : 52u))
		end = w == 8 ? 64 : 52;
	put(buf + (w == 8 ? 40 : 32), w, 0);		/* e_shoff */
	put(buf + (w == 8 ? 60 : 48), 2, 0);		/* e_shnum */
	put(buf + (w == 8 ? 62 : 50), 2, 0);		/* e_shstrndx */
	rewind(f);
	if (fwrite(buf, 1, (size_t)end, f) != end || fflush(f) ||
	    ftruncate(fileno(f), (off_t)end) < 0 || fclose(f))
		return fail(path, strerror(errno));
	return 0;
}
