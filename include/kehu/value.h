/**
 * @file kehu/value.h
 * @brief Customer value: the summaries the buy-till-you-die models are
 *        fitted on.
 *
 * Definitions of Fader, Hardie & Lee (2005): purchases on the same
 * local day are one purchase day (their amounts summed); for each
 * customer whose first purchase day is on or before the calibration
 * end's day, x is the number of repeat purchase days up to that day,
 * t_x the time from the first to the last purchase day and T from the
 * first purchase day to the calibration end's day, both in periods of
 * @p period_seconds (the unit is always explicit: 604800 for weeks), and
 * spend the mean amount of the repeat purchase days (0 when x = 0).
 */
#ifndef KEHU_VALUE_H
#define KEHU_VALUE_H

#include "kehu/common.h"

KEHU_BEGIN_DECL

/**
 * Computes the summary of every customer with a purchase on or before
 * the calibration end, in ascending id order, into caller arrays (one
 * element per customer; ctypes-friendly).
 *
 * @param calibration_end a time on the last day of calibration.
 * @param period_seconds the time unit of t_x and T (e.g. 604800).
 * @param[out] customer_out ids; @param[out] x_out repeat purchase days;
 * @param[out] t_x_out recency; @param[out] T_out age; @param[out]
 *        spend_out mean repeat spend in major currency units.  Each may be
 *        NULL when @p cap is 0 (to learn the count).
 * @param cap elements each array holds.
 * @param[out] count_out customers summarised (also with KEHU_EBUFS).
 * @return KEHU_OK; KEHU_EBUFS (cap too small: nothing written beyond
 *         cap, *count_out says how many are needed); KEHU_EINVAL;
 *         KEHU_ENOMEM; a storage code; KEHU_ECORRUPT.
 * Since: 0.1
 */
KEHU_API int kehu_value_summaries(kehu_db *db, int64_t calibration_end,
                                  int64_t period_seconds,
                                  kehu_id *customer_out, double *x_out,
                                  double *t_x_out, double *T_out,
                                  double *spend_out, size_t cap,
                                  size_t *count_out);

/** A fitted model (immutable; owns its parameters). */
typedef struct kehu_model kehu_model;

/** @name Model kinds */
/**@{*/
#define KEHU_MODEL_BGNBD 1      /**< BG/NBD: r, alpha, a, b */
#define KEHU_MODEL_PARETONBD 2  /**< Pareto/NBD: r, alpha, s, beta */
#define KEHU_MODEL_GAMMAGAMMA 3 /**< Gamma-Gamma spend: p, q, gamma */
/**@}*/

/**
 * Fits a model by maximum likelihood on the db's summaries as of
 * @p calibration_end in units of @p period_seconds (as
 * kehu_value_summaries computes them).  Gamma-Gamma is fitted on the
 * customers with repeat purchases and a positive mean repeat spend:
 * repeat buyers whose repeat purchases sum to 0 (free goods) hold no
 * information a Gamma spend distribution can take and are left out of
 * the fit; their predictions (kehu_model_expected_spend with mean spend
 * 0) are the model's formula, shrunk from the population mean toward 0.
 * Standard errors come from the numerical Hessian at the optimum
 * (kehu_model_get_stderr).
 *
 * @return KEHU_OK; KEHU_EINVAL (kind, period, no customer to fit);
 *         KEHU_ERANGE (the fit did not find finite parameters);
 *         KEHU_ENOMEM; a storage code.
 * Ownership: free with kehu_model_free (it does not need the db).
 * Since: 0.1
 */
KEHU_API int kehu_model_fit(kehu_model **out, kehu_db *db, int32_t kind,
                            int64_t calibration_end,
                            int64_t period_seconds);

/** Frees a model.  NULL is a no-op.  Since: 0.1 */
KEHU_API void kehu_model_free(kehu_model *model);

/** The KEHU_MODEL_* kind; 0 for NULL.  Since: 0.1 */
KEHU_API int32_t kehu_model_get_kind(const kehu_model *model);
/** The time unit (seconds per period) it was fitted in.  Since: 0.1 */
KEHU_API int64_t kehu_model_get_period(const kehu_model *model);
/** The number of parameters (4 or 3).  Since: 0.1 */
KEHU_API size_t kehu_model_param_count(const kehu_model *model);
/** Parameter @p index (in the order of the kind's comment); NAN out of
 *  range.  Since: 0.1 */
KEHU_API double kehu_model_get_param(const kehu_model *model, size_t index);
/** Its name ("r", "alpha", ...); NULL out of range.  Since: 0.1 */
KEHU_API const char *kehu_model_param_name(const kehu_model *model,
                                           size_t index);
/**
 * The standard error of parameter @p index, from the numerical Hessian
 * of the log-likelihood at the fit (delta method from log-parameters);
 * stored and loaded with the model.  NAN out of range or when the
 * Hessian was not positive definite (a fit on a flat likelihood).
 * Since: 0.1
 */
KEHU_API double kehu_model_get_stderr(const kehu_model *model,
                                      size_t index);
/** The maximised log-likelihood.  Since: 0.1 */
KEHU_API double kehu_model_get_loglik(const kehu_model *model);
/** Optimiser iterations, and whether it converged (1/0).  Since: 0.1 */
KEHU_API int32_t kehu_model_get_iterations(const kehu_model *model);
KEHU_API int32_t kehu_model_get_converged(const kehu_model *model);

/**
 * Expected purchases in the next @p t periods of a customer with
 * history (x, t_x, T) in the model's periods (BG/NBD, Pareto/NBD); with
 * x = t_x = T = 0 and @p is_new 1: of a new customer over (0, t].
 * @return KEHU_OK; KEHU_EINVAL (kind, negative or inconsistent values).
 * Since: 0.1
 */
KEHU_API int kehu_model_expected_purchases(const kehu_model *model,
                                           double x, double t_x, double T,
                                           double t, int32_t is_new,
                                           double *out);

/** P(alive) of a customer with history (x, t_x, T).  Since: 0.1 */
KEHU_API int kehu_model_p_alive(const kehu_model *model, double x,
                                double t_x, double T, double *out);

/**
 * Gamma-Gamma: the expected mean transaction value of a customer with
 * x repeat purchases of mean value @p mean_spend (x = 0: the population
 * mean).  @return KEHU_OK or KEHU_EINVAL.  Since: 0.1
 */
KEHU_API int kehu_model_expected_spend(const kehu_model *model, double x,
                                       double mean_spend, double *out);

/** Above this absolute correlation between repeat purchases and mean
 *  spend, Gamma-Gamma's independence assumption is taken as broken. */
#define KEHU_SPEND_CORRELATION_LIMIT 0.3

/**
 * Gamma-Gamma: the Pearson correlation between the repeat purchase count
 * and the mean spend of the customers it was fitted on (NAN for other
 * kinds).  Since: 0.1
 */
KEHU_API double kehu_model_get_spend_correlation(const kehu_model *model);

/**
 * A warning about the fit, or NULL: for Gamma-Gamma, when the absolute
 * spend correlation exceeds KEHU_SPEND_CORRELATION_LIMIT (the model
 * assumes spend does not depend on frequency, so its predictions are
 * suspect); @p code_out (may be NULL) receives KEHU_ERANGE then, else
 * KEHU_OK.
 * Ownership: static text.  Since: 0.1
 */
KEHU_API const char *kehu_model_get_warning(const kehu_model *model,
                                            int32_t *code_out);

/**
 * Stores the model in the db under @p name (1..256 bytes, UTF-8),
 * replacing an older one, so another host on the store loads it.
 * @return KEHU_OK; KEHU_EINVAL; KEHU_ENOMEM; a storage code.  Since: 0.1
 */
KEHU_API int kehu_model_save(kehu_db *db, const kehu_model *model,
                             const char *name);

/**
 * Loads the model stored under @p name.
 * @return KEHU_OK; KEHU_ENOTFOUND; KEHU_ECORRUPT; KEHU_EINVAL;
 *         KEHU_ENOMEM; a storage code.
 * Ownership: free with kehu_model_free.  Since: 0.1
 */
KEHU_API int kehu_model_load(kehu_model **out, kehu_db *db,
                             const char *name);

/**
 * Makes @p purchases (BG/NBD or Pareto/NBD) and @p spend (Gamma-Gamma)
 * the db's current value models: the rule language's `p_alive`,
 * `expected_purchases(days)`, `expected_spend` and `clv(days, rate)`
 * and kehu_customer_clv use them.  Either may be NULL to clear it.  The
 * db keeps copies (the caller may free its models afterwards); they live
 * in memory until replaced or the db closes (persist a model with
 * kehu_model_save and load it in the next session).
 * @return KEHU_OK; KEHU_EINVAL (wrong kind in a slot); KEHU_ENOMEM.
 * Since: 0.1
 */
KEHU_API int kehu_db_set_value_models(kehu_db *db,
                                      const kehu_model *purchases,
                                      const kehu_model *spend);

/** The version of kehu_clv_options this header describes. */
#define KEHU_CLV_OPTIONS_VERSION 1

/**
 * How customer lifetime value is computed.  The horizon is split into
 * steps of @c step_seconds; the expected purchases of step i (the
 * conditional expectation at the step's end minus that at its start)
 * are discounted by (1 + annual_discount_rate) ^ -(i * step / 365 days).
 * Every duration is in seconds: no hidden "a month is 30 days".
 */
typedef struct kehu_clv_options {
	uint32_t version;
	/** Horizon length (default 365 days). */
	int64_t horizon_seconds;
	/** Discounting step (default 30 days); the last step may be short. */
	int64_t step_seconds;
	/** Discount rate per 365 days (default 0.10); >= 0. */
	double annual_discount_rate;
	/** Margin as a fraction of revenue (default NAN: each customer's own
	 *  historic margin / revenue, 0 when it has no revenue). */
	double margin_rate;
	/** Value of one referred customer, in minor currency units (default
	 *  0): the customer's recorded referrals times this, plus ... */
	int64_t referral_value;
	/** ... expected new referrals per satisfied customer over the
	 *  horizon (default 0) times referral_value times P(alive). */
	double referral_rate;
	/** Mean satisfaction (1..5) from which a customer counts as
	 *  satisfied (default 4). */
	double satisfied_from;
} kehu_clv_options;

/**
 * Sets @p opts to the defaults of @p version.
 * @return KEHU_OK or KEHU_EINVAL (NULL, unknown version).  Since: 0.1
 */
KEHU_API int kehu_clv_options_init(kehu_clv_options *opts,
                                   uint32_t version);

/** The version of kehu_clv this header describes. */
#define KEHU_CLV_VERSION 1

/**
 * A customer's lifetime value and every term of it, in major currency
 * units: clv = margin - cost + referral.
 */
typedef struct kehu_clv {
	uint32_t version;
	/** Repeat purchase days, recency and age in the model's periods. */
	double x, t_x, T;
	/** P(alive) now. */
	double p_alive;
	/** Expected purchase days over the horizon (undiscounted). */
	double expected_purchases;
	/** The same, each step discounted. */
	double discounted_purchases;
	/** Expected value of one purchase day (Gamma-Gamma). */
	double expected_spend;
	/** The margin rate applied. */
	double margin_rate;
	/** Discounted expected margin: discounted_purchases *
	 *  expected_spend * margin_rate. */
	double margin;
	/** Discounted expected service and marketing cost: the customer's
	 *  historic cost per purchase day times discounted_purchases. */
	double cost;
	/** Referral value (see kehu_clv_options). */
	double referral;
	/** margin - cost + referral. */
	double clv;
} kehu_clv;

/**
 * Computes the lifetime value of customer @p id as of @p now with the
 * db's current value models (kehu_db_set_value_models): its summary
 * (as kehu_value_summaries with calibration end @p now), its metrics
 * (cost, margin, referrals, satisfaction) and @p opts (NULL: defaults).
 * A customer without purchases has x = t_x = T = 0 and the expectation
 * of a new customer.
 * @param[in,out] out set out->version = KEHU_CLV_VERSION first.
 * @return KEHU_OK; KEHU_EMISUSE (no current purchase or spend model);
 *         KEHU_ENOTFOUND; KEHU_EINVAL (also a wrong version); a storage
 *         code.
 * Since: 0.1
 */
KEHU_API int kehu_customer_clv(kehu_clv *out, kehu_db *db, kehu_id id,
                               int64_t now, const kehu_clv_options *opts);

/**
 * Batch CLV from summaries (e.g. kehu_value_summaries' arrays): for each
 * i, the discounted expected margin of a customer with history (x[i],
 * t_x[i], T[i]) in the models' periods and mean repeat spend
 * @p mean_spend[i], at margin rate opts->margin_rate (NAN counts as 1:
 * revenue) -- the margin term alone, as no cost or referral history is
 * given.  @p purchases and @p spend must share a period for x, t_x, T;
 * the horizon and steps come from @p opts (NULL: defaults).
 * @param[out] clv_out n values (may be the caller's only array).
 * @return KEHU_OK; KEHU_EINVAL (kinds, NULL arrays, a bad row: nothing
 *         is promised about clv_out then).
 * Since: 0.1
 */
KEHU_API int kehu_model_clv(const kehu_model *purchases,
                            const kehu_model *spend, const double *x,
                            const double *t_x, const double *T,
                            const double *mean_spend, size_t n,
                            const kehu_clv_options *opts, double *clv_out);

KEHU_END_DECL

#endif /* KEHU_VALUE_H */
