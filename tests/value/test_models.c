/*
 * tests/value/test_models: the value models' numerical core (BG/NBD,
 * Pareto/NBD, Gamma-Gamma, 2F1) validated on the CDNOW 1/10th sample
 * against the published fits, plus numerical extremes and the time-unit
 * invariance.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cdnow_db.h"
#include "kehu/errors.h"
#include "value/bgnbd.h"
#include "value/gammagamma.h"
#include "value/hyp2f1.h"
#include "value/paretonbd.h"
#include "value/summary.h"

#ifndef KEHU_SHARED_DATA
#define KEHU_SHARED_DATA "../shared/data"
#endif

#define NCUST 2357

typedef struct cust {
	long first, last_cal;   /* day numbers */
	int cal_days;           /* distinct purchase days in calibration */
	int hold_days;          /* distinct purchase days in the holdout */
	double repeat_value;    /* sum over repeat calibration days */
	int seen;
} cust;

typedef struct data {
	cust c[NCUST + 1];
	kehu__rfm_row rows[NCUST];
	kehu__spend_row spend[NCUST];
	int nspend;
	kehu__rfm_row *u;       /* compressed */
	size_t nu;
} data;

static void *
test_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	(void)ud;
	(void)osize;
	if (nsize == 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, nsize);
}

static const kehu__allocator alloc = {test_alloc, NULL};

static data *
load(void)
{
	char line[256];
	FILE *f = fopen(KEHU_SHARED_DATA "/CDNOW_sample.txt", "rb");
	data *d = calloc(1, sizeof(*d));
	long end = cdnow_day_number(19970930), prev_id = -1, prev_day = -1;
	double day_value = 0.0;
	int i;

	if (!f || !d) {
		/* a group setup cannot assert: report and fail the group */
		fprintf(stderr, "cannot read %s/CDNOW_sample.txt (the CDNOW "
		                "data is expected in shared/data beside the "
		                "checkout)\n", KEHU_SHARED_DATA);
		if (f)
			fclose(f);
		free(d);
		return NULL;
	}
	/* each line: " master sample YYYYMMDD cds dollars\r\n"; rows come
	 * sorted by customer then date; same-day rows merge */
	for (;;) {
		long master, id, ymd, cds, day;
		double usd;
		int eof = fgets(line, sizeof(line), f) == NULL;

		if (!eof && sscanf(line, "%ld %ld %ld %ld %lf", &master, &id,
		                   &ymd, &cds, &usd) != 5)
			continue;
		if (eof) {
			id = -2;
			day = -2;
			usd = 0.0;
		} else {
			assert_true(id >= 1 && id <= NCUST);
			day = cdnow_day_number(ymd);
		}
		if (prev_id >= 0 && (id != prev_id || day != prev_day)) {
			/* close the previous (customer, day) */
			cust *c = &d->c[prev_id];

			if (!c->seen) {
				c->seen = 1;
				c->first = prev_day;
				c->last_cal = prev_day;
				c->cal_days = 1;
			} else if (prev_day <= end) {
				c->cal_days++;
				c->last_cal = prev_day;
				c->repeat_value += day_value;
			} else {
				c->hold_days++;
			}
			day_value = 0.0;
		}
		if (eof)
			break;
		if (id == prev_id && day < prev_day)
			fail_msg("rows not sorted by date");
		prev_id = id;
		prev_day = day;
		day_value += usd;
	}
	fclose(f);
	for (i = 1; i <= NCUST; i++) {
		cust *c = &d->c[i];
		kehu__rfm_row *r = &d->rows[i - 1];

		assert_true(c->seen);
		r->x = c->cal_days - 1;
		r->t_x = (double)(c->last_cal - c->first) / 7.0;
		r->T = (double)(end - c->first) / 7.0;
		r->weight = 1.0;
		if (r->x > 0) {
			kehu__spend_row *s = &d->spend[d->nspend++];

			s->x = r->x;
			s->zbar = c->repeat_value / r->x;
			s->weight = 1.0;
		}
	}
	assert_int_equal(kehu__summary_compress(&alloc, d->rows, NCUST,
	                                        &d->u, &d->nu), KEHU_OK);
	return d;
}

static int
setup(void **state)
{
	*state = load();
	return *state ? 0 : -1;
}

static int
teardown(void **state)
{
	data *d = *state;

	if (!d)
		return 0;
	kehu__free(&alloc, d->u, d->nu * sizeof(*d->u));
	free(d);
	return 0;
}

static void
near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.6f, want %.6f +- %g", what, got, want,
		         tol);
}

static void
test_summaries(void **state)
{
	data *d = *state;
	char line[256];
	FILE *f = fopen(KEHU_SHARED_DATA "/cdnow_customers_summary.csv",
	                "rb");
	int n = 0, repeat = 0, i;
	double wsum = 0.0;

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	while (fgets(line, sizeof(line), f)) {
		int id;
		double x, t_x, T;

		assert_int_equal(sscanf(line, "%d,%lf,%lf,%lf", &id, &x,
		                        &t_x, &T), 4);
		assert_true(id >= 1 && id <= NCUST);
		near(d->rows[id - 1].x, x, 0.0, "x");
		near(d->rows[id - 1].t_x, t_x, 0.005 + 1e-9, "t_x");
		near(d->rows[id - 1].T, T, 0.005 + 1e-9, "T");
		n++;
	}
	fclose(f);
	assert_int_equal(n, NCUST);
	for (i = 0; i < NCUST; i++)
		repeat += (int)d->rows[i].x;
	assert_int_equal(repeat, 2457);
	assert_int_equal(d->nspend, 946);
	for (i = 0; i < (int)d->nu; i++)
		wsum += d->u[i].weight;
	near(wsum, NCUST, 0.0, "compressed weight");
	assert_true(d->nu < NCUST);
	printf("# summaries: %d customers, %zu unique rows\n", NCUST, d->nu);
}

static void
test_bgnbd(void **state)
{
	data *d = *state;
	kehu__bgnbd_params p;
	kehu__fit_info info;
	double ll, e, pa, hold = 0.0, cum = 0.0;
	int i, hold_actual = 0, cum_actual = 0;

	assert_int_equal(kehu__bgnbd_fit(d->u, d->nu, &p, &info), KEHU_OK);
	printf("# BG/NBD r=%.4f alpha=%.4f a=%.4f b=%.4f LL=%.4f "
	       "iter=%d evals=%d conv=%d\n", p.r, p.alpha, p.a, p.b,
	       info.loglik, info.iterations, info.evaluations,
	       info.converged);
	assert_int_equal(kehu__bgnbd_stderr(&p, d->u, d->nu, info.se),
	                 KEHU_OK);
	printf("#   se r=%.4f alpha=%.4f a=%.4f b=%.4f\n", info.se[0],
	       info.se[1], info.se[2], info.se[3]);
	assert_true(info.converged);
	for (i = 0; i < 4; i++)
		assert_true(isfinite(info.se[i]) && info.se[i] > 0.0);
	near(p.r, 0.243, 0.0005, "r");
	near(p.alpha, 4.414, 0.0005, "alpha");
	near(p.a, 0.793, 0.0005, "a");
	near(p.b, 2.426, 0.0005, "b");
	near(info.loglik, -9582.43, 0.01, "LL");
	/* the uncompressed rows give the same likelihood */
	assert_int_equal(kehu__bgnbd_loglik(&p, d->rows, NCUST, &ll),
	                 KEHU_OK);
	near(ll, info.loglik, 1e-6, "LL uncompressed");
	assert_int_equal(kehu__bgnbd_conditional(&p, 2, 30.43, 38.86, 39,
	                                         &e), KEHU_OK);
	assert_int_equal(kehu__bgnbd_palive(&p, 2, 30.43, 38.86, &pa),
	                 KEHU_OK);
	printf("#   x=2 t_x=30.43 T=38.86: E[Y(39)]=%.4f P(alive)=%.4f\n",
	       e, pa);
	near(e, 1.226, 0.0005, "E[Y(39)]");
	near(pa, 0.727, 0.0005, "P(alive)");
	for (i = 0; i < NCUST; i++) {
		const kehu__rfm_row *r = &d->rows[i];
		double v;

		assert_int_equal(kehu__bgnbd_conditional(&p, r->x, r->t_x,
		                                         r->T, 39, &v),
		                 KEHU_OK);
		hold += v;
		assert_int_equal(kehu__bgnbd_expected(&p, r->T + 39, &v),
		                 KEHU_OK);
		cum += v;
		hold_actual += d->c[i + 1].hold_days;
		cum_actual += d->c[i + 1].hold_days + (int)r->x;
	}
	assert_int_equal(hold_actual, 1882);
	assert_int_equal(cum_actual, 4339);
	printf("#   holdout weeks 40-78: expected %.1f (published 1653.4), "
	       "actual %d, error %+.1f%%\n", hold, hold_actual,
	       100.0 * (hold - hold_actual) / hold_actual);
	printf("#   cumulative week 78: expected %.1f (published 4160.6), "
	       "actual %d, error %+.1f%%\n", cum, cum_actual,
	       100.0 * (cum - cum_actual) / cum_actual);
	near(hold, 1653.4, 0.005 * 1653.4, "holdout sum");
	near(cum, 4160.6, 0.005 * 4160.6, "cumulative 78");
}

static void
test_paretonbd(void **state)
{
	data *d = *state;
	kehu__paretonbd_params p;
	kehu__fit_info info;
	double ll, e, pa, hold = 0.0;
	int i;

	assert_int_equal(kehu__paretonbd_fit(d->u, d->nu, &p, &info),
	                 KEHU_OK);
	printf("# Pareto/NBD r=%.4f alpha=%.4f s=%.4f beta=%.4f LL=%.4f "
	       "iter=%d evals=%d conv=%d\n", p.r, p.alpha, p.s, p.beta,
	       info.loglik, info.iterations, info.evaluations,
	       info.converged);
	assert_int_equal(kehu__paretonbd_stderr(&p, d->u, d->nu, info.se),
	                 KEHU_OK);
	printf("#   se r=%.4f alpha=%.4f s=%.4f beta=%.4f\n", info.se[0],
	       info.se[1], info.se[2], info.se[3]);
	assert_true(info.converged);
	for (i = 0; i < 4; i++)
		assert_true(isfinite(info.se[i]) && info.se[i] > 0.0);
	near(p.r, 0.553, 0.0005, "r");
	near(p.alpha, 10.578, 0.0005, "alpha");
	near(p.s, 0.606, 0.0005, "s");
	near(p.beta, 11.669, 0.02, "beta");
	near(info.loglik, -9594.98, 0.01, "LL");
	assert_int_equal(kehu__paretonbd_loglik(&p, d->rows, NCUST, &ll),
	                 KEHU_OK);
	near(ll, info.loglik, 1e-6, "LL uncompressed");
	assert_int_equal(kehu__paretonbd_conditional(&p, 2, 30.43, 38.86,
	                                             39, &e), KEHU_OK);
	assert_int_equal(kehu__paretonbd_palive(&p, 2, 30.43, 38.86, &pa),
	                 KEHU_OK);
	for (i = 0; i < NCUST; i++) {
		const kehu__rfm_row *r = &d->rows[i];
		double v;

		assert_int_equal(kehu__paretonbd_conditional(&p, r->x,
		                 r->t_x, r->T, 39, &v), KEHU_OK);
		hold += v;
	}
	printf("#   x=2 example: E[Y(39)]=%.4f P(alive)=%.4f; holdout "
	       "expected %.1f vs actual 1882 (%+.1f%%)\n", e, pa, hold,
	       100.0 * (hold - 1882) / 1882);
	assert_true(pa > 0.0 && pa < 1.0);
}

static void
test_gammagamma(void **state)
{
	data *d = *state;
	kehu__gammagamma_params p;
	kehu__fit_info info;
	double m;

	assert_int_equal(kehu__gammagamma_fit(d->spend, (size_t)d->nspend,
	                                      &p, &info), KEHU_OK);
	assert_int_equal(kehu__gammagamma_stderr(&p, d->spend,
	                 (size_t)d->nspend, info.se), KEHU_OK);
	printf("# Gamma-Gamma p=%.4f q=%.4f gamma=%.4f LL=%.4f iter=%d "
	       "conv=%d se p=%.3f q=%.3f gamma=%.3f\n", p.p, p.q, p.gamma,
	       info.loglik, info.iterations, info.converged, info.se[0],
	       info.se[1], info.se[2]);
	assert_true(info.converged);
	near(p.p, 6.25, 0.005, "p");
	near(p.q, 3.74, 0.005, "q");
	near(p.gamma, 15.44, 0.005, "gamma");
	near(info.loglik, -4055.92, 0.01, "LL");
	/* the posterior mean lies between the population mean and zbar */
	assert_int_equal(kehu__gammagamma_expected_spend(&p, 0, 0, &m),
	                 KEHU_OK);
	near(m, p.p * p.gamma / (p.q - 1.0), 1e-12, "population mean");
	{
		double m1, mbig;

		assert_int_equal(kehu__gammagamma_expected_spend(&p, 1, 100,
		                 &m1), KEHU_OK);
		assert_int_equal(kehu__gammagamma_expected_spend(&p, 1000,
		                 100, &mbig), KEHU_OK);
		assert_true(m1 > m && m1 < 100.0);
		assert_true(mbig > m1 && mbig < 100.0);
		near(mbig, 100.0, 0.5, "large-x spend");
	}
}

/* 2F1 against closed forms, including far beyond the double range */
static void
test_hyp2f1(void **state)
{
	static const double zs[] = {
		-50.0, -10.0, -0.9, -0.3, 1e-8, 0.3, 0.5, 0.89, 0.9, 0.95,
		0.99, 0.999, 0.99999
	};
	double l;
	int s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(zs) / sizeof(zs[0]); i++) {
		double z = zs[i], want;

		/* 2F1(1, 1; 2; z) = -log(1-z)/z (c-a-b = 0: the long
		 * series near 1) */
		assert_int_equal(kehu__hyp2f1_log(1, 1, 2, z, &l, &s),
		                 KEHU_OK);
		want = -log1p(-z) / z;
		near(exp(l) * s, want, 1e-8 * want, "2F1(1,1;2;z)");
		/* 2F1(a, b; b; z) = (1-z)^-a */
		assert_int_equal(kehu__hyp2f1_log(0.7, 2.3, 2.3, z, &l, &s),
		                 KEHU_OK);
		near(l, -0.7 * log1p(-z), 1e-10, "2F1(a,b;b;z)");
		/* 2F1(1/2, 1/2; 3/2; z) = asin(sqrt z)/sqrt z, 0 < z < 1 */
		if (z > 0.0) {
			assert_int_equal(kehu__hyp2f1_log(0.5, 0.5, 1.5, z, &l,
			                                  &s), KEHU_OK);
			want = asin(sqrt(z)) / sqrt(z);
			near(exp(l), want, 1e-10 * want, "asin");
		}
		/* huge: (1-z)^-1000 */
		assert_int_equal(kehu__hyp2f1_log(1000, 7.5, 7.5, z, &l, &s),
		                 KEHU_OK);
		near(l, -1000 * log1p(-z), 1e-9 * fabs(l) + 1e-9, "huge");
	}
	/* z = 1: Gauss's theorem; 2F1(1, 1; 3.5; 1) = 2.5/1.5 */
	assert_int_equal(kehu__hyp2f1_log(1, 1, 3.5, 1, &l, &s), KEHU_OK);
	near(exp(l), 2.5 / 1.5, 1e-12, "z=1");
	assert_int_equal(kehu__hyp2f1_log(1, 1, 2, 1, &l, &s), KEHU_EINVAL);
	assert_int_equal(kehu__hyp2f1_log(1, 1, 2, 1.5, &l, &s),
	                 KEHU_EINVAL);
	assert_int_equal(kehu__hyp2f1_log(1, 1, -2, 0.5, &l, &s),
	                 KEHU_EINVAL);
	/* a terminating polynomial: 2F1(-2, 1; 1; z) = (1-z)^2 */
	assert_int_equal(kehu__hyp2f1_log(-2, 1, 1, 0.95, &l, &s), KEHU_OK);
	near(exp(l) * s, 0.05 * 0.05, 1e-14, "polynomial");
	/* the Pareto/NBD shape with x = 1000, z near 1: positive, finite,
	 * the Euler form F(1, r+x; m+1; z)(1-z)^-s bounds it */
	assert_int_equal(kehu__hyp2f1_log(1001.2, 1.6, 1002.2, 0.999, &l,
	                                  &s), KEHU_OK);
	assert_int_equal(s, 1);
	assert_true(isfinite(l) && l > 0.0);
	/* BG/NBD on data where nobody dropped out: a and b near 1e8.  With
	 * b, c -> infinity at b/c = q, 2F1(a, b; c; z) -> (1 - qz)^-a; the
	 * series stops after a few dozen terms (it used to run out of
	 * terms and report ERANGE) */
	{
		double bb = 6.89936e7, cc = 2.63184e7 + bb + 8.0;
		double zz[] = {0.3, 0.75, 0.85, 0.98};
		size_t k;

		for (k = 0; k < 4; k++) {
			assert_int_equal(kehu__hyp2f1_log(10.5, bb + 9, cc,
			                                  zz[k], &l, &s),
			                 KEHU_OK);
			near(l, -10.5 * log1p(-(bb + 9) / cc * zz[k]),
			     1e-6 * fabs(l), "huge b and c");
		}
	}
	/* hopeless cancellation is reported, not returned as garbage */
	assert_int_equal(kehu__hyp2f1_log(38.2947, 272.396, 2.86696,
	                                  -0.2463801, &l, &s), KEHU_ERANGE);
	/* digamma: psi(1) = -euler gamma, psi(x+1) = psi(x) + 1/x */
	near(kehu__digamma(1.0), -0.57721566490153286, 1e-13, "psi(1)");
	near(kehu__digamma(0.01) + 100.0, kehu__digamma(1.01), 1e-11,
	     "psi recurrence");
}

typedef struct cases {
	double x, t_x, T;
} cases;

static const cases extremes[] = {
	{0, 0, 0}, {0, 0, 38.86}, {0, 0, 10000}, {1, 0, 0}, {1, 5, 5},
	{2, 30.43, 38.86}, {5, 38.86, 38.86}, {1000, 30, 38.86},
	{1000, 38.86, 38.86}, {1000, 0.5, 10000}, {1000, 10000, 10000},
	{3, 10, 10000}, {50, 9999, 10000},
};

static const kehu__bgnbd_params bg_params[] = {
	{0.243, 4.414, 0.793, 2.426}, {1e-6, 4.4, 0.8, 2.4},
	{0.24, 1e-6, 0.8, 2.4}, {0.24, 1e6, 0.8, 2.4},
	{0.24, 4.4, 1e-6, 2.4}, {0.24, 4.4, 1.0, 2.4},
	{0.24, 4.4, 0.8, 1e-6}, {0.24, 4.4, 50.0, 1e6}, {100, 4.4, 0.8, 2.4},
};

static const kehu__paretonbd_params pn_params[] = {
	{0.553, 10.578, 0.606, 11.669}, {1e-6, 10.5, 0.6, 11.6},
	{0.55, 1e-6, 0.6, 11.6}, {0.55, 10.5, 0.6, 1e-6},
	{0.55, 10.5, 1.0, 11.6}, {0.55, 10.5, 1e-6, 11.6},
	{0.55, 1e5, 0.6, 11.6}, {0.55, 10.5, 50, 1e5}, {100, 10.5, 0.6, 11.6},
	{0.55, 11.6, 0.6, 11.6},
};

static void
check_prob(double v)
{
	assert_true(isfinite(v) && v >= 0.0 && v <= 1.0);
}

static void
test_extremes(void **state)
{
	size_t i, j, k;
	static const double ts[] = {0.0, 1.0, 39.0, 1e3, 1e5};

	(void)state;
	for (i = 0; i < sizeof(bg_params) / sizeof(bg_params[0]); i++) {
		const kehu__bgnbd_params *p = &bg_params[i];
		double prev = -1.0;

		for (k = 0; k < sizeof(ts) / sizeof(ts[0]); k++) {
			double e;

			assert_int_equal(kehu__bgnbd_expected(p, ts[k], &e),
			                 KEHU_OK);
			assert_true(isfinite(e) && e >= prev);
			prev = e;
		}
		for (j = 0; j < sizeof(extremes) / sizeof(extremes[0]); j++) {
			const cases *c = &extremes[j];
			double pa, e, ll, prevc = -1.0;
			kehu__rfm_row r = {c->x, c->t_x, c->T, 1.0};

			assert_int_equal(kehu__bgnbd_palive(p, c->x, c->t_x,
			                 c->T, &pa), KEHU_OK);
			check_prob(pa);
			assert_int_equal(kehu__bgnbd_loglik(p, &r, 1, &ll),
			                 KEHU_OK);
			assert_true(isfinite(ll));
			for (k = 0; k < sizeof(ts) / sizeof(ts[0]); k++) {
				int rc = kehu__bgnbd_conditional(p, c->x,
				         c->t_x, c->T, ts[k], &e);

				if (rc != KEHU_OK)
					fail_msg("bg %zu case %zu t %g: %d", i,
					         j, ts[k], rc);
				assert_true(isfinite(e));
				assert_true(e >= prevc * (1 - 1e-9));
				prevc = e;
			}
		}
	}
	for (i = 0; i < sizeof(pn_params) / sizeof(pn_params[0]); i++) {
		const kehu__paretonbd_params *p = &pn_params[i];
		double prev = -1.0;

		for (k = 0; k < sizeof(ts) / sizeof(ts[0]); k++) {
			double e;

			assert_int_equal(kehu__paretonbd_expected(p, ts[k],
			                 &e), KEHU_OK);
			assert_true(isfinite(e) && e >= prev);
			prev = e;
		}
		for (j = 0; j < sizeof(extremes) / sizeof(extremes[0]); j++) {
			const cases *c = &extremes[j];
			double pa, e, ll, prevc = -1.0;
			kehu__rfm_row r = {c->x, c->t_x, c->T, 1.0};
			int rc;

			rc = kehu__paretonbd_palive(p, c->x, c->t_x, c->T,
			                            &pa);
			if (rc != KEHU_OK)
				fail_msg("pn %zu case %zu palive: %d", i, j,
				         rc);
			check_prob(pa);
			assert_int_equal(kehu__paretonbd_loglik(p, &r, 1,
			                 &ll), KEHU_OK);
			assert_true(isfinite(ll));
			for (k = 0; k < sizeof(ts) / sizeof(ts[0]); k++) {
				assert_int_equal(kehu__paretonbd_conditional(
				                 p, c->x, c->t_x, c->T, ts[k],
				                 &e), KEHU_OK);
				assert_true(isfinite(e));
				assert_true(e >= prevc * (1 - 1e-9));
				prevc = e;
			}
		}
	}
}

/* theory: P(alive) falls with T (no purchase for longer), rises with
 * t_x; x = 0 customers are alive with P 1 under BG/NBD */
static void
test_monotone(void **state)
{
	const kehu__bgnbd_params *bg = &bg_params[0];
	const kehu__paretonbd_params *pn = &pn_params[0];
	double prev_bg = 2.0, prev_pn = 2.0, v;
	int k;

	(void)state;
	for (k = 0; k <= 100; k++) {
		double T = 10.0 + k * 10.0;

		assert_int_equal(kehu__bgnbd_palive(bg, 3, 10, T, &v),
		                 KEHU_OK);
		assert_true(v <= prev_bg);
		prev_bg = v;
		assert_int_equal(kehu__paretonbd_palive(pn, 3, 10, T, &v),
		                 KEHU_OK);
		assert_true(v <= prev_pn + 1e-12);
		prev_pn = v;
	}
	prev_bg = prev_pn = -1.0;
	for (k = 0; k <= 100; k++) {
		double t_x = 0.388 * k < 38.8 ? 0.388 * k : 38.8;

		assert_int_equal(kehu__bgnbd_palive(bg, 3, t_x, 38.8, &v),
		                 KEHU_OK);
		assert_true(v >= prev_bg);
		prev_bg = v;
		assert_int_equal(kehu__paretonbd_palive(pn, 3, t_x, 38.8, &v),
		                 KEHU_OK);
		assert_true(v >= prev_pn - 1e-12);
		prev_pn = v;
	}
	assert_int_equal(kehu__bgnbd_palive(bg, 0, 0, 38.8, &v), KEHU_OK);
	near(v, 1.0, 0.0, "bg x=0");
	/* bad input */
	assert_int_equal(kehu__bgnbd_palive(bg, 2, 40, 38.8, &v),
	                 KEHU_EINVAL);
	assert_int_equal(kehu__bgnbd_palive(bg, -1, 0, 38.8, &v),
	                 KEHU_EINVAL);
	assert_int_equal(kehu__paretonbd_conditional(pn, 1, 1, 2, NAN, &v),
	                 KEHU_EINVAL);
}

/* fitting in days gives the same predictions for the same calendar
 * horizon as fitting in weeks */
static void
test_time_units(void **state)
{
	data *d = *state;
	kehu__rfm_row *days = calloc(d->nu, sizeof(*days));
	kehu__bgnbd_params bw, bd;
	kehu__paretonbd_params pw, pd;
	double ew, ed;
	size_t i;

	assert_non_null(days);
	for (i = 0; i < d->nu; i++) {
		days[i] = d->u[i];
		days[i].t_x *= 7.0;
		days[i].T *= 7.0;
	}
	assert_int_equal(kehu__bgnbd_fit(d->u, d->nu, &bw, NULL), KEHU_OK);
	assert_int_equal(kehu__bgnbd_fit(days, d->nu, &bd, NULL), KEHU_OK);
	near(bd.alpha / 7.0, bw.alpha, 1e-4 * bw.alpha, "bg alpha days");
	near(bd.r, bw.r, 1e-4 * bw.r, "bg r days");
	assert_int_equal(kehu__bgnbd_conditional(&bw, 2, 30.43, 38.86, 39,
	                                         &ew), KEHU_OK);
	assert_int_equal(kehu__bgnbd_conditional(&bd, 2, 213, 272, 273,
	                                         &ed), KEHU_OK);
	near(ed, ew, 1e-4 * ew, "bg conditional days");
	assert_int_equal(kehu__bgnbd_expected(&bw, 78, &ew), KEHU_OK);
	assert_int_equal(kehu__bgnbd_expected(&bd, 546, &ed), KEHU_OK);
	near(ed, ew, 1e-4 * ew, "bg expected days");

	assert_int_equal(kehu__paretonbd_fit(d->u, d->nu, &pw, NULL),
	                 KEHU_OK);
	assert_int_equal(kehu__paretonbd_fit(days, d->nu, &pd, NULL),
	                 KEHU_OK);
	assert_int_equal(kehu__paretonbd_conditional(&pw, 2, 30.43, 38.86,
	                                             39, &ew), KEHU_OK);
	assert_int_equal(kehu__paretonbd_conditional(&pd, 2, 213, 272, 273,
	                                             &ed), KEHU_OK);
	near(ed, ew, 1e-3 * ew, "pn conditional days");
	printf("# days vs weeks: BG/NBD alpha %.4f/7 = %.4f; Pareto/NBD "
	       "E[Y] %.6f vs %.6f\n", bd.alpha, bd.alpha / 7, ed, ew);
	free(days);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hyp2f1),
		cmocka_unit_test(test_extremes),
		cmocka_unit_test(test_monotone),
		cmocka_unit_test(test_summaries),
		cmocka_unit_test(test_bgnbd),
		cmocka_unit_test(test_paretonbd),
		cmocka_unit_test(test_gammagamma),
		cmocka_unit_test(test_time_units),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
