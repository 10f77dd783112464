/*
 * tests/value/cdnow_db: the CDNOW 1/10th sample recorded into a db
 * through the public API, shared by the value-model tests.
 */
#ifndef KEHU_TESTS_CDNOW_DB_H
#define KEHU_TESTS_CDNOW_DB_H

#include <stdint.h>

#include "kehu.h"

#ifndef KEHU_SHARED_DATA
#define KEHU_SHARED_DATA "../shared/data"
#endif

#define CDNOW_NSAMPLE 2357
#define CDNOW_WEEK INT64_C(604800)

/* Days since 1970-01-01 of the date yyyymmdd (civil calendar). */
long cdnow_day_number(long ymd);
/* Noon UTC of the date yyyymmdd. */
int64_t cdnow_noon_of(long ymd);

/* Creates the 2,357 sample customers (customer i gets id i) and records
 * every purchase of CDNOW_sample.txt in one transaction; -1 when the
 * file cannot be read.  Fails the running cmocka test on an API error. */
int cdnow_load_sample(kehu_db *db);

#endif
