/*
 * cli/parse: dates and amounts as people write them in exported files
 * (ISO 8601, YYYYMMDD; "1234.50", "1.234,50"), and back.  Exact: money
 * never passes through floating point.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
	static const char dim[12] = {31, 28, 31, 30, 31, 30,
	                             31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* Reads exactly @p k digits at s[*i]. */
static int digits(const char *s, size_t n, size_t *i, int k, int *out)
{
	int v = 0;

	if (*i + (size_t)k > n)
		return -1;
	for (; k > 0; k--, (*i)++) {
		if (s[*i] < '0' || s[*i] > '9')
			return -1;
		v = v * 10 + (s[*i] - '0');
	}
	*out = v;
	return 0;
}

int cli_parse_time(const char *s, size_t n, int32_t utc_offset,
                   int64_t *out)
{
	int y, mo, d, h = 12, mi = 0, sec = 0, zone = 0, zh, zm;
	size_t i = 0;
	int64_t t;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	while (i < n && s[i] == ' ')
		i++;
	if (digits(s, n, &i, 4, &y))
		return -1;
	if (i < n && s[i] == '-') {
		i++;
		if (digits(s, n, &i, 2, &mo) || i >= n || s[i++] != '-' ||
		    digits(s, n, &i, 2, &d))
			return -1;
	} else if (digits(s, n, &i, 2, &mo) || digits(s, n, &i, 2, &d)) {
		return -1;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo))
		return -1;
	if (i < n && (s[i] == 'T' || s[i] == ' ')) {
		i++;
		if (digits(s, n, &i, 2, &h) || i >= n || s[i++] != ':' ||
		    digits(s, n, &i, 2, &mi))
			return -1;
		sec = 0;
		if (i < n && s[i] == ':') {
			i++;
			if (digits(s, n, &i, 2, &sec))
				return -1;
			if (i < n && s[i] == '.')
				for (i++; i < n && s[i] >= '0' && s[i] <= '9';)
					i++;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (i < n && s[i] == 'Z') {
			i++;
			zone = 1;
			utc_offset = 0;
		} else if (i < n && (s[i] == '+' || s[i] == '-')) {
			int sign = s[i++] == '-' ? -1 : 1;

			if (digits(s, n, &i, 2, &zh))
				return -1;
			if (i < n && s[i] == ':')
				i++;
			if (digits(s, n, &i, 2, &zm) || zh > 18 || zm > 59)
				return -1;
			zone = 1;
			utc_offset = sign * (zh * 3600 + zm * 60);
		}
	}
	(void)zone;
	if (i != n)
		return -1;
	t = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 +
	    (int64_t)mi * 60 + sec - utc_offset;
	if (t < 0 || t > INT64_C(253402300799))
		return -1;
	*out = t;
	return 0;
}

int cli_parse_amount(const char *s, size_t n, int32_t exponent,
                     int64_t *out, const char **why)
{
	size_t i, b = 0, dots = 0, commas = 0, last_sep = 0;
	char mark = 0;
	int64_t v = 0;
	int frac = -1, seen = 0;

	while (b < n && (s[b] == ' ' || s[b] == '\t'))
		b++;
	while (n > b && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	                 s[n - 1] == '\r'))
		n--;
	*why = "not an amount";
	if (b == n) {
		*why = "empty amount";
		return -1;
	}
	if (s[b] == '-') {
		*why = "negative amount (record a refund instead)";
		return -1;
	}
	if (s[b] == '+')
		b++;
	for (i = b; i < n; i++) {
		if (s[i] == '.') {
			dots++;
			last_sep = i;
		} else if (s[i] == ',') {
			commas++;
			last_sep = i;
		} else if (s[i] < '0' || s[i] > '9') {
			return -1;
		}
	}
	/* One mark seen once is the decimal mark; both: the last one is. */
	if (dots && commas)
		mark = s[last_sep];
	else if (dots == 1)
		mark = '.';
	else if (commas == 1)
		mark = ',';
	for (i = b; i < n; i++) {
		if (s[i] == mark) {
			if (i != last_sep)
				return -1;
			frac = 0;
			continue;
		}
		if (s[i] == '.' || s[i] == ',')
			continue;
		seen = 1;
		if (frac >= 0) {
			if (frac == exponent) {
				if (s[i] != '0') {
					*why = "more decimals than the "
					       "currency has";
					return -1;
				}
				continue;
			}
			frac++;
		}
		if (v > (INT64_MAX - (s[i] - '0')) / 10) {
			*why = "amount too large";
			return -1;
		}
		v = v * 10 + (s[i] - '0');
	}
	if (!seen)
		return -1;
	for (frac = frac < 0 ? 0 : frac; frac < exponent; frac++) {
		if (v > INT64_MAX / 10) {
			*why = "amount too large";
			return -1;
		}
		v *= 10;
	}
	*out = v;
	return 0;
}

void cli_format_money(char *buf, size_t cap, int64_t minor,
                      int32_t exponent)
{
	uint64_t u = minor < 0 ? 0 - (uint64_t)minor : (uint64_t)minor;
	char digits[32], *p = digits + sizeof digits;
	int32_t i = 0;

	/* Right to left: the decimals, the mark, then the whole part. */
	*--p = '\0';
	do {
		if (exponent > 0 && i == exponent)
			*--p = '.';
		*--p = (char)('0' + u % 10);
		u /= 10;
		i++;
	} while (u > 0 || i <= exponent);
	if (minor < 0)
		*--p = '-';
	snprintf(buf, cap, "%s", p);
}

void cli_format_date(char *buf, size_t cap, int64_t t, int32_t utc_offset)
{
	int64_t local = t + utc_offset;
	int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}
