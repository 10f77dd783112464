/*
 * tests/bench/bench_models: time of the value-model fits (BG/NBD,
 * Pareto/NBD, Gamma-Gamma) on the full CDNOW cohort, 23,570 customers,
 * calibration to 1997-09-30 in weeks (prints figures; not a test).
 *
 * Each model is fitted 10 times on the compressed summary (unique
 * (x, t_x, T) rows with counts); the median ms per fit is printed next
 * to the target.  The compression is timed separately.
 *
 * usage: bench_models [path/to/CDNOW_master.txt]
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "kehu/errors.h"
#include "value/bgnbd.h"
#include "value/gammagamma.h"
#include "value/paretonbd.h"
#include "value/summary.h"

#define RUNS 10

static void *
bench_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	(void)ud;
	(void)osize;
	if (nsize == 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, nsize);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}


typedef struct cust {
	long first, last;
	int days;
	double repeat_value;
} cust;

static FILE *
open_data(int argc, char **argv)
{
	static const char *const tries[] = {
		"../shared/data/CDNOW_master.txt",
		"../../shared/data/CDNOW_master.txt",
		"../../../shared/data/CDNOW_master.txt",
	};
	FILE *f;
	size_t i;

	if (argc > 1)
		return fopen(argv[1], "rb");
	for (i = 0; i < sizeof(tries) / sizeof(tries[0]); i++)
		if ((f = fopen(tries[i], "rb")) != NULL)
			return f;
	return NULL;
}

int
main(int argc, char **argv)
{
	const kehu__allocator alloc = {bench_alloc, NULL};
	FILE *f = open_data(argc, argv);
	char line[256];
	long end = bench_day_number(19970930), prev_id = -1, prev_day = -1;
	long ncust = 0, i;
	double day_value = 0.0, t[RUNS], t0;
	cust *c = calloc(30000, sizeof(*c));
	kehu__rfm_row *rows, *u = NULL;
	kehu__spend_row *spend;
	size_t nu = 0, nspend = 0;
	kehu__bgnbd_params bg;
	kehu__paretonbd_params pn;
	kehu__gammagamma_params gg;
	kehu__fit_info info;
	int k, rc;

	if (!f || !c) {
		fprintf(stderr, "bench_models: cannot open CDNOW_master.txt "
		        "(pass its path)\n");
		return 1;
	}
	/* " id YYYYMMDD cds dollars\r\n", one header line, sorted by
	 * customer then date; same-day rows merge into one purchase */
	for (;;) {
		long id, ymd, cds, day;
		double usd;
		int eof = fgets(line, sizeof(line), f) == NULL;

		if (!eof && sscanf(line, "%ld %ld %ld %lf", &id, &ymd, &cds,
		                   &usd) != 4)
			continue;
		if (eof) {
			id = day = -2;
			usd = 0.0;
		} else {
			if (id < 1 || id >= 30000)
				return 1;
			day = bench_day_number(ymd);
		}
		if (prev_id >= 0 && (id != prev_id || day != prev_day)) {
			cust *p = &c[prev_id];

			if (p->days == 0) {
				p->first = p->last = prev_day;
				p->days = 1;
				ncust++;
			} else if (prev_day <= end) {
				p->days++;
				p->last = prev_day;
				p->repeat_value += day_value;
			}
			day_value = 0.0;
		}
		if (eof)
			break;
		prev_id = id;
		prev_day = day;
		day_value += usd;
	}
	fclose(f);
	rows = calloc((size_t)ncust, sizeof(*rows));
	spend = calloc((size_t)ncust, sizeof(*spend));
	if (!rows || !spend)
		return 1;
	for (i = 0, k = 0; i < 30000; i++) {
		kehu__rfm_row *r;

		if (c[i].days == 0)
			continue;
		r = &rows[k++];
		r->x = c[i].days - 1;
		r->t_x = (double)(c[i].last - c[i].first) / 7.0;
		r->T = (double)(end - c[i].first) / 7.0;
		r->weight = 1.0;
		/* Gamma-Gamma needs zbar > 0: a few repeat buyers only
		 * have $0.00 purchases */
		if (r->x > 0 && c[i].repeat_value > 0.0) {
			spend[nspend].x = r->x;
			spend[nspend].zbar = c[i].repeat_value / r->x;
			spend[nspend].weight = 1.0;
			nspend++;
		}
	}
	for (k = 0; k < RUNS; k++) {
		t0 = now_ms();
		if (u)
			kehu__free(&alloc, u, nu * sizeof(*u));
		rc = kehu__summary_compress(&alloc, rows, (size_t)ncust, &u,
		                            &nu);
		t[k] = now_ms() - t0;
		if (rc != KEHU_OK)
			return 1;
	}
	printf("customers %ld, unique (x, t_x, T) rows %zu, repeat buyers "
	       "with spend > 0 %zu\n", ncust, nu, nspend);
	printf("compress          %8.2f ms\n", median(t, RUNS));

	for (k = 0; k < RUNS; k++) {
		t0 = now_ms();
		rc = kehu__bgnbd_fit(u, nu, &bg, &info);
		t[k] = now_ms() - t0;
		if (rc != KEHU_OK)
			return 1;
	}
	printf("BG/NBD fit        %8.2f ms (target <= 18)  r=%.4f "
	       "alpha=%.4f a=%.4f b=%.4f LL=%.2f iter=%d conv=%d\n",
	       median(t, RUNS), bg.r, bg.alpha, bg.a, bg.b, info.loglik,
	       info.iterations, info.converged);

	for (k = 0; k < RUNS; k++) {
		t0 = now_ms();
		rc = kehu__paretonbd_fit(u, nu, &pn, &info);
		t[k] = now_ms() - t0;
		if (rc != KEHU_OK)
			return 1;
	}
	printf("Pareto/NBD fit    %8.2f ms (target <= 300) r=%.4f "
	       "alpha=%.4f s=%.4f beta=%.4f LL=%.2f iter=%d conv=%d\n",
	       median(t, RUNS), pn.r, pn.alpha, pn.s, pn.beta, info.loglik,
	       info.iterations, info.converged);

	for (k = 0; k < RUNS; k++) {
		t0 = now_ms();
		rc = kehu__gammagamma_fit(spend, nspend, &gg, &info);
		t[k] = now_ms() - t0;
		if (rc != KEHU_OK)
			return 1;
	}
	printf("Gamma-Gamma fit   %8.2f ms (target <= 5)   p=%.4f q=%.4f "
	       "gamma=%.4f LL=%.2f iter=%d conv=%d\n", median(t, RUNS),
	       gg.p, gg.q, gg.gamma, info.loglik, info.iterations,
	       info.converged);
	kehu__free(&alloc, u, nu * sizeof(*u));
	free(rows);
	free(spend);
	free(c);
	return 0;
}
