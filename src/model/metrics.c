/*
 * model/metrics: O(1) metric updates per interaction, and reading the
 * metrics (with the trailing windows from the day buckets) as of a time.
 *
 * The day buckets ('D' owner day) hold what the windows need per local
 * day.  Whether a bucket exists is known without a read when the new
 * interaction is dated after the owner's last contact (the common case:
 * history arrives in time order); only back-dated interactions read it.
 */
#include "model/metrics.h"

#include <string.h>

#include "codec/keys.h"
#include "codec/record.h"
#include "core/caltime.h"
#include "core/checked.h"
#include "core/tuning.h"
#include "model/hot.h"

static int overflow(kehu_db *db, const char *what)
{
	return kehu__db_error3(db, KEHU_ERANGE, "", what,
	                       " would overflow: interaction not recorded");
}

static int count_up(kehu_db *db, uint32_t *n, const char *what)
{
	if (*n == UINT32_MAX)
		return overflow(db, what);
	(*n)++;
	return KEHU_OK;
}

static int add_money(kehu_db *db, int64_t *sum, int64_t v, const char *what)
{
	return kehu__add_i64(*sum, v, sum) ? overflow(db, what) : KEHU_OK;
}

static int load_bucket(kehu_db *db, int64_t owner, int32_t day,
                       kehu__day_rec *b)
{
	int rc;

	kehu__key_day(&db->key, owner, day);
	if (db->key.failed)
		return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	rc = kehu__store_get(&db->store, &db->key, &db->val);
	if (rc == KEHU_ENOTFOUND) {
		memset(b, 0, sizeof *b);
		return KEHU_OK;
	}
	if (rc != KEHU_OK)
		return rc;
	if (kehu__day_rec_decode(b, db->val.data, db->val.len) != KEHU_OK)
		return kehu__db_errori(db, KEHU_ECORRUPT, "a day bucket of ",
		                       owner, " does not decode");
	return KEHU_OK;
}

static int any_purchase(const void *key, size_t klen, const void *val,
                        size_t vlen, void *ctx)
{
	kehu__day_rec b;

	(void)key;
	(void)klen;
	(void)ctx;
	if (kehu__day_rec_decode(&b, val, vlen) == KEHU_OK && b.orders > 0)
		return 1;
	return 0;
}

/* Whether a new purchase day starts a month with no other purchase. */
static int new_month(kehu_db *db, int64_t owner, int32_t day,
                     int64_t last_purchase, int *is_new)
{
	int32_t month, last_day;
	int rc;

	*is_new = 1;
	if (last_purchase < 0)
		return KEHU_OK;
	last_day = kehu__day_of(last_purchase, db->utc_offset);
	/* no month has 32 days: spares the calendar on most purchases */
	if (day > last_day && day - last_day > 31)
		return KEHU_OK;
	month = kehu__month_of_day(day);
	if (kehu__month_of_day(last_day) == month) {
		*is_new = 0;
		return KEHU_OK;
	}
	if (day > last_day)
		return KEHU_OK;
	/* back-dated into another month: look for its other purchases */
	kehu__key_day(&db->key, owner, kehu__first_day_of_month(month));
	kehu__key_day(&db->key2, owner, kehu__first_day_of_month(month + 1));
	if (db->key.failed || db->key2.failed)
		return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	rc = kehu__store_scan(&db->store, db->key.data, db->key.len,
	                      db->key2.data, db->key2.len, any_purchase, NULL);
	if (rc == 1)
		*is_new = 0;
	return rc == 1 ? KEHU_OK : rc;
}

static int purchase(kehu_db *db, int64_t owner, const kehu__interaction_rec *ix,
                    kehu__metrics_update *u)
{
	kehu__metrics_rec *m = &u->m;
	int rc, is_new_month;

	if (u->bucket.orders == 0) {
		if ((rc = new_month(db, owner, u->day, m->last_purchase,
		                    &is_new_month)) != KEHU_OK ||
		    (rc = count_up(db, &m->purchase_days, "purchase days")))
			return rc;
		if (is_new_month &&
		    (rc = count_up(db, &m->months_active, "months active")))
			return rc;
	}
	if ((rc = count_up(db, &m->orders, "orders")) != KEHU_OK ||
	    (rc = add_money(db, &m->sales, ix->amount, "sales")) != KEHU_OK)
		return rc;
	u->bucket.orders++;
	/* <= m->sales, unless the stored bucket is corrupt */
	if (kehu__add_i64(u->bucket.sales, ix->amount, &u->bucket.sales))
		return kehu__db_errori(db, KEHU_ECORRUPT, "a day bucket of ",
		                       owner, " does not decode");
	if (m->first_purchase < 0 || ix->time < m->first_purchase)
		m->first_purchase = ix->time;
	if (ix->time > m->last_purchase)
		m->last_purchase = ix->time;
	u->write_bucket = 1;
	return KEHU_OK;
}

static int by_type(kehu_db *db, int64_t owner, const kehu__interaction_rec *ix,
                   kehu__metrics_update *u)
{
	kehu__metrics_rec *m = &u->m;
	int rc;

	switch (ix->type) {
	case KEHU_IX_PURCHASE:
		return purchase(db, owner, ix, u);
	case KEHU_IX_REFUND:
		if ((rc = add_money(db, &m->refunds, ix->amount, "refunds")))
			return rc;
		if (kehu__add_i64(u->bucket.refunds, ix->amount,
		                  &u->bucket.refunds)) /* see purchase() */
			return kehu__db_errori(db, KEHU_ECORRUPT,
			                       "a day bucket of ", owner,
			                       " does not decode");
		u->write_bucket = 1;
		return KEHU_OK;
	case KEHU_IX_COMPLAINT:
		if ((rc = count_up(db, &m->complaints, "complaints")))
			return rc;
		u->bucket.complaints++;
		u->write_bucket = 1;
		return KEHU_OK;
	case KEHU_IX_REFERRAL:
		return count_up(db, &m->referrals, "referrals");
	default:
		return KEHU_OK;
	}
}

static int satisfaction(kehu_db *db, const kehu__interaction_rec *ix,
                        kehu__metrics_rec *m)
{
	int rc;

	if (ix->satisfaction == 0)
		return KEHU_OK;
	if (m->sat_sum > UINT32_MAX - 5)
		return overflow(db, "satisfaction sum");
	if ((rc = count_up(db, &m->sat_count, "satisfaction count")))
		return rc;
	m->sat_sum += (uint32_t)ix->satisfaction;
	if (ix->time >= m->last_sat_time) {
		m->last_sat = (uint8_t)ix->satisfaction;
		m->last_sat_time = ix->time;
	}
	return KEHU_OK;
}

static int needs_bucket(int32_t type)
{
	return type == KEHU_IX_PURCHASE || type == KEHU_IX_REFUND ||
	       type == KEHU_IX_COMPLAINT;
}

int kehu__metrics_apply(kehu_db *db, int64_t owner,
                        const kehu__metrics_rec *before,
                        const kehu__interaction_rec *ix,
                        kehu__metrics_update *u)
{
	kehu__metrics_rec *m = &u->m;
	int64_t margin;
	int rc;

	*m = *before;
	u->write_bucket = 0;
	u->day = kehu__day_of(ix->time, db->utc_offset);
	memset(&u->bucket, 0, sizeof u->bucket);
	/* a bucket can exist only on days up to the last contact's */
	if (needs_bucket(ix->type) && before->last_contact >= 0 &&
	    u->day <= kehu__day_of(before->last_contact, db->utc_offset) &&
	    (rc = load_bucket(db, owner, u->day, &u->bucket)) != KEHU_OK)
		return rc;
	if ((rc = count_up(db, &m->interactions, "interactions")) != KEHU_OK ||
	    (rc = add_money(db, &m->cost, ix->cost, "cost")) != KEHU_OK ||
	    (rc = by_type(db, owner, ix, u)) != KEHU_OK ||
	    (rc = satisfaction(db, ix, m)) != KEHU_OK)
		return rc;
	if (kehu__sub_i64(m->sales - m->refunds, m->cost, &margin))
		return overflow(db, "margin");
	if (ix->time > m->last_contact)
		m->last_contact = ix->time;
	return KEHU_OK;
}

/* ---- reading ---------------------------------------------------------- */

typedef struct window_ctx {
	int32_t today;
	kehu__windows w;
	int rc;
} window_ctx;

/*
 * A bucket as kehu__day_rec_encode writes it: the format byte, then
 * fields 1..4 in order, each a one-byte tag and a varint.  Classifying a population decodes a bucket per active customer,
 * and reading this exact shape in place is several times cheaper than
 * the generic field reader.  Any other shape (another writer, a corrupt
 * or out-of-range value) goes to kehu__day_rec_decode, which stays the
 * definition of the format: both give the same result on every input.
 * Here field `field`'s varint at *p, as the encoder writes it.
 */
static inline int day_field(const uint8_t **p, const uint8_t *end,
                            unsigned field, uint64_t *out)
{
	const uint8_t *q = *p;

	if (end - q < 2 || q[0] != (uint8_t)(field << 3 | KEHU__WIRE_VARINT))
		return 0;
	*p = q + 1;
	return kehu__rec_varint(p, end, out) == 0;
}

static int decode_day(kehu__day_rec *b, const void *val, size_t vlen)
{
	const uint8_t *p = val, *end = p + vlen;
	uint64_t orders, complaints, sales, refunds;

	/* the canonical encoding in place; anything else (an older or
	 * damaged record) through the general decoder */
	if (!KEHU__FAST_PATHS || vlen < 9 || p[0] != KEHU__REC_FORMAT)
		return kehu__day_rec_decode(b, val, vlen);
	p++;
	if (!day_field(&p, end, 1, &orders) ||
	    !day_field(&p, end, 2, &complaints) ||
	    !day_field(&p, end, 3, &sales) ||
	    !day_field(&p, end, 4, &refunds) || p != end ||
	    orders > UINT32_MAX || complaints > UINT32_MAX)
		return kehu__day_rec_decode(b, val, vlen);
	b->orders = (uint32_t)orders;
	b->complaints = (uint32_t)complaints;
	/* zigzag, as kehu__rec_as_i64 */
	b->sales = (int64_t)(sales >> 1) ^ -(int64_t)(sales & 1);
	b->refunds = (int64_t)(refunds >> 1) ^ -(int64_t)(refunds & 1);
	if (b->sales < 0 || b->refunds < 0) /* corrupt: the reader says so */
		return kehu__day_rec_decode(b, val, vlen);
	return KEHU_OK;
}

int kehu__windows_add_day(kehu__windows *w, int32_t today, int32_t day,
                          const void *val, size_t vlen)
{
	kehu__day_rec b;
	int64_t revenue, age = (int64_t)today - day;
	int i;

	/* a corrupt key can name any day: the distance in 64 bits */
	if (age < 0 || age >= 365)
		return KEHU_OK; /* outside every window: no need to decode */
	if (decode_day(&b, val, vlen) != KEHU_OK)
		return KEHU_ECORRUPT;
	/* bucket sums are bounded by the lifetime sums, unless a stored
	 * bucket is corrupt: checked, never wrapped */
	if (b.sales < 0 || b.refunds < 0)
		return KEHU_ECORRUPT;
	revenue = b.sales - b.refunds;
	/* windows of 30, 90 and 365 days: a day in one is in the longer */
	for (i = age < 30 ? 0 : age < 90 ? 1 : 2; i < 3; i++) {
		if (kehu__add_i64(w->revenue[i], revenue, &w->revenue[i]))
			return KEHU_ECORRUPT;
		w->purchases[i] += b.orders > 0;
		w->complaints[i] += b.complaints;
	}
	return KEHU_OK;
}

void kehu__windows_put(const kehu__windows *w, kehu_metrics *out)
{
	out->revenue_30d = w->revenue[0];
	out->revenue_90d = w->revenue[1];
	out->revenue_365d = w->revenue[2];
	out->purchases_30d = w->purchases[0];
	out->purchases_90d = w->purchases[1];
	out->purchases_365d = w->purchases[2];
	out->complaints_30d = w->complaints[0];
	out->complaints_90d = w->complaints[1];
	out->complaints_365d = w->complaints[2];
}

static int add_day(const void *key, size_t klen, const void *val,
                   size_t vlen, void *vctx)
{
	window_ctx *w = vctx;
	int32_t day;

	w->rc = kehu__key_parse_day(key, klen, &day) != 0
		? KEHU_ECORRUPT
		: kehu__windows_add_day(&w->w, w->today, day, val, vlen);
	return w->rc != KEHU_OK;
}

static int read_windows(kehu_db *db, int64_t id, int32_t today,
                        kehu_metrics *out)
{
	window_ctx w;
	int rc;

	memset(&w, 0, sizeof w);
	w.today = today;
	w.rc = KEHU_OK;
	kehu__key_day(&db->key, id, today - 364);
	kehu__key_day(&db->key2, id, today + 1);
	if (db->key.failed || db->key2.failed)
		return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	rc = kehu__store_scan(&db->store, db->key.data, db->key.len,
	                      db->key2.data, db->key2.len, add_day, &w);
	if (rc == 1)
		return kehu__db_errori(db, w.rc, "a day bucket of ", id,
		                       " does not decode");
	if (rc == KEHU_OK)
		kehu__windows_put(&w.w, out);
	return rc;
}

static int64_t days_since(const kehu_db *db, int64_t t, int32_t today)
{
	return t < 0 ? -1 : (int64_t)today - kehu__day_of(t, db->utc_offset);
}

static void fill(const kehu_db *db, const kehu__metrics_rec *r,
                 int32_t today, kehu_metrics *out)
{
	out->first_purchase = r->first_purchase;
	out->last_purchase = r->last_purchase;
	out->last_contact = r->last_contact;
	out->interactions = r->interactions;
	out->purchases = r->purchase_days;
	out->orders = r->orders;
	out->sales = r->sales;
	out->refunds = r->refunds;
	out->revenue = r->sales - r->refunds;
	out->cost = r->cost;
	out->margin = out->revenue - r->cost;
	out->average_order_value =
		r->orders ? (double)r->sales / (double)r->orders : 0.0;
	out->complaints = r->complaints;
	out->satisfaction_count = r->sat_count;
	out->average_satisfaction =
		r->sat_count ? (double)r->sat_sum / (double)r->sat_count : 0.0;
	out->last_satisfaction = r->last_sat;
	out->referrals = r->referrals;
	out->months_active = r->months_active;
	out->days_since_first_purchase =
		days_since(db, r->first_purchase, today);
	out->days_since_last_purchase = days_since(db, r->last_purchase, today);
	out->days_since_last_contact = days_since(db, r->last_contact, today);
}

KEHU_API int kehu_metrics_init(kehu_metrics *m, uint32_t version)
{
	if (!m || version != KEHU_METRICS_VERSION)
		return KEHU_EINVAL;
	memset(m, 0, sizeof *m);
	m->version = version;
	return KEHU_OK;
}

int kehu__metrics_has_windows(const kehu_metrics *m)
{
	return m->last_contact >= 0 && m->days_since_last_contact <= 364;
}

void kehu__metrics_of_slot_on(const kehu_db *db, const kehu__hot *h,
                              int32_t today, kehu_metrics *out)
{
	static const kehu__windows none;

	/* fill writes every other field: no kehu_metrics_init (a memset of
	 * the whole struct) per customer */
	out->version = KEHU_METRICS_VERSION;
	fill(db, &h->m, today, out);
	kehu__windows_put(&none, out);
}

int kehu__metrics_of_slot(kehu_db *db, const kehu__hot *h, int64_t now,
                          int windows, kehu_metrics *out)
{
	int32_t today = kehu__day_of(now, db->utc_offset);

	kehu__metrics_of_slot_on(db, h, today, out);
	/* buckets exist only up to the last contact's day: a customer quiet
	 * for a year has empty windows without a scan */
	if (!windows || !kehu__metrics_has_windows(out))
		return KEHU_OK;
	return read_windows(db, h->id, today, out);
}

KEHU_API int kehu_metrics_read(kehu_metrics *out, kehu_db *db, kehu_id id,
                               int64_t now)
{
	kehu__hot *h;
	int rc;

	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out || out->version != KEHU_METRICS_VERSION)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_metrics_read: out is NULL or not "
		                      "initialised by kehu_metrics_init");
	if (now < KEHU__TIME_MIN || now > KEHU__TIME_MAX)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_metrics_read: now is outside "
		                      "1970-01-01..9999-12-31");
	h = kehu__hot_find_live(&db->customers, id);
	if (!h)
		h = kehu__hot_find_live(&db->accounts, id);
	if (!h)
		return kehu__db_errori(db, KEHU_ENOTFOUND,
		                       "no customer or account with id ", id, "");
	if ((rc = kehu__metrics_of_slot(db, h, now, 1, out)) != KEHU_OK)
		return rc;
	return kehu__db_ok(db);
}
