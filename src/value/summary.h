/*
 * value/summary: the per-customer RFM summary rows the value models fit
 * on (numerical core, internal), and their compression into unique rows
 * with weights.
 */
#ifndef KEHU_VALUE_SUMMARY_H
#define KEHU_VALUE_SUMMARY_H

#include <stddef.h>

#include "core/alloc.h"

/*
 * One customer (or weight identical customers): x repeat purchases, the
 * last at t_x after the first, observed for T after the first purchase
 * (0 <= t_x <= T; t_x is ignored when x = 0).  Any time unit, the same
 * for all rows.
 */
typedef struct kehu__rfm_row {
	double x;
	double t_x;
	double T;
	double weight;
} kehu__rfm_row;

/*
 * Sorts rows by (x, t_x, T) and merges equal ones (their weights add;
 * t_x counts as 0 when x = 0) into *out (allocated through a, *n_out
 * rows; free with kehu__free(a, *out, *n_out * sizeof **out)).
 * Returns KEHU_OK, KEHU_EINVAL or KEHU_ENOMEM.
 */
int kehu__summary_compress(const kehu__allocator *a,
                           const kehu__rfm_row *rows, size_t n,
                           kehu__rfm_row **out, size_t *n_out);

/* KEHU_OK when every row is finite with x >= 0, 0 <= t_x <= T, weight
 * >= 0; else KEHU_EINVAL. */
int kehu__summary_check(const kehu__rfm_row *rows, size_t n);

/*
 * Checks rows (as kehu__summary_check) and gives the total weight and
 * the weighted mean T, where the count models start their time-scale
 * parameters so that a fit does not depend on the time unit.
 * KEHU_EINVAL for no rows, bad rows, or no weight or no time.
 */
int kehu__summary_scale(const kehu__rfm_row *rows, size_t n, double *weight,
                        double *mean_T);

#endif
