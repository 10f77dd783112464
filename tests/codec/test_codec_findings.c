/*
 * tests/codec/test_codec_findings: the record decoders on inputs the
 * fuzzers (tests/fuzz/fuzz_codec.c, fuzz_file_store.c) found, each
 * reproduced byte for byte; the corpus keeps them as regression-* seeds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codec/account.h"
#include "codec/customer.h"
#include "codec/interaction.h"
#include "codec/keys.h"
#include "codec/metrics.h"
#include "kehu.h"
#include "testutil.h"

/* A decode on a size-checking allocator: the code, and no block left
 * nor freed with a wrong size. */
typedef struct fx {
	test_alloc a;
	kehu__allocator al;
} fx;

static void fx_init(fx *f)
{
	memset(f, 0, sizeof *f);
	f->al.fn = test_alloc_fn;
	f->al.user_data = &f->a;
}

static void fx_check(const fx *f)
{
	assert_int_equal(f->a.bad_osize, 0);
	assert_int_equal(f->a.live_blocks, 0);
	assert_int_equal(f->a.live_bytes, 0);
}

/* corpus/codec/regression-account-name-nul: an account whose name
 * ("Ac\0\0...") holds NUL bytes.  It was copied whole, then freed by
 * strlen: the allocator got a wrong old size.  Strings with a NUL are
 * now corrupt (the library never writes one). */
static void test_account_name_with_nul(void **state)
{
	static const uint8_t in[] = {
		0x01, 0x08, 0x0c, 0x10, 0x00, 0x00, 0x00, 0x00, 0x02, 0x18,
		0x02, 0x22, 0x04, 0x41, 0x63, 0x00, 0x00, 0x00, 0x00, 0x02,
		0x18, 0x02, 0x22, 0x04, 0x41, 0x63, 0x6d, 0x65, 0x2a, 0x04,
		0x08, 0x02, 0x10, 0x01, 0x6d, 0x65, 0x2a, 0x04, 0x08, 0x02,
		0x10, 0x01,
	};
	kehu__account_rec a;
	fx f;

	(void)state;
	fx_init(&f);
	memset(&a, 0, sizeof a);
	assert_int_equal(kehu__account_rec_decode(&f.al, &a, in, sizeof in),
	                 KEHU_ECORRUPT);
	fx_check(&f);
}

/* The same through every other string of a record: the customer's key,
 * name and tags, an attribute's name and string value, an interaction's
 * channel and note. */
static void test_strings_with_nul(void **state)
{
	/* format 1; field n (bytes): "a\0b" */
	static const uint8_t cust_key[] = {0x01, 0x42, 0x03, 'a', 0, 'b'};
	static const uint8_t cust_name[] = {0x01, 0x4a, 0x03, 'a', 0, 'b'};
	static const uint8_t cust_tag[] = {0x01, 0x52, 0x03, 'a', 0, 'b'};
	/* field 11: {1: "a\0b", 2: 1 (string), 5: "x"} */
	static const uint8_t cust_attr_name[] = {
		0x01, 0x5a, 0x0a, 0x0a, 0x03, 'a', 0, 'b', 0x10, 0x01,
		0x2a, 0x01, 'x',
	};
	/* field 11: {1: "a", 2: 1 (string), 5: "x\0y"} */
	static const uint8_t cust_attr_value[] = {
		0x01, 0x5a, 0x0a, 0x0a, 0x01, 'a', 0x10, 0x01, 0x2a, 0x03,
		'x', 0, 'y',
	};
	static const uint8_t ix_channel[] = {0x01, 0x4a, 0x03, 'w', 0, 'b'};
	static const uint8_t ix_note[] = {0x01, 0x52, 0x03, 'n', 0, 'o'};
	static const struct {
		const uint8_t *p;
		size_t n;
	} custs[] = {
		{cust_key, sizeof cust_key},
		{cust_name, sizeof cust_name},
		{cust_tag, sizeof cust_tag},
		{cust_attr_name, sizeof cust_attr_name},
		{cust_attr_value, sizeof cust_attr_value},
	};
	kehu__customer_rec c;
	kehu__interaction_rec ix;
	size_t i;
	fx f;

	(void)state;
	for (i = 0; i < sizeof custs / sizeof custs[0]; i++) {
		fx_init(&f);
		memset(&c, 0, sizeof c);
		assert_int_equal(kehu__customer_rec_decode(&f.al, &c,
		                                           custs[i].p,
		                                           custs[i].n),
		                 KEHU_ECORRUPT);
		fx_check(&f);
	}
	fx_init(&f);
	memset(&ix, 0, sizeof ix);
	assert_int_equal(kehu__interaction_rec_decode(&f.al, &ix, ix_channel,
	                                              sizeof ix_channel),
	                 KEHU_ECORRUPT);
	memset(&ix, 0, sizeof ix);
	assert_int_equal(kehu__interaction_rec_decode(&f.al, &ix, ix_note,
	                                              sizeof ix_note),
	                 KEHU_ECORRUPT);
	fx_check(&f);
	/* without the NUL the same records decode */
	fx_init(&f);
	memset(&c, 0, sizeof c);
	{
		uint8_t ok[sizeof cust_tag];

		memcpy(ok, cust_tag, sizeof ok);
		ok[4] = '-';
		assert_int_equal(kehu__customer_rec_decode(&f.al, &c, ok,
		                                           sizeof ok),
		                 KEHU_OK);
		assert_int_equal(c.tags.len, 1);
		assert_string_equal(c.tags.items[0], "a-b");
		kehu__customer_rec_free(&f.al, &c);
	}
	fx_check(&f);
}

/* A customer's stored metrics with sales INT64_MAX and refunds -5: the
 * db opened and kehu_metrics_read computed sales - refunds, a signed
 * overflow (found while writing the file-store fuzzer's db walk, which
 * reads every customer's metrics from fuzzed records).  Values that
 * recording never writes are now corrupt: the open refuses them. */
static void put_metrics(const kehu_storage *vt, kehu_id id,
                        const kehu__metrics_rec *r)
{
	static const kehu__allocator al = {kehu_alloc_default, NULL};
	kehu__buf k, v;

	kehu__buf_init(&k, &al);
	kehu__buf_init(&v, &al);
	kehu__key_id(&k, KEHU__KEY_METRICS, id);
	kehu__metrics_rec_encode(&v, r);
	assert_int_equal(vt->begin(vt->user_data), KEHU_OK);
	assert_int_equal(vt->put(k.data, k.len, v.data, v.len,
	                         vt->user_data), KEHU_OK);
	assert_int_equal(vt->commit(vt->user_data), KEHU_OK);
	kehu__buf_free(&k);
	kehu__buf_free(&v);
}

static void test_metrics_out_of_range(void **state)
{
	kehu_storage_memory *mem;
	kehu_storage vt;
	kehu_db *db;
	kehu__metrics_rec r, d;
	kehu_metrics m;
	kehu_id id;
	kehu__buf b;
	static const kehu__allocator al = {kehu_alloc_default, NULL};
	int i;

	(void)state;
	assert_int_equal(kehu_storage_memory_new(&mem, NULL, NULL), KEHU_OK);
	assert_int_equal(kehu_storage_memory_get_vtable(mem, &vt), KEHU_OK);
	assert_int_equal(test_open(&db, NULL, &vt), KEHU_OK);
	id = test_new_customer(db);
	kehu_db_close(db);
	/* each out-of-range value on its own */
	kehu__buf_init(&b, &al);
	for (i = 0; i < 7; i++) {
		kehu__metrics_rec_empty(&r);
		switch (i) {
		case 0: r.sales = INT64_MAX; r.refunds = -5; break;
		case 1: r.cost = -1; break;
		case 2: r.cost = INT64_MAX; r.refunds = 2; break;
		case 3: r.first_purchase = -2; break;
		case 4: r.last_purchase = INT64_MAX; break;
		case 5: r.last_contact = INT64_C(253402300800); break;
		default: r.last_sat_time = INT64_MIN; break;
		}
		kehu__metrics_rec_encode(&b, &r);
		assert_int_equal(kehu__metrics_rec_decode(&d, b.data, b.len),
		                 KEHU_ECORRUPT);
	}
	/* the limits themselves decode */
	kehu__metrics_rec_empty(&r);
	r.sales = INT64_MAX;
	r.refunds = 0;
	r.cost = 0;
	r.first_purchase = 0;
	r.last_contact = INT64_C(253402300799);
	kehu__metrics_rec_encode(&b, &r);
	assert_int_equal(kehu__metrics_rec_decode(&d, b.data, b.len), KEHU_OK);
	kehu__buf_free(&b);
	/* the fuzzer's case, through the public API */
	kehu__metrics_rec_empty(&r);
	r.sales = INT64_MAX;
	r.refunds = -5;
	r.last_contact = T0;
	put_metrics(&vt, id, &r);
	assert_int_equal(test_open(&db, NULL, &vt), KEHU_ECORRUPT);
	assert_msg_has(db, "metrics of");
	kehu_db_close(db);
	/* repaired, it opens and reads */
	r.refunds = 5;
	put_metrics(&vt, id, &r);
	assert_int_equal(test_open(&db, NULL, &vt), KEHU_OK);
	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	assert_int_equal(kehu_metrics_read(&m, db, id, T0), KEHU_OK);
	assert_int_equal(m.revenue, INT64_MAX - 5);
	kehu_db_close(db);
	kehu_storage_memory_free(mem);
}

/* Day buckets of one customer, each with sales INT64_MAX, inside the
 * 30-day window: kehu_metrics_read summed them with a signed overflow,
 * and recording a purchase on such a day overflowed the bucket.  Both
 * are now KEHU_ECORRUPT (the same kind of stored data as above). */
static void test_day_buckets_out_of_range(void **state)
{
	static const kehu__allocator al = {kehu_alloc_default, NULL};
	kehu_storage_memory *mem;
	kehu_storage vt;
	kehu_interaction *ix;
	kehu__metrics_rec r;
	kehu__day_rec b;
	kehu__buf k, v;
	kehu_metrics m;
	kehu_db *db;
	kehu_id id;
	int32_t day = (int32_t)(T0 / DAY);
	int d;

	(void)state;
	assert_int_equal(kehu_storage_memory_new(&mem, NULL, NULL), KEHU_OK);
	assert_int_equal(kehu_storage_memory_get_vtable(mem, &vt), KEHU_OK);
	assert_int_equal(test_open(&db, NULL, &vt), KEHU_OK);
	id = test_new_customer(db);
	kehu_db_close(db);
	kehu__buf_init(&k, &al);
	kehu__buf_init(&v, &al);
	kehu__metrics_rec_empty(&r);
	r.sales = 10;
	r.orders = 2;
	r.purchase_days = 2;
	r.first_purchase = r.last_purchase = r.last_contact = T0;
	put_metrics(&vt, id, &r);
	assert_int_equal(vt.begin(vt.user_data), KEHU_OK);
	for (d = 0; d < 2; d++) {
		memset(&b, 0, sizeof b);
		b.orders = 1;
		b.sales = INT64_MAX;
		kehu__key_day(&k, id, day - d);
		kehu__day_rec_encode(&v, &b);
		assert_int_equal(vt.put(k.data, k.len, v.data, v.len,
		                        vt.user_data), KEHU_OK);
	}
	assert_int_equal(vt.commit(vt.user_data), KEHU_OK);
	kehu__buf_free(&k);
	kehu__buf_free(&v);
	assert_int_equal(test_open(&db, NULL, &vt), KEHU_OK);
	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	assert_int_equal(kehu_metrics_read(&m, db, id, T0), KEHU_ECORRUPT);
	assert_msg_has(db, "day bucket");
	assert_int_equal(kehu_interaction_new(&ix, db, id, KEHU_IX_PURCHASE,
	                                      T0), KEHU_OK);
	assert_int_equal(kehu_interaction_set_amount(ix, 5), KEHU_OK);
	assert_int_equal(kehu_interaction_record(ix), KEHU_ECORRUPT);
	kehu_interaction_free(ix);
	/* nothing was recorded */
	assert_int_equal(kehu_metrics_read(&m, db, id, T0 + 400 * DAY),
	                 KEHU_OK);
	assert_int_equal(m.orders, 2);
	kehu_db_close(db);
	kehu_storage_memory_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_name_with_nul),
		cmocka_unit_test(test_strings_with_nul),
		cmocka_unit_test(test_metrics_out_of_range),
		cmocka_unit_test(test_day_buckets_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
