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

KEHU_END_DECL

#endif /* KEHU_VALUE_H */
