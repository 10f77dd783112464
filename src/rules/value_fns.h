/*
 * rules/value_fns: the rule language's value-model functions (p_alive,
 * expected_purchases(days), expected_spend, clv(days, rate)), evaluated
 * with the db's current models on the customer's purchase history.
 */
#ifndef KEHU_RULES_VALUE_FNS_H
#define KEHU_RULES_VALUE_FNS_H

#include "rules/eval.h"

/* Reads the history the value functions need into ctx (allocates;
 * fails like any read): for rule sets with KEHU__NEEDS_VALUE.
 * KEHU_EMISUSE (with the db's message) when the db has no models. */
int kehu__reval_read_value(kehu_db *db, kehu__reval *ctx, kehu_id id,
                           int64_t now);

/* The value of node n (a KEHU__R_VALUE); 0 where the models give no
 * finite value (never fails, never allocates). */
double kehu__reval_value(kehu__reval *ctx, const kehu__rnode *n);

#endif
