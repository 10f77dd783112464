/*
 * rules/jumps: a rule's condition as a jump program.  `a and b` becomes
 * "test a: if false, the condition is false; else test b", `a or b` the
 * mirror, `not a` swaps a's exits: so a condition is a chain of single
 * comparisons, each naming where to go on true and on false, evaluated
 * by a loop without recursion and without a call per `and`/`or` (the
 * walk over the tree spent most of a classification there).  Every
 * comparison of the tree is one step; anything else a condition tests
 * (has_tag, an `in` list, a boolean item) is a step "value != 0".  The
 * tree stays the definition: explaining still walks it, and
 * tests/rules/test_eval_paths checks both give the same labels.
 */
#include "rules/jumps.h"

#include <stdio.h>

#include "core/alloc.h"
#include "core/tuning.h"
#include "kehu/errors.h"
#include "rules/parser.h"

/* The step's test for a comparison operator; `!=` tests `==` with the
 * exits swapped (*swap set). */
static uint8_t step_test(uint8_t op, int *swap)
{
	*swap = op == KEHU__R_NE;
	switch (op) {
	case KEHU__R_LT: return KEHU__J_LT;
	case KEHU__R_LE: return KEHU__J_LE;
	case KEHU__R_GT: return KEHU__J_GT;
	case KEHU__R_GE: return KEHU__J_GE;
	default: return KEHU__J_EQ; /* EQ, NE */
	}
}

/* 1 and *v when the node is a written number or text. */
static int constant(const kehu_rules *r, int32_t node, double *v)
{
	if (r->nodes[node].op != KEHU__R_NUM &&
	    r->nodes[node].op != KEHU__R_STR)
		return 0;
	*v = r->nodes[node].v;
	return 1;
}

/*
 * Customers without tags or attributes have no record to read (most, in
 * a typical db): for has_tag and attr with a constant default, keep the
 * value they then have in the node's v, so a step reads it in place (the
 * evaluator's attr_value and has_tag give the same).
 */
static int record_free_value(kehu_rules *r, int32_t node)
{
	kehu__rnode *n = &r->nodes[node];

	if (n->op == KEHU__R_TAG) {
		n->v = 0;
		return 1;
	}
	if (n->op != KEHU__R_ATTR)
		return 0;
	if (n->b < 0) {
		n->v = kehu__rstring_find(r, "", 0);
		return 1;
	}
	return constant(r, n->b, &n->v);
}

static uint8_t operand_kind(kehu_rules *r, int32_t node)
{
	switch (r->nodes[node].op) {
	case KEHU__R_METRIC: return KEHU__J_METRIC;
	case KEHU__R_NUM:
	case KEHU__R_STR: return KEHU__J_CONST;
	case KEHU__R_ITEM: return KEHU__J_ITEM;
	case KEHU__R_FIELD: return KEHU__J_FIELD;
	default:
		return record_free_value(r, node) ? KEHU__J_RECORD
		                                  : KEHU__J_NODE;
	}
}

/* Where an operand of kind `kind` reads from: metric id, item, node. */
static int32_t operand_arg(const kehu_rules *r, int32_t node, uint8_t kind)
{
	return kind == KEHU__J_METRIC || kind == KEHU__J_ITEM
		? r->nodes[node].a : node;
}

static int32_t add_step(kehu_rules *r, kehu__rerror *e, int32_t node,
                        int32_t on_true, int32_t on_false)
{
	const kehu__rnode *n = &r->nodes[node];
	void *steps = r->jumps;
	kehu__rjump *j;
	int compare = n->op >= KEHU__R_EQ && n->op <= KEHU__R_GE &&
	              n->n != 1; /* n == 1: two attribute texts */
	int swap;

	if (kehu__grow(&r->alloc, &steps, &r->jumps_cap, r->njumps + 1,
	               sizeof *j)) {
		e->code = KEHU_ENOMEM;
		snprintf(e->msg, sizeof e->msg, "out of memory");
		return -1;
	}
	r->jumps = steps;
	j = &r->jumps[r->njumps];
	j->on_true = on_true;
	j->on_false = on_false;
	j->k = 0;
	if (!compare) { /* the node's value != 0: not == 0 */
		j->test = KEHU__J_EQ;
		j->on_true = on_false;
		j->on_false = on_true;
		j->left = record_free_value(r, node) ? KEHU__J_RECORD
		                                     : KEHU__J_NODE;
		j->a = node;
		j->right = KEHU__J_CONST;
		j->b = -1;
		return (int32_t)r->njumps++;
	}
	j->test = step_test(n->op, &swap);
	if (swap) {
		j->on_true = on_false;
		j->on_false = on_true;
	}
	j->left = operand_kind(r, n->a);
	j->a = operand_arg(r, n->a, j->left);
	j->right = operand_kind(r, n->b);
	j->b = operand_arg(r, n->b, j->right);
	if (j->right == KEHU__J_CONST)
		j->k = r->nodes[n->b].v;
	if (j->left == KEHU__J_CONST) /* rare: read it as a node */
		j->left = KEHU__J_NODE;
	return (int32_t)r->njumps++;
}

/* The entry step of node's test, going on to on_true or on_false. */
static int32_t emit(kehu_rules *r, kehu__rerror *e, int32_t node,
                    int32_t on_true, int32_t on_false)
{
	const kehu__rnode *n = &r->nodes[node];
	int32_t second;

	switch (n->op) {
	case KEHU__R_AND:
		if ((second = emit(r, e, n->b, on_true, on_false)) < 0)
			return -1;
		return emit(r, e, n->a, second, on_false);
	case KEHU__R_OR:
		if ((second = emit(r, e, n->b, on_true, on_false)) < 0)
			return -1;
		return emit(r, e, n->a, on_true, second);
	case KEHU__R_NOT:
		return emit(r, e, n->a, on_false, on_true);
	default:
		return add_step(r, e, node, on_true, on_false);
	}
}

int kehu__rjumps_build(kehu_rules *r, kehu__rerror *e)
{
	size_t i;

	if (!KEHU__FAST_PATHS)
		return 0; /* conditions are walked as trees */
	for (i = 0; i < r->nrules; i++) {
		kehu__rrule *rule = &r->rules[i];

		rule->jump = rule->cond < 0
			? -1
			: emit(r, e, rule->cond, KEHU__J_TRUE, KEHU__J_FALSE);
		if (rule->cond >= 0 && rule->jump < 0)
			return -1;
	}
	return 0;
}
