/*
 * tests/bench/bench_vs_sqlite: the same CRM workloads through libkehu's
 * public API and through SQLite, side by side (prints figures; not a
 * test).  SQLite is used as a competent SQLite user would: a schema with
 * the indexes the queries need, prepared statements, one transaction
 * per batch.
 *
 *  1. ingest: 1,000,000 purchases over 100,000 customers (bench_ingest's
 *     feed) with per-customer aggregates kept up to date.  SQLite,
 *     in-memory, both ways: insert + UPSERT of an aggregates row per
 *     purchase, or insert everything then one aggregate query; the
 *     faster is compared (both printed).
 *  2. classify: importance + loyalty + lifecycle + RFM quintiles for
 *     100,000 and 1,000,000 customers (bench_rules' population):
 *     kehu_rules_classify_all (evaluates and stores the labels) against
 *     one SQL query with CASE and ntile() window functions over the
 *     aggregates, every row read by the host (nothing stored).  The
 *     labels and scores of both are compared customer by customer.
 *  3. segment query: count and list the at-risk VIPs (kehu_query on
 *     a rule set of importance + loyalty + lifecycle; the SQL of those
 *     three with a WHERE).
 *  4. history: the last 20 interactions of 10,000 random customers of
 *     the ingest data (SQLite: ORDER BY time DESC LIMIT 20 on the
 *     (customer_id, time) index; libkehu has no reverse iterator, so it
 *     reads the whole history and keeps the last 20).
 *  5. durable commits: small transactions (one purchase and its
 *     aggregates) per second, the file store in its `full` mode against
 *     an on-disk SQLite in WAL mode with synchronous=FULL.
 *
 * Each figure is the median of --runs runs (default 5, at least 5 for a
 * figure worth quoting); the min..max spread is printed beside it.
 * Ratio = libkehu / SQLite (rates: above 1, libkehu is faster).
 *
 * usage: bench_vs_sqlite [--quick] [--runs N] [--only W] [--dir DIR]
 *   --quick   a tenth of every size (a smoke run)
 *   --only W  ingest (with history), classify (with segment) or durable
 *   --dir     where the durable files go (default $TMPDIR or /tmp)
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <sqlite3.h>

#include "benchutil.h"
#include "kehu.h"

#define MAX_RUNS 64
#define MAX_ROWS 16
#define MAX_TIME INT64_C(253402300800) /* just past 9999-12-31 */

typedef struct row {
	char what[48];
	const char *unit;
	bench_stat k, s;
	double target; /* the ratio to reach; 0: none */
} row;

typedef struct config {
	int64_t customers; /* ingest customers */
	int per;           /* purchases per customer */
	int64_t small;     /* classify populations */
	int64_t large;
	int64_t history;   /* customers whose history is read */
	int last;          /* interactions read per customer */
	double durable_s;  /* seconds per durable-commit run */
	int runs;
	const char *dir;
	const char *only;
	row rows[MAX_ROWS]; /* the table printed at the end */
	int nrows;
	int failures;       /* checks where the two sides disagreed */
} config;

static void add_row(config *cf, const char *what, const char *unit, double *k,
                    double *s, int runs, double target)
{
	row *r = &cf->rows[cf->nrows++];

	snprintf(r->what, sizeof r->what, "%s", what);
	r->unit = unit;
	r->k = bench_stats(k, runs);
	r->s = bench_stats(s, runs);
	r->target = target;
}

/* A figure with the digits that matter: 123456, 12.34. */
static const char *fig(double v, char buf[32])
{
	snprintf(buf, 32, v >= 100 ? "%.0f" : "%.2f", v);
	return buf;
}

static void print_figure(const char *who, const char *unit, double *v,
                         int runs)
{
	bench_stat st = bench_stats(v, runs);
	char a[32], b[32], c[32];

	printf("    %-28s %12s %s  (min %s, max %s, spread %.0f%%)\n", who,
	       fig(st.median, a), unit, fig(st.min, b), fig(st.max, c),
	       bench_spread(&st));
	fflush(stdout);
}

/* ---- SQLite helpers ----------------------------------------------------- */

static void sq_fail(sqlite3 *db, const char *what)
{
	fprintf(stderr, "sqlite: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static void sq_exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		sq_fail(db, sql);
}

static sqlite3_stmt *sq_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		sq_fail(db, sql);
	return st;
}

/* Steps a statement that returns no rows, then resets it. */
static void sq_run(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		sq_fail(db, sqlite3_sql(st));
	sqlite3_reset(st);
}

static void sq_bind(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_int64(st, i, v);
}

/*
 * The schema: customers, their interactions (the (customer_id, time)
 * index serves history and the aggregate queries) and one aggregates row
 * per customer.  Windows (revenue over 365 days, ...) depend on "now",
 * so they are computed at query time from the interactions.
 */
static const char SCHEMA[] =
	"CREATE TABLE customer(id INTEGER PRIMARY KEY,"
	" status INTEGER NOT NULL);"
	"CREATE TABLE interaction(id INTEGER PRIMARY KEY,"
	" customer_id INTEGER NOT NULL, type INTEGER NOT NULL,"
	" time INTEGER NOT NULL, amount INTEGER NOT NULL);"
	"CREATE INDEX interaction_by_customer"
	" ON interaction(customer_id, time);"
	"CREATE TABLE agg(customer_id INTEGER PRIMARY KEY,"
	" first_purchase INTEGER, last_purchase INTEGER,"
	" orders INTEGER NOT NULL, purchase_days INTEGER NOT NULL,"
	" revenue INTEGER NOT NULL);";

static const char SQL_INSERT[] =
	"INSERT INTO interaction(customer_id, type, time, amount)"
	" VALUES(?1, ?2, ?3, ?4)";

/* Purchase days counted as "a later day than the last purchase": exact
 * for a feed in time order per customer, as this one is. */
static const char SQL_UPSERT[] =
	"INSERT INTO agg(customer_id, first_purchase, last_purchase, orders,"
	" purchase_days, revenue) VALUES(?1, ?2, ?2, 1, 1, ?3)"
	" ON CONFLICT(customer_id) DO UPDATE SET"
	" first_purchase = min(first_purchase, excluded.first_purchase),"
	" last_purchase = max(last_purchase, excluded.last_purchase),"
	" orders = orders + 1,"
	" purchase_days = purchase_days +"
	"  (excluded.last_purchase / 86400 > last_purchase / 86400),"
	" revenue = revenue + excluded.revenue";

/* Exact whatever the order of the feed. */
static const char SQL_AGGREGATE[] =
	"INSERT OR REPLACE INTO agg SELECT customer_id, min(time), max(time),"
	" count(*), count(DISTINCT time / 86400), sum(amount)"
	" FROM interaction WHERE type = 1 GROUP BY customer_id";

static sqlite3 *sq_open(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		sq_fail(db, "open");
	if (strcmp(path, ":memory:") != 0) {
		sq_exec(db, "PRAGMA journal_mode = WAL");
		sq_exec(db, "PRAGMA synchronous = FULL");
	}
	sq_exec(db, SCHEMA);
	return db;
}

/* Customers 1..n, in one transaction. */
static void sq_customers(sqlite3 *db, int64_t n)
{
	sqlite3_stmt *st = sq_prepare(db, "INSERT INTO customer(id, status)"
	                                  " VALUES(?1, 1)");
	int64_t c;

	sq_exec(db, "BEGIN");
	for (c = 1; c <= n; c++) {
		sqlite3_bind_int64(st, 1, c);
		sq_run(db, st);
	}
	sq_exec(db, "COMMIT");
	sqlite3_finalize(st);
}

static void sq_interaction(sqlite3 *db, sqlite3_stmt *ins, int64_t cust,
                           int32_t type, int64_t t, int64_t amount)
{
	sqlite3_bind_int64(ins, 1, cust);
	sqlite3_bind_int(ins, 2, type);
	sqlite3_bind_int64(ins, 3, t);
	sqlite3_bind_int64(ins, 4, amount);
	sq_run(db, ins);
}

static void sq_upsert(sqlite3 *db, sqlite3_stmt *up, int64_t cust,
                      int64_t t, int64_t amount)
{
	sqlite3_bind_int64(up, 1, cust);
	sqlite3_bind_int64(up, 2, t);
	sqlite3_bind_int64(up, 3, amount);
	sq_run(db, up);
}

/* ---- 1. ingest ---------------------------------------------------------- */

#define BATCH 4096

/* Columns for kehu_interaction_record_many. */
typedef struct batch {
	kehu_id customer[BATCH];
	int32_t type[BATCH];
	int64_t time[BATCH];
	int64_t amount[BATCH];
	size_t n;
} batch;

static void batch_flush(kehu_db *db, batch *b)
{
	size_t done = 0;

	bench_check(db, kehu_interaction_record_many(db, b->n, b->customer,
	                                             b->type, b->time,
	                                             b->amount, NULL, &done),
	            "record many");
	b->n = 0;
}

/* libkehu: purchases/s of the feed into a fresh in-memory db, one
 * kehu_interaction_record per purchase, or (many) columns of 4096
 * purchases per kehu_interaction_record_many; the db is handed back for
 * the history workload. */
static double kehu_ingest(config *cf, int many, kehu_db **out,
                          kehu_id *first)
{
	kehu_db *db = bench_open_memory();
	batch *b = calloc(1, sizeof *b);
	uint64_t rnd = BENCH_SEED;
	int64_t c;
	double t;
	int j;

	if (!b) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	*first = bench_create_customers(db, cf->customers);
	t = bench_now();
	bench_check(db, kehu_db_begin(db), "begin");
	for (j = 0; j < cf->per; j++) {
		for (c = 0; c < cf->customers; c++) {
			int64_t tm = bench_feed_time(c, j);
			int64_t amount = bench_feed_amount(&rnd);

			if (!many) {
				bench_record(db, *first + c, KEHU_IX_PURCHASE,
				             tm, amount);
				continue;
			}
			b->customer[b->n] = *first + c;
			b->type[b->n] = KEHU_IX_PURCHASE;
			b->time[b->n] = tm;
			b->amount[b->n] = amount;
			if (++b->n == BATCH)
				batch_flush(db, b);
		}
	}
	if (b->n)
		batch_flush(db, b);
	bench_check(db, kehu_db_commit(db), "commit");
	t = bench_now() - t;
	free(b);
	*out = db;
	return (double)cf->customers * cf->per / t;
}

/* SQLite in memory: upsert (1) or insert then aggregate (0). */
static double sq_ingest(config *cf, int upsert, sqlite3 **out)
{
	sqlite3 *db = sq_open(":memory:");
	sqlite3_stmt *ins = sq_prepare(db, SQL_INSERT);
	sqlite3_stmt *up = sq_prepare(db, SQL_UPSERT);
	uint64_t rnd = BENCH_SEED;
	int64_t c;
	double t;
	int j;

	sq_customers(db, cf->customers);
	t = bench_now();
	sq_exec(db, "BEGIN");
	for (j = 0; j < cf->per; j++) {
		for (c = 0; c < cf->customers; c++) {
			int64_t tm = bench_feed_time(c, j);
			int64_t amount = bench_feed_amount(&rnd);

			sq_interaction(db, ins, c + 1, KEHU_IX_PURCHASE, tm,
			               amount);
			if (upsert)
				sq_upsert(db, up, c + 1, tm, amount);
		}
	}
	if (!upsert)
		sq_exec(db, SQL_AGGREGATE);
	sq_exec(db, "COMMIT");
	t = bench_now() - t;
	sqlite3_finalize(ins);
	sqlite3_finalize(up);
	*out = db;
	return (double)cf->customers * cf->per / t;
}

/* Both sides hold the same aggregates for a sample of customers. */
static void check_ingest(config *cf, kehu_db *kdb, kehu_id first,
                         sqlite3 *sdb)
{
	sqlite3_stmt *st = sq_prepare(sdb, "SELECT purchase_days, orders,"
	                                   " revenue, first_purchase,"
	                                   " last_purchase FROM agg"
	                                   " WHERE customer_id = ?1");
	int64_t c, bad = 0;

	for (c = 0; c < cf->customers; c += 997) {
		kehu_metrics m;

		kehu_metrics_init(&m, KEHU_METRICS_VERSION);
		bench_check(kdb, kehu_metrics_read(&m, kdb, first + c,
		                                   bench_feed_now(cf->per)),
		            "metrics");
		sqlite3_bind_int64(st, 1, c + 1);
		if (sqlite3_step(st) != SQLITE_ROW ||
		    sqlite3_column_int64(st, 0) != m.purchases ||
		    sqlite3_column_int64(st, 1) != m.orders ||
		    sqlite3_column_int64(st, 2) != m.revenue ||
		    sqlite3_column_int64(st, 3) != m.first_purchase ||
		    sqlite3_column_int64(st, 4) != m.last_purchase)
			bad++;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (bad) {
		printf("    CHECK FAILED: %" PRId64 " customers' aggregates "
		       "differ\n", bad);
		cf->failures++;
	} else {
		printf("    check: aggregates agree (every 997th customer)\n");
	}
}

/* ---- 4. history --------------------------------------------------------- */

typedef struct ring {
	int64_t time[64];
	int64_t amount[64];
	int n;
} ring;

static uint64_t ring_sum(const ring *r, int last)
{
	uint64_t sum = 0;
	int i, k = r->n < last ? r->n : last;

	for (i = 0; i < k; i++) {
		int at = (r->n - 1 - i) % last;

		sum += (uint64_t)r->time[at] * 31u + (uint64_t)r->amount[at];
	}
	return sum;
}

static double kehu_last_n(config *cf, kehu_db *db, kehu_id first,
                          uint64_t *sum)
{
	uint64_t rnd = BENCH_SEED ^ 0x5bd1e995u;
	int64_t i;
	double t = bench_now();

	*sum = 0;
	for (i = 0; i < cf->history; i++) {
		kehu_id id = first + (kehu_id)(bench_random(&rnd) %
		                               (uint64_t)cf->customers);
		const kehu_interaction *ix;
		kehu_history *h;
		ring r;
		int rc;

		r.n = 0;
		bench_check(db, kehu_history_new(&h, db, id, 0, MAX_TIME, 0),
		            "history");
		while ((rc = kehu_history_next(h, &ix)) == KEHU_OK) {
			r.time[r.n % cf->last] = kehu_interaction_get_time(ix);
			r.amount[r.n % cf->last] =
				kehu_interaction_get_amount(ix);
			r.n++;
		}
		if (rc != KEHU_ITEROVER)
			bench_check(db, rc, "history next");
		kehu_history_free(h);
		*sum += ring_sum(&r, cf->last);
	}
	return (double)cf->history / (bench_now() - t);
}

static double sq_last_n(config *cf, sqlite3 *db, uint64_t *sum)
{
	sqlite3_stmt *st = sq_prepare(db, "SELECT time, amount FROM interaction"
	                                  " WHERE customer_id = ?1"
	                                  " ORDER BY time DESC, id DESC"
	                                  " LIMIT ?2");
	uint64_t rnd = BENCH_SEED ^ 0x5bd1e995u;
	int64_t i;
	double t = bench_now();

	*sum = 0;
	for (i = 0; i < cf->history; i++) {
		int64_t c = (int64_t)(bench_random(&rnd) %
		                      (uint64_t)cf->customers);

		sqlite3_bind_int64(st, 1, c + 1);
		sqlite3_bind_int(st, 2, cf->last);
		while (sqlite3_step(st) == SQLITE_ROW)
			*sum += (uint64_t)sqlite3_column_int64(st, 0) * 31u +
			        (uint64_t)sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
	}
	t = bench_now() - t;
	sqlite3_finalize(st);
	return (double)cf->history / t;
}

/* The same read on long histories: a hundredth of the customers with
 * twenty times the purchases each.  libkehu's iterator runs forward only,
 * so it reads every interaction to find the last 20; SQLite walks its
 * index backwards and stops after 20. */
static void deep_history(config *cf)
{
	config deep = *cf;
	double hk[MAX_RUNS], hs[MAX_RUNS];
	kehu_db *kdb;
	sqlite3 *sdb;
	kehu_id first;
	uint64_t ksum = 0, ssum = 0;
	char what[48];
	int i;

	deep.customers = cf->customers / 100 > 0 ? cf->customers / 100 : 1;
	deep.per = cf->per * 20;
	printf("4b. history, long: the last %d of %d interactions each, "
	       "%" PRId64 " reads over %" PRId64 " customers, customers/s\n",
	       cf->last, deep.per, deep.history, deep.customers);
	kehu_ingest(&deep, 0, &kdb, &first);
	sq_ingest(&deep, 1, &sdb);
	for (i = 0; i < cf->runs; i++) {
		hk[i] = kehu_last_n(&deep, kdb, first, &ksum);
		hs[i] = sq_last_n(&deep, sdb, &ssum);
	}
	print_figure("libkehu", "customers/s", hk, cf->runs);
	print_figure("SQLite", "customers/s", hs, cf->runs);
	if (ksum != ssum) {
		printf("    CHECK FAILED: the histories differ\n");
		cf->failures++;
	} else {
		printf("    check: the same interactions read\n");
	}
	snprintf(what, sizeof what, "history, last 20 of %d", deep.per);
	add_row(cf, what, "customers/s", hk, hs, cf->runs, 0);
	kehu_db_close(kdb);
	sqlite3_close(sdb);
}

static void ingest_and_history(config *cf)
{
	double k[MAX_RUNS], km[MAX_RUNS], up[MAX_RUNS], ag[MAX_RUNS];
	double *best, *kbest;
	double hk[MAX_RUNS], hs[MAX_RUNS];
	kehu_db *kdb = NULL;
	sqlite3 *sdb = NULL;
	kehu_id first = 0;
	uint64_t ksum = 0, ssum = 0;
	bench_stat su, sa, sk, skm;
	int i;

	printf("1. ingest: %" PRId64 " purchases over %" PRId64
	       " customers, one transaction, purchases/s\n",
	       cf->customers * cf->per, cf->customers);
	for (i = 0; i < cf->runs; i++) {
		sqlite3 *tmp;
		kehu_db *ktmp;

		km[i] = kehu_ingest(cf, 1, &ktmp, &first);
		kehu_db_close(ktmp);
		kehu_db_close(kdb);
		k[i] = kehu_ingest(cf, 0, &kdb, &first);
		ag[i] = sq_ingest(cf, 0, &tmp);
		sqlite3_close(tmp);
		sqlite3_close(sdb);
		up[i] = sq_ingest(cf, 1, &sdb);
	}
	print_figure("libkehu record", "purchases/s", k, cf->runs);
	print_figure("libkehu record_many", "purchases/s", km, cf->runs);
	print_figure("SQLite insert + UPSERT", "purchases/s", up, cf->runs);
	print_figure("SQLite insert, then GROUP BY", "purchases/s", ag,
	             cf->runs);
	su = bench_stats(up, cf->runs);
	sa = bench_stats(ag, cf->runs);
	sk = bench_stats(k, cf->runs);
	skm = bench_stats(km, cf->runs);
	best = su.median >= sa.median ? up : ag;
	kbest = sk.median >= skm.median ? k : km;
	printf("    faster variants: libkehu %s, SQLite %s\n",
	       kbest == k ? "record" : "record_many",
	       best == up ? "insert + UPSERT" : "insert, then GROUP BY");
	check_ingest(cf, kdb, first, sdb);
	add_row(cf, best == up ? "ingest (SQLite: UPSERT)"
	                       : "ingest (SQLite: GROUP BY)",
	        "purchases/s", kbest, best, cf->runs, 5);

	printf("4. history: the last %d interactions of %" PRId64
	       " random customers, customers/s\n", cf->last, cf->history);
	for (i = 0; i < cf->runs; i++) {
		hk[i] = kehu_last_n(cf, kdb, first, &ksum);
		hs[i] = sq_last_n(cf, sdb, &ssum);
	}
	print_figure("libkehu", "customers/s", hk, cf->runs);
	print_figure("SQLite", "customers/s", hs, cf->runs);
	if (ksum != ssum) {
		printf("    CHECK FAILED: the histories differ\n");
		cf->failures++;
	} else {
		printf("    check: the same interactions read\n");
	}
	add_row(cf, "history, last 20", "customers/s", hk, hs, cf->runs, 0.5);
	kehu_db_close(kdb);
	sqlite3_close(sdb);
	deep_history(cf);
}

/* ---- 2. and 3. classify and segment ------------------------------------- */

/* The default pack's importance, loyalty, lifecycle and RFM, with
 * importance thresholds for this population's amounts.  The data has no
 * feedback, so lifecycle's satisfaction clause and importance's "vip" tag
 * are left out here and in the SQL. */
static const char BASE_RULES[] =
	"ruleset \"bench\" version 1\n"
	"let vip_revenue_365d = 1500\n"
	"let important_revenue_365d = 500\n"
	"let regular_min_purchases = 3\n"
	"let old_min_days = 365\n"
	"let loyal_min_days = 730\n"
	"let loyal_min_purchases_365d = 4\n"
	"let new_max_days = 90\n"
	"let silent_days = 90\n"
	"let at_risk_days = 180\n"
	"let churn_days = 365\n"
	"classify importance {\n"
	"  vip       when revenue_365d >= vip_revenue_365d\n"
	"  important when revenue_365d >= important_revenue_365d\n"
	"  ordinary  else\n"
	"}\n"
	"classify loyalty {\n"
	"  potential when purchases == 0\n"
	"  loyal     when days_since_first_purchase >= loyal_min_days\n"
	"                and purchases_365d >= loyal_min_purchases_365d\n"
	"  old       when days_since_first_purchase >= old_min_days\n"
	"                and purchases >= regular_min_purchases\n"
	"  regular   when purchases >= regular_min_purchases\n"
	"  new       else\n"
	"}\n"
	"classify lifecycle {\n"
	"  churned      when purchases > 0\n"
	"                    and days_since_last_purchase >= churn_days\n"
	"  dissatisfied when complaints_90d > 0\n"
	"  new          when purchases == 0\n"
	"                    or days_since_first_purchase < new_max_days\n"
	"  at_risk      when days_since_last_purchase >= at_risk_days\n"
	"  silent       when days_since_last_purchase >= silent_days\n"
	"  loyal        when loyalty == \"loyal\"\n"
	"  active       else\n"
	"}\n";

static const char RFM_RULES[] =
	"let rfm_tiles = 5\n"
	"let rfm_high = 4\n"
	"let rfm_low = 2\n"
	"let rfm_max_days = 36500\n"
	"score r_score = min(purchases, 1)\n"
	"  * ntile(-min(days_since_last_purchase, rfm_max_days), rfm_tiles)\n"
	"score f_score = min(purchases, 1) * ntile(purchases, rfm_tiles)\n"
	"score m_score = min(purchases, 1) * ntile(revenue, rfm_tiles)\n"
	"classify rfm_segment {\n"
	"  no_purchase        when purchases == 0\n"
	"  champions          when r_score >= rfm_high\n"
	"                          and f_score >= rfm_high\n"
	"                          and m_score >= rfm_high\n"
	"  cant_lose          when r_score <= rfm_low and f_score >= rfm_high\n"
	"                          and m_score >= rfm_high\n"
	"  loyal              when r_score > rfm_low and f_score >= rfm_high\n"
	"  at_risk            when r_score <= rfm_low and f_score > rfm_low\n"
	"  potential_loyalist when r_score >= rfm_high and f_score > 1\n"
	"  recent             when r_score >= rfm_high\n"
	"  lost               when r_score < rfm_low\n"
	"  hibernating        when r_score <= rfm_low\n"
	"  need_attention     else\n"
	"}\n";

static const char SEGMENT[] =
	"importance == \"vip\" and lifecycle == \"at_risk\"";

/* The metrics the rules read, per customer, as of :today (a day number);
 * then importance, loyalty and lifecycle as CASEs. */
#define SQL_LABELS \
	"WITH w AS (SELECT customer_id," \
	"  sum(CASE type WHEN 1 THEN amount WHEN 2 THEN -amount ELSE 0 END)" \
	"   AS rev365," \
	"  count(DISTINCT CASE WHEN type = 1 THEN time / 86400 END) AS p365," \
	"  sum(type = 7 AND time >= :w90) AS c90" \
	" FROM interaction WHERE time >= :w365 AND time < :wend" \
	" GROUP BY customer_id)," \
	"m AS (SELECT c.id AS id, coalesce(a.purchase_days, 0) AS purchases," \
	"  coalesce(a.revenue, 0) AS revenue," \
	"  coalesce(:today - a.first_purchase / 86400, 1e18) AS dsfp," \
	"  coalesce(:today - a.last_purchase / 86400, 1e18) AS dslp," \
	"  coalesce(w.rev365, 0) AS rev365, coalesce(w.p365, 0) AS p365," \
	"  coalesce(w.c90, 0) AS c90" \
	" FROM customer c LEFT JOIN agg a ON a.customer_id = c.id" \
	" LEFT JOIN w ON w.customer_id = c.id)," \
	"l AS (SELECT *," \
	"  CASE WHEN rev365 >= :vip THEN 'vip'" \
	"   WHEN rev365 >= :important THEN 'important'" \
	"   ELSE 'ordinary' END AS importance," \
	"  CASE WHEN purchases = 0 THEN 'potential'" \
	"   WHEN dsfp >= 730 AND p365 >= 4 THEN 'loyal'" \
	"   WHEN dsfp >= 365 AND purchases >= 3 THEN 'old'" \
	"   WHEN purchases >= 3 THEN 'regular' ELSE 'new' END AS loyalty" \
	" FROM m)," \
	"k AS (SELECT *," \
	"  CASE WHEN purchases > 0 AND dslp >= 365 THEN 'churned'" \
	"   WHEN c90 > 0 THEN 'dissatisfied'" \
	"   WHEN purchases = 0 OR dsfp < 90 THEN 'new'" \
	"   WHEN dslp >= 180 THEN 'at_risk'" \
	"   WHEN dslp >= 90 THEN 'silent'" \
	"   WHEN loyalty = 'loyal' THEN 'loyal'" \
	"   ELSE 'active' END AS lifecycle" \
	" FROM l)"

static const char SQL_CLASSIFY[] =
	SQL_LABELS ","
	"r AS (SELECT *,"
	"  min(purchases, 1) * ntile(5) OVER (ORDER BY -min(dslp, 36500), id)"
	"   AS r_score,"
	"  min(purchases, 1) * ntile(5) OVER (ORDER BY purchases, id)"
	"   AS f_score,"
	"  min(purchases, 1) * ntile(5) OVER (ORDER BY revenue, id)"
	"   AS m_score"
	" FROM k)"
	"SELECT id, importance, loyalty, lifecycle, r_score, f_score, m_score,"
	" CASE WHEN purchases = 0 THEN 'no_purchase'"
	"  WHEN r_score >= 4 AND f_score >= 4 AND m_score >= 4"
	"   THEN 'champions'"
	"  WHEN r_score <= 2 AND f_score >= 4 AND m_score >= 4"
	"   THEN 'cant_lose'"
	"  WHEN r_score > 2 AND f_score >= 4 THEN 'loyal'"
	"  WHEN r_score <= 2 AND f_score > 2 THEN 'at_risk'"
	"  WHEN r_score >= 4 AND f_score > 1 THEN 'potential_loyalist'"
	"  WHEN r_score >= 4 THEN 'recent'"
	"  WHEN r_score < 2 THEN 'lost'"
	"  WHEN r_score <= 2 THEN 'hibernating'"
	"  ELSE 'need_attention' END AS rfm_segment"
	" FROM r";

static const char SQL_SEGMENT[] =
	SQL_LABELS
	" SELECT id FROM k WHERE importance = 'vip' AND lifecycle = 'at_risk'"
	" ORDER BY id";

/* The at-risk VIPs as an expert would write them by hand: the lifecycle
 * rules that lead to at_risk, unfolded into a range of the last
 * purchase (an index) and two look-ups per candidate. */
static const char SQL_SEGMENT_TUNED[] =
	"SELECT a.customer_id FROM agg a"
	" WHERE a.last_purchase >= :w365 AND a.last_purchase < :t180"
	" AND a.first_purchase < :w90"
	" AND (SELECT coalesce(sum(CASE type WHEN 1 THEN amount"
	"  WHEN 2 THEN -amount ELSE 0 END), 0) FROM interaction i"
	"  WHERE i.customer_id = a.customer_id AND i.time >= :w365"
	"  AND i.time < :wend) >= :vip"
	" AND NOT EXISTS (SELECT 1 FROM interaction i"
	"  WHERE i.customer_id = a.customer_id AND i.type = 7"
	"  AND i.time >= :w90 AND i.time < :wend)"
	" ORDER BY a.customer_id";

static void sq_bind_now(sqlite3_stmt *st, int64_t now)
{
	int64_t today = now / BENCH_DAY;

	sq_bind(st, ":today", today);
	sq_bind(st, ":t180", (today - 179) * BENCH_DAY);
	sq_bind(st, ":w365", (today - 364) * BENCH_DAY);
	sq_bind(st, ":w90", (today - 89) * BENCH_DAY);
	sq_bind(st, ":wend", (today + 1) * BENCH_DAY);
	sq_bind(st, ":vip", 150000);
	sq_bind(st, ":important", 50000);
}

/* The population in SQLite: customers 1..n, their interactions, then
 * the aggregates in one query (exact purchase days in any order). */
static sqlite3 *sq_populate(int64_t n)
{
	sqlite3 *db = sq_open(":memory:");
	sqlite3_stmt *ins = sq_prepare(db, SQL_INSERT);
	uint64_t rnd = BENCH_SEED;
	bench_event ev[3];
	int64_t c;
	int i, k;

	sq_customers(db, n);
	sq_exec(db, "BEGIN");
	for (c = 0; c < n; c++) {
		k = bench_rules_events(c, &rnd, ev);
		for (i = 0; i < k; i++)
			sq_interaction(db, ins, c + 1, ev[i].type, ev[i].time,
			               ev[i].amount);
	}
	sq_exec(db, SQL_AGGREGATE);
	sq_exec(db, "CREATE INDEX agg_by_last_purchase ON agg(last_purchase)");
	sq_exec(db, "COMMIT");
	sqlite3_finalize(ins);
	return db;
}

/* A hash of one customer's labels and scores, to compare the two sides
 * customer by customer. */
static uint64_t label_hash(int64_t index, const char *const label[4],
                           const double score[3])
{
	uint64_t h = UINT64_C(1469598103934665603) ^ (uint64_t)index;
	int i;

	for (i = 0; i < 4; i++) {
		const char *p;

		for (p = label[i]; *p; p++)
			h = (h ^ (unsigned char)*p) * UINT64_C(1099511628211);
		h = (h ^ 0xffu) * UINT64_C(1099511628211);
	}
	for (i = 0; i < 3; i++)
		h = (h ^ (uint64_t)llround(score[i])) *
		    UINT64_C(1099511628211);
	return h;
}

static const char CLASSES[4][16] = {"importance", "loyalty", "lifecycle",
                                    "rfm_segment"};
static const char SCORES[3][8] = {"r_score", "f_score", "m_score"};

typedef struct label_check {
	uint64_t sum;
	int64_t vip, at_risk_vip, champions;
} label_check;

static void note_labels(label_check *lc, int64_t index,
                        const char *const label[4], const double score[3])
{
	lc->sum += label_hash(index, label, score);
	lc->vip += strcmp(label[0], "vip") == 0;
	lc->at_risk_vip += strcmp(label[0], "vip") == 0 &&
	                   strcmp(label[2], "at_risk") == 0;
	lc->champions += strcmp(label[3], "champions") == 0;
}

static void kehu_labels(kehu_db *db, kehu_id first, int64_t n,
                        label_check *lc)
{
	char buf[4][32];
	const char *label[4];
	double score[3];
	int64_t c;
	int i;

	memset(lc, 0, sizeof *lc);
	for (c = 0; c < n; c++) {
		for (i = 0; i < 4; i++) {
			bench_check(db, kehu_customer_get_label(
			                    db, first + c, "bench", CLASSES[i],
			                    buf[i], sizeof buf[i], NULL),
			            "get label");
			label[i] = buf[i];
		}
		for (i = 0; i < 3; i++)
			bench_check(db, kehu_customer_get_score(
			                    db, first + c, "bench", SCORES[i],
			                    &score[i]),
			            "get score");
		note_labels(lc, c, label, score);
	}
}

static double kehu_classify(kehu_db *db, const kehu_rules *rules, int64_t n)
{
	int64_t done = 0;
	double t = bench_now();

	bench_check(db, kehu_rules_classify_all(db, rules, BENCH_RULES_NOW,
	                                        NULL, &done),
	            "classify all");
	t = bench_now() - t;
	if (done != n) {
		fprintf(stderr, "classified %" PRId64 " of %" PRId64 "\n", done,
		        n);
		exit(1);
	}
	return (double)n / t;
}

/* SQLite: one query, every row read by the host. */
static double sq_classify(sqlite3 *db, sqlite3_stmt *st, int64_t n,
                          label_check *lc)
{
	const char *label[4];
	double score[3];
	int64_t rows_read = 0;
	double t = bench_now();

	if (lc)
		memset(lc, 0, sizeof *lc);
	sq_bind_now(st, BENCH_RULES_NOW);
	while (sqlite3_step(st) == SQLITE_ROW) {
		label[0] = (const char *)sqlite3_column_text(st, 1);
		label[1] = (const char *)sqlite3_column_text(st, 2);
		label[2] = (const char *)sqlite3_column_text(st, 3);
		label[3] = (const char *)sqlite3_column_text(st, 7);
		score[0] = sqlite3_column_double(st, 4);
		score[1] = sqlite3_column_double(st, 5);
		score[2] = sqlite3_column_double(st, 6);
		if (lc)
			note_labels(lc, sqlite3_column_int64(st, 0) - 1,
			            label, score);
		rows_read++;
	}
	if (sqlite3_reset(st) != SQLITE_OK)
		sq_fail(db, "classify");
	t = bench_now() - t;
	if (rows_read != n) {
		fprintf(stderr, "SQLite classified %" PRId64 " of %" PRId64
		        "\n", rows_read, n);
		exit(1);
	}
	return (double)n / t;
}

typedef struct id_list {
	int64_t n;
	uint64_t sum;
} id_list;

static int collect_id(kehu_id id, void *user_data)
{
	id_list *l = user_data;

	l->n++;
	l->sum += (uint64_t)id * 2654435761u;
	return 0;
}

static double kehu_segment(kehu_db *db, const kehu_rules *base,
                           kehu_id first, id_list *l)
{
	int64_t count = 0;
	double t = bench_now();

	memset(l, 0, sizeof *l);
	bench_check(db, kehu_query(db, base, SEGMENT, BENCH_RULES_NOW,
	                           collect_id, l, &count),
	            "query");
	t = bench_now() - t;
	/* to SQLite's ids (1..n) for the comparison */
	l->sum -= (uint64_t)(first - 1) * 2654435761u * (uint64_t)l->n;
	return 1.0 / t;
}

static double sq_segment(sqlite3 *db, sqlite3_stmt *st, id_list *l)
{
	double t = bench_now();

	memset(l, 0, sizeof *l);
	sq_bind_now(st, BENCH_RULES_NOW);
	while (sqlite3_step(st) == SQLITE_ROW)
		collect_id(sqlite3_column_int64(st, 0), l);
	if (sqlite3_reset(st) != SQLITE_OK)
		sq_fail(db, "segment");
	return 1.0 / (bench_now() - t);
}

static kehu_rules *compile(kehu_db *db, const char *a, const char *b)
{
	size_t la = strlen(a), lb = b ? strlen(b) : 0;
	char *text = malloc(la + lb + 1);
	kehu_rules *r = NULL;

	if (!text) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	memcpy(text, a, la);
	if (b)
		memcpy(text + la, b, lb);
	text[la + lb] = 0;
	bench_check(db, kehu_rules_compile(&r, db, text, la + lb), "compile");
	free(text);
	return r;
}

static void classify_and_segment(config *cf, int64_t n)
{
	double k[MAX_RUNS], s[MAX_RUNS], qk[MAX_RUNS], qs[MAX_RUNS];
	double qt[MAX_RUNS];
	kehu_db *kdb = bench_open_memory();
	sqlite3 *sdb;
	sqlite3_stmt *cls, *seg, *tuned;
	kehu_rules *full, *base;
	kehu_id first;
	label_check lk, ls;
	id_list ik, is, it;
	char what[48];
	double t;
	int i;

	printf("2. classify %" PRId64 " customers (importance, loyalty, "
	       "lifecycle, RFM quintiles), customers/s\n", n);
	t = bench_now();
	first = bench_rules_populate(kdb, n);
	printf("    (populate: libkehu %.2f s", bench_now() - t);
	t = bench_now();
	sdb = sq_populate(n);
	printf(", SQLite %.2f s; SQLite's heap %.0f MiB)\n", bench_now() - t,
	       (double)sqlite3_memory_used() / 1048576.0);
	fflush(stdout);
	full = compile(kdb, BASE_RULES, RFM_RULES);
	base = compile(kdb, BASE_RULES, NULL);
	cls = sq_prepare(sdb, SQL_CLASSIFY);
	seg = sq_prepare(sdb, SQL_SEGMENT);
	tuned = sq_prepare(sdb, SQL_SEGMENT_TUNED);

	/* each side's runs back to back: SQLite's sorts spill to temporary
	 * files, whose page cache and freed memory otherwise land in the
	 * next libkehu run (its spread was over 100%) */
	for (i = 0; i < cf->runs; i++)
		k[i] = kehu_classify(kdb, full, n);
	for (i = 0; i < cf->runs; i++)
		s[i] = sq_classify(sdb, cls, n, i == 0 ? &ls : NULL);
	print_figure("libkehu classify_all", "customers/s", k, cf->runs);
	print_figure("SQLite query", "customers/s", s, cf->runs);
	kehu_labels(kdb, first, n, &lk);
	if (lk.sum != ls.sum || lk.vip != ls.vip) {
		printf("    CHECK FAILED: labels differ (vip %" PRId64 " vs %"
		       PRId64 ", champions %" PRId64 " vs %" PRId64 ")\n",
		       lk.vip, ls.vip, lk.champions, ls.champions);
		cf->failures++;
	} else {
		printf("    check: every customer's labels and scores agree "
		       "(vip %" PRId64 ", at-risk vip %" PRId64
		       ", champions %" PRId64 ")\n",
		       lk.vip, lk.at_risk_vip, lk.champions);
	}
	snprintf(what, sizeof what, "classify %" PRId64, n);
	add_row(cf, what, "customers/s", k, s, cf->runs, 10);

	printf("3. segment query over %" PRId64 " customers: count and list "
	       "the at-risk VIPs, queries/s\n", n);
	for (i = 0; i < cf->runs; i++) {
		qk[i] = kehu_segment(kdb, base, first, &ik);
		qs[i] = sq_segment(sdb, seg, &is);
		qt[i] = sq_segment(sdb, tuned, &it);
	}
	print_figure("libkehu kehu_query", "queries/s", qk, cf->runs);
	print_figure("SQLite query", "queries/s", qs, cf->runs);
	print_figure("SQLite, hand-tuned", "queries/s", qt, cf->runs);
	if (ik.n != is.n || ik.sum != is.sum || ik.n != lk.at_risk_vip ||
	    it.n != ik.n || it.sum != ik.sum) {
		printf("    CHECK FAILED: segments differ (%" PRId64 " vs %"
		       PRId64 ")\n", ik.n, is.n);
		cf->failures++;
	} else {
		printf("    check: the same %" PRId64 " customers\n", ik.n);
	}
	snprintf(what, sizeof what, "segment %" PRId64, n);
	add_row(cf, what, "queries/s", qk, qs, cf->runs, 10);
	/* add_row sorted qk: the same figures */
	snprintf(what, sizeof what, "segment %" PRId64 " vs tuned SQL", n);
	add_row(cf, what, "queries/s", qk, qt, cf->runs, 0);

	sqlite3_finalize(cls);
	sqlite3_finalize(seg);
	sqlite3_finalize(tuned);
	sqlite3_close(sdb);
	kehu_rules_free(full);
	kehu_rules_free(base);
	kehu_db_close(kdb);
}

/* ---- 5. durable commits -------------------------------------------------- */

static double kehu_durable(config *cf, const char *path)
{
	kehu_file_store_options fo;
	kehu_storage_file *fs = NULL;
	kehu_db_options o;
	kehu_storage vt;
	kehu_db *db = NULL;
	kehu_id first;
	int64_t n = 0;
	double t0, t;

	kehu_file_store_options_init(&fo, KEHU_FILE_STORE_OPTIONS_VERSION);
	fo.durability = KEHU_FILE_SYNC_FULL;
	if (kehu_storage_file_open(&fs, path, &fo) != KEHU_OK) {
		fprintf(stderr, "file store: %s\n",
		        kehu_storage_file_errmsg(fs));
		exit(1);
	}
	kehu_storage_file_get_vtable(fs, &vt);
	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	o.storage = &vt;
	bench_check(db, kehu_db_open(&db, &o), "open file db");
	first = bench_create_customers(db, 1000);
	t0 = bench_now();
	do {
		/* no host transaction: each record commits by itself */
		bench_record(db, first + n % 1000, KEHU_IX_PURCHASE,
		             BENCH_T0 + n * 60, 100 + n % 977);
		n++;
	} while (n % 8 != 0 || (t = bench_now() - t0) < cf->durable_s);
	kehu_db_close(db);
	kehu_storage_file_close(fs);
	unlink(path);
	return (double)n / t;
}

static double sq_durable(config *cf, const char *path)
{
	char aux[600];
	sqlite3 *db = sq_open(path);
	sqlite3_stmt *ins = sq_prepare(db, SQL_INSERT);
	sqlite3_stmt *up = sq_prepare(db, SQL_UPSERT);
	sqlite3_stmt *begin = sq_prepare(db, "BEGIN");
	sqlite3_stmt *commit = sq_prepare(db, "COMMIT");
	int64_t n = 0;
	double t0, t;

	sq_customers(db, 1000);
	t0 = bench_now();
	do {
		int64_t tm = BENCH_T0 + n * 60, amount = 100 + n % 977;

		sq_run(db, begin);
		sq_interaction(db, ins, 1 + n % 1000, KEHU_IX_PURCHASE, tm,
		               amount);
		sq_upsert(db, up, 1 + n % 1000, tm, amount);
		sq_run(db, commit);
		n++;
	} while (n % 8 != 0 || (t = bench_now() - t0) < cf->durable_s);
	sqlite3_finalize(ins);
	sqlite3_finalize(up);
	sqlite3_finalize(begin);
	sqlite3_finalize(commit);
	sqlite3_close(db);
	unlink(path);
	snprintf(aux, sizeof aux, "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof aux, "%s-shm", path);
	unlink(aux);
	return (double)n / t;
}

static void durable(config *cf)
{
	double k[MAX_RUNS], s[MAX_RUNS];
	char dir[400], kp[512], sp[512];
	int i;

	snprintf(dir, sizeof dir, "%s/kehu-vs-sqlite-XXXXXX", cf->dir);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(kp, sizeof kp, "%s/kehu.db", dir);
	snprintf(sp, sizeof sp, "%s/sqlite.db", dir);
	printf("5. durable commits: one purchase and its aggregates per "
	       "transaction, fsync'd, commits/s (files in %s)\n", dir);
	for (i = 0; i < cf->runs; i++) {
		k[i] = kehu_durable(cf, kp);
		s[i] = sq_durable(cf, sp);
	}
	rmdir(dir);
	print_figure("libkehu file store, full", "commits/s", k, cf->runs);
	print_figure("SQLite WAL, synchronous=FULL", "commits/s", s,
	             cf->runs);
	add_row(cf, "durable commits", "commits/s", k, s, cf->runs, 1 / 1.5);
}

/* ---- main --------------------------------------------------------------- */

static void print_table(config *cf)
{
	int i;

	printf("\nlibkehu %s vs SQLite %s, median of %d runs "
	       "(spread = (max - min) / median)\n", kehu_version(),
	       sqlite3_libversion(), cf->runs);
	printf("%-28s %-12s %12s %7s %12s %7s %7s  %s\n", "workload", "unit",
	       "libkehu", "spread", "SQLite", "spread", "ratio", "target");
	for (i = 0; i < cf->nrows; i++) {
		const row *r = &cf->rows[i];
		double ratio = r->k.median / r->s.median;
		char a[32], b[32];

		printf("%-28s %-12s %12s %6.0f%% %12s %6.0f%% %6.2fx  ",
		       r->what, r->unit, fig(r->k.median, a),
		       bench_spread(&r->k), fig(r->s.median, b),
		       bench_spread(&r->s), ratio);
		if (r->target > 0)
			printf(">= %.2fx %s\n", r->target,
			       ratio >= r->target ? "met" : "MISSED");
		else
			printf("\n");
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: bench_vs_sqlite [--quick] [--runs N] "
	                "[--only ingest|classify|durable] [--dir DIR]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	config cf;
	struct rusage ru;
	int i;

	memset(&cf, 0, sizeof cf);
	cf.customers = 100000;
	cf.per = 10;
	cf.small = 100000;
	cf.large = 1000000;
	cf.history = 10000;
	cf.last = 20;
	cf.durable_s = 1.0;
	cf.runs = 5;
	cf.dir = tmp && *tmp ? tmp : "/tmp";
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			cf.customers = 10000;
			cf.small = 10000;
			cf.large = 100000;
			cf.history = 1000;
			cf.durable_s = 0.2;
		} else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
			cf.runs = atoi(argv[++i]);
		} else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			cf.only = argv[++i];
		} else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
			cf.dir = argv[++i];
		} else {
			return usage();
		}
	}
	if (cf.runs < 1 || cf.runs > MAX_RUNS)
		return usage();
	printf("libkehu %s vs SQLite %s: %d runs per figure%s\n",
	       kehu_version(), sqlite3_libversion(), cf.runs,
	       cf.runs < 5 ? " (fewer than 5: not a figure to quote)" : "");
	if (!cf.only || strcmp(cf.only, "ingest") == 0)
		ingest_and_history(&cf);
	if (!cf.only || strcmp(cf.only, "classify") == 0) {
		classify_and_segment(&cf, cf.small);
		classify_and_segment(&cf, cf.large);
	}
	if (!cf.only || strcmp(cf.only, "durable") == 0)
		durable(&cf);
	print_table(&cf);
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %.0f MiB\n", (double)ru.ru_maxrss / 1024.0);
	if (cf.failures)
		printf("%d CHECKS FAILED: the two sides did not compute the "
		       "same thing\n", cf.failures);
	return cf.failures ? 1 : 0;
}
