/*
 * core/utf8: strict UTF-8 validation (RFC 3629, Unicode table 3-7).
 */
#include "core/utf8.h"

static size_t sequence_length(unsigned char c, unsigned char *lo,
                              unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		return 2;
	if (c == 0xE0)
		*lo = 0xA0;
	else if (c == 0xED)
		*hi = 0x9F; /* no UTF-16 surrogates */
	if (c >= 0xE0 && c <= 0xEF)
		return 3;
	if (c == 0xF0)
		*lo = 0x90;
	else if (c == 0xF4)
		*hi = 0x8F; /* nothing above U+10FFFF */
	if (c >= 0xF0 && c <= 0xF4)
		return 4;
	return 0;
}

int kehu__utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n, k;
	unsigned char lo, hi;

	while (i < len) {
		if (s[i] == 0)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		n = sequence_length(s[i], &lo, &hi);
		if (n == 0 || len - i < n)
			return 0;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k < n; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
		i += n;
	}
	return 1;
}
