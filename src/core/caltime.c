/*
 * core/caltime: day and month numbers (Howard Hinnant's civil-from-days
 * algorithms, exact for the proleptic Gregorian calendar).
 */
#include "core/caltime.h"

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

#if !KEHU__FAST_PATHS /* else inline in caltime.h */
int32_t kehu__day_of(int64_t t, int32_t utc_offset)
{
	return (int32_t)floor_div(t + utc_offset, 86400);
}
#endif

int32_t kehu__month_of_day(int32_t day)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;

	if (m <= 2)
		y++;
	return (int32_t)(y * 12 + m - 1);
}

int32_t kehu__first_day_of_month(int32_t month)
{
	int64_t y = floor_div(month, 12);
	int64_t m = month - y * 12 + 1;
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}
