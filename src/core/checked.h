/*
 * core/checked: int64 arithmetic that reports overflow instead of
 * wrapping (money sums must never wrap: DESIGN rule 10).
 */
#ifndef KEHU_CORE_CHECKED_H
#define KEHU_CORE_CHECKED_H

#include <stdint.h>

/* *out = a + b; returns 0, or -1 on overflow (then *out is untouched). */
static inline int kehu__add_i64(int64_t a, int64_t b, int64_t *out)
{
	if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
		return -1;
	*out = a + b;
	return 0;
}

static inline int kehu__sub_i64(int64_t a, int64_t b, int64_t *out)
{
	if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b))
		return -1;
	*out = a - b;
	return 0;
}

#endif
