/*
 * tests/bench/bench_ingest: ingest benchmark (prints figures; not a
 * test).  1,000,000 purchase interactions across 100,000 customers from
 * a deterministic generator, into the built-in memory store inside one
 * host transaction.  Prints interactions/s, hot-state bytes per
 * customer and peak RSS.
 *
 * usage: bench_ingest [customers] [purchases-per-customer] [runs]
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "kehu.h"

#define T0 INT64_C(1704067200)
#define DAY INT64_C(86400)

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t next_random(uint64_t *state)
{
	/* xorshift64*: deterministic, the same stream every run */
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

static void check(kehu_db *db, int rc, const char *what)
{
	if (rc != KEHU_OK) {
		fprintf(stderr, "%s: %s (%s)\n", what, kehu_strerror(rc),
		        kehu_errmsg(db));
		exit(1);
	}
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One run: returns interactions per second of the ingest. */
static double run(int64_t customers, int per_customer, int print)
{
	kehu_storage_memory *mem;
	kehu_storage vt;
	kehu_db_options o;
	kehu_db *db;
	uint64_t rnd = 88172645463325252u;
	double t_start, t_create, t_ingest;
	int64_t c, first_id = 0, n = 0;
	int j;

	check(NULL, kehu_storage_memory_new(&mem, NULL, NULL), "memory store");
	kehu_storage_memory_get_vtable(mem, &vt);
	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	o.storage = &vt;
	check(NULL, kehu_db_open(&db, &o), "open");

	t_start = now_seconds();
	check(db, kehu_db_begin(db), "begin");
	for (c = 0; c < customers; c++) {
		kehu_customer *cu;

		check(db, kehu_customer_create(&cu, db, NULL), "create");
		if (c == 0)
			first_id = kehu_customer_get_id(cu);
		kehu_customer_free(cu);
	}
	check(db, kehu_db_commit(db), "commit customers");
	t_create = now_seconds();

	/* purchases arrive in global time order, as from a POS feed */
	check(db, kehu_db_begin(db), "begin");
	for (j = 0; j < per_customer; j++) {
		for (c = 0; c < customers; c++) {
			kehu_interaction *ix;
			int64_t t = T0 + (int64_t)j * 36 * DAY +
			            (c % 36) * DAY + (c * 7919) % DAY;
			int64_t amount = 100 + (int64_t)(next_random(&rnd) %
			                                 100000);

			check(db, kehu_interaction_new(&ix, db, first_id + c,
			                               KEHU_IX_PURCHASE, t),
			      "new");
			check(db, kehu_interaction_set_amount(ix, amount),
			      "amount");
			check(db, kehu_interaction_record(ix), "record");
			kehu_interaction_free(ix);
			n++;
		}
	}
	check(db, kehu_db_commit(db), "commit interactions");
	t_ingest = now_seconds();

	if (print) {
		struct rusage ru;
		kehu_metrics m;

		kehu_metrics_init(&m, KEHU_METRICS_VERSION);
		check(db, kehu_metrics_read(&m, db, first_id, T0 + 400 * DAY),
		      "metrics");
		getrusage(RUSAGE_SELF, &ru);
		printf("customers created:     %" PRId64 " in %.3f s\n",
		       customers, t_create - t_start);
		printf("interactions recorded: %" PRId64 " in %.3f s\n", n,
		       t_ingest - t_create);
		printf("store: %" PRIu64 " keys, %.1f MiB\n",
		       kehu_storage_memory_count(mem),
		       (double)kehu_storage_memory_bytes(mem) / 1048576.0);
		printf("hot bytes per customer: %zu\n",
		       kehu_db_hot_bytes_per_customer());
		printf("peak RSS: %.1f MiB\n", (double)ru.ru_maxrss / 1024.0);
		printf("check: customer %" PRId64 " has %" PRId64
		       " purchases, revenue %" PRId64 "\n",
		       first_id, m.purchases, m.revenue);
	}
	kehu_db_close(db);
	kehu_storage_memory_free(mem);
	return (double)n / (t_ingest - t_create);
}

int main(int argc, char **argv)
{
	int64_t customers = argc > 1 ? atoll(argv[1]) : 100000;
	int per = argc > 2 ? atoi(argv[2]) : 10;
	int runs = argc > 3 ? atoi(argv[3]) : 5, i;
	double rates[64];

	if (customers < 1 || per < 1 || runs < 1 || runs > 64) {
		fprintf(stderr, "usage: bench_ingest [customers] "
		                "[per-customer] [runs 1..64]\n");
		return 1;
	}
	printf("libkehu %s ingest: %" PRId64 " customers x %d purchases, "
	       "memory store, one host transaction, %d runs\n",
	       kehu_version(), customers, per, runs);
	for (i = 0; i < runs; i++)
		rates[i] = run(customers, per, i == 0);
	qsort(rates, (size_t)runs, sizeof rates[0], compare_doubles);
	printf("ingest: median %.0f interactions/s (min %.0f, max %.0f)\n",
	       rates[runs / 2], rates[0], rates[runs - 1]);
	printf("target: >= 1000000 interactions/s, <= 128 hot bytes per "
	       "customer\n");
	return 0;
}
