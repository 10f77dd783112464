/*
 * tests/rules/test_value_rules: the rule language's value-model
 * functions (p_alive, expected_purchases(days), expected_spend,
 * clv(days, rate)) and the default pack's predicted variant.  Each
 * function equals the C API's figure for the same customer; without
 * models the rules do not compile (or do not run), never a silent 0.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

static const char value_rules[] =
	"ruleset \"value\" version 1\n"
	"score alive = p_alive\n"
	"score next90 = expected_purchases(90)\n"
	"score spend = expected_spend\n"
	"score value = clv(365, 0.10)\n"
	"classify outlook {\n"
	"  promising when p_alive > 0.5 and clv(730, 0.08) > 10.00\n"
	"  fading    else\n"
	"}\n";

static void near(double got, double want, double tol, const char *what)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("%s: got %.9f, want %.9f +- %g", what, got, want, tol);
}

static void record(kehu_db *db, kehu_id cid, int32_t type, int64_t t,
                   int64_t amount)
{
	kehu_interaction *ix;

	assert_int_equal(kehu_interaction_new(&ix, db, cid, type, t), 0);
	if (amount)
		assert_int_equal(kehu_interaction_set_amount(ix, amount), 0);
	assert_int_equal(kehu_interaction_record(ix), 0);
	kehu_interaction_free(ix);
}

/* 80 buyers with varied rhythm, some stopping early; returns the id of
 * a frequent one. */
static kehu_id population(kehu_db *db)
{
	kehu_id keen = 0;
	int c, k;

	assert_int_equal(kehu_db_begin(db), 0);
	for (c = 0; c < 80; c++) {
		kehu_id id = test_new_customer(db);
		int n = 1 + c % 9, gap = 2 + c % 11;

		/* every third customer stops after a month */
		for (k = 0; k < n && (c % 3 || k * gap < 30); k++)
			record(db, id, KEHU_IX_PURCHASE,
			       T0 + (int64_t)(k * gap) * DAY + c,
			       2000 + 300 * (c % 13) + 25 * k);
		if (c == 17)
			keen = id;
	}
	assert_int_equal(kehu_db_commit(db), 0);
	return keen;
}

static void set_models(kehu_db *db, int64_t now)
{
	kehu_model *bg, *gg;

	assert_int_equal(kehu_model_fit(&bg, db, KEHU_MODEL_BGNBD, now,
	                                7 * DAY), 0);
	assert_int_equal(kehu_model_fit(&gg, db, KEHU_MODEL_GAMMAGAMMA, now,
	                                7 * DAY), 0);
	assert_int_equal(kehu_db_set_value_models(db, bg, gg), 0);
	kehu_model_free(bg);
	kehu_model_free(gg);
}

static void test_without_models_does_not_compile(void **state)
{
	test_fx *fx = *state;
	kehu_rules *r = NULL;

	population(fx->db);
	assert_int_equal(kehu_rules_compile(&r, fx->db, value_rules,
	                                    strlen(value_rules)),
	                 KEHU_ECOMPILE);
	assert_null(r);
	/* line 2, column 15: the p_alive of "score alive = p_alive" */
	assert_msg_has(fx->db, "2:15:");
	assert_msg_has(fx->db, "p_alive needs the db's value models");
	assert_msg_has(fx->db, "kehu_db_set_value_models");
	/* the historic pack needs no model */
	assert_string_equal(kehu_rules_default_source_for(fx->db),
	                    kehu_rules_default_source());
	assert_string_equal(kehu_rules_default_source_for(NULL),
	                    kehu_rules_default_source());
}

static void test_functions_equal_the_c_api(void **state)
{
	test_fx *fx = *state;
	int64_t now = T0 + 120 * DAY;
	kehu_id keen = population(fx->db);
	kehu_clv_options o;
	kehu_result *res;
	kehu_rules *r;
	kehu_clv c;
	kehu_id id[128];
	double x[128], tx[128], T[128], z[128], v;
	kehu_model *bg, *gg;
	size_t n, i;

	set_models(fx->db, now);
	assert_int_equal(kehu_rules_compile(&r, fx->db, value_rules,
	                                    strlen(value_rules)), KEHU_OK);
	assert_int_equal(kehu_rules_evaluate(&res, r, fx->db, keen, now), 0);

	/* the same figures from the C API */
	assert_int_equal(kehu_model_fit(&bg, fx->db, KEHU_MODEL_BGNBD, now,
	                                7 * DAY), 0);
	assert_int_equal(kehu_model_fit(&gg, fx->db, KEHU_MODEL_GAMMAGAMMA,
	                                now, 7 * DAY), 0);
	assert_int_equal(kehu_value_summaries(fx->db, now, 7 * DAY, id, x, tx,
	                                      T, z, 128, &n), 0);
	for (i = 0; i < n && id[i] != keen; i++)
		;
	assert_true(i < n && x[i] > 2);
	assert_int_equal(kehu_model_p_alive(bg, x[i], tx[i], T[i], &v), 0);
	near(kehu_result_get_score_by_name(res, "alive"), v, 1e-12,
	     "p_alive");
	assert_int_equal(kehu_model_expected_purchases(bg, x[i], tx[i], T[i],
	                                               90.0 / 7.0, 0, &v), 0);
	near(kehu_result_get_score_by_name(res, "next90"), v, 1e-12,
	     "expected_purchases(90)");
	assert_int_equal(kehu_model_expected_spend(gg, x[i], z[i], &v), 0);
	/* money scores read in major units */
	near(kehu_result_get_score_by_name(res, "spend"), v, 1e-9,
	     "expected_spend");
	kehu_clv_options_init(&o, KEHU_CLV_OPTIONS_VERSION);
	c.version = KEHU_CLV_VERSION;
	assert_int_equal(kehu_customer_clv(&c, fx->db, keen, now, &o), 0);
	near(kehu_result_get_score_by_name(res, "value"), c.clv, 1e-9,
	     "clv(365, 0.10)");
	assert_true(c.clv > 0);
	kehu_result_free(res);
	/* explained like any comparison: the operand values are shown */
	{
		kehu_explain *ex;
		char want[64];

		assert_int_equal(kehu_rules_explain(&ex, r, fx->db, keen, now,
		                                    "outlook"), 0);
		assert_int_equal(kehu_model_p_alive(bg, x[i], tx[i], T[i], &v),
		                 0);
		snprintf(want, sizeof want, "p_alive (%.3g", v);
		assert_non_null(strstr(kehu_explain_text(ex), want));
		kehu_explain_free(ex);
	}

	/* models cleared after compiling: evaluation is a setup error */
	assert_int_equal(kehu_db_set_value_models(fx->db, NULL, NULL), 0);
	assert_int_equal(kehu_rules_evaluate(&res, r, fx->db, keen, now),
	                 KEHU_EMISUSE);
	assert_msg_has(fx->db, "kehu_db_set_value_models");
	assert_int_equal(kehu_rules_classify_all(fx->db, r, now, NULL, NULL),
	                 KEHU_EMISUSE);
	kehu_rules_free(r);
	kehu_model_free(bg);
	kehu_model_free(gg);
}

static void test_default_pack_predicted(void **state)
{
	test_fx *fx = *state;
	int64_t now = T0 + 120 * DAY, classified = 0;
	const char *src;
	kehu_rules *r;
	kehu_result *res;
	kehu_clv c;
	kehu_id best = 0, cid;
	double best_clv = -1;
	char label[32];
	size_t len;

	population(fx->db);
	set_models(fx->db, now);
	src = kehu_rules_default_source_for(fx->db);
	assert_true(strcmp(src, kehu_rules_default_source()) != 0);
	assert_non_null(strstr(src, "clv(clv_days, clv_rate)"));
	assert_int_equal(kehu_rules_compile(&r, fx->db, src, strlen(src)), 0);
	assert_string_equal(kehu_rules_get_name(r), "kehu-default-predicted");
	assert_int_equal(kehu_rules_classify_all(fx->db, r, now, NULL,
	                                         &classified), 0);
	assert_int_equal(classified, 80);
	/* the customer with the highest predicted CLV is an mvc */
	c.version = KEHU_CLV_VERSION;
	for (cid = 1; cid < 2000; cid++) {
		if (kehu_customer_clv(&c, fx->db, cid, now, NULL) != KEHU_OK)
			continue;
		if (c.clv > best_clv) {
			best_clv = c.clv;
			best = cid;
		}
	}
	assert_true(best > 0);
	assert_int_equal(kehu_customer_get_label(fx->db, best,
	                                         "kehu-default-predicted",
	                                         "value_class", label,
	                                         sizeof label, &len), 0);
	assert_string_equal(label, "mvc");
	/* strategy: no share_of_wallet attribute, unknown; with one, the
	 * predicted volume decides */
	{
		kehu_customer *cu;

		assert_int_equal(kehu_customer_lookup(&cu, fx->db, best), 0);
		assert_int_equal(kehu_customer_set_attr_number(cu,
		                                               "share_of_wallet",
		                                               0.9), 0);
		assert_int_equal(kehu_customer_save(cu), 0);
		kehu_customer_free(cu);
	}
	assert_int_equal(kehu_rules_evaluate(&res, r, fx->db, best, now), 0);
	{
		double volume = kehu_result_get_score_by_name(
			res, "predicted_volume");
		const char *want = volume >= 10000 ? "keep"
		                                     : "keep_or_acquire";

		assert_true(volume > 0);
		assert_string_equal(kehu_result_get_label_by_name(res,
		                                                  "strategy"),
		                    want);
		near(kehu_result_get_score_by_name(res, "predicted_clv"),
		     best_clv, 1e-9, "predicted_clv");
	}
	kehu_result_free(res);
	kehu_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_without_models_does_not_compile, test_fx_setup,
			test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_functions_equal_the_c_api,
		                                test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_default_pack_predicted,
		                                test_fx_setup,
		                                test_fx_teardown),
	};

	return cmocka_run_group_tests_name("rules_value", tests, NULL, NULL);
}
