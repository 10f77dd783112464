/*
 * tests/common/testutil: see testutil.h.
 */
#include "testutil.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ---- allocator ---- */

#define HDR 16 /* true size stored in front of each block */

void *test_alloc_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
	test_alloc *a = ud;
	unsigned char *base = ptr ? (unsigned char *)ptr - HDR : NULL;
	unsigned char *nb;
	size_t truesize = 0;

	if (base) {
		memcpy(&truesize, base, sizeof truesize);
		if (truesize != osize)
			a->bad_osize++;
	}
	if (nsize == 0) {
		if (base) {
			a->live_bytes -= truesize;
			a->live_blocks--;
			free(base);
		}
		return NULL;
	}
	if (a->armed) {
		a->count++;
		if (a->fail_at && a->count == a->fail_at) {
			a->failures++;
			return NULL;
		}
	}
	nb = realloc(base, nsize + HDR);
	if (!nb)
		return NULL;
	memcpy(nb, &nsize, sizeof nsize);
	if (base)
		a->live_bytes -= truesize;
	else
		a->live_blocks++;
	a->live_bytes += nsize;
	return nb + HDR;
}

/* ---- faulty store ---- */

static int fault(test_faulty *f)
{
	if (!f->armed)
		return KEHU_OK;
	f->count++;
	if (f->fail_at && f->count == f->fail_at) {
		f->failures++;
		return f->fail_code ? f->fail_code : KEHU_ESTORAGE;
	}
	return KEHU_OK;
}

static int f_begin(void *ud)
{
	test_faulty *f = ud;
	int rc = fault(f);

	return rc ? rc : f->inner.begin(f->inner.user_data);
}

static int f_commit(void *ud)
{
	test_faulty *f = ud;
	int rc = fault(f);

	return rc ? rc : f->inner.commit(f->inner.user_data);
}

static int f_rollback(void *ud)
{
	test_faulty *f = ud;
	int rc = fault(f);

	/* a failing rollback must still discard: the store's contract */
	f->inner.rollback(f->inner.user_data);
	return rc;
}

static int f_get(const void *k, size_t kl, kehu_storage_sink_cb sink,
                 void *ctx, void *ud)
{
	test_faulty *f = ud;
	int rc = fault(f);

	return rc ? rc : f->inner.get(k, kl, sink, ctx, f->inner.user_data);
}

static int f_put(const void *k, size_t kl, const void *v, size_t vl, void *ud)
{
	test_faulty *f = ud;
	int rc = fault(f);

	return rc ? rc : f->inner.put(k, kl, v, vl, f->inner.user_data);
}

static int f_del(const void *k, size_t kl, void *ud)
{
	test_faulty *f = ud;
	int rc = fault(f);

	return rc ? rc : f->inner.del(k, kl, f->inner.user_data);
}

static int f_scan(const void *s, size_t sl, const void *e, size_t el,
                  kehu_storage_visit_cb visit, void *ctx, void *ud)
{
	test_faulty *f = ud;
	int rc = fault(f);

	return rc ? rc
	          : f->inner.scan(s, sl, e, el, visit, ctx, f->inner.user_data);
}

static void f_close(void *ud)
{
	test_faulty *f = ud;

	f->closed++;
}

void test_faulty_vtable(test_faulty *f, kehu_storage *out)
{
	memset(out, 0, sizeof *out);
	out->version = KEHU_STORAGE_VERSION;
	out->user_data = f;
	out->begin = f_begin;
	out->commit = f_commit;
	out->rollback = f_rollback;
	out->get = f_get;
	out->put = f_put;
	out->del = f_del;
	out->scan = f_scan;
	out->close = f_close;
}

/* ---- snapshot ---- */

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static void text_add(test_text *t, const char *fmt, ...);

static void text_add(test_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = t->cap - t->len;

		va_start(ap, fmt);
		n = vsnprintf(t->data ? t->data + t->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < room) {
			t->len += (size_t)n;
			return;
		}
		t->cap = t->cap ? t->cap * 2 : 4096;
		t->data = realloc(t->data, t->cap);
		if (!t->data)
			abort();
	}
}

void test_text_free(test_text *t)
{
	free(t->data);
	memset(t, 0, sizeof *t);
}

typedef struct snap_ctx {
	kehu_db *db;
	int64_t now;
	test_text *t;
	const kehu_customer *c;
	int rc;
} snap_ctx;

static int snap_tag(const char *tag, void *ud)
{
	snap_ctx *s = ud;

	text_add(s->t, " tag=%s", tag);
	return 0;
}

static int snap_attr(const char *name, int32_t type, void *ud)
{
	snap_ctx *s = ud;
	const char *str;
	int64_t i;
	double d;

	switch (type) {
	case KEHU_ATTR_STRING:
		kehu_customer_get_attr_string(s->c, name, &str);
		text_add(s->t, " %s:s=%s", name, str);
		break;
	case KEHU_ATTR_INT:
		kehu_customer_get_attr_int(s->c, name, &i);
		text_add(s->t, " %s:i=%" PRId64, name, i);
		break;
	case KEHU_ATTR_NUMBER:
		kehu_customer_get_attr_number(s->c, name, &d);
		text_add(s->t, " %s:n=%.17g", name, d);
		break;
	default:
		kehu_customer_get_attr_time(s->c, name, &i);
		text_add(s->t, " %s:t=%" PRId64, name, i);
	}
	return 0;
}

static void snap_metrics(snap_ctx *s, int64_t id)
{
	kehu_metrics m;
	int rc;

	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	rc = kehu_metrics_read(&m, s->db, id, s->now);
	if (rc != KEHU_OK) {
		s->rc = rc;
		return;
	}
	text_add(s->t,
	         "  metrics fp=%" PRId64 " lp=%" PRId64 " lc=%" PRId64
	         " n=%" PRId64 " p=%" PRId64 " o=%" PRId64 " s=%" PRId64
	         " r=%" PRId64 " rev=%" PRId64 " c=%" PRId64 " cx=%" PRId64
	         " sat=%" PRId64 "/%.3f/%" PRId64 " ref=%" PRId64
	         " mo=%" PRId64 " w=%" PRId64 ",%" PRId64 ",%" PRId64
	         ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64
	         ",%" PRId64 "\n",
	         m.first_purchase, m.last_purchase, m.last_contact,
	         m.interactions, m.purchases, m.orders, m.sales, m.refunds,
	         m.revenue, m.cost, m.complaints, m.satisfaction_count,
	         m.average_satisfaction, m.last_satisfaction, m.referrals,
	         m.months_active, m.revenue_30d, m.revenue_90d,
	         m.revenue_365d, m.purchases_30d, m.purchases_90d,
	         m.purchases_365d, m.complaints_30d, m.complaints_90d,
	         m.complaints_365d);
}

static void snap_history(snap_ctx *s, int64_t id)
{
	kehu_history *h;
	const kehu_interaction *ix;
	int rc = kehu_history_new(&h, s->db, id, 0, INT64_MAX, 0);

	if (rc != KEHU_OK) {
		s->rc = rc;
		return;
	}
	while ((rc = kehu_history_next(h, &ix)) == KEHU_OK)
		text_add(s->t,
		         "  ix %" PRId64 " a=%" PRId64 " t=%" PRId64
		         " ty=%d amt=%" PRId64 " cost=%" PRId64
		         " sat=%d ch=%s note=%s attrs=%zu\n",
		         kehu_interaction_get_id(ix),
		         kehu_interaction_get_account(ix),
		         kehu_interaction_get_time(ix),
		         (int)kehu_interaction_get_type(ix),
		         kehu_interaction_get_amount(ix),
		         kehu_interaction_get_cost(ix),
		         (int)kehu_interaction_get_satisfaction(ix),
		         kehu_interaction_get_channel(ix),
		         kehu_interaction_get_note(ix),
		         kehu_interaction_attr_count(ix));
	if (rc != KEHU_ITEROVER)
		s->rc = rc;
	kehu_history_free(h);
}

static int snap_customer(kehu_id id, void *ud)
{
	snap_ctx *s = ud;
	kehu_customer *c;
	int rc = kehu_customer_lookup(&c, s->db, id);

	if (rc != KEHU_OK) {
		s->rc = rc;
		return 1;
	}
	s->c = c;
	text_add(s->t, "customer %" PRId64 " key=%s name=%s k=%d r=%d st=%d"
	         " ref=%" PRId64, id,
	         kehu_customer_get_key(c) ? kehu_customer_get_key(c) : "-",
	         kehu_customer_get_name(c), (int)kehu_customer_get_kind(c),
	         (int)kehu_customer_get_relation(c),
	         (int)kehu_customer_get_status(c),
	         kehu_customer_get_referrer(c));
	kehu_customer_foreach_tag(c, snap_tag, s);
	kehu_customer_foreach_attr(c, snap_attr, s);
	text_add(s->t, "\n");
	kehu_customer_free(c);
	snap_metrics(s, id);
	snap_history(s, id);
	return s->rc != KEHU_OK;
}

static int snap_member(kehu_id cid, int32_t role, void *ud)
{
	snap_ctx *s = ud;

	text_add(s->t, " m=%" PRId64 "/%d", cid, (int)role);
	return 0;
}

static int snap_account(kehu_id id, void *ud)
{
	snap_ctx *s = ud;
	kehu_account *a;
	int rc = kehu_account_lookup(&a, s->db, id);

	if (rc != KEHU_OK) {
		s->rc = rc;
		return 1;
	}
	text_add(s->t, "account %" PRId64 " name=%s payer=%" PRId64, id,
	         kehu_account_get_name(a), kehu_account_get_payer(a));
	kehu_account_foreach_member(a, snap_member, s);
	text_add(s->t, "\n");
	kehu_account_free(a);
	snap_metrics(s, id);
	return s->rc != KEHU_OK;
}

int test_snapshot(kehu_db *db, int64_t now, test_text *t)
{
	snap_ctx s;

	s.db = db;
	s.now = now;
	s.t = t;
	s.c = NULL;
	s.rc = KEHU_OK;
	text_add(t, "customers=%" PRId64 " accounts=%" PRId64 "\n",
	         kehu_db_customer_count(db), kehu_db_account_count(db));
	kehu_customer_foreach(db, snap_customer, &s);
	if (s.rc == KEHU_OK)
		kehu_account_foreach(db, snap_account, &s);
	return s.rc;
}

int test_open(kehu_db **out, test_alloc *a, const kehu_storage *st)
{
	kehu_db_options o;

	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	if (a) {
		o.alloc = test_alloc_fn;
		o.alloc_user_data = a;
	}
	o.storage = st;
	return kehu_db_open(out, &o);
}

int test_fx_setup(void **state)
{
	test_fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	assert_int_equal(test_open(&f->db, &f->a, NULL), KEHU_OK);
	*state = f;
	return 0;
}

int test_fx_teardown(void **state)
{
	test_fx *f = *state;

	kehu_db_close(f->db);
	assert_int_equal(f->a.live_bytes, 0);
	assert_int_equal(f->a.live_blocks, 0);
	assert_int_equal(f->a.bad_osize, 0);
	free(f);
	return 0;
}

void assert_msg_has(kehu_db *db, const char *needle)
{
	const char *msg = kehu_errmsg(db);

	if (!msg || !strstr(msg, needle))
		fail_msg("errmsg '%s' does not contain '%s'", msg ? msg : "",
		         needle);
}

kehu_id test_new_customer(kehu_db *db)
{
	kehu_customer *c;
	kehu_id id;

	assert_int_equal(kehu_customer_create(&c, db, NULL), KEHU_OK);
	id = kehu_customer_get_id(c);
	kehu_customer_free(c);
	return id;
}

kehu_id test_new_account(kehu_db *db, kehu_id payer)
{
	kehu_account *a;
	kehu_id id;

	assert_int_equal(kehu_account_create(&a, db, payer), KEHU_OK);
	id = kehu_account_get_id(a);
	kehu_account_free(a);
	return id;
}

/* Every field of kehu_metrics version 1. */
void test_assert_metrics_equal(const kehu_metrics *x, const kehu_metrics *y)
{
	assert_int_equal(x->version, y->version);
	assert_int_equal(x->first_purchase, y->first_purchase);
	assert_int_equal(x->last_purchase, y->last_purchase);
	assert_int_equal(x->last_contact, y->last_contact);
	assert_int_equal(x->interactions, y->interactions);
	assert_int_equal(x->purchases, y->purchases);
	assert_int_equal(x->orders, y->orders);
	assert_int_equal(x->sales, y->sales);
	assert_int_equal(x->refunds, y->refunds);
	assert_int_equal(x->revenue, y->revenue);
	assert_int_equal(x->cost, y->cost);
	assert_int_equal(x->margin, y->margin);
	assert_true(x->average_order_value == y->average_order_value);
	assert_int_equal(x->complaints, y->complaints);
	assert_int_equal(x->satisfaction_count, y->satisfaction_count);
	assert_true(x->average_satisfaction == y->average_satisfaction);
	assert_int_equal(x->last_satisfaction, y->last_satisfaction);
	assert_int_equal(x->referrals, y->referrals);
	assert_int_equal(x->months_active, y->months_active);
	assert_int_equal(x->days_since_first_purchase,
	                 y->days_since_first_purchase);
	assert_int_equal(x->days_since_last_purchase,
	                 y->days_since_last_purchase);
	assert_int_equal(x->days_since_last_contact,
	                 y->days_since_last_contact);
	assert_int_equal(x->revenue_30d, y->revenue_30d);
	assert_int_equal(x->revenue_90d, y->revenue_90d);
	assert_int_equal(x->revenue_365d, y->revenue_365d);
	assert_int_equal(x->purchases_30d, y->purchases_30d);
	assert_int_equal(x->purchases_90d, y->purchases_90d);
	assert_int_equal(x->purchases_365d, y->purchases_365d);
	assert_int_equal(x->complaints_30d, y->complaints_30d);
	assert_int_equal(x->complaints_90d, y->complaints_90d);
	assert_int_equal(x->complaints_365d, y->complaints_365d);
}
