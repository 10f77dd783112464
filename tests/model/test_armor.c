/*
 * tests/model/test_armor: every entry point that takes a kehu_db refuses
 * a db it cannot use, without touching it (STYLE 10.4, "always-on
 * armor"): a db whose open failed (KEHU_EMISUSE, "close it"), and a
 * pointer that is not a db at all, such as a stale or foreign pointer
 * (KEHU_EINVAL, as for NULL).  Out handles come back NULL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "model/db.h"
#include "testutil.h"

#define OK(x) assert_int_equal((x), KEHU_OK)

typedef struct armor {
	kehu_db *good;      /* a working db, for the rules and models */
	kehu_rules *rules;  /* compiled on good */
} armor;

static int count_cb(kehu_id id, void *user_data)
{
	(void)id;
	(*(int *)user_data)++;
	return 0;
}

static int query_cb(kehu_id id, void *user_data)
{
	return count_cb(id, user_data);
}

/* Calls every db entry point on db; each must return `want`. */
static void refuse_all(armor *ar, kehu_db *db, int want)
{
	kehu_customer *c = (kehu_customer *)&c;
	kehu_account *a = (kehu_account *)&a;
	kehu_interaction *ix = (kehu_interaction *)&ix;
	kehu_history *h = (kehu_history *)&h;
	kehu_rules *r = (kehu_rules *)&r;
	kehu_result *res = (kehu_result *)&res;
	kehu_explain *ex = (kehu_explain *)&ex;
	kehu_model *m = (kehu_model *)&m;
	kehu_metrics met;
	kehu_id cust = 1;
	int32_t type = KEHU_IX_VISIT;
	int64_t time = T0, amount = 0, n64 = -1;
	size_t n = 99;
	double score;
	char buf[16];
	int calls = 0;
	const char *text = "ruleset \"a\" version 1\nscore s = 1\n";

	assert_int_equal(kehu_db_begin(db), want);
	assert_int_equal(kehu_db_commit(db), want);
	assert_int_equal(kehu_db_rollback(db), want);
	assert_int_equal(kehu_db_in_transaction(db), 0);

	assert_int_equal(kehu_customer_create(&c, db, NULL), want);
	assert_null(c);
	c = (kehu_customer *)&c;
	assert_int_equal(kehu_customer_lookup(&c, db, 1), want);
	assert_null(c);
	c = (kehu_customer *)&c;
	assert_int_equal(kehu_customer_lookup_key(&c, db, "k"), want);
	assert_null(c);
	assert_int_equal(kehu_customer_delete(db, 1), want);
	assert_int_equal(kehu_customer_erase(db, 1), want);
	assert_int_equal(kehu_customer_foreach(db, count_cb, &calls), want);

	assert_int_equal(kehu_account_create(&a, db, 1), want);
	assert_null(a);
	a = (kehu_account *)&a;
	assert_int_equal(kehu_account_lookup(&a, db, 1), want);
	assert_null(a);
	assert_int_equal(kehu_account_delete(db, 1), want);
	assert_int_equal(kehu_account_foreach(db, count_cb, &calls), want);

	assert_int_equal(kehu_interaction_new(&ix, db, 1, KEHU_IX_VISIT, T0),
	                 want);
	assert_null(ix);
	assert_int_equal(kehu_interaction_record_many(db, 1, &cust, &type,
	                                              &time, &amount, &amount,
	                                              &n), want);
	assert_int_equal(n, 0);
	assert_int_equal(kehu_history_new(&h, db, 1, 0, T0, 0), want);
	assert_null(h);
	OK(kehu_metrics_init(&met, KEHU_METRICS_VERSION));
	assert_int_equal(kehu_metrics_read(&met, db, 1, T0), want);

	assert_int_equal(kehu_rules_compile(&r, db, text, strlen(text)), want);
	assert_null(r);
	r = (kehu_rules *)&r;
	assert_int_equal(kehu_rules_load(&r, db, "a"), want);
	assert_null(r);
	assert_int_equal(kehu_rules_save(db, ar->rules), want);
	assert_int_equal(kehu_rules_evaluate(&res, ar->rules, db, 1, T0),
	                 want);
	assert_null(res);
	assert_int_equal(kehu_rules_explain(&ex, ar->rules, db, 1, T0, NULL),
	                 want);
	assert_null(ex);
	assert_int_equal(kehu_rules_classify_all(db, ar->rules, T0, NULL,
	                                         &n64), want);
	assert_int_equal(kehu_customer_get_label(db, 1, "a", "c", buf,
	                                         sizeof buf, NULL), want);
	assert_int_equal(kehu_customer_get_score(db, 1, "a", "s", &score),
	                 want);
	assert_int_equal(kehu_query(db, ar->rules, "s > 0", T0, query_cb,
	                            &calls, NULL), want);

	assert_int_equal(kehu_model_fit(&m, db, KEHU_MODEL_BGNBD, T0,
	                                7 * DAY), want);
	assert_null(m);
	m = (kehu_model *)&m;
	assert_int_equal(kehu_model_load(&m, db, "m"), want);
	assert_null(m);
	assert_int_equal(kehu_db_set_value_models(db, NULL, NULL), want);

	assert_int_equal(calls, 0);
	/* the getters say "nothing" */
	assert_int_equal(kehu_db_customer_count(db), 0);
	assert_int_equal(kehu_db_account_count(db), 0);
	assert_int_equal(kehu_db_get_utc_offset(db), 0);
	assert_int_equal(kehu_db_get_currency_exponent(db), 0);
}

static int setup(void **state)
{
	static armor ar;
	const char *text = "ruleset \"a\" version 1\nscore s = 1\n";

	memset(&ar, 0, sizeof ar);
	if (test_open(&ar.good, NULL, NULL) != KEHU_OK ||
	    kehu_rules_compile(&ar.rules, ar.good, text, strlen(text)) !=
	    KEHU_OK)
		return -1;
	*state = &ar;
	return 0;
}

static int teardown(void **state)
{
	armor *ar = *state;

	kehu_rules_free(ar->rules);
	kehu_db_close(ar->good);
	return 0;
}

/* The open failed (a currency exponent out of range): the handle is
 * handed back for kehu_errmsg, and every other call says to close it. */
static void test_failed_open(void **state)
{
	kehu_db_options o;
	kehu_db *db = NULL;

	OK(kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION));
	o.currency_exponent = 99;
	assert_int_equal(kehu_db_open(&db, &o), KEHU_EINVAL);
	assert_non_null(db);
	refuse_all(*state, db, KEHU_EMISUSE);
	assert_int_equal(kehu_errcode(db), KEHU_EMISUSE);
	assert_non_null(strstr(kehu_errmsg(db), "failed to open"));
	kehu_db_close(db);
}

/* A pointer to something that is not a db (its first word is not the
 * db's magic): refused like NULL, and nothing is written to it. */
static void test_not_a_db(void **state)
{
	kehu_db fake, copy;
	void *ud = &ud;

	memset(&fake, 0, sizeof fake);
	memcpy(&copy, &fake, sizeof fake);
	refuse_all(*state, &fake, KEHU_EINVAL);
	assert_int_equal(kehu_errcode(&fake), KEHU_EMISUSE);
	assert_string_equal(kehu_errmsg(&fake), "not a valid kehu_db handle");
	assert_null(kehu_db_allocator(&fake, &ud));
	assert_ptr_equal(ud, &ud);
	assert_memory_equal(&fake, &copy, sizeof fake);
}

/* NULL: the same refusals; errcode and errmsg read as out of memory,
 * which is what a NULL db from a failed kehu_db_open means. */
static void test_null_db(void **state)
{
	refuse_all(*state, NULL, KEHU_EINVAL);
	assert_int_equal(kehu_errcode(NULL), KEHU_ENOMEM);
	assert_string_equal(kehu_errmsg(NULL), "out of memory");
	assert_null(kehu_db_allocator(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_open),
		cmocka_unit_test(test_not_a_db),
		cmocka_unit_test(test_null_db),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
