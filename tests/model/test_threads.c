/*
 * tests/model/test_threads: the threading contract (kehu/db.h): distinct
 * dbs are independent and may be used from distinct threads at once.
 *
 * Eight threads each open their own db (four on a memory store, four on
 * a file store of their own) and run the same mixed workload: create
 * customers with fields, tags and attributes, record interactions (some
 * back-dated), read metrics, compile the default pack, classify all,
 * query, erase, and reopen the db over the same store.  Each thread's
 * final snapshot must equal the one the main thread got running the
 * workload alone.  Built in a ThreadSanitizer configuration by CI
 * (.ci/run: -Db_sanitize=thread), where any data race is a report and
 * fails the run (TSAN_OPTIONS=halt_on_error=1).
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kehu.h"
#include "kehu/file_store.h"
#include "testutil.h"

#define NTHREADS 8
#define ROUNDS 6
#define PER_ROUND 12

typedef struct worker {
	int index;
	int file;            /* 1: a file store, else a memory store */
	char path[96];
	kehu_storage_memory *mem;
	kehu_storage_file *fs;
	kehu_storage vt;
	kehu_db *db;
	test_alloc a;
	test_text snap;
	const char *failed;  /* what failed, NULL when all went well */
	int rc;
	pthread_t thread;
} worker;

#define TRY(w, call) do { int rc_ = (call); if (rc_ != KEHU_OK) { \
	(w)->failed = #call; (w)->rc = rc_; return -1; } } while (0)

static int open_store(worker *w)
{
	kehu_file_store_options fo;

	if (!w->file) {
		if (!w->mem)
			TRY(w, kehu_storage_memory_new(&w->mem, NULL, NULL));
		TRY(w, kehu_storage_memory_get_vtable(w->mem, &w->vt));
		return 0;
	}
	kehu_file_store_options_init(&fo, KEHU_FILE_STORE_OPTIONS_VERSION);
	fo.durability = KEHU_FILE_SYNC_OFF;
	TRY(w, kehu_storage_file_open(&w->fs, w->path, &fo));
	TRY(w, kehu_storage_file_get_vtable(w->fs, &w->vt));
	return 0;
}

static int open_db(worker *w)
{
	kehu_db_options o;

	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	o.alloc = test_alloc_fn;
	o.alloc_user_data = &w->a;
	o.storage = &w->vt;
	TRY(w, kehu_db_open(&w->db, &o));
	return 0;
}

/* Closes the db (and the file store), then opens both again. */
static int reopen(worker *w)
{
	kehu_db_close(w->db);
	w->db = NULL;
	if (w->a.live_blocks != 0) {
		w->failed = "blocks left after close";
		return -1;
	}
	if (w->file) {
		kehu_storage_file_close(w->fs);
		w->fs = NULL;
	}
	if (open_store(w) != 0)
		return -1;
	return open_db(w);
}

static int count_cb(kehu_id id, void *ud)
{
	(void)id;
	(*(int64_t *)ud)++;
	return 0;
}

static int record(worker *w, kehu_id id, int32_t type, int64_t t,
                  int64_t amount, int32_t sat)
{
	kehu_interaction *ix;

	TRY(w, kehu_interaction_new(&ix, w->db, id, type, t));
	if (amount)
		TRY(w, kehu_interaction_set_amount(ix, amount));
	if (sat)
		TRY(w, kehu_interaction_set_satisfaction(ix, sat));
	TRY(w, kehu_interaction_set_note(ix, "called back"));
	TRY(w, kehu_interaction_record(ix));
	kehu_interaction_free(ix);
	return 0;
}

/* One round: new customers and their activity, metrics, classification
 * and a query, an erase, a reopen.  Deterministic: every run of it does
 * the same calls. */
static int round_of(worker *w, int r)
{
	const char *src = kehu_rules_default_source();
	kehu_rules *rules = NULL;
	kehu_customer *c;
	kehu_metrics m;
	kehu_id first = 0;
	int64_t now = T0 + r * 30 * DAY, n = 0, done = 0;
	char key[32];
	int i;

	for (i = 0; i < PER_ROUND; i++) {
		kehu_id id;

		snprintf(key, sizeof key, "r%d-c%d", r, i);
		TRY(w, kehu_customer_create(&c, w->db, key));
		TRY(w, kehu_customer_set_name(c, "Somebody"));
		TRY(w, kehu_customer_set_attr_int(c, "intent", i % 11));
		TRY(w, kehu_customer_set_attr_number(c, "share_of_wallet",
		                                     (double)i / PER_ROUND));
		if (i % 4 == 0)
			TRY(w, kehu_customer_add_tag(c, "vip"));
		TRY(w, kehu_customer_save(c));
		id = kehu_customer_get_id(c);
		kehu_customer_free(c);
		if (!first)
			first = id;
		if (record(w, id, KEHU_IX_PURCHASE, now - i * DAY,
		           1000 * (i + 1), 0) ||
		    record(w, id, KEHU_IX_PURCHASE, now - 400 * DAY + i,
		           500, 0) || /* back-dated */
		    record(w, id, KEHU_IX_FEEDBACK, now, 0, 1 + i % 5) ||
		    (i % 3 == 0 &&
		     record(w, id, KEHU_IX_REFUND, now, 100 * i, 0)))
			return -1;
		kehu_metrics_init(&m, KEHU_METRICS_VERSION);
		TRY(w, kehu_metrics_read(&m, w->db, id, now));
		if (m.orders != 2 || m.interactions != 3 + (i % 3 == 0)) {
			w->failed = "metrics after recording";
			return -1;
		}
	}
	TRY(w, kehu_rules_compile(&rules, w->db, src, strlen(src)));
	TRY(w, kehu_rules_classify_all(w->db, rules, now, NULL, &done));
	TRY(w, kehu_query(w->db, rules, "importance == \"vip\"", now,
	                  count_cb, &n, NULL));
	kehu_rules_free(rules);
	if (done != kehu_db_customer_count(w->db) || n < 1) {
		w->failed = "classify or query counts";
		return -1;
	}
	TRY(w, kehu_customer_erase(w->db, first));
	return reopen(w);
}

static void *run(void *arg)
{
	worker *w = arg;
	int r;

	if (w->file) {
		snprintf(w->path, sizeof w->path, "kehu-threads-%ld-%d.db",
		         (long)getpid(), w->index);
		unlink(w->path);
	}
	if (open_store(w) != 0 || open_db(w) != 0)
		return NULL;
	for (r = 0; r < ROUNDS; r++)
		if (round_of(w, r) != 0)
			return NULL;
	w->rc = test_snapshot(w->db, T0 + ROUNDS * 30 * DAY, &w->snap);
	if (w->rc != KEHU_OK)
		w->failed = "snapshot";
	return NULL;
}

static void finish(worker *w)
{
	kehu_db_close(w->db);
	kehu_storage_file_close(w->fs);
	kehu_storage_memory_free(w->mem);
	if (w->file)
		unlink(w->path);
	if (w->failed)
		fail_msg("thread %d: %s: %d", w->index, w->failed, w->rc);
	assert_int_equal(w->a.live_blocks, 0);
	assert_int_equal(w->a.bad_osize, 0);
}

static void test_eight_threads_eight_dbs(void **state)
{
	static worker ref, ws[NTHREADS];
	int i;

	(void)state;
	/* the workload alone, for the expected snapshot */
	memset(&ref, 0, sizeof ref);
	ref.index = -1;
	run(&ref);
	assert_null(ref.failed);
	assert_true(ref.snap.len > 0);
	for (i = 0; i < NTHREADS; i++) {
		memset(&ws[i], 0, sizeof ws[i]);
		ws[i].index = i;
		ws[i].file = i % 2;
		assert_int_equal(pthread_create(&ws[i].thread, NULL, run,
		                                &ws[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_join(ws[i].thread, NULL), 0);
	for (i = 0; i < NTHREADS; i++) {
		finish(&ws[i]);
		assert_int_equal(ws[i].snap.len, ref.snap.len);
		assert_memory_equal(ws[i].snap.data, ref.snap.data,
		                    ref.snap.len);
		test_text_free(&ws[i].snap);
	}
	finish(&ref);
	test_text_free(&ref.snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eight_threads_eight_dbs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
