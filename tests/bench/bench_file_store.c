/*
 * tests/bench/bench_file_store: throughput of the POSIX file store
 * under the db (prints figures; not a test).
 *
 *  1. commits/s of small transactions (one interaction each) in each
 *     durability mode (full, normal, off);
 *  2. commits/s and interactions/s of 1,000-interaction batches in each
 *     mode;
 *  3. a bulk load in `off` mode: `customers` customers, then
 *     customers x per-customer purchases in one host transaction
 *     (target >= 500,000 interactions/s);
 *  4. reopen of that file in a fresh process (this program run again
 *     as `bench_file_store --reopen FILE`): time to open the store and
 *     the db (target <= 2 s) and that process's peak RSS.
 *
 * usage: bench_file_store [customers] [per-customer]   (100000 10)
 *        bench_file_store --bulk [customers] [per-customer]  (3 only)
 * Files go to a mkdtemp directory under $TMPDIR (or /tmp), removed at
 * the end.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kehu.h"

#define T0 INT64_C(1704067200)
#define DAY INT64_C(86400)

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int rc, const char *what, kehu_db *db,
                  kehu_storage_file *fs)
{
	if (rc != KEHU_OK) {
		fprintf(stderr, "%s: %s (%s)\n", what, kehu_strerror(rc),
		        db ? kehu_errmsg(db) : kehu_storage_file_errmsg(fs));
		exit(1);
	}
}

typedef struct bench {
	kehu_storage_file *fs;
	kehu_db *db;
} bench;

static void bench_open(bench *b, const char *path, int32_t durability)
{
	kehu_file_store_options fo;
	kehu_db_options o;
	kehu_storage vt;

	kehu_file_store_options_init(&fo, KEHU_FILE_STORE_OPTIONS_VERSION);
	fo.durability = durability;
	check(kehu_storage_file_open(&b->fs, path, &fo), "store open", NULL,
	      b->fs);
	kehu_storage_file_get_vtable(b->fs, &vt);
	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	o.storage = &vt;
	check(kehu_db_open(&b->db, &o), "db open", b->db, NULL);
}

static void bench_close(bench *b)
{
	kehu_db_close(b->db);
	kehu_storage_file_close(b->fs);
}

/* Creates n customers in one transaction; returns the first id. */
static int64_t create_customers(bench *b, int64_t n)
{
	int64_t first = 0;
	int64_t c;

	check(kehu_db_begin(b->db), "begin", b->db, NULL);
	for (c = 0; c < n; c++) {
		kehu_customer *cu;

		check(kehu_customer_create(&cu, b->db, NULL), "create", b->db,
		      NULL);
		if (c == 0)
			first = kehu_customer_get_id(cu);
		kehu_customer_free(cu);
	}
	check(kehu_db_commit(b->db), "commit", b->db, NULL);
	return first;
}

static void record(bench *b, int64_t cust, int64_t t, int64_t amount)
{
	kehu_interaction *ix;

	check(kehu_interaction_new(&ix, b->db, cust, KEHU_IX_PURCHASE, t),
	      "new", b->db, NULL);
	check(kehu_interaction_set_amount(ix, amount), "amount", b->db,
	      NULL);
	check(kehu_interaction_record(ix), "record", b->db, NULL);
	kehu_interaction_free(ix);
}

static const char *mode_name(int32_t m)
{
	return m == KEHU_FILE_SYNC_FULL     ? "full"
	       : m == KEHU_FILE_SYNC_NORMAL ? "normal"
	                                    : "off";
}

/* One interaction per commit, for at most max commits or 2 s. */
static void small_txns(const char *dir, int32_t mode)
{
	char path[512];
	bench b;
	int64_t first;
	int64_t n = 0;
	double t0;
	double t;

	snprintf(path, sizeof path, "%s/small-%s.kehu", dir, mode_name(mode));
	bench_open(&b, path, mode);
	first = create_customers(&b, 1000);
	t0 = now_seconds();
	do {
		record(&b, first + n % 1000, T0 + n * 60, 100 + n % 977);
		n++;
	} while (n < 200000 && (n % 64 != 0 || now_seconds() - t0 < 2.0));
	t = now_seconds() - t0;
	printf("  small txns, %-6s: %8.0f commits/s (%" PRId64 " commits, "
	       "%.2f s)\n", mode_name(mode), (double)n / t, n, t);
	bench_close(&b);
	unlink(path);
}

/* 1,000 interactions per commit. */
static void batches(const char *dir, int32_t mode)
{
	char path[512];
	bench b;
	int64_t first;
	int64_t n = 0;
	int batch = 0;
	double t0;
	double t;

	snprintf(path, sizeof path, "%s/batch-%s.kehu", dir, mode_name(mode));
	bench_open(&b, path, mode);
	first = create_customers(&b, 10000);
	t0 = now_seconds();
	do {
		int i;

		check(kehu_db_begin(b.db), "begin", b.db, NULL);
		for (i = 0; i < 1000; i++, n++)
			record(&b, first + n % 10000, T0 + n * 60,
			       100 + n % 977);
		check(kehu_db_commit(b.db), "commit", b.db, NULL);
		batch++;
	} while (batch < 400 && now_seconds() - t0 < 2.0);
	t = now_seconds() - t0;
	printf("  1000-batches, %-6s: %6.1f commits/s, %8.0f "
	       "interactions/s (%d batches)\n", mode_name(mode),
	       (double)batch / t, (double)n / t, batch);
	bench_close(&b);
	unlink(path);
}

static double bulk_load(const char *path, int64_t customers, int per)
{
	bench b;
	int64_t first;
	int64_t n = 0;
	int64_t c;
	uint64_t rnd = 88172645463325252u;
	double t0;
	double t1;
	double t2;
	int64_t size;
	int j;

	bench_open(&b, path, KEHU_FILE_SYNC_OFF);
	t0 = now_seconds();
	first = create_customers(&b, customers);
	t1 = now_seconds();
	check(kehu_db_begin(b.db), "begin", b.db, NULL);
	for (j = 0; j < per; j++) {
		for (c = 0; c < customers; c++) {
			int64_t t = T0 + (int64_t)j * 36 * DAY +
			            (c % 36) * DAY + (c * 7919) % DAY;

			rnd ^= rnd >> 12;
			rnd ^= rnd << 25;
			rnd ^= rnd >> 27;
			record(&b, first + c, t, 100 + (int64_t)((rnd *
			       UINT64_C(2685821657736338717)) % 100000));
			n++;
		}
	}
	check(kehu_db_commit(b.db), "commit", b.db, NULL);
	t2 = now_seconds();
	kehu_storage_file_stat(b.fs, KEHU_FILE_STAT_FILE_BYTES, &size);
	printf("  bulk load, off: %" PRId64 " customers in %.3f s, %" PRId64
	       " interactions in %.3f s: %.0f interactions/s; file %.1f "
	       "MiB\n", customers, t1 - t0, n, t2 - t1,
	       (double)n / (t2 - t1), (double)size / 1048576.0);
	bench_close(&b);
	return (double)n / (t2 - t1);
}

/* The --reopen child: open store and db, print time and peak RSS. */
static int reopen(const char *path)
{
	bench b;
	struct rusage ru;
	double t0 = now_seconds();
	double t;
	int64_t keys;
	int64_t size;
	kehu_metrics m;

	bench_open(&b, path, KEHU_FILE_SYNC_NORMAL);
	t = now_seconds() - t0;
	getrusage(RUSAGE_SELF, &ru);
	kehu_storage_file_stat(b.fs, KEHU_FILE_STAT_KEYS, &keys);
	kehu_storage_file_stat(b.fs, KEHU_FILE_STAT_FILE_BYTES, &size);
	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	check(kehu_metrics_read(&m, b.db, 1, T0 + 400 * DAY), "metrics", b.db,
	      NULL);
	printf("  reopen: %.3f s (store + db), peak RSS %.1f MiB; %" PRId64
	       " keys, %.1f MiB file, %" PRId64 " customers; customer 1: %"
	       PRId64 " purchases\n", t, (double)ru.ru_maxrss / 1024.0, keys,
	       (double)size / 1048576.0, kehu_db_customer_count(b.db),
	       m.purchases);
	printf("  targets: reopen <= 2 s, bulk load (off) >= 500000 "
	       "interactions/s\n");
	bench_close(&b);
	return 0;
}

int main(int argc, char **argv)
{
	static const int32_t modes[] = {KEHU_FILE_SYNC_FULL,
	                                KEHU_FILE_SYNC_NORMAL,
	                                KEHU_FILE_SYNC_OFF};
	const char *base = getenv("TMPDIR");
	char dir[256];
	char path[512];
	int64_t customers;
	int per;
	pid_t pid;
	int status;
	int bulk_only = 0;
	int i;

	if (argc == 3 && strcmp(argv[1], "--reopen") == 0)
		return reopen(argv[2]);
	if (argc > 1 && strcmp(argv[1], "--bulk") == 0) {
		bulk_only = 1;
		argc--;
		argv++;
	}
	customers = argc > 1 ? atoll(argv[1]) : 100000;
	per = argc > 2 ? atoi(argv[2]) : 10;
	if (customers < 1 || per < 1) {
		fprintf(stderr, "usage: bench_file_store [customers] "
		                "[per-customer]\n");
		return 1;
	}
	snprintf(dir, sizeof dir, "%s/kehu-bench-XXXXXX",
	         base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	printf("libkehu %s file store benchmark (files in %s)\n",
	       kehu_version(), dir);
	for (i = 0; i < 3 && !bulk_only; i++)
		small_txns(dir, modes[i]);
	for (i = 0; i < 3 && !bulk_only; i++)
		batches(dir, modes[i]);
	snprintf(path, sizeof path, "%s/bulk.kehu", dir);
	bulk_load(path, customers, per);
	fflush(stdout);
	if (bulk_only) {
		unlink(path);
		rmdir(dir);
		return 0;
	}
	pid = fork();
	if (pid == 0) {
		execl(argv[0], argv[0], "--reopen", path, (char *)NULL);
		perror("exec");
		_exit(1);
	}
	waitpid(pid, &status, 0);
	unlink(path);
	rmdir(dir);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
