/* Checked integer parsing: the whole string must be a number in range. */
#include <errno.h>
#include <string.h>
#include "libshmbox.h"

/* 99 for a byte that is no digit in any base */
static unsigned digit_value(unsigned char ch)
{
	unsigned c = ch;

	if (c - '0' < 10)
		return c - '0';
	c |= 32;	/* 'A'-'F' -> 'a'-'f'; only those land there */
	if (c - 'a' < 6)
		return c - 'a' + 10;
	return 99;
}

/* The base of parse_size/xparse_size: decimal or "0x" hex, then a k/K,
 * m/M, g/G suffix (KiB, MiB, GiB).  A base, not a flag argument: one
 * argument fewer for scan() and xparse_u64(). */
#define BASE_SIZE 0x100u

/* The whole of s as a number in base (0: "0x" prefix selects 16, else
 * 10), or base BASE_SIZE.  EINVAL: no digit, or a byte after them; ERANGE:
 * past max. */
static int scan(const char *s, unsigned base, uint64_t max, uint64_t *out)
{
	/* a suffix scales the digits: they are checked against max once scaled */
	int suffix = base == BASE_SIZE;
	uint64_t v = 0, lim = suffix ? UINT64_MAX : max;
	unsigned scale = 0, d;
	const char *p = s, *digits;

	if (suffix)
		base = 0;

	/* "0x" and no hex digit after it is EINVAL either way */
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x') {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = 10;
	}
	for (digits = p; (d = digit_value(*p)) < base; p++) {
		/* no division: on 32-bit targets a 64-bit "/" is a libgcc call */
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, d, &v) || v > lim)
			return ERANGE;
	}
	if (p == digits)
		return EINVAL;
	if (suffix) {	/* times 1024, once per step: k 1, m 2, g 3 */
		for (scale = 3; scale && (*p | 32) != "\0kmg"[scale]; scale--)
			;
		p += scale != 0;
	}
	if (*p)
		return EINVAL;
	/* shifts by a constant: by a variable, 32-bit targets call libgcc */
	for (; scale; scale--) {
		if (v >> 54)	/* 1024 times that does not fit */
			return ERANGE;
		v <<= 10;
	}
	if (v > max)
		return ERANGE;
	*out = v;
	return 0;
}

int parse_u64(const char *s, unsigned base, uint64_t max, uint64_t *out)
{
	return scan(s, base, max, out);
}

int parse_size(const char *s, uint64_t max, uint64_t *out)
{
	return scan(s, BASE_SIZE, max, out);
}

int parse_i64(const char *s, unsigned base, int64_t min, int64_t max, int64_t *out)
{
	int neg = (*s == '-');
	uint64_t mag, lim;
	int e;

	if (*s == '-' || *s == '+')
		s++;
	/* the magnitude may reach |min|, which INT64_MIN makes 2^63 */
	lim = neg ? -(uint64_t)min : (uint64_t)max;
	if (neg && min >= 0)
		lim = 0;
	e = scan(s, base, lim, &mag);
	if (e == 0 && neg && min >= 0 && mag)
		e = ERANGE;
	if (e)
		return e;
	*out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return 0;
}

static NORETURN void bad_number(const char *what, const char *s, int e)
{
	bad_arg_die(what, s, e == ERANGE ? "number out of range" : "invalid number");
}

int64_t xparse_i64(const char *what, const char *s, unsigned base, int64_t min, int64_t max)
{
	int64_t v;
	int e = parse_i64(s, base, min, max, &v);

	if (e)
		bad_number(what, s, e);
	return v;
}

uint64_t xparse_u64(const char *what, const char *s, unsigned base, uint64_t max)
{
	uint64_t v;
	int e = scan(s, base, max, &v);

	if (e)
		bad_number(what, s, e);
	return v;
}

/* ERANGE says the range, with the largest unit that divides max:
 * "number out of range (at most 1G)" (but for max UINT64_MAX) */
uint64_t xparse_size(const char *what, const char *s, uint64_t max)
{
	uint64_t v;
	int e = scan(s, BASE_SIZE, max, &v), unit = 0;
	char why[64], num[24];

	if (e != ERANGE || max == UINT64_MAX) {
		if (e)
			bad_number(what, s, e);
		return v;
	}
	while (unit < 3 && max && !(max & 1023)) {
		max >>= 10;
		unit++;
	}
	num[fmt_u64(num, max, 10)] = 0;
	str_join(why, sizeof(why), "number out of range (at most ", num, unit ? "" : ")");
	if (unit)
		str_join(why + strlen(why), 3, "KMG" + unit - 1, ")", NULL);
	bad_arg_die(what, s, why);
}

uint64_t xparse_mode(const char *what, const char *s)
{
	uint64_t v;

	if (parse_u64(s, 8, 0777, &v))
		bad_arg_die(what, s, "invalid octal mode (0 to 777)");
	return v;
}
