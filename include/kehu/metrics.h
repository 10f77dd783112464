/**
 * @file kehu/metrics.h
 * @brief Per-customer and per-account aggregates, read as of a time.
 *
 * The library updates these in O(1) as each interaction is recorded;
 * reading them never touches the interaction log.  Lifetime totals count
 * every recorded interaction, whatever @p now; the trailing windows and
 * the "days since" figures are computed as of @p now.
 *
 * Days are local days in the db's UTC offset.  A window of N days as of
 * @p now covers the N local days that end with the day of @p now,
 * inclusive (day(now) - N + 1 .. day(now)), exact to the day: an
 * interaction on a later day is outside it.
 *
 * Money is in minor units of the db's currency.  Missing times are -1.
 */
#ifndef KEHU_METRICS_H
#define KEHU_METRICS_H

#include "kehu/common.h"

KEHU_BEGIN_DECL

/** The layout this header describes. */
#define KEHU_METRICS_VERSION 1

/** Aggregates of a customer or an account. */
typedef struct kehu_metrics {
	/** KEHU_METRICS_VERSION, set by kehu_metrics_init. */
	uint32_t version;
	/** Time of the first purchase; -1 if none. */
	int64_t first_purchase;
	/** Time of the last (latest-dated) purchase; -1 if none. */
	int64_t last_purchase;
	/** Time of the latest interaction of any type; -1 if none. */
	int64_t last_contact;
	/** All interactions recorded. */
	int64_t interactions;
	/** Purchase count: distinct local days with at least one purchase
	 *  (as RFM practice counts them). */
	int64_t purchases;
	/** Purchase interactions (orders); several may fall on one day. */
	int64_t orders;
	/** Sum of purchase amounts. */
	int64_t sales;
	/** Sum of refund amounts. */
	int64_t refunds;
	/** Net revenue: sales - refunds. */
	int64_t revenue;
	/** Sum of the cost of all interactions. */
	int64_t cost;
	/** revenue - cost. */
	int64_t margin;
	/** sales / orders; 0 with no orders. */
	double average_order_value;
	/** Complaint interactions. */
	int64_t complaints;
	/** Interactions that carried a satisfaction score. */
	int64_t satisfaction_count;
	/** Mean satisfaction score (1..5); 0 if none. */
	double average_satisfaction;
	/** The score of the latest-dated scored interaction; 0 if none. */
	int64_t last_satisfaction;
	/** Referral interactions: people this customer referred. */
	int64_t referrals;
	/** Distinct local calendar months with at least one purchase. */
	int64_t months_active;
	/** Local days from the first purchase to @p now; -1 if none.  Days
	 *  since an event dated after @p now are negative (so -1 may also
	 *  mean "the day after now": the time fields tell which). */
	int64_t days_since_first_purchase;
	/** Local days from the last purchase to @p now; -1 if none. */
	int64_t days_since_last_purchase;
	/** Local days from the last interaction to @p now; -1 if none. */
	int64_t days_since_last_contact;
	/** Net revenue over the trailing 30, 90 and 365 days. */
	int64_t revenue_30d;
	int64_t revenue_90d;
	int64_t revenue_365d;
	/** Purchase days over the trailing 30, 90 and 365 days. */
	int64_t purchases_30d;
	int64_t purchases_90d;
	int64_t purchases_365d;
	/** Complaints over the trailing 30, 90 and 365 days. */
	int64_t complaints_30d;
	int64_t complaints_90d;
	int64_t complaints_365d;
} kehu_metrics;

/**
 * Prepares @p m for a kehu_metrics_read: sets its version, zeroes the
 * fields of that version.
 *
 * @return KEHU_OK or KEHU_EINVAL (NULL, unknown version).  Since: 0.1
 */
KEHU_API int kehu_metrics_init(kehu_metrics *m, uint32_t version);

/**
 * Reads the metrics of a customer or an account (ids are one sequence)
 * as of @p now.  Fills only the fields of @p out's version.  The windows
 * cost one range scan of the owner's day buckets (at most 365 entries).
 *
 * @param[in,out] out initialised by kehu_metrics_init.
 * @param now the time the figures are as of (0 .. 253402300799).
 * @return KEHU_OK; KEHU_EINVAL (NULL, version, now out of range);
 *         KEHU_ENOTFOUND; KEHU_ESTORAGE; KEHU_ECORRUPT.
 * Thread: the db's.  Since: 0.1
 */
KEHU_API int kehu_metrics_read(kehu_metrics *out, kehu_db *db, kehu_id id,
                               int64_t now);

KEHU_END_DECL

#endif /* KEHU_METRICS_H */
