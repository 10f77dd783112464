/**
 * @file kehu/rules.h
 * @brief The rule engine: classify customers and score them with rule
 *        sets compiled from text (the language: doc/rules.md).
 *
 * A rule set holds constants (`let`), scores (`score NAME = EXPR`) and
 * classifications (`classify NAME { LABEL when EXPR ... LABEL else }`:
 * the first rule that holds gives the label).  It is compiled once
 * against a db (names resolve to metrics, attributes, tags, fields and
 * earlier items) into an immutable kehu_rules that any number of
 * evaluations share.  Evaluation reads the customer's metrics as of a
 * caller-given `now`, never allocates and never fails on data: division
 * by zero gives 0, a missing attribute its default.
 */
#ifndef KEHU_RULES_H
#define KEHU_RULES_H

#include "kehu/common.h"

KEHU_BEGIN_DECL

/** A compiled rule set (immutable; shareable by the db's thread). */
typedef struct kehu_rules kehu_rules;
/** The labels and scores of one customer. */
typedef struct kehu_result kehu_result;
/** Why a classification gave its label. */
typedef struct kehu_explain kehu_explain;

/** Limits: rule text 1 MiB, 64 levels of nesting, 256 items. */
#define KEHU_MAX_RULES_TEXT (1024 * 1024)
#define KEHU_MAX_RULES_DEPTH 64
#define KEHU_MAX_RULES_ITEMS 256

/**
 * Compiles rule text.
 *
 * @param[out] out the compiled rule set; NULL on failure.
 * @param db the db whose currency exponent money literals use.
 * @param text UTF-8 rule text (need not be NUL-terminated).
 * @param len its length in bytes.
 * @return KEHU_OK; KEHU_ECOMPILE (kehu_errmsg: "LINE:COLUMN: what is
 *         wrong"); KEHU_EINVAL (NULL, text over KEHU_MAX_RULES_TEXT);
 *         KEHU_ENOMEM.
 * Ownership: free with kehu_rules_free (before closing the db).
 * Since: 0.1
 */
KEHU_API int kehu_rules_compile(kehu_rules **out, kehu_db *db,
                                const char *text, size_t len);

/** Frees a rule set.  NULL is a no-op.  Since: 0.1 */
KEHU_API void kehu_rules_free(kehu_rules *rules);

/**
 * The text of the default CRM rule pack (importance, loyalty, lifecycle,
 * relationship, value class, prospect grade, strategy, RFM), documented
 * in doc/rules.md.  Compile it with kehu_rules_compile, or edit a copy.
 * @return a static NUL-terminated string.  Since: 0.1
 */
KEHU_API const char *kehu_rules_default_source(void);

/**
 * The default pack for @p db: when the db has current value models
 * (kehu_db_set_value_models), the variant "kehu-default-predicted",
 * whose value class ranks customers by predicted CLV (`clv(365, 0.10)`)
 * and whose strategy matrix reads the predicted purchase value
 * (`expected_purchases(365) * expected_spend`) instead of the
 * upcoming_volume attribute; else the same text as
 * kehu_rules_default_source.  Everything else is identical.
 * @return a static NUL-terminated string (NULL db: the historic pack).
 * Since: 0.1
 */
KEHU_API const char *kehu_rules_default_source_for(const kehu_db *db);

/** The rule set's name (from `ruleset "NAME"`).  Valid until the rule
 *  set is freed.  Since: 0.1 */
KEHU_API const char *kehu_rules_get_name(const kehu_rules *rules);
/** The rule set's version number.  Since: 0.1 */
KEHU_API int64_t kehu_rules_get_version(const kehu_rules *rules);
/** The number of classifications.  Since: 0.1 */
KEHU_API size_t kehu_rules_classification_count(const kehu_rules *rules);
/** The name of classification @p index; NULL out of range.  Since: 0.1 */
KEHU_API const char *kehu_rules_classification_name(const kehu_rules *rules,
                                                    size_t index);
/** The number of scores.  Since: 0.1 */
KEHU_API size_t kehu_rules_score_count(const kehu_rules *rules);
/** The name of score @p index; NULL out of range.  Since: 0.1 */
KEHU_API const char *kehu_rules_score_name(const kehu_rules *rules,
                                           size_t index);

/**
 * Evaluates one customer as of @p now.
 *
 * Population functions (quantile, ntile, mean, rank) need a population:
 * here it is every customer of the db (a pre-pass over all of them).
 *
 * @return KEHU_OK; KEHU_EINVAL; KEHU_ENOTFOUND; KEHU_EMISUSE (rules of
 *         another db); KEHU_ENOMEM; a storage code.
 * Ownership: free the result with kehu_result_free.  Since: 0.1
 */
KEHU_API int kehu_rules_evaluate(kehu_result **out, const kehu_rules *rules,
                                 kehu_db *db, kehu_id customer_id,
                                 int64_t now);

/** Frees a result.  NULL is a no-op.  Since: 0.1 */
KEHU_API void kehu_result_free(kehu_result *result);
/** The label of classification @p index, NULL out of range.  Valid
 *  until the result is freed.  Since: 0.1 */
KEHU_API const char *kehu_result_get_label(const kehu_result *result,
                                           size_t index);
/** The label of the classification named @p name, NULL if none.
 *  Since: 0.1 */
KEHU_API const char *kehu_result_get_label_by_name(const kehu_result *result,
                                                   const char *name);
/** The value of score @p index (money in major units), NAN out of
 *  range.  Since: 0.1 */
KEHU_API double kehu_result_get_score(const kehu_result *result,
                                      size_t index);
/** The value of the score named @p name, NAN if none.  Since: 0.1 */
KEHU_API double kehu_result_get_score_by_name(const kehu_result *result,
                                              const char *name);

/* ---- explanations ------------------------------------------------------ */

/**
 * Explains a classification for one customer: each rule tried in order,
 * whether it fired, and every comparison evaluated on the way with the
 * values of its two sides (the first 64 comparisons are recorded).
 *
 * @param classification the classification's name.
 * @return KEHU_OK; KEHU_EINVAL; KEHU_ENOTFOUND (customer or
 *         classification); KEHU_ENOMEM; a storage code.
 * Ownership: free with kehu_explain_free.  Since: 0.1
 */
KEHU_API int kehu_rules_explain(kehu_explain **out, const kehu_rules *rules,
                                kehu_db *db, kehu_id customer_id,
                                int64_t now, const char *classification);

/** Frees an explanation.  NULL is a no-op.  Since: 0.1 */
KEHU_API void kehu_explain_free(kehu_explain *ex);

/**
 * The explanation as text, one line per comparison, e.g.
 * `vip: revenue_365d (61200.00) >= vip_revenue (50000.00) -> true`,
 * and a last line naming the label.
 * Ownership: valid until @p ex is freed.  Since: 0.1
 */
KEHU_API const char *kehu_explain_text(const kehu_explain *ex);

/** The label the classification gave.  Since: 0.1 */
KEHU_API const char *kehu_explain_label(const kehu_explain *ex);

/** The number of rules tried (the one that fired is the last).
 *  Since: 0.1 */
KEHU_API size_t kehu_explain_rule_count(const kehu_explain *ex);

/**
 * Rule @p index as tried: its label, whether it fired (1/0), its source
 * line, and how many comparisons it evaluated.
 * @return KEHU_OK or KEHU_EINVAL (out of range, NULL).  Since: 0.1
 */
KEHU_API int kehu_explain_rule(const kehu_explain *ex, size_t index,
                               const char **label_out, int32_t *fired_out,
                               int32_t *line_out, size_t *comparisons_out);

/**
 * Comparison @p k of rule @p index: its source text (e.g.
 * "revenue_365d >= vip_revenue"), the left and right values (money in
 * major units; text as -1 when not a number), and its outcome.
 * @return KEHU_OK or KEHU_EINVAL.  Since: 0.1
 */
KEHU_API int kehu_explain_comparison(const kehu_explain *ex, size_t index,
                                     size_t k, const char **text_out,
                                     double *left_out, double *right_out,
                                     int32_t *result_out);

/* ---- rule sets stored in the db ----------------------------------------- */

/**
 * Stores the rule set's text in the db under its name (replacing an
 * older one), so another host on the same store loads what this one
 * wrote.
 * @return KEHU_OK; KEHU_EINVAL; KEHU_ENOMEM; a storage code.  Since: 0.1
 */
KEHU_API int kehu_rules_save(kehu_db *db, const kehu_rules *rules);

/**
 * Loads and compiles the rule set stored under @p name.
 * @return KEHU_OK; KEHU_ENOTFOUND; KEHU_ECOMPILE; KEHU_EINVAL;
 *         KEHU_ENOMEM; a storage code.
 * Ownership: free with kehu_rules_free.  Since: 0.1
 */
KEHU_API int kehu_rules_load(kehu_rules **out, kehu_db *db,
                             const char *name);

/* ---- classify all ------------------------------------------------------- */

/** Called after each batch: customers done so far and in all. */
typedef int (*kehu_progress_cb)(int64_t done, int64_t total,
                                void *user_data);

/**
 * Called once per customer and classification whose label changed since
 * the last classify-all with the same rule set name (old_label NULL on
 * the first run).  Called just before its batch commits: return non-zero
 * to stop (that batch is rolled back; earlier batches stay).  If the
 * commit then fails, the next run reports the same changes again: each
 * change is reported at least once, never lost.  The host's "act now"
 * hook.
 */
typedef int (*kehu_transition_cb)(kehu_id customer_id,
                                  const char *classification,
                                  const char *old_label,
                                  const char *new_label, void *user_data);

#define KEHU_CLASSIFY_OPTIONS_VERSION 1

/** Options of kehu_rules_classify_all (versioned, prefix). */
typedef struct kehu_classify_options {
	uint32_t version;
	/** Customers per transaction (default 1000, 1..1000000). */
	int64_t batch_size;
	/** Optional: a segment: only customers for which this expression
	 *  (rule language, may name the rule set's items) holds.  Population
	 *  functions still range over every customer of the db. */
	const char *segment;
	kehu_progress_cb progress;
	kehu_transition_cb transition;
	void *user_data;
} kehu_classify_options;

/**
 * Fills @p opts with defaults.  @return KEHU_OK or KEHU_EINVAL.
 * Since: 0.1
 */
KEHU_API int kehu_classify_options_init(kehu_classify_options *opts,
                                        uint32_t version);

/**
 * Evaluates the rule set for every customer (or the segment) as of
 * @p now and stores each customer's labels and scores, one transaction
 * per batch.  Afterwards kehu_customer_get_label / get_score read them.
 *
 * @param[out] classified_out customers classified (may be NULL).
 * @return KEHU_OK; KEHU_EINVAL; KEHU_ECOMPILE (segment); KEHU_EUSER (a
 *         callback stopped it); KEHU_ENOMEM; a storage code.  Must not
 *         run inside a host transaction (KEHU_EMISUSE).
 * Since: 0.1
 */
KEHU_API int kehu_rules_classify_all(kehu_db *db, const kehu_rules *rules,
                                     int64_t now,
                                     const kehu_classify_options *opts,
                                     int64_t *classified_out);

/**
 * The label a stored classification gave the customer at the last
 * classify-all of the rule set @p ruleset.
 * @param[out] buf receives the label, NUL-terminated.
 * @return KEHU_OK; KEHU_ENOTFOUND (never classified, or no such
 *         classification); KEHU_EBUFS (len_out says how many bytes the
 *         label needs with its NUL); KEHU_EINVAL.
 * Since: 0.1
 */
KEHU_API int kehu_customer_get_label(kehu_db *db, kehu_id customer_id,
                                     const char *ruleset,
                                     const char *classification, char *buf,
                                     size_t cap, size_t *len_out);

/**
 * The stored score (money in major units) from the last classify-all.
 * @return KEHU_OK; KEHU_ENOTFOUND; KEHU_EINVAL.  Since: 0.1
 */
KEHU_API int kehu_customer_get_score(kehu_db *db, kehu_id customer_id,
                                     const char *ruleset, const char *score,
                                     double *out);

/* ---- segment query -------------------------------------------------------- */

/** Called once per customer that matches a query. */
typedef int (*kehu_query_cb)(kehu_id customer_id, void *user_data);

/**
 * Selects the customers for which @p expr holds as of @p now.  The
 * expression may name the items of @p rules (NULL: metrics, fields,
 * attributes and tags only), e.g. `importance == "vip" and lifecycle ==
 * "at_risk"`.
 *
 * @param cb called per matching customer in id order; NULL to count only.
 * @param[out] count_out matches (may be NULL).
 * @return KEHU_OK; KEHU_ECOMPILE; KEHU_EINVAL; KEHU_ENOMEM; a storage
 *         code; or the callback's non-zero value.
 * Since: 0.1
 */
KEHU_API int kehu_query(kehu_db *db, const kehu_rules *rules,
                        const char *expr, int64_t now, kehu_query_cb cb,
                        void *user_data, int64_t *count_out);

KEHU_END_DECL

#endif /* KEHU_RULES_H */
