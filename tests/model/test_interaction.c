/*
 * tests/model/test_interaction: interactions and the metrics they feed
 * (model layer) through the public API: type names, building and
 * recording, the satisfaction rules, every metric by its definition in
 * kehu/metrics.h (distinct purchase days, months, money, windows exact
 * to the day, the db's UTC offset), back-dated interactions, overflow,
 * and the history iterator (order, bounds, resumable paging, size).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "testutil.h"

#define OK(x) assert_int_equal((x), KEHU_OK)
#define H INT64_C(3600)
#define TIME_MAX INT64_C(253402300799)

/* Opens a db with a UTC offset and the test allocator. */
static void open_offset(kehu_db **db, test_alloc *a, int32_t offset)
{
	kehu_db_options o;

	OK(kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION));
	o.alloc = test_alloc_fn;
	o.alloc_user_data = a;
	o.utc_offset = offset;
	OK(kehu_db_open(db, &o));
	assert_int_equal(kehu_db_get_utc_offset(*db), offset);
}

static void close_checked(kehu_db *db, test_alloc *a)
{
	kehu_db_close(db);
	assert_int_equal(a->live_bytes, 0);
	assert_int_equal(a->bad_osize, 0);
}

/* One interaction to record. */
typedef struct ixs {
	int32_t type;
	int64_t time;
	int64_t amount;
	int64_t cost;
	int32_t sat;
} ixs;

static int try_rec(kehu_db *db, kehu_id cust, kehu_id acct, const ixs *s,
                   kehu_id *id_out)
{
	kehu_interaction *ix;
	int rc;

	OK(kehu_interaction_new(&ix, db, cust, s->type, s->time));
	OK(kehu_interaction_set_account(ix, acct));
	OK(kehu_interaction_set_amount(ix, s->amount));
	OK(kehu_interaction_set_cost(ix, s->cost));
	OK(kehu_interaction_set_satisfaction(ix, s->sat));
	rc = kehu_interaction_record(ix);
	if (id_out)
		*id_out = kehu_interaction_get_id(ix);
	kehu_interaction_free(ix);
	return rc;
}

static kehu_id rec(kehu_db *db, kehu_id cust, int32_t type, int64_t t,
                   int64_t amount)
{
	ixs s = {type, t, amount, 0, type == KEHU_IX_FEEDBACK ? 3 : 0};
	kehu_id id;

	OK(try_rec(db, cust, 0, &s, &id));
	return id;
}

static void read_m(kehu_db *db, kehu_id id, int64_t now, kehu_metrics *m)
{
	OK(kehu_metrics_init(m, KEHU_METRICS_VERSION));
	OK(kehu_metrics_read(m, db, id, now));
}

/* ---- types and building ------------------------------------------------ */

static void test_type_names(void **state)
{
	static const char *const names[] = {
		"purchase", "refund", "visit", "call", "email",
		"service_request", "complaint", "feedback", "referral",
		"marketing"};
	static const int32_t types[] = {
		KEHU_IX_PURCHASE, KEHU_IX_REFUND, KEHU_IX_VISIT, KEHU_IX_CALL,
		KEHU_IX_EMAIL, KEHU_IX_SERVICE_REQUEST, KEHU_IX_COMPLAINT,
		KEHU_IX_FEEDBACK, KEHU_IX_REFERRAL, KEHU_IX_MARKETING};
	int32_t t;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		assert_string_equal(kehu_interaction_type_name(types[i]),
		                    names[i]);
		t = -1;
		OK(kehu_interaction_type_from_name(names[i], &t));
		assert_int_equal(t, types[i]);
	}
	assert_null(kehu_interaction_type_name(0));
	assert_null(kehu_interaction_type_name(11));
	assert_null(kehu_interaction_type_name(-1));
	assert_null(kehu_interaction_type_name(INT32_MAX));
	t = 42;
	assert_int_equal(kehu_interaction_type_from_name("Purchase", &t),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_interaction_type_from_name("", &t),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_interaction_type_from_name("purchases", &t),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_interaction_type_from_name("purchas", &t),
	                 KEHU_ENOTFOUND);
	assert_int_equal(t, 42);
	assert_int_equal(kehu_interaction_type_from_name(NULL, &t),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_type_from_name("call", NULL),
	                 KEHU_EINVAL);
}

static void test_new(void **state)
{
	test_fx *f = *state;
	kehu_interaction *ix = (kehu_interaction *)&ix;
	kehu_id c = test_new_customer(f->db);

	assert_int_equal(kehu_interaction_new(&ix, f->db, c, 0, T0),
	                 KEHU_EINVAL);
	assert_null(ix);
	assert_msg_has(f->db, "type");
	assert_int_equal(kehu_interaction_new(&ix, f->db, c, 11, T0),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_new(&ix, f->db, c, -1, T0),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_new(&ix, f->db, c, 1, -1),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "time");
	assert_int_equal(kehu_interaction_new(&ix, f->db, c, 1, TIME_MAX + 1),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_new(&ix, f->db, c, 1, INT64_MIN),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_new(&ix, f->db, c, 1, INT64_MAX),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_new(&ix, f->db, 0, 1, T0),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_new(&ix, f->db, -7, 1, T0),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "-7");
	assert_int_equal(kehu_interaction_new(NULL, f->db, c, 1, T0),
	                 KEHU_EINVAL);
	ix = (kehu_interaction *)&ix;
	assert_int_equal(kehu_interaction_new(&ix, NULL, c, 1, T0),
	                 KEHU_EINVAL);
	assert_null(ix);

	/* the extremes of the time range are fine */
	OK(kehu_interaction_new(&ix, f->db, c, KEHU_IX_VISIT, 0));
	OK(kehu_interaction_record(ix));
	kehu_interaction_free(ix);
	OK(kehu_interaction_new(&ix, f->db, c, KEHU_IX_VISIT, TIME_MAX));
	OK(kehu_interaction_record(ix));
	kehu_interaction_free(ix);

	/* defaults before recording */
	OK(kehu_interaction_new(&ix, f->db, 12345, KEHU_IX_CALL, T0));
	assert_int_equal(kehu_interaction_get_id(ix), 0);
	assert_int_equal(kehu_interaction_get_customer(ix), 12345);
	assert_int_equal(kehu_interaction_get_account(ix), 0);
	assert_int_equal(kehu_interaction_get_type(ix), KEHU_IX_CALL);
	assert_int_equal(kehu_interaction_get_time(ix), T0);
	assert_int_equal(kehu_interaction_get_amount(ix), 0);
	assert_int_equal(kehu_interaction_get_cost(ix), 0);
	assert_int_equal(kehu_interaction_get_satisfaction(ix), 0);
	assert_string_equal(kehu_interaction_get_channel(ix), "");
	assert_string_equal(kehu_interaction_get_note(ix), "");
	assert_int_equal(kehu_interaction_attr_count(ix), 0);
	/* an unknown customer is refused when recorded */
	assert_int_equal(kehu_interaction_record(ix), KEHU_ENOTFOUND);
	assert_msg_has(f->db, "12345");
	assert_int_equal(kehu_interaction_get_id(ix), 0);
	kehu_interaction_free(ix);
}

static void test_setters(void **state)
{
	test_fx *f = *state;
	kehu_interaction *ix;
	kehu_id c = test_new_customer(f->db);
	char ch65[66], ch64[65];
	char *note = malloc(KEHU_MAX_NOTE_BYTES + 2);
	const char *s;
	int64_t i;

	assert_non_null(note);
	memset(ch65, 'c', 65);
	ch65[65] = '\0';
	memset(ch64, 'c', 64);
	ch64[64] = '\0';
	memset(note, 'n', KEHU_MAX_NOTE_BYTES + 1);
	note[KEHU_MAX_NOTE_BYTES + 1] = '\0';

	OK(kehu_interaction_new(&ix, f->db, c, KEHU_IX_PURCHASE, T0));
	assert_int_equal(kehu_interaction_set_amount(ix, -1), KEHU_EINVAL);
	assert_msg_has(f->db, "amount");
	assert_int_equal(kehu_interaction_set_amount(ix, INT64_MIN),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_cost(ix, -5), KEHU_EINVAL);
	assert_msg_has(f->db, "cost");
	assert_int_equal(kehu_interaction_get_amount(ix), 0);
	assert_int_equal(kehu_interaction_set_account(ix, -1), KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_satisfaction(ix, 6),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_satisfaction(ix, -1),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_channel(ix, ch65), KEHU_EINVAL);
	OK(kehu_interaction_set_channel(ix, ch64));
	assert_int_equal(kehu_interaction_set_note(ix, note), KEHU_EINVAL);
	note[KEHU_MAX_NOTE_BYTES] = '\0';
	OK(kehu_interaction_set_note(ix, note));
	assert_int_equal(kehu_interaction_set_channel(ix, "we\xed\xa0\x80"),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_note(ix, "\xc0\xaf"),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_attr_string(ix, "\xe4\xb8", "v"),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_attr_string(ix, "k", "\xff"),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_attr_number(ix, "n", NAN),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_attr_number(ix, "n", -INFINITY),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_attr_int(ix, "", 1),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_attr_count(ix), 0);
	assert_string_equal(kehu_interaction_get_channel(ix), ch64);
	assert_int_equal(strlen(kehu_interaction_get_note(ix)),
	                 KEHU_MAX_NOTE_BYTES);

	OK(kehu_interaction_set_amount(ix, 0));
	OK(kehu_interaction_set_amount(ix, INT64_MAX));
	OK(kehu_interaction_set_amount(ix, 1999));
	OK(kehu_interaction_set_cost(ix, 250));
	OK(kehu_interaction_set_channel(ix, "web"));
	OK(kehu_interaction_set_note(ix, "gift wrap \xe2\x9c\x93"));
	OK(kehu_interaction_set_attr_string(ix, "sku", "A-1"));
	OK(kehu_interaction_set_attr_int(ix, "qty", 3));
	OK(kehu_interaction_set_attr_number(ix, "discount", 0.15));
	OK(kehu_interaction_set_attr_time(ix, "ship", T0 + DAY));
	OK(kehu_interaction_set_attr_int(ix, "qty", 4)); /* replaces */
	assert_int_equal(kehu_interaction_attr_count(ix), 4);
	OK(kehu_interaction_get_attr_int(ix, "qty", &i));
	assert_int_equal(i, 4);
	assert_int_equal(kehu_interaction_get_attr_string(ix, "qty", &s),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_get_attr_time(ix, "none", &i),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_interaction_get_attr_time(ix, "ship", NULL),
	                 KEHU_EINVAL);
	OK(kehu_interaction_record(ix));
	assert_true(kehu_interaction_get_id(ix) > c);

	/* recorded: read-only */
	assert_int_equal(kehu_interaction_set_amount(ix, 1), KEHU_EMISUSE);
	assert_msg_has(f->db, "append-only");
	assert_int_equal(kehu_interaction_set_cost(ix, 1), KEHU_EMISUSE);
	assert_int_equal(kehu_interaction_set_account(ix, 0), KEHU_EMISUSE);
	assert_int_equal(kehu_interaction_set_channel(ix, "x"), KEHU_EMISUSE);
	assert_int_equal(kehu_interaction_set_note(ix, "x"), KEHU_EMISUSE);
	assert_int_equal(kehu_interaction_set_satisfaction(ix, 0),
	                 KEHU_EMISUSE);
	assert_int_equal(kehu_interaction_set_attr_string(ix, "a", "b"),
	                 KEHU_EMISUSE);
	assert_int_equal(kehu_interaction_set_attr_int(ix, "a", 1),
	                 KEHU_EMISUSE);
	assert_int_equal(kehu_interaction_set_attr_number(ix, "a", 1.0),
	                 KEHU_EMISUSE);
	assert_int_equal(kehu_interaction_set_attr_time(ix, "a", 1),
	                 KEHU_EMISUSE);
	assert_int_equal(kehu_interaction_record(ix), KEHU_EMISUSE);
	assert_int_equal(kehu_interaction_get_amount(ix), 1999);
	assert_int_equal(kehu_interaction_attr_count(ix), 4);
	kehu_interaction_free(ix);
	free(note);
}

/* Fields and attributes survive the store: read back from history. */
static void test_round_trip(void **state)
{
	test_fx *f = *state;
	kehu_interaction *ix;
	kehu_history *h;
	const kehu_interaction *got;
	kehu_id c = test_new_customer(f->db);
	kehu_id a = test_new_account(f->db, c);
	kehu_id id;
	const char *s;
	int64_t i;
	double d;

	OK(kehu_interaction_new(&ix, f->db, c, KEHU_IX_COMPLAINT, T0 + 5));
	OK(kehu_interaction_set_account(ix, a));
	OK(kehu_interaction_set_amount(ix, 12));
	OK(kehu_interaction_set_cost(ix, 34));
	OK(kehu_interaction_set_channel(ix, "\xe7\x94\xb5\xe8\xaf\x9d"));
	OK(kehu_interaction_set_note(ix, "late delivery"));
	OK(kehu_interaction_set_satisfaction(ix, 2));
	OK(kehu_interaction_set_attr_string(ix, "order", "SO-9"));
	OK(kehu_interaction_set_attr_int(ix, "days_late", -3));
	OK(kehu_interaction_set_attr_number(ix, "ratio", 2.5e-7));
	OK(kehu_interaction_set_attr_time(ix, "promised", T0 - DAY));
	OK(kehu_interaction_record(ix));
	id = kehu_interaction_get_id(ix);
	kehu_interaction_free(ix);

	OK(kehu_history_new(&h, f->db, c, 0, INT64_MAX, 0));
	OK(kehu_history_next(h, &got));
	assert_int_equal(kehu_interaction_get_id(got), id);
	assert_int_equal(kehu_interaction_get_customer(got), c);
	assert_int_equal(kehu_interaction_get_account(got), a);
	assert_int_equal(kehu_interaction_get_type(got), KEHU_IX_COMPLAINT);
	assert_int_equal(kehu_interaction_get_time(got), T0 + 5);
	assert_int_equal(kehu_interaction_get_amount(got), 12);
	assert_int_equal(kehu_interaction_get_cost(got), 34);
	assert_int_equal(kehu_interaction_get_satisfaction(got), 2);
	assert_string_equal(kehu_interaction_get_channel(got),
	                    "\xe7\x94\xb5\xe8\xaf\x9d");
	assert_string_equal(kehu_interaction_get_note(got), "late delivery");
	assert_int_equal(kehu_interaction_attr_count(got), 4);
	OK(kehu_interaction_get_attr_string(got, "order", &s));
	assert_string_equal(s, "SO-9");
	OK(kehu_interaction_get_attr_int(got, "days_late", &i));
	assert_int_equal(i, -3);
	OK(kehu_interaction_get_attr_number(got, "ratio", &d));
	assert_true(d == 2.5e-7);
	OK(kehu_interaction_get_attr_time(got, "promised", &i));
	assert_int_equal(i, T0 - DAY);
	assert_int_equal(kehu_interaction_get_attr_int(got, "order", &i),
	                 KEHU_EINVAL);
	/* history items are read-only */
	assert_int_equal(
		kehu_interaction_set_note((kehu_interaction *)got, "x"),
		KEHU_EMISUSE);
	assert_int_equal(kehu_history_next(h, &got), KEHU_ITEROVER);
	assert_null(got);
	assert_int_equal(kehu_history_next(h, &got), KEHU_ITEROVER);
	assert_int_equal(kehu_history_next(h, NULL), KEHU_EINVAL);
	kehu_history_free(h);
}

static void test_record_rules(void **state)
{
	test_fx *f = *state;
	kehu_interaction *ix;
	kehu_metrics m;
	kehu_id c = test_new_customer(f->db);
	kehu_id prev = c, id;
	int32_t s;
	int i;

	/* feedback needs a score; the failed record changes nothing and
	 * the handle can be fixed and recorded */
	OK(kehu_interaction_new(&ix, f->db, c, KEHU_IX_FEEDBACK, T0));
	assert_int_equal(kehu_interaction_record(ix), KEHU_EINVAL);
	assert_msg_has(f->db, "satisfaction");
	assert_int_equal(kehu_interaction_get_id(ix), 0);
	read_m(f->db, c, T0, &m);
	assert_int_equal(m.interactions, 0);
	OK(kehu_interaction_set_satisfaction(ix, 5));
	OK(kehu_interaction_record(ix));
	kehu_interaction_free(ix);

	/* scores 1..5 on feedback and complaints only */
	for (s = 1; s <= 5; s++) {
		ixs fb = {KEHU_IX_FEEDBACK, T0 + s, 0, 0, s};
		ixs co = {KEHU_IX_COMPLAINT, T0 + s, 0, 0, s};

		OK(try_rec(f->db, c, 0, &fb, NULL));
		OK(try_rec(f->db, c, 0, &co, NULL));
	}
	{
		ixs co0 = {KEHU_IX_COMPLAINT, T0, 0, 0, 0};

		OK(try_rec(f->db, c, 0, &co0, NULL));
	}
	for (i = KEHU_IX_PURCHASE; i <= KEHU_IX_MARKETING; i++) {
		ixs x = {i, T0, 0, 0, 3};

		if (i == KEHU_IX_FEEDBACK || i == KEHU_IX_COMPLAINT)
			continue;
		assert_int_equal(try_rec(f->db, c, 0, &x, NULL), KEHU_EINVAL);
		assert_msg_has(f->db, "satisfaction");
	}
	read_m(f->db, c, T0, &m);
	assert_int_equal(m.interactions, 12);
	assert_int_equal(m.satisfaction_count, 11);

	/* ids increase, and are shared with customers and accounts */
	for (i = 0; i < 20; i++) {
		id = rec(f->db, c, KEHU_IX_VISIT, T0 - i * DAY, 0);
		assert_true(id > prev);
		prev = id;
	}
	assert_true(test_new_customer(f->db) > prev);
	/* an unknown customer or account is not found, no id is spent */
	{
		ixs v = {KEHU_IX_VISIT, T0, 0, 0, 0};

		assert_int_equal(try_rec(f->db, 999999, 0, &v, NULL),
		                 KEHU_ENOTFOUND);
		assert_int_equal(try_rec(f->db, c, 999999, &v, NULL),
		                 KEHU_ENOTFOUND);
		assert_msg_has(f->db, "999999");
		assert_int_equal(try_rec(f->db, c, c, &v, NULL),
		                 KEHU_ENOTFOUND);
	}
}

/* ---- metrics by definition ----------------------------------------------- */

static void test_metrics_empty(void **state)
{
	test_fx *f = *state;
	kehu_metrics m;
	kehu_id c = test_new_customer(f->db);

	read_m(f->db, c, T0, &m);
	assert_int_equal(m.version, KEHU_METRICS_VERSION);
	assert_int_equal(m.first_purchase, -1);
	assert_int_equal(m.last_purchase, -1);
	assert_int_equal(m.last_contact, -1);
	assert_int_equal(m.interactions, 0);
	assert_int_equal(m.purchases, 0);
	assert_int_equal(m.orders, 0);
	assert_int_equal(m.revenue, 0);
	assert_int_equal(m.margin, 0);
	assert_true(m.average_order_value == 0.0);
	assert_true(m.average_satisfaction == 0.0);
	assert_int_equal(m.last_satisfaction, 0);
	assert_int_equal(m.months_active, 0);
	assert_int_equal(m.days_since_first_purchase, -1);
	assert_int_equal(m.days_since_last_purchase, -1);
	assert_int_equal(m.days_since_last_contact, -1);
	assert_int_equal(m.revenue_365d, 0);

	/* argument checks */
	assert_int_equal(kehu_metrics_read(&m, f->db, c, -1), KEHU_EINVAL);
	assert_int_equal(kehu_metrics_read(&m, f->db, c, TIME_MAX + 1),
	                 KEHU_EINVAL);
	OK(kehu_metrics_read(&m, f->db, c, TIME_MAX));
	OK(kehu_metrics_read(&m, f->db, c, 0));
	assert_int_equal(kehu_metrics_read(NULL, f->db, c, T0), KEHU_EINVAL);
	assert_int_equal(kehu_metrics_read(&m, NULL, c, T0), KEHU_EINVAL);
	assert_int_equal(kehu_metrics_read(&m, f->db, 424242, T0),
	                 KEHU_ENOTFOUND);
	m.version = 0;
	assert_int_equal(kehu_metrics_read(&m, f->db, c, T0), KEHU_EINVAL);
	m.version = 2;
	assert_int_equal(kehu_metrics_read(&m, f->db, c, T0), KEHU_EINVAL);
	assert_int_equal(kehu_metrics_init(NULL, KEHU_METRICS_VERSION),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_metrics_init(&m, 0), KEHU_EINVAL);
	assert_int_equal(kehu_metrics_init(&m, 2), KEHU_EINVAL);
}

static void test_metrics_definitions(void **state)
{
	test_fx *f = *state;
	kehu_metrics m;
	kehu_id c = test_new_customer(f->db);
	const ixs set[] = {
		{KEHU_IX_PURCHASE, T0 + 10 * H, 1000, 300, 0},
		{KEHU_IX_PURCHASE, T0 + 15 * H, 500, 0, 0}, /* same day */
		{KEHU_IX_PURCHASE, T0 + 40 * DAY + H, 2000, 100, 0},
		{KEHU_IX_REFUND, T0 + 41 * DAY, 300, 0, 0},
		{KEHU_IX_COMPLAINT, T0 + 41 * DAY + H, 0, 0, 2},
		{KEHU_IX_FEEDBACK, T0 + 50 * DAY, 0, 0, 5},
		{KEHU_IX_REFERRAL, T0 + 60 * DAY, 0, 50, 0},
		{KEHU_IX_CALL, T0 + 70 * DAY, 0, 10, 0},
		{KEHU_IX_MARKETING, T0 + 65 * DAY, 0, 0, 0},
	};
	const int64_t now = T0 + 80 * DAY + 5 * H;
	size_t i;

	for (i = 0; i < sizeof set / sizeof set[0]; i++)
		OK(try_rec(f->db, c, 0, &set[i], NULL));
	read_m(f->db, c, now, &m);
	assert_int_equal(m.first_purchase, T0 + 10 * H);
	assert_int_equal(m.last_purchase, T0 + 40 * DAY + H);
	assert_int_equal(m.last_contact, T0 + 70 * DAY);
	assert_int_equal(m.interactions, 9);
	assert_int_equal(m.purchases, 2);
	assert_int_equal(m.orders, 3);
	assert_int_equal(m.sales, 3500);
	assert_int_equal(m.refunds, 300);
	assert_int_equal(m.revenue, 3200);
	assert_int_equal(m.cost, 460);
	assert_int_equal(m.margin, 2740);
	assert_true(fabs(m.average_order_value - 3500.0 / 3.0) < 1e-9);
	assert_int_equal(m.complaints, 1);
	assert_int_equal(m.satisfaction_count, 2);
	assert_true(m.average_satisfaction == 3.5);
	assert_int_equal(m.last_satisfaction, 5);
	assert_int_equal(m.referrals, 1);
	assert_int_equal(m.months_active, 2);
	assert_int_equal(m.days_since_first_purchase, 80);
	assert_int_equal(m.days_since_last_purchase, 40);
	assert_int_equal(m.days_since_last_contact, 10);
	assert_int_equal(m.revenue_30d, 0);
	assert_int_equal(m.purchases_30d, 0);
	assert_int_equal(m.complaints_30d, 0);
	assert_int_equal(m.revenue_90d, 3200);
	assert_int_equal(m.purchases_90d, 2);
	assert_int_equal(m.complaints_90d, 1);
	assert_int_equal(m.revenue_365d, 3200);
	assert_int_equal(m.purchases_365d, 2);
	assert_int_equal(m.complaints_365d, 1);

	/* "days since" before the events: negative; lifetime totals do
	 * not depend on now */
	read_m(f->db, c, T0 - 3 * DAY, &m);
	assert_int_equal(m.days_since_first_purchase, -3);
	assert_int_equal(m.days_since_last_contact, -73);
	assert_int_equal(m.sales, 3500);
	assert_int_equal(m.revenue_365d, 0);

	/* last satisfaction is the latest-dated, whatever the order */
	{
		ixs older = {KEHU_IX_FEEDBACK, T0 + 45 * DAY, 0, 0, 1};
		ixs newer = {KEHU_IX_COMPLAINT, T0 + 55 * DAY, 0, 0, 3};

		OK(try_rec(f->db, c, 0, &older, NULL));
		read_m(f->db, c, now, &m);
		assert_int_equal(m.last_satisfaction, 5);
		assert_int_equal(m.satisfaction_count, 3);
		assert_true(fabs(m.average_satisfaction - 8.0 / 3.0) < 1e-9);
		OK(try_rec(f->db, c, 0, &newer, NULL));
		read_m(f->db, c, now, &m);
		assert_int_equal(m.last_satisfaction, 3);
		assert_int_equal(m.satisfaction_count, 4);
		assert_true(m.average_satisfaction == 11.0 / 4.0);
		assert_int_equal(m.complaints, 2);
		assert_int_equal(m.complaints_30d, 1); /* day 55 of 51..80 */
	}
}

/* Windows: the N local days that end with now's day, inclusive. */
static void test_windows_exact(void **state)
{
	test_fx *f = *state;
	kehu_metrics m;
	kehu_id c = test_new_customer(f->db);
	const int64_t now = T0 + 100 * DAY + 12 * H;
	const struct {
		int64_t t, amount;
	} p[] = {
		{T0 + 71 * DAY, 1},              /* day 71: in 30 */
		{T0 + 71 * DAY - 1, 2},          /* day 70 23:59:59: not */
		{T0 + 11 * DAY, 4},              /* day 11: in 90 */
		{T0 + 11 * DAY - 1, 8},          /* day 10: in 365 only */
		{T0 - 264 * DAY, 16},            /* day -264: in 365 */
		{T0 - 264 * DAY - 1, 32},        /* day -265: outside */
		{T0 + 102 * DAY, 64},            /* after now's day */
		{T0 + 101 * DAY - 1, 128},       /* now's day, later time */
	};
	size_t i;

	for (i = 0; i < sizeof p / sizeof p[0]; i++)
		rec(f->db, c, KEHU_IX_PURCHASE, p[i].t, p[i].amount);
	rec(f->db, c, KEHU_IX_COMPLAINT, T0 + 71 * DAY + 1, 0);
	rec(f->db, c, KEHU_IX_COMPLAINT, T0 + 71 * DAY - 2, 0);
	rec(f->db, c, KEHU_IX_COMPLAINT, T0 + 11 * DAY - 1, 0);
	rec(f->db, c, KEHU_IX_COMPLAINT, T0 + 101 * DAY, 0);
	read_m(f->db, c, now, &m);
	assert_int_equal(m.revenue, 255);
	assert_int_equal(m.purchases, 8);
	assert_int_equal(m.revenue_30d, 1 + 128);
	assert_int_equal(m.revenue_90d, 1 + 128 + 2 + 4);
	assert_int_equal(m.revenue_365d, 1 + 128 + 2 + 4 + 8 + 16);
	assert_int_equal(m.purchases_30d, 2);
	assert_int_equal(m.purchases_90d, 4);
	assert_int_equal(m.purchases_365d, 6);
	assert_int_equal(m.complaints_30d, 1);
	assert_int_equal(m.complaints_90d, 2);
	assert_int_equal(m.complaints_365d, 3);
	assert_int_equal(m.complaints, 4);
	assert_int_equal(m.first_purchase, T0 - 264 * DAY - 1);
	assert_int_equal(m.last_purchase, T0 + 102 * DAY);
	assert_int_equal(m.days_since_first_purchase, 365);
	assert_int_equal(m.days_since_last_purchase, -2);
	assert_int_equal(m.days_since_last_contact, -2);

	/* any time of now's day gives the same windows */
	read_m(f->db, c, T0 + 100 * DAY, &m);
	assert_int_equal(m.revenue_30d, 129);
	assert_int_equal(m.revenue_365d, 159);
	read_m(f->db, c, T0 + 101 * DAY - 1, &m);
	assert_int_equal(m.revenue_30d, 129);
	/* one second later the windows move a day */
	read_m(f->db, c, T0 + 101 * DAY, &m);
	assert_int_equal(m.revenue_30d, 128);
	assert_int_equal(m.revenue_90d, 1 + 2 + 128);
	assert_int_equal(m.revenue_365d, 1 + 2 + 4 + 8 + 128);
	assert_int_equal(m.purchases_365d, 5);
	assert_int_equal(m.complaints_30d, 1);
	assert_int_equal(m.complaints_90d, 3);

	/* a refund lowers the window it falls in */
	rec(f->db, c, KEHU_IX_REFUND, T0 + 80 * DAY, 100);
	read_m(f->db, c, now, &m);
	assert_int_equal(m.revenue_30d, 29);
	assert_int_equal(m.revenue_365d, 59);
	assert_int_equal(m.revenue, 155);
	assert_int_equal(m.purchases_30d, 2);
}

/* Days and months turn at local midnight of the db's offset. */
static void test_utc_offset(void **state)
{
	test_alloc a8, a0, an;
	kehu_db *sh, *utc, *ny;
	kehu_metrics m;
	/* 2024-01-31 23:30 and 2024-02-01 00:30 in UTC+8 */
	const int64_t t1 = T0 + 30 * DAY + 15 * H + 1800;
	const int64_t t2 = t1 + H;
	/* 2024-02-01 00:10 in UTC+8 (still Jan 31 in UTC) */
	const int64_t now1 = t1 + 2400;
	/* 2024-03-01 12:00 in UTC+8; 29 local days before is 2024-02-01
	 * 00:00 local = 2024-01-31 16:00 UTC */
	const int64_t now2 = T0 + 60 * DAY + 4 * H;
	const int64_t edge = T0 + 30 * DAY + 16 * H;
	kehu_id c[2][3];
	kehu_db *dbs[2];
	int k;

	(void)state;
	memset(&a8, 0, sizeof a8);
	memset(&a0, 0, sizeof a0);
	memset(&an, 0, sizeof an);
	open_offset(&sh, &a8, 28800);
	open_offset(&utc, &a0, 0);
	dbs[0] = sh;
	dbs[1] = utc;
	for (k = 0; k < 2; k++) {
		c[k][0] = test_new_customer(dbs[k]);
		c[k][1] = test_new_customer(dbs[k]);
		c[k][2] = test_new_customer(dbs[k]);
		rec(dbs[k], c[k][0], KEHU_IX_PURCHASE, t1, 100);
		rec(dbs[k], c[k][0], KEHU_IX_PURCHASE, t2, 200);
		rec(dbs[k], c[k][1], KEHU_IX_PURCHASE, edge, 1);
		rec(dbs[k], c[k][1], KEHU_IX_PURCHASE, edge - 1, 2);
		rec(dbs[k], c[k][2], KEHU_IX_COMPLAINT, edge, 0);
	}
	/* Shanghai: two local days in two local months */
	read_m(sh, c[0][0], now1, &m);
	assert_int_equal(m.orders, 2);
	assert_int_equal(m.purchases, 2);
	assert_int_equal(m.months_active, 2);
	assert_int_equal(m.days_since_first_purchase, 1);
	assert_int_equal(m.days_since_last_purchase, 0);
	/* t2 is later than now1, but on its day: in the window */
	assert_int_equal(m.purchases_30d, 2);
	assert_int_equal(m.revenue_30d, 300);
	assert_int_equal(m.last_purchase, t2);
	/* UTC: one day, one month */
	read_m(utc, c[1][0], now1, &m);
	assert_int_equal(m.orders, 2);
	assert_int_equal(m.purchases, 1);
	assert_int_equal(m.months_active, 1);
	assert_int_equal(m.days_since_first_purchase, 0);
	assert_int_equal(m.revenue_30d, 300);

	/* the window edge moves with the offset */
	read_m(sh, c[0][1], now2, &m);
	assert_int_equal(m.revenue_30d, 1);
	assert_int_equal(m.purchases_30d, 1);
	assert_int_equal(m.purchases, 2);
	assert_int_equal(m.days_since_first_purchase, 30);
	assert_int_equal(m.days_since_last_purchase, 29);
	read_m(utc, c[1][1], now2, &m);
	assert_int_equal(m.revenue_30d, 0);
	assert_int_equal(m.purchases, 1);
	assert_int_equal(m.days_since_last_purchase, 30);
	read_m(sh, c[0][2], now2, &m);
	assert_int_equal(m.complaints_30d, 1);
	read_m(utc, c[1][2], now2, &m);
	assert_int_equal(m.complaints_30d, 0);
	assert_int_equal(m.complaints_90d, 1);
	close_checked(sh, &a8);
	close_checked(utc, &a0);

	/* west of UTC, the first second of 1970 is on local day -1 */
	open_offset(&ny, &an, -3600);
	c[0][0] = test_new_customer(ny);
	rec(ny, c[0][0], KEHU_IX_PURCHASE, 0, 5);
	rec(ny, c[0][0], KEHU_IX_PURCHASE, 3599, 6);
	read_m(ny, c[0][0], 10 * H, &m);
	assert_int_equal(m.purchases, 1);
	assert_int_equal(m.months_active, 1);
	assert_int_equal(m.days_since_first_purchase, 1);
	assert_int_equal(m.revenue_30d, 11);
	assert_int_equal(m.purchases_365d, 1);
	rec(ny, c[0][0], KEHU_IX_PURCHASE, 3600, 7);
	read_m(ny, c[0][0], 10 * H, &m);
	assert_int_equal(m.purchases, 2);
	assert_int_equal(m.months_active, 2);
	assert_int_equal(m.revenue_30d, 18);
	assert_int_equal(m.purchases_30d, 2);
	read_m(ny, c[0][0], 0, &m); /* now on local day -1 */
	assert_int_equal(m.revenue_30d, 11);
	assert_int_equal(m.days_since_last_purchase, -1);
	close_checked(ny, &an);
}

/* ---- back-dated interactions --------------------------------------------- */

#define JAN(d, h) (T0 + ((d) - 1) * DAY + (h) * H)
#define FEB(d, h) (JAN(32, 0) + ((d) - 1) * DAY + (h) * H)
#define MAR(d, h) (JAN(61, 0) + ((d) - 1) * DAY + (h) * H)
#define APR(d, h) (JAN(92, 0) + ((d) - 1) * DAY + (h) * H)
#define DEC_2023(d) (T0 - (32 - (d)) * DAY + 10 * H)

static const ixs in_order_part[] = {
	{KEHU_IX_PURCHASE, JAN(5, 10), 100, 5, 0},
	{KEHU_IX_PURCHASE, MAR(3, 9), 200, 0, 0},
	{KEHU_IX_PURCHASE, MAR(3, 15), 50, 1, 0},
	{KEHU_IX_REFUND, MAR(3, 16), 20, 0, 0},
	{KEHU_IX_PURCHASE, APR(1, 12), 300, 0, 0},
	{KEHU_IX_COMPLAINT, APR(2, 8), 0, 0, 2},
	{KEHU_IX_FEEDBACK, APR(10, 8), 0, 0, 4},
	{KEHU_IX_REFERRAL, APR(11, 8), 0, 9, 0},
};

static const ixs back_dated_part[] = {
	{KEHU_IX_PURCHASE, FEB(10, 11), 70, 0, 0},  /* a month between */
	{KEHU_IX_PURCHASE, JAN(5, 18), 30, 2, 0},   /* onto an existing day */
	{KEHU_IX_PURCHASE, JAN(20, 9), 40, 0, 0},   /* a new day, old month */
	{KEHU_IX_FEEDBACK, JAN(3, 9), 0, 0, 1},     /* an older score */
	{KEHU_IX_COMPLAINT, JAN(6, 9), 0, 0, 0},
	{KEHU_IX_REFUND, JAN(5, 20), 10, 0, 0},     /* day with purchases */
	{KEHU_IX_PURCHASE, APR(1, 23), 15, 0, 0},   /* last purchase day */
	{KEHU_IX_PURCHASE, DEC_2023(31), 25, 0, 0}, /* the previous year */
};

/* A purchase back-dated into a month whose only bucket holds a refund or
 * a complaint opens that month; a second one there does not. */
static void test_months_back_dated(void **state)
{
	test_fx *f = *state;
	kehu_metrics m;
	kehu_id c = test_new_customer(f->db);

	rec(f->db, c, KEHU_IX_PURCHASE, JAN(10, 9), 10);
	rec(f->db, c, KEHU_IX_COMPLAINT, FEB(5, 9), 0);
	rec(f->db, c, KEHU_IX_REFUND, FEB(6, 9), 3);
	rec(f->db, c, KEHU_IX_PURCHASE, MAR(10, 9), 10);
	read_m(f->db, c, APR(1, 0), &m);
	assert_int_equal(m.months_active, 2);
	assert_int_equal(m.purchases, 2);
	rec(f->db, c, KEHU_IX_PURCHASE, FEB(6, 20), 5); /* refund's day */
	read_m(f->db, c, APR(1, 0), &m);
	assert_int_equal(m.months_active, 3);
	assert_int_equal(m.purchases, 3);
	rec(f->db, c, KEHU_IX_PURCHASE, FEB(20, 9), 5);
	rec(f->db, c, KEHU_IX_PURCHASE, FEB(6, 8), 5);
	read_m(f->db, c, APR(1, 0), &m);
	assert_int_equal(m.months_active, 3);
	assert_int_equal(m.purchases, 4);
	assert_int_equal(m.orders, 5);
	assert_int_equal(m.first_purchase, JAN(10, 9));
	assert_int_equal(m.last_purchase, MAR(10, 9));
	/* a purchase into the first month, and before it */
	rec(f->db, c, KEHU_IX_PURCHASE, JAN(2, 9), 1);
	rec(f->db, c, KEHU_IX_PURCHASE, DEC_2023(30), 1);
	read_m(f->db, c, APR(1, 0), &m);
	assert_int_equal(m.months_active, 4);
	assert_int_equal(m.purchases, 6);
	assert_int_equal(m.first_purchase, DEC_2023(30));
	/* a refund alone opens no month and no purchase day */
	rec(f->db, c, KEHU_IX_REFUND, APR(1, 9), 1);
	read_m(f->db, c, APR(2, 0), &m);
	assert_int_equal(m.months_active, 4);
	assert_int_equal(m.purchases, 6);
	assert_int_equal(m.revenue, 10 + 10 + 5 + 5 + 5 + 1 + 1 - 3 - 1);
	assert_true(m.average_order_value == 37.0 / 7.0);
}

/* Metrics follow the transaction: a rollback restores them, a commit
 * keeps them, and a db reopened on the store reads the same. */
static void test_metrics_txn_and_reopen(void **state)
{
	test_alloc al;
	kehu_storage_memory *mem;
	kehu_storage vt;
	kehu_db *db;
	kehu_metrics before[2][4], after;
	kehu_id c, a, other;
	const int64_t nows[4] = {JAN(1, 0), FEB(1, 0), APR(15, 0),
	                         APR(15, 0) + 300 * DAY};
	size_t i;
	int k;

	(void)state;
	memset(&al, 0, sizeof al);
	OK(kehu_storage_memory_new(&mem, test_alloc_fn, &al));
	OK(kehu_storage_memory_get_vtable(mem, &vt));
	OK(test_open(&db, &al, &vt));
	c = test_new_customer(db);
	a = test_new_account(db, c);
	other = test_new_customer(db);
	for (i = 0; i < sizeof in_order_part / sizeof in_order_part[0]; i++)
		OK(try_rec(db, c, a, &in_order_part[i], NULL));
	for (k = 0; k < 4; k++) {
		read_m(db, c, nows[k], &before[0][k]);
		read_m(db, a, nows[k], &before[1][k]);
	}

	OK(kehu_db_begin(db));
	for (i = 0; i < sizeof back_dated_part / sizeof back_dated_part[0];
	     i++) {
		OK(try_rec(db, c, a, &back_dated_part[i], NULL));
		OK(try_rec(db, other, a, &back_dated_part[i], NULL));
	}
	read_m(db, c, nows[2], &after);
	assert_int_equal(after.orders, 9);
	OK(kehu_db_rollback(db));
	for (k = 0; k < 4; k++) {
		read_m(db, c, nows[k], &after);
		test_assert_metrics_equal(&before[0][k], &after);
		read_m(db, a, nows[k], &after);
		test_assert_metrics_equal(&before[1][k], &after);
		read_m(db, other, nows[k], &after);
		assert_int_equal(after.interactions, 0);
		assert_int_equal(after.revenue_365d, 0);
	}

	OK(kehu_db_begin(db));
	for (i = 0; i < sizeof back_dated_part / sizeof back_dated_part[0];
	     i++)
		OK(try_rec(db, c, a, &back_dated_part[i], NULL));
	OK(kehu_db_commit(db));
	for (k = 0; k < 4; k++) {
		read_m(db, c, nows[k], &before[0][k]);
		read_m(db, a, nows[k], &before[1][k]);
	}
	assert_int_equal(before[0][2].orders, 9);
	kehu_db_close(db);
	OK(test_open(&db, &al, &vt));
	for (k = 0; k < 4; k++) {
		read_m(db, c, nows[k], &after);
		test_assert_metrics_equal(&before[0][k], &after);
		read_m(db, a, nows[k], &after);
		test_assert_metrics_equal(&before[1][k], &after);
	}
	/* and goes on from there */
	rec(db, c, KEHU_IX_PURCHASE, FEB(10, 20), 1);
	read_m(db, c, nows[2], &after);
	assert_int_equal(after.orders, 10);
	assert_int_equal(after.purchases, before[0][2].purchases);
	assert_int_equal(after.months_active, before[0][2].months_active);
	kehu_db_close(db);
	kehu_storage_memory_free(mem);
	assert_int_equal(al.live_bytes, 0);
	assert_int_equal(al.bad_osize, 0);
}

static void compare_dbs(kehu_db *x, kehu_id xc, kehu_id xa, kehu_db *y,
                        kehu_id yc, kehu_id ya)
{
	static const int64_t nows[] = {
		JAN(1, 0), JAN(5, 12), JAN(6, 0), FEB(15, 0), MAR(3, 23),
		APR(1, 0), APR(15, 0), APR(30, 0), JAN(1, 0) + 400 * DAY,
		T0 + 3 * 365 * DAY};
	kehu_metrics mx, my;
	size_t i;

	for (i = 0; i < sizeof nows / sizeof nows[0]; i++) {
		read_m(x, xc, nows[i], &mx);
		read_m(y, yc, nows[i], &my);
		test_assert_metrics_equal(&mx, &my);
		read_m(x, xa, nows[i], &mx);
		read_m(y, ya, nows[i], &my);
		test_assert_metrics_equal(&mx, &my);
	}
}

static void test_back_dated(void **state)
{
	test_alloc al[3];
	kehu_db *db[3];
	kehu_id c[3], a[3];
	ixs all[32];
	size_t n_in = sizeof in_order_part / sizeof in_order_part[0];
	size_t n_back = sizeof back_dated_part / sizeof back_dated_part[0];
	size_t n = 0, i, j;
	kehu_metrics m;
	int k;

	(void)state;
	for (i = 0; i < n_in; i++)
		all[n++] = in_order_part[i];
	for (i = 0; i < n_back; i++)
		all[n++] = back_dated_part[i];
	/* sort by time for the in-order db */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && all[j - 1].time > all[j].time; j--) {
			ixs t = all[j];

			all[j] = all[j - 1];
			all[j - 1] = t;
		}
	for (k = 0; k < 3; k++) {
		memset(&al[k], 0, sizeof al[k]);
		OK(test_open(&db[k], &al[k], NULL));
		c[k] = test_new_customer(db[k]);
		a[k] = test_new_account(db[k], c[k]);
	}
	/* 0: in time order; 1: the main part, then the back-dated part;
	 * 2: in reverse time order */
	for (i = 0; i < n; i++) {
		OK(try_rec(db[0], c[0], a[0], &all[i], NULL));
		OK(try_rec(db[2], c[2], a[2], &all[n - 1 - i], NULL));
	}
	for (i = 0; i < n_in; i++)
		OK(try_rec(db[1], c[1], a[1], &in_order_part[i], NULL));
	for (i = 0; i < n_back; i++)
		OK(try_rec(db[1], c[1], a[1], &back_dated_part[i], NULL));

	read_m(db[0], c[0], APR(15, 0), &m);
	assert_int_equal(m.orders, 9);
	/* Dec 31, Jan 5, Jan 20, Feb 10, Mar 3, Apr 1 */
	assert_int_equal(m.purchases, 6);
	assert_int_equal(m.months_active, 5);
	assert_int_equal(m.first_purchase, DEC_2023(31));
	assert_int_equal(m.last_purchase, APR(1, 23));
	assert_int_equal(m.last_satisfaction, 4);
	assert_int_equal(m.satisfaction_count, 3);
	assert_int_equal(m.sales, 100 + 200 + 50 + 300 + 70 + 30 + 40 + 15 +
	                          25);
	assert_int_equal(m.refunds, 30);
	assert_int_equal(m.complaints, 2);

	compare_dbs(db[0], c[0], a[0], db[1], c[1], a[1]);
	compare_dbs(db[0], c[0], a[0], db[2], c[2], a[2]);
	for (k = 0; k < 3; k++)
		close_checked(db[k], &al[k]);
}

/* A deterministic generator for the random comparison. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* months_active against the C library's calendar: purchase days 27 to
 * 33 days apart (one month or two), and some back-dated, for customers
 * whose purchases cross month and year ends. */
static void test_months_active_by_calendar(void **state)
{
	static const int gaps[] = {0, 1, 27, 28, 29, 30, 31, 32, 33, 59, 61};
	test_fx *f = *state;
	uint64_t seed = 0x2545f4914f6cdd1du;
	int cust;

	for (cust = 0; cust < 120; cust++) {
		kehu_id c = test_new_customer(f->db);
		int32_t months[64];
		int nmonths = 0, i, k;
		int64_t day = (int64_t)(cust * 3) % 400, t;
		kehu_metrics m;

		for (i = 0; i < 12; i++) {
			uint64_t r = next_rand(&seed);
			struct tm *tm;
			int32_t month;

			day += gaps[r % (sizeof gaps / sizeof gaps[0])];
			t = T0 + day * DAY + (int64_t)((r >> 8) % DAY);
			if (i % 5 == 4) /* back-dated, up to 90 days */
				t -= (int64_t)((r >> 32) % 91) * DAY;
			rec(f->db, c, KEHU_IX_PURCHASE, t, 100);
			tm = gmtime(&(time_t){(time_t)t});
			assert_non_null(tm);
			month = tm->tm_year * 12 + tm->tm_mon;
			for (k = 0; k < nmonths && months[k] != month; k++)
				;
			if (k == nmonths)
				months[nmonths++] = month;
		}
		read_m(f->db, c, T0 + 900 * DAY, &m);
		assert_int_equal(m.orders, 12);
		assert_int_equal(m.months_active, nmonths);
	}
}

static void test_back_dated_random(void **state)
{
	enum { N = 300 };
	static ixs set[N];
	test_alloc al[2];
	kehu_db *db[2];
	kehu_id c[2], a[2];
	size_t order[N];
	uint64_t seed = 0x9e3779b97f4a7c15u;
	size_t i, j;
	int k;

	(void)state;
	for (i = 0; i < N; i++) {
		uint64_t r = next_rand(&seed);
		int32_t type = (int32_t)(r % 10) + 1;

		set[i].type = type;
		/* distinct times: a random day of two years, a second that
		 * no other entry has */
		set[i].time = T0 + (int64_t)((r >> 8) % 730) * DAY +
		              (int64_t)i * 97;
		set[i].amount = type == KEHU_IX_PURCHASE ||
		                                type == KEHU_IX_REFUND
		                        ? (int64_t)((r >> 20) % 10000)
		                        : 0;
		set[i].cost = (int64_t)((r >> 40) % 50);
		set[i].sat = type == KEHU_IX_FEEDBACK
		                     ? (int32_t)((r >> 50) % 5) + 1
		                     : type == KEHU_IX_COMPLAINT
		                               ? (int32_t)((r >> 50) % 6)
		                               : 0;
		order[i] = i;
	}
	for (i = N - 1; i > 0; i--) {
		size_t t;

		j = (size_t)(next_rand(&seed) % (i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (k = 0; k < 2; k++) {
		memset(&al[k], 0, sizeof al[k]);
		OK(test_open(&db[k], &al[k], NULL));
		c[k] = test_new_customer(db[k]);
		a[k] = test_new_account(db[k], c[k]);
	}
	/* db 0 in time order (by a sort of indexes), db 1 shuffled */
	{
		size_t sorted[N];

		for (i = 0; i < N; i++)
			sorted[i] = i;
		for (i = 1; i < N; i++)
			for (j = i; j > 0 && set[sorted[j - 1]].time >
			                             set[sorted[j]].time; j--) {
				size_t t = sorted[j];

				sorted[j] = sorted[j - 1];
				sorted[j - 1] = t;
			}
		for (i = 0; i < N; i++) {
			OK(try_rec(db[0], c[0], a[0], &set[sorted[i]], NULL));
			OK(try_rec(db[1], c[1], a[1], &set[order[i]], NULL));
		}
	}
	for (i = 0; i < 60; i++) {
		int64_t now = T0 - 10 * DAY + (int64_t)i * 13 * DAY + 4321;
		kehu_metrics mx, my;

		read_m(db[0], c[0], now, &mx);
		read_m(db[1], c[1], now, &my);
		test_assert_metrics_equal(&mx, &my);
		read_m(db[0], a[0], now, &mx);
		read_m(db[1], a[1], now, &my);
		test_assert_metrics_equal(&mx, &my);
	}
	for (k = 0; k < 2; k++)
		close_checked(db[k], &al[k]);
}

/* ---- overflow ------------------------------------------------------------ */

static void test_overflow(void **state)
{
	test_fx *f = *state;
	kehu_metrics before, after;
	kehu_history *h;
	const kehu_interaction *got;
	kehu_id c = test_new_customer(f->db), d = test_new_customer(f->db);
	kehu_id e = test_new_customer(f->db), g = test_new_customer(f->db);
	kehu_id acct = test_new_account(f->db, c);
	kehu_id id1, id2;
	int n;

	/* sales */
	{
		ixs big = {KEHU_IX_PURCHASE, T0, INT64_MAX - 10, 0, 0};
		ixs over = {KEHU_IX_PURCHASE, T0 + DAY, 11, 0, 0};
		ixs fits = {KEHU_IX_PURCHASE, T0 + DAY, 10, 0, 0};

		OK(try_rec(f->db, c, 0, &big, &id1));
		read_m(f->db, c, T0 + 2 * DAY, &before);
		assert_int_equal(try_rec(f->db, c, 0, &over, NULL),
		                 KEHU_ERANGE);
		assert_msg_has(f->db, "sales");
		read_m(f->db, c, T0 + 2 * DAY, &after);
		test_assert_metrics_equal(&before, &after);
		OK(try_rec(f->db, c, 0, &fits, &id2));
		assert_true(id2 > id1);
		read_m(f->db, c, T0 + 2 * DAY, &after);
		assert_int_equal(after.sales, INT64_MAX);
		assert_int_equal(after.revenue_30d, INT64_MAX);
		assert_int_equal(after.orders, 2);
		assert_int_equal(after.purchases, 2);
		/* the refused one is not in the history */
		OK(kehu_history_new(&h, f->db, c, 0, INT64_MAX, 0));
		for (n = 0; kehu_history_next(h, &got) == KEHU_OK; n++)
			assert_true(kehu_interaction_get_amount(got) != 11);
		assert_int_equal(n, 2);
		kehu_history_free(h);
	}
	/* cost */
	{
		ixs big = {KEHU_IX_VISIT, T0, 0, INT64_MAX, 0};
		ixs over = {KEHU_IX_CALL, T0, 0, 1, 0};

		OK(try_rec(f->db, d, 0, &big, NULL));
		read_m(f->db, d, T0, &before);
		assert_int_equal(before.margin, -INT64_MAX);
		assert_int_equal(try_rec(f->db, d, 0, &over, NULL),
		                 KEHU_ERANGE);
		read_m(f->db, d, T0, &after);
		test_assert_metrics_equal(&before, &after);
	}
	/* refunds, and a margin below INT64_MIN */
	{
		ixs big = {KEHU_IX_REFUND, T0, INT64_MAX, 0, 0};
		ixs over = {KEHU_IX_REFUND, T0, 1, 0, 0};
		ixs costly = {KEHU_IX_CALL, T0 + 1, 0, 2, 0};
		ixs cheap = {KEHU_IX_CALL, T0 + 1, 0, 1, 0};

		OK(try_rec(f->db, e, 0, &big, NULL));
		read_m(f->db, e, T0, &before);
		assert_int_equal(before.revenue, -INT64_MAX);
		assert_int_equal(before.revenue_30d, -INT64_MAX);
		assert_int_equal(try_rec(f->db, e, 0, &over, NULL),
		                 KEHU_ERANGE);
		assert_int_equal(try_rec(f->db, e, 0, &costly, NULL),
		                 KEHU_ERANGE);
		assert_msg_has(f->db, "margin");
		read_m(f->db, e, T0, &after);
		test_assert_metrics_equal(&before, &after);
		OK(try_rec(f->db, e, 0, &cheap, NULL));
		read_m(f->db, e, T0 + 1, &after);
		assert_int_equal(after.margin, INT64_MIN);
	}
	/* the account would overflow: the customer is unchanged too */
	{
		ixs big = {KEHU_IX_PURCHASE, T0, INT64_MAX - 5, 0, 0};
		ixs over = {KEHU_IX_PURCHASE, T0, 10, 0, 0};
		kehu_metrics ab, aa;

		OK(try_rec(f->db, test_new_customer(f->db), acct, &big, NULL));
		read_m(f->db, g, T0, &before);
		read_m(f->db, acct, T0, &ab);
		assert_int_equal(ab.sales, INT64_MAX - 5);
		assert_int_equal(try_rec(f->db, g, acct, &over, NULL),
		                 KEHU_ERANGE);
		read_m(f->db, g, T0, &after);
		read_m(f->db, acct, T0, &aa);
		test_assert_metrics_equal(&before, &after);
		test_assert_metrics_equal(&ab, &aa);
		assert_int_equal(after.interactions, 0);
		/* without the account it fits */
		OK(try_rec(f->db, g, 0, &over, NULL));
		read_m(f->db, g, T0, &after);
		assert_int_equal(after.sales, 10);
	}
}

/* ---- history ------------------------------------------------------------ */

typedef struct entry {
	int64_t time;
	kehu_id id;
	int64_t amount;
} entry;

static int by_time_id(const void *x, const void *y)
{
	const entry *a = x, *b = y;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Reads up to max entries of [from, to) after after_id into out. */
static size_t read_page(kehu_db *db, kehu_id c, int64_t from, int64_t to,
                        kehu_id after, size_t max, entry *out)
{
	kehu_history *h;
	const kehu_interaction *ix;
	size_t n = 0;
	int rc = KEHU_OK;

	OK(kehu_history_new(&h, db, c, from, to, after));
	while (n < max && (rc = kehu_history_next(h, &ix)) == KEHU_OK) {
		out[n].time = kehu_interaction_get_time(ix);
		out[n].id = kehu_interaction_get_id(ix);
		out[n].amount = kehu_interaction_get_amount(ix);
		assert_int_equal(kehu_interaction_get_customer(ix), c);
		n++;
	}
	if (n < max)
		assert_int_equal(rc, KEHU_ITEROVER);
	kehu_history_free(h);
	return n;
}

static void assert_entries(const entry *got, const entry *want, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		assert_int_equal(got[i].time, want[i].time);
		assert_int_equal(got[i].id, want[i].id);
		assert_int_equal(got[i].amount, want[i].amount);
	}
}

static void test_history(void **state)
{
	enum { N = 200 };
	test_fx *f = *state;
	entry want[N], got[N + 1];
	kehu_history *h = (kehu_history *)&h;
	kehu_id c = test_new_customer(f->db), other = test_new_customer(f->db);
	size_t n, total, i, k;

	/* three per minute, recorded out of order, with another
	 * customer's interactions between */
	for (i = 0; i < N; i++) {
		k = (i * 7) % N;
		want[i].time = T0 + (int64_t)(k / 3) * 60;
		want[i].amount = (int64_t)k;
		want[i].id = rec(f->db, c, KEHU_IX_VISIT, want[i].time,
		                 want[i].amount);
		if (i % 10 == 0)
			rec(f->db, other, KEHU_IX_VISIT, want[i].time, 0);
	}
	qsort(want, N, sizeof want[0], by_time_id);

	/* everything, in (time, id) order */
	n = read_page(f->db, c, 0, INT64_MAX, 0, N + 1, got);
	assert_int_equal(n, N);
	assert_entries(got, want, N);
	n = read_page(f->db, c, T0, T0 + 67 * 60, 0, N + 1, got);
	assert_int_equal(n, N);

	/* from <= time < to */
	n = read_page(f->db, c, T0 + 600, T0 + 1200, 0, N + 1, got);
	assert_int_equal(n, 30);
	assert_entries(got, want + 30, 30);
	n = read_page(f->db, c, T0 + 601, T0 + 1200, 0, N + 1, got);
	assert_int_equal(n, 27);
	n = read_page(f->db, c, T0 + 600, T0 + 600, 0, N + 1, got);
	assert_int_equal(n, 0);
	n = read_page(f->db, c, T0 + 600, T0 + 601, 0, N + 1, got);
	assert_int_equal(n, 3);
	n = read_page(f->db, c, 0, T0, 0, N + 1, got);
	assert_int_equal(n, 0);

	/* resume after an entry that shares its time with the next */
	n = read_page(f->db, c, want[30].time, INT64_MAX, want[30].id, 2,
	              got);
	assert_int_equal(n, 2);
	assert_entries(got, want + 31, 2);
	/* after the last id of a time: the next time */
	n = read_page(f->db, c, want[32].time, INT64_MAX, want[32].id, 1,
	              got);
	assert_entries(got, want + 33, 1);
	/* after an id larger than any: nothing left at that time */
	n = read_page(f->db, c, want[30].time, INT64_MAX, INT64_MAX, 1, got);
	assert_int_equal(n, 1);
	assert_entries(got, want + 33, 1);

	/* paging by 3 over all 200: no duplicates, no gaps */
	{
		int64_t from = 0;
		kehu_id after = 0;
		entry page[3];

		total = 0;
		while ((n = read_page(f->db, c, from, INT64_MAX, after, 3,
		                      page)) > 0) {
			assert_true(total + n <= N);
			assert_entries(page, want + total, n);
			total += n;
			from = page[n - 1].time;
			after = page[n - 1].id;
		}
		assert_int_equal(total, N);
	}
	/* paging by 70: each iterator crosses its own page boundary */
	{
		int64_t from = 0;
		kehu_id after = 0;

		total = 0;
		while ((n = read_page(f->db, c, from, INT64_MAX, after, 70,
		                      got + total)) > 0) {
			total += n;
			from = got[total - 1].time;
			after = got[total - 1].id;
		}
		assert_int_equal(total, N);
		assert_entries(got, want, N);
	}

	/* arguments */
	assert_int_equal(kehu_history_new(&h, f->db, 424242, 0, 1, 0),
	                 KEHU_ENOTFOUND);
	assert_null(h);
	assert_msg_has(f->db, "424242");
	assert_int_equal(kehu_history_new(&h, f->db, c, 10, 9, 0),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_history_new(&h, f->db, c, -1, 9, 0),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_history_new(&h, f->db, c, 0, 9, -1),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_history_new(NULL, f->db, c, 0, 9, 0),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_history_new(&h, NULL, c, 0, 9, 0), KEHU_EINVAL);
	assert_int_equal(kehu_history_next(NULL, NULL), KEHU_EINVAL);
	kehu_history_free(NULL);

	/* a customer with no history */
	n = read_page(f->db, test_new_customer(f->db), 0, INT64_MAX, 0, 5, got);
	assert_int_equal(n, 0);
	n = read_page(f->db, other, 0, INT64_MAX, 0, N, got);
	assert_int_equal(n, N / 10);
}

/* Recording while iterating: the iterator reads the store a page at a
 * time, and sees what was recorded ahead of it. */
static void test_history_concurrent_record(void **state)
{
	test_fx *f = *state;
	kehu_history *h;
	const kehu_interaction *ix;
	kehu_id c = test_new_customer(f->db);
	int64_t last = -1;
	int i, n = 0;

	for (i = 0; i < 100; i++)
		rec(f->db, c, KEHU_IX_VISIT, T0 + i * 10, 0);
	OK(kehu_history_new(&h, f->db, c, 0, INT64_MAX, 0));
	while (kehu_history_next(h, &ix) == KEHU_OK) {
		assert_true(kehu_interaction_get_time(ix) > last);
		last = kehu_interaction_get_time(ix);
		if (n == 10)
			rec(f->db, c, KEHU_IX_CALL, T0 + 5000, 0);
		if (n == 11)
			rec(f->db, c, KEHU_IX_CALL, T0 + 5, 0); /* behind */
		n++;
	}
	assert_int_equal(n, 101);
	kehu_history_free(h);
}

static void test_history_10k(void **state)
{
	enum { N = 10000 };
	test_fx *f = *state;
	kehu_history *h;
	const kehu_interaction *ix;
	kehu_metrics m;
	kehu_id c = test_new_customer(f->db);
	int64_t last_t = -1;
	kehu_id last_id = 0;
	int64_t sum = 0;
	int i, n = 0;

	OK(kehu_db_begin(f->db));
	for (i = 0; i < N; i++) {
		/* out of order: a permutation of 10000 slots, 2 per hour */
		int k = (int)(((int64_t)i * 7919) % N);

		rec(f->db, c, KEHU_IX_PURCHASE, T0 + (k / 2) * H, k + 1);
	}
	OK(kehu_db_commit(f->db));
	OK(kehu_history_new(&h, f->db, c, 0, INT64_MAX, 0));
	while (kehu_history_next(h, &ix) == KEHU_OK) {
		int64_t t = kehu_interaction_get_time(ix);
		kehu_id id = kehu_interaction_get_id(ix);

		assert_true(t > last_t || (t == last_t && id > last_id));
		last_t = t;
		last_id = id;
		sum += kehu_interaction_get_amount(ix);
		n++;
	}
	kehu_history_free(h);
	assert_int_equal(n, N);
	assert_int_equal(sum, (int64_t)N * (N + 1) / 2);
	read_m(f->db, c, T0 + 365 * DAY, &m);
	assert_int_equal(m.interactions, N);
	assert_int_equal(m.orders, N);
	assert_int_equal(m.sales, sum);
	assert_int_equal(m.purchases, N / 2 / 24 + (N / 2 % 24 != 0));
}

/* ---- armor ------------------------------------------------------------- */

static void test_null_args(void **state)
{
	test_fx *f = *state;
	const char *s;
	int64_t i;
	double d;

	(void)f;
	kehu_interaction_free(NULL);
	assert_int_equal(kehu_interaction_record(NULL), KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_account(NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_amount(NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_cost(NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_channel(NULL, "x"),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_note(NULL, "x"), KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_satisfaction(NULL, 1),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_attr_string(NULL, "a", "b"),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_attr_int(NULL, "a", 1),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_attr_number(NULL, "a", 1.0),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_set_attr_time(NULL, "a", 1),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_get_attr_string(NULL, "a", &s),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_get_attr_int(NULL, "a", &i),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_get_attr_number(NULL, "a", &d),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_get_attr_time(NULL, "a", &i),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_get_id(NULL), 0);
	assert_int_equal(kehu_interaction_get_customer(NULL), 0);
	assert_int_equal(kehu_interaction_get_account(NULL), 0);
	assert_int_equal(kehu_interaction_get_type(NULL), 0);
	assert_int_equal(kehu_interaction_get_time(NULL), 0);
	assert_int_equal(kehu_interaction_get_amount(NULL), 0);
	assert_int_equal(kehu_interaction_get_cost(NULL), 0);
	assert_int_equal(kehu_interaction_get_satisfaction(NULL), 0);
	assert_string_equal(kehu_interaction_get_channel(NULL), "");
	assert_string_equal(kehu_interaction_get_note(NULL), "");
	assert_int_equal(kehu_interaction_attr_count(NULL), 0);
}

static void test_errcode(void **state)
{
	test_fx *f = *state;
	kehu_interaction *ix;
	kehu_history *h;
	const kehu_interaction *got;
	kehu_id c = test_new_customer(f->db);
	const char *s;
	int64_t i;
	double d;

	OK(kehu_interaction_new(&ix, f->db, c, KEHU_IX_VISIT, T0));
	OK(kehu_interaction_set_attr_string(ix, "s", "v"));
	OK(kehu_interaction_set_attr_int(ix, "i", 1));
	OK(kehu_interaction_set_attr_number(ix, "n", 1.0));
	OK(kehu_interaction_set_attr_time(ix, "t", 1));
	OK(kehu_interaction_record(ix));
	OK(kehu_history_new(&h, f->db, c, 0, INT64_MAX, 0));
	OK(kehu_history_next(h, &got));
	assert_int_equal(kehu_interaction_get_attr_string(got, "s", NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_errcode(f->db), KEHU_EINVAL);
	assert_int_equal(kehu_interaction_get_attr_int(ix, "i", NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_errcode(f->db), KEHU_EINVAL);
	OK(kehu_interaction_get_attr_number(ix, "n", &d));
	assert_int_equal(kehu_errcode(f->db), KEHU_OK);
	assert_int_equal(kehu_interaction_get_attr_time(ix, "t", NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_errcode(f->db), KEHU_EINVAL);
	assert_int_equal(kehu_interaction_get_attr_number(ix, "n", NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_interaction_get_attr_int(got, "s", &i),
	                 KEHU_EINVAL);
	assert_msg_has(f->db, "string");
	assert_int_equal(kehu_interaction_get_attr_string(got, "x", &s),
	                 KEHU_ENOTFOUND);
	assert_int_equal(kehu_errcode(f->db), KEHU_ENOTFOUND);
	assert_int_equal(kehu_history_next(h, NULL), KEHU_EINVAL);
	assert_int_equal(kehu_errcode(f->db), KEHU_EINVAL);
	assert_int_equal(kehu_history_next(h, &got), KEHU_ITEROVER);
	kehu_history_free(h);
	kehu_interaction_free(ix);
}

static void test_zombie(void **state)
{
	test_alloc al;
	kehu_db *db;
	kehu_interaction *ix;
	kehu_history *h;
	const kehu_interaction *got;
	kehu_id c;

	(void)state;
	memset(&al, 0, sizeof al);
	OK(test_open(&db, &al, NULL));
	c = test_new_customer(db);
	rec(db, c, KEHU_IX_VISIT, T0, 0);
	OK(kehu_interaction_new(&ix, db, c, KEHU_IX_PURCHASE, T0));
	OK(kehu_history_new(&h, db, c, 0, INT64_MAX, 0));
	kehu_db_close(db);
	assert_true(al.live_bytes > 0);
	assert_int_equal(kehu_interaction_record(ix), KEHU_EMISUSE);
	assert_int_equal(kehu_interaction_set_amount(ix, 5), KEHU_EMISUSE);
	assert_int_equal(kehu_interaction_set_note(ix, "n"), KEHU_EMISUSE);
	assert_int_equal(kehu_history_next(h, &got), KEHU_EMISUSE);
	kehu_interaction_free(ix);
	assert_true(al.live_bytes > 0);
	kehu_history_free(h);
	assert_int_equal(al.live_bytes, 0);
	assert_int_equal(al.bad_osize, 0);
}

/* kehu_interaction_free keeps one handle for the next kehu_interaction_new:
 * a new handle must still start empty and writable, two live handles
 * must stay distinct, and closing the db must free the kept one. */
static void test_handle_reuse(void **state)
{
	test_alloc al;
	kehu_db *db;
	kehu_interaction *ix, *ix2;
	const char *s = NULL;
	kehu_id c;
	size_t settled;
	int i;

	(void)state;
	memset(&al, 0, sizeof al);
	OK(test_open(&db, &al, NULL));
	c = test_new_customer(db);
	for (i = 0; i < 3; i++) {
		OK(kehu_interaction_new(&ix, db, c, KEHU_IX_PURCHASE,
		                        T0 + i * DAY));
		/* nothing left over from the handle freed last round */
		assert_int_equal(kehu_interaction_get_id(ix), 0);
		assert_int_equal(kehu_interaction_get_amount(ix), 0);
		assert_string_equal(kehu_interaction_get_channel(ix), "");
		assert_string_equal(kehu_interaction_get_note(ix), "");
		assert_int_equal(kehu_interaction_attr_count(ix), 0);
		assert_int_equal(kehu_interaction_get_attr_string(ix, "sku",
		                                                  &s),
		                 KEHU_ENOTFOUND);
		assert_int_equal(kehu_interaction_get_time(ix), T0 + i * DAY);
		OK(kehu_interaction_set_amount(ix, 100 + i));
		OK(kehu_interaction_set_channel(ix, "web"));
		OK(kehu_interaction_set_note(ix, "note"));
		OK(kehu_interaction_set_attr_string(ix, "sku", "A-1"));
		OK(kehu_interaction_record(ix));
		assert_true(kehu_interaction_get_id(ix) > 0);
		kehu_interaction_free(ix);
	}
	/* steady state: a new and a free cost no memory */
	settled = al.live_bytes;
	OK(kehu_interaction_new(&ix, db, c, KEHU_IX_VISIT, T0));
	kehu_interaction_free(ix);
	assert_int_equal(al.live_bytes, settled);
	/* two at once: distinct, each freed once */
	OK(kehu_interaction_new(&ix, db, c, KEHU_IX_VISIT, T0));
	OK(kehu_interaction_new(&ix2, db, c, KEHU_IX_CALL, T0 + DAY));
	assert_ptr_not_equal(ix, ix2);
	assert_int_equal(kehu_interaction_get_type(ix), KEHU_IX_VISIT);
	assert_int_equal(kehu_interaction_get_type(ix2), KEHU_IX_CALL);
	kehu_interaction_free(ix2);
	kehu_interaction_free(ix);
	/* a handle outliving the db, with a spare kept: all freed */
	OK(kehu_interaction_new(&ix, db, c, KEHU_IX_VISIT, T0));
	OK(kehu_interaction_new(&ix2, db, c, KEHU_IX_VISIT, T0));
	kehu_interaction_free(ix2);
	kehu_db_close(db);
	assert_true(al.live_bytes > 0);
	assert_int_equal(kehu_interaction_record(ix), KEHU_EMISUSE);
	kehu_interaction_free(ix);
	assert_int_equal(al.live_bytes, 0);
	assert_int_equal(al.bad_osize, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_fx_setup, test_fx_teardown)
		cmocka_unit_test(test_type_names),
		T(test_new),
		T(test_setters),
		T(test_round_trip),
		T(test_record_rules),
		T(test_metrics_empty),
		T(test_metrics_definitions),
		T(test_windows_exact),
		cmocka_unit_test(test_utc_offset),
		cmocka_unit_test(test_back_dated),
		cmocka_unit_test(test_back_dated_random),
		T(test_months_active_by_calendar),
		T(test_months_back_dated),
		cmocka_unit_test(test_metrics_txn_and_reopen),
		T(test_errcode),
		T(test_overflow),
		T(test_history),
		T(test_history_concurrent_record),
		T(test_history_10k),
		T(test_null_args),
		cmocka_unit_test(test_zombie),
		cmocka_unit_test(test_handle_reuse),
#undef T
	};

	return cmocka_run_group_tests_name("interaction", tests, NULL, NULL);
}
