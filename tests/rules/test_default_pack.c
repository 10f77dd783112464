/*
 * tests/rules/test_default_pack: golden tests of the default rule pack
 * (rules layer) on hand-built customers, one test per classification,
 * with every label and every threshold met exactly and missed by one
 * unit (doc/rules.md, "The default rule pack"); then small custom rule
 * sets for the language's semantics: first match wins, constants, money
 * exactness, defined results, attributes, tags, lists, functions,
 * references between items, and the population functions.
 *
 * Times: NOW is 2026-09-27T12:00Z (T0 + 1000 days + 12 h); AGO(d) is d
 * local days before it, at the same time of day, so days_since_* is d.
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

#include "testutil.h"

#define OK(x) assert_int_equal((x), KEHU_OK)
#define H INT64_C(3600)
#define NOW (T0 + 1000 * DAY + 12 * H)
#define AGO(d) (NOW - (int64_t)(d) * DAY)

/* ---- building customers -------------------------------------------------- */

static kehu_id cust(kehu_db *db, int32_t status)
{
	kehu_customer *c;
	kehu_id id;

	OK(kehu_customer_create(&c, db, NULL));
	OK(kehu_customer_set_status(c, status));
	OK(kehu_customer_save(c));
	id = kehu_customer_get_id(c);
	kehu_customer_free(c);
	return id;
}

static kehu_id prospect(kehu_db *db)
{
	return cust(db, KEHU_STATUS_PROSPECT);
}

static kehu_id buyer(kehu_db *db)
{
	return cust(db, KEHU_STATUS_CUSTOMER);
}

static kehu_customer *edit(kehu_db *db, kehu_id id)
{
	kehu_customer *c;

	OK(kehu_customer_lookup(&c, db, id));
	return c;
}

static void done(kehu_customer *c)
{
	OK(kehu_customer_save(c));
	kehu_customer_free(c);
}

static void set_num(kehu_db *db, kehu_id id, const char *name, double v)
{
	kehu_customer *c = edit(db, id);

	OK(kehu_customer_set_attr_number(c, name, v));
	done(c);
}

static void set_int(kehu_db *db, kehu_id id, const char *name, int64_t v)
{
	kehu_customer *c = edit(db, id);

	OK(kehu_customer_set_attr_int(c, name, v));
	done(c);
}

static void set_time(kehu_db *db, kehu_id id, const char *name, int64_t v)
{
	kehu_customer *c = edit(db, id);

	OK(kehu_customer_set_attr_time(c, name, v));
	done(c);
}

static void set_str(kehu_db *db, kehu_id id, const char *name,
                    const char *v)
{
	kehu_customer *c = edit(db, id);

	OK(kehu_customer_set_attr_string(c, name, v));
	done(c);
}

static void add_tag(kehu_db *db, kehu_id id, const char *tag)
{
	kehu_customer *c = edit(db, id);

	OK(kehu_customer_add_tag(c, tag));
	done(c);
}

static void set_fields(kehu_db *db, kehu_id id, int32_t kind,
                       int32_t relation)
{
	kehu_customer *c = edit(db, id);

	OK(kehu_customer_set_kind(c, kind));
	OK(kehu_customer_set_relation(c, relation));
	done(c);
}

/* Records one interaction (amount and cost in minor units). */
static void ix(kehu_db *db, kehu_id id, int32_t type, int64_t t,
               int64_t amount, int64_t cost, int32_t sat)
{
	kehu_interaction *x;

	OK(kehu_interaction_new(&x, db, id, type, t));
	OK(kehu_interaction_set_amount(x, amount));
	OK(kehu_interaction_set_cost(x, cost));
	OK(kehu_interaction_set_satisfaction(x, sat));
	OK(kehu_interaction_record(x));
	kehu_interaction_free(x);
}

static void buy(kehu_db *db, kehu_id id, int64_t t, int64_t cents)
{
	ix(db, id, KEHU_IX_PURCHASE, t, cents, 0, 0);
}

/* Purchases on each of n days AGO(first), AGO(first + 1), ... */
static void buy_days(kehu_db *db, kehu_id id, int first, int n,
                     int64_t cents)
{
	int k;

	for (k = 0; k < n; k++)
		buy(db, id, AGO(first + k), cents);
}

static void contact(kehu_db *db, kehu_id id, int32_t type, int64_t t)
{
	ix(db, id, type, t, 0, 0, 0);
}

static void feedback(kehu_db *db, kehu_id id, int64_t t, int32_t sat)
{
	ix(db, id, KEHU_IX_FEEDBACK, t, 0, 0, sat);
}

/* ---- compiling and checking ---------------------------------------------- */

static kehu_rules *compile(kehu_db *db, const char *text)
{
	kehu_rules *r = NULL;
	int rc = kehu_rules_compile(&r, db, text, strlen(text));

	if (rc != KEHU_OK)
		fail_msg("compile: %d '%s'", rc, kehu_errmsg(db));
	assert_non_null(r);
	return r;
}

static kehu_rules *compile_default(kehu_db *db)
{
	return compile(db, kehu_rules_default_source());
}

static void check_label(kehu_db *db, const kehu_rules *r, kehu_id id,
                        int64_t now, const char *cls, const char *want,
                        int line)
{
	kehu_result *res = NULL;
	const char *got;
	char msg[256];

	OK(kehu_rules_evaluate(&res, r, db, id, now));
	got = kehu_result_get_label_by_name(res, cls);
	if (got && strcmp(got, want) == 0) {
		kehu_result_free(res);
		return;
	}
	snprintf(msg, sizeof msg, "line %d: customer %llu: %s is '%s', "
	         "expected '%s'", line, (unsigned long long)id, cls,
	         got ? got : "(null)", want);
	kehu_result_free(res);
	fail_msg("%s", msg);
}

static void check_score(kehu_db *db, const kehu_rules *r, kehu_id id,
                        int64_t now, const char *name, double want,
                        int line)
{
	kehu_result *res = NULL;
	double got;

	OK(kehu_rules_evaluate(&res, r, db, id, now));
	got = kehu_result_get_score_by_name(res, name);
	kehu_result_free(res);
	if (!(fabs(got - want) <= 1e-9 * (1 + fabs(want))))
		fail_msg("line %d: customer %llu: score %s is %.17g, "
		         "expected %.17g", line, (unsigned long long)id, name,
		         got, want);
}

/* In a test with `test_fx *f` and `kehu_rules *r`, as of NOW. */
#define LABEL(id, cls, want) \
	check_label(f->db, r, (id), NOW, (cls), (want), __LINE__)
#define SCORE(id, name, want) \
	check_score(f->db, r, (id), NOW, (name), (want), __LINE__)

/* ---- the pack as a whole ------------------------------------------------- */

static void test_pack_shape(void **state)
{
	static const char *const classes[] = {
		"importance",   "loyalty",        "lifecycle", "relationship",
		"value_class", "prospect_grade", "strategy",  "rfm_segment"};
	static const char *const scores[] = {"lead_score", "r_score",
	                                     "f_score", "m_score"};
	test_fx *f = *state;
	const char *src = kehu_rules_default_source();
	kehu_rules *r;
	size_t i;

	assert_non_null(src);
	assert_ptr_equal(src, kehu_rules_default_source());
	assert_non_null(strstr(src, "ruleset \"kehu-default\" version 1"));
	r = compile_default(f->db);
	assert_string_equal(kehu_rules_get_name(r), "kehu-default");
	assert_int_equal(kehu_rules_get_version(r), 1);
	assert_int_equal(kehu_rules_classification_count(r), 8);
	for (i = 0; i < 8; i++)
		assert_string_equal(kehu_rules_classification_name(r, i),
		                    classes[i]);
	assert_null(kehu_rules_classification_name(r, 8));
	assert_int_equal(kehu_rules_score_count(r), 4);
	for (i = 0; i < 4; i++)
		assert_string_equal(kehu_rules_score_name(r, i), scores[i]);
	kehu_rules_free(r);
}

/* The pack's amounts are whole numbers: it compiles for any currency. */
static void test_pack_any_currency(void **state)
{
	static const int32_t exponents[] = {0, 1, 3, 6};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof exponents / sizeof exponents[0]; i++) {
		kehu_db_options o;
		test_alloc a;
		kehu_db *db;
		kehu_rules *r;

		memset(&a, 0, sizeof a);
		OK(kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION));
		o.alloc = test_alloc_fn;
		o.alloc_user_data = &a;
		o.currency_exponent = exponents[i];
		OK(kehu_db_open(&db, &o));
		r = compile_default(db);
		kehu_rules_free(r);
		kehu_db_close(db);
		assert_int_equal(a.live_bytes, 0);
	}
}

/* With exponent 0 the vip threshold 50000 is 50000 minor units. */
static void test_pack_currency_exponent_0(void **state)
{
	kehu_db_options o;
	test_alloc a;
	kehu_db *db;
	kehu_rules *r;
	kehu_id vip, imp;

	(void)state;
	memset(&a, 0, sizeof a);
	OK(kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION));
	o.alloc = test_alloc_fn;
	o.alloc_user_data = &a;
	o.currency_exponent = 0;
	OK(kehu_db_open(&db, &o));
	vip = buyer(db);
	buy(db, vip, AGO(1), 50000);
	imp = buyer(db);
	buy(db, imp, AGO(1), 49999);
	r = compile_default(db);
	check_label(db, r, vip, NOW, "importance", "vip", __LINE__);
	check_label(db, r, imp, NOW, "importance", "important", __LINE__);
	kehu_rules_free(r);
	kehu_db_close(db);
	assert_int_equal(a.live_bytes, 0);
}

/* ---- importance ---------------------------------------------------------- */

static void test_importance(void **state)
{
	test_fx *f = *state;
	kehu_id at_vip = buyer(f->db), below_vip = buyer(f->db);
	kehu_id at_imp = buyer(f->db), below_imp = buyer(f->db);
	kehu_id tagged = prospect(f->db), in_window = buyer(f->db);
	kehu_id out_window = buyer(f->db), net = buyer(f->db);
	kehu_id two = buyer(f->db), nothing = prospect(f->db);
	kehu_rules *r;

	buy(f->db, at_vip, AGO(10), 5000000);      /* 50000.00 */
	buy(f->db, below_vip, AGO(10), 4999999);   /* 49999.99 */
	buy(f->db, at_imp, AGO(10), 1000000);      /* 10000.00 */
	buy(f->db, below_imp, AGO(10), 999999);    /*  9999.99 */
	add_tag(f->db, tagged, "vip");
	/* the 365-day window: 364 days ago is in, 365 is out */
	buy(f->db, in_window, AGO(364), 5000000);
	buy(f->db, out_window, AGO(365), 5000000);
	/* net revenue: refunds count against it */
	buy(f->db, net, AGO(10), 6000000);
	ix(f->db, net, KEHU_IX_REFUND, AGO(5), 1000001, 0, 0);
	/* sums are exact */
	buy(f->db, two, AGO(10), 2500000);
	buy(f->db, two, AGO(20), 2500000);

	r = compile_default(f->db);
	LABEL(at_vip, "importance", "vip");
	LABEL(below_vip, "importance", "important");
	LABEL(at_imp, "importance", "important");
	LABEL(below_imp, "importance", "ordinary");
	LABEL(tagged, "importance", "vip");
	LABEL(in_window, "importance", "vip");
	LABEL(out_window, "importance", "ordinary");
	LABEL(net, "importance", "important");
	LABEL(two, "importance", "vip");
	LABEL(nothing, "importance", "ordinary");
	kehu_rules_free(r);
}

/* ---- loyalty ladder ------------------------------------------------------ */

static void test_loyalty(void **state)
{
	test_fx *f = *state;
	kehu_id potential = prospect(f->db), one = buyer(f->db);
	kehu_id two = buyer(f->db), one_day = buyer(f->db);
	kehu_id regular = buyer(f->db), old = buyer(f->db);
	kehu_id old_two = buyer(f->db), loyal = buyer(f->db);
	kehu_id tenure_729 = buyer(f->db), recent_3 = buyer(f->db);
	kehu_rules *r;

	contact(f->db, potential, KEHU_IX_CALL, AGO(1));
	buy(f->db, one, AGO(5), 1000);
	buy_days(f->db, two, 5, 2, 1000);
	/* three orders on one day are one purchase day */
	buy(f->db, one_day, AGO(5), 1000);
	buy(f->db, one_day, AGO(5) + H, 1000);
	buy(f->db, one_day, AGO(5) + 2 * H, 1000);
	/* 3 purchase days, the first 364 days ago: regular, not yet old */
	buy(f->db, regular, AGO(364), 1000);
	buy_days(f->db, regular, 5, 2, 1000);
	/* ... 365 days ago: old */
	buy(f->db, old, AGO(365), 1000);
	buy_days(f->db, old, 5, 2, 1000);
	/* long ago but only 2 purchase days: still new */
	buy(f->db, old_two, AGO(400), 1000);
	buy(f->db, old_two, AGO(10), 1000);
	/* first purchase 730 days ago, 4 purchase days in the last 365 */
	buy(f->db, loyal, AGO(730), 1000);
	buy(f->db, loyal, AGO(300), 1000);
	buy(f->db, loyal, AGO(200), 1000);
	buy(f->db, loyal, AGO(100), 1000);
	buy(f->db, loyal, AGO(1), 1000);
	/* 729 days of tenure: old */
	buy(f->db, tenure_729, AGO(729), 1000);
	buy(f->db, tenure_729, AGO(300), 1000);
	buy(f->db, tenure_729, AGO(200), 1000);
	buy(f->db, tenure_729, AGO(100), 1000);
	buy(f->db, tenure_729, AGO(1), 1000);
	/* 730 days, but the purchase 365 days ago is outside the window:
	 * 3 purchase days in the last 365: old */
	buy(f->db, recent_3, AGO(730), 1000);
	buy(f->db, recent_3, AGO(365), 1000);
	buy(f->db, recent_3, AGO(200), 1000);
	buy(f->db, recent_3, AGO(100), 1000);
	buy(f->db, recent_3, AGO(1), 1000);

	r = compile_default(f->db);
	LABEL(potential, "loyalty", "potential");
	LABEL(one, "loyalty", "new");
	LABEL(two, "loyalty", "new");
	LABEL(one_day, "loyalty", "new");
	LABEL(regular, "loyalty", "regular");
	LABEL(old, "loyalty", "old");
	LABEL(old_two, "loyalty", "new");
	LABEL(loyal, "loyalty", "loyal");
	LABEL(tenure_729, "loyalty", "old");
	LABEL(recent_3, "loyalty", "old");
	kehu_rules_free(r);
}

/* ---- lifecycle ----------------------------------------------------------- */

/* A customer that the ladder calls loyal, last purchase `last` days
 * ago (4 purchase days in the last 365, first 730 days ago). */
static kehu_id loyal_buyer(kehu_db *db, int last)
{
	kehu_id id = buyer(db);

	buy(db, id, AGO(730), 1000);
	buy(db, id, AGO(300), 1000);
	buy(db, id, AGO(200), 1000);
	buy(db, id, AGO(150), 1000);
	buy(db, id, AGO(last), 1000);
	return id;
}

/* Bought 200 and `last` days ago. */
static kehu_id two_buys(kehu_db *db, int first, int last)
{
	kehu_id id = buyer(db);

	buy(db, id, AGO(first), 1000);
	buy(db, id, AGO(last), 1000);
	return id;
}

static void test_lifecycle_recency(void **state)
{
	test_fx *f = *state;
	kehu_id prospect_new = prospect(f->db), new89 = buyer(f->db);
	kehu_id first90 = buyer(f->db);
	kehu_id active89 = two_buys(f->db, 200, 89);
	kehu_id silent90 = two_buys(f->db, 200, 90);
	kehu_id silent179 = two_buys(f->db, 300, 179);
	kehu_id risk180 = two_buys(f->db, 300, 180);
	kehu_id risk364 = two_buys(f->db, 400, 364);
	kehu_id churned365 = two_buys(f->db, 400, 365);
	kehu_id loyal = loyal_buyer(f->db, 1);
	kehu_id loyal_silent = loyal_buyer(f->db, 90);
	kehu_id quiet_prospect = prospect(f->db);
	kehu_rules *r;

	contact(f->db, prospect_new, KEHU_IX_VISIT, AGO(1));
	/* first purchase 89 days ago: new; 90 days ago (and nothing
	 * since): silent */
	buy(f->db, new89, AGO(89), 1000);
	buy(f->db, first90, AGO(90), 1000);
	/* a prospect contacted long ago has still not bought: new */
	contact(f->db, quiet_prospect, KEHU_IX_CALL, AGO(900));

	r = compile_default(f->db);
	LABEL(prospect_new, "lifecycle", "new");
	LABEL(quiet_prospect, "lifecycle", "new");
	LABEL(new89, "lifecycle", "new");
	LABEL(first90, "lifecycle", "silent");
	LABEL(active89, "lifecycle", "active");
	LABEL(silent90, "lifecycle", "silent");
	LABEL(silent179, "lifecycle", "silent");
	LABEL(risk180, "lifecycle", "at_risk");
	LABEL(risk364, "lifecycle", "at_risk");
	LABEL(churned365, "lifecycle", "churned");
	LABEL(loyal, "lifecycle", "loyal");
	LABEL(loyal_silent, "loyalty", "loyal");
	LABEL(loyal_silent, "lifecycle", "silent");
	kehu_rules_free(r);
}

static void test_lifecycle_dissatisfied(void **state)
{
	test_fx *f = *state;
	kehu_id complaint89 = two_buys(f->db, 200, 10);
	kehu_id complaint90 = two_buys(f->db, 200, 10);
	kehu_id score2 = two_buys(f->db, 200, 10);
	kehu_id score3 = two_buys(f->db, 200, 10);
	kehu_id latest = two_buys(f->db, 200, 10);
	kehu_id churned = buyer(f->db);
	kehu_id loyal = loyal_buyer(f->db, 1);
	kehu_id fresh = buyer(f->db), prospect_c = prospect(f->db);
	kehu_id complaint_score = two_buys(f->db, 200, 10);
	kehu_rules *r;

	/* a complaint in the 90-day window: 89 days ago in, 90 out */
	contact(f->db, complaint89, KEHU_IX_COMPLAINT, AGO(89));
	contact(f->db, complaint90, KEHU_IX_COMPLAINT, AGO(90));
	/* the latest satisfaction score: 2 and below is dissatisfied */
	feedback(f->db, score2, AGO(5), 2);
	feedback(f->db, score3, AGO(5), 3);
	/* a low score replaced by a good one */
	feedback(f->db, latest, AGO(50), 1);
	feedback(f->db, latest, AGO(20), 5);
	/* churned wins over a recent complaint */
	buy(f->db, churned, AGO(400), 1000);
	contact(f->db, churned, KEHU_IX_COMPLAINT, AGO(1));
	/* dissatisfied wins over loyal and new */
	contact(f->db, loyal, KEHU_IX_COMPLAINT, AGO(2));
	buy(f->db, fresh, AGO(10), 1000);
	contact(f->db, fresh, KEHU_IX_COMPLAINT, AGO(3));
	contact(f->db, prospect_c, KEHU_IX_COMPLAINT, AGO(3));
	/* a complaint 100 days ago that carried a score of 4: fine */
	ix(f->db, complaint_score, KEHU_IX_COMPLAINT, AGO(100), 0, 0, 4);

	r = compile_default(f->db);
	LABEL(complaint89, "lifecycle", "dissatisfied");
	LABEL(complaint90, "lifecycle", "active");
	LABEL(score2, "lifecycle", "dissatisfied");
	LABEL(score3, "lifecycle", "active");
	LABEL(latest, "lifecycle", "active");
	LABEL(churned, "lifecycle", "churned");
	LABEL(loyal, "loyalty", "loyal");
	LABEL(loyal, "lifecycle", "dissatisfied");
	LABEL(fresh, "lifecycle", "dissatisfied");
	LABEL(prospect_c, "lifecycle", "dissatisfied");
	LABEL(complaint_score, "lifecycle", "active");
	kehu_rules_free(r);
}

/* ---- relationship -------------------------------------------------------- */

static void test_relationship(void **state)
{
	test_fx *f = *state;
	int64_t now = T0 + 60 * DAY; /* 2024-03-01 */
	int64_t feb1 = T0 + 31 * DAY;
	kehu_id none = prospect(f->db), once = buyer(f->db);
	kehu_id one_month = buyer(f->db), two_months = buyer(f->db);
	kehu_rules *r;

	buy(f->db, once, T0, 1000);
	/* 2024-01-01T00:00 and 2024-01-31T23:59:59: one calendar month */
	buy(f->db, one_month, T0, 1000);
	buy(f->db, one_month, feb1 - 1, 1000);
	/* 2024-01-31T23:59:59 and 2024-02-01T00:00: two */
	buy(f->db, two_months, feb1 - 1, 1000);
	buy(f->db, two_months, feb1, 1000);

	r = compile_default(f->db);
	check_label(f->db, r, none, now, "relationship", "prospect",
	            __LINE__);
	check_label(f->db, r, once, now, "relationship", "customer",
	            __LINE__);
	check_label(f->db, r, one_month, now, "relationship", "customer",
	            __LINE__);
	check_label(f->db, r, two_months, now, "relationship", "account",
	            __LINE__);
	kehu_rules_free(r);
}

/* ---- value class --------------------------------------------------------- */

/*
 * Eleven customers with margins (sorted) -0.01, 0, 1000, 2000, 3000,
 * 4000, 6999.99, 7000, 8999.99, 9000, 20000.  Nearest rank over N = 11:
 * quantile 0.70 is the 8th value (ceil 7.7) = 7000.00, quantile 0.90 the
 * 10th (ceil 9.9) = 9000.00.
 */
static void test_value_class(void **state)
{
	test_fx *f = *state;
	kehu_id loss = buyer(f->db), zero = prospect(f->db);
	kehu_id m1000 = buyer(f->db), m2000 = buyer(f->db);
	kehu_id m3000 = buyer(f->db), m4000 = buyer(f->db);
	kehu_id below_mgc = buyer(f->db), at_mgc = buyer(f->db);
	kehu_id below_mvc = buyer(f->db), at_mvc = buyer(f->db);
	kehu_id top = buyer(f->db);
	kehu_rules *r;

	/* a marketing touch that cost a cent, nothing bought */
	ix(f->db, loss, KEHU_IX_MARKETING, AGO(10), 0, 1, 0);
	buy(f->db, m1000, AGO(10), 100000);
	buy(f->db, m2000, AGO(10), 200000);
	buy(f->db, m3000, AGO(10), 300000);
	buy(f->db, m4000, AGO(10), 400000);
	/* margin is revenue minus cost: 7000.00 - 0.01 */
	ix(f->db, below_mgc, KEHU_IX_PURCHASE, AGO(10), 700000, 1, 0);
	buy(f->db, at_mgc, AGO(10), 700000);
	buy(f->db, below_mvc, AGO(10), 899999);
	buy(f->db, at_mvc, AGO(10), 900000);
	buy(f->db, top, AGO(10), 2000000);

	r = compile_default(f->db);
	LABEL(loss, "value_class", "bzc");
	LABEL(zero, "value_class", "standard");
	LABEL(m1000, "value_class", "standard");
	LABEL(m2000, "value_class", "standard");
	LABEL(m3000, "value_class", "standard");
	LABEL(m4000, "value_class", "standard");
	LABEL(below_mgc, "value_class", "standard");
	LABEL(at_mgc, "value_class", "mgc");
	LABEL(below_mvc, "value_class", "mgc");
	LABEL(at_mvc, "value_class", "mvc");
	LABEL(top, "value_class", "mvc");
	kehu_rules_free(r);
}

/* A db of prospects: every quantile is 0, and margin 0 is not mvc. */
static void test_value_class_all_zero(void **state)
{
	test_fx *f = *state;
	kehu_id a = prospect(f->db), b = prospect(f->db);
	kehu_id c = prospect(f->db);
	kehu_rules *r;

	contact(f->db, c, KEHU_IX_VISIT, AGO(1));
	r = compile_default(f->db);
	LABEL(a, "value_class", "standard");
	LABEL(b, "value_class", "standard");
	LABEL(c, "value_class", "standard");
	kehu_rules_free(r);
}

/* Everyone loses money: bzc, even for the top of the population. */
static void test_value_class_all_negative(void **state)
{
	test_fx *f = *state;
	kehu_id a = buyer(f->db), b = buyer(f->db), c = buyer(f->db);
	kehu_rules *r;

	ix(f->db, a, KEHU_IX_MARKETING, AGO(1), 0, 100, 0);
	ix(f->db, b, KEHU_IX_MARKETING, AGO(1), 0, 200, 0);
	ix(f->db, c, KEHU_IX_PURCHASE, AGO(1), 100, 400, 0);
	r = compile_default(f->db);
	LABEL(a, "value_class", "bzc");
	LABEL(b, "value_class", "bzc");
	LABEL(c, "value_class", "bzc");
	kehu_rules_free(r);
}

/* ---- prospect grade ------------------------------------------------------ */

/* lead_score = (30 - min(days since contact, 30)) + 3 * min(contacts, 10)
 *            + 4 * clamp(attr("intent", 0), 0, 10) */
static void test_prospect_grade(void **state)
{
	test_fx *f = *state;
	kehu_id a70 = prospect(f->db), b69 = prospect(f->db);
	kehu_id b40 = prospect(f->db), c39 = prospect(f->db);
	kehu_id c20 = prospect(f->db), d19 = prospect(f->db);
	kehu_id d0 = prospect(f->db), text = prospect(f->db);
	kehu_id integer = prospect(f->db), over = prospect(f->db);
	kehu_id many = prospect(f->db), not_prospect = buyer(f->db);
	kehu_id bought = prospect(f->db);
	kehu_rules *r;
	int k;

	/* 27 + 3 + 40 = 70: a visit is a contact */
	contact(f->db, a70, KEHU_IX_VISIT, AGO(3));
	set_num(f->db, a70, "intent", 10);
	/* 26 + 3 + 40 = 69 */
	contact(f->db, b69, KEHU_IX_CALL, AGO(4));
	set_num(f->db, b69, "intent", 10);
	/* 10 + 30 = 40 and 9 + 30 = 39 */
	for (k = 0; k < 10; k++) {
		contact(f->db, b40, KEHU_IX_EMAIL, AGO(20));
		contact(f->db, c39, KEHU_IX_EMAIL, AGO(21));
	}
	/* 1 + 3 + 16 = 20 and 0 + 3 + 16 = 19 */
	contact(f->db, c20, KEHU_IX_CALL, AGO(29));
	set_num(f->db, c20, "intent", 4);
	contact(f->db, d19, KEHU_IX_CALL, AGO(30));
	set_num(f->db, d19, "intent", 4);
	/* a text intent counts as 0: 30 + 3 */
	contact(f->db, text, KEHU_IX_CALL, NOW);
	set_str(f->db, text, "intent", "high");
	/* an integer intent reads as a number: 30 + 3 + 40 */
	contact(f->db, integer, KEHU_IX_CALL, NOW);
	set_int(f->db, integer, "intent", 10);
	/* intent is capped at 10 */
	contact(f->db, over, KEHU_IX_CALL, NOW);
	set_int(f->db, over, "intent", 25);
	/* contacts are capped at 10: 30 + 30 */
	for (k = 0; k < 15; k++)
		contact(f->db, many, KEHU_IX_CALL, NOW);
	/* a customer gets no grade, whatever its score */
	contact(f->db, not_prospect, KEHU_IX_CALL, NOW);
	set_num(f->db, not_prospect, "intent", 10);
	/* still marked prospect, but it has bought: no grade either */
	buy(f->db, bought, NOW, 100);
	set_num(f->db, bought, "intent", 10);

	r = compile_default(f->db);
	SCORE(a70, "lead_score", 70);
	LABEL(a70, "prospect_grade", "A");
	SCORE(b69, "lead_score", 69);
	LABEL(b69, "prospect_grade", "B");
	SCORE(b40, "lead_score", 40);
	LABEL(b40, "prospect_grade", "B");
	SCORE(c39, "lead_score", 39);
	LABEL(c39, "prospect_grade", "C");
	SCORE(c20, "lead_score", 20);
	LABEL(c20, "prospect_grade", "C");
	SCORE(d19, "lead_score", 19);
	LABEL(d19, "prospect_grade", "D");
	SCORE(d0, "lead_score", 0);
	LABEL(d0, "prospect_grade", "D");
	SCORE(text, "lead_score", 33);
	LABEL(text, "prospect_grade", "C");
	SCORE(integer, "lead_score", 73);
	LABEL(integer, "prospect_grade", "A");
	SCORE(over, "lead_score", 73);
	SCORE(many, "lead_score", 60);
	LABEL(many, "prospect_grade", "B");
	SCORE(not_prospect, "lead_score", 73);
	LABEL(not_prospect, "prospect_grade", "none");
	SCORE(bought, "lead_score", 73);
	LABEL(bought, "prospect_grade", "none");
	kehu_rules_free(r);
}

/* ---- strategy matrix ----------------------------------------------------- */

static kehu_id strat(kehu_db *db, double share, double volume)
{
	kehu_id id = buyer(db);

	set_num(db, id, "share_of_wallet", share);
	set_num(db, id, "upcoming_volume", volume);
	return id;
}

static void test_strategy(void **state)
{
	test_fx *f = *state;
	kehu_id keep = strat(f->db, 0.50, 10000.00);
	kehu_id develop = strat(f->db, 0.49, 10000.00);
	kehu_id koa = strat(f->db, 0.50, 9999.99);
	kehu_id aoa = strat(f->db, 0.49, 9999.99);
	kehu_id zeros = strat(f->db, 0, 0);
	kehu_id big = strat(f->db, 1, 1e9);
	kehu_id ints = buyer(f->db);
	kehu_rules *r;

	/* integer attributes read as numbers */
	set_int(f->db, ints, "share_of_wallet", 1);
	set_int(f->db, ints, "upcoming_volume", 10000);

	r = compile_default(f->db);
	LABEL(keep, "strategy", "keep");
	LABEL(develop, "strategy", "develop");
	LABEL(koa, "strategy", "keep_or_acquire");
	LABEL(aoa, "strategy", "acquire_or_abandon");
	LABEL(zeros, "strategy", "acquire_or_abandon");
	LABEL(big, "strategy", "keep");
	LABEL(ints, "strategy", "keep");
	kehu_rules_free(r);
}

/* Missing inputs: the matrix does not guess. */
static void test_strategy_unknown(void **state)
{
	test_fx *f = *state;
	kehu_id none = buyer(f->db), share_only = buyer(f->db);
	kehu_id volume_only = buyer(f->db), text = buyer(f->db);
	kehu_rules *r;

	set_num(f->db, share_only, "share_of_wallet", 0.6);
	set_num(f->db, volume_only, "upcoming_volume", 20000);
	set_str(f->db, text, "share_of_wallet", "50%");
	set_num(f->db, text, "upcoming_volume", 20000);

	r = compile_default(f->db);
	LABEL(none, "strategy", "unknown");
	LABEL(share_only, "strategy", "unknown");
	LABEL(volume_only, "strategy", "unknown");
	LABEL(text, "strategy", "unknown");
	kehu_rules_free(r);
}

/* ---- RFM ----------------------------------------------------------------- */

/*
 * Five buyers whose recency, frequency and monetary tiles are t[i][0],
 * t[i][1], t[i][2] (each column a permutation of 1..5): the last
 * purchase (6 - r) * 10 days ago, f purchase days in all (the others
 * 100 days ago and earlier), revenue m * 1000.00.  With N = 5 and 5
 * tiles every customer has a tile of its own.
 */
static void rfm_case(void **state, const int t[5][3],
                     const char *const labels[5])
{
	test_fx *f = *state;
	kehu_id ids[5];
	kehu_rules *r;
	int i, k;

	for (i = 0; i < 5; i++) {
		ids[i] = buyer(f->db);
		buy(f->db, ids[i], AGO((6 - t[i][0]) * 10),
		    (int64_t)t[i][2] * 100000);
		for (k = 1; k < t[i][1]; k++)
			buy(f->db, ids[i], AGO(100 + k), 0);
	}
	r = compile_default(f->db);
	for (i = 0; i < 5; i++) {
		SCORE(ids[i], "r_score", t[i][0]);
		SCORE(ids[i], "f_score", t[i][1]);
		SCORE(ids[i], "m_score", t[i][2]);
		LABEL(ids[i], "rfm_segment", labels[i]);
	}
	kehu_rules_free(r);
}

static void test_rfm_1(void **state)
{
	static const int t[5][3] = {
		{5, 5, 5}, {1, 4, 4}, {4, 1, 1}, {3, 3, 3}, {2, 2, 2}};
	static const char *const labels[5] = {
		"champions", "cant_lose", "recent", "need_attention",
		"hibernating"};

	rfm_case(state, t, labels);
}

static void test_rfm_2(void **state)
{
	static const int t[5][3] = {
		{5, 4, 3}, {4, 2, 5}, {2, 5, 2}, {1, 1, 4}, {3, 3, 1}};
	static const char *const labels[5] = {
		"loyal", "potential_loyalist", "at_risk", "lost",
		"need_attention"};

	rfm_case(state, t, labels);
}

/* Boundaries: champions needs m >= 4; lost is r = 1 with f <= 2. */
static void test_rfm_3(void **state)
{
	static const int t[5][3] = {
		{4, 4, 4}, {5, 5, 3}, {3, 3, 5}, {2, 1, 2}, {1, 2, 1}};
	static const char *const labels[5] = {
		"champions", "loyal", "need_attention", "hibernating",
		"lost"};

	rfm_case(state, t, labels);
}

/* Boundaries: loyal from r = 3; at_risk from f = 3; cant_lose from
 * m = 4; potential_loyalist from f = 2. */
static void test_rfm_4(void **state)
{
	static const int t[5][3] = {
		{3, 4, 5}, {2, 3, 1}, {1, 5, 4}, {4, 1, 2}, {5, 2, 3}};
	static const char *const labels[5] = {
		"loyal", "at_risk", "cant_lose", "recent",
		"potential_loyalist"};

	rfm_case(state, t, labels);
}

/* Never bought: 0, 0, 0 and no_purchase, whatever the others do. */
static void test_rfm_no_purchase(void **state)
{
	test_fx *f = *state;
	kehu_id none = prospect(f->db), b1 = buyer(f->db), b2 = buyer(f->db);
	kehu_id contacted = prospect(f->db), other = prospect(f->db);
	kehu_rules *r;

	buy(f->db, b1, AGO(1), 100);
	buy(f->db, b2, AGO(500), 100);
	contact(f->db, contacted, KEHU_IX_VISIT, NOW);
	r = compile_default(f->db);
	SCORE(none, "r_score", 0);
	SCORE(none, "f_score", 0);
	SCORE(none, "m_score", 0);
	LABEL(none, "rfm_segment", "no_purchase");
	SCORE(contacted, "r_score", 0);
	LABEL(contacted, "rfm_segment", "no_purchase");
	SCORE(other, "m_score", 0);
	/* five customers, five tiles: the three non-buyers take the
	 * bottom three, the buyers rank above them by recency */
	SCORE(b1, "r_score", 5);
	SCORE(b2, "r_score", 4);
	kehu_rules_free(r);
}

/* ---- the language on small rule sets ------------------------------------- */

static void test_first_match_wins(void **state)
{
	test_fx *f = *state;
	kehu_id none = prospect(f->db), one = buyer(f->db);
	kehu_id three = buyer(f->db);
	kehu_rules *r;
	kehu_result *res;

	buy_days(f->db, one, 1, 1, 100);
	buy_days(f->db, three, 1, 3, 100);
	r = compile(f->db, "ruleset \"first\" version 7\n"
	                   "classify c {\n"
	                   "  many when purchases >= 2\n"
	                   "  some when purchases >= 1\n"
	                   "  also when purchases >= 3  # never reached\n"
	                   "  none else\n"
	                   "}\n");
	assert_string_equal(kehu_rules_get_name(r), "first");
	assert_int_equal(kehu_rules_get_version(r), 7);
	assert_int_equal(kehu_rules_classification_count(r), 1);
	assert_string_equal(kehu_rules_classification_name(r, 0), "c");
	assert_int_equal(kehu_rules_score_count(r), 0);
	assert_null(kehu_rules_score_name(r, 0));
	LABEL(none, "c", "none");
	LABEL(one, "c", "some");
	LABEL(three, "c", "many");

	OK(kehu_rules_evaluate(&res, r, f->db, three, NOW));
	assert_string_equal(kehu_result_get_label(res, 0), "many");
	assert_null(kehu_result_get_label(res, 1));
	assert_null(kehu_result_get_label_by_name(res, "nope"));
	assert_null(kehu_result_get_label_by_name(res, NULL));
	assert_true(isnan(kehu_result_get_score(res, 0)));
	assert_true(isnan(kehu_result_get_score_by_name(res, "c")));
	kehu_result_free(res);
	kehu_rules_free(r);
}

static void test_constants_and_order(void **state)
{
	test_fx *f = *state;
	kehu_id id = prospect(f->db);
	kehu_rules *r;
	kehu_result *res;

	/* items may refer to items defined later */
	r = compile(f->db, "ruleset \"t\" version 1\n"
	                   "score s1 = base * rate + 1\n"
	                   "score s2 = s3 * 2\n"
	                   "let base = 10\n"
	                   "score s3 = base - 6\n"
	                   "let rate = 0.5\n");
	assert_int_equal(kehu_rules_score_count(r), 3);
	assert_string_equal(kehu_rules_score_name(r, 0), "s1");
	assert_string_equal(kehu_rules_score_name(r, 1), "s2");
	assert_string_equal(kehu_rules_score_name(r, 2), "s3");
	SCORE(id, "s1", 6);
	SCORE(id, "s2", 8);
	SCORE(id, "s3", 4);
	OK(kehu_rules_evaluate(&res, r, f->db, id, NOW));
	assert_true(kehu_result_get_score(res, 1) == 8);
	/* constants are not scores */
	assert_true(isnan(kehu_result_get_score_by_name(res, "base")));
	kehu_result_free(res);
	kehu_rules_free(r);
}

static void test_money_exact(void **state)
{
	test_fx *f = *state;
	kehu_id even = buyer(f->db), cents = buyer(f->db);
	kehu_id refunded = buyer(f->db);
	kehu_rules *r;

	buy(f->db, even, AGO(10), 2500000);
	buy(f->db, even, AGO(11), 2500000);
	buy(f->db, cents, AGO(1), 10);
	buy(f->db, cents, AGO(2), 10);
	buy(f->db, cents, AGO(3), 10);
	buy(f->db, refunded, AGO(3), 1000);
	ix(f->db, refunded, KEHU_IX_REFUND, AGO(2), 1000, 0, 0);
	r = compile(f->db, "ruleset \"money\" version 1\n"
	                   "let target = 50000.00\n"
	                   "score rev = revenue\n"
	                   "score half = revenue / 2\n"
	                   "score ratio = revenue / sales\n"
	                   "score aov = average_order_value\n"
	                   "score plus = revenue + 0.01\n"
	                   "score times = revenue * 2\n"
	                   "score count = purchases * 1.50\n"
	                   "classify exact { yes when revenue == target "
	                   "no else }\n"
	                   "classify thirty { yes when revenue == 0.30 "
	                   "no else }\n"
	                   "classify above { yes when revenue >= 50000.01 "
	                   "no else }\n"
	                   "classify sum { yes when revenue == sales - refunds "
	                   "and margin == revenue - cost no else }\n");
	SCORE(even, "rev", 50000.00);
	SCORE(even, "half", 25000.00);
	SCORE(even, "ratio", 1);
	SCORE(even, "aov", 25000.00);
	SCORE(even, "plus", 50000.01);
	SCORE(even, "times", 100000.00);
	SCORE(even, "count", 3);
	LABEL(even, "exact", "yes");
	LABEL(even, "thirty", "no");
	LABEL(even, "above", "no");
	LABEL(even, "sum", "yes");
	/* 0.10 + 0.10 + 0.10 is exactly 0.30 */
	SCORE(cents, "rev", 0.30);
	LABEL(cents, "thirty", "yes");
	LABEL(cents, "exact", "no");
	SCORE(refunded, "rev", 0);
	SCORE(refunded, "ratio", 0);
	LABEL(refunded, "sum", "yes");
	kehu_rules_free(r);
}

/* Amounts in a currency without minor units, and with three digits. */
static void test_money_exponents(void **state)
{
	static const struct {
		int32_t exponent;
		int64_t minor;
		const char *text;
		double major;
	} cases[] = {
		{0, 5, "ruleset \"m\" version 1\n"
		       "score rev = revenue\n"
		       "classify c { yes when revenue == 5 no else }\n", 5},
		{3, 1234, "ruleset \"m\" version 1\n"
		          "score rev = revenue\n"
		          "classify c { yes when revenue == 1.234 no else }\n",
		 1.234},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		kehu_db_options o;
		test_alloc a;
		kehu_db *db;
		kehu_rules *r;
		kehu_id id;

		memset(&a, 0, sizeof a);
		OK(kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION));
		o.alloc = test_alloc_fn;
		o.alloc_user_data = &a;
		o.currency_exponent = cases[i].exponent;
		OK(kehu_db_open(&db, &o));
		id = buyer(db);
		buy(db, id, AGO(1), cases[i].minor);
		r = compile(db, cases[i].text);
		check_score(db, r, id, NOW, "rev", cases[i].major, __LINE__);
		check_label(db, r, id, NOW, "c", "yes", __LINE__);
		kehu_rules_free(r);
		kehu_db_close(db);
		assert_int_equal(a.live_bytes, 0);
	}
}

static void test_defined_results(void **state)
{
	test_fx *f = *state;
	kehu_id id = prospect(f->db);
	kehu_rules *r;

	r = compile(f->db, "ruleset \"zero\" version 1\n"
	                   "score d1 = purchases / interactions\n"
	                   "score d2 = 5 / purchases\n"
	                   "score d3 = 7 % purchases\n"
	                   "score d4 = revenue / revenue_30d\n"
	                   "score d5 = revenue_30d / 0\n"
	                   "score d6 = log(0)\n"
	                   "score d7 = log(purchases - 1)\n"
	                   "score d8 = exp(100000)\n"
	                   "score d9 = pow(0, -1)\n"
	                   "score d10 = min(days_since_last_purchase, 99)\n"
	                   "score d11 = days_since_last_purchase - 1\n"
	                   "score d12 = 10 / 4\n"
	                   "score d13 = 7 % 4\n"
	                   "score d14 = first_purchase\n"
	                   "score d15 = average_satisfaction\n"
	                   "classify never {\n"
	                   "  yes when days_since_last_purchase > 1_000_000\n"
	                   "          and days_since_last_contact >= days(36500)\n"
	                   "  no else\n"
	                   "}\n");
	SCORE(id, "d1", 0);
	SCORE(id, "d2", 0);
	SCORE(id, "d3", 0);
	SCORE(id, "d4", 0);
	SCORE(id, "d5", 0);
	SCORE(id, "d6", 0);
	SCORE(id, "d7", 0);
	SCORE(id, "d8", 0);
	SCORE(id, "d9", 0);
	SCORE(id, "d10", 99);
	SCORE(id, "d11", 0);
	SCORE(id, "d12", 2.5);
	SCORE(id, "d13", 3);
	SCORE(id, "d14", -1);
	SCORE(id, "d15", 0);
	LABEL(id, "never", "yes");
	kehu_rules_free(r);
}

/* "Any non-finite result gives 0": negating "never" too. */
static void test_negated_never(void **state)
{
	test_fx *f = *state;
	kehu_id id = prospect(f->db);
	kehu_rules *r;

	r = compile(f->db, "ruleset \"neg\" version 1\n"
	                   "score n = -days_since_last_purchase\n");
	SCORE(id, "n", 0);
	kehu_rules_free(r);
}

static void test_attributes_tags_fields(void **state)
{
	test_fx *f = *state;
	kehu_id plain = prospect(f->db), rich = buyer(f->db);
	kehu_id other = prospect(f->db), typed = prospect(f->db);
	kehu_rules *r;

	set_str(f->db, rich, "rating", "AAA");
	set_int(f->db, rich, "n", 3);
	set_time(f->db, rich, "when", 1000);
	add_tag(f->db, rich, "vip");
	set_fields(f->db, rich, KEHU_KIND_ORGANISATION,
	           KEHU_RELATION_BUSINESS);
	set_str(f->db, other, "rating", "BBB");
	set_str(f->db, other, "n", "x");
	add_tag(f->db, other, "vip2");
	set_fields(f->db, other, KEHU_KIND_PERSON, KEHU_RELATION_CHANNEL);
	set_int(f->db, typed, "rating", 5);
	set_num(f->db, typed, "n", 2.5);
	set_fields(f->db, typed, KEHU_KIND_ORGANISATION,
	           KEHU_RELATION_INTERNAL);

	r = compile(f->db,
	            "ruleset \"attrs\" version 1\n"
	            "score n = attr(\"n\", 7)\n"
	            "score t = attr(\"when\", 0)\n"
	            "classify rating {\n"
	            "  missing when attr(\"rating\") == \"\"\n"
	            "  aaa     when attr(\"rating\") == \"AAA\"\n"
	            "  other   else\n"
	            "}\n"
	            "classify r2 { none when attr(\"rating\", \"none\") == "
	            "\"none\" some else }\n"
	            "classify vip { yes when has_tag(\"vip\") no else }\n"
	            "classify who {\n"
	            "  org when kind == \"organisation\"\n"
	            "           and relation in [\"business\", \"channel\"]\n"
	            "  person else\n"
	            "}\n"
	            "classify st { p when status == \"prospect\" c else }\n");
	/* missing: the defaults */
	SCORE(plain, "n", 7);
	SCORE(plain, "t", 0);
	LABEL(plain, "rating", "missing");
	LABEL(plain, "r2", "none");
	LABEL(plain, "vip", "no");
	LABEL(plain, "who", "person");
	LABEL(plain, "st", "p");
	/* present: integer and time attributes read as numbers */
	SCORE(rich, "n", 3);
	SCORE(rich, "t", 1000);
	LABEL(rich, "rating", "aaa");
	LABEL(rich, "r2", "some");
	LABEL(rich, "vip", "yes");
	LABEL(rich, "who", "org");
	LABEL(rich, "st", "c");
	/* a string the rules never mention; a string where a number is
	 * wanted gives the default */
	SCORE(other, "n", 7);
	LABEL(other, "rating", "other");
	LABEL(other, "r2", "some");
	LABEL(other, "vip", "no");
	LABEL(other, "who", "person");
	/* a number where a string is wanted gives the default */
	SCORE(typed, "n", 2.5);
	LABEL(typed, "rating", "missing");
	LABEL(typed, "r2", "none");
	LABEL(typed, "who", "person");
	kehu_rules_free(r);
}

/* Two attributes whose values the rules never mention are equal only
 * when their values are. */
static void test_attribute_compare(void **state)
{
	test_fx *f = *state;
	kehu_id differ = prospect(f->db), same = prospect(f->db);
	kehu_id none = prospect(f->db);
	kehu_rules *r;

	set_str(f->db, differ, "city", "Oslo");
	set_str(f->db, differ, "home", "Bergen");
	set_str(f->db, same, "city", "Oslo");
	set_str(f->db, same, "home", "Oslo");
	r = compile(f->db, "ruleset \"cmp\" version 1\n"
	                   "classify c { eq when attr(\"city\") == "
	                   "attr(\"home\") ne else }\n");
	LABEL(differ, "c", "ne");
	LABEL(same, "c", "eq");
	LABEL(none, "c", "eq");
	kehu_rules_free(r);
}

/* attr's default may be any written number, negative ones included. */
static void test_attribute_negative_default(void **state)
{
	test_fx *f = *state;
	kehu_id none = prospect(f->db), set = prospect(f->db);
	kehu_rules *r;

	set_num(f->db, set, "x", 0.25);
	r = compile(f->db, "ruleset \"def\" version 1\n"
	                   "score a = attr(\"x\", -1)\n"
	                   "score b = attr(\"x\", -2.5) * 2\n"
	                   "classify c { missing when attr(\"x\", -1) < 0 "
	                   "known else }\n");
	SCORE(none, "a", -1);
	SCORE(none, "b", -5);
	LABEL(none, "c", "missing");
	SCORE(set, "a", 0.25);
	SCORE(set, "b", 0.5);
	LABEL(set, "c", "known");
	kehu_rules_free(r);
}

static void test_in_lists(void **state)
{
	test_fx *f = *state;
	kehu_id gold = prospect(f->db), platinum = buyer(f->db);
	kehu_id silver = prospect(f->db), bronze = prospect(f->db);
	kehu_id untiered = prospect(f->db);
	kehu_rules *r;

	set_str(f->db, gold, "tier", "gold");
	set_str(f->db, platinum, "tier", "platinum");
	buy(f->db, platinum, AGO(1), 1000);
	buy(f->db, platinum, AGO(2), 1050);
	set_str(f->db, silver, "tier", "silver");
	set_str(f->db, bronze, "tier", "bronze");
	r = compile(f->db,
	            "ruleset \"in\" version 1\n"
	            "classify tier {\n"
	            "  top    when attr(\"tier\") in [\"gold\", \"platinum\"]\n"
	            "  plain  when attr(\"tier\") not in [\"silver\"]\n"
	            "  silver else\n"
	            "}\n"
	            "classify few { yes when purchases in [1, 2, 3] no else }\n"
	            "classify empty { yes when purchases in [] no else }\n"
	            "classify neg { yes when not (purchases in [0]) no else }\n"
	            "classify amount { yes when revenue in [10.00, 20.50] "
	            "no else }\n");
	LABEL(gold, "tier", "top");
	LABEL(platinum, "tier", "top");
	LABEL(silver, "tier", "silver");
	LABEL(bronze, "tier", "plain");
	LABEL(untiered, "tier", "plain");
	LABEL(gold, "few", "no");
	LABEL(platinum, "few", "yes");
	LABEL(gold, "empty", "no");
	LABEL(platinum, "empty", "no");
	LABEL(gold, "neg", "no");
	LABEL(platinum, "neg", "yes");
	LABEL(gold, "amount", "no");
	LABEL(platinum, "amount", "yes");
	kehu_rules_free(r);
}

/* A list may hold negative numbers. */
static void test_in_list_negative(void **state)
{
	test_fx *f = *state;
	kehu_id none = prospect(f->db), set = prospect(f->db);
	kehu_rules *r;

	set_int(f->db, set, "x", -1);
	r = compile(f->db, "ruleset \"in\" version 1\n"
	                   "classify c { yes when attr(\"x\", 5) in [-1, 0] "
	                   "no else }\n");
	LABEL(none, "c", "no");
	LABEL(set, "c", "yes");
	kehu_rules_free(r);
}

static void test_functions(void **state)
{
	test_fx *f = *state;
	kehu_id five = buyer(f->db), none = prospect(f->db);
	kehu_rules *r;

	buy(f->db, five, AGO(1), 500);
	r = compile(f->db, "ruleset \"fn\" version 1\n"
	                   "score a = min(3, 1, 2)\n"
	                   "score b = max(1, 5, 2)\n"
	                   "score c = clamp(15, 0, 10)\n"
	                   "score d = clamp(-3, 0, 10)\n"
	                   "score e = round(2.567, 2)\n"
	                   "score f = round(2.4)\n"
	                   "score g = abs(-3)\n"
	                   "score h = pow(2, 10)\n"
	                   "score i = round(log(exp(2)), 6)\n"
	                   "score j = days(30)\n"
	                   "score k = min(revenue, 10.00)\n"
	                   "score l = 7 % 3\n"
	                   "score m = -(2 + 3) * 2\n"
	                   "score n = 10 - 2 - 3\n"
	                   "score o = 2 + 3 * 4\n"
	                   "score p = 12 / 4 / 3\n"
	                   "score q = max(revenue, 1.25) + 1.00\n"
	                   "score r = round(-2.567, 1)\n"
	                   "score s = 1_000 + 0.5\n"
	                   "classify prec { yes when not purchases > 0 and true "
	                   "no else }\n"
	                   "classify orand { yes when false and false or true "
	                   "no else }\n"
	                   "classify paren { yes when false and (false or true) "
	                   "no else }\n");
	SCORE(five, "a", 1);
	SCORE(five, "b", 5);
	SCORE(five, "c", 10);
	SCORE(five, "d", 0);
	SCORE(five, "e", 2.57);
	SCORE(five, "f", 2);
	SCORE(five, "g", 3);
	SCORE(five, "h", 1024);
	SCORE(five, "i", 2);
	SCORE(five, "j", 30);
	SCORE(five, "k", 5.00);
	SCORE(none, "k", 0);
	SCORE(five, "l", 1);
	SCORE(five, "m", -10);
	SCORE(five, "n", 5);
	SCORE(five, "o", 14);
	SCORE(five, "p", 1);
	SCORE(five, "q", 6.00);
	SCORE(none, "q", 2.25);
	SCORE(five, "r", -2.6);
	SCORE(five, "s", 1000.5);
	LABEL(five, "prec", "no");
	LABEL(none, "prec", "yes");
	LABEL(five, "orand", "yes");
	LABEL(five, "paren", "no");
	kehu_rules_free(r);
}

static void test_item_references(void **state)
{
	test_fx *f = *state;
	kehu_id gold = buyer(f->db), basic = buyer(f->db);
	kehu_rules *r;

	buy(f->db, gold, AGO(1), 10000);
	buy(f->db, basic, AGO(1), 9999);
	/* promo reads tier and bonus, both defined after it; again reads
	 * promo, defined before it */
	r = compile(f->db, "ruleset \"refs\" version 1\n"
	                   "classify promo {\n"
	                   "  yes when tier == \"gold\" and bonus > 1\n"
	                   "  no else\n"
	                   "}\n"
	                   "score bonus = purchases * 2\n"
	                   "classify tier { gold when revenue >= 100.00 "
	                   "basic else }\n"
	                   "classify again { same when promo == \"yes\" "
	                   "differ else }\n"
	                   "classify ladder { mid when tier in [\"gold\"] "
	                   "low else }\n");
	LABEL(gold, "tier", "gold");
	SCORE(gold, "bonus", 2);
	LABEL(gold, "promo", "yes");
	LABEL(gold, "again", "same");
	LABEL(gold, "ladder", "mid");
	LABEL(basic, "tier", "basic");
	LABEL(basic, "promo", "no");
	LABEL(basic, "again", "differ");
	LABEL(basic, "ladder", "low");
	kehu_rules_free(r);
}

/* ---- population functions ------------------------------------------------ */

static const char pop_rules[] =
	"ruleset \"pop\" version 1\n"
	"score t2 = ntile(purchases, 2)\n"
	"score t4 = ntile(purchases, 4)\n"
	"score rk = rank(purchases)\n"
	"score avg = mean(purchases)\n";

/* Ties: ntile sorts ascending by value, then by id; rank descending by
 * value, then by id. */
static void test_population_ties(void **state)
{
	test_fx *f = *state;
	kehu_id id[4];
	kehu_rules *r;
	int i;

	for (i = 0; i < 4; i++) {
		id[i] = buyer(f->db);
		buy(f->db, id[i], AGO(1), 100);
	}
	r = compile(f->db, pop_rules);
	for (i = 0; i < 4; i++) {
		SCORE(id[i], "t2", i < 2 ? 1 : 2);
		SCORE(id[i], "t4", i + 1);
		SCORE(id[i], "rk", i + 1);
		SCORE(id[i], "avg", 1);
	}
	kehu_rules_free(r);
}

/* Purchase days 5, 7, 7, 1 (ids ascending). */
static void test_population_values(void **state)
{
	static const int days[4] = {5, 7, 7, 1};
	static const double t4[4] = {2, 3, 4, 1}, rk[4] = {3, 1, 2, 4};
	static const double t2[4] = {1, 2, 2, 1};
	test_fx *f = *state;
	kehu_id id[4];
	kehu_rules *r;
	int i;

	for (i = 0; i < 4; i++) {
		id[i] = buyer(f->db);
		buy_days(f->db, id[i], 1, days[i], 100);
	}
	r = compile(f->db, pop_rules);
	for (i = 0; i < 4; i++) {
		SCORE(id[i], "t2", t2[i]);
		SCORE(id[i], "t4", t4[i]);
		SCORE(id[i], "rk", rk[i]);
		SCORE(id[i], "avg", 5);
	}
	kehu_rules_free(r);
}

/* Eleven customers with 1..11 purchase days of 1.00 each. */
static void test_population_quantile(void **state)
{
	test_fx *f = *state;
	kehu_id id[11];
	kehu_rules *r;
	int i;

	for (i = 0; i < 11; i++) {
		id[i] = buyer(f->db);
		buy_days(f->db, id[i], 1, i + 1, 100);
	}
	r = compile(f->db, "ruleset \"q\" version 1\n"
	                   "score q90 = quantile(purchases, 0.9)\n"
	                   "score q70 = quantile(purchases, 0.7)\n"
	                   "score q50 = quantile(purchases, 0.5)\n"
	                   "score q0 = quantile(purchases, 0)\n"
	                   "score q1 = quantile(purchases, 1)\n"
	                   "score qrev = quantile(revenue, 0.5)\n"
	                   "score mrev = mean(revenue)\n"
	                   "classify top {\n"
	                   "  yes when purchases >= quantile(purchases, 0.9)\n"
	                   "  no else\n"
	                   "}\n"
	                   "classify rich {\n"
	                   "  yes when revenue > mean(revenue)\n"
	                   "  no else\n"
	                   "}\n");
	for (i = 0; i < 11; i++) {
		SCORE(id[i], "q90", 10);
		SCORE(id[i], "q70", 8);
		SCORE(id[i], "q50", 6);
		SCORE(id[i], "q0", 1);
		SCORE(id[i], "q1", 11);
		SCORE(id[i], "qrev", 6.00);
		SCORE(id[i], "mrev", 6.00);
		LABEL(id[i], "top", i + 1 >= 10 ? "yes" : "no");
		LABEL(id[i], "rich", i + 1 > 6 ? "yes" : "no");
	}
	kehu_rules_free(r);
}

/* A population function over a score, and a deleted customer that no
 * longer counts. */
static void test_population_of_scores(void **state)
{
	test_fx *f = *state;
	kehu_id id[3];
	kehu_rules *r;
	int i;

	for (i = 0; i < 3; i++) {
		id[i] = buyer(f->db);
		buy_days(f->db, id[i], 1, i + 1, 100);
	}
	r = compile(f->db, "ruleset \"ps\" version 1\n"
	                   "score top = rank(double)\n"
	                   "score double = purchases * 2\n"
	                   "score avg = mean(double)\n");
	SCORE(id[0], "top", 3);
	SCORE(id[2], "top", 1);
	SCORE(id[0], "avg", 4);
	OK(kehu_customer_delete(f->db, id[2]));
	SCORE(id[0], "top", 2);
	SCORE(id[1], "top", 1);
	SCORE(id[0], "avg", 3);
	kehu_rules_free(r);
}

static void test_evaluate_errors(void **state)
{
	test_fx *f = *state;
	kehu_id id = prospect(f->db);
	kehu_rules *r, *r2;
	kehu_result *res = (kehu_result *)&res;
	test_alloc a;
	kehu_db *db2;

	r = compile(f->db, "ruleset \"e\" version 1\nscore s = 1\n");
	assert_int_equal(kehu_rules_evaluate(&res, r, f->db, id + 1000, NOW),
	                 KEHU_ENOTFOUND);
	assert_null(res);
	assert_int_equal(kehu_rules_evaluate(NULL, r, f->db, id, NOW),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_rules_evaluate(&res, NULL, f->db, id, NOW),
	                 KEHU_EINVAL);
	/* rules of another db */
	memset(&a, 0, sizeof a);
	OK(test_open(&db2, &a, NULL));
	r2 = compile(db2, "ruleset \"e\" version 1\nscore s = 1\n");
	assert_int_equal(kehu_rules_evaluate(&res, r2, f->db, id, NOW),
	                 KEHU_EMISUSE);
	kehu_rules_free(r2);
	kehu_db_close(db2);
	assert_int_equal(a.live_bytes, 0);
	/* NULL is harmless everywhere */
	assert_null(kehu_result_get_label(NULL, 0));
	assert_null(kehu_result_get_label_by_name(NULL, "x"));
	assert_true(isnan(kehu_result_get_score(NULL, 0)));
	assert_true(isnan(kehu_result_get_score_by_name(NULL, "x")));
	kehu_result_free(NULL);
	kehu_rules_free(NULL);
	kehu_rules_free(r);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, test_fx_setup, \
                                              test_fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_pack_shape),
		T(test_pack_any_currency),
		T(test_pack_currency_exponent_0),
		T(test_importance),
		T(test_loyalty),
		T(test_lifecycle_recency),
		T(test_lifecycle_dissatisfied),
		T(test_relationship),
		T(test_value_class),
		T(test_value_class_all_zero),
		T(test_value_class_all_negative),
		T(test_prospect_grade),
		T(test_strategy),
		T(test_strategy_unknown),
		T(test_rfm_1),
		T(test_rfm_2),
		T(test_rfm_3),
		T(test_rfm_4),
		T(test_rfm_no_purchase),
		T(test_first_match_wins),
		T(test_constants_and_order),
		T(test_money_exact),
		T(test_money_exponents),
		T(test_defined_results),
		T(test_negated_never),
		T(test_attributes_tags_fields),
		T(test_attribute_compare),
		T(test_attribute_negative_default),
		T(test_in_lists),
		T(test_in_list_negative),
		T(test_functions),
		T(test_item_references),
		T(test_population_ties),
		T(test_population_values),
		T(test_population_quantile),
		T(test_population_of_scores),
		T(test_evaluate_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
