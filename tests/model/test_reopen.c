/*
 * tests/model/test_reopen: a db closed and opened again on the same
 * store rebuilds its hot state by scanning, and every customer, account,
 * attribute, tag, metric and interaction reads back identical.  Also the
 * settings stored at creation, the id sequence, and refusal of stores
 * written by a newer format or holding records that do not decode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "codec/keys.h"
#include "codec/meta.h"
#include "testutil.h"

typedef struct fixture {
	kehu_storage_memory *mem;
	kehu_storage vt;
} fixture;

static int setup(void **state)
{
	static fixture f; /* test-only: one fixture per test run */

	if (kehu_storage_memory_new(&f.mem, NULL, NULL) != KEHU_OK)
		return -1;
	kehu_storage_memory_get_vtable(f.mem, &f.vt);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	kehu_storage_memory_free(f->mem);
	return 0;
}

static int64_t ok_record(kehu_db *db, int64_t cust, int32_t type, int64_t t,
                         int64_t amount, int64_t account)
{
	kehu_interaction *ix;

	assert_int_equal(kehu_interaction_new(&ix, db, cust, type, t), 0);
	assert_int_equal(kehu_interaction_set_amount(ix, amount), 0);
	assert_int_equal(kehu_interaction_set_cost(ix, amount / 4), 0);
	assert_int_equal(kehu_interaction_set_account(ix, account), 0);
	if (type == KEHU_IX_FEEDBACK)
		assert_int_equal(kehu_interaction_set_satisfaction(ix, 4), 0);
	assert_int_equal(kehu_interaction_set_attr_int(ix, "qty", 2), 0);
	assert_int_equal(kehu_interaction_record(ix), 0);
	t = kehu_interaction_get_id(ix);
	kehu_interaction_free(ix);
	return t;
}

/* 300 customers with fields, tags, attributes; 40 accounts; 3000
 * interactions of every type over two years, some back-dated. */
static void populate(kehu_db *db)
{
	int64_t ids[300], acct[40];
	char key[32];
	int i;

	assert_int_equal(kehu_db_begin(db), KEHU_OK);
	for (i = 0; i < 300; i++) {
		kehu_customer *c;

		snprintf(key, sizeof key, "ERP-%04d", i);
		assert_int_equal(kehu_customer_create(&c, db, i % 7 ? key : NULL),
		                 0);
		ids[i] = kehu_customer_get_id(c);
		snprintf(key, sizeof key, "Customer %d \xe5\xae\xa2", i);
		assert_int_equal(kehu_customer_set_name(c, key), 0);
		assert_int_equal(kehu_customer_set_kind(c, 1 + i % 2), 0);
		assert_int_equal(kehu_customer_set_relation(c, 1 + i % 4), 0);
		assert_int_equal(kehu_customer_set_status(c, 1 + i % 2), 0);
		if (i > 0)
			assert_int_equal(kehu_customer_set_referrer(c,
			                                            ids[i / 2]), 0);
		assert_int_equal(kehu_customer_add_tag(c, i % 3 ? "retail"
		                                                 : "vip"), 0);
		assert_int_equal(kehu_customer_set_attr_int(c, "age", 20 + i), 0);
		assert_int_equal(kehu_customer_set_attr_number(c, "score",
		                                               i / 7.0), 0);
		assert_int_equal(kehu_customer_set_attr_time(c, "since",
		                                             T0 - i * DAY), 0);
		assert_int_equal(kehu_customer_set_attr_string(c, "city",
		                                               "Hangzhou"), 0);
		assert_int_equal(kehu_customer_save(c), 0);
		kehu_customer_free(c);
	}
	for (i = 0; i < 40; i++) {
		kehu_account *a;

		assert_int_equal(kehu_account_create(&a, db, ids[i * 7]), 0);
		assert_int_equal(kehu_account_add_member(a, ids[i * 7 + 1],
		                                         KEHU_ROLE_USER), 0);
		assert_int_equal(kehu_account_set_name(a, "Account"), 0);
		assert_int_equal(kehu_account_save(a), 0);
		acct[i] = kehu_account_get_id(a);
		kehu_account_free(a);
	}
	for (i = 0; i < 3000; i++) {
		int32_t type = 1 + i % 10;
		int64_t t = T0 + ((i * 37) % 730) * DAY + (i % 24) * 3600;

		ok_record(db, ids[i % 300], type,
		          t, type <= 2 ? 100 + i : 0,
		          i % 5 == 0 ? acct[(i / 5) % 40] : 0);
	}
	assert_int_equal(kehu_db_commit(db), KEHU_OK);
	assert_int_equal(kehu_customer_delete(db, ids[299]), 0);
	assert_int_equal(kehu_customer_erase(db, ids[298]), 0);
}

static void test_reopen_reads_back_identical(void **state)
{
	fixture *f = *state;
	test_text before, after;
	int64_t now;
	kehu_db *db;

	memset(&before, 0, sizeof before);
	memset(&after, 0, sizeof after);
	assert_int_equal(test_open(&db, NULL, &f->vt), KEHU_OK);
	populate(db);
	for (now = T0; now < T0 + 800 * DAY; now += 97 * DAY)
		assert_int_equal(test_snapshot(db, now, &before), 0);
	kehu_db_close(db);

	assert_int_equal(test_open(&db, NULL, &f->vt), KEHU_OK);
	for (now = T0; now < T0 + 800 * DAY; now += 97 * DAY)
		assert_int_equal(test_snapshot(db, now, &after), 0);
	assert_int_equal(kehu_db_customer_count(db), 299);
	assert_int_equal(kehu_db_account_count(db), 40);
	assert_true(before.len > 100000);
	assert_string_equal(before.data, after.data);
	kehu_db_close(db);
	test_text_free(&before);
	test_text_free(&after);
}

static void test_ids_never_reused(void **state)
{
	fixture *f = *state;
	kehu_customer *c;
	kehu_db *db;
	int64_t last;

	assert_int_equal(test_open(&db, NULL, &f->vt), KEHU_OK);
	assert_int_equal(kehu_customer_create(&c, db, NULL), 0);
	last = kehu_customer_get_id(c);
	kehu_customer_free(c);
	assert_int_equal(kehu_customer_delete(db, last), 0);
	kehu_db_close(db);
	assert_int_equal(test_open(&db, NULL, &f->vt), KEHU_OK);
	assert_int_equal(kehu_customer_create(&c, db, NULL), 0);
	assert_true(kehu_customer_get_id(c) > last);
	kehu_customer_free(c);
	kehu_db_close(db);
}

static void test_settings_are_stored(void **state)
{
	fixture *f = *state;
	kehu_db_options o;
	kehu_db *db;

	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	o.storage = &f->vt;
	o.utc_offset = 28800;
	o.currency_exponent = 3;
	assert_int_equal(kehu_db_open(&db, &o), KEHU_OK);
	kehu_db_close(db);
	/* unset: the stored values */
	assert_int_equal(test_open(&db, NULL, &f->vt), KEHU_OK);
	assert_int_equal(kehu_db_get_utc_offset(db), 28800);
	assert_int_equal(kehu_db_get_currency_exponent(db), 3);
	kehu_db_close(db);
	/* set and different: refused, naming the stored value */
	o.utc_offset = 0;
	assert_int_equal(kehu_db_open(&db, &o), KEHU_EINVAL);
	assert_non_null(strstr(kehu_errmsg(db), "28800"));
	kehu_db_close(db);
	o.utc_offset = 28800;
	o.currency_exponent = 2;
	assert_int_equal(kehu_db_open(&db, &o), KEHU_EINVAL);
	assert_non_null(strstr(kehu_errmsg(db), "currency_exponent"));
	kehu_db_close(db);
}

static void put_raw(const kehu_storage *vt, const kehu__buf *k,
                    const void *v, size_t n)
{
	assert_int_equal(vt->begin(vt->user_data), 0);
	assert_int_equal(vt->put(k->data, k->len, v, n, vt->user_data), 0);
	assert_int_equal(vt->commit(vt->user_data), 0);
}

static void test_newer_format_refused(void **state)
{
	fixture *f = *state;
	kehu__allocator a = {kehu_alloc_default, NULL};
	kehu__meta_rec m = {KEHU__DATA_FORMAT + 1, 0, 2, 1};
	kehu__buf k, v;
	kehu_db *db;

	kehu__buf_init(&k, &a);
	kehu__buf_init(&v, &a);
	kehu__key_meta(&k);
	kehu__meta_rec_encode(&v, &m);
	put_raw(&f->vt, &k, v.data, v.len);
	assert_int_equal(test_open(&db, NULL, &f->vt), KEHU_ECORRUPT);
	assert_non_null(strstr(kehu_errmsg(db), "newer"));
	kehu_db_close(db);
	kehu__buf_free(&k);
	kehu__buf_free(&v);
}

static void test_undecodable_record_refused(void **state)
{
	fixture *f = *state;
	kehu__allocator a = {kehu_alloc_default, NULL};
	kehu_customer *c;
	kehu__buf k;
	kehu_db *db;
	const uint8_t junk[] = {1, 0x0A, 0xFF};

	assert_int_equal(test_open(&db, NULL, &f->vt), KEHU_OK);
	assert_int_equal(kehu_customer_create(&c, db, NULL), 0);
	kehu__buf_init(&k, &a);
	kehu__key_id(&k, KEHU__KEY_CUSTOMER, kehu_customer_get_id(c));
	kehu_customer_free(c);
	kehu_db_close(db);
	put_raw(&f->vt, &k, junk, sizeof junk);
	assert_int_equal(test_open(&db, NULL, &f->vt), KEHU_ECORRUPT);
	assert_non_null(strstr(kehu_errmsg(db), "customer 1"));
	kehu_db_close(db);
	kehu__buf_free(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reopen_reads_back_identical,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_ids_never_reused, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_settings_are_stored, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_newer_format_refused, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_undecodable_record_refused,
		                                setup, teardown),
	};

	return cmocka_run_group_tests_name("reopen", tests, NULL, NULL);
}
