/* Checked integer parsing: the whole string must be a number in range. */
#include <errno.h>
#include "libshmbox.h"

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* Digits of s in base (0: "0x" prefix selects 16, else 10); *end is the
 * first byte not used.  EINVAL when there is no digit, ERANGE past max. */
static int scan_u64(const char *s, unsigned base, uint64_t max,
		    uint64_t *out, const char **end)
{
	uint64_t v = 0;
	const char *p = s;

	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x'
	    && digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = 10;
	}
	if (digit_value(*p) >= (int)base)
		return EINVAL;
	for (; digit_value(*p) < (int)base; p++) {
		/* no division: on 32-bit targets a 64-bit "/" is a libgcc call */
		if (__builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, (unsigned)digit_value(*p), &v) || v > max)
			return ERANGE;
	}
	*out = v;
	*end = p;
	return 0;
}

int parse_u64(const char *s, unsigned base, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;
	int e = scan_u64(s, base, max, &v, &end);

	if (e)
		return e;
	if (*end)
		return EINVAL;
	*out = v;
	return 0;
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
	e = parse_u64(s, base, lim, &mag);
	if (e == 0 && neg && min >= 0 && mag)
		e = ERANGE;
	if (e)
		return e;
	*out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return 0;
}

int parse_size(const char *s, uint64_t max, uint64_t *out)
{
	const char *end;
	uint64_t v;
	unsigned shift = 0;
	int e = scan_u64(s, 0, UINT64_MAX, &v, &end);

	if (e)
		return e;
	switch (*end | 32) {
	case 'k': shift = 10; end++; break;
	case 'm': shift = 20; end++; break;
	case 'g': shift = 30; end++; break;
	}
	if (*end)
		return EINVAL;
	if (v > (max >> shift))
		return ERANGE;
	*out = v << shift;
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
	int e = parse_u64(s, base, max, &v);

	if (e)
		bad_number(what, s, e);
	return v;
}

uint64_t xparse_size(const char *what, const char *s, uint64_t max)
{
	uint64_t v;
	int e = parse_size(s, max, &v);

	if (e)
		bad_number(what, s, e);
	return v;
}
