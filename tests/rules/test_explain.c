/*
 * tests/rules/test_explain: kehu_rules_explain through the public API:
 * the exact text (one line per comparison evaluated, "LABEL: else ->
 * true" for the else rule, "=> LABEL" last), the structured view (rules
 * tried in order, the one that fired last; each comparison's source
 * text, both values in major units, outcome), and the errors (unknown
 * classification or customer: KEHU_ENOTFOUND).
 *
 * Tests named known_bug_* are regressions of engine bugs found while
 * writing this file (all fixed).
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

/* The example of doc/rules.md, "A first example" (lines 1..8). */
static const char RETAIL[] =
	"ruleset \"retail\" version 2\n"                                 /* 1 */
	"\n"                                                             /* 2 */
	"let vip_revenue = 50000.00\n"                                   /* 3 */
	"classify importance {\n"                                        /* 4 */
	"  vip       when revenue_365d >= vip_revenue or "
	"attr(\"rating\") == \"AAA\"\n"                                  /* 5 */
	"  important when revenue_365d >= 10000.00\n"                    /* 6 */
	"  ordinary  else\n"                                             /* 7 */
	"}\n";                                                           /* 8 */

/* ---- helpers ------------------------------------------------------------ */

static kehu_id add_customer(kehu_db *db, const char *key)
{
	kehu_customer *c = NULL;
	kehu_id id;

	OK(kehu_customer_create(&c, db, key));
	id = kehu_customer_get_id(c);
	kehu_customer_free(c);
	assert_true(id > 0);
	return id;
}

static void set_attr(kehu_db *db, kehu_id id, const char *name,
                     const char *value)
{
	kehu_customer *c = NULL;

	OK(kehu_customer_lookup(&c, db, id));
	OK(kehu_customer_set_attr_string(c, name, value));
	OK(kehu_customer_save(c));
	kehu_customer_free(c);
}

static void record(kehu_db *db, kehu_id id, int32_t type, int64_t t,
                   int64_t amount)
{
	kehu_interaction *ix = NULL;

	OK(kehu_interaction_new(&ix, db, id, type, t));
	if (amount)
		OK(kehu_interaction_set_amount(ix, amount));
	OK(kehu_interaction_record(ix));
	kehu_interaction_free(ix);
}

static kehu_rules *compile(kehu_db *db, const char *text)
{
	kehu_rules *r = NULL;
	int rc = kehu_rules_compile(&r, db, text, strlen(text));

	if (rc != KEHU_OK)
		fail_msg("compile failed %d '%s'; text:\n%s", rc,
		         kehu_errmsg(db), text);
	assert_non_null(r);
	return r;
}

/* Explains and checks the text exactly; returns the explanation. */
static kehu_explain *explain_is(kehu_db *db, const kehu_rules *r, kehu_id id,
                                int64_t now, const char *cls,
                                const char *want)
{
	kehu_explain *ex = NULL;
	int rc = kehu_rules_explain(&ex, r, db, id, now, cls);

	if (rc != KEHU_OK)
		fail_msg("explain failed %d '%s'", rc, kehu_errmsg(db));
	assert_non_null(ex);
	assert_non_null(kehu_explain_text(ex));
	if (want && strcmp(kehu_explain_text(ex), want) != 0)
		fail_msg("explain text\n--- got ---\n%s\n--- want ---\n%s",
		         kehu_explain_text(ex), want);
	return ex;
}

/* The label evaluate gives must be the label explain gives. */
static void assert_same_label(test_fx *f, const kehu_rules *r, kehu_id id,
                              int64_t now, const char *cls,
                              const kehu_explain *ex)
{
	kehu_result *res = NULL;

	OK(kehu_rules_evaluate(&res, r, f->db, id, now));
	assert_string_equal(kehu_result_get_label_by_name(res, cls),
	                    kehu_explain_label(ex));
	kehu_result_free(res);
}

static void assert_rule(const kehu_explain *ex, size_t i, const char *label,
                        int32_t fired, int32_t line, size_t comparisons)
{
	const char *l = NULL;
	int32_t f = -1, ln = -1;
	size_t n = 999;

	OK(kehu_explain_rule(ex, i, &l, &f, &ln, &n));
	assert_non_null(l);
	assert_string_equal(l, label);
	assert_int_equal(f, fired);
	assert_int_equal(ln, line);
	assert_int_equal(n, comparisons);
}

static void assert_cmp(const kehu_explain *ex, size_t i, size_t k,
                       const char *text, double left, double right,
                       int32_t result)
{
	const char *t = NULL;
	double l = NAN, r = NAN;
	int32_t res = -1;

	OK(kehu_explain_comparison(ex, i, k, &t, &l, &r, &res));
	assert_non_null(t);
	assert_string_equal(t, text);
	if (fabs(l - left) > 1e-9 || fabs(r - right) > 1e-9)
		fail_msg("comparison %zu/%zu '%s': left %.17g right %.17g, "
		         "want %.17g and %.17g", i, k, text, l, r, left, right);
	assert_int_equal(res, result);
}

/* ---- the text ------------------------------------------------------------- */

/* revenue_365d 20000.00: vip fails on both sides of its `or`, important
 * fires. */
static void test_text_important(void **state)
{
	test_fx *f = *state;
	kehu_id id = add_customer(f->db, "c1");
	kehu_rules *r;
	kehu_explain *ex;

	record(f->db, id, KEHU_IX_PURCHASE, T0, 2000000);
	r = compile(f->db, RETAIL);
	ex = explain_is(f->db, r, id, T0 + 10 * DAY, "importance",
		"vip: revenue_365d (20000.00) >= vip_revenue (50000.00) -> false\n"
		"vip: attr(\"rating\") (\"\") == \"AAA\" -> false\n"
		"important: revenue_365d (20000.00) >= 10000.00 -> true\n"
		"=> important");
	assert_string_equal(kehu_explain_label(ex), "important");
	assert_same_label(f, r, id, T0 + 10 * DAY, "importance", ex);
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

/* The same explanation as data: rules tried in order, the one that fired
 * last, each comparison with its source text and both values. */
static void test_structured(void **state)
{
	test_fx *f = *state;
	kehu_id id = add_customer(f->db, "c1");
	kehu_rules *r;
	kehu_explain *ex;
	const char *t = NULL;
	int32_t fired = -1;

	record(f->db, id, KEHU_IX_PURCHASE, T0, 2000000);
	r = compile(f->db, RETAIL);
	ex = explain_is(f->db, r, id, T0 + 10 * DAY, "importance", NULL);
	assert_int_equal(kehu_explain_rule_count(ex), 2);
	assert_rule(ex, 0, "vip", 0, 5, 2);
	assert_cmp(ex, 0, 0, "revenue_365d >= vip_revenue", 20000.0, 50000.0,
	           0);
	/* text operands read as -1 */
	assert_cmp(ex, 0, 1, "attr(\"rating\") == \"AAA\"", -1, -1, 0);
	assert_rule(ex, 1, "important", 1, 6, 1);
	assert_cmp(ex, 1, 0, "revenue_365d >= 10000.00", 20000.0, 10000.0, 1);

	/* the out-params are optional */
	OK(kehu_explain_rule(ex, 1, NULL, &fired, NULL, NULL));
	assert_int_equal(fired, 1);
	OK(kehu_explain_comparison(ex, 0, 0, &t, NULL, NULL, NULL));
	assert_string_equal(t, "revenue_365d >= vip_revenue");

	/* out of range */
	assert_int_equal(kehu_explain_rule(ex, 2, NULL, NULL, NULL, NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_explain_comparison(ex, 1, 1, NULL, NULL, NULL,
	                                         NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_explain_comparison(ex, 0, 2, NULL, NULL, NULL,
	                                         NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_explain_comparison(ex, 2, 0, NULL, NULL, NULL,
	                                         NULL),
	                 KEHU_EINVAL);
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

/* `or` stops at its first true side: one comparison, vip fires, and it
 * is the only rule tried. */
static void test_vip_short_circuit(void **state)
{
	test_fx *f = *state;
	kehu_id id = add_customer(f->db, "c1");
	kehu_rules *r;
	kehu_explain *ex;

	record(f->db, id, KEHU_IX_PURCHASE, T0, 3000000);
	record(f->db, id, KEHU_IX_PURCHASE, T0 + DAY, 3120000);
	r = compile(f->db, RETAIL);
	ex = explain_is(f->db, r, id, T0 + 10 * DAY, "importance",
		"vip: revenue_365d (61200.00) >= vip_revenue (50000.00) -> true\n"
		"=> vip");
	assert_int_equal(kehu_explain_rule_count(ex), 1);
	assert_rule(ex, 0, "vip", 1, 5, 1);
	assert_cmp(ex, 0, 0, "revenue_365d >= vip_revenue", 61200.0, 50000.0,
	           1);
	assert_same_label(f, r, id, T0 + 10 * DAY, "importance", ex);
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

/* The second side of the `or` fires vip for a customer without revenue. */
static void test_vip_by_attribute(void **state)
{
	test_fx *f = *state;
	kehu_id id = add_customer(f->db, "c1");
	kehu_rules *r;
	kehu_explain *ex;

	set_attr(f->db, id, "rating", "AAA");
	r = compile(f->db, RETAIL);
	ex = explain_is(f->db, r, id, T0, "importance",
		"vip: revenue_365d (0.00) >= vip_revenue (50000.00) -> false\n"
		"vip: attr(\"rating\") (\"AAA\") == \"AAA\" -> true\n"
		"=> vip");
	assert_int_equal(kehu_explain_rule_count(ex), 1);
	assert_rule(ex, 0, "vip", 1, 5, 2);
	assert_cmp(ex, 0, 1, "attr(\"rating\") == \"AAA\"", -1, -1, 1);
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

/* No rule holds: every rule is tried, the else rule last. */
static void test_else_rule(void **state)
{
	test_fx *f = *state;
	kehu_id id = add_customer(f->db, "c1");
	kehu_rules *r;
	kehu_explain *ex;

	record(f->db, id, KEHU_IX_PURCHASE, T0, 999999);
	r = compile(f->db, RETAIL);
	ex = explain_is(f->db, r, id, T0, "importance",
		"vip: revenue_365d (9999.99) >= vip_revenue (50000.00) -> false\n"
		"vip: attr(\"rating\") (\"\") == \"AAA\" -> false\n"
		"important: revenue_365d (9999.99) >= 10000.00 -> false\n"
		"ordinary: else -> true\n"
		"=> ordinary");
	assert_string_equal(kehu_explain_label(ex), "ordinary");
	assert_int_equal(kehu_explain_rule_count(ex), 3);
	assert_rule(ex, 0, "vip", 0, 5, 2);
	assert_rule(ex, 1, "important", 0, 6, 1);
	assert_rule(ex, 2, "ordinary", 1, 7, 0);
	assert_cmp(ex, 1, 0, "revenue_365d >= 10000.00", 9999.99, 10000.0, 0);
	/* the else rule has no comparison */
	assert_int_equal(kehu_explain_comparison(ex, 2, 0, NULL, NULL, NULL,
	                                         NULL),
	                 KEHU_EINVAL);
	assert_same_label(f, r, id, T0, "importance", ex);
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

/* The values are as of `now`: 365 days on, the purchase has left the
 * window and the same customer is ordinary. */
static void test_as_of_now(void **state)
{
	test_fx *f = *state;
	kehu_id id = add_customer(f->db, "c1");
	kehu_rules *r;
	kehu_explain *ex;

	record(f->db, id, KEHU_IX_PURCHASE, T0, 2000000);
	r = compile(f->db, RETAIL);
	/* day 364 after the purchase: still in the 365-day window */
	ex = explain_is(f->db, r, id, T0 + 364 * DAY, "importance", NULL);
	assert_string_equal(kehu_explain_label(ex), "important");
	kehu_explain_free(ex);
	ex = explain_is(f->db, r, id, T0 + 365 * DAY, "importance",
		"vip: revenue_365d (0.00) >= vip_revenue (50000.00) -> false\n"
		"vip: attr(\"rating\") (\"\") == \"AAA\" -> false\n"
		"important: revenue_365d (0.00) >= 10000.00 -> false\n"
		"ordinary: else -> true\n"
		"=> ordinary");
	assert_cmp(ex, 1, 0, "revenue_365d >= 10000.00", 0.0, 10000.0, 0);
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

/* A classification that reads another one and a score; fields; a "days
 * since" with no event shows as never (+infinity as a value). */
static void test_items_fields_never(void **state)
{
	static const char text[] =
		"ruleset \"t\" version 1\n"
		"score referral_value = referrals * 120.00\n"
		"classify importance { vip when revenue >= 100.00 "
		"ordinary else }\n"
		"classify focus {\n"
		"  keep when importance == \"vip\" and referral_value > 0\n"
		"  watch else\n"
		"}\n"
		"classify activity {\n"
		"  b2b when relation == \"business\"\n"
		"  lapsed when days_since_last_purchase >= 365\n"
		"  active else\n"
		"}\n";
	test_fx *f = *state;
	kehu_id buyer = add_customer(f->db, "buyer");
	kehu_id never = add_customer(f->db, "never");
	kehu_rules *r;
	kehu_explain *ex;
	double left = 0, right = 0;

	record(f->db, buyer, KEHU_IX_PURCHASE, T0, 50000);
	record(f->db, buyer, KEHU_IX_REFERRAL, T0, 0);
	r = compile(f->db, text);
	ex = explain_is(f->db, r, buyer, T0, "focus",
		"keep: importance (\"vip\") == \"vip\" -> true\n"
		"keep: referral_value (120) > 0 -> true\n"
		"=> keep");
	assert_cmp(ex, 0, 1, "referral_value > 0", 120.0, 0.0, 1);
	assert_rule(ex, 0, "keep", 1, 5, 2);
	kehu_explain_free(ex);

	ex = explain_is(f->db, r, never, T0, "focus",
		"keep: importance (\"ordinary\") == \"vip\" -> false\n"
		"watch: else -> true\n"
		"=> watch");
	kehu_explain_free(ex);

	ex = explain_is(f->db, r, never, T0, "activity",
		"b2b: relation (\"consumer\") == \"business\" -> false\n"
		"lapsed: days_since_last_purchase (never) >= 365 -> true\n"
		"=> lapsed");
	OK(kehu_explain_comparison(ex, 1, 0, NULL, &left, &right, NULL));
	assert_true(isinf(left) && left > 0);
	assert_true(right == 365.0);
	assert_rule(ex, 1, "lapsed", 1, 10, 1);
	assert_same_label(f, r, never, T0, "activity", ex);
	kehu_explain_free(ex);

	ex = explain_is(f->db, r, buyer, T0 + 3 * DAY, "activity",
		"b2b: relation (\"consumer\") == \"business\" -> false\n"
		"lapsed: days_since_last_purchase (3) >= 365 -> false\n"
		"active: else -> true\n"
		"=> active");
	assert_cmp(ex, 1, 0, "days_since_last_purchase >= 365", 3.0, 365.0,
	           0);
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

/* Conditions without a comparison (a tag, `in`) show the rule's outcome
 * alone; a comparison that `and` never reached is not shown. */
static void test_rules_without_comparisons(void **state)
{
	static const char text[] =
		"ruleset \"t\" version 1\n"
		"classify c {\n"
		"  gold when has_tag(\"gold\")\n"
		"  org when kind in [\"organisation\"]\n"
		"  big when purchases > 5 and revenue > 1.00\n"
		"  person when kind in [\"person\"]\n"
		"  other else\n"
		"}\n";
	test_fx *f = *state;
	kehu_id id = add_customer(f->db, "c1");
	kehu_rules *r;
	kehu_explain *ex;

	r = compile(f->db, text);
	ex = explain_is(f->db, r, id, T0, "c",
		"gold: -> false\n"
		"org: -> false\n"
		"big: purchases (0) > 5 -> false\n"
		"person: -> true\n"
		"=> person");
	assert_int_equal(kehu_explain_rule_count(ex), 4);
	assert_rule(ex, 0, "gold", 0, 3, 0);
	assert_rule(ex, 2, "big", 0, 5, 1);
	assert_rule(ex, 3, "person", 1, 6, 0);
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

/* Population functions show their value over the population. */
static void test_population_values(void **state)
{
	static const char text[] =
		"ruleset \"t\" version 1\n"
		"classify c {\n"
		"  top when revenue >= quantile(revenue, 0.5) and "
		"rank(revenue) == 1\n"
		"  rest else\n"
		"}\n";
	test_fx *f = *state;
	kehu_id a = add_customer(f->db, "a");
	kehu_id b = add_customer(f->db, "b");
	kehu_id c = add_customer(f->db, "c");
	kehu_rules *r;
	kehu_explain *ex;

	record(f->db, a, KEHU_IX_PURCHASE, T0, 10000);
	record(f->db, b, KEHU_IX_PURCHASE, T0, 30000);
	record(f->db, c, KEHU_IX_PURCHASE, T0, 20000);
	r = compile(f->db, text);
	/* median of 100, 200, 300 by nearest rank (ceil(1.5) = 2nd) */
	ex = explain_is(f->db, r, b, T0, "c",
		"top: revenue (300.00) >= quantile(revenue, 0.5) (200.00) -> true\n"
		"top: rank(revenue) (1) == 1 -> true\n"
		"=> top");
	assert_cmp(ex, 0, 0, "revenue >= quantile(revenue, 0.5)", 300.0, 200.0,
	           1);
	kehu_explain_free(ex);
	ex = explain_is(f->db, r, c, T0, "c",
		"top: revenue (200.00) >= quantile(revenue, 0.5) (200.00) -> true\n"
		"top: rank(revenue) (2) == 1 -> false\n"
		"rest: else -> true\n"
		"=> rest");
	assert_cmp(ex, 0, 1, "rank(revenue) == 1", 2.0, 1.0, 0);
	assert_same_label(f, r, c, T0, "c", ex);
	kehu_explain_free(ex);
	ex = explain_is(f->db, r, a, T0, "c",
		"top: revenue (100.00) >= quantile(revenue, 0.5) (200.00) -> false\n"
		"rest: else -> true\n"
		"=> rest");
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

/* Money is printed with the currency's decimals: none for exponent 0,
 * and the structured values are major units. */
static void test_currency_exponent_zero(void **state)
{
	static const char text[] =
		"ruleset \"yen\" version 1\n"
		"classify c { big when revenue >= 10000 small else }\n";
	test_alloc a;
	kehu_db_options o;
	kehu_db *db = NULL;
	kehu_rules *r;
	kehu_explain *ex;
	kehu_id id;

	(void)state;
	memset(&a, 0, sizeof a);
	OK(kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION));
	o.alloc = test_alloc_fn;
	o.alloc_user_data = &a;
	o.currency_exponent = 0;
	OK(kehu_db_open(&db, &o));
	id = add_customer(db, "c1");
	record(db, id, KEHU_IX_PURCHASE, T0, 20000);
	r = compile(db, text);
	ex = explain_is(db, r, id, T0, "c",
	                "big: revenue (20000) >= 10000 -> true\n"
	                "=> big");
	assert_cmp(ex, 0, 0, "revenue >= 10000", 20000.0, 10000.0, 1);
	kehu_explain_free(ex);
	kehu_rules_free(r);
	kehu_db_close(db);
	assert_int_equal(a.live_bytes, 0);
	assert_int_equal(a.live_blocks, 0);
	assert_int_equal(a.bad_osize, 0);
}

/* The label explain gives matches evaluate's for every customer of a
 * small varied population, for each classification of a rule set. */
static void test_matches_evaluate(void **state)
{
	static const char text[] =
		"ruleset \"t\" version 1\n"
		"let vip_revenue = 500.00\n"
		"classify importance {\n"
		"  vip when revenue >= vip_revenue or has_tag(\"vip\")\n"
		"  important when revenue >= 100.00 and complaints == 0\n"
		"  ordinary else\n"
		"}\n"
		"classify tier {\n"
		"  one when ntile(revenue, 3) == 3\n"
		"  two when ntile(revenue, 3) == 2\n"
		"  three else\n"
		"}\n";
	test_fx *f = *state;
	kehu_id ids[9];
	kehu_rules *r;
	char key[16];
	size_t i, k;

	for (i = 0; i < 9; i++) {
		snprintf(key, sizeof key, "k%zu", i);
		ids[i] = add_customer(f->db, key);
		if (i % 3 != 2)
			record(f->db, ids[i], KEHU_IX_PURCHASE,
			       T0 + (int64_t)i * DAY, (int64_t)i * 11000);
		if (i % 4 == 1)
			record(f->db, ids[i], KEHU_IX_COMPLAINT, T0, 0);
	}
	r = compile(f->db, text);
	for (i = 0; i < 9; i++) {
		for (k = 0; k < kehu_rules_classification_count(r); k++) {
			const char *cls = kehu_rules_classification_name(r, k);
			kehu_explain *ex = explain_is(f->db, r, ids[i],
			                              T0 + 20 * DAY, cls, NULL);
			size_t n = kehu_explain_rule_count(ex);
			int32_t fired = 0;
			const char *label = NULL;
			const char *text_out = kehu_explain_text(ex);
			char last[64];

			assert_true(n >= 1);
			/* only the last rule tried fired */
			OK(kehu_explain_rule(ex, n - 1, &label, &fired, NULL,
			                     NULL));
			assert_int_equal(fired, 1);
			assert_string_equal(label, kehu_explain_label(ex));
			if (n > 1) {
				OK(kehu_explain_rule(ex, n - 2, NULL, &fired,
				                     NULL, NULL));
				assert_int_equal(fired, 0);
			}
			snprintf(last, sizeof last, "\n=> %s", label);
			assert_non_null(strstr(text_out, last));
			assert_string_equal(text_out + strlen(text_out) -
			                    strlen(last), last);
			assert_same_label(f, r, ids[i], T0 + 20 * DAY, cls,
			                  ex);
			kehu_explain_free(ex);
		}
	}
	kehu_rules_free(r);
}

/* A negative literal is a literal (doc/rules.md: "each operand that is
 * not a literal followed by its value"): no value after it. */
static void test_negative_literal(void **state)
{
	test_fx *f = *state;
	kehu_id id;
	kehu_rules *r;
	kehu_explain *ex;

	id = add_customer(f->db, "c1");
	record(f->db, id, KEHU_IX_PURCHASE, T0, 1200);
	r = compile(f->db, "ruleset \"t\" version 1\n"
	                   "classify c { loss when margin < -5.00 ok else }\n");
	ex = explain_is(f->db, r, id, T0, "c",
	                "loss: margin (12.00) < -5.00 -> false\n"
	                "ok: else -> true\n"
	                "=> ok");
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

/* ---- errors ----------------------------------------------------------------- */

static void test_unknown_classification(void **state)
{
	test_fx *f = *state;
	kehu_id id = add_customer(f->db, "c1");
	kehu_rules *r = compile(f->db, RETAIL);
	kehu_explain *ex = (kehu_explain *)&ex; /* must be reset to NULL */

	assert_int_equal(kehu_rules_explain(&ex, r, f->db, id, T0, "nope"),
	                 KEHU_ENOTFOUND);
	assert_null(ex);
	assert_int_equal(kehu_errcode(f->db), KEHU_ENOTFOUND);
	assert_msg_has(f->db, "nope");
	/* a score or constant is not a classification */
	ex = (kehu_explain *)&ex;
	assert_int_equal(kehu_rules_explain(&ex, r, f->db, id, T0,
	                                    "vip_revenue"),
	                 KEHU_ENOTFOUND);
	assert_null(ex);
	/* names are case-sensitive */
	assert_int_equal(kehu_rules_explain(&ex, r, f->db, id, T0,
	                                    "Importance"),
	                 KEHU_ENOTFOUND);
	kehu_rules_free(r);
}

static void test_unknown_customer(void **state)
{
	test_fx *f = *state;
	kehu_id id = add_customer(f->db, "c1");
	kehu_id gone = add_customer(f->db, "c2");
	kehu_rules *r = compile(f->db, RETAIL);
	kehu_explain *ex = (kehu_explain *)&ex;

	assert_int_equal(kehu_rules_explain(&ex, r, f->db, 999, T0,
	                                    "importance"),
	                 KEHU_ENOTFOUND);
	assert_null(ex);
	assert_msg_has(f->db, "999");
	/* a deleted customer is unknown */
	OK(kehu_customer_delete(f->db, gone));
	assert_int_equal(kehu_rules_explain(&ex, r, f->db, gone, T0,
	                                    "importance"),
	                 KEHU_ENOTFOUND);
	assert_null(ex);
	assert_int_equal(kehu_rules_explain(&ex, r, f->db, 0, T0,
	                                    "importance"),
	                 KEHU_ENOTFOUND);
	/* the db goes on working after the errors */
	ex = explain_is(f->db, r, id, T0, "importance", NULL);
	assert_string_equal(kehu_explain_label(ex), "ordinary");
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

static void test_bad_arguments(void **state)
{
	test_fx *f = *state;
	kehu_id id = add_customer(f->db, "c1");
	kehu_rules *r = compile(f->db, RETAIL);
	kehu_explain *ex = NULL;
	kehu_db *other = NULL;
	kehu_rules *foreign;

	assert_int_equal(kehu_rules_explain(NULL, r, f->db, id, T0,
	                                    "importance"),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_rules_explain(&ex, NULL, f->db, id, T0,
	                                    "importance"),
	                 KEHU_EINVAL);
	assert_null(ex);
	/* rules compiled for another db */
	OK(kehu_db_open(&other, NULL));
	foreign = compile(other, RETAIL);
	assert_int_equal(kehu_rules_explain(&ex, foreign, f->db, id, T0,
	                                    "importance"),
	                 KEHU_EINVAL);
	assert_null(ex);
	kehu_rules_free(foreign);
	kehu_db_close(other);

	/* the accessors accept NULL */
	kehu_explain_free(NULL);
	assert_null(kehu_explain_text(NULL));
	assert_null(kehu_explain_label(NULL));
	assert_int_equal(kehu_explain_rule_count(NULL), 0);
	assert_int_equal(kehu_explain_rule(NULL, 0, NULL, NULL, NULL, NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_explain_comparison(NULL, 0, 0, NULL, NULL, NULL,
	                                         NULL),
	                 KEHU_EINVAL);
	kehu_rules_free(r);
}

/* Out of memory at every allocation of an explanation: a clean
 * KEHU_ENOMEM, nothing leaked, then success. */
static void test_out_of_memory(void **state)
{
	test_fx *f = *state;
	kehu_id id = add_customer(f->db, "c1");
	kehu_rules *r;
	kehu_explain *ex;
	long k;
	int rc = KEHU_ENOMEM;

	set_attr(f->db, id, "rating", "AAA");
	r = compile(f->db, RETAIL);
	/* a first run grows the db's scratch buffers to their size */
	ex = explain_is(f->db, r, id, T0, "importance", NULL);
	kehu_explain_free(ex);
	for (k = 1; rc == KEHU_ENOMEM && k < 200; k++) {
		size_t before = f->a.live_bytes;
		long blocks = f->a.live_blocks;

		ex = NULL;
		f->a.count = 0;
		f->a.fail_at = k;
		f->a.armed = 1;
		rc = kehu_rules_explain(&ex, r, f->db, id, T0, "importance");
		f->a.armed = 0;
		if (rc == KEHU_ENOMEM) {
			assert_null(ex);
			assert_int_equal(f->a.live_bytes, before);
			assert_int_equal(f->a.live_blocks, blocks);
		}
	}
	OK(rc);
	assert_true(k > 2); /* some allocation did fail first */
	assert_string_equal(kehu_explain_label(ex), "vip");
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

/* ---- regressions of engine bugs found by these tests (fixed) ---------- */

/* A classification with more than 256 rules: explain stops recording at
 * 256 tried rules and leaves the label NULL, then strlen(NULL) in
 * write_text (src/rules/explain.c) crashes.  Evaluate gives "last". */
static void known_bug_explain_over_256_rules(void **state)
{
	test_fx *f = *state;
	kehu_id id;
	kehu_rules *r;
	kehu_explain *ex;
	char *text;
	size_t n = 0, cap = 32768;
	int i;

	id = add_customer(f->db, "c1");
	text = malloc(cap);
	assert_non_null(text);
	n += (size_t)snprintf(text + n, cap - n,
	                      "ruleset \"t\" version 1\nclassify c {\n");
	for (i = 0; i < 300; i++)
		n += (size_t)snprintf(text + n, cap - n,
		                      "l%d when purchases > 100\n", i);
	snprintf(text + n, cap - n, "last else\n}\n");
	r = compile(f->db, text);
	free(text);
	ex = explain_is(f->db, r, id, T0, "c", NULL);
	assert_string_equal(kehu_explain_label(ex), "last");
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

/* `not (...)`, `-(...)` and `... in [...]`: resolve_node
 * (src/rules/resolve.c, the R_NEG, R_NOT and R_IN cases) writes
 * `node->a = resolve_node(rs, node->a)` through a pointer into the node
 * array that the inner call may reallocate (a literal coerced to money
 * or a number adds a node): a heap use-after-free write on most rules
 * with `not` or a unary minus.  Only a sanitizer build sees it. */
static void known_bug_not_use_after_free(void **state)
{
	static const char text[] =
		"ruleset \"t\" version 1\n"
		"score s = -(revenue + 1.00)\n"
		"classify c {\n"
		"  calm when not (complaints > 0)\n"
		"  upset else\n"
		"}\n";
	test_fx *f = *state;
	kehu_id id;
	kehu_rules *r;
	kehu_explain *ex;

	id = add_customer(f->db, "c1");
	r = compile(f->db, text);
	ex = explain_is(f->db, r, id, T0, "c",
	                "calm: complaints (0) > 0 -> false\n"
	                "=> calm");
	kehu_explain_free(ex);
	kehu_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_text_important,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_structured, test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_vip_short_circuit,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_vip_by_attribute,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_else_rule, test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_as_of_now, test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_items_fields_never,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rules_without_comparisons,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_population_values,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test(test_currency_exponent_zero),
		cmocka_unit_test_setup_teardown(test_negative_literal,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_matches_evaluate,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_classification,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_customer,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(known_bug_explain_over_256_rules,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(known_bug_not_use_after_free,
		                                test_fx_setup, test_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
