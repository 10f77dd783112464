/*
 * tests/rules/test_compile_errors: the rule compiler's errors (rules
 * layer) through the public API: one test per class of error, each with
 * the exact LINE:COLUMN of the token kehu_errmsg points at (doc/rules.md,
 * "Compile errors"), that the out-param is NULL and that nothing leaks;
 * the limits (nesting, items, text size) fail cleanly, never by crashing.
 *
 * Every rule text starts with the header on line 1, so the offending
 * token is on line 2 or later; columns count bytes from 1.
 */
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
#define HEADER "ruleset \"t\" version 1\n"

/* Compiles text (len bytes) and expects KEHU_ECOMPILE with a message
 * that starts with `pos` ("LINE:COL: ") and contains `needle` (if not
 * NULL). */
static void expect_error_len(kehu_db *db, const char *text, size_t len,
                             const char *pos, const char *needle)
{
	kehu_rules *r = (kehu_rules *)&r; /* must be set to NULL */
	const char *msg;
	int rc;

	rc = kehu_rules_compile(&r, db, text, len);
	if (rc != KEHU_ECOMPILE)
		fail_msg("expected KEHU_ECOMPILE (%s), got %d; text:\n%s", pos,
		         rc, text);
	assert_null(r);
	assert_int_equal(kehu_errcode(db), KEHU_ECOMPILE);
	msg = kehu_errmsg(db);
	assert_non_null(msg);
	if (strncmp(msg, pos, strlen(pos)) != 0)
		fail_msg("errmsg '%s' does not start with '%s'; text:\n%s", msg,
		         pos, text);
	/* a message for people: more than the position */
	assert_true(strlen(msg) > strlen(pos) + 5);
	if (needle)
		assert_msg_has(db, needle);
}

static void expect_error(kehu_db *db, const char *text, const char *pos,
                         const char *needle)
{
	expect_error_len(db, text, strlen(text), pos, needle);
}

static void expect_ok(kehu_db *db, const char *text)
{
	kehu_rules *r = NULL;
	int rc = kehu_rules_compile(&r, db, text, strlen(text));

	if (rc != KEHU_OK)
		fail_msg("expected the text to compile, got %d '%s'; text:\n%s",
		         rc, kehu_errmsg(db), text);
	assert_non_null(r);
	kehu_rules_free(r);
}

/* A db with a chosen currency exponent on the counting allocator. */
static void open_exponent(kehu_db **db, test_alloc *a, int32_t exponent)
{
	kehu_db_options o;

	OK(kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION));
	o.alloc = test_alloc_fn;
	o.alloc_user_data = a;
	o.currency_exponent = exponent;
	OK(kehu_db_open(db, &o));
	assert_int_equal(kehu_db_get_currency_exponent(*db), exponent);
}

static void close_checked(kehu_db *db, test_alloc *a)
{
	kehu_db_close(db);
	assert_int_equal(a->live_bytes, 0);
	assert_int_equal(a->bad_osize, 0);
}

static char *put(char *p, const char *text)
{
	size_t n = strlen(text);

	memcpy(p, text, n);
	return p + n;
}

/* Builds HEADER + prefix + n copies of unit + mid + n copies of close
 * + suffix into a malloc'ed string. */
static char *repeat(const char *prefix, const char *unit, const char *mid,
                    const char *close, const char *suffix, size_t n)
{
	size_t lu = strlen(unit), lc = strlen(close);
	size_t len = strlen(HEADER) + strlen(prefix) + n * (lu + lc) +
	             strlen(mid) + strlen(suffix);
	char *s = malloc(len + 1), *p = s;
	size_t i;

	if (!s)
		fail_msg("out of memory");
	else {
		p = put(p, HEADER);
		p = put(p, prefix);
		for (i = 0; i < n; i++, p += lu)
			memcpy(p, unit, lu);
		p = put(p, mid);
		for (i = 0; i < n; i++, p += lc)
			memcpy(p, close, lc);
		p = put(p, suffix);
		*p = '\0';
	}
	assert_int_equal(strlen(s), len);
	return s;
}

/* ---- names --------------------------------------------------------------- */

static void test_unknown_name(void **state)
{
	test_fx *f = *state;

	/* the name itself: "revenu" starts at column 11 */
	expect_error(f->db, HEADER "score s = revenu + 1\n", "2:11: ",
	             "revenu");
	/* in a rule, on its own line */
	expect_error(f->db,
	             HEADER "classify c {\n"
	                    "  a when staus == \"prospect\"\n"
	                    "  b else\n"
	                    "}\n",
	             "3:10: ", "staus");
	/* a label is not a name: "gold" is not defined by classify t */
	expect_error(f->db,
	             HEADER "classify t { x when true y else }\n"
	                    "score s = gold + 1\n",
	             "3:11: ", "gold");
}

static void test_unknown_function(void **state)
{
	test_fx *f = *state;

	expect_error(f->db, HEADER "score s = median(revenue)\n", "2:11: ",
	             "median");
	/* a metric is not a function */
	expect_error(f->db, HEADER "score s = 1 + purchases(2)\n", "2:15: ",
	             "purchases");
}

static void test_wrong_argument_count(void **state)
{
	test_fx *f = *state;

	/* at the function's name */
	expect_error(f->db, HEADER "score s = clamp(purchases, 1)\n",
	             "2:11: ", "clamp");
	expect_error(f->db, HEADER "score s = 2 * min(purchases)\n", "2:15: ",
	             "min");
	expect_error(f->db, HEADER "score s = ntile(purchases)\n", "2:11: ",
	             "ntile");
	expect_error(f->db, HEADER "score s = abs(1, 2)\n", "2:11: ", "abs");
	expect_error(f->db, HEADER "score s = round()\n", "2:11: ", "round");
	expect_error(f->db,
	             HEADER "classify c { a when has_tag(\"x\", \"y\") b else }\n",
	             "2:21: ", "has_tag");
	expect_error(f->db, HEADER "score s = attr(\"a\", 1, 2)\n", "2:11: ",
	             "attr");
}

/* ---- types --------------------------------------------------------------- */

static void test_type_mismatch_string_number(void **state)
{
	test_fx *f = *state;

	/* at the operator: "==" is at column 15 */
	expect_error(f->db,
	             HEADER "classify c {\n"
	                    "  a when kind == 3\n"
	                    "  b else\n"
	                    "}\n",
	             "3:15: ", NULL);
	/* a string attribute ordered against a number */
	expect_error(f->db,
	             HEADER "classify c { a when attr(\"rating\") < 3 b else }\n",
	             "2:36: ", NULL);
	/* a classification's label is text */
	expect_error(f->db,
	             HEADER "classify t { x when true y else }\n"
	                    "classify u { a when t > 1 b else }\n",
	             "3:23: ", NULL);
	/* arithmetic on true/false */
	expect_error(f->db, HEADER "score s = purchases + has_tag(\"x\")\n",
	             "2:21: ", NULL);
	/* text is compared with == and != only */
	expect_error(f->db,
	             HEADER "classify c { a when kind < \"person\" b else }\n",
	             "2:26: ", NULL);
}

static void test_type_mismatch_money_number(void **state)
{
	test_fx *f = *state;

	/* money against a plain number metric: at ">" (column 18) */
	expect_error(f->db,
	             HEADER "classify c {\n"
	                    "  a when revenue > purchases\n"
	                    "  b else\n"
	                    "}\n",
	             "3:18: ", NULL);
	/* money plus a number metric */
	expect_error(f->db, HEADER "score s = margin + interactions\n",
	             "2:18: ", NULL);
	/* money against a number attribute */
	expect_error(f->db,
	             HEADER "classify c { a when revenue >= attr(\"b\", 0) "
	                    "b else }\n",
	             "2:29: ", NULL);
	/* ... while money against a written amount is fine */
	expect_ok(f->db, HEADER "classify c { a when revenue >= 10.50 "
	                        "or margin < 0 b else }\n");
}

static void test_condition_and_score_types(void **state)
{
	test_fx *f = *state;

	/* a condition must be true/false: at its expression */
	expect_error(f->db, HEADER "classify c { a when purchases b else }\n",
	             "2:21: ", NULL);
	/* a score must be a number */
	expect_error(f->db, HEADER "score s = kind\n", "2:11: ", NULL);
	/* 'not' needs true/false: at "not" */
	expect_error(f->db,
	             HEADER "classify c { a when not purchases b else }\n",
	             "2:21: ", NULL);
}

static void test_too_many_decimals(void **state)
{
	test_fx *f = *state;
	test_alloc a;
	kehu_db *db0;

	/* currency exponent 2 (the default): 100.001 is not an amount */
	expect_error(f->db,
	             HEADER "classify c {\n"
	                    "  a when revenue >= 100.001\n"
	                    "  b else\n"
	                    "}\n",
	             "3:21: ", NULL);
	/* through a constant: at the constant's literal */
	expect_error(f->db,
	             HEADER "let limit = 100.001\n"
	                    "classify c { a when revenue >= limit b else }\n",
	             "2:13: ", NULL);
	/* the same literal used as a plain number is fine */
	expect_ok(f->db, HEADER "classify c { a when purchases >= 1.005 "
	                        "b else }\n");

	/* currency exponent 0 */
	memset(&a, 0, sizeof a);
	open_exponent(&db0, &a, 0);
	expect_error(db0, HEADER "classify c { a when revenue >= 5.5 b else }\n",
	             "2:32: ", NULL);
	expect_ok(db0, HEADER "classify c { a when revenue >= 5 b else }\n");
	close_checked(db0, &a);
}

/* ---- structure ----------------------------------------------------------- */

static void test_missing_else(void **state)
{
	test_fx *f = *state;

	/* at the classification's name: "tier" at column 10 */
	expect_error(f->db,
	             HEADER "classify tier {\n"
	                    "  gold when revenue >= 100.00\n"
	                    "}\n",
	             "2:10: ", "tier");
	/* an empty table has no else either */
	expect_error(f->db, HEADER "\n\nclassify empty { }\n", "4:10: ",
	             "empty");
}

static void test_duplicate_name(void **state)
{
	test_fx *f = *state;

	/* at the second definition's name */
	expect_error(f->db,
	             HEADER "score a = 1\n"
	                    "score a = 2\n",
	             "3:7: ", "a");
	expect_error(f->db,
	             HEADER "let tier = 1\n"
	                    "classify tier { x else }\n",
	             "3:10: ", "tier");
	/* an item may not take a metric's name */
	expect_error(f->db, HEADER "score revenue = 1\n", "2:7: ", "revenue");
}

static void test_cycle(void **state)
{
	test_fx *f = *state;

	/* at the name of the score where the cycle closes: the first one */
	expect_error(f->db,
	             HEADER "score a = b + 1\n"
	                    "score b = a + 1\n",
	             "2:7: ", "a");
	/* a score that reads itself */
	expect_error(f->db, HEADER "\nscore self = self * 2\n", "3:7: ",
	             "self");
	/* through a classification */
	expect_error(f->db,
	             HEADER "classify x { y when s > 1 n else }\n"
	                    "score s = min(purchases, 1)\n"
	                    "classify z { q when x == \"y\" and w > 0 r else }\n"
	                    "score w = 1\n"
	                    "classify u { v when u == \"v\" t else }\n",
	             "6:10: ", "u");
	/* a longer cycle a -> b -> c -> a */
	expect_error(f->db,
	             HEADER "score c = a * 2\n"
	                    "score a = b * 2\n"
	                    "score b = c * 2\n",
	             "2:7: ", "c");
}

static void test_syntax_error(void **state)
{
	test_fx *f = *state;

	/* the bad token: ")" where a value should be, column 22 */
	expect_error(f->db, HEADER "score s = (revenue + )\n", "2:22: ", ")");
	/* a rule without "when": at the token after the label */
	expect_error(f->db,
	             HEADER "classify c {\n"
	                    "  gold revenue >= 1.00\n"
	                    "  x else\n"
	                    "}\n",
	             "3:8: ", NULL);
	/* an unknown item keyword */
	expect_error(f->db, HEADER "scor s = 1\n", "2:1: ", NULL);
	/* comparisons do not chain */
	expect_error(f->db,
	             HEADER "classify c { a when 1 < purchases < 3 b else }\n",
	             "2:35: ", NULL);
	/* an unexpected character */
	expect_error(f->db, HEADER "score s = purchases @ 2\n", "2:21: ",
	             NULL);
	/* a number that runs into a name */
	expect_error(f->db, HEADER "score s = 12abc\n", "2:11: ", NULL);
	/* no '=' */
	expect_error(f->db, HEADER "let x 3\n", "2:7: ", NULL);
	/* a keyword is not a name */
	expect_error(f->db, HEADER "score when = 3\n", "2:7: ", NULL);
	/* a missing '}' : at the end of the text */
	expect_error(f->db, HEADER "classify c { a else\n", "3:1: ", NULL);
	/* the version is a whole number */
	expect_error(f->db, "ruleset \"t\" version 1.5\n", "1:21: ", NULL);
}

static void test_unclosed_string(void **state)
{
	test_fx *f = *state;

	/* at the opening quote (column 18), on its line */
	expect_error(f->db,
	             HEADER "classify c {\n"
	                    "  a when kind == \"person\n"
	                    "  b else\n"
	                    "}\n",
	             "3:18: ", NULL);
	/* at the end of the text */
	expect_error(f->db, HEADER "score s = attr(\"rating", "2:16: ",
	             NULL);
}

static void test_empty_input(void **state)
{
	test_fx *f = *state;

	expect_error_len(f->db, "", 0, "1:1: ", NULL);
	/* text given by length: only the first 0 bytes count */
	expect_error_len(f->db, HEADER, 0, "1:1: ", NULL);
	/* only a comment: the end of the text, on line 2 */
	expect_error(f->db, "# nothing here\n", "2:1: ", NULL);
	/* no header */
	expect_error(f->db, "score s = 1\n", "1:1: ", NULL);
	/* a header alone is a valid, empty rule set */
	expect_ok(f->db, HEADER);
}

/* ---- limits -------------------------------------------------------------- */

static void test_nesting_depth(void **state)
{
	test_fx *f = *state;
	char *s;

	/* 63 parentheses inside the score's expression: 64 levels, fine */
	s = repeat("score s = ", "(", "1", ")", "\n", 63);
	expect_ok(f->db, s);
	free(s);
	/* 64: one level too deep; the error points at the first token
	 * inside the 65th level (after 64 '(' from column 11) */
	s = repeat("score s = ", "(", "1", ")", "\n", 64);
	expect_error(f->db, s, "2:75: ", "deep");
	free(s);
	/* far too deep: an error, not a stack overflow */
	s = repeat("score s = ", "(", "1", ")", "\n", 100000);
	expect_error(f->db, s, "2:75: ", "deep");
	free(s);
	s = repeat("score s = ", "-", "1", "", "\n", 100000);
	expect_error(f->db, s, "2:", "deep");
	free(s);
	s = repeat("classify c { a when ", "not ", "true", "", " b else }\n",
	           100000);
	expect_error(f->db, s, "2:", "deep");
	free(s);
	s = repeat("score s = ", "min(", "1", ", 1)", "\n", 100000);
	expect_error(f->db, s, "2:", "deep");
	free(s);
}

/*
 * Long chains of one operator nest no parentheses but make a deep tree
 * (1 + 1 + 1 ... is ((1 + 1) + 1) ...).  They must compile and evaluate,
 * or fail with KEHU_ECOMPILE: never overflow the stack.
 */
static void test_long_operator_chains(void **state)
{
	test_fx *f = *state;
	static const char *const units[][3] = {
		{"score s = 1", " + 1", "\n"},
		{"score s = 1", " * 1", "\n"},
		{"classify c { a when true", " and true", " b else }\n"},
		{"classify c { a when false", " or false", " b else }\n"},
	};
	kehu_customer *c;
	size_t i;

	OK(kehu_customer_create(&c, f->db, NULL));
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		/* ~100000 operators, within the 1 MiB limit */
		size_t n = (1000 * 1000 - 100) / strlen(units[i][1]);
		char *s = repeat(units[i][0], units[i][1], "", "", units[i][2],
		                 n);
		kehu_rules *r = NULL;
		kehu_result *res = NULL;
		int rc;

		rc = kehu_rules_compile(&r, f->db, s, strlen(s));
		if (rc == KEHU_OK) {
			OK(kehu_rules_evaluate(&res, r, f->db,
			                       kehu_customer_get_id(c), T0));
			kehu_result_free(res);
			kehu_rules_free(r);
		} else {
			assert_int_equal(rc, KEHU_ECOMPILE);
			assert_null(r);
			assert_true(strncmp(kehu_errmsg(f->db), "2:", 2) == 0);
		}
		free(s);
	}
	kehu_customer_free(c);
}

static void test_too_many_items(void **state)
{
	test_fx *f = *state;
	char *s, *p;
	int i;

	s = malloc(strlen(HEADER) + 258 * 32);
	assert_non_null(s);
	p = s + sprintf(s, "%s", HEADER);
	for (i = 0; i < 256; i++)
		p += sprintf(p, "let c%d = %d\n", i, i);
	expect_ok(f->db, s);
	/* the 257th item, on line 258 */
	sprintf(p, "let c256 = 256\n");
	expect_error(f->db, s, "258:", "256");
	free(s);
}

static void test_text_limits(void **state)
{
	test_fx *f = *state;
	kehu_rules *r = (kehu_rules *)&r;
	size_t len = KEHU_MAX_RULES_TEXT + 1;
	char *s = malloc(len);

	assert_non_null(s);
	memset(s, ' ', len);
	memcpy(s, HEADER, strlen(HEADER));
	assert_int_equal(kehu_rules_compile(&r, f->db, s, len), KEHU_EINVAL);
	assert_null(r);
	/* exactly at the limit it is fine (spaces only after the header) */
	OK(kehu_rules_compile(&r, f->db, s, KEHU_MAX_RULES_TEXT));
	kehu_rules_free(r);
	free(s);
	/* NULL arguments */
	r = NULL;
	assert_int_equal(kehu_rules_compile(NULL, f->db, HEADER, 5),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_rules_compile(&r, f->db, NULL, 5), KEHU_EINVAL);
	assert_null(r);
}

/* ---- parameters of population functions ---------------------------------- */

static void test_population_parameters(void **state)
{
	test_fx *f = *state;

	/* q outside 0..1: at the parameter */
	expect_error(f->db, HEADER "score s = quantile(purchases, 1.5)\n",
	             "2:31: ", NULL);
	/* n of ntile: a whole number from 1 */
	expect_error(f->db, HEADER "score s = ntile(purchases, 0)\n",
	             "2:28: ", NULL);
	expect_error(f->db, HEADER "score s = ntile(purchases, 2.5)\n",
	             "2:28: ", NULL);
	/* the population argument is a number */
	expect_error(f->db, HEADER "score s = mean(kind)\n", "2:16: ", NULL);
	/* attribute names are written in quotes */
	expect_error(f->db, HEADER "score s = attr(rating, 0)\n", "2:16: ",
	             NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unknown_name,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_function,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_argument_count,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_type_mismatch_string_number,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_type_mismatch_money_number,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_condition_and_score_types,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_too_many_decimals,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_missing_else,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_name,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_cycle, test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error, test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_unclosed_string,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_empty_input, test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_nesting_depth,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_too_many_items,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_text_limits, test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_population_parameters,
		                                test_fx_setup, test_fx_teardown),
		/* last: a stack overflow here would end the executable */
		cmocka_unit_test_setup_teardown(test_long_operator_chains,
		                                test_fx_setup, test_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
