/*
 * model/view: the narrow read-only interface through which the rule
 * engine (and later the value models) see customers: the population in
 * id order, each customer's fields, metrics and record.
 */
#ifndef KEHU_MODEL_VIEW_H
#define KEHU_MODEL_VIEW_H

#include "codec/customer.h"
#include "kehu.h"
#include "model/metrics.h"

typedef struct kehu__view {
	kehu_id id;
	int32_t kind;
	int32_t relation;
	int32_t status;
	unsigned sections; /* KEHU__CUSTOMER_HAS_*: what its record has */
} kehu__view;

/* Slots of the population (live and deleted); index < this count. */
size_t kehu__view_slots(const kehu_db *db);
/* Fills v for slot `index`; 0 if the customer is live, -1 if deleted. */
int kehu__view_at(const kehu_db *db, size_t index, kehu__view *v);
/* The slot index of a live customer, or -1. */
long kehu__view_find(kehu_db *db, kehu_id id);
/* Metrics of slot `index` as of now (windows only if asked). */
int kehu__view_metrics(kehu_db *db, size_t index, int64_t now, int windows,
                       kehu_metrics *out);
/*
 * Metrics of many customers in id order.  The windows of a batch of
 * slots come from one range scan of their 'D' keys, accumulated in
 * place (no copy of the buckets), instead of one scan per customer.
 * Call kehu__view_seq_metrics with increasing slots.  A customer changed
 * after its batch was read (a callback recorded an interaction) is read
 * on its own, so results stay exact.
 */
typedef struct kehu__view_win {
	kehu__windows w;
	uint32_t interactions; /* the customer's count when read */
	uint32_t corrupt;      /* a bucket did not decode */
} kehu__view_win;

/* A record of a batch: `len` bytes at `at` in the batch's buffer
 * (SIZE_MAX: not read), as of the customer's revision `rev`. */
typedef struct kehu__view_rec {
	size_t at;
	uint32_t len;
	uint32_t rev;
} kehu__view_rec;

typedef struct kehu__view_seq {
	kehu__view_win *win;   /* slots [lo, hi) */
	size_t lo;
	size_t hi;
	uint32_t epoch;        /* the db's transaction when read */
	int32_t today;
	/* records of slots [rlo, rhi), read as the windows are */
	kehu__view_rec *rec;
	size_t rlo;
	size_t rhi;
	uint32_t repoch;
	kehu__buf bytes;
} kehu__view_seq;

int kehu__view_seq_begin(kehu_db *db, kehu__view_seq *seq, int64_t now);
void kehu__view_seq_end(kehu_db *db, kehu__view_seq *seq);
int kehu__view_seq_metrics(kehu_db *db, kehu__view_seq *seq, size_t index,
                           int64_t now, kehu_metrics *out);
/*
 * The stored record of slot `index` (a live customer), in id order as
 * kehu__view_seq_metrics: *p and *len point into the batch read with one
 * range scan of the 'C' keys when records are dense enough in it to
 * beat a look-up each, else into buf, read alone (as is a record saved
 * since its batch was read).  Valid until the next call.  Not in size
 * builds (KEHU__FAST_PATHS 0), which read each record alone.
 */
int kehu__view_seq_record(kehu_db *db, kehu__view_seq *seq, size_t index,
                          kehu__buf *buf, const uint8_t **p, size_t *len);

/* Copies a customer's encoded record into buf (no decoding). */
int kehu__view_record_bytes(kehu_db *db, kehu_id id, kehu__buf *buf);
/* Decodes a customer's record into a zeroed rec (free with
 * kehu__customer_rec_free and the db's allocator). */
int kehu__view_record(kehu_db *db, kehu_id id, kehu__customer_rec *rec);
const kehu__allocator *kehu__view_allocator(const kehu_db *db);

#endif
