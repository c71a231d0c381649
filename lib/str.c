/* Strings and numbers: formatting, joining, comparing.  A leaf: calls
 * nothing else of lib/. */
#include <string.h>
#include "libshmbox.h"

/* v / base, and v % base in *rem, for base < 2^16 with 32-bit divisions:
 * long division of the high word, then of two 16-bit digits of the low
 * word (a remainder < base and 16 bits fit in 32).  A 64-bit "/" and "%"
 * bring libgcc's __udivdi3 and __umoddi3 into the 32-bit builds: mipsel
 * defconfig +2,484 B (docs/size.md; x86_64's plain form is 22 B less). */
uint64_t div_u16(uint64_t v, unsigned base, unsigned *rem)
{
	uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v;
	uint32_t qhi = hi / base, part = (hi % base) << 16 | lo >> 16;
	uint32_t qmid = part / base;

	part = (part % base) << 16 | (lo & 0xffff);
	*rem = part % base;
	return (uint64_t)qhi << 32 | qmid << 16 | part / base;
}

/* days since 1970 to a civil date (H. Hinnant's civil_from_days, in
 * unsigned 32-bit arithmetic: any day of a 64-bit microsecond time) */
static void civil_from_days(uint32_t days, unsigned *y, unsigned *m, unsigned *d)
{
	uint32_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
	uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

void utc_of(uint64_t us, struct utc *t)
{
	unsigned r, sod;
	uint64_t sec = div_u16(us >> 6, 15625, &r);	/* 64 * 15625 = 10^6 */

	t->usec = r << 6 | (unsigned)(us & 63);
	civil_from_days((uint32_t)div_u16(sec >> 7, 675, &r), &t->year, &t->mon, &t->day);	/* 128 * 675 = 86400 */
	sod = r << 7 | (unsigned)(sec & 127);
	t->hour = sod / 3600;
	t->min = sod / 60 % 60;
	t->sec = sod % 60;
}

size_t fmt_u64(char *buf, uint64_t v, unsigned base)
{
	char tmp[64], *p = tmp + sizeof(tmp);	/* filled from the end */
	size_t n;

	do {
		unsigned digit;

		v = div_u16(v, base, &digit);
		*--p = "0123456789abcdef"[digit];
	} while (v);
	n = (size_t)(tmp + sizeof(tmp) - p);
	memcpy(buf, p, n);
	return n;
}

size_t fmt_i64(char *buf, int64_t v)
{
	size_t neg = v < 0;

	buf[0] = '-';	/* the digits overwrite it when v >= 0 */
	/* negate in unsigned arithmetic: INT64_MIN has no positive twin */
	return neg + fmt_u64(buf + neg, neg ? -(uint64_t)v : (uint64_t)v, 10);
}

/* parts[0] + ... + parts[3] (any may be NULL) into buf, cut to fit */
static char *join(char *buf, size_t size, const char *const *parts)
{
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		for (const char *p = parts[i]; p && *p && n < size - 1; p++)
			buf[n++] = *p;
	}
	buf[n] = 0;
	return buf;
}

char *str_join(char *buf, size_t size, const char *a, const char *b, const char *c)
{
	const char *parts[4] = { a, b, c, NULL };

	return join(buf, size, parts);
}

char *str_join_num(char *buf, size_t size, const char *a, const char *b, int64_t v, const char *c)
{
	char num[24];
	const char *parts[4] = { a, b, num, c };

	num[fmt_i64(num, v)] = 0;
	return join(buf, size, parts);
}

/* strcmp(a, b) == 0, by hand: musl's strcmp, linked for a few option and
 * applet names, costs defconfig 100 B on mipsel, 48 B of code on x86_64
 * (docs/size.md) */
int str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* memmove for dst <= src, the only way these buffers move: a partial line
 * back to the start.  By hand because musl's memmove is C on most targets
 * (mipsel defconfig +336 B; x86_64, whose memmove is assembly, +42 B of
 * code: docs/size.md) and the moves here are a line or less. */
void move_down(char *dst, const char *src, size_t n)
{
	while (n--)
		*dst++ = *src++;
}
