/*
 * tests/model/test_interaction_batch: kehu_interaction_record_many:
 * the same metrics as recording row by row, all-or-nothing on a bad
 * row or a failure mid-way, inside and outside a host transaction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#define ROWS 600

static void visit(kehu_db *db, kehu_id id, int64_t t)
{
	kehu_interaction *ix;

	assert_int_equal(kehu_interaction_new(&ix, db, id, KEHU_IX_VISIT, t),
	                 0);
	assert_int_equal(kehu_interaction_record(ix), 0);
	kehu_interaction_free(ix);
}

typedef struct columns {
	kehu_id customer[ROWS];
	int32_t type[ROWS];
	int64_t time[ROWS];
	int64_t amount[ROWS];
	int64_t cost[ROWS];
} columns;

/* Rows over three customers: purchases, refunds, visits, back-dated
 * ones included. */
static void fill(columns *c, const kehu_id *ids)
{
	static const int32_t types[] = {KEHU_IX_PURCHASE, KEHU_IX_PURCHASE,
	                                KEHU_IX_REFUND, KEHU_IX_VISIT,
	                                KEHU_IX_COMPLAINT};
	int i;

	for (i = 0; i < ROWS; i++) {
		c->customer[i] = ids[i % 3];
		c->type[i] = types[i % 5];
		c->time[i] = T0 + (int64_t)((i * 7919) % 500) * DAY + i;
		c->amount[i] = c->type[i] <= KEHU_IX_REFUND ? 100 + i : 0;
		c->cost[i] = i % 4 ? 0 : 25;
	}
}

static void test_same_as_one_by_one(void **state)
{
	static columns c;
	test_fx *fx = *state;
	kehu_db *db2;
	kehu_id ids[3], ids2[3];
	size_t done = 99;
	int i;

	for (i = 0; i < 3; i++)
		ids[i] = test_new_customer(fx->db);
	fill(&c, ids);
	assert_int_equal(kehu_interaction_record_many(
		fx->db, ROWS, c.customer, c.type, c.time, c.amount, c.cost,
		&done), KEHU_OK);
	assert_int_equal(done, ROWS);
	assert_int_equal(kehu_db_in_transaction(fx->db), 0);

	assert_int_equal(kehu_db_open(&db2, NULL), KEHU_OK);
	for (i = 0; i < 3; i++)
		ids2[i] = test_new_customer(db2);
	for (i = 0; i < ROWS; i++) {
		kehu_interaction *ix;

		assert_int_equal(kehu_interaction_new(&ix, db2, ids2[i % 3],
		                                      c.type[i], c.time[i]), 0);
		assert_int_equal(kehu_interaction_set_amount(ix, c.amount[i]),
		                 0);
		assert_int_equal(kehu_interaction_set_cost(ix, c.cost[i]), 0);
		assert_int_equal(kehu_interaction_record(ix), 0);
		kehu_interaction_free(ix);
	}
	for (i = 0; i < 3; i++) {
		kehu_metrics a, b;

		kehu_metrics_init(&a, KEHU_METRICS_VERSION);
		kehu_metrics_init(&b, KEHU_METRICS_VERSION);
		assert_int_equal(kehu_metrics_read(&a, fx->db, ids[i],
		                                   T0 + 520 * DAY), 0);
		assert_int_equal(kehu_metrics_read(&b, db2, ids2[i],
		                                   T0 + 520 * DAY), 0);
		test_assert_metrics_equal(&a, &b);
		assert_true(a.orders > 0 && a.refunds > 0 && a.cost > 0);
	}
	kehu_db_close(db2);
	/* NULL amounts and costs are zeros; n = 0 is a no-op */
	assert_int_equal(kehu_interaction_record_many(
		fx->db, 3, c.customer + 3, c.type + 3, c.time, NULL, NULL,
		&done), KEHU_OK);
	assert_int_equal(done, 3);
	assert_int_equal(kehu_interaction_record_many(fx->db, 0, NULL, NULL,
	                                              NULL, NULL, NULL, &done),
	                 KEHU_OK);
	assert_int_equal(done, 0);
}

static void assert_untouched(kehu_db *db, kehu_id id, int64_t interactions)
{
	kehu_metrics m;

	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	assert_int_equal(kehu_metrics_read(&m, db, id, T0 + 600 * DAY), 0);
	assert_int_equal(m.interactions, interactions);
}

static void test_bad_row_changes_nothing(void **state)
{
	static columns c;
	test_fx *fx = *state;
	kehu_id ids[3];
	size_t done = 99;
	int i;

	for (i = 0; i < 3; i++)
		ids[i] = test_new_customer(fx->db);
	fill(&c, ids);
	c.amount[417] = -5;
	assert_int_equal(kehu_interaction_record_many(
		fx->db, ROWS, c.customer, c.type, c.time, c.amount, c.cost,
		&done), KEHU_EINVAL);
	assert_int_equal(done, 0);
	assert_msg_has(fx->db, "row 417");
	assert_untouched(fx->db, ids[0], 0);
	c.amount[417] = 5;
	c.customer[9] = 987654;
	assert_int_equal(kehu_interaction_record_many(
		fx->db, ROWS, c.customer, c.type, c.time, c.amount, c.cost,
		&done), KEHU_ENOTFOUND);
	assert_msg_has(fx->db, "row 9");
	c.customer[9] = ids[0];
	c.type[20] = KEHU_IX_FEEDBACK;
	assert_int_equal(kehu_interaction_record_many(
		fx->db, ROWS, c.customer, c.type, c.time, c.amount, c.cost,
		&done), KEHU_EINVAL);
	assert_msg_has(fx->db, "satisfaction");
	c.type[20] = KEHU_IX_VISIT;
	c.time[30] = -1;
	assert_int_equal(kehu_interaction_record_many(
		fx->db, ROWS, c.customer, c.type, c.time, c.amount, c.cost,
		&done), KEHU_EINVAL);
	assert_int_equal(kehu_interaction_record_many(
		fx->db, 2, NULL, c.type, c.time, NULL, NULL, &done),
	                 KEHU_EINVAL);
	assert_untouched(fx->db, ids[0], 0);
	assert_untouched(fx->db, ids[1], 0);
}

/* In a host transaction: the rows join it; an overflow found while
 * recording (row checks cannot see it) rolls the transaction back. */
static void test_host_transaction(void **state)
{
	test_fx *fx = *state;
	kehu_id a = test_new_customer(fx->db), b = test_new_customer(fx->db);
	kehu_id cust[3];
	int32_t type[3] = {KEHU_IX_PURCHASE, KEHU_IX_PURCHASE,
	                   KEHU_IX_PURCHASE};
	int64_t time[3] = {T0, T0 + DAY, T0 + 2 * DAY};
	int64_t amount[3] = {INT64_MAX - 10, 5, 100};
	size_t done;

	cust[0] = cust[1] = b;
	cust[2] = a;
	assert_int_equal(kehu_db_begin(fx->db), 0);
	visit(fx->db, a, T0);
	assert_int_equal(kehu_interaction_record_many(fx->db, 2, cust, type,
	                                              time, amount, NULL,
	                                              &done), 0);
	assert_int_equal(kehu_db_in_transaction(fx->db), 1);
	assert_int_equal(kehu_db_commit(fx->db), 0);
	assert_untouched(fx->db, b, 2);
	/* b's sales would overflow at the first row: all of it goes */
	assert_int_equal(kehu_db_begin(fx->db), 0);
	visit(fx->db, a, T0 + DAY);
	assert_int_equal(kehu_interaction_record_many(fx->db, 3, cust, type,
	                                              time, amount, NULL,
	                                              &done), KEHU_ERANGE);
	assert_int_equal(done, 0);
	assert_msg_has(fx->db, "rolled back");
	assert_int_equal(kehu_db_in_transaction(fx->db), 0);
	assert_untouched(fx->db, a, 1);
	assert_untouched(fx->db, b, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_as_one_by_one,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_bad_row_changes_nothing,
		                                test_fx_setup, test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_host_transaction,
		                                test_fx_setup, test_fx_teardown),
	};

	return cmocka_run_group_tests_name("interaction_batch", tests, NULL,
	                                   NULL);
}
