/*
 * tests/bench/bench_footprint: the memory a loaded db costs (prints
 * figures; not a test).  Loads N customers (default 1,000,000) with
 * bench_rules' population (two purchases each, a complaint for every
 * seventh) into the built-in memory store in one host transaction, then
 * prints the hot bytes per customer, the store's own byte count and the
 * process's peak RSS (getrusage ru_maxrss).  tools/footprint.sh runs it.
 *
 * usage: bench_footprint [customers]
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "benchutil.h"
#include "kehu.h"

static double peak_rss_mib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

int main(int argc, char **argv)
{
	int64_t n = argc > 1 ? atoll(argv[1]) : 1000000;
	kehu_storage_memory *mem;
	kehu_storage vt;
	kehu_db_options o;
	kehu_db *db = NULL;
	kehu_metrics m;
	double before, after, t;

	if (n < 1) {
		fprintf(stderr, "usage: bench_footprint [customers >= 1]\n");
		return 1;
	}
	before = peak_rss_mib();
	bench_check(NULL, kehu_storage_memory_new(&mem, NULL, NULL),
	            "memory store");
	kehu_storage_memory_get_vtable(mem, &vt);
	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	o.storage = &vt;
	bench_check(db, kehu_db_open(&db, &o), "open");
	t = bench_now();
	bench_rules_populate(db, n);
	t = bench_now() - t;
	after = peak_rss_mib();
	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	bench_check(db, kehu_metrics_read(&m, db, 1, BENCH_RULES_NOW),
	            "metrics");

	printf("libkehu %s footprint: %" PRId64 " customers, %" PRId64
	       " interactions (2 purchases each, a complaint every 7th), "
	       "memory store, loaded in %.1f s\n", kehu_version(),
	       kehu_db_customer_count(db), 2 * n + (n + 6) / 7, t);
	printf("hot bytes per customer: %zu (%.1f MiB for all)\n",
	       kehu_db_hot_bytes_per_customer(),
	       (double)kehu_db_hot_bytes_per_customer() * (double)n /
	               1048576.0);
	printf("memory store: %" PRIu64 " keys, %.1f MiB (%.0f bytes per "
	       "customer)\n", kehu_storage_memory_count(mem),
	       (double)kehu_storage_memory_bytes(mem) / 1048576.0,
	       (double)kehu_storage_memory_bytes(mem) / (double)n);
	printf("peak RSS: %.1f MiB (%.1f MiB before the load; %.0f bytes "
	       "per customer)\n", after, before,
	       (after - before) * 1048576.0 / (double)n);
	printf("check: customer 1 has %" PRId64 " purchases\n", m.purchases);
	kehu_db_close(db);
	kehu_storage_memory_free(mem);
	return 0;
}
