/*
 * tests/value/test_model_domain: the domain of the value models' numeric
 * core (src/value/bgnbd, paretonbd, gammagamma): every parameter must be
 * finite and positive and every customer summary consistent, else
 * KEHU_EINVAL; the boundary cases (t = 0, x = 0, zero weights) give the
 * closed-form values; and the public model handle's armor: NULL handles,
 * unknown kinds, a db with nothing to fit, predictions of the wrong
 * kind.  The models on real data are tested in test_models.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "kehu.h"
#include "testutil.h"
#include "value/bgnbd.h"
#include "value/gammagamma.h"
#include "value/paretonbd.h"

/* The values a parameter must not take. */
static const double bad[] = {0.0, -1.0, NAN, INFINITY, -INFINITY};
#define NBAD (sizeof bad / sizeof bad[0])

/* Three customers: repeat buyers and one who never came back. */
static const kehu__rfm_row rows[] = {
	{2.0, 30.0, 38.0, 1.0},
	{1.0, 2.0, 38.0, 2.0},
	{0.0, 0.0, 38.0, 3.0},
};
#define NROWS (sizeof rows / sizeof rows[0])

/* The summaries x, t_x, T that are not a customer's history. */
static const double bad_args[][3] = {
	{-1.0, 0.0, 10.0},     /* negative count */
	{1.0, 11.0, 10.0},     /* last purchase after the end */
	{1.0, -1.0, 10.0},     /* last purchase before the start */
	{1.0, 1.0, -1.0},      /* negative age */
	{NAN, 1.0, 10.0},
	{1.0, NAN, 10.0},
	{1.0, 1.0, INFINITY},
};
#define NBAD_ARGS (sizeof bad_args / sizeof bad_args[0])

static void test_bgnbd_domain(void **state)
{
	const kehu__bgnbd_params good = {0.24, 4.4, 0.79, 2.4};
	double v, ll, grad[4], *field[4];
	size_t i, k;

	(void)state;
	assert_int_equal(kehu__bgnbd_loglik(&good, rows, NROWS, &ll),
	                 KEHU_OK);
	assert_true(isfinite(ll) && ll < 0.0);
	for (k = 0; k < 4; k++) {
		kehu__bgnbd_params p = good;

		field[0] = &p.r;
		field[1] = &p.alpha;
		field[2] = &p.a;
		field[3] = &p.b;
		for (i = 0; i < NBAD; i++) {
			*field[k] = bad[i];
			assert_int_equal(kehu__bgnbd_loglik(&p, rows, NROWS,
			                                    &v), KEHU_EINVAL);
			assert_int_equal(kehu__bgnbd_loglik_grad(&p, rows,
			                 NROWS, &v, grad), KEHU_EINVAL);
			assert_int_equal(kehu__bgnbd_expected(&p, 10.0, &v),
			                 KEHU_EINVAL);
			assert_int_equal(kehu__bgnbd_palive(&p, 1.0, 2.0, 10.0,
			                                    &v), KEHU_EINVAL);
			assert_int_equal(kehu__bgnbd_conditional(&p, 1.0, 2.0,
			                 10.0, 5.0, &v), KEHU_EINVAL);
		}
	}
	assert_int_equal(kehu__bgnbd_loglik(NULL, rows, NROWS, &v),
	                 KEHU_EINVAL);
	assert_int_equal(kehu__bgnbd_loglik(&good, NULL, 1, &v), KEHU_EINVAL);
	/* no rows: an empty likelihood */
	assert_int_equal(kehu__bgnbd_loglik(&good, NULL, 0, &v), KEHU_OK);
	assert_true(v == 0.0);
	for (i = 0; i < NBAD_ARGS; i++) {
		assert_int_equal(kehu__bgnbd_palive(&good, bad_args[i][0],
		                 bad_args[i][1], bad_args[i][2], &v),
		                 KEHU_EINVAL);
		assert_int_equal(kehu__bgnbd_conditional(&good, bad_args[i][0],
		                 bad_args[i][1], bad_args[i][2], 1.0, &v),
		                 KEHU_EINVAL);
	}
	assert_int_equal(kehu__bgnbd_expected(&good, -1.0, &v), KEHU_EINVAL);
	assert_int_equal(kehu__bgnbd_expected(&good, INFINITY, &v),
	                 KEHU_EINVAL);
	assert_int_equal(kehu__bgnbd_expected(&good, 1.0, NULL), KEHU_EINVAL);
	assert_int_equal(kehu__bgnbd_conditional(&good, 1.0, 2.0, 10.0, -1.0,
	                                         &v), KEHU_EINVAL);
	/* boundaries: nothing is expected in no time; a customer without
	 * repeat purchases is alive for sure under BG/NBD */
	assert_int_equal(kehu__bgnbd_expected(&good, 0.0, &v), KEHU_OK);
	assert_true(v == 0.0);
	assert_int_equal(kehu__bgnbd_conditional(&good, 1.0, 2.0, 10.0, 0.0,
	                                         &v), KEHU_OK);
	assert_true(v == 0.0);
	assert_int_equal(kehu__bgnbd_palive(&good, 0.0, 0.0, 10.0, &v),
	                 KEHU_OK);
	assert_true(v == 1.0);
	assert_int_equal(kehu__bgnbd_palive(&good, 3.0, 2.0, 30.0, &v),
	                 KEHU_OK);
	assert_true(v > 0.0 && v < 1.0);
	/* more time, more purchases */
	{
		double e1, e2;

		assert_int_equal(kehu__bgnbd_expected(&good, 10.0, &e1),
		                 KEHU_OK);
		assert_int_equal(kehu__bgnbd_expected(&good, 20.0, &e2),
		                 KEHU_OK);
		assert_true(e1 > 0.0 && e2 > e1);
	}
	/* a row of weight 0 counts for nothing */
	{
		kehu__rfm_row more[NROWS + 1];

		for (i = 0; i < NROWS; i++)
			more[i] = rows[i];
		more[NROWS] = rows[0];
		more[NROWS].weight = 0.0;
		assert_int_equal(kehu__bgnbd_loglik(&good, more, NROWS + 1,
		                                    &v), KEHU_OK);
		assert_true(v == ll);
	}
}

static void test_paretonbd_domain(void **state)
{
	const kehu__paretonbd_params good = {0.55, 10.6, 0.61, 11.7};
	double v, ll, *field[4];
	size_t i, k;

	(void)state;
	assert_int_equal(kehu__paretonbd_loglik(&good, rows, NROWS, &ll),
	                 KEHU_OK);
	assert_true(isfinite(ll) && ll < 0.0);
	for (k = 0; k < 4; k++) {
		kehu__paretonbd_params p = good;

		field[0] = &p.r;
		field[1] = &p.alpha;
		field[2] = &p.s;
		field[3] = &p.beta;
		for (i = 0; i < NBAD; i++) {
			*field[k] = bad[i];
			assert_int_equal(kehu__paretonbd_loglik(&p, rows,
			                 NROWS, &v), KEHU_EINVAL);
			assert_int_equal(kehu__paretonbd_expected(&p, 10.0,
			                                          &v),
			                 KEHU_EINVAL);
			assert_int_equal(kehu__paretonbd_palive(&p, 1.0, 2.0,
			                 10.0, &v), KEHU_EINVAL);
			assert_int_equal(kehu__paretonbd_conditional(&p, 1.0,
			                 2.0, 10.0, 5.0, &v), KEHU_EINVAL);
		}
	}
	for (i = 0; i < NBAD_ARGS; i++)
		assert_int_equal(kehu__paretonbd_palive(&good, bad_args[i][0],
		                 bad_args[i][1], bad_args[i][2], &v),
		                 KEHU_EINVAL);
	assert_int_equal(kehu__paretonbd_expected(&good, -1.0, &v),
	                 KEHU_EINVAL);
	assert_int_equal(kehu__paretonbd_expected(&good, 1.0, NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu__paretonbd_conditional(&good, 1.0, 2.0, 10.0,
	                                             NAN, &v), KEHU_EINVAL);
	assert_int_equal(kehu__paretonbd_conditional(&good, 1.0, 2.0, 10.0,
	                                             1.0, NULL), KEHU_EINVAL);
	assert_int_equal(kehu__paretonbd_expected(&good, 0.0, &v), KEHU_OK);
	assert_true(v == 0.0);
	/* P(alive) falls the longer a customer has been quiet */
	{
		double recent, quiet;

		assert_int_equal(kehu__paretonbd_palive(&good, 2.0, 37.0, 38.0,
		                                        &recent), KEHU_OK);
		assert_int_equal(kehu__paretonbd_palive(&good, 2.0, 5.0, 38.0,
		                                        &quiet), KEHU_OK);
		assert_true(recent > quiet && quiet > 0.0 && recent <= 1.0);
	}
}

static void test_gammagamma_domain(void **state)
{
	const kehu__gammagamma_params good = {6.25, 3.74, 15.44};
	const kehu__spend_row spend[] = {
		{2.0, 30.0, 1.0}, {1.0, 12.5, 2.0}, {0.0, 0.0, 5.0},
	};
	double v, *field[3];
	size_t i, k;

	(void)state;
	for (k = 0; k < 3; k++) {
		kehu__gammagamma_params p = good;

		field[0] = &p.p;
		field[1] = &p.q;
		field[2] = &p.gamma;
		for (i = 0; i < NBAD; i++) {
			*field[k] = bad[i];
			assert_int_equal(kehu__gammagamma_loglik(&p, spend, 3,
			                                         &v),
			                 KEHU_EINVAL);
			assert_int_equal(kehu__gammagamma_expected_spend(&p,
			                 2.0, 30.0, &v), KEHU_EINVAL);
			assert_int_equal(kehu__gammagamma_stderr(&p, spend, 3,
			                                         &v),
			                 KEHU_EINVAL);
		}
	}
	assert_int_equal(kehu__gammagamma_loglik(&good, spend, 3, NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu__gammagamma_loglik(&good, NULL, 3, &v),
	                 KEHU_EINVAL);
	/* a buyer must have spent something */
	{
		kehu__spend_row zero = {2.0, 0.0, 1.0};
		kehu__spend_row inf = {2.0, INFINITY, 1.0};

		assert_int_equal(kehu__gammagamma_loglik(&good, &zero, 1, &v),
		                 KEHU_EINVAL);
		assert_int_equal(kehu__gammagamma_loglik(&good, &inf, 1, &v),
		                 KEHU_EINVAL);
	}
	/* non-buyers add nothing to the likelihood */
	{
		double all, buyers;

		assert_int_equal(kehu__gammagamma_loglik(&good, spend, 3,
		                                         &all), KEHU_OK);
		assert_int_equal(kehu__gammagamma_loglik(&good, spend, 2,
		                                         &buyers), KEHU_OK);
		assert_true(all == buyers);
	}
	assert_int_equal(kehu__gammagamma_expected_spend(&good, -1.0, 1.0,
	                                                 &v), KEHU_EINVAL);
	assert_int_equal(kehu__gammagamma_expected_spend(&good, 1.0, -1.0,
	                                                 &v), KEHU_EINVAL);
	assert_int_equal(kehu__gammagamma_expected_spend(&good, 1.0, NAN,
	                                                 &v), KEHU_EINVAL);
	assert_int_equal(kehu__gammagamma_expected_spend(&good, 1.0, 1.0,
	                                                 NULL), KEHU_EINVAL);
	/* no purchases: the population mean p gamma / (q - 1) */
	assert_int_equal(kehu__gammagamma_expected_spend(&good, 0.0, NAN, &v),
	                 KEHU_OK);
	assert_true(fabs(v - good.p * good.gamma / (good.q - 1.0)) < 1e-12);
	/* q <= 1 has no finite mean for a customer without purchases */
	{
		kehu__gammagamma_params heavy = {1.0, 0.5, 10.0};

		assert_int_equal(kehu__gammagamma_expected_spend(&heavy, 0.0,
		                                                 0.0, &v),
		                 KEHU_ERANGE);
	}
	/* the fit needs at least one buyer, and sane rows */
	{
		kehu__gammagamma_params out;
		kehu__spend_row none = {0.0, 0.0, 4.0};
		kehu__spend_row neg = {1.0, 10.0, -1.0};
		kehu__spend_row free_ = {1.0, 0.0, 1.0};

		assert_int_equal(kehu__gammagamma_fit(&none, 1, &out, NULL),
		                 KEHU_EINVAL);
		assert_int_equal(kehu__gammagamma_fit(&neg, 1, &out, NULL),
		                 KEHU_EINVAL);
		assert_int_equal(kehu__gammagamma_fit(&free_, 1, &out, NULL),
		                 KEHU_EINVAL);
		assert_int_equal(kehu__gammagamma_fit(spend, 0, &out, NULL),
		                 KEHU_EINVAL);
		assert_int_equal(kehu__gammagamma_fit(spend, 3, NULL, NULL),
		                 KEHU_EINVAL);
	}
}

static void record_purchase(kehu_db *db, kehu_id id, int64_t time,
                            int64_t amount)
{
	kehu_interaction *ix;

	assert_int_equal(kehu_interaction_new(&ix, db, id, KEHU_IX_PURCHASE,
	                                      time), KEHU_OK);
	assert_int_equal(kehu_interaction_set_amount(ix, amount), KEHU_OK);
	assert_int_equal(kehu_interaction_record(ix), KEHU_OK);
	kehu_interaction_free(ix);
}

static void test_model_handle(void **state)
{
	const int64_t week = 7 * DAY, end = T0 + 52 * 7 * DAY;
	kehu_model *m = (kehu_model *)&m;
	kehu_model *spend = NULL;
	kehu_db *db;
	int32_t code = -1;
	double v;
	int i, k;

	(void)state;
	/* a NULL handle reads as nothing */
	assert_int_equal(kehu_model_get_kind(NULL), 0);
	assert_int_equal(kehu_model_get_period(NULL), 0);
	assert_int_equal(kehu_model_param_count(NULL), 0);
	assert_true(isnan(kehu_model_get_param(NULL, 0)));
	assert_null(kehu_model_param_name(NULL, 0));
	assert_true(isnan(kehu_model_get_stderr(NULL, 0)));
	assert_true(isnan(kehu_model_get_loglik(NULL)));
	assert_true(isnan(kehu_model_get_spend_correlation(NULL)));
	assert_int_equal(kehu_model_get_iterations(NULL), 0);
	assert_int_equal(kehu_model_get_converged(NULL), 0);
	assert_null(kehu_model_get_warning(NULL, &code));
	assert_int_equal(code, KEHU_OK);
	assert_int_equal(kehu_model_expected_purchases(NULL, 1, 1, 2, 1, 0,
	                                               &v), KEHU_EINVAL);
	assert_int_equal(kehu_model_p_alive(NULL, 1, 1, 2, &v), KEHU_EINVAL);
	assert_int_equal(kehu_model_expected_spend(NULL, 1, 1, &v),
	                 KEHU_EINVAL);
	kehu_model_free(NULL);

	assert_int_equal(test_open(&db, NULL, NULL), KEHU_OK);
	/* unknown kinds, no out, and a db where nobody bought */
	assert_int_equal(kehu_model_fit(&m, db, 0, end, week), KEHU_EINVAL);
	assert_null(m);
	assert_int_equal(kehu_model_fit(&m, db, KEHU_MODEL_GAMMAGAMMA + 1, end,
	                                week), KEHU_EINVAL);
	assert_int_equal(kehu_model_fit(NULL, db, KEHU_MODEL_BGNBD, end, week),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_model_fit(&m, db, KEHU_MODEL_BGNBD, end, week),
	                 KEHU_EINVAL);
	assert_non_null(strstr(kehu_errmsg(db), "nothing to fit"));

	/* 60 customers, 0 to 5 repeat purchases each, some stopping early */
	for (i = 0; i < 60; i++) {
		kehu_id id = test_new_customer(db);
		int repeats = i % 6, gap = 1 + i % 7;

		record_purchase(db, id, T0 + (i % 9) * week, 1000 + 37 * i);
		for (k = 1; k <= repeats; k++)
			record_purchase(db, id, T0 + ((i % 9) + k * gap) * week,
			                800 + 53 * ((i + k) % 11));
	}
	assert_int_equal(kehu_model_fit(&m, db, KEHU_MODEL_BGNBD, end, week),
	                 KEHU_OK);
	assert_int_equal(kehu_model_get_kind(m), KEHU_MODEL_BGNBD);
	assert_int_equal(kehu_model_get_period(m), week);
	assert_int_equal(kehu_model_param_count(m), 4);
	assert_string_equal(kehu_model_param_name(m, 0), "r");
	assert_null(kehu_model_param_name(m, 4));
	assert_true(isnan(kehu_model_get_param(m, 4)));
	for (k = 0; k < 4; k++)
		assert_true(kehu_model_get_param(m, (size_t)k) > 0.0);
	/* a count model predicts purchases, not spend */
	assert_int_equal(kehu_model_expected_spend(m, 1, 10, &v),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_model_expected_purchases(m, 2, 10, 20, 10, 0,
	                                               NULL), KEHU_EINVAL);
	assert_int_equal(kehu_model_p_alive(m, 2, 10, 20, NULL), KEHU_EINVAL);
	assert_int_equal(kehu_model_p_alive(m, 2, 10, 20, &v), KEHU_OK);
	assert_true(v > 0.0 && v <= 1.0);
	assert_null(kehu_model_get_warning(m, &code));

	assert_int_equal(kehu_model_fit(&spend, db, KEHU_MODEL_GAMMAGAMMA, end,
	                                week), KEHU_OK);
	assert_int_equal(kehu_model_param_count(spend), 3);
	/* a spend model predicts spend, not purchases */
	assert_int_equal(kehu_model_expected_purchases(spend, 2, 10, 20, 10,
	                                               0, &v), KEHU_EINVAL);
	assert_int_equal(kehu_model_p_alive(spend, 2, 10, 20, &v),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_model_expected_spend(spend, 2, 1000, NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_model_expected_spend(spend, 2, 1000, &v),
	                 KEHU_OK);
	assert_true(v > 0.0);
	kehu_model_free(spend);
	kehu_model_free(m);
	kehu_db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bgnbd_domain),
		cmocka_unit_test(test_paretonbd_domain),
		cmocka_unit_test(test_gammagamma_domain),
		cmocka_unit_test(test_model_handle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
