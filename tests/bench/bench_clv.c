/*
 * tests/bench/bench_clv: CLV predictions per second.  BG/NBD and
 * Gamma-Gamma are fitted through the public API on the CDNOW master
 * cohort (weeks, calibration to 1997-09-30); then kehu_model_clv
 * predicts the default CLV (365 days in 30-day steps, 10% a year) of
 * N synthetic customers (default 1,000,000) whose (x, t_x, T, spend)
 * are drawn like CDNOW's: first purchases over a 90-day cohort, whole
 * days in weeks as kehu_value_summaries gives them.  Prints the median
 * of 5 runs and the spread.  Target: >= 2,000,000 customers/s
 * (lifetimes: about 137,000/s).  A second line gives the worst case,
 * T drawn from a continuum so that no two customers share (x, T) and
 * kehu_model_clv's memo never hits.
 *
 * Usage: bench_clv CDNOW_master.txt [N]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "benchutil.h"

#define RUNS 5
#define WEEK INT64_C(604800)

static int64_t noon_of(long ymd)
{
	return (int64_t)bench_day_number(ymd) * BENCH_DAY + BENCH_DAY / 2;
}

/* The master file: customer id, date, CDs, dollars; ids 1..23570. */
static void load_master(kehu_db *db, const char *path)
{
	FILE *f = fopen(path, "rb");
	long id, ymd, cds;
	double usd;
	kehu_id first;

	if (!f) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	first = bench_create_customers(db, 23570);
	bench_check(db, kehu_db_begin(db), "begin");
	fscanf(f, "%*[^\n]"); /* the header line */
	while (fscanf(f, "%ld %ld %ld %lf", &id, &ymd, &cds, &usd) == 4)
		bench_record(db, first + id - 1, KEHU_IX_PURCHASE,
		             noon_of(ymd), (int64_t)llround(usd * 100));
	bench_check(db, kehu_db_commit(db), "commit");
	fclose(f);
}

static double uniform(uint64_t *rnd)
{
	return (double)(bench_random(rnd) >> 11) * 0x1p-53;
}

/* Like CDNOW's calibration summaries: T from 27 to 39 weeks, 60%
 * one-time buyers, repeat counts falling off geometrically; in whole
 * days, or (continuous) anywhere. */
static void synthesize(size_t n, int continuous, double *x, double *tx,
                       double *T, double *z)
{
	uint64_t rnd = BENCH_SEED;
	size_t i;

	for (i = 0; i < n; i++) {
		double u = uniform(&rnd);
		double days = 273.0 - floor(90 * uniform(&rnd));

		if (continuous)
			days = 183.0 + 90.0 * uniform(&rnd);
		T[i] = days / 7.0;
		x[i] = u < 0.6 ? 0 : floor(-log(uniform(&rnd) + 1e-12) * 3.0);
		tx[i] = x[i] > 0 ? floor(days * uniform(&rnd)) / 7.0 : 0;
		z[i] = x[i] > 0 ? 5.0 + 60.0 * uniform(&rnd) : 0;
	}
}

/* Times RUNS batches and prints the line. */
static void run(const char *what, kehu_model *bg, kehu_model *gg,
                size_t n, const double *x, const double *tx,
                const double *T, const double *z, double *clv)
{
	double secs[RUNS], sum = 0;
	bench_stat s;
	size_t i;
	int k;

	for (k = 0; k < RUNS; k++) {
		double t0 = bench_now();

		bench_check(NULL, kehu_model_clv(bg, gg, x, tx, T, z, n, NULL,
		                                 clv), "kehu_model_clv");
		secs[k] = bench_now() - t0;
	}
	for (i = 0; i < n; i++)
		sum += clv[i];
	s = bench_stats(secs, RUNS);
	printf("  %-26s %10.0f customers/s %7.1f ns/customer (median of "
	       "%d, spread %.1f%%), mean CLV %.2f\n", what,
	       (double)n / s.median, s.median * 1e9 / (double)n, RUNS,
	       bench_spread(&s), sum / (double)n);
}

int main(int argc, char **argv)
{
	size_t n = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 1000000;
	double *x, *tx, *T, *z, *clv;
	kehu_model *bg, *gg;
	kehu_db *db;

	if (argc < 2 || n == 0) {
		fprintf(stderr, "usage: bench_clv CDNOW_master.txt [N]\n");
		return 2;
	}
	db = bench_open_memory();
	load_master(db, argv[1]);
	bench_check(db, kehu_model_fit(&bg, db, KEHU_MODEL_BGNBD,
	                               noon_of(19970930), WEEK), "fit BG/NBD");
	bench_check(db, kehu_model_fit(&gg, db, KEHU_MODEL_GAMMAGAMMA,
	                               noon_of(19970930), WEEK), "fit GG");
	x = malloc(n * sizeof *x);
	tx = malloc(n * sizeof *tx);
	T = malloc(n * sizeof *T);
	z = malloc(n * sizeof *z);
	clv = malloc(n * sizeof *clv);
	if (!x || !tx || !T || !z || !clv)
		return 1;
	printf("CLV (BG/NBD + Gamma-Gamma, 365 days in 30-day steps) of "
	       "%zu customers; target >= 2,000,000/s\n", n);
	synthesize(n, 0, x, tx, T, z);
	run("whole days (as summaries)", bg, gg, n, x, tx, T, z, clv);
	synthesize(n, 1, x, tx, T, z);
	run("every (x, T) distinct", bg, gg, n, x, tx, T, z, clv);
	kehu_model_free(bg);
	kehu_model_free(gg);
	free(x);
	free(tx);
	free(T);
	free(z);
	free(clv);
	kehu_db_close(db);
	return 0;
}
