/*
 * rules/default_pack: the default CRM rule pack (rules layer), shipped
 * as rule-language text so a host can read, copy and edit it.  Every
 * threshold is a `let` constant at the top; doc/rules.md explains each
 * classification, its labels and why its rules are in that order.
 *
 * Two variants share every line but the value class and the strategy
 * matrix: on history (any db), and on the value models' predictions
 * (kehu-default-predicted, for a db with current value models).  They
 * are built from the pieces below by string-literal concatenation.
 *
 * Each variant is one read-only string literal (no writable statics),
 * longer than the 4095 characters ISO C asks compilers to support in one
 * literal; GCC, Clang and MSVC (65535 after concatenation) take it.
 */
#include "kehu/rules.h"
#include "model/db.h"

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
#endif

#define PACK_INTRO \
"# kehu default rule pack: the standard CRM classifications.\n" \
"# doc/rules.md explains every rule.  Edit a copy to change thresholds.\n"

#define PACK_THRESHOLDS \
"\n" \
"# ---- thresholds ---------------------------------------------------\n" \
"\n" \
"# importance: net revenue over the last 365 days, in major currency\n" \
"# units (whole numbers, so the pack compiles for any currency exponent)\n" \
"let vip_revenue_365d = 50000\n" \
"let important_revenue_365d = 10000\n" \
"\n" \
"# loyalty ladder\n" \
"let regular_min_purchases = 3    # purchase days in all: regular\n" \
"let old_min_days = 365           # days since the first purchase: old\n" \
"let loyal_min_days = 730         # ... loyal, when also still buying:\n" \
"let loyal_min_purchases_365d = 4 # purchase days in the last 365 days\n" \
"\n" \
"# lifecycle (days are local calendar days)\n" \
"let new_max_days = 90      # new: first purchase fewer days ago than this\n" \
"let silent_days = 90       # silent: no purchase for this many days\n" \
"let at_risk_days = 180     # at_risk: no purchase for this many days\n" \
"let churn_days = 365       # churned: no purchase for this many days\n" \
"let low_satisfaction = 2   # dissatisfied: latest score 1..this\n" \
"\n" \
"# relationship: calendar months with purchases that make an account\n" \
"let account_min_months = 2\n" \
"\n" \
"# value class: quantiles over all customers (nearest rank) of the\n" \
"# historic margin, or of the predicted CLV when the db has value models\n" \
"let mvc_quantile = 0.90  # mvc: at or above this quantile\n" \
"let mgc_quantile = 0.70  # mgc: ... at or above this one\n" \
"\n" \
"# prospect grade: lead score 0..100 = recency + contacts + intent\n" \
"let lead_recency_days = 30       # 1 point per day under this\n" \
"let lead_max_contacts = 10       # interactions counted at most\n" \
"let lead_points_per_contact = 3\n" \
"let lead_max_intent = 10         # attr(\"intent\"): stated, 0..10\n" \
"let lead_points_per_intent = 4\n" \
"let grade_a_min_score = 70\n" \
"let grade_b_min_score = 40\n" \
"let grade_c_min_score = 20\n" \
"\n"

#define PACK_STRATEGY_THRESHOLDS \
"# strategy matrix (attributes share_of_wallet 0..1 and\n" \
"# upcoming_volume in major currency units)\n" \
"let high_share = 0.50\n" \
"let high_volume = 10000\n" \
"\n"

#define PACK_PREDICTED_THRESHOLDS \
"# strategy matrix (attribute share_of_wallet 0..1 and the predicted\n" \
"# purchase value over the next strategy_days, in major currency units)\n" \
"let high_share = 0.50\n" \
"let high_volume = 10000\n" \
"let strategy_days = 365\n" \
"\n" \
"# predicted value: CLV over clv_days at clv_rate a year (doc/value.md)\n" \
"let clv_days = 365\n" \
"let clv_rate = 0.10\n" \
"\n"

#define PACK_CLASSIFICATIONS \
"# RFM: tiles per score; a score counts as high from rfm_high, as low\n" \
"# up to rfm_low\n" \
"let rfm_tiles = 5\n" \
"let rfm_high = 4\n" \
"let rfm_low = 2\n" \
"let rfm_max_days = 36500  # recency cap: keeps non-buyers finite\n" \
"\n" \
"# ---- importance ----------------------------------------------------\n" \
"\n" \
"classify importance {\n" \
"  vip       when revenue_365d >= vip_revenue_365d or has_tag(\"vip\")\n" \
"  important when revenue_365d >= important_revenue_365d\n" \
"  ordinary  else\n" \
"}\n" \
"\n" \
"# ---- loyalty ladder: the highest rung reached wins ------------------\n" \
"\n" \
"classify loyalty {\n" \
"  potential when purchases == 0\n" \
"  loyal     when days_since_first_purchase >= loyal_min_days\n" \
"                 and purchases_365d >= loyal_min_purchases_365d\n" \
"  old       when days_since_first_purchase >= old_min_days\n" \
"                 and purchases >= regular_min_purchases\n" \
"  regular   when purchases >= regular_min_purchases\n" \
"  new       else\n" \
"}\n" \
"\n" \
"# ---- lifecycle: the state that decides the next action wins --------\n" \
"\n" \
"classify lifecycle {\n" \
"  churned      when purchases > 0 and days_since_last_purchase >= churn_days\n" \
"  dissatisfied when complaints_90d > 0\n" \
"                    or (satisfaction_count > 0\n" \
"                        and last_satisfaction <= low_satisfaction)\n" \
"  new          when purchases == 0\n" \
"                    or days_since_first_purchase < new_max_days\n" \
"  at_risk      when days_since_last_purchase >= at_risk_days\n" \
"  silent       when days_since_last_purchase >= silent_days\n" \
"  loyal        when loyalty == \"loyal\"\n" \
"  active       else\n" \
"}\n" \
"\n" \
"# ---- relationship: a buyer becomes an account in a second month ----\n" \
"\n" \
"classify relationship {\n" \
"  prospect when purchases == 0\n" \
"  account  when months_active >= account_min_months\n" \
"  customer else\n" \
"}\n" \
"\n"

#define PACK_VALUE_CLASS \
"# ---- value class, on historic margin (population quantiles) --------\n" \
"\n" \
"classify value_class {\n" \
"  bzc      when margin < 0\n" \
"  mvc      when margin > 0 and margin >= quantile(margin, mvc_quantile)\n" \
"  mgc      when margin > 0 and margin >= quantile(margin, mgc_quantile)\n" \
"  standard else\n" \
"}\n" \
"\n"

#define PACK_VALUE_CLASS_PREDICTED \
"# ---- value class, on predicted CLV (population quantiles) ----------\n" \
"\n" \
"score predicted_clv = clv(clv_days, clv_rate)\n" \
"\n" \
"classify value_class {\n" \
"  bzc      when predicted_clv < 0\n" \
"  mvc      when predicted_clv > 0 and\n" \
"                predicted_clv >= quantile(predicted_clv, mvc_quantile)\n" \
"  mgc      when predicted_clv > 0 and\n" \
"                predicted_clv >= quantile(predicted_clv, mgc_quantile)\n" \
"  standard else\n" \
"}\n" \
"\n"

#define PACK_PROSPECT_GRADE \
"# ---- prospect grade ------------------------------------------------\n" \
"\n" \
"score lead_score =\n" \
"    lead_recency_days\n" \
"      - clamp(days_since_last_contact, 0, lead_recency_days)\n" \
"  + min(interactions, lead_max_contacts) * lead_points_per_contact\n" \
"  + clamp(attr(\"intent\", 0), 0, lead_max_intent)\n" \
"      * lead_points_per_intent\n" \
"\n" \
"classify prospect_grade {\n" \
"  none when status != \"prospect\" or purchases > 0\n" \
"  A    when lead_score >= grade_a_min_score\n" \
"  B    when lead_score >= grade_b_min_score\n" \
"  C    when lead_score >= grade_c_min_score\n" \
"  D    else\n" \
"}\n" \
"\n"

#define PACK_STRATEGY \
"# ---- strategy matrix: share of wallet x upcoming purchase volume ----\n" \
"\n" \
"classify strategy {\n" \
"  unknown            when attr(\"share_of_wallet\", -1) < 0\n" \
"                          or attr(\"upcoming_volume\", -1) < 0\n" \
"  keep               when attr(\"share_of_wallet\", 0) >= high_share\n" \
"                          and attr(\"upcoming_volume\", 0) >= high_volume\n" \
"  develop            when attr(\"upcoming_volume\", 0) >= high_volume\n" \
"  keep_or_acquire    when attr(\"share_of_wallet\", 0) >= high_share\n" \
"  acquire_or_abandon else\n" \
"}\n" \
"\n"

#define PACK_STRATEGY_PREDICTED \
"# ---- strategy matrix: share of wallet x predicted purchase volume --\n" \
"\n" \
"score predicted_volume =\n" \
"    expected_purchases(strategy_days) * expected_spend\n" \
"\n" \
"classify strategy {\n" \
"  unknown            when attr(\"share_of_wallet\", -1) < 0\n" \
"  keep               when attr(\"share_of_wallet\", 0) >= high_share\n" \
"                          and predicted_volume >= high_volume\n" \
"  develop            when predicted_volume >= high_volume\n" \
"  keep_or_acquire    when attr(\"share_of_wallet\", 0) >= high_share\n" \
"  acquire_or_abandon else\n" \
"}\n" \
"\n"

#define PACK_RFM \
"# ---- RFM: quintiles over all customers; 0 for non-buyers -----------\n" \
"\n" \
"score r_score = min(purchases, 1)\n" \
"  * ntile(-min(days_since_last_purchase, rfm_max_days), rfm_tiles)\n" \
"score f_score = min(purchases, 1) * ntile(purchases, rfm_tiles)\n" \
"score m_score = min(purchases, 1) * ntile(revenue, rfm_tiles)\n" \
"\n" \
"classify rfm_segment {\n" \
"  no_purchase        when purchases == 0\n" \
"  champions          when r_score >= rfm_high and f_score >= rfm_high\n" \
"                          and m_score >= rfm_high\n" \
"  cant_lose          when r_score <= rfm_low and f_score >= rfm_high\n" \
"                          and m_score >= rfm_high\n" \
"  loyal              when r_score > rfm_low and f_score >= rfm_high\n" \
"  at_risk            when r_score <= rfm_low and f_score > rfm_low\n" \
"  potential_loyalist when r_score >= rfm_high and f_score > 1\n" \
"  recent             when r_score >= rfm_high\n" \
"  lost               when r_score < rfm_low\n" \
"  hibernating        when r_score <= rfm_low\n" \
"  need_attention     else\n" \
"}\n"

static const char default_source[] =
	PACK_INTRO
	"ruleset \"kehu-default\" version 1\n"
	PACK_THRESHOLDS PACK_STRATEGY_THRESHOLDS PACK_CLASSIFICATIONS
	PACK_VALUE_CLASS PACK_PROSPECT_GRADE PACK_STRATEGY PACK_RFM;

static const char predicted_source[] =
	PACK_INTRO
	"ruleset \"kehu-default-predicted\" version 1\n"
	PACK_THRESHOLDS PACK_PREDICTED_THRESHOLDS PACK_CLASSIFICATIONS
	PACK_VALUE_CLASS_PREDICTED PACK_PROSPECT_GRADE PACK_STRATEGY_PREDICTED
	PACK_RFM;

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

KEHU_API const char *kehu_rules_default_source(void)
{
	return default_source;
}

KEHU_API const char *kehu_rules_default_source_for(const kehu_db *db)
{
	int models = db && db->magic == KEHU__DB_MAGIC &&
	             db->state == KEHU__DB_OPEN && db->purchase_model &&
	             db->spend_model;

	return models ? predicted_source : default_source;
}
