/*
 * rules/eval: the evaluator: a walk over the flat, typed node array.
 * Defined results instead of failures: division by zero gives 0, log of
 * a non-positive number 0, and any non-finite arithmetic result 0.
 */
#include "rules/eval.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "core/tuning.h"
#include "kehu/customer.h"
#include "rules/parser.h"
#include "rules/value_fns.h"

static double item_value(kehu__reval *ctx, int32_t item);

/* Most operands are a metric or a constant: read those in place rather
 * than through another call of the walk (the evaluator's hot path). */
static inline double operand(kehu__reval *ctx, int32_t node)
{
	const kehu__rnode *n = &ctx->r->nodes[node];

	if (n->op == KEHU__R_METRIC)
		return ctx->metrics[n->a];
	if (n->op == KEHU__R_NUM || n->op == KEHU__R_STR)
		return n->v;
	if (n->op == KEHU__R_ITEM && ctx->item_gen[n->a] == ctx->gen)
		return ctx->items[n->a];
	return kehu__reval_node(ctx, node);
}

static double finite_or_zero(double x)
{
	return isfinite(x) ? x : 0.0;
}

/* Indexes one tag (attr NULL) or attribute of the record; 1 (stop) when
 * the index is full. */
static int index_section(void *vctx, const char *name, size_t len,
                         const kehu__attr_view *attr)
{
	kehu__reval *ctx = vctx;

	if (!attr) {
		if (ctx->ntags == KEHU__REVAL_INDEXED)
			return 1;
		ctx->tags[ctx->ntags].s = name;
		ctx->tags[ctx->ntags++].len = len;
		return 0;
	}
	if (ctx->nattrs == KEHU__REVAL_INDEXED)
		return 1;
	ctx->attrs[ctx->nattrs].name = name;
	ctx->attrs[ctx->nattrs].len = len;
	ctx->attrs[ctx->nattrs++].v = *attr;
	return 0;
}

static int indexed(kehu__reval *ctx)
{
	if (!KEHU__FAST_PATHS)
		return 0;
	if (ctx->rec_index == 0) {
		ctx->ntags = ctx->nattrs = 0;
		ctx->rec_index = kehu__customer_rec_each_section(
			ctx->rec, ctx->rec_len, index_section, ctx) == 0
			? 1 : -1;
	}
	return ctx->rec_index > 0;
}

/* Attribute `name` of the customer's record: 1 and *v, or 0. */
static int find_attr(kehu__reval *ctx, const char *name,
                     kehu__attr_view *v)
{
	size_t i, len;

	if (!ctx->rec)
		return 0;
	if (!indexed(ctx))
		return kehu__customer_rec_find_attr(ctx->rec, ctx->rec_len,
		                                    name, v);
	len = strlen(name);
	for (i = 0; i < ctx->nattrs; i++)
		if (ctx->attrs[i].name && ctx->attrs[i].len == len &&
		    memcmp(ctx->attrs[i].name, name, len) == 0) {
			*v = ctx->attrs[i].v;
			return 1;
		}
	return 0;
}

/* Strings the rule set does not know read as -1 (equal to nothing the
 * rules can write). */
static double attr_value(kehu__reval *ctx, const kehu__rnode *n)
{
	kehu__attr_view v;
	int32_t want = n->type;

	if (!find_attr(ctx, ctx->r->strings[n->a], &v))
		goto missing;
	if (v.type == KEHU_ATTR_STRING) {
		if (want != KEHU__T_STR)
			goto missing;
		return kehu__rstring_find(ctx->r, v.s, v.slen);
	}
	if (want == KEHU__T_STR)
		goto missing;
	return v.type == KEHU_ATTR_NUMBER ? v.d : (double)v.i;
missing:
	if (n->b >= 0)
		return kehu__reval_node(ctx, n->b);
	return kehu__rstring_find(ctx->r, "", 0);
}

static double has_tag(kehu__reval *ctx, const kehu__rnode *n)
{
	const char *tag = ctx->r->strings[n->a];
	size_t i, len;

	if (!ctx->rec)
		return 0;
	if (!indexed(ctx))
		return kehu__customer_rec_has_tag(ctx->rec, ctx->rec_len, tag);
	len = strlen(tag);
	for (i = 0; i < ctx->ntags; i++)
		if (ctx->tags[i].len == len &&
		    memcmp(ctx->tags[i].s, tag, len) == 0)
			return 1;
	return 0;
}

/* kind, relation, status as the interned ids the compiler reserved */
static double field_value(const kehu__reval *ctx, int32_t field)
{
	switch (field) {
	case KEHU__FIELD_KIND: return ctx->kind - 1;
	case KEHU__FIELD_RELATION: return 1 + ctx->relation;
	default: return 5 + ctx->status;
	}
}

static double call(kehu__reval *ctx, const kehu__rnode *n)
{
	const int32_t *k = &ctx->r->kids[n->b];
	double x = kehu__reval_node(ctx, k[0]), y, p;
	int i;

	switch (n->a) {
	case KEHU__F_MIN:
	case KEHU__F_MAX:
		for (i = 1; i < n->n; i++) {
			y = kehu__reval_node(ctx, k[i]);
			if (n->a == KEHU__F_MIN ? y < x : y > x)
				x = y;
		}
		return x;
	case KEHU__F_ABS: return fabs(x);
	case KEHU__F_CLAMP:
		y = kehu__reval_node(ctx, k[1]);
		p = kehu__reval_node(ctx, k[2]);
		return x < y ? y : x > p ? p : x;
	case KEHU__F_ROUND:
		p = n->n > 1 ? pow(10.0, floor(kehu__reval_node(ctx, k[1])))
		             : 1.0;
		return finite_or_zero(round(x * p) / p);
	case KEHU__F_LOG: return x > 0 ? log(x) : 0.0;
	case KEHU__F_EXP: return finite_or_zero(exp(x));
	case KEHU__F_POW:
		return finite_or_zero(pow(x, kehu__reval_node(ctx, k[1])));
	default: return x; /* days(n) is n days */
	}
}

static double in_list(kehu__reval *ctx, const kehu__rnode *n)
{
	double x = kehu__reval_node(ctx, n->a);
	int i;

	for (i = 0; i < n->n; i++)
		if (ctx->r->nodes[ctx->r->kids[n->b + i]].v == x)
			return 1.0;
	return 0.0;
}

/* The text of a string attribute (or its default), in place. */
static void attr_text(kehu__reval *ctx, const kehu__rnode *n,
                      const char **s, size_t *len)
{
	kehu__attr_view v;
	double id;

	if (find_attr(ctx, ctx->r->strings[n->a], &v) &&
	    v.type == KEHU_ATTR_STRING) {
		*s = v.s;
		*len = v.slen;
		return;
	}
	id = n->b >= 0 ? kehu__reval_node(ctx, n->b) : -1;
	*s = id >= 0 ? ctx->r->strings[(size_t)id] : "";
	*len = strlen(*s);
}

/* attr("a") == attr("b"): by bytes, since texts the rules do not name
 * have no id of their own. */
static int same_text(kehu__reval *ctx, const kehu__rnode *n)
{
	const char *a, *b;
	size_t la, lb;

	attr_text(ctx, &ctx->r->nodes[n->a], &a, &la);
	attr_text(ctx, &ctx->r->nodes[n->b], &b, &lb);
	return la == lb && memcmp(a, b, la) == 0;
}

static double compare(kehu__reval *ctx, int32_t node, const kehu__rnode *n)
{
	double x = operand(ctx, n->a);
	double y = operand(ctx, n->b);
	int r;

	if (n->n == 1) { /* two attribute texts */
		r = same_text(ctx, n) == (n->op == KEHU__R_EQ);
		goto traced;
	}
	switch (n->op) {
	case KEHU__R_EQ: r = x == y; break;
	case KEHU__R_NE: r = x != y; break;
	case KEHU__R_LT: r = x < y; break;
	case KEHU__R_LE: r = x <= y; break;
	case KEHU__R_GT: r = x > y; break;
	default: r = x >= y; break;
	}
traced:
	if (ctx->trace && ctx->trace->len < 64) {
		kehu__rtrace_entry *e = &ctx->trace->entries[ctx->trace->len++];

		e->node = node;
		e->left = x;
		e->right = y;
		e->result = r;
	}
	return r;
}

static double arith(kehu__reval *ctx, const kehu__rnode *n)
{
	double x = operand(ctx, n->a);
	double y = operand(ctx, n->b);

	switch (n->op) {
	case KEHU__R_ADD: return finite_or_zero(x + y);
	case KEHU__R_SUB: return finite_or_zero(x - y);
	case KEHU__R_MUL:
		/* money * number stays in whole minor units */
		return finite_or_zero(n->type == KEHU__T_MONEY ? round(x * y)
		                                               : x * y);
	case KEHU__R_DIV:
		if (y == 0)
			return 0.0;
		return finite_or_zero(n->type == KEHU__T_MONEY ? round(x / y)
		                                               : x / y);
	default:
		return y == 0 ? 0.0 : finite_or_zero(fmod(x, y));
	}
}

double kehu__reval_node(kehu__reval *ctx, int32_t node)
{
	const kehu__rnode *n = &ctx->r->nodes[node];

	switch (n->op) {
	case KEHU__R_NUM:
	case KEHU__R_STR: return n->v;
	case KEHU__R_METRIC: return ctx->metrics[n->a];
	case KEHU__R_ITEM: return item_value(ctx, n->a);
	case KEHU__R_ATTR: return attr_value(ctx, n);
	case KEHU__R_TAG: return has_tag(ctx, n);
	case KEHU__R_FIELD: return field_value(ctx, n->a);
	case KEHU__R_NEG: return finite_or_zero(-kehu__reval_node(ctx, n->a));
	case KEHU__R_AND:
		return operand(ctx, n->a) != 0 && operand(ctx, n->b) != 0;
	case KEHU__R_OR:
		return operand(ctx, n->a) != 0 || operand(ctx, n->b) != 0;
	case KEHU__R_NOT: return operand(ctx, n->a) == 0;
	case KEHU__R_IN: return in_list(ctx, n);
	case KEHU__R_CALL: return call(ctx, n);
	case KEHU__R_POP:
		return ctx->r->pops[n->a].fn == KEHU__P_NTILE ||
		               ctx->r->pops[n->a].fn == KEHU__P_RANK
		       ? ctx->pop_value[n->a]
		       : ctx->pop_const[n->a];
	case KEHU__R_SCALE: return kehu__reval_node(ctx, n->a) / n->v;
	case KEHU__R_VALUE: return kehu__reval_value(ctx, n);
	case KEHU__R_EQ: case KEHU__R_NE: case KEHU__R_LT:
	case KEHU__R_LE: case KEHU__R_GT: case KEHU__R_GE:
		return compare(ctx, node, n);
	default:
		return arith(ctx, n);
	}
}

/* An operand of a jump step (program.h): metrics, earlier items,
 * fields and what a customer without a record reads in place, anything
 * else through the walk. */
static inline double jump_operand(kehu__reval *ctx, uint8_t kind,
                                  int32_t arg)
{
	if (kind == KEHU__J_METRIC)
		return ctx->metrics[arg];
	if (kind == KEHU__J_ITEM)
		return ctx->item_gen[arg] == ctx->gen ? ctx->items[arg]
		                                      : item_value(ctx, arg);
	if (kind == KEHU__J_RECORD && !ctx->rec)
		return ctx->r->nodes[arg].v;
	if (kind == KEHU__J_FIELD)
		return field_value(ctx, ctx->r->nodes[arg].a);
	return kehu__reval_node(ctx, arg);
}

/*
 * Whether a rule's condition holds: its jump program (rules/jumps.c)
 * from step pc.  It gives what the walk over the tree gives, which
 * explaining still uses (it records each comparison).  The switch on the
 * test costs fewer instructions than reading all three outcomes of a
 * comparison through a mask (measured: 6% of the default pack's).
 */
/*
 * Most customers take the same way through a condition, so a predicted
 * branch to the next step beats a conditional move, which makes every
 * step wait for the one before (measured: 10% of the default pack).
 * Compilers turn this `if` into a conditional move unless one side has
 * an effect they cannot move; an empty asm statement is such an effect.
 */
#if defined(__GNUC__)
#define KEEP_BRANCH() __asm__ volatile("")
#else
#define KEEP_BRANCH() ((void)0)
#endif

static int holds(kehu__reval *ctx, int32_t pc)
{
	const kehu__rjump *steps = ctx->r->jumps;

	while (pc >= 0) {
		const kehu__rjump *j = &steps[pc];
		double x = jump_operand(ctx, j->left, j->a);
		double y = j->right == KEHU__J_CONST
			? j->k : jump_operand(ctx, j->right, j->b);
		int t;

		switch (j->test) {
		case KEHU__J_LT: t = x < y; break;
		case KEHU__J_LE: t = x <= y; break;
		case KEHU__J_EQ: t = x == y; break;
		case KEHU__J_GT: t = x > y; break;
		default: t = x >= y; break;
		}
		if (t) {
			pc = j->on_true;
			KEEP_BRANCH();
		} else {
			pc = j->on_false;
		}
	}
	return pc == KEHU__J_TRUE;
}

/* The parser puts the `else` rule last: the others are tested in order,
 * by their jump programs, or by walking their trees when explaining. */
double kehu__reval_classify(kehu__reval *ctx, const kehu__ritem *it)
{
	const kehu__rrule *rule = &ctx->r->rules[it->first_rule];
	const kehu__rrule *last = rule + it->nrules - 1;

	if (ctx->trace || !KEHU__FAST_PATHS) {
		for (; rule < last; rule++)
			if (kehu__reval_node(ctx, rule->cond) != 0)
				return rule->label;
		return last->label;
	}
	for (; rule < last; rule++)
		if (holds(ctx, rule->jump))
			return rule->label;
	return last->label;
}

/* Items are computed when first needed for a customer (a population
 * pre-pass computes only what its argument reads), then remembered. */
static inline double item_value(kehu__reval *ctx, int32_t item)
{
	const kehu__ritem *it = &ctx->r->items[item];

	if (ctx->item_gen[item] != ctx->gen) {
		ctx->items[item] = it->kind == KEHU__ITEM_CLASSIFY
			? kehu__reval_classify(ctx, it)
			: kehu__reval_node(ctx, it->expr);
		ctx->item_gen[item] = ctx->gen;
	}
	return ctx->items[item];
}

void kehu__reval_next_customer(kehu__reval *ctx)
{
	if (++ctx->gen == 0) {
		memset(ctx->item_gen, 0, sizeof ctx->item_gen);
		ctx->gen = 1;
	}
}

double kehu__reval_item(kehu__reval *ctx, int32_t item)
{
	return item_value(ctx, item);
}

void kehu__reval_items(kehu__reval *ctx)
{
	size_t i;

	for (i = 0; i < ctx->r->norder; i++)
		item_value(ctx, ctx->r->order[i]);
}

/* ---- metrics per customer ---------------------------------------------- */

/*
 * Converting all of kehu_metrics to doubles (kehu__metrics_to_values)
 * costs more per customer than a typical classification, which reads a
 * handful of metrics.  So a run converts only the metrics its rule set
 * reads, each located through the metric table of names.c (one
 * definition); tests/rules/test_eval_paths checks that both ways agree
 * on every metric.
 */
enum { MK_INT, MK_DOUBLE, MK_DAYS_PURCHASE, MK_DAYS_CONTACT };

void kehu__reval_begin(kehu__reval *ctx, const kehu_rules *r,
                       double *items)
{
	const size_t gen_at = offsetof(kehu__reval, item_gen);
	const size_t gen_end = gen_at + sizeof ctx->item_gen;
	uint8_t seen[KEHU__METRIC_COUNT] = {0};
	size_t i;

	/* everything zero as after a memset, but of item_gen (sized for
	 * the largest rule set) only the part r uses */
	memset(ctx, 0, gen_at);
	memset((char *)ctx + gen_end, 0, sizeof *ctx - gen_end);
	memset(ctx->item_gen, 0, (r->nitems + 1) * sizeof ctx->item_gen[0]);
	ctx->r = r;
	ctx->items = items;
	ctx->plan = 1;
	ctx->nused = 0;
	ctx->nints = 0;
	for (i = 0; i < r->nnodes; i++) {
		const kehu__rnode *n = &r->nodes[i];
		uint16_t offset;
		uint8_t flags, kind;

		if (n->op != KEHU__R_METRIC || seen[n->a])
			continue;
		seen[n->a] = 1;
		kehu__metric_field(n->a, &offset, &flags);
		kind = flags & KEHU__METRIC_DOUBLE ? MK_DOUBLE
		     : flags & KEHU__METRIC_DAYS_PURCHASE ? MK_DAYS_PURCHASE
		     : flags & KEHU__METRIC_DAYS_CONTACT ? MK_DAYS_CONTACT
		                                         : MK_INT;
		ctx->used[ctx->nused].id = (uint8_t)n->a;
		ctx->used[ctx->nused].kind = kind;
		ctx->used[ctx->nused].offset = offset;
		if (kind == MK_INT) {
			/* plain integers first: converted without a test */
			ctx->used[ctx->nused] = ctx->used[ctx->nints];
			ctx->used[ctx->nints].id = (uint8_t)n->a;
			ctx->used[ctx->nints].kind = kind;
			ctx->used[ctx->nints].offset = offset;
			ctx->nints++;
		}
		ctx->nused++;
	}
}

void kehu__reval_set_metrics(kehu__reval *ctx, const kehu_metrics *m)
{
	const unsigned char *base = (const unsigned char *)m;
	size_t i;

	if (!ctx->plan) {
		kehu__metrics_to_values(m, ctx->metrics);
		return;
	}
	for (i = 0; i < ctx->nints; i++) {
		int64_t v;

		memcpy(&v, base + ctx->used[i].offset, sizeof v);
		ctx->metrics[ctx->used[i].id] = (double)v;
	}
	for (; i < ctx->nused; i++) {
		int64_t v;
		double x;

		if (ctx->used[i].kind == MK_DOUBLE) {
			memcpy(&x, base + ctx->used[i].offset, sizeof x);
		} else {
			memcpy(&v, base + ctx->used[i].offset, sizeof v);
			/* "no such event" is never: infinitely many days ago */
			x = (ctx->used[i].kind == MK_DAYS_PURCHASE &&
			     m->first_purchase < 0) ||
			    (ctx->used[i].kind == MK_DAYS_CONTACT &&
			     m->last_contact < 0)
				? HUGE_VAL : (double)v;
		}
		ctx->metrics[ctx->used[i].id] = x;
	}
}
