/*
 * tests/rules/test_classify_findings: classify-all on the call sequences
 * the API fuzzer (tests/fuzz/fuzz_api.c) found, each reproduced call by
 * call; corpus/api keeps the inputs as regression-* seeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kehu.h"
#include "testutil.h"

/* corpus/api/regression-classify-null-offset: a customer with a purchase
 * of INT64_MAX - 136, a second purchase that would overflow the sales
 * (refused), two more customers, then classify-all without options.
 * With no transition callback nothing is queued, and the empty queue's
 * NULL data was offset by 0 (undefined behaviour, reported by clang's
 * -fsanitize=pointer-overflow). */
static void test_classify_without_transitions(void **state)
{
	test_fx *f = *state;
	kehu_db *db = f->db;
	const char *src = kehu_rules_default_source();
	kehu_interaction *ix;
	kehu_rules *r;
	kehu_id id = test_new_customer(db);
	int64_t n = 0;
	char buf[64];
	size_t len;

	assert_int_equal(kehu_interaction_new(&ix, db, id, KEHU_IX_PURCHASE,
	                                      T0), KEHU_OK);
	assert_int_equal(kehu_interaction_set_amount(ix, INT64_MAX - 0x88),
	                 KEHU_OK);
	assert_int_equal(kehu_interaction_record(ix), KEHU_OK);
	kehu_interaction_free(ix);
	assert_int_equal(kehu_interaction_new(&ix, db, id, KEHU_IX_PURCHASE,
	                                      T0), KEHU_OK);
	assert_int_equal(kehu_interaction_set_amount(ix, 0x88 + 1), KEHU_OK);
	assert_int_equal(kehu_interaction_record(ix), KEHU_ERANGE);
	kehu_interaction_free(ix);
	(void)test_new_customer(db);
	(void)test_new_customer(db);
	assert_int_equal(kehu_rules_compile(&r, db, src, strlen(src)),
	                 KEHU_OK);
	assert_int_equal(kehu_rules_classify_all(db, r, T0, NULL, &n),
	                 KEHU_OK);
	assert_int_equal(n, 3);
	/* again: no label changes, still nothing queued */
	assert_int_equal(kehu_rules_classify_all(db, r, T0, NULL, &n),
	                 KEHU_OK);
	assert_int_equal(kehu_customer_get_label(db, id, "kehu-default",
	                                         "importance", buf, sizeof buf,
	                                         &len), KEHU_OK);
	assert_string_equal(buf, "vip");
	kehu_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_classify_without_transitions, test_fx_setup,
			test_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
