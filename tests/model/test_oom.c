/*
 * tests/model/test_oom: out-of-memory at every allocation.  A scenario
 * (open, create customers with tags and attributes, save, record
 * interactions, accounts, a host transaction, delete, erase, reopen) runs
 * once per k with an allocator that fails its k-th allocation: the
 * failing call returns KEHU_ENOMEM, the db reads back exactly as before
 * the call, a fresh db opened on the same store reads back the same, and
 * nothing leaks.
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

/* Runs the scenario failing allocation k (0: none); returns how many
 * allocations the steps made. */
static long run(long k, int *failed_step)
{
	test_alloc a;
	kehu_storage_memory *mem;
	kehu_storage vt;
	scenario s;
	int i, rc;

	memset(&a, 0, sizeof a);
	memset(&s, 0, sizeof s);
	*failed_step = -1;
	assert_int_equal(kehu_storage_memory_new(&mem, test_alloc_fn, &a), 0);
	assert_int_equal(kehu_storage_memory_get_vtable(mem, &vt), 0);
	kehu_db_options_init(&s.opts, KEHU_DB_OPTIONS_VERSION);
	s.opts.alloc = test_alloc_fn;
	s.opts.alloc_user_data = &a;
	s.opts.storage = &vt;
	a.fail_at = k;
	for (i = 0; i < scenario_steps(); i++) {
		test_text before, after, stored;

		memset(&before, 0, sizeof before);
		memset(&after, 0, sizeof after);
		memset(&stored, 0, sizeof stored);
		if (i > 0)
			assert_int_equal(test_snapshot(s.db, SCENARIO_NOW,
			                               &before), KEHU_OK);
		a.armed = 1;
		rc = scenario_step(&s, i);
		a.armed = 0;
		if (rc != KEHU_OK) {
			*failed_step = i;
			if (rc != KEHU_ENOMEM)
				fail_msg("k=%ld step %d: %s (%s)", k, i,
				         kehu_strerror(rc), kehu_errmsg(s.db));
			if (i > 0 && i != scenario_steps() - 1) {
				assert_int_equal(test_snapshot(s.db,
				                               SCENARIO_NOW,
				                               &after), KEHU_OK);
				assert_string_equal(before.data, after.data);
			}
			if (i > 0) {
				snapshot_of_store(&vt, &stored);
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
	kehu_storage_memory_free(mem);
	assert_int_equal(a.live_bytes, 0);
	assert_int_equal(a.live_blocks, 0);
	assert_int_equal(a.bad_osize, 0);
	if (k)
		assert_int_equal(a.failures, *failed_step >= 0 ? 1 : 0);
	return a.count;
}

static void test_every_allocation_fails_once(void **state)
{
	int failed_step, steps_hit[32] = {0};
	long total, k;

	(void)state;
	total = run(0, &failed_step);
	assert_int_equal(failed_step, -1);
	assert_true(total > 100);
	for (k = 1; k <= total; k++) {
		run(k, &failed_step);
		/* allocation k happens in some step, which must then fail */
		assert_true(failed_step >= 0);
		steps_hit[failed_step]++;
	}
	for (k = 0; k < scenario_steps(); k++)
		assert_true(steps_hit[k] > 0);
	print_message("%ld allocations, each failed once: every call "
	              "returned KEHU_ENOMEM and left the db as before\n",
	              total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_allocation_fails_once),
	};

	return cmocka_run_group_tests_name("oom", tests, NULL, NULL);
}
