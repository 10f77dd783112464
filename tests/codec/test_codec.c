/*
 * tests/codec/test_codec: the record encoding: round trips of every
 * record type, fields from "the future" skipped, newer formats refused,
 * malformed bytes rejected (never misread), and the key layout's order.
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
#include "codec/meta.h"
#include "codec/metrics.h"
#include "codec/record.h"
#include "core/tuning.h"
#include "kehu.h"

static const kehu__allocator libc_alloc = {kehu_alloc_default, NULL};

static void make_customer(kehu__customer_rec *c)
{
	kehu__attr at;

	memset(c, 0, sizeof *c);
	c->id = 42;
	c->rev = 7;
	c->kind = KEHU_KIND_ORGANISATION;
	c->relation = KEHU_RELATION_CHANNEL;
	c->status = KEHU_STATUS_CUSTOMER;
	c->referrer = 3;
	c->key = kehu__strndup(&libc_alloc, "ERP-42", 6);
	c->name = kehu__strndup(&libc_alloc, "\xe5\xae\xa2\xe6\x88\xb7", 6);
	kehu__strlist_push(&libc_alloc, &c->tags, "vip", 3);
	kehu__strlist_push(&libc_alloc, &c->tags, "b2b", 3);
	at.name = (char *)"limit";
	at.type = KEHU_ATTR_INT;
	at.v.i = -5;
	kehu__attrs_set(&libc_alloc, &c->attrs, &at);
	at.name = (char *)"rate";
	at.type = KEHU_ATTR_NUMBER;
	at.v.d = 0.125;
	kehu__attrs_set(&libc_alloc, &c->attrs, &at);
	at.name = (char *)"city";
	at.type = KEHU_ATTR_STRING;
	at.v.s = (char *)"Shanghai";
	kehu__attrs_set(&libc_alloc, &c->attrs, &at);
}

static void assert_same_customer(const kehu__customer_rec *a,
                                 const kehu__customer_rec *b)
{
	size_t i;

	assert_int_equal(a->id, b->id);
	assert_int_equal(a->rev, b->rev);
	assert_int_equal(a->kind, b->kind);
	assert_int_equal(a->relation, b->relation);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->referrer, b->referrer);
	assert_string_equal(a->key, b->key);
	assert_string_equal(a->name, b->name);
	assert_int_equal(a->tags.len, b->tags.len);
	for (i = 0; i < a->tags.len; i++)
		assert_string_equal(a->tags.items[i], b->tags.items[i]);
	assert_int_equal(a->attrs.len, b->attrs.len);
	for (i = 0; i < a->attrs.len; i++) {
		assert_string_equal(a->attrs.items[i].name,
		                    b->attrs.items[i].name);
		assert_int_equal(a->attrs.items[i].type, b->attrs.items[i].type);
	}
}

static void test_customer_round_trip(void **state)
{
	kehu__customer_rec c, d;
	kehu__buf b;

	(void)state;
	make_customer(&c);
	kehu__buf_init(&b, &libc_alloc);
	kehu__customer_rec_encode(&b, &c);
	assert_false(b.failed);
	assert_int_equal(b.data[0], KEHU__REC_FORMAT);
	memset(&d, 0, sizeof d);
	assert_int_equal(kehu__customer_rec_decode(&libc_alloc, &d, b.data,
	                                           b.len), KEHU_OK);
	assert_same_customer(&c, &d);
	/* attributes come back sorted by name */
	assert_string_equal(d.attrs.items[0].name, "city");
	assert_string_equal(d.attrs.items[0].v.s, "Shanghai");
	assert_int_equal(d.attrs.items[1].v.i, -5);
	assert_true(d.attrs.items[2].v.d == 0.125);
	kehu__customer_rec_free(&libc_alloc, &c);
	kehu__customer_rec_free(&libc_alloc, &d);
	kehu__buf_free(&b);
}

/* A newer library wrote fields 40 (varint), 41 (bytes), 42 (double) and
 * an attribute with an unknown sub-field: this one skips them all. */
static void test_future_fields_are_skipped(void **state)
{
	kehu__customer_rec c, d;
	kehu__buf b, nested;

	(void)state;
	make_customer(&c);
	kehu__buf_init(&b, &libc_alloc);
	kehu__buf_init(&nested, &libc_alloc);
	kehu__customer_rec_encode(&b, &c);
	kehu__rec_u64(&b, 40, 123456789);
	kehu__rec_str(&b, 41, "loyalty tier from the future");
	kehu__rec_f64(&b, 42, 3.5);
	kehu__rec_str(&nested, 1, "future_attr");
	kehu__rec_u64(&nested, 2, KEHU_ATTR_INT);
	kehu__rec_i64(&nested, 3, 9);
	kehu__rec_str(&nested, 17, "unknown sub-field");
	kehu__rec_bytes(&b, 11, nested.data, nested.len);
	memset(&d, 0, sizeof d);
	assert_int_equal(kehu__customer_rec_decode(&libc_alloc, &d, b.data,
	                                           b.len), KEHU_OK);
	assert_int_equal(d.id, 42);
	assert_string_equal(d.name, c.name);
	assert_int_equal(d.attrs.len, 4);
	assert_string_equal(d.attrs.items[1].name, "future_attr");
	assert_int_equal(d.attrs.items[1].v.i, 9);
	kehu__customer_rec_free(&libc_alloc, &c);
	kehu__customer_rec_free(&libc_alloc, &d);
	kehu__buf_free(&b);
	kehu__buf_free(&nested);
}

static void test_newer_format_refused(void **state)
{
	kehu__customer_rec c, d;
	kehu__buf b;

	(void)state;
	make_customer(&c);
	kehu__buf_init(&b, &libc_alloc);
	kehu__customer_rec_encode(&b, &c);
	b.data[0] = KEHU__REC_FORMAT + 1;
	memset(&d, 0, sizeof d);
	assert_int_equal(kehu__customer_rec_decode(&libc_alloc, &d, b.data,
	                                           b.len), KEHU_ECORRUPT);
	assert_int_equal(kehu__customer_rec_decode(&libc_alloc, &d, b.data, 0),
	                 KEHU_ECORRUPT);
	kehu__customer_rec_free(&libc_alloc, &c);
	kehu__buf_free(&b);
}

/* Every truncation and every single-byte change of a valid record
 * decodes or fails cleanly (ASan checks no read goes out of bounds). */
static void test_truncated_and_mangled_records(void **state)
{
	kehu__customer_rec c, d;
	kehu__buf b;
	size_t n, i;
	int bad = 0;

	(void)state;
	make_customer(&c);
	kehu__buf_init(&b, &libc_alloc);
	kehu__customer_rec_encode(&b, &c);
	for (n = 0; n < b.len; n++) {
		memset(&d, 0, sizeof d);
		if (kehu__customer_rec_decode(&libc_alloc, &d, b.data, n) !=
		    KEHU_OK)
			bad++;
		kehu__customer_rec_free(&libc_alloc, &d);
	}
	assert_true(bad > 0);
	for (i = 1; i < b.len; i++) {
		uint8_t keep = b.data[i];

		b.data[i] ^= 0xFF;
		memset(&d, 0, sizeof d);
		kehu__customer_rec_decode(&libc_alloc, &d, b.data, b.len);
		kehu__customer_rec_free(&libc_alloc, &d);
		b.data[i] = keep;
	}
	kehu__customer_rec_free(&libc_alloc, &c);
	kehu__buf_free(&b);
}

static void test_interaction_account_metrics_meta(void **state)
{
	kehu__interaction_rec ix, ix2;
	kehu__account_rec a, a2;
	kehu__metrics_rec m, m2;
	kehu__day_rec day, day2;
	kehu__meta_rec meta, meta2;
	kehu__member mem[2] = {{5, KEHU_ROLE_PAYER}, {6, KEHU_ROLE_USER}};
	kehu__buf b;

	(void)state;
	kehu__buf_init(&b, &libc_alloc);
	memset(&ix, 0, sizeof ix);
	ix.id = 9;
	ix.customer = 5;
	ix.account = 8;
	ix.time = 1704067200;
	ix.amount = INT64_MAX;
	ix.cost = 1;
	ix.type = KEHU_IX_FEEDBACK;
	ix.satisfaction = 4;
	ix.note = (char *)"note";
	kehu__interaction_rec_encode(&b, &ix);
	memset(&ix2, 0, sizeof ix2);
	assert_int_equal(kehu__interaction_rec_decode(&libc_alloc, &ix2,
	                                              b.data, b.len), 0);
	assert_int_equal(ix2.amount, INT64_MAX);
	assert_int_equal(ix2.satisfaction, 4);
	assert_int_equal(ix2.account, 8);
	assert_string_equal(ix2.note, "note");
	assert_null(ix2.channel);
	kehu__interaction_rec_free(&libc_alloc, &ix2);

	memset(&a, 0, sizeof a);
	a.id = 8;
	a.rev = 2;
	a.payer = 5;
	a.members = mem;
	a.nmembers = 2;
	kehu__account_rec_encode(&b, &a);
	memset(&a2, 0, sizeof a2);
	assert_int_equal(kehu__account_rec_decode(&libc_alloc, &a2, b.data,
	                                          b.len), 0);
	assert_int_equal(a2.nmembers, 2);
	assert_int_equal(a2.members[1].customer, 6);
	assert_int_equal(a2.members[1].role, KEHU_ROLE_USER);
	kehu__account_rec_free(&libc_alloc, &a2);

	kehu__metrics_rec_empty(&m);
	m.sales = INT64_MAX;
	m.refunds = 12;
	m.orders = UINT32_MAX;
	m.last_sat = 5;
	kehu__metrics_rec_encode(&b, &m);
	assert_int_equal(kehu__metrics_rec_decode(&m2, b.data, b.len), 0);
	assert_memory_equal(&m, &m2, sizeof m);

	memset(&day, 0, sizeof day);
	day.orders = 3;
	day.sales = 4;
	kehu__day_rec_encode(&b, &day);
	assert_int_equal(kehu__day_rec_decode(&day2, b.data, b.len), 0);
	assert_memory_equal(&day, &day2, sizeof day);
	/* a negative sum never comes from recording: corrupt */
	day.sales = -4;
	kehu__day_rec_encode(&b, &day);
	assert_int_equal(kehu__day_rec_decode(&day2, b.data, b.len),
	                 KEHU_ECORRUPT);

	memset(&meta, 0, sizeof meta);
	meta.format = 1;
	meta.utc_offset = -36000;
	meta.currency_exponent = 3;
	meta.next_id = 77;
	kehu__meta_rec_encode(&b, &meta);
	assert_int_equal(kehu__meta_rec_decode(&meta2, b.data, b.len), 0);
	assert_memory_equal(&meta, &meta2, sizeof meta);
	kehu__buf_free(&b);
}

static int cmp_keys(const kehu__buf *a, const kehu__buf *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->data, b->data, n);

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

/* The metrics record is written in one pass after one check for room:
 * the same bytes as the general writer field by field, every field in
 * its place (each a distinct value the decoder accepts, from -1 to the
 * type's limits). */
static void test_metrics_rec_fields(void **state)
{
	kehu__metrics_rec m, m2;
	kehu__buf b, want;
	int64_t i64[7] = {-1, 1700000000, 1700003600, 1600000000,
	                  INT64_MAX, 1234567, 9};
	uint32_t u32[9] = {UINT32_MAX, 1, 127, 128, 16383, 16384, 0, 77, 5};
	uint32_t i;

	(void)state;
	memset(&m, 0, sizeof m); /* padding too: compared whole below */
	m.first_purchase = i64[0];
	m.last_purchase = i64[1];
	m.last_contact = i64[2];
	m.last_sat_time = i64[3];
	m.sales = i64[4];
	m.refunds = i64[5];
	m.cost = i64[6];
	m.interactions = u32[0];
	m.orders = u32[1];
	m.purchase_days = u32[2];
	m.months_active = u32[3];
	m.complaints = u32[4];
	m.referrals = u32[5];
	m.sat_sum = u32[6];
	m.sat_count = u32[7];
	m.last_sat = (uint8_t)u32[8];
	kehu__buf_init(&b, &libc_alloc);
	kehu__buf_init(&want, &libc_alloc);
	kehu__rec_begin(&want);
	for (i = 0; i < 7; i++)
		kehu__rec_i64(&want, i + 1, i64[i]);
	for (i = 0; i < 9; i++)
		kehu__rec_u64(&want, i + 8, u32[i]);
	kehu__metrics_rec_encode(&b, &m);
	assert_false(b.failed);
	assert_int_equal(b.len, want.len);
	assert_memory_equal(b.data, want.data, want.len);
	memset(&m2, 0xa5, sizeof m2);
	assert_int_equal(kehu__metrics_rec_decode(&m2, b.data, b.len), 0);
	assert_memory_equal(&m2, &m, sizeof m);
	kehu__buf_free(&b);
	kehu__buf_free(&want);
}

/* Varints of every length read back exactly, through the one-byte,
 * two- and three-byte and general paths of the reader, and ones that run
 * past the end or past 64 bits are malformed. */
static void test_varint_lengths(void **state)
{
	static const uint64_t values[] = {
		0, 1, 127, 128, 255, 16383, 16384, 16385, 2097151, 2097152,
		268435455, 268435456, UINT64_C(1) << 35, UINT64_C(1) << 62,
		INT64_MAX, UINT64_MAX - 1, UINT64_MAX};
	static const uint8_t past_end[][3] = {
		{0x08, 0x80, 0}, {0x08, 0xFF, 0x80}};
	/* eleven bytes, and ten whose last carries bits past 64 */
	static const uint8_t too_long[][13] = {
		{1, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		 0xFF, 0x01},
		{1, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		 0x02, 0}};
	const size_t n = sizeof values / sizeof values[0];
	kehu__rec_reader r;
	kehu__rec_field f;
	kehu__buf b;
	size_t i;

	(void)state;
	kehu__buf_init(&b, &libc_alloc);
	kehu__rec_begin(&b);
	for (i = 0; i < n; i++)
		kehu__rec_u64(&b, (uint32_t)(i + 1), values[i]);
	assert_false(b.failed);
	assert_int_equal(kehu__rec_open(&r, b.data, b.len), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(kehu__rec_next(&r, &f), 1);
		assert_int_equal(f.number, i + 1);
		assert_int_equal(f.wire, KEHU__WIRE_VARINT);
		assert_true(f.u == values[i]);
	}
	assert_int_equal(kehu__rec_next(&r, &f), 0);
	for (i = 0; i < 2; i++) {
		/* a field tag, then a value cut short */
		kehu__rec_open_nested(&r, past_end[i], i == 0 ? 2 : 3);
		assert_int_equal(kehu__rec_next(&r, &f), -1);
		assert_int_equal(kehu__rec_open(&r, too_long[i],
		                                i == 0 ? 13 : 12), 0);
		assert_int_equal(kehu__rec_next(&r, &f), -1);
	}
	kehu__buf_free(&b);
}

#if KEHU__FAST_PATHS
static int count_section(void *user, const char *name, size_t len,
                         const kehu__attr_view *attr)
{
	(void)name;
	(void)len;
	(void)attr;
	(*(int *)user)++;
	return 0;
}
#endif

/* An attribute whose text value (field 5) comes as a varint is corrupt:
 * it reads as missing, in place and through the section index, and no
 * stale bytes are taken for its text. */
static void test_attribute_of_the_wrong_kind(void **state)
{
	kehu__attr_view v;
	kehu__buf b, entry;

	(void)state;
	kehu__buf_init(&b, &libc_alloc);
	kehu__buf_init(&entry, &libc_alloc);
	kehu__rec_str(&entry, 1, "tier");
	kehu__rec_u64(&entry, 2, KEHU_ATTR_STRING);
	kehu__rec_u64(&entry, 5, 12345);
	kehu__rec_begin(&b);
	kehu__rec_i64(&b, 1, 42);
	kehu__rec_str(&b, 9, "a name, whose bytes must not be read");
	kehu__rec_bytes(&b, 11, entry.data, entry.len);
	assert_false(b.failed || entry.failed);
	assert_int_equal(kehu__customer_rec_find_attr(b.data, b.len, "tier",
	                                              &v), 0);
#if KEHU__FAST_PATHS
	{
		int seen = 0;

		assert_int_equal(kehu__customer_rec_each_section(
			b.data, b.len, count_section, &seen), KEHU_ECORRUPT);
		assert_int_equal(seen, 0);
	}
#endif
	kehu__buf_free(&entry);
	kehu__buf_free(&b);
}

static void test_key_order_is_numeric(void **state)
{
	kehu__buf a, b;
	int32_t day;

	(void)state;
	kehu__buf_init(&a, &libc_alloc);
	kehu__buf_init(&b, &libc_alloc);
	kehu__key_interaction(&a, 2, 255, 9);
	kehu__key_interaction(&b, 2, 256, 1);
	assert_true(cmp_keys(&a, &b) < 0);
	kehu__key_interaction(&b, 10, 0, 0);
	assert_true(cmp_keys(&a, &b) < 0);
	kehu__key_day(&a, 4, -1);
	kehu__key_day(&b, 4, 0);
	assert_true(cmp_keys(&a, &b) < 0);
	assert_int_equal(kehu__key_parse_day(a.data, a.len, &day), 0);
	assert_int_equal(day, -1);
	kehu__key_id(&a, KEHU__KEY_CUSTOMER, 0x0100);
	kehu__key_id(&b, KEHU__KEY_CUSTOMER, 0x00FF);
	assert_true(cmp_keys(&b, &a) < 0);
	kehu__buf_free(&a);
	kehu__buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_customer_round_trip),
		cmocka_unit_test(test_future_fields_are_skipped),
		cmocka_unit_test(test_newer_format_refused),
		cmocka_unit_test(test_truncated_and_mangled_records),
		cmocka_unit_test(test_interaction_account_metrics_meta),
		cmocka_unit_test(test_metrics_rec_fields),
		cmocka_unit_test(test_varint_lengths),
		cmocka_unit_test(test_attribute_of_the_wrong_kind),
		cmocka_unit_test(test_key_order_is_numeric),
	};

	return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
