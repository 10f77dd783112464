/*
 * tests/value/test_clv: customer lifetime value.  On CDNOW, the batch
 * CLV reproduces the figures the Python `lifetimes` package documents
 * (BG/NBD + Gamma-Gamma, 12 steps, 1% per step); on hand-built
 * customers every term of kehu_customer_clv is checked against its
 * definition; days and weeks give the same value for the same calendar.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cdnow_db.h"
#include "testutil.h"


static void near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.6f, want %.6f +- %g", what, got, want, tol);
}

static kehu_model *fit(kehu_db *db, int32_t kind, int64_t end,
                       int64_t period)
{
	kehu_model *m = NULL;

	assert_int_equal(kehu_model_fit(&m, db, kind, end, period), KEHU_OK);
	return m;
}

/*
 * lifetimes' documentation: customer_lifetime_value(bgf, ..., time=12,
 * discount_rate=0.01) on the CDNOW summary.  Its steps are "30 days" of
 * the data's unit, which is weeks there: 12 steps of 30 weeks, 1% per
 * step.  With the unit explicit that is a horizon of 360 weeks in steps
 * of 210 days at an annual rate of 1.01^(365/210) - 1.
 */
static void test_cdnow_matches_lifetimes(void **state)
{
	static const struct {
		kehu_id id;
		double clv;
	} want[] = {{1, 140.096211}, {2, 18.943467}, {3, 38.180574},
	            {6, 1003.868107}, {7, 28.109683}};
	static kehu_id id[CDNOW_NSAMPLE];
	static double x[CDNOW_NSAMPLE], tx[CDNOW_NSAMPLE], T[CDNOW_NSAMPLE],
		z[CDNOW_NSAMPLE], clv[CDNOW_NSAMPLE];
	test_fx *fxp = *state;
	int64_t end = cdnow_noon_of(19970930);
	kehu_model *bg, *gg;
	kehu_clv_options o;
	size_t n, i;

	if (cdnow_load_sample(fxp->db) != 0)
		fail_msg("cannot read the CDNOW sample from " KEHU_SHARED_DATA);
	assert_int_equal(kehu_value_summaries(fxp->db, end, CDNOW_WEEK, id, x,
	                                      tx, T, z, CDNOW_NSAMPLE, &n),
	                 KEHU_OK);
	bg = fit(fxp->db, KEHU_MODEL_BGNBD, end, CDNOW_WEEK);
	gg = fit(fxp->db, KEHU_MODEL_GAMMAGAMMA, end, CDNOW_WEEK);
	assert_int_equal(kehu_clv_options_init(&o, KEHU_CLV_OPTIONS_VERSION),
	                 KEHU_OK);
	o.horizon_seconds = 360 * CDNOW_WEEK;
	o.step_seconds = 30 * CDNOW_WEEK;
	o.annual_discount_rate = pow(1.01, 365.0 / 210.0) - 1.0;
	o.margin_rate = 1.0;
	assert_int_equal(kehu_model_clv(bg, gg, x, tx, T, z, n, &o, clv),
	                 KEHU_OK);
	for (i = 0; i < sizeof want / sizeof *want; i++) {
		double got = clv[want[i].id - 1];

		print_message("customer %lld: CLV %.4f (lifetimes %.4f)\n",
		              (long long)want[i].id, got, want[i].clv);
		/* lifetimes fitted on the rounded summary file: 0.5% */
		near(got, want[i].clv, 0.005 * want[i].clv, "CLV");
	}
	/* the batch shares work between customers with the same (x, T):
	 * each value still equals the definition, step by step */
	for (i = 0; i < n; i += 97) {
		double e, prev = 0, d = 0, zbar;
		int k;

		for (k = 1; k <= 12; k++) {
			assert_int_equal(kehu_model_expected_purchases(
				bg, x[i], tx[i], T[i], 30.0 * k, 0, &e), 0);
			d += (e - prev) * pow(1.01, -k);
			prev = e;
		}
		assert_int_equal(kehu_model_expected_spend(gg, x[i], z[i],
		                                           &zbar), 0);
		near(clv[i], d * zbar, 1e-9 * (1 + d * zbar), "batch = sum");
	}
	/* margin is linear; the models must be of the right kinds */
	o.margin_rate = 0.25;
	assert_int_equal(kehu_model_clv(bg, gg, x, tx, T, z, 1, &o, clv),
	                 KEHU_OK);
	near(clv[0], 0.25 * want[0].clv, 0.005 * want[0].clv, "CLV x 0.25");
	assert_int_equal(kehu_model_clv(gg, bg, x, tx, T, z, 1, &o, clv),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_model_clv(bg, gg, NULL, tx, T, z, 1, &o, clv),
	                 KEHU_EINVAL);
	o.step_seconds = 0;
	assert_int_equal(kehu_model_clv(bg, gg, x, tx, T, z, 1, &o, clv),
	                 KEHU_EINVAL);
	kehu_model_free(bg);
	kehu_model_free(gg);
}

static void record(kehu_db *db, kehu_id cid, int32_t type, int64_t t,
                   int64_t amount, int64_t cost, int32_t satisfaction)
{
	kehu_interaction *ix;

	assert_int_equal(kehu_interaction_new(&ix, db, cid, type, t), 0);
	if (amount)
		assert_int_equal(kehu_interaction_set_amount(ix, amount), 0);
	if (cost)
		assert_int_equal(kehu_interaction_set_cost(ix, cost), 0);
	if (satisfaction)
		assert_int_equal(kehu_interaction_set_satisfaction(
			ix, satisfaction), 0);
	assert_int_equal(kehu_interaction_record(ix), 0);
	kehu_interaction_free(ix);
}

/* 60 customers with weekly-ish buying; customer `star` gets costs,
 * complaints-free feedback and referrals. */
static kehu_id population(kehu_db *db)
{
	kehu_id star = 0;
	int c, k;

	for (c = 0; c < 60; c++) {
		kehu_id id = test_new_customer(db);

		for (k = 0; k <= c % 7; k++)
			record(db, id, KEHU_IX_PURCHASE,
			       T0 + (int64_t)(k * (3 + c % 5)) * DAY + c,
			       1000 + 150 * (c % 9) + 10 * k, 0, 0);
		if (c == 13)
			star = id;
	}
	/* star: 6 purchases on 6 days; product cost 40% of sales */
	for (k = 0; k < 3; k++) {
		record(db, star, KEHU_IX_PURCHASE, T0 + (40 + k) * DAY, 5000,
		       2000, 0);
		record(db, star, KEHU_IX_SERVICE_REQUEST, T0 + (41 + k) * DAY,
		       0, 300, 0);
	}
	record(db, star, KEHU_IX_FEEDBACK, T0 + 44 * DAY, 0, 0, 5);
	record(db, star, KEHU_IX_REFERRAL, T0 + 45 * DAY, 0, 0, 0);
	record(db, star, KEHU_IX_REFERRAL, T0 + 46 * DAY, 0, 0, 0);
	return star;
}

static void test_customer_terms(void **state)
{
	test_fx *fxp = *state;
	kehu_db *db = fxp->db;
	int64_t now = T0 + 60 * DAY;
	kehu_id star = population(db), bare;
	kehu_model *bg, *gg;
	kehu_clv_options o;
	kehu_clv v, w;
	double sales = 0, cost = 0, e = 0, pa, zbar, steps = 0, prev = 0;
	double x, tx, T, z, disc = 0;
	size_t n;
	int i;

	v.version = KEHU_CLV_VERSION;
	assert_int_equal(kehu_customer_clv(&v, db, star, now, NULL),
	                 KEHU_EMISUSE);
	assert_msg_has(db, "kehu_db_set_value_models");
	bg = fit(db, KEHU_MODEL_BGNBD, now, DAY);
	gg = fit(db, KEHU_MODEL_GAMMAGAMMA, now, DAY);
	assert_int_equal(kehu_db_set_value_models(db, gg, bg), KEHU_EINVAL);
	assert_int_equal(kehu_db_set_value_models(db, bg, gg), KEHU_OK);

	assert_int_equal(kehu_clv_options_init(&o, KEHU_CLV_OPTIONS_VERSION),
	                 KEHU_OK);
	o.referral_value = 2500; /* 25.00 per referred customer */
	o.referral_rate = 0.5;
	if (kehu_customer_clv(&v, db, star, now, &o) != KEHU_OK)
		fail_msg("kehu_customer_clv: %s", kehu_errmsg(db));

	/* the definition, term by term, from the public pieces */
	{
		kehu_id sid[64];
		double sx[64], stx[64], sT[64], sz[64];

		assert_int_equal(kehu_value_summaries(db, now, DAY, sid, sx,
		                                      stx, sT, sz, 64, &n), 0);
		for (i = 0; i < (int)n && sid[i] != star; i++)
			;
		assert_true(i < (int)n);
		x = sx[i], tx = stx[i], T = sT[i], z = sz[i];
	}
	assert_true(v.x == x && v.t_x == tx && v.T == T);
	assert_int_equal(kehu_model_p_alive(bg, x, tx, T, &pa), 0);
	near(v.p_alive, pa, 1e-12, "p_alive");
	for (i = 1; i <= 13; i++) {
		double t = i < 13 ? 30.0 * i : 365.0;

		assert_int_equal(kehu_model_expected_purchases(bg, x, tx, T, t,
		                                               0, &e), 0);
		disc += (e - prev) * pow(1.1, -t / 365.0);
		prev = e;
		steps++;
	}
	near(v.expected_purchases, e, 1e-9, "expected purchases");
	near(v.discounted_purchases, disc, 1e-9, "discounted purchases");
	assert_true(v.discounted_purchases < v.expected_purchases);
	assert_int_equal(kehu_model_expected_spend(gg, x, z, &zbar), 0);
	near(v.expected_spend, zbar, 1e-9, "expected spend");
	/* star's own history: the population's purchases have no cost */
	{
		kehu_metrics m;

		kehu_metrics_init(&m, KEHU_METRICS_VERSION);
		assert_int_equal(kehu_metrics_read(&m, db, star, now), 0);
		sales = (double)m.sales;
		cost = 6000; /* 3 x 20.00 product cost */
		near(v.margin_rate, (sales - cost) / sales, 1e-12,
		     "margin rate");
		assert_int_equal(m.purchases, 13 % 7 + 1 + 3);
		/* 9.00 of contact cost over its purchase days */
		near(v.cost, 900.0 / (double)m.purchases / 100.0 *
		             v.discounted_purchases, 1e-9, "cost");
	}
	near(v.margin, v.discounted_purchases * v.expected_spend *
	               v.margin_rate, 1e-9, "margin");
	/* 2 recorded referrals, satisfied (5 >= 4): + 0.5 x P(alive) */
	near(v.referral, (2 + 0.5 * v.p_alive) * 25.0, 1e-9, "referral");
	near(v.clv, v.margin - v.cost + v.referral, 1e-9, "clv");
	assert_true(v.clv > 0);

	/* a fixed margin rate replaces the history */
	o.margin_rate = 0.3;
	w.version = KEHU_CLV_VERSION;
	assert_int_equal(kehu_customer_clv(&w, db, star, now, &o), KEHU_OK);
	near(w.margin, v.discounted_purchases * v.expected_spend * 0.3, 1e-9,
	     "margin at 0.3");
	/* no discounting: the discounted count is the plain one */
	o.annual_discount_rate = 0;
	assert_int_equal(kehu_customer_clv(&w, db, star, now, &o), KEHU_OK);
	near(w.discounted_purchases, w.expected_purchases, 1e-12,
	     "undiscounted");

	/* a prospect: no purchase yet, the new-customer expectation */
	bare = test_new_customer(db);
	assert_int_equal(kehu_customer_clv(&w, db, bare, now, NULL), KEHU_OK);
	assert_true(w.x == 0 && w.T == 0 && w.p_alive == 1);
	assert_int_equal(kehu_model_expected_purchases(bg, 0, 0, 0, 365, 1,
	                                               &e), 0);
	near(w.expected_purchases, e, 1e-9, "prospect purchases");
	assert_true(w.margin_rate == 0 && w.margin == 0 && w.clv == 0);

	/* errors change nothing and say why */
	assert_int_equal(kehu_customer_clv(&w, db, 999999, now, NULL),
	                 KEHU_ENOTFOUND);
	w.version = 99;
	assert_int_equal(kehu_customer_clv(&w, db, star, now, NULL),
	                 KEHU_EINVAL);
	w.version = KEHU_CLV_VERSION;
	o.horizon_seconds = 0;
	assert_int_equal(kehu_customer_clv(&w, db, star, now, &o),
	                 KEHU_EINVAL);
	kehu_clv_options_init(&o, KEHU_CLV_OPTIONS_VERSION);
	o.step_seconds = DAY;
	o.horizon_seconds = 600 * DAY; /* 600 steps: beyond the limit */
	assert_int_equal(kehu_customer_clv(&w, db, star, now, &o),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_clv_options_init(&o, 2), KEHU_EINVAL);
	assert_int_equal(kehu_clv_options_init(NULL, 1), KEHU_EINVAL);
	/* clearing the models: CLV is a setup error again */
	assert_int_equal(kehu_db_set_value_models(db, NULL, NULL), KEHU_OK);
	assert_int_equal(kehu_customer_clv(&w, db, star, now, NULL),
	                 KEHU_EMISUSE);
	(void)steps;
	kehu_model_free(bg);
	kehu_model_free(gg);
}

/* Fitted in days and in weeks, the same calendar horizon gives the same
 * value: the unit is a parameter, never an assumption. */
static void test_days_and_weeks_agree(void **state)
{
	test_fx *fxp = *state;
	kehu_db *db = fxp->db;
	int64_t now = T0 + 63 * DAY;
	kehu_id star = population(db);
	kehu_model *bg, *gg;
	kehu_clv_options o;
	kehu_clv d, w;

	kehu_clv_options_init(&o, KEHU_CLV_OPTIONS_VERSION);
	o.horizon_seconds = 52 * 7 * DAY;
	o.step_seconds = 28 * DAY;
	d.version = w.version = KEHU_CLV_VERSION;
	bg = fit(db, KEHU_MODEL_BGNBD, now, DAY);
	gg = fit(db, KEHU_MODEL_GAMMAGAMMA, now, DAY);
	assert_int_equal(kehu_db_set_value_models(db, bg, gg), 0);
	kehu_model_free(bg);
	kehu_model_free(gg);
	assert_int_equal(kehu_customer_clv(&d, db, star, now, &o), 0);
	bg = fit(db, KEHU_MODEL_BGNBD, now, 7 * DAY);
	gg = fit(db, KEHU_MODEL_GAMMAGAMMA, now, 7 * DAY);
	assert_int_equal(kehu_db_set_value_models(db, bg, gg), 0);
	kehu_model_free(bg);
	kehu_model_free(gg);
	assert_int_equal(kehu_customer_clv(&w, db, star, now, &o), 0);
	print_message("days: CLV %.6f, weeks: CLV %.6f\n", d.clv, w.clv);
	near(w.T * 7, d.T, 1e-9, "T in weeks x 7");
	near(w.expected_purchases, d.expected_purchases,
	     1e-4 * d.expected_purchases, "purchases");
	near(w.clv, d.clv, 1e-4 * fabs(d.clv), "clv");
}

/* A repeat buyer whose repeat purchases are free (amount 0): left out
 * of the Gamma-Gamma fit (a Gamma spend is positive), predicted by the
 * model's formula with mean spend 0. */
static void test_zero_spend_repeat_buyer(void **state)
{
	test_fx *fxp = *state;
	kehu_db *db = fxp->db;
	int64_t now = T0 + 63 * DAY;
	kehu_id freebie;
	kehu_model *bg, *gg, *gg2;
	kehu_clv v;
	double p, q, g;

	population(db);
	gg = fit(db, KEHU_MODEL_GAMMAGAMMA, now, DAY);
	freebie = test_new_customer(db);
	record(db, freebie, KEHU_IX_PURCHASE, T0 + DAY, 1000, 0, 0);
	record(db, freebie, KEHU_IX_PURCHASE, T0 + 9 * DAY, 0, 0, 0);
	record(db, freebie, KEHU_IX_PURCHASE, T0 + 19 * DAY, 0, 0, 0);
	/* the fit is unchanged by the free repeat buyer */
	gg2 = fit(db, KEHU_MODEL_GAMMAGAMMA, now, DAY);
	assert_true(kehu_model_get_param(gg2, 0) ==
	            kehu_model_get_param(gg, 0));
	assert_true(kehu_model_get_loglik(gg2) == kehu_model_get_loglik(gg));
	bg = fit(db, KEHU_MODEL_BGNBD, now, DAY);
	assert_int_equal(kehu_db_set_value_models(db, bg, gg2), 0);
	v.version = KEHU_CLV_VERSION;
	assert_int_equal(kehu_customer_clv(&v, db, freebie, now, NULL), 0);
	p = kehu_model_get_param(gg2, 0);
	q = kehu_model_get_param(gg2, 1);
	g = kehu_model_get_param(gg2, 2);
	assert_true(v.x == 2);
	near(v.expected_spend, p * g / (p * 2 + q - 1), 1e-9, "zero spend");
	kehu_model_free(bg);
	kehu_model_free(gg);
	kehu_model_free(gg2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cdnow_matches_lifetimes,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_customer_terms,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_days_and_weeks_agree,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_zero_spend_repeat_buyer,
		                                test_fx_setup, test_fx_teardown),
	};

	return cmocka_run_group_tests_name("value_clv", tests, NULL, NULL);
}
