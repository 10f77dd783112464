/*
 * rules/population: one pre-pass per population function, in dependency
 * order: evaluate its argument for every live customer, sort, and keep
 * either one value (quantile, mean) or one per customer (ntile, rank).
 * Ties are broken by customer id, so results are deterministic.
 */
#include "rules/population.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/db.h"
#include "model/view.h"
#include "rules/value_fns.h"

typedef struct sample {
	double v;
	int64_t id;
	size_t slot;
} sample;

static int by_value_then_id(const void *pa, const void *pb)
{
	const sample *a = pa, *b = pb;

	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static int by_value_desc_then_id(const void *pa, const void *pb)
{
	const sample *a = pa, *b = pb;

	if (a->v != b->v)
		return a->v > b->v ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
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
	ctx->pop_const = pop->consts;
	ctx->pop_value = pop->values ? pop->values + slot * r->npops : NULL;
	kehu__reval_next_customer(ctx);
	rc = seq && (needs & KEHU__NEEDS_WINDOWS)
		? kehu__view_seq_metrics(db, seq, slot, now, &m)
		: kehu__view_metrics(db, slot, now,
		                     needs & KEHU__NEEDS_WINDOWS, &m);
	if (rc != KEHU_OK)
		return rc;
	kehu__metrics_to_values(&m, ctx->metrics);
	if (needs & KEHU__NEEDS_RECORD) {
		if ((rc = kehu__view_record_bytes(db, v.id, rec)) != KEHU_OK)
			return rc;
		ctx->rec = rec->data;
		ctx->rec_len = rec->len;
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
	memset(&ctx, 0, sizeof ctx);
	ctx.items = items;
	if ((rc = kehu__view_seq_begin(db, &seq, now)) != KEHU_OK)
		return rc;
	for (slot = 0; slot < pop->nslots; slot++) {
		if (kehu__view_at(db, slot, &v) != 0)
			continue;
		rc = kehu__reval_prepare(db, r, pop, slot, now,
		                         r->pops[k].needs, &seq, &ctx, rec);
		if (rc == KEHU_OK) {
			s[*n].v = kehu__reval_node(&ctx, r->pops[k].arg);
			s[*n].id = v.id;
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
                      sample *s, size_t n)
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
		qsort(s, n, sizeof *s, by_value_then_id);
		/* nearest rank: the smallest value with at least q of the
		 * population at or below it */
		at = (size_t)ceil(p->param * (double)n);
		pop->consts[k] = s[at > 0 ? at - 1 : 0].v;
		return;
	case KEHU__P_NTILE:
		qsort(s, n, sizeof *s, by_value_then_id);
		for (i = 0; i < n; i++)
			pop->values[s[i].slot * r->npops + k] =
				floor((double)i * p->param / (double)n) + 1;
		return;
	default: /* rank: 1 is the largest */
		qsort(s, n, sizeof *s, by_value_desc_then_id);
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
	sample *s = NULL;
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
	if (!pop->consts || !pop->values || !items || !s)
		rc = kehu__db_nomem(db);
	for (k = 0; rc == KEHU_OK && k < r->npops; k++) {
		rc = collect(db, r, pop, k, now, items, s, &n, &rec);
		if (rc == KEHU_OK)
			summarise(r, pop, k, s, n);
	}
	kehu__free(a, items, (r->nitems + 1) * sizeof *items);
	kehu__free(a, s, (pop->nslots + 1) * sizeof *s);
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

	memset(&ctx, 0, sizeof ctx);
	ctx.items = items;
	rc = kehu__reval_prepare(db, r, pop, slot, now, r->needs, seq, &ctx,
	                         rec);
	if (rc == KEHU_OK)
		kehu__reval_items(&ctx);
	return rc;
}
