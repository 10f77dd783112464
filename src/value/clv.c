/*
 * value/clv: customer lifetime value, the textbook sum: the discounted
 * margin a customer's predicted purchases bring, minus the service and
 * marketing cost they are predicted to take, plus the value of the
 * customers it refers.  The purchase model gives the purchases, the
 * Gamma-Gamma model the value of each; the db's metrics and history
 * give the rates.
 */
#include <math.h>
#include <string.h>

#include "kehu/value.h"
#include "model/db.h"
#include "model/hot.h"
#include "model/fields.h"
#include "value/bgnbd.h"
#include "value/clv.h"
#include "value/model.h"
#include "value/summaries.h"

#define SECONDS_PER_YEAR (365.0 * 86400.0)

KEHU_API int kehu_clv_options_init(kehu_clv_options *opts,
                                   uint32_t version)
{
	if (!opts || version != KEHU_CLV_OPTIONS_VERSION)
		return KEHU_EINVAL;
	memset(opts, 0, sizeof *opts);
	opts->version = version;
	opts->horizon_seconds = INT64_C(365) * 86400;
	opts->step_seconds = INT64_C(30) * 86400;
	opts->annual_discount_rate = 0.10;
	opts->margin_rate = NAN;
	opts->referral_value = 0;
	opts->referral_rate = 0;
	opts->satisfied_from = 4;
	return KEHU_OK;
}

static int options_ok(const kehu_clv_options *o)
{
	return o->version == KEHU_CLV_OPTIONS_VERSION &&
	       o->horizon_seconds > 0 && o->step_seconds > 0 &&
	       (o->horizon_seconds - 1) / o->step_seconds <
	               KEHU__CLV_MAX_STEPS &&
	       isfinite(o->annual_discount_rate) &&
	       o->annual_discount_rate >= 0 &&
	       (isnan(o->margin_rate) || isfinite(o->margin_rate)) &&
	       o->referral_value >= 0 && isfinite(o->referral_rate) &&
	       o->referral_rate >= 0 && isfinite(o->satisfied_from);
}

int kehu__clv_plan_make(kehu__clv_plan *plan, const kehu_model *purchases,
                        const kehu_model *spend,
                        const kehu_clv_options *opts)
{
	int64_t end;
	size_t i = 0;

	if (!purchases || !spend || !opts || !options_ok(opts) ||
	    purchases->kind == KEHU_MODEL_GAMMAGAMMA ||
	    spend->kind != KEHU_MODEL_GAMMAGAMMA || purchases->period <= 0)
		return KEHU_EINVAL;
	plan->purchases = purchases;
	plan->spend = spend;
	for (end = 0; end < opts->horizon_seconds; i++) {
		end = opts->horizon_seconds - end > opts->step_seconds
		              ? end + opts->step_seconds
		              : opts->horizon_seconds;
		plan->t[i] = (double)end / (double)purchases->period;
		plan->discount[i] = pow(1.0 + opts->annual_discount_rate,
		                        -(double)end / SECONDS_PER_YEAR);
	}
	plan->steps = i;
	plan->margin_rate = opts->margin_rate;
	return KEHU_OK;
}

/* Sums step expectations e[] into the plain and discounted totals.  The
 * expectation grows with t; rounding must not make a step negative. */
static void step_sums(const kehu__clv_plan *plan, const double *e,
                      double *expected, double *discounted)
{
	double prev = 0, d = 0;
	size_t i;

	for (i = 0; i < plan->steps; i++) {
		if (e[i] > prev) {
			d += (e[i] - prev) * plan->discount[i];
			prev = e[i];
		}
	}
	*expected = prev;
	*discounted = d;
}

/* The totals per unit of P(alive): for BG/NBD they depend on (x, T)
 * alone, which is what lets kehu_model_clv share them between customers.
 * KEHU_ERANGE: not BG/NBD, or its one-pass series is not safe here. */
static int alive_sums(const kehu__clv_plan *plan, double x, double T,
                      double *expected, double *discounted)
{
	const kehu_model *m = plan->purchases;
	double g[KEHU__CLV_MAX_STEPS];
	kehu__bgnbd_params b;
	int rc;

	if (m->kind != KEHU_MODEL_BGNBD)
		return KEHU_ERANGE;
	b.r = m->params[0];
	b.alpha = m->params[1];
	b.a = m->params[2];
	b.b = m->params[3];
	rc = kehu__bgnbd_alive_steps(&b, x, T, plan->t, plan->steps, g);
	if (rc == KEHU_OK)
		step_sums(plan, g, expected, discounted);
	return rc;
}

int kehu__clv_purchases(const kehu__clv_plan *plan, double x, double t_x,
                        double T, double *expected, double *discounted)
{
	double e[KEHU__CLV_MAX_STEPS], pa;
	size_t i;
	int rc;

	*expected = *discounted = 0;
	rc = kehu_model_p_alive(plan->purchases, x, t_x, T, &pa);
	if (rc != KEHU_OK)
		return rc;
	rc = alive_sums(plan, x, T, expected, discounted);
	if (rc == KEHU_OK) {
		*expected *= pa;
		*discounted *= pa;
		return rc;
	}
	if (rc != KEHU_ERANGE)
		return rc;
	/* the log-space path, one evaluation per step */
	for (i = 0; i < plan->steps; i++) {
		rc = kehu_model_expected_purchases(plan->purchases, x, t_x, T,
		                                   plan->t[i], 0, &e[i]);
		if (rc != KEHU_OK)
			return rc;
	}
	step_sums(plan, e, expected, discounted);
	return KEHU_OK;
}

/*
 * kehu_model_clv's memo of alive_sums by (x, T): summaries come from
 * whole days, so a population repeats the same (x, T) pairs many times
 * (CDNOW's 23,570 customers have 84 first-purchase days).  Direct
 * mapped; a miss recomputes, so the results do not depend on it.
 */
typedef struct clv_memo {
	double x, T;          /* x < 0: empty */
	double expected;      /* per unit of P(alive) */
	double discounted;
} clv_memo;

#define MEMO_MAX_SLOTS 65536

/* MurmurHash3's finaliser: every input bit moves the low bits (small
 * whole numbers as doubles have all-zero low mantissa bits). */
static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xFF51AFD7ED558CCD);
	h ^= h >> 33;
	h *= UINT64_C(0xC4CEB9FE1A85EC53);
	h ^= h >> 33;
	return h;
}

static size_t memo_slot(double x, double T, size_t mask)
{
	uint64_t bx, bt;

	memcpy(&bx, &x, sizeof bx);
	memcpy(&bt, &T, sizeof bt);
	return (size_t)mix64(bx ^ mix64(bt)) & mask;
}

static clv_memo *memo_new(const kehu_model *m, size_t n, size_t *mask)
{
	kehu__allocator a = m->alloc;
	size_t slots = 64, i;
	clv_memo *memo;

	while (slots < n && slots < MEMO_MAX_SLOTS)
		slots *= 2;
	if (m->kind != KEHU_MODEL_BGNBD ||
	    !(memo = kehu__calloc(&a, slots, sizeof *memo)))
		return NULL; /* no memo: every customer computed */
	for (i = 0; i < slots; i++)
		memo[i].x = -1;
	*mask = slots - 1;
	return memo;
}

/* One customer of the batch: the discounted purchases. */
static int batch_purchases(const kehu__clv_plan *plan, clv_memo *memo,
                           size_t mask, double x, double t_x, double T,
                           double *discounted)
{
	clv_memo *slot;
	double pa, e;
	int rc;

	if (!memo || !(x >= 0) || !(T >= 0))
		return kehu__clv_purchases(plan, x, t_x, T, &e, discounted);
	slot = &memo[memo_slot(x, T, mask)];
	if (slot->x != x || slot->T != T) {
		rc = alive_sums(plan, x, T, &slot->expected,
		                &slot->discounted);
		if (rc != KEHU_OK) {
			slot->x = -1;
			return kehu__clv_purchases(plan, x, t_x, T, &e,
			                           discounted);
		}
		slot->x = x;
		slot->T = T;
	}
	if ((rc = kehu_model_p_alive(plan->purchases, x, t_x, T, &pa)))
		return rc;
	*discounted = pa * slot->discounted;
	return KEHU_OK;
}

KEHU_API int kehu_model_clv(const kehu_model *purchases,
                            const kehu_model *spend, const double *x,
                            const double *t_x, const double *T,
                            const double *mean_spend, size_t n,
                            const kehu_clv_options *opts, double *clv_out)
{
	kehu_clv_options defaults;
	kehu__clv_plan plan;
	double margin, d, z;
	clv_memo *memo;
	size_t i, mask = 0;
	int rc;

	if (!opts) {
		kehu_clv_options_init(&defaults, KEHU_CLV_OPTIONS_VERSION);
		opts = &defaults;
	}
	if (n && (!x || !t_x || !T || !mean_spend || !clv_out))
		return KEHU_EINVAL;
	if ((rc = kehu__clv_plan_make(&plan, purchases, spend, opts)))
		return rc;
	margin = isnan(opts->margin_rate) ? 1.0 : opts->margin_rate;
	memo = memo_new(purchases, n, &mask);
	for (i = 0, rc = KEHU_OK; rc == KEHU_OK && i < n; i++) {
		rc = batch_purchases(&plan, memo, mask, x[i], t_x[i], T[i], &d);
		if (rc == KEHU_OK)
			rc = kehu_model_expected_spend(spend, x[i],
			                               mean_spend[i], &z);
		/* d and z are set only when both calls succeeded */
		if (rc == KEHU_OK)
			clv_out[i] = d * z * margin;
	}
	if (memo) {
		kehu__allocator a = purchases->alloc;

		kehu__free(&a, memo, (mask + 1) * sizeof *memo);
	}
	return rc;
}

KEHU_API int kehu_db_set_value_models(kehu_db *db,
                                      const kehu_model *purchases,
                                      const kehu_model *spend)
{
	kehu_model *p = NULL, *s = NULL;
	int rc;

	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if ((purchases && purchases->kind == KEHU_MODEL_GAMMAGAMMA) ||
	    (spend && spend->kind != KEHU_MODEL_GAMMAGAMMA))
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_db_set_value_models: the purchase "
		                      "model must be BG/NBD or Pareto/NBD and "
		                      "the spend model Gamma-Gamma");
	if ((purchases && !(p = kehu__calloc(&db->alloc, 1, sizeof *p))) ||
	    (spend && !(s = kehu__calloc(&db->alloc, 1, sizeof *s)))) {
		kehu_model_free(p);
		return kehu__db_nomem(db);
	}
	if (p) {
		*p = *purchases;
		p->alloc = db->alloc;
	}
	if (s) {
		*s = *spend;
		s->alloc = db->alloc;
	}
	kehu_model_free(db->purchase_model);
	kehu_model_free(db->spend_model);
	db->purchase_model = p;
	db->spend_model = s;
	return kehu__db_ok(db);
}

/* Everything but the model terms, from the history. */
static void clv_terms(kehu_clv *out, const kehu__value_history *h,
                      const kehu_clv_options *opts, double scale)
{
	double per_day = (double)h->service_cost /
	                 (double)(h->purchase_days > 0 ? h->purchase_days : 1);
	int satisfied = h->sat_count > 0 &&
	                (double)h->sat_sum / (double)h->sat_count >=
	                        opts->satisfied_from;

	if (!isnan(opts->margin_rate))
		out->margin_rate = opts->margin_rate;
	else if (h->sales > 0)
		out->margin_rate = (double)(h->sales - h->product_cost) /
		                   (double)h->sales;
	else
		out->margin_rate = 0;
	out->margin = out->discounted_purchases * out->expected_spend *
	              out->margin_rate;
	out->cost = per_day * out->discounted_purchases / scale;
	out->referral = ((double)h->referrals +
	                 (satisfied ? opts->referral_rate * out->p_alive
	                            : 0.0)) *
	                (double)opts->referral_value / scale;
	out->clv = out->margin - out->cost + out->referral;
}

/* The model terms: purchases, P(alive), spend. */
static int model_terms(kehu_clv *out, const kehu__clv_plan *plan,
                       const kehu__value_history *h)
{
	int rc;

	out->x = h->x;
	out->t_x = h->t_x;
	out->T = h->T;
	rc = kehu_model_p_alive(plan->purchases, h->x, h->t_x, h->T,
	                        &out->p_alive);
	if (rc == KEHU_OK)
		rc = kehu__clv_purchases(plan, h->x, h->t_x, h->T,
		                         &out->expected_purchases,
		                         &out->discounted_purchases);
	if (rc == KEHU_OK)
		rc = kehu_model_expected_spend(plan->spend, h->x, h->mean_spend,
		                               &out->expected_spend);
	return rc;
}

int kehu__clv_of_history(kehu_clv *out, const kehu__clv_plan *plan,
                         const kehu__value_history *h,
                         const kehu_clv_options *opts, double scale)
{
	int rc;

	memset(out, 0, sizeof *out);
	out->version = KEHU_CLV_VERSION;
	if ((rc = model_terms(out, plan, h)) != KEHU_OK)
		return rc;
	clv_terms(out, h, opts, scale);
	return KEHU_OK;
}

KEHU_API int kehu_customer_clv(kehu_clv *out, kehu_db *db, kehu_id id,
                               int64_t now, const kehu_clv_options *opts)
{
	kehu_clv_options defaults;
	kehu__value_history h;
	kehu__clv_plan plan;
	int rc;

	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!opts) {
		kehu_clv_options_init(&defaults, KEHU_CLV_OPTIONS_VERSION);
		opts = &defaults;
	}
	if (!out || out->version != KEHU_CLV_VERSION || !options_ok(opts))
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_customer_clv: out is NULL or not "
		                      "of this version, or the options are out "
		                      "of range");
	if ((rc = kehu__check_time(db, "now", now)) != KEHU_OK)
		return rc;
	if (!db->purchase_model || !db->spend_model)
		return kehu__db_error(db, KEHU_EMISUSE,
		                      "CLV needs a purchase model and a spend "
		                      "model: fit them and call "
		                      "kehu_db_set_value_models first");
	if (!kehu__hot_find_live(&db->customers, id))
		return kehu__db_errori(db, KEHU_ENOTFOUND, "no customer ", id,
		                       "");
	if (kehu__clv_plan_make(&plan, db->purchase_model, db->spend_model,
	                        opts) != KEHU_OK)
		return kehu__db_error(db, KEHU_EINVAL, "kehu_customer_clv: the "
		                      "db's value models do not fit together");
	rc = kehu__value_history_read(db, id, now, plan.purchases->period, &h);
	if (rc != KEHU_OK)
		return rc;
	if (kehu__clv_of_history(out, &plan, &h, opts,
	                         pow(10.0, db->currency_exponent)) != KEHU_OK)
		return kehu__db_errori(db, KEHU_ERANGE, "the value models give "
		                       "no finite CLV for customer ", id, "");
	return kehu__db_ok(db);
}
