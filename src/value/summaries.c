/*
 * value/summaries: per-customer (x, t_x, T, spend) from a db's
 * interactions, as of a calibration end (definitions in kehu/value.h).
 * One range scan of each customer's 'I' keys, paged; purchases arrive in
 * time order, so same-day merging needs no memory.
 */
#include <math.h>
#include <string.h>

#include "codec/interaction.h"
#include "codec/keys.h"
#include "core/caltime.h"
#include "kehu/value.h"
#include "model/db.h"
#include "model/fields.h"
#include "model/page.h"
#include "model/view.h"
#include "value/summaries.h"

typedef struct days_acc {
	int32_t first;     /* first purchase day, or INT32_MIN */
	int32_t day;       /* day being summed */
	int32_t last;      /* last purchase day so far */
	int64_t day_amount;
	int64_t repeat_days;
	double repeat_amount;
	int64_t sales;        /* for CLV: purchase amounts, */
	int64_t product_cost; /* their cost */
	int64_t service_cost; /* and the cost of everything else */
	int64_t referrals;
	int64_t sat_sum;
	int64_t sat_count;
} days_acc;

static void close_day(days_acc *a)
{
	if (a->day == INT32_MIN)
		return;
	if (a->first == INT32_MIN) {
		a->first = a->day;
	} else {
		a->repeat_days++;
		a->repeat_amount += (double)a->day_amount;
	}
	a->last = a->day;
}

static void add_purchase(days_acc *a, int32_t day, int64_t amount)
{
	if (day != a->day) {
		close_day(a);
		a->day = day;
		a->day_amount = 0;
	}
	a->day_amount += amount;
}

/* Amounts and costs are int64 sums the db already keeps in its
 * metrics without overflow, so these partial sums cannot overflow. */
static void add_interaction(const kehu_db *db, days_acc *a,
                            const kehu__interaction_rec *ix)
{
	if (ix->satisfaction > 0) {
		a->sat_sum += ix->satisfaction;
		a->sat_count++;
	}
	if (ix->type == KEHU_IX_REFERRAL)
		a->referrals++;
	if (ix->type != KEHU_IX_PURCHASE) {
		a->service_cost += ix->cost;
		return;
	}
	add_purchase(a, kehu__day_of(ix->time, db->utc_offset), ix->amount);
	a->sales += ix->amount;
	a->product_cost += ix->cost;
}

/* Walks one customer's interactions up to the end day. */
static int customer_days(kehu_db *db, kehu_id id, int32_t end_day,
                         days_acc *a)
{
	kehu__interaction_rec ix;
	kehu__page page;
	kehu__buf end;
	size_t i;
	int rc;

	a->first = a->day = a->last = INT32_MIN;
	a->day_amount = a->repeat_days = 0;
	a->repeat_amount = 0;
	a->sales = a->product_cost = a->service_cost = 0;
	a->referrals = a->sat_sum = a->sat_count = 0;
	kehu__page_init(&page, &db->alloc);
	kehu__buf_init(&end, &db->alloc);
	kehu__key_id(&db->key, KEHU__KEY_INTERACTION, id);
	kehu__key_id(&end, KEHU__KEY_INTERACTION, id + 1);
	rc = db->key.failed || end.failed
	             ? kehu__db_nomem(db)
	             : kehu__page_start(&page, db->key.data, db->key.len);
	while (rc == KEHU_OK) {
		if ((rc = kehu__page_next(db, &page, end.data, end.len, 256)) ||
		    page.len == 0)
			break;
		for (i = 0; rc == KEHU_OK && i < page.len; i++) {
			memset(&ix, 0, sizeof ix);
			rc = kehu__interaction_rec_decode(
				&db->alloc, &ix, kehu__page_val(&page, i),
				page.entries[i].vlen);
			if (rc != KEHU_OK)
				break;
			if (kehu__day_of(ix.time, db->utc_offset) <= end_day)
				add_interaction(db, a, &ix);
			kehu__interaction_rec_free(&db->alloc, &ix);
		}
	}
	close_day(a);
	kehu__page_free(&page, &db->alloc);
	kehu__buf_free(&end);
	if (rc == KEHU_ECORRUPT)
		return kehu__db_errori(db, rc, "an interaction of customer ",
		                       id, " does not decode");
	return rc == KEHU_ENOMEM ? kehu__db_nomem(db) : rc;
}

/* The summary of a walked customer; period in days. */
static void history_from(const kehu_db *db, const days_acc *a,
                         int32_t end_day, double period,
                         kehu__value_history *out)
{
	memset(out, 0, sizeof *out);
	out->sales = a->sales;
	out->product_cost = a->product_cost;
	out->service_cost = a->service_cost;
	out->referrals = a->referrals;
	out->sat_sum = a->sat_sum;
	out->sat_count = a->sat_count;
	if (a->first == INT32_MIN)
		return;
	out->has_purchase = 1;
	out->purchase_days = a->repeat_days + 1;
	out->x = (double)a->repeat_days;
	out->t_x = (a->last - a->first) / period;
	out->T = (end_day - a->first) / period;
	out->mean_spend = a->repeat_days
		? a->repeat_amount / (double)a->repeat_days /
		  pow(10.0, db->currency_exponent)
		: 0.0;
}

KEHU_API int kehu_value_summaries(kehu_db *db, int64_t calibration_end,
                                  int64_t period_seconds,
                                  kehu_id *customer_out, double *x_out,
                                  double *t_x_out, double *T_out,
                                  double *spend_out, size_t cap,
                                  size_t *count_out)
{
	double period;
	int32_t end_day;
	size_t slot, n = 0;
	kehu__view v;
	kehu__value_history h;
	days_acc a;
	int rc;

	if (count_out)
		*count_out = 0;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if ((rc = kehu__check_time(db, "calibration_end", calibration_end)))
		return rc;
	if (period_seconds <= 0 || !count_out ||
	    (cap && (!customer_out || !x_out || !t_x_out || !T_out ||
	             !spend_out)))
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_value_summaries: period_seconds "
		                      "must be positive, count_out and (with "
		                      "cap) every array given");
	end_day = kehu__day_of(calibration_end, db->utc_offset);
	period = (double)period_seconds / 86400.0; /* in days */
	for (slot = 0; slot < kehu__view_slots(db); slot++) {
		if (kehu__view_at(db, slot, &v) != 0)
			continue;
		if ((rc = customer_days(db, v.id, end_day, &a)) != KEHU_OK)
			return rc;
		history_from(db, &a, end_day, period, &h);
		if (!h.has_purchase)
			continue;
		if (n < cap) {
			customer_out[n] = v.id;
			x_out[n] = h.x;
			t_x_out[n] = h.t_x;
			T_out[n] = h.T;
			spend_out[n] = h.mean_spend;
		}
		n++;
	}
	*count_out = n;
	if (n > cap)
		return kehu__db_errori(db, KEHU_EBUFS, "the arrays hold fewer "
		                       "than the ", (int64_t)n,
		                       " customers to summarise");
	return kehu__db_ok(db);
}

int kehu__value_history_read(kehu_db *db, kehu_id id, int64_t end,
                             int64_t period_seconds,
                             kehu__value_history *out)
{
	double period = (double)period_seconds / 86400.0;
	int32_t end_day = kehu__day_of(end, db->utc_offset);
	days_acc a;
	int rc;

	if ((rc = customer_days(db, id, end_day, &a)) != KEHU_OK)
		return rc;
	history_from(db, &a, end_day, period, out);
	return KEHU_OK;
}
