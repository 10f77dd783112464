/*
 * value/summaries: one customer's purchase history as the value models
 * and CLV read it (the summary of kehu_value_summaries plus the cost
 * split CLV needs).
 */
#ifndef KEHU_VALUE_SUMMARIES_H
#define KEHU_VALUE_SUMMARIES_H

#include "kehu.h"

typedef struct kehu__value_history {
	int has_purchase;     /* a purchase on or before the end day */
	double x, t_x, T;     /* in periods */
	double mean_spend;    /* mean repeat purchase-day value, major units */
	int64_t purchase_days;
	int64_t sales;        /* purchase amounts up to the end day */
	int64_t product_cost; /* cost of those purchases */
	int64_t service_cost; /* cost of every other interaction */
	int64_t referrals;    /* referral interactions */
	int64_t sat_sum;      /* satisfaction scores given, and their sum */
	int64_t sat_count;
} kehu__value_history;

/*
 * Reads customer @p id's interactions up to the local day of @p end into
 * @p out, t_x and T in periods of @p period_seconds (> 0).  Sets the
 * db's error; KEHU_OK, KEHU_ENOMEM, KEHU_ECORRUPT or a storage code.
 */
int kehu__value_history_read(kehu_db *db, kehu_id id, int64_t end,
                             int64_t period_seconds,
                             kehu__value_history *out);

#endif
