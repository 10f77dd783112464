/*
 * tests/bench/benchutil: helpers shared by the benchmark programs (see
 * benchutil.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "benchutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

long bench_day_number(long ymd)
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

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t bench_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

void bench_check(kehu_db *db, int rc, const char *what)
{
	if (rc != KEHU_OK) {
		fprintf(stderr, "%s: %s (%s)\n", what, kehu_strerror(rc),
		        db ? kehu_errmsg(db) : "");
		exit(1);
	}
}

kehu_db *bench_open_memory(void)
{
	kehu_db *db = NULL;

	bench_check(db, kehu_db_open(&db, NULL), "open");
	return db;
}

kehu_id bench_create_customers(kehu_db *db, int64_t n)
{
	kehu_id first = 0, id = 0;
	int64_t c;

	bench_check(db, kehu_db_begin(db), "begin");
	for (c = 0; c < n; c++) {
		kehu_customer *cu;

		bench_check(db, kehu_customer_create(&cu, db, NULL), "create");
		id = kehu_customer_get_id(cu);
		if (c == 0)
			first = id;
		kehu_customer_free(cu);
	}
	bench_check(db, kehu_db_commit(db), "commit customers");
	if (id != first + n - 1) {
		fprintf(stderr, "customer ids are not consecutive\n");
		exit(1);
	}
	return first;
}

void bench_record(kehu_db *db, kehu_id id, int32_t type, int64_t t,
                  int64_t amount)
{
	kehu_interaction *ix;

	bench_check(db, kehu_interaction_new(&ix, db, id, type, t), "new");
	if (amount)
		bench_check(db, kehu_interaction_set_amount(ix, amount),
		            "amount");
	bench_check(db, kehu_interaction_record(ix), "record");
	kehu_interaction_free(ix);
}

int64_t bench_feed_time(int64_t c, int j)
{
	return BENCH_T0 + (int64_t)j * 36 * BENCH_DAY + (c % 36) * BENCH_DAY +
	       (c * 7919) % BENCH_DAY;
}

int64_t bench_feed_amount(uint64_t *rnd)
{
	return 100 + (int64_t)(bench_random(rnd) % 100000);
}

int64_t bench_feed_now(int per)
{
	return BENCH_T0 + (int64_t)per * 36 * BENCH_DAY + 40 * BENCH_DAY;
}

int bench_rules_events(int64_t c, uint64_t *rnd, bench_event ev[3])
{
	ev[0].type = KEHU_IX_PURCHASE;
	ev[0].time = BENCH_T0 + (c % 700) * BENCH_DAY + (c * 7919) % BENCH_DAY;
	ev[0].amount = 1000 + (int64_t)(bench_random(rnd) % 100000);
	ev[1].type = KEHU_IX_PURCHASE;
	ev[1].time = BENCH_T0 + ((c * 31 + 17) % 720) * BENCH_DAY +
	             (c * 104729) % BENCH_DAY;
	ev[1].amount = 1000 + (int64_t)(bench_random(rnd) % 100000);
	if (c % 7 != 0)
		return 2;
	ev[2].type = KEHU_IX_COMPLAINT;
	ev[2].time = BENCH_T0 + (c % 720) * BENCH_DAY;
	ev[2].amount = 0;
	return 3;
}

kehu_id bench_rules_populate(kehu_db *db, int64_t n)
{
	uint64_t rnd = BENCH_SEED;
	bench_event ev[3];
	kehu_id first;
	int64_t c;
	int i, k;

	first = bench_create_customers(db, n);
	bench_check(db, kehu_db_begin(db), "begin");
	for (c = 0; c < n; c++) {
		k = bench_rules_events(c, &rnd, ev);
		for (i = 0; i < k; i++)
			bench_record(db, first + c, ev[i].type, ev[i].time,
			             ev[i].amount);
	}
	bench_check(db, kehu_db_commit(db), "commit");
	return first;
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

bench_stat bench_stats(double *v, int n)
{
	bench_stat s;

	qsort(v, (size_t)n, sizeof v[0], compare_doubles);
	s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	s.min = v[0];
	s.max = v[n - 1];
	return s;
}

double bench_spread(const bench_stat *s)
{
	return s->median > 0 ? 100.0 * (s->max - s->min) / s->median : 0;
}
