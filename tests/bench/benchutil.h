/*
 * tests/bench/benchutil: what the benchmark programs share: a monotonic
 * clock, the deterministic random stream, the two synthetic populations
 * (bench_ingest's purchase feed and bench_rules' classification
 * population, the same numbers as those programs generate) and the
 * median and spread of repeated runs.
 */
#ifndef KEHU_BENCH_BENCHUTIL_H
#define KEHU_BENCH_BENCHUTIL_H

#include <stdint.h>

#include "kehu.h"

#define BENCH_T0 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */
#define BENCH_DAY INT64_C(86400)
#define BENCH_SEED UINT64_C(88172645463325252)

/* Days since 1970-01-01 of the date yyyymmdd (civil calendar). */
long bench_day_number(long ymd);

/* Seconds on a monotonic clock. */
double bench_now(void);

/* xorshift64*: the same stream every run. */
uint64_t bench_random(uint64_t *state);

/* Exits with a message when rc is not KEHU_OK (db may be NULL). */
void bench_check(kehu_db *db, int rc, const char *what);

/* Opens a db on a private in-memory store. */
kehu_db *bench_open_memory(void);

/* Creates n customers in one host transaction; returns the first id
 * (the ids are consecutive: checked). */
kehu_id bench_create_customers(kehu_db *db, int64_t n);

/* Records one interaction (amount 0: none). */
void bench_record(kehu_db *db, kehu_id id, int32_t type, int64_t t,
                  int64_t amount);

/* ---- the purchase feed of bench_ingest ----------------------------------
 * Round j (0..per-1) gives every customer c (0-based) one purchase, the
 * rounds in global time order as from a POS feed; each customer's
 * purchases are 36 days apart.  Amounts come from the random stream,
 * seeded with BENCH_SEED, one draw per purchase in feed order. */
int64_t bench_feed_time(int64_t c, int j);
int64_t bench_feed_amount(uint64_t *rnd);
/* "now" for reading the feed's customers: after the last round. */
int64_t bench_feed_now(int per);

/* ---- the classification population of bench_rules -----------------------
 * Customer c (0-based) has two purchases at deterministic times within
 * 720 days of BENCH_T0 (amounts: two draws from the stream), and a
 * complaint when c % 7 == 0.  Fills ev[] and returns how many (2 or 3). */
typedef struct bench_event {
	int32_t type;
	int64_t time;
	int64_t amount;
} bench_event;

#define BENCH_RULES_NOW (BENCH_T0 + 720 * BENCH_DAY)

int bench_rules_events(int64_t c, uint64_t *rnd, bench_event ev[3]);

/* Builds the population of n customers in db in one host transaction;
 * returns the first id. */
kehu_id bench_rules_populate(kehu_db *db, int64_t n);

/* ---- repeated runs ------------------------------------------------------ */
typedef struct bench_stat {
	double median;
	double min;
	double max;
} bench_stat;

/* Median, min and max of v[0..n-1] (sorts v). */
bench_stat bench_stats(double *v, int n);

/* The spread as a percentage of the median: (max - min) / median. */
double bench_spread(const bench_stat *s);

#endif
