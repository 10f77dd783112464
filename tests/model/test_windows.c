/*
 * tests/model/test_windows: the trailing windows (revenue_30d ...
 * complaints_365d) as the rule engine reads them for a population: the
 * sequential reader (kehu__view_seq, one range scan per batch of
 * customers) must give exactly what kehu_metrics_read gives customer by
 * customer, across batch boundaries, accounts and deleted customers
 * between the customers, back-dated and future interactions, days at
 * the window edges and UTC offsets; customers changed while a batch is
 * held are read again; corrupt buckets are reported.  And the in-place
 * reader of a day bucket gives what kehu__day_rec_decode gives on every
 * input, canonical or not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codec/keys.h"
#include "codec/metrics.h"
#include "codec/record.h"
#include "model/metrics.h"
#include "model/view.h"
#include "testutil.h"

#define OK(x) assert_int_equal((x), KEHU_OK)

static const kehu__allocator libc_alloc = {kehu_alloc_default, NULL};

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

static void open_db(kehu_db **db, test_alloc *a, const kehu_storage *st,
                    int32_t utc_offset)
{
	kehu_db_options o;

	OK(kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION));
	o.alloc = test_alloc_fn;
	o.alloc_user_data = a;
	o.utc_offset = utc_offset;
	o.storage = st;
	OK(kehu_db_open(db, &o));
}

static void close_checked(kehu_db *db, test_alloc *a)
{
	kehu_db_close(db);
	assert_int_equal(a->live_bytes, 0);
	assert_int_equal(a->bad_osize, 0);
}

static void record(kehu_db *db, kehu_id cust, kehu_id acct, int32_t type,
                   int64_t t, int64_t amount, int32_t sat)
{
	kehu_interaction *ix;

	OK(kehu_interaction_new(&ix, db, cust, type, t));
	if (acct > 0)
		OK(kehu_interaction_set_account(ix, acct));
	if (amount)
		OK(kehu_interaction_set_amount(ix, amount));
	if (sat)
		OK(kehu_interaction_set_satisfaction(ix, sat));
	OK(kehu_interaction_record(ix));
	kehu_interaction_free(ix);
}

#define END (T0 + 800 * DAY) /* the population's last day */

/* A time about `days` days before END, sometimes exactly at a window's
 * edge, sometimes after END. */
static int64_t some_time(uint64_t *rnd)
{
	static const int64_t edges[] = {0, 1, 29, 30, 31, 89, 90, 91,
	                                364, 365, 366};
	uint64_t r = next_random(rnd);
	int64_t days, secs = (int64_t)(next_random(rnd) % (uint64_t)DAY);

	if (r % 4 == 0)
		days = edges[(r >> 8) % (sizeof edges / sizeof edges[0])];
	else if (r % 50 == 1)
		days = -(int64_t)((r >> 8) % 40); /* in the future */
	else
		days = (int64_t)((r >> 8) % 800);
	return END - days * DAY + secs - DAY / 2;
}

/*
 * n customers; an account after every 40th (so account buckets lie
 * between customers' in key order), paying for some of the next
 * customers' interactions; histories recorded out of time order (so most
 * are back-dated); every 23rd customer (not a payer) deleted afterwards;
 * every 17th has no interaction.
 */
static void populate(kehu_db *db, int n, uint64_t seed)
{
	uint64_t rnd = seed;
	kehu_id acct = 0;
	int c, k;

	OK(kehu_db_begin(db));
	for (c = 0; c < n; c++) {
		kehu_id id = test_new_customer(db);
		int count = (int)(next_random(&rnd) % 7);

		if (c % 40 == 0)
			acct = test_new_account(db, id);
		if (c % 17 == 0)
			continue;
		for (k = 0; k < count; k++) {
			uint64_t r = next_random(&rnd);
			int64_t t = some_time(&rnd);
			int64_t amount = 100 + (int64_t)(r % 100000);
			kehu_id a = r % 9 == 0 ? acct : 0;

			switch ((r >> 20) % 8) {
			case 0: case 1: case 2:
				record(db, id, a, KEHU_IX_PURCHASE, t, amount,
				       0);
				break;
			case 3:
				record(db, id, a, KEHU_IX_REFUND, t,
				       amount / 3, 0);
				break;
			case 4:
				record(db, id, 0, KEHU_IX_COMPLAINT, t, 0,
				       1 + (int32_t)(r % 5));
				break;
			case 5:
				record(db, id, 0, KEHU_IX_FEEDBACK, t, 0,
				       1 + (int32_t)(r % 5));
				break;
			default:
				record(db, id, a, KEHU_IX_VISIT, t, 0, 0);
			}
		}
	}
	OK(kehu_db_commit(db));
	for (c = 1; c < n; c += 23) {
		kehu__view v;

		if (c % 40 == 0)
			continue; /* an account's payer */
		kehu__view_at(db, (size_t)c, &v);
		OK(kehu_customer_delete(db, v.id));
	}
}

/* Reads every `step`-th live slot with a kehu__view_seq as of now and
 * compares each with kehu_metrics_read; returns how many had a
 * non-zero 365-day window. */
static int compare_seq(kehu_db *db, int64_t now, size_t step)
{
	kehu__view_seq seq;
	kehu__view v;
	size_t slot;
	int active = 0;

	OK(kehu__view_seq_begin(db, &seq, now));
	for (slot = 0; slot < kehu__view_slots(db); slot += step) {
		kehu_metrics a, b;

		if (kehu__view_at(db, slot, &v) != 0)
			continue;
		OK(kehu__view_seq_metrics(db, &seq, slot, now, &a));
		OK(kehu_metrics_init(&b, KEHU_METRICS_VERSION));
		OK(kehu_metrics_read(&b, db, v.id, now));
		test_assert_metrics_equal(&a, &b);
		active += b.revenue_365d != 0 || b.complaints_365d != 0;
	}
	kehu__view_seq_end(db, &seq);
	return active;
}

static void check_population(int32_t utc_offset, uint64_t seed)
{
	static const int64_t nows[] = {END, END - 100 * DAY + 3600,
	                               END + 200 * DAY, END + 400 * DAY,
	                               T0};
	test_alloc a;
	kehu_db *db;
	size_t i;

	memset(&a, 0, sizeof a);
	open_db(&db, &a, NULL, utc_offset);
	populate(db, 1400, seed); /* about three batches */
	for (i = 0; i < sizeof nows / sizeof nows[0]; i++) {
		int active = compare_seq(db, nows[i], 1);

		/* the population must exercise the windows (the last two
		 * nows, a year after END and before it, the quiet paths) */
		if (i < 3)
			assert_true(active > 100);
		else
			assert_true(active < 100);
		compare_seq(db, nows[i], 3);
		compare_seq(db, nows[i], 700);
	}
	close_checked(db, &a);
}

static void test_seq_equals_point_reads(void **state)
{
	(void)state;
	check_population(0, 88172645463325252u);
}

static void test_seq_equals_point_reads_offset(void **state)
{
	(void)state;
	check_population(-(5 * 3600 + 1800), 0x9E3779B97F4A7C15u);
	check_population(14 * 3600, 12345);
}

/* A customer changed after its batch was read (as a query's callback
 * may do) is read again: inside a host transaction too, where no new
 * transaction marks the change. */
static void check_changed_in_batch(int host_txn)
{
	int64_t now = T0 + 400 * DAY;
	kehu__view_seq seq;
	test_alloc a;
	kehu_metrics m, want;
	kehu_db *db;
	kehu_id ids[20];
	int c;

	memset(&a, 0, sizeof a);
	open_db(&db, &a, NULL, 0);
	for (c = 0; c < 20; c++) {
		ids[c] = test_new_customer(db);
		if (c != 12)
			record(db, ids[c], 0, KEHU_IX_PURCHASE,
			       now - (c + 1) * DAY, 1000 + c, 0);
	}
	if (host_txn)
		OK(kehu_db_begin(db));
	OK(kehu__view_seq_begin(db, &seq, now));
	OK(kehu__view_seq_metrics(db, &seq, 0, now, &m));
	assert_int_equal(m.revenue_30d, 1000);
	/* back-dated into slot 10's windows, and slot 12's first */
	record(db, ids[10], 0, KEHU_IX_PURCHASE, now - 50 * DAY, 7, 0);
	record(db, ids[12], 0, KEHU_IX_PURCHASE, now - 3 * DAY, 9, 0);
	for (c = 1; c < 20; c++) {
		OK(kehu__view_seq_metrics(db, &seq, (size_t)c, now, &m));
		OK(kehu_metrics_init(&want, KEHU_METRICS_VERSION));
		OK(kehu_metrics_read(&want, db, ids[c], now));
		test_assert_metrics_equal(&m, &want);
	}
	OK(kehu__view_seq_metrics(db, &seq, 19, now, &m));
	assert_int_equal(m.purchases_30d, 1);
	kehu__view_seq_end(db, &seq);
	OK(kehu_metrics_read(&want, db, ids[10], now));
	assert_int_equal(want.revenue_90d, 1010 + 7);
	assert_int_equal(want.revenue_30d, 1010);
	OK(kehu_metrics_read(&want, db, ids[12], now));
	assert_int_equal(want.revenue_30d, 9);
	if (host_txn)
		OK(kehu_db_commit(db));
	close_checked(db, &a);
}

static void test_changed_while_batch_held(void **state)
{
	(void)state;
	check_changed_in_batch(0);
	check_changed_in_batch(1);
}

/* A bucket that does not decode fails the read with KEHU_ECORRUPT. */
static void test_corrupt_bucket(void **state)
{
	int64_t now = T0 + 10 * DAY;
	kehu_storage_memory *mem;
	kehu__view_seq seq;
	kehu_storage vt;
	kehu_metrics m;
	test_alloc a;
	kehu_db *db;
	kehu__buf key;
	kehu_id ids[3];
	int c;

	(void)state;
	memset(&a, 0, sizeof a);
	OK(kehu_storage_memory_new(&mem, NULL, NULL));
	OK(kehu_storage_memory_get_vtable(mem, &vt));
	open_db(&db, &a, &vt, 0);
	for (c = 0; c < 3; c++) {
		ids[c] = test_new_customer(db);
		record(db, ids[c], 0, KEHU_IX_PURCHASE, now - DAY, 500, 0);
	}
	/* the middle customer's bucket, overwritten behind the db's back */
	kehu__buf_init(&key, kehu__view_allocator(db));
	kehu__key_day(&key, ids[1], (int32_t)((now - DAY) / DAY));
	assert_false(key.failed);
	OK(vt.begin(vt.user_data));
	OK(vt.put(key.data, key.len, "\x01\x08\xff", 3, vt.user_data));
	OK(vt.commit(vt.user_data));
	kehu__buf_free(&key);

	/* reported for that customer, not for the others of its batch */
	OK(kehu__view_seq_begin(db, &seq, now));
	OK(kehu__view_seq_metrics(db, &seq, 0, now, &m));
	assert_int_equal(m.revenue_30d, 500);
	assert_int_equal(kehu__view_seq_metrics(db, &seq, 1, now, &m),
	                 KEHU_ECORRUPT);
	assert_msg_has(db, "does not decode");
	OK(kehu__view_seq_metrics(db, &seq, 2, now, &m));
	assert_int_equal(m.revenue_30d, 500);
	kehu__view_seq_end(db, &seq);
	OK(kehu_metrics_init(&m, KEHU_METRICS_VERSION));
	OK(kehu_metrics_read(&m, db, ids[0], now));
	assert_int_equal(kehu_metrics_read(&m, db, ids[1], now),
	                 KEHU_ECORRUPT);
	close_checked(db, &a);
	kehu_storage_memory_free(mem);
}

/* ---- the in-place bucket reader ----------------------------------------- */

/* windows_add_day on val must agree with kehu__day_rec_decode. */
static void check_bucket(const void *val, size_t vlen)
{
	const int32_t today = 1000;
	kehu__windows w, want;
	kehu__day_rec b;
	int rc, want_rc, i;

	memset(&w, 0, sizeof w);
	memset(&want, 0, sizeof want);
	want_rc = kehu__day_rec_decode(&b, val, vlen) == KEHU_OK
		? KEHU_OK : KEHU_ECORRUPT;
	rc = kehu__windows_add_day(&w, today, today - 20, val, vlen);
	assert_int_equal(rc, want_rc);
	if (rc != KEHU_OK)
		return;
	for (i = 0; i < 3; i++) {
		want.revenue[i] = b.sales - b.refunds;
		want.purchases[i] = b.orders > 0;
		want.complaints[i] = b.complaints;
	}
	assert_memory_equal(&w, &want, sizeof w);
}

static void check_all_prefixes(const kehu__buf *v)
{
	size_t n;

	assert_false(v->failed);
	for (n = 0; n <= v->len; n++)
		check_bucket(v->data, n);
}

static void test_bucket_reader(void **state)
{
	static const int64_t money[] = {0, 1, -1, 63, 64, -65, 8191, 8192,
	                                INT64_C(1) << 55,
	                                -(INT64_C(1) << 55),
	                                (INT64_C(1) << 62) - 1,
	                                INT64_C(1) << 62, INT64_MAX,
	                                INT64_MIN};
	static const uint64_t counts[] = {0, 1, 127, 128, UINT32_MAX,
	                                  (uint64_t)UINT32_MAX + 1,
	                                  UINT64_MAX};
	const size_t nm = sizeof money / sizeof money[0];
	const size_t nc = sizeof counts / sizeof counts[0];
	kehu__buf v;
	kehu__day_rec d;
	uint64_t rnd = 7;
	size_t i;

	(void)state;
	kehu__buf_init(&v, &libc_alloc);
	/* canonical buckets, every prefix of them */
	for (i = 0; i < nm * nm; i++) {
		d.orders = (uint32_t)(next_random(&rnd) % 4);
		d.complaints = (uint32_t)(i % 3);
		d.sales = money[i % nm];
		d.refunds = money[i / nm];
		kehu__day_rec_encode(&v, &d);
		check_all_prefixes(&v);
	}
	/* out-of-range counts, fields in another order, missing, repeated,
	 * unknown or of another wire type, and other format bytes */
	for (i = 0; i < nc * nc; i++) {
		kehu__buf_reset(&v);
		kehu__rec_begin(&v);
		kehu__rec_u64(&v, 1, counts[i % nc]);
		kehu__rec_u64(&v, 2, counts[i / nc]);
		kehu__rec_i64(&v, 3, 5);
		kehu__rec_i64(&v, 4, 2);
		check_all_prefixes(&v);
	}
	kehu__buf_reset(&v);
	kehu__rec_begin(&v);
	kehu__rec_i64(&v, 4, 2);
	kehu__rec_i64(&v, 3, 50);
	kehu__rec_u64(&v, 2, 1);
	kehu__rec_u64(&v, 1, 3);
	check_all_prefixes(&v);
	kehu__buf_reset(&v);
	kehu__rec_begin(&v);
	kehu__rec_u64(&v, 1, 3);
	kehu__rec_i64(&v, 3, 50);
	check_all_prefixes(&v);
	kehu__buf_reset(&v);
	kehu__rec_begin(&v);
	kehu__rec_u64(&v, 1, 3);
	kehu__rec_u64(&v, 1, 4);
	kehu__rec_u64(&v, 2, 0);
	kehu__rec_i64(&v, 3, 50);
	kehu__rec_i64(&v, 4, 0);
	check_all_prefixes(&v);
	kehu__buf_reset(&v);
	kehu__rec_begin(&v);
	kehu__rec_u64(&v, 1, 3);
	kehu__rec_u64(&v, 2, 0);
	kehu__rec_i64(&v, 3, 50);
	kehu__rec_i64(&v, 4, 0);
	kehu__rec_u64(&v, 9, 77);
	kehu__rec_str(&v, 10, "later");
	check_all_prefixes(&v);
	kehu__buf_reset(&v);
	kehu__rec_begin(&v);
	kehu__rec_f64(&v, 1, 3.0);
	kehu__rec_u64(&v, 2, 0);
	kehu__rec_i64(&v, 3, 50);
	kehu__rec_i64(&v, 4, 0);
	check_all_prefixes(&v);
	/* non-minimal varints: the same numbers */
	check_bucket("\x01\x08\x81\x00\x10\x80\x00\x18\x84\x80\x00\x20\x00",
	             13);
	/* format bytes 0 and 2, a varint running off the end */
	check_bucket("\x00\x08\x01\x10\x00\x18\x04\x20\x00", 9);
	check_bucket("\x02\x08\x01\x10\x00\x18\x04\x20\x00", 9);
	check_bucket("\x01\x08\x01\x10\x00\x18\x04\x20\x80", 9);
	kehu__buf_free(&v);
}

/* Days outside every window are not decoded (so not checked) and add
 * nothing; the edges are exact. */
static void test_bucket_days(void **state)
{
	kehu__windows w;
	kehu__buf v;
	kehu__day_rec d = {2, 1, 500, 100};
	const int32_t today = 5000;

	(void)state;
	kehu__buf_init(&v, &libc_alloc);
	kehu__day_rec_encode(&v, &d);
	memset(&w, 0, sizeof w);
	OK(kehu__windows_add_day(&w, today, today, v.data, v.len));
	OK(kehu__windows_add_day(&w, today, today - 29, v.data, v.len));
	OK(kehu__windows_add_day(&w, today, today - 30, v.data, v.len));
	OK(kehu__windows_add_day(&w, today, today - 89, v.data, v.len));
	OK(kehu__windows_add_day(&w, today, today - 90, v.data, v.len));
	OK(kehu__windows_add_day(&w, today, today - 364, v.data, v.len));
	OK(kehu__windows_add_day(&w, today, today - 365, "x", 1));
	OK(kehu__windows_add_day(&w, today, today + 1, "x", 1));
	assert_int_equal(kehu__windows_add_day(&w, today, today - 364, "x",
	                                       1),
	                 KEHU_ECORRUPT);
	assert_int_equal(w.revenue[0], 2 * 400);
	assert_int_equal(w.revenue[1], 4 * 400);
	assert_int_equal(w.revenue[2], 6 * 400);
	assert_int_equal(w.purchases[0], 2);
	assert_int_equal(w.purchases[1], 4);
	assert_int_equal(w.purchases[2], 6);
	assert_int_equal(w.complaints[0], 2);
	assert_int_equal(w.complaints[1], 4);
	assert_int_equal(w.complaints[2], 6);
	kehu__buf_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_equals_point_reads),
		cmocka_unit_test(test_seq_equals_point_reads_offset),
		cmocka_unit_test(test_changed_while_batch_held),
		cmocka_unit_test(test_corrupt_bucket),
		cmocka_unit_test(test_bucket_reader),
		cmocka_unit_test(test_bucket_days),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
