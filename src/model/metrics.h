/*
 * model/metrics: how one interaction changes the aggregates of its
 * customer or account, computed on a copy first so that an overflow
 * (KEHU_ERANGE) or a failed read changes nothing.
 */
#ifndef KEHU_MODEL_METRICS_H
#define KEHU_MODEL_METRICS_H

#include "codec/interaction.h"
#include "model/db.h"

typedef struct kehu__metrics_update {
	kehu__metrics_rec m;  /* the owner's metrics after the interaction */
	int write_bucket;     /* the day bucket changed */
	int32_t day;
	kehu__day_rec bucket; /* its new contents */
} kehu__metrics_update;

/* Computes the effect of ix on owner's metrics `before`. */
int kehu__metrics_apply(kehu_db *db, int64_t owner,
                        const kehu__metrics_rec *before,
                        const kehu__interaction_rec *ix,
                        kehu__metrics_update *out);

/* The public metrics of a slot as of now; windows only if asked (they
 * cost a range scan of the owner's day buckets). */
int kehu__metrics_of_slot(kehu_db *db, const kehu__hot *h, int64_t now,
                          int windows, kehu_metrics *out);
/* The same as of local day `today`, with zero windows; cannot fail. */
void kehu__metrics_of_slot_on(const kehu_db *db, const kehu__hot *h,
                              int32_t today, kehu_metrics *out);
/* Whether metrics m (windows not read yet) can have anything in the
 * windows: buckets exist only up to the last contact's day, so an owner
 * quiet for a year has none. */
int kehu__metrics_has_windows(const kehu_metrics *m);

/* The trailing windows of one owner: [0] 30, [1] 90, [2] 365 days. */
typedef struct kehu__windows {
	int64_t revenue[3];
	int64_t purchases[3];
	int64_t complaints[3];
} kehu__windows;

/* Adds the bucket of local `day` (its value bytes) to w as of `today`;
 * a day outside every window is skipped undecoded.  KEHU_ECORRUPT if
 * the value does not decode. */
int kehu__windows_add_day(kehu__windows *w, int32_t today, int32_t day,
                          const void *val, size_t vlen);
/* Copies w into the window fields of out. */
void kehu__windows_put(const kehu__windows *w, kehu_metrics *out);

#endif
