/*
 * rules/value_fns: the value-model functions of the rule language.  The
 * purchase history is read once per customer before evaluation (the
 * evaluator itself never reads or allocates); the models are the db's
 * current ones, so a rule set follows the latest fit.
 */
#include "rules/value_fns.h"

#include <math.h>

#include "model/db.h"
#include "value/clv.h"
#include "value/model.h"

#define DAY_SECONDS 86400.0
/* clv(days, rate): the horizon is clamped to ten years */
#define CLV_MAX_DAYS 3650.0

int kehu__reval_read_value(kehu_db *db, kehu__reval *ctx, kehu_id id,
                           int64_t now)
{
	int rc;

	if (!db->purchase_model ||
	    ((ctx->r->needs & KEHU__NEEDS_SPEND) && !db->spend_model))
		return kehu__db_error(db, KEHU_EMISUSE,
		                      "these rules use value functions and the "
		                      "db has no value models now: call "
		                      "kehu_db_set_value_models");
	ctx->has_value = 0;
	rc = kehu__value_history_read(db, id, now, db->purchase_model->period,
	                              &ctx->value);
	ctx->has_value = rc == KEHU_OK;
	return rc;
}

static double clv_of(const kehu__reval *ctx, const kehu_db *db,
                     double days, double rate)
{
	kehu_clv_options opts;
	kehu__clv_plan plan;
	kehu_clv out;

	if (!(days >= 1.0) || !(rate >= 0.0) || !isfinite(rate))
		return 0.0;
	if (days > CLV_MAX_DAYS)
		days = CLV_MAX_DAYS;
	kehu_clv_options_init(&opts, KEHU_CLV_OPTIONS_VERSION);
	opts.horizon_seconds = (int64_t)(days * DAY_SECONDS);
	opts.annual_discount_rate = rate;
	if (kehu__clv_plan_make(&plan, db->purchase_model, db->spend_model,
	                        &opts) != KEHU_OK ||
	    kehu__clv_of_history(&out, &plan, &ctx->value, &opts,
	                         ctx->r->money_scale) != KEHU_OK)
		return 0.0;
	return out.clv * ctx->r->money_scale; /* money: minor units */
}

double kehu__reval_value(kehu__reval *ctx, const kehu__rnode *n)
{
	const kehu_db *db = ctx->r->db;
	const kehu__value_history *h = &ctx->value;
	const int32_t *k = &ctx->r->kids[n->b];
	double v = 0.0, days;
	int rc = KEHU_EINVAL;

	if (!ctx->has_value || !db->purchase_model)
		return 0.0;
	switch (n->a) {
	case KEHU__V_P_ALIVE:
		rc = kehu_model_p_alive(db->purchase_model, h->x, h->t_x, h->T,
		                        &v);
		break;
	case KEHU__V_EXPECTED_PURCHASES:
		days = kehu__reval_node(ctx, k[0]);
		if (days > 0.0 && isfinite(days))
			rc = kehu_model_expected_purchases(
				db->purchase_model, h->x, h->t_x, h->T,
				days * DAY_SECONDS /
				        (double)db->purchase_model->period,
				0, &v);
		break;
	case KEHU__V_EXPECTED_SPEND:
		if (db->spend_model)
			rc = kehu_model_expected_spend(db->spend_model, h->x,
			                               h->mean_spend, &v);
		v *= ctx->r->money_scale;
		break;
	default:
		if (db->spend_model)
			return clv_of(ctx, db, kehu__reval_node(ctx, k[0]),
			              kehu__reval_node(ctx, k[1]));
		break;
	}
	return rc == KEHU_OK && isfinite(v) ? v : 0.0;
}
