/*
 * tests/model/test_storage_faults: storage failure at every call.  The
 * scenario of test_oom runs once per k over a store wrapper that fails
 * its k-th call: the storage error reaches the caller, the transaction
 * is rolled back, the db's in-memory state equals what a fresh db reads
 * from the store, and both equal the last committed state.  Also: codes
 * that are not KEHU_* codes (a raising ctypes callback) count as
 * KEHU_ESTORAGE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"

static void snapshot_of_store(const kehu_storage *vt, test_text *t)
{
	kehu_db *db;

	assert_int_equal(test_open(&db, NULL, vt), KEHU_OK);
	assert_int_equal(test_snapshot(db, SCENARIO_NOW, t), KEHU_OK);
	kehu_db_close(db);
}

static long run(long k, int code, int *failed_step)
{
	kehu_storage_memory *mem;
	kehu_storage inner, vt;
	test_faulty f;
	scenario s;
	int i, rc;

	memset(&f, 0, sizeof f);
	memset(&s, 0, sizeof s);
	*failed_step = -1;
	assert_int_equal(kehu_storage_memory_new(&mem, NULL, NULL), 0);
	assert_int_equal(kehu_storage_memory_get_vtable(mem, &inner), 0);
	f.inner = inner;
	f.fail_at = k;
	f.fail_code = code;
	test_faulty_vtable(&f, &vt);
	kehu_db_options_init(&s.opts, KEHU_DB_OPTIONS_VERSION);
	s.opts.storage = &vt;
	for (i = 0; i < scenario_steps(); i++) {
		test_text before, after, stored;

		memset(&before, 0, sizeof before);
		memset(&after, 0, sizeof after);
		memset(&stored, 0, sizeof stored);
		if (i > 0)
			assert_int_equal(test_snapshot(s.db, SCENARIO_NOW,
			                               &before), KEHU_OK);
		f.armed = 1;
		rc = scenario_step(&s, i);
		f.armed = 0;
		if (rc != KEHU_OK) {
			*failed_step = i;
			if (rc != KEHU_ESTORAGE)
				fail_msg("k=%ld step %d: %s (%s)", k, i,
				         kehu_strerror(rc), kehu_errmsg(s.db));
			assert_non_null(strstr(kehu_errmsg(s.db), "storage"));
			assert_false(kehu_db_in_transaction(s.db));
			if (i > 0 && i != scenario_steps() - 1) {
				assert_int_equal(test_snapshot(s.db,
				                               SCENARIO_NOW,
				                               &after), KEHU_OK);
				assert_string_equal(before.data, after.data);
			}
			if (i > 0) {
				snapshot_of_store(&inner, &stored);
				assert_string_equal(before.data, stored.data);
			}
		}
		test_text_free(&before);
		test_text_free(&after);
		test_text_free(&stored);
		if (rc != KEHU_OK)
			break;
	}
	scenario_end(&s);
	/* close is called exactly once per open, failed opens included */
	assert_true(f.closed >= 1);
	kehu_storage_memory_free(mem);
	return f.count;
}

static void run_all(int code)
{
	int failed_step, hit = 0;
	long total, k;

	total = run(0, code, &failed_step);
	assert_int_equal(failed_step, -1);
	assert_true(total > 50);
	for (k = 1; k <= total; k++) {
		run(k, code, &failed_step);
		hit += failed_step >= 0;
	}
	/* every call the library makes is checked: each failure surfaces
	 * (a failing rollback is the one call whose failure is not
	 * reported: the library reports the error that caused it) */
	assert_true(hit >= total - 2);
	print_message("%ld storage calls, each failed once (code %d): "
	              "%d surfaced, db always equal to its store\n",
	              total, code, hit);
}

static void test_every_call_fails_once(void **state)
{
	(void)state;
	run_all(KEHU_ESTORAGE);
}

static void test_garbage_codes_count_as_storage_errors(void **state)
{
	(void)state;
	/* what a ctypes callback that raised may hand back */
	run_all(12345);
}

static void test_close_called_once_on_failed_open(void **state)
{
	kehu_storage_memory *mem;
	kehu_storage inner, vt;
	test_faulty f;
	kehu_db *db;

	(void)state;
	memset(&f, 0, sizeof f);
	assert_int_equal(kehu_storage_memory_new(&mem, NULL, NULL), 0);
	kehu_storage_memory_get_vtable(mem, &inner);
	f.inner = inner;
	f.fail_at = 1;
	f.armed = 1;
	test_faulty_vtable(&f, &vt);
	assert_int_equal(test_open(&db, NULL, &vt), KEHU_ESTORAGE);
	assert_non_null(db);
	assert_non_null(strstr(kehu_errmsg(db), "storage get failed"));
	assert_int_equal(kehu_db_begin(db), KEHU_EMISUSE);
	kehu_db_close(db);
	assert_int_equal(f.closed, 1);
	kehu_storage_memory_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_call_fails_once),
		cmocka_unit_test(test_garbage_codes_count_as_storage_errors),
		cmocka_unit_test(test_close_called_once_on_failed_open),
	};

	return cmocka_run_group_tests_name("storage_faults", tests, NULL,
	                                   NULL);
}
