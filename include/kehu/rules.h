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

KEHU_END_DECL

#endif /* KEHU_RULES_H */
