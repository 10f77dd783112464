/*
 * tests/value/test_summaries: kehu_value_summaries on CDNOW through the
 * public API: the 1/10th sample's transactions are recorded into a db,
 * the calibration summaries (to 1997-09-30, in weeks) equal the
 * published summary file, and BG/NBD fitted on them gives the published
 * parameters.
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
#include "testutil.h"
#include "value/bgnbd.h"

#define NSAMPLE CDNOW_NSAMPLE
#define WEEK CDNOW_WEEK
/* the calibration end of the published fits */
#define CAL_END cdnow_noon_of(19970930)

static void near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.6f, want %.6f +- %g", what, got, want, tol);
}

/* kehu_model_fit and its predictions, all through the public API. */
static void test_models_public(kehu_db *db, const double *x,
                               const double *tx, const double *T, size_t n)
{
	kehu_model *m;
	double v, sum = 0;
	size_t i;

	assert_int_equal(kehu_model_fit(&m, db, KEHU_MODEL_BGNBD,
	                                CAL_END, WEEK), KEHU_OK);
	assert_int_equal(kehu_model_param_count(m), 4);
	assert_string_equal(kehu_model_param_name(m, 1), "alpha");
	near(kehu_model_get_param(m, 0), 0.243, 0.0005, "BG/NBD r");
	near(kehu_model_get_param(m, 1), 4.414, 0.0005, "BG/NBD alpha");
	near(kehu_model_get_param(m, 2), 0.793, 0.0005, "BG/NBD a");
	near(kehu_model_get_param(m, 3), 2.426, 0.0005, "BG/NBD b");
	near(kehu_model_get_loglik(m), -9582.43, 0.01, "BG/NBD LL");
	assert_int_equal(kehu_model_get_converged(m), 1);
	assert_int_equal(kehu_model_expected_purchases(m, 2, 30.43, 38.86, 39,
	                                               0, &v), KEHU_OK);
	near(v, 1.226, 0.0005, "E[Y(39) | 2, 30.43, 38.86]");
	assert_int_equal(kehu_model_p_alive(m, 2, 30.43, 38.86, &v), KEHU_OK);
	near(v, 0.727, 0.0005, "P(alive | 2, 30.43, 38.86)");
	for (i = 0; i < n; i++) {
		assert_int_equal(kehu_model_expected_purchases(m, x[i], tx[i],
		                                               T[i], 39, 0, &v),
		                 KEHU_OK);
		sum += v;
	}
	print_message("holdout weeks 40-78: expected %.1f, actual 1882 "
	              "(%+.1f%%)\n", sum, 100 * (sum - 1882) / 1882);
	near(sum, 1653.4, 1653.4 * 0.005, "holdout expectation");
	/* the cumulative expectation at week 78 of each customer's own
	 * start, as a new customer over its T + 39 weeks */
	for (sum = 0, i = 0; i < n; i++) {
		assert_int_equal(kehu_model_expected_purchases(
			m, 0, 0, 0, T[i] + 39, 1, &v), KEHU_OK);
		sum += v;
	}
	print_message("cumulative week 78: expected %.1f, actual 4339 "
	              "(%+.1f%%)\n", sum, 100 * (sum - 4339) / 4339);
	near(sum, 4160.6, 4160.6 * 0.005, "cumulative expectation");
	/* standard errors: positive and well below the estimates here */
	for (i = 0; i < 4; i++) {
		v = kehu_model_get_stderr(m, i);
		assert_true(v > 0 && v < kehu_model_get_param(m, i));
	}
	assert_true(isnan(kehu_model_get_stderr(m, 4)));
	assert_int_equal(kehu_model_expected_spend(m, 1, 10, &v), KEHU_EINVAL);
	/* stored and loaded: the same parameters and predictions */
	{
		kehu_model *back;
		double w;

		assert_int_equal(kehu_model_save(db, m, "bgnbd-weekly"), 0);
		assert_int_equal(kehu_model_load(&back, db, "bgnbd-weekly"), 0);
		assert_int_equal(kehu_model_get_kind(back), KEHU_MODEL_BGNBD);
		assert_int_equal(kehu_model_get_period(back), WEEK);
		for (i = 0; i < 4; i++)
			assert_true(kehu_model_get_param(back, i) ==
			            kehu_model_get_param(m, i));
		assert_true(kehu_model_get_loglik(back) ==
		            kehu_model_get_loglik(m));
		for (i = 0; i < 4; i++)
			assert_true(kehu_model_get_stderr(back, i) ==
			            kehu_model_get_stderr(m, i));
		assert_int_equal(kehu_model_p_alive(back, 2, 30.43, 38.86, &w),
		                 0);
		assert_int_equal(kehu_model_p_alive(m, 2, 30.43, 38.86, &v), 0);
		assert_true(v == w);
		kehu_model_free(back);
		assert_int_equal(kehu_model_load(&back, db, "nope"),
		                 KEHU_ENOTFOUND);
		assert_int_equal(kehu_model_save(db, m, ""), KEHU_EINVAL);
	}
	kehu_model_free(m);

	assert_int_equal(kehu_model_fit(&m, db, KEHU_MODEL_PARETONBD,
	                                CAL_END, WEEK), KEHU_OK);
	near(kehu_model_get_param(m, 0), 0.553, 0.0005, "Pareto/NBD r");
	near(kehu_model_get_param(m, 1), 10.578, 0.0005, "Pareto/NBD alpha");
	near(kehu_model_get_param(m, 2), 0.606, 0.0005, "Pareto/NBD s");
	near(kehu_model_get_param(m, 3), 11.669, 0.02, "Pareto/NBD beta");
	near(kehu_model_get_loglik(m), -9594.98, 0.01, "Pareto/NBD LL");
	kehu_model_free(m);

	assert_int_equal(kehu_model_fit(&m, db, KEHU_MODEL_GAMMAGAMMA,
	                                CAL_END, WEEK), KEHU_OK);
	assert_int_equal(kehu_model_param_count(m), 3);
	near(kehu_model_get_param(m, 0), 6.25, 0.005, "Gamma-Gamma p");
	near(kehu_model_get_param(m, 1), 3.74, 0.005, "Gamma-Gamma q");
	near(kehu_model_get_param(m, 2), 15.44, 0.005, "Gamma-Gamma gamma");
	near(kehu_model_get_loglik(m), -4055.92, 0.01, "Gamma-Gamma LL");
	assert_int_equal(kehu_model_expected_spend(m, 2, 22.35, &v), KEHU_OK);
	assert_true(v > 22.35 * 0.5 && v < 40); /* shrunk toward the mean */
	assert_int_equal(kehu_model_p_alive(m, 1, 1, 2, &v), KEHU_EINVAL);
	/* CDNOW's frequency and spend are nearly independent (about 0.11) */
	v = kehu_model_get_spend_correlation(m);
	print_message("Gamma-Gamma spend correlation %.3f\n", v);
	assert_true(fabs(v) < KEHU_SPEND_CORRELATION_LIMIT && fabs(v) > 0.01);
	for (i = 0; i < 3; i++)
		assert_true(kehu_model_get_stderr(m, i) > 0);
	{
		kehu_model *back;

		assert_int_equal(kehu_model_save(db, m, "gg"), KEHU_OK);
		assert_int_equal(kehu_model_load(&back, db, "gg"), KEHU_OK);
		assert_true(kehu_model_get_spend_correlation(back) ==
		            kehu_model_get_spend_correlation(m));
		assert_true(kehu_model_get_stderr(back, 2) ==
		            kehu_model_get_stderr(m, 2));
		kehu_model_free(back);
	}
	{
		int32_t code = -1;

		assert_null(kehu_model_get_warning(m, &code));
		assert_int_equal(code, KEHU_OK);
	}
	kehu_model_free(m);

	assert_int_equal(kehu_model_fit(&m, db, 9, CAL_END, WEEK),
	                 KEHU_EINVAL);
	assert_null(m);
	assert_int_equal(kehu_model_fit(&m, db, KEHU_MODEL_BGNBD,
	                                cdnow_noon_of(19960101), WEEK),
	                 KEHU_EINVAL);
}

static void test_cdnow_summaries(void **state)
{
	test_fx *fxp = *state;
	static kehu_id id[NSAMPLE];
	static double x[NSAMPLE], tx[NSAMPLE], T[NSAMPLE], z[NSAMPLE];
	static kehu__rfm_row rows[NSAMPLE];
	kehu__bgnbd_params p;
	kehu__fit_info info;
	char line[256];
	size_t n = 0, i = 0;
	FILE *f;

	if (cdnow_load_sample(fxp->db) != 0)
		fail_msg("cannot read the CDNOW sample from " KEHU_SHARED_DATA);
	/* asking without room says how many */
	assert_int_equal(kehu_value_summaries(fxp->db, CAL_END, WEEK,
	                                      NULL, NULL, NULL, NULL, NULL, 0,
	                                      &n), KEHU_EBUFS);
	assert_int_equal(n, NSAMPLE);
	assert_int_equal(kehu_value_summaries(fxp->db, CAL_END, WEEK,
	                                      id, x, tx, T, z, NSAMPLE, &n),
	                 KEHU_OK);
	assert_int_equal(n, NSAMPLE);
	f = fopen(KEHU_SHARED_DATA "/cdnow_customers_summary_with_transactions"
	          ".csv", "rb");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f)); /* header */
	while (fgets(line, sizeof line, f)) {
		long cid;
		double ex, etx, eT, ez;

		assert_int_equal(sscanf(line, "%ld,%lf,%lf,%lf,%lf", &cid, &ex,
		                        &etx, &eT, &ez), 5);
		assert_int_equal(id[cid - 1], cid);
		assert_true(x[cid - 1] == ex);
		assert_true(fabs(tx[cid - 1] - etx) <= 0.005 + 1e-9);
		assert_true(fabs(T[cid - 1] - eT) <= 0.005 + 1e-9);
		assert_true(fabs(z[cid - 1] - ez) <= 0.01 + 1e-9);
		i++;
	}
	fclose(f);
	assert_int_equal(i, NSAMPLE);
	/* the published BG/NBD fit on these summaries */
	for (i = 0; i < n; i++) {
		rows[i].x = x[i];
		rows[i].t_x = tx[i];
		rows[i].T = T[i];
		rows[i].weight = 1;
	}
	assert_int_equal(kehu__bgnbd_fit(rows, n, &p, &info), KEHU_OK);
	print_message("BG/NBD from kehu_value_summaries: r %.4f alpha %.4f "
	              "a %.4f b %.4f LL %.2f\n", p.r, p.alpha, p.a, p.b,
	              info.loglik);
	assert_true(fabs(p.r - 0.243) < 0.0005);
	assert_true(fabs(p.alpha - 4.414) < 0.0005);
	assert_true(fabs(p.a - 0.793) < 0.0005);
	assert_true(fabs(p.b - 2.426) < 0.0005);
	assert_true(fabs(info.loglik - -9582.43) < 0.01);
	test_models_public(fxp->db, x, tx, T, n);
}

static void test_units_and_errors(void **state)
{
	test_fx *fxp = *state;
	kehu_id cid = test_new_customer(fxp->db), id;
	kehu_interaction *ix;
	double x, tx, T, z;
	size_t n;
	int k;

	/* purchases on days 0, 0 (same day: merged), 7 and 14 */
	for (k = 0; k < 4; k++) {
		assert_int_equal(kehu_interaction_new(&ix, fxp->db, cid,
		                                      KEHU_IX_PURCHASE,
		                                      T0 + (k ? k - 1 : 0) * 7 *
		                                      DAY + k), 0);
		assert_int_equal(kehu_interaction_set_amount(ix, 1000 * (k + 1)),
		                 0);
		assert_int_equal(kehu_interaction_record(ix), 0);
		kehu_interaction_free(ix);
	}
	assert_int_equal(kehu_value_summaries(fxp->db, T0 + 21 * DAY, DAY,
	                                      &id, &x, &tx, &T, &z, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_true(x == 2 && tx == 14 && T == 21);
	/* day 0 (10.00 + 20.00 merged) is the first purchase day; the
	 * repeat days hold 30.00 and 40.00 */
	assert_true(fabs(z - 35.0) < 1e-9);
	/* weeks: the same calendar, in other units */
	assert_int_equal(kehu_value_summaries(fxp->db, T0 + 21 * DAY, WEEK,
	                                      &id, &x, &tx, &T, &z, 1, &n), 0);
	assert_true(x == 2 && tx == 2 && T == 3);
	/* a calibration end before the first purchase: nobody */
	assert_int_equal(kehu_value_summaries(fxp->db, T0 - DAY, WEEK, &id, &x,
	                                      &tx, &T, &z, 1, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(kehu_value_summaries(fxp->db, T0, 0, &id, &x, &tx, &T,
	                                      &z, 1, &n), KEHU_EINVAL);
	assert_int_equal(kehu_value_summaries(fxp->db, T0, WEEK, NULL, &x,
	                                      &tx, &T, &z, 1, &n),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_value_summaries(NULL, T0, WEEK, NULL, NULL, NULL,
	                                      NULL, NULL, 0, &n), KEHU_EINVAL);
}

/* Spend that grows with frequency: the fit warns. */
static void test_spend_correlation_warning(void **state)
{
	test_fx *fxp = *state;
	kehu_interaction *ix;
	kehu_model *m;
	int32_t code = 0;
	int c, k;

	for (c = 0; c < 40; c++) {
		kehu_id id = test_new_customer(fxp->db);

		for (k = 0; k <= 1 + c % 8; k++) {
			assert_int_equal(kehu_interaction_new(
				&ix, fxp->db, id, KEHU_IX_PURCHASE,
				T0 + (int64_t)k * 3 * DAY), 0);
			/* repeat purchases cost more for frequent buyers */
			assert_int_equal(kehu_interaction_set_amount(
				ix, 1000 + 500 * (c % 8) + 37 * k + c), 0);
			assert_int_equal(kehu_interaction_record(ix), 0);
			kehu_interaction_free(ix);
		}
	}
	assert_int_equal(kehu_model_fit(&m, fxp->db, KEHU_MODEL_GAMMAGAMMA,
	                                T0 + 40 * DAY, WEEK), KEHU_OK);
	assert_true(kehu_model_get_spend_correlation(m) > 0.9);
	assert_non_null(kehu_model_get_warning(m, &code));
	assert_int_equal(code, KEHU_ERANGE);
	kehu_model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cdnow_summaries,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_units_and_errors,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_spend_correlation_warning,
		                                test_fx_setup, test_fx_teardown),
	};

	return cmocka_run_group_tests_name("value_summaries", tests, NULL,
	                                   NULL);
}
