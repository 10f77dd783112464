/*
 * tests/model/test_db: the db handle: options, open failures that still
 * hand back a handle, error codes and messages, host transactions,
 * zombie close, the allocator getter, and NULL armor.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

static void test_version(void **state)
{
	(void)state;
	assert_string_equal(kehu_version(), KEHU_VERSION_STRING);
	assert_int_equal(kehu_version_number(), KEHU_VERSION_NUMBER);
	assert_true(KEHU_VERSION_CHECK(0, 1, 0));
	assert_false(KEHU_VERSION_CHECK(99, 0, 0));
}

static void test_options(void **state)
{
	kehu_db_options o, s = KEHU_DB_OPTIONS_INIT;

	(void)state;
	assert_int_equal(kehu_db_options_init(NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_db_options_init(&o, 0), KEHU_EINVAL);
	assert_int_equal(kehu_db_options_init(&o, 2), KEHU_EINVAL);
	assert_int_equal(kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION), 0);
	assert_int_equal(o.version, s.version);
	assert_null(o.alloc);
	assert_null(o.alloc_user_data);
	assert_null(o.storage);
	assert_int_equal(o.currency_exponent, s.currency_exponent);
	assert_int_equal(o.utc_offset, KEHU_UNSET);
}

static void test_defaults(void **state)
{
	kehu_db *db;
	void *ud = &ud;

	(void)state;
	assert_int_equal(kehu_db_open(NULL, NULL), KEHU_EINVAL);
	assert_int_equal(kehu_db_open(&db, NULL), KEHU_OK);
	assert_int_equal(kehu_db_get_utc_offset(db), 0);
	assert_int_equal(kehu_db_get_currency_exponent(db), 2);
	assert_true(kehu_db_allocator(db, &ud) == kehu_alloc_default);
	assert_null(ud);
	assert_int_equal(kehu_errcode(db), KEHU_OK);
	assert_string_equal(kehu_errmsg(db), "not an error");
	assert_int_equal(kehu_db_customer_count(db), 0);
	assert_true(kehu_db_hot_bytes_per_customer() <= 128);
	kehu_db_close(db);
	kehu_db_close(NULL);
}

static void open_fails(kehu_db_options *o, int code, const char *needle)
{
	kehu_db *db = NULL;
	kehu_customer *c;

	assert_int_equal(kehu_db_open(&db, o), code);
	assert_non_null(db); /* handed back so that errmsg can say why */
	assert_int_equal(kehu_errcode(db), code);
	assert_non_null(strstr(kehu_errmsg(db), needle));
	assert_int_equal(kehu_customer_create(&c, db, NULL), KEHU_EMISUSE);
	kehu_db_close(db);
}

static void test_bad_options(void **state)
{
	kehu_db_options o;
	kehu_storage st;

	(void)state;
	kehu_db_options_init(&o, 1);
	o.utc_offset = 90000;
	open_fails(&o, KEHU_EINVAL, "utc_offset");
	kehu_db_options_init(&o, 1);
	o.currency_exponent = 7;
	open_fails(&o, KEHU_EINVAL, "currency_exponent");
	kehu_db_options_init(&o, 1);
	o.version = 9;
	open_fails(&o, KEHU_EINVAL, "version");
	memset(&st, 0, sizeof st);
	st.version = 2;
	kehu_db_options_init(&o, 1);
	o.storage = &st;
	open_fails(&o, KEHU_EINVAL, "storage vtable version 2");
	st.version = 1;
	open_fails(&o, KEHU_EINVAL, "required slot");
}

static void test_allocator_is_used(void **state)
{
	test_alloc a;
	kehu_db *db;
	kehu_customer *c;
	void *ud = NULL;

	(void)state;
	memset(&a, 0, sizeof a);
	assert_int_equal(test_open(&db, &a, NULL), KEHU_OK);
	assert_true(kehu_db_allocator(db, &ud) == test_alloc_fn);
	assert_ptr_equal(ud, &a);
	assert_true(a.live_blocks > 0);
	assert_int_equal(kehu_customer_create(&c, db, "K"), KEHU_OK);
	kehu_customer_free(c);
	kehu_db_close(db);
	assert_int_equal(a.live_bytes, 0);
	assert_int_equal(a.bad_osize, 0);
}

static void test_open_out_of_memory(void **state)
{
	test_alloc a;
	kehu_db *db = (kehu_db *)&a;

	(void)state;
	memset(&a, 0, sizeof a);
	a.armed = 1;
	a.fail_at = 1; /* the handle itself */
	assert_int_equal(test_open(&db, &a, NULL), KEHU_ENOMEM);
	assert_null(db);
	assert_int_equal(kehu_errcode(NULL), KEHU_ENOMEM);
	assert_string_equal(kehu_errmsg(NULL), "out of memory");
}

static void test_host_transactions(void **state)
{
	kehu_db *db;
	kehu_customer *c;
	int64_t id;

	(void)state;
	assert_int_equal(kehu_db_open(&db, NULL), KEHU_OK);
	assert_int_equal(kehu_db_commit(db), KEHU_EMISUSE);
	assert_non_null(strstr(kehu_errmsg(db), "no transaction"));
	assert_int_equal(kehu_db_rollback(db), KEHU_EMISUSE);
	assert_int_equal(kehu_db_begin(db), KEHU_OK);
	assert_true(kehu_db_in_transaction(db));
	assert_int_equal(kehu_db_begin(db), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_create(&c, db, "A"), KEHU_OK);
	id = kehu_customer_get_id(c);
	kehu_customer_free(c);
	assert_int_equal(kehu_db_customer_count(db), 1);
	assert_int_equal(kehu_db_rollback(db), KEHU_OK);
	assert_false(kehu_db_in_transaction(db));
	assert_int_equal(kehu_db_customer_count(db), 0);
	assert_int_equal(kehu_customer_lookup(&c, db, id), KEHU_ENOTFOUND);
	assert_int_equal(kehu_customer_lookup_key(&c, db, "A"), KEHU_ENOTFOUND);
	/* a failed call that changed nothing keeps the transaction open */
	assert_int_equal(kehu_db_begin(db), KEHU_OK);
	assert_int_equal(kehu_customer_create(&c, db, "B"), KEHU_OK);
	kehu_customer_free(c);
	assert_int_equal(kehu_customer_create(&c, db, "B"), KEHU_EEXIST);
	assert_true(kehu_db_in_transaction(db));
	assert_int_equal(kehu_db_commit(db), KEHU_OK);
	assert_int_equal(kehu_customer_lookup_key(&c, db, "B"), KEHU_OK);
	kehu_customer_free(c);
	assert_int_equal(kehu_db_customer_count(db), 1);
	kehu_db_close(db);
}

static void test_close_rolls_back(void **state)
{
	kehu_storage_memory *mem;
	kehu_storage vt;
	kehu_db *db;
	kehu_customer *c;

	(void)state;
	assert_int_equal(kehu_storage_memory_new(&mem, NULL, NULL), 0);
	kehu_storage_memory_get_vtable(mem, &vt);
	assert_int_equal(test_open(&db, NULL, &vt), KEHU_OK);
	assert_int_equal(kehu_db_begin(db), KEHU_OK);
	assert_int_equal(kehu_customer_create(&c, db, "lost"), KEHU_OK);
	kehu_customer_free(c);
	kehu_db_close(db); /* never committed */
	assert_int_equal(test_open(&db, NULL, &vt), KEHU_OK);
	assert_int_equal(kehu_db_customer_count(db), 0);
	kehu_db_close(db);
	kehu_storage_memory_free(mem);
}

static void test_zombie_close(void **state)
{
	test_alloc a;
	kehu_db *db;
	kehu_customer *c;

	(void)state;
	memset(&a, 0, sizeof a);
	assert_int_equal(test_open(&db, &a, NULL), KEHU_OK);
	assert_int_equal(kehu_customer_create(&c, db, NULL), KEHU_OK);
	kehu_db_close(db);
	assert_true(a.live_blocks > 0); /* deferred: a handle is alive */
	assert_int_equal(kehu_customer_set_name(c, "x"), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_save(c), KEHU_EMISUSE);
	assert_int_equal(kehu_customer_get_id(c), 1);
	kehu_customer_free(c);
	assert_int_equal(a.live_bytes, 0);
	assert_int_equal(a.live_blocks, 0);
}

static void test_null_armor(void **state)
{
	kehu_customer *c = (kehu_customer *)1;
	kehu_metrics m;

	(void)state;
	assert_int_equal(kehu_db_begin(NULL), KEHU_EINVAL);
	assert_int_equal(kehu_db_commit(NULL), KEHU_EINVAL);
	assert_int_equal(kehu_db_rollback(NULL), KEHU_EINVAL);
	assert_int_equal(kehu_customer_create(&c, NULL, NULL), KEHU_EINVAL);
	assert_null(c);
	assert_int_equal(kehu_customer_lookup(NULL, NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_customer_save(NULL), KEHU_EINVAL);
	assert_int_equal(kehu_customer_delete(NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_customer_erase(NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_customer_foreach(NULL, NULL, NULL), KEHU_EINVAL);
	assert_int_equal(kehu_account_save(NULL), KEHU_EINVAL);
	assert_int_equal(kehu_interaction_record(NULL), KEHU_EINVAL);
	assert_int_equal(kehu_history_next(NULL, NULL), KEHU_EINVAL);
	assert_int_equal(kehu_metrics_init(NULL, 1), KEHU_EINVAL);
	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	assert_int_equal(kehu_metrics_read(&m, NULL, 1, 0), KEHU_EINVAL);
	assert_int_equal(kehu_storage_memory_new(NULL, NULL, NULL), KEHU_EINVAL);
	assert_int_equal(kehu_storage_memory_get_vtable(NULL, NULL),
	                 KEHU_EINVAL);
	assert_null(kehu_customer_get_key(NULL));
	assert_string_equal(kehu_customer_get_name(NULL), "");
	assert_int_equal(kehu_db_customer_count(NULL), 0);
	assert_false(kehu_db_in_transaction(NULL));
	kehu_customer_free(NULL);
	kehu_account_free(NULL);
	kehu_interaction_free(NULL);
	kehu_history_free(NULL);
	kehu_storage_memory_free(NULL);
}

static void test_metrics_read_checks(void **state)
{
	kehu_db *db;
	kehu_metrics m;

	(void)state;
	assert_int_equal(kehu_db_open(&db, NULL), KEHU_OK);
	memset(&m, 0, sizeof m);
	assert_int_equal(kehu_metrics_read(&m, db, 1, 0), KEHU_EINVAL);
	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	assert_int_equal(kehu_metrics_read(&m, db, 1, 0), KEHU_ENOTFOUND);
	assert_non_null(strstr(kehu_errmsg(db), "id 1"));
	assert_int_equal(kehu_metrics_read(&m, db, 1, -1), KEHU_EINVAL);
	assert_int_equal(kehu_metrics_read(&m, db, 1, INT64_C(253402300800)),
	                 KEHU_EINVAL);
	kehu_db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_allocator_is_used),
		cmocka_unit_test(test_open_out_of_memory),
		cmocka_unit_test(test_host_transactions),
		cmocka_unit_test(test_close_rolls_back),
		cmocka_unit_test(test_zombie_close),
		cmocka_unit_test(test_null_armor),
		cmocka_unit_test(test_metrics_read_checks),
	};

	return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
