/*
 * rules/eval: evaluating a compiled rule set for one customer.  Reads
 * only the context (metrics as doubles, the customer's fields, its
 * record for attributes and tags, population values); never allocates,
 * never fails.
 */
#ifndef KEHU_RULES_EVAL_H
#define KEHU_RULES_EVAL_H

#include "codec/customer.h"
#include "kehu/metrics.h"
#include "rules/program.h"
#include "value/summaries.h"

/* One comparison seen while explaining. */
typedef struct kehu__rtrace_entry {
	int32_t node;
	double left;
	double right;
	int result;
} kehu__rtrace_entry;

typedef struct kehu__rtrace {
	kehu__rtrace_entry entries[64];
	size_t len;
} kehu__rtrace;

#define KEHU__REVAL_INDEXED 16 /* tags and attributes indexed per record */

typedef struct kehu__reval {
	const kehu_rules *r;
	double metrics[KEHU__METRIC_COUNT];
	double *items;                  /* per item, by item index */
	const uint8_t *rec;             /* encoded customer record (attributes
	                                   and tags), read in place; or NULL */
	size_t rec_len;
	/* rec's tags and attributes, indexed when a rule first reads one
	 * (several lookups then cost one decoding of the record):
	 * rec_index 0 not yet, 1 indexed, -1 more than fit or corrupt (each
	 * lookup reads rec itself) */
	int rec_index;
	size_t ntags, nattrs;
	struct {
		const char *s;
		size_t len;
	} tags[KEHU__REVAL_INDEXED];
	struct {
		const char *name; /* NULL: unnamed (corrupt), matches nothing */
		size_t len;
		kehu__attr_view v;
	} attrs[KEHU__REVAL_INDEXED];
	int32_t kind, relation, status; /* KEHU_* values */
	const double *pop_const;        /* per population function */
	const double *pop_value;        /* per population function: this
	                                   customer's ntile or rank */
	kehu__rtrace *trace;            /* explaining: record comparisons */
	kehu__value_history value;      /* value functions: the purchase
	                                   history as of now (has_value) */
	int has_value;
	uint32_t gen;                   /* this customer's evaluation */
	uint32_t item_gen[KEHU_MAX_RULES_ITEMS + 1]; /* items[i] is for this
	                                   customer when item_gen[i] == gen */
	/* set by kehu__reval_begin when it knows every metric r reads: only
	 * those are converted per customer (0 after a memset: all are) */
	int plan;
	size_t nused;
	size_t nints;   /* used[0 .. nints) are plain integers */
	struct {
		uint8_t id;     /* metric id */
		uint8_t kind;   /* how it is read from kehu_metrics */
		uint16_t offset;
	} used[KEHU__METRIC_COUNT];
} kehu__reval;

void kehu__metrics_to_values(const kehu_metrics *m, double *out);

/* Prepares ctx to evaluate r for many customers (items: nitems + 1
 * doubles, kept by the caller): finds the metrics r reads once. */
void kehu__reval_begin(kehu__reval *ctx, const kehu_rules *r,
                       double *items);
/* The metrics of the customer being evaluated: ctx->metrics from m
 * (with a plan, only those r reads; the same values either way). */
void kehu__reval_set_metrics(kehu__reval *ctx, const kehu_metrics *m);

double kehu__reval_node(kehu__reval *ctx, int32_t node);
/* Starts a new customer: items are computed again, on demand. */
void kehu__reval_next_customer(kehu__reval *ctx);
/* Item `item` (and what it depends on) for this customer: computed once
 * per customer, on first use. */
double kehu__reval_item(kehu__reval *ctx, int32_t item);
/* Evaluates every item into ctx->items. */
void kehu__reval_items(kehu__reval *ctx);
/* The label id a classification gives (rules evaluated in order). */
double kehu__reval_classify(kehu__reval *ctx, const kehu__ritem *it);

#endif
