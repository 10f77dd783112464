/*
 * tests/value/cdnow_db: the CDNOW sample recorded through the public API.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "cdnow_db.h"

long cdnow_day_number(long ymd)
{
	long y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t cdnow_noon_of(long ymd)
{
	return (int64_t)cdnow_day_number(ymd) * 86400 + 43200;
}

/* Records the sample: the 2,357 customers first, so that customer i is
 * sample id i (ids are one sequence with interactions). */
int cdnow_load_sample(kehu_db *db)
{
	FILE *f = fopen(KEHU_SHARED_DATA "/CDNOW_sample.txt", "rb");
	long master, sample, ymd, cds, created = 0;
	double usd;
	kehu_customer *c;
	kehu_interaction *ix;

	if (!f)
		return -1;
	assert_int_equal(kehu_db_begin(db), KEHU_OK);
	for (; created < CDNOW_NSAMPLE; created++) {
		assert_int_equal(kehu_customer_create(&c, db, NULL), 0);
		assert_int_equal(kehu_customer_get_id(c), created + 1);
		kehu_customer_free(c);
	}
	while (fscanf(f, "%ld %ld %ld %ld %lf", &master, &sample, &ymd, &cds,
	              &usd) == 5) {
		assert_int_equal(kehu_interaction_new(&ix, db, sample,
		                                      KEHU_IX_PURCHASE,
		                                      cdnow_noon_of(ymd)), 0);
		assert_int_equal(kehu_interaction_set_amount(
			ix, (int64_t)llround(usd * 100)), 0);
		assert_int_equal(kehu_interaction_record(ix), 0);
		kehu_interaction_free(ix);
	}
	fclose(f);
	assert_int_equal(kehu_db_commit(db), KEHU_OK);
	return 0;
}
