/*
 * rules/population: the pre-pass behind quantile, ntile, mean and rank,
 * and the evaluation of one customer of the population.
 */
#ifndef KEHU_RULES_POPULATION_H
#define KEHU_RULES_POPULATION_H

#include "model/view.h"
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
/* seq: when walking slots in order, a window cursor (else NULL). */
int kehu__rules_eval_slot(kehu_db *db, const kehu_rules *r,
                          const kehu__rpopdata *pop, size_t slot,
                          int64_t now, double *items, kehu__view_seq *seq,
                          kehu__buf *rec);

/* Prepares ctx for slot: metrics (windows if needs says so), fields,
 * and the record bytes in rec (a buffer the caller keeps across
 * customers) if needs says so.  Starts a new customer in ctx. */
int kehu__reval_prepare(kehu_db *db, const kehu_rules *r,
                        const kehu__rpopdata *pop, size_t slot, int64_t now,
                        uint8_t needs, kehu__view_seq *seq,
                        kehu__reval *ctx, kehu__buf *rec);

#endif
