/*
 * core/caltime: calendar arithmetic on caller-given times.  Days and
 * months are counted in a fixed UTC offset (a Shanghai POS closes its day
 * at local midnight).  The library never reads the clock.
 */
#ifndef KEHU_CORE_CALTIME_H
#define KEHU_CORE_CALTIME_H

#include <stdint.h>

#include "core/tuning.h"

/* Valid times: 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. */
#define KEHU__TIME_MIN INT64_C(0)
#define KEHU__TIME_MAX INT64_C(253402300799)

/* Local day number (days since 1970-01-01 local) of time t.  Inline
 * where speed counts: a population's evaluation takes four per
 * customer. */
#if KEHU__FAST_PATHS
static inline int32_t kehu__day_of(int64_t t, int32_t utc_offset)
{
	int64_t s = t + utc_offset;
	int64_t q = s / 86400;

	return (int32_t)(q - (q * 86400 > s)); /* floor, for s < 0 too */
}
#else
int32_t kehu__day_of(int64_t t, int32_t utc_offset);
#endif
/* Month number (year * 12 + month - 1) of a local day number. */
int32_t kehu__month_of_day(int32_t day);
/* First local day of a month number. */
int32_t kehu__first_day_of_month(int32_t month);

#endif
