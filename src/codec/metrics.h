/*
 * codec/metrics: the aggregates kept per customer or account ('M' id)
 * and the day buckets behind the trailing windows ('D' id day).
 *
 * kehu__metrics_rec is also the in-memory hot state, so it is kept
 * small: times and money as int64, counters as uint32.
 */
#ifndef KEHU_CODEC_METRICS_H
#define KEHU_CODEC_METRICS_H

#include "core/buf.h"

typedef struct kehu__metrics_rec {
	int64_t first_purchase; /* -1: none */
	int64_t last_purchase;  /* -1: none */
	int64_t last_contact;   /* -1: none */
	int64_t last_sat_time;  /* -1: none */
	int64_t sales;
	int64_t refunds;
	int64_t cost;
	uint32_t interactions;
	uint32_t orders;
	uint32_t purchase_days;
	uint32_t months_active;
	uint32_t complaints;
	uint32_t referrals;
	uint32_t sat_sum;
	uint32_t sat_count;
	uint8_t last_sat;
} kehu__metrics_rec;

/* One owner's activity on one local day. */
typedef struct kehu__day_rec {
	uint32_t orders;
	uint32_t complaints;
	int64_t sales;
	int64_t refunds;
} kehu__day_rec;

void kehu__metrics_rec_empty(kehu__metrics_rec *m);
void kehu__metrics_rec_encode(kehu__buf *b, const kehu__metrics_rec *m);
/* KEHU_ECORRUPT also for values recording never writes: a time outside
 * -1 and 1970..9999, a negative sum, a margin that overflows. */
int kehu__metrics_rec_decode(kehu__metrics_rec *m, const void *p, size_t n);

void kehu__day_rec_encode(kehu__buf *b, const kehu__day_rec *d);
/* KEHU_ECORRUPT also for a negative sum. */
int kehu__day_rec_decode(kehu__day_rec *d, const void *p, size_t n);

#endif
