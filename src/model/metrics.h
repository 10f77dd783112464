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

/* Adds one day bucket ('D' key and value) to the windows of out as of
 * local day `today`; KEHU_ECORRUPT if it does not decode. */
int kehu__metrics_add_day(kehu_metrics *out, int32_t today,
                          const void *key, size_t klen, const void *val,
                          size_t vlen);

#endif
