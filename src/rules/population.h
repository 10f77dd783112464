/*
 * rules/population: the pre-pass behind quantile, ntile, mean and rank,
 * and the evaluation of one customer of the population.
 */
#ifndef KEHU_RULES_POPULATION_H
#define KEHU_RULES_POPULATION_H

#include "rules/eval.h"

typedef struct kehu__rpopdata {
	double *consts; /* per population function: quantile, mean */
	double *values; /* [pop * nslots + slot]: ntile, rank */
	size_t nslots;
} kehu__rpopdata;

/* Runs the pre-passes over every live customer as of now. */
int kehu__rpop_compute(kehu_db *db, const kehu_rules *r, int64_t now,
                       kehu__rpopdata *pop);
void kehu__rpop_free(kehu_db *db, const kehu_rules *r, kehu__rpopdata *pop);

/* Evaluates every item for the customer in `slot` into items (one per
 * item of r); with a trace, records comparisons. */
int kehu__rules_eval_slot(kehu_db *db, const kehu_rules *r,
                          const kehu__rpopdata *pop, size_t slot,
                          int64_t now, double *items, kehu__rtrace *trace);

/* Prepares ctx for slot (metrics, fields, record); free rec after. */
int kehu__reval_prepare(kehu_db *db, const kehu_rules *r,
                        const kehu__rpopdata *pop, size_t slot, int64_t now,
                        kehu__reval *ctx, kehu__customer_rec *rec);

#endif
