/*
 * rules/population: one pre-pass per population function, in dependency
 * order: evaluate its argument for every live customer, sort, and keep
 * either one value (quantile, mean) or one per customer (ntile, rank).
 * Ties are broken by customer id, so results are deterministic.
 */
#include "rules/population.h"

#include <math.h>
#include <string.h>

#include "core/tuning.h"
#include "model/db.h"
#include "model/view.h"
#include "rules/value_fns.h"

/* 16 bytes: a pre-pass sorts a million of them per population function
 * (ties keep the order collected, which is id order, so no id here) */
typedef struct sample {
	double v;
	size_t slot;
} sample;

/*
 * The samples in order of value (descending for rank), ties in the
 * order collected, which is id order.  A stable LSD radix sort on the
 * bits of the value, a byte per pass, skipping the bytes every value
 * shares: pre-passes sort a million samples per population function,
 * and a comparison sort through qsort was half of an RFM run.  -0 sorts
 * as 0 and NaN after everything, so the order is total.
 */
static uint64_t order_key(double v, int descending)
{
	uint64_t u;

	if (v == 0)
		v = 0; /* -0 ties with 0 */
	else if (v != v)
		return descending ? 0 : UINT64_MAX; /* NaN: last */
	memcpy(&u, &v, sizeof u);
	u = u >> 63 ? ~u : u | UINT64_C(1) << 63;
	return descending ? ~u : u;
}

static void sort_samples(sample *s, sample *tmp, size_t n, int descending)
{
	size_t count[8][256], pos[256];
	size_t i, b, at;
	sample *from = s, *to = tmp, *t;
	uint64_t first = order_key(s[0].v, descending);

	memset(count, 0, sizeof count);
	for (i = 0; i < n; i++) {
		uint64_t k = order_key(s[i].v, descending);

		for (b = 0; b < 8; b++)
			count[b][(k >> (8 * b)) & 0xFF]++;
	}
	for (b = 0; b < 8; b++) {
		unsigned shift = 8 * (unsigned)b;

		if (count[b][(first >> shift) & 0xFF] == n)
			continue; /* every value has this byte: in order */
		for (i = 0, at = 0; i < 256; i++) {
			pos[i] = at;
			at += count[b][i];
		}
		for (i = 0; i < n; i++)
			to[pos[(order_key(from[i].v, descending) >> shift) &
			       0xFF]++] = from[i];
		t = from;
		from = to;
		to = t;
	}
	if (from != s)
		memcpy(s, from, n * sizeof *s);
}

int kehu__reval_prepare(kehu_db *db, const kehu_rules *r,
                        const kehu__rpopdata *pop, size_t slot, int64_t now,
                        uint8_t needs, kehu__view_seq *seq,
                        kehu__reval *ctx, kehu__buf *rec)
{
	kehu_metrics m;
	kehu__view v;
	int rc;

	kehu__view_at(db, slot, &v);
	ctx->r = r;
	ctx->kind = v.kind;
	ctx->relation = v.relation;
	ctx->status = v.status;
	ctx->rec = NULL;
	ctx->rec_index = 0;
	ctx->pop_const = pop->consts;
	ctx->pop_value = pop->values ? pop->values + slot * r->npops : NULL;
	kehu__reval_next_customer(ctx);
	rc = seq && (needs & KEHU__NEEDS_WINDOWS)
		? kehu__view_seq_metrics(db, seq, slot, now, &m)
		: kehu__view_metrics(db, slot, now,
		                     (needs & KEHU__NEEDS_WINDOWS) != 0, &m);
	if (rc != KEHU_OK)
		return rc;
	kehu__reval_set_metrics(ctx, &m);
	/* the hot state knows which records carry tags or attributes:
	 * without any, the record adds nothing to read */
	if ((needs & KEHU__NEEDS_RECORD) && v.sections) {
		if (KEHU__FAST_PATHS && seq) {
			rc = kehu__view_seq_record(db, seq, slot, rec, &ctx->rec,
			                           &ctx->rec_len);
		} else if ((rc = kehu__view_record_bytes(db, v.id, rec)) ==
		           KEHU_OK) {
			ctx->rec = rec->data;
			ctx->rec_len = rec->len;
		}
		if (rc != KEHU_OK)
			return rc;
	}
	if (needs & KEHU__NEEDS_VALUE)
		return kehu__reval_read_value(db, ctx, v.id, now);
	return KEHU_OK;
}

/* Evaluates pop k's argument for every live customer. */
static int collect(kehu_db *db, const kehu_rules *r, kehu__rpopdata *pop,
                   size_t k, int64_t now, double *items, sample *s,
                   size_t *n, kehu__buf *rec)
{
	kehu__view_seq seq;
	kehu__reval ctx;
	kehu__view v;
	size_t slot;
	int rc;

	*n = 0;
	kehu__reval_begin(&ctx, r, items);
	if ((rc = kehu__view_seq_begin(db, &seq, now)) != KEHU_OK)
		return rc;
	for (slot = 0; slot < pop->nslots; slot++) {
		if (kehu__view_at(db, slot, &v) != 0)
			continue;
		rc = kehu__reval_prepare(db, r, pop, slot, now,
		                         r->pops[k].needs, &seq, &ctx, rec);
		if (rc == KEHU_OK) {
			/* s is NULL only once kehu__db_nomem (model/db.c,
			 * unseen by the analyzer) set rc to KEHU_ENOMEM:
			 NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
			s[*n].v = kehu__reval_node(&ctx, r->pops[k].arg);
			s[*n].slot = slot;
			(*n)++;
		}
		if (rc != KEHU_OK)
			break;
	}
	kehu__view_seq_end(db, &seq);
	return rc;
}

static void summarise(const kehu_rules *r, kehu__rpopdata *pop, size_t k,
                      sample *s, sample *tmp, size_t n)
{
	const kehu__rpop *p = &r->pops[k];
	double sum = 0;
	size_t i, at;

	if (n == 0) {
		pop->consts[k] = 0;
		return;
	}
	switch (p->fn) {
	case KEHU__P_MEAN:
		for (i = 0; i < n; i++)
			sum += s[i].v;
		pop->consts[k] = sum / (double)n;
		return;
	case KEHU__P_QUANTILE:
		sort_samples(s, tmp, n, 0);
		/* nearest rank: the smallest value with at least q of the
		 * population at or below it */
		at = (size_t)ceil(p->param * (double)n);
		pop->consts[k] = s[at > 0 ? at - 1 : 0].v;
		return;
	case KEHU__P_NTILE:
		sort_samples(s, tmp, n, 0);
		for (i = 0; i < n; i++)
			pop->values[s[i].slot * r->npops + k] =
				floor((double)i * p->param / (double)n) + 1;
		return;
	default: /* rank: 1 is the largest */
		sort_samples(s, tmp, n, 1);
		for (i = 0; i < n; i++)
			pop->values[s[i].slot * r->npops + k] = (double)i + 1;
	}
}

void kehu__rpop_free(kehu_db *db, const kehu_rules *r, kehu__rpopdata *pop)
{
	const kehu__allocator *a = kehu__view_allocator(db);

	kehu__free(a, pop->consts, r->npops * sizeof *pop->consts);
	kehu__free(a, pop->values,
	           r->npops * (pop->nslots + 1) * sizeof(double));
	memset(pop, 0, sizeof *pop);
}

int kehu__rpop_compute(kehu_db *db, const kehu_rules *r, int64_t now,
                       kehu__rpopdata *pop)
{
	const kehu__allocator *a = kehu__view_allocator(db);
	double *items = NULL;
	sample *s = NULL, *tmp = NULL;
	size_t k, n;
	kehu__buf rec;
	int rc = KEHU_OK;

	kehu__buf_init(&rec, a);
	memset(pop, 0, sizeof *pop);
	pop->nslots = kehu__view_slots(db);
	if (r->npops == 0)
		return KEHU_OK;
	pop->consts = kehu__calloc(a, r->npops, sizeof *pop->consts);
	pop->values = kehu__calloc(a, r->npops * (pop->nslots + 1),
	                           sizeof(double));
	items = kehu__calloc(a, r->nitems + 1, sizeof *items);
	s = kehu__calloc(a, pop->nslots + 1, sizeof *s);
	tmp = kehu__calloc(a, pop->nslots + 1, sizeof *tmp);
	if (!pop->consts || !pop->values || !items || !s || !tmp)
		rc = kehu__db_nomem(db);
	for (k = 0; rc == KEHU_OK && k < r->npops; k++) {
		rc = collect(db, r, pop, k, now, items, s, &n, &rec);
		if (rc == KEHU_OK)
			summarise(r, pop, k, s, tmp, n);
	}
	kehu__free(a, items, (r->nitems + 1) * sizeof *items);
	kehu__free(a, s, (pop->nslots + 1) * sizeof *s);
	kehu__free(a, tmp, (pop->nslots + 1) * sizeof *tmp);
	kehu__buf_free(&rec);
	if (rc != KEHU_OK)
		kehu__rpop_free(db, r, pop);
	return rc;
}

int kehu__rules_eval_slot(kehu_db *db, const kehu_rules *r,
                          const kehu__rpopdata *pop, size_t slot,
                          int64_t now, double *items, kehu__view_seq *seq,
                          kehu__buf *rec)
{
	kehu__reval ctx;
	int rc;

	kehu__reval_begin(&ctx, r, items);
	rc = kehu__reval_prepare(db, r, pop, slot, now, r->needs, seq, &ctx,
	                         rec);
	if (rc == KEHU_OK)
		kehu__reval_items(&ctx);
	return rc;
}
