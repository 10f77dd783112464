/*
 * rules/resolve: name resolution, type checking and item ordering (see
 * resolve.h).  Messages are written for the business user who edits the
 * rules, and point at the offending token.
 */
#include "rules/resolve.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "kehu/errors.h"
#include "model/db.h"

typedef struct resolver {
	kehu_rules *r;
	kehu__rerror *e;
	uint8_t needs; /* of the expression being resolved */
	uint8_t arg_needs; /* of the last call's arguments */
} resolver;

static int32_t resolve_node(resolver *rs, int32_t n);

#define NODE(rs, n) (&(rs)->r->nodes[(n)])

static const char *type_name(uint8_t t)
{
	switch (t) {
	case KEHU__T_MONEY: return "money";
	case KEHU__T_BOOL: return "true/false";
	case KEHU__T_STR: return "text";
	default: return "a number";
	}
}

static int fail(resolver *rs, int32_t n, const char *msg)
{
	return kehu__rerror_set(rs->e, NODE(rs, n)->line, NODE(rs, n)->col,
	                        msg);
}

static int fail_types(resolver *rs, int32_t at, const char *what,
                      uint8_t t1, uint8_t t2)
{
	char msg[160];

	snprintf(msg, sizeof msg, "%s %s and %s", what, type_name(t1),
	         type_name(t2));
	return fail(rs, at, msg);
}

static int fail_name(resolver *rs, int32_t n, const char *a, const char *c)
{
	kehu__rnode *node = NODE(rs, n);

	return kehu__rerror_set3(rs->e, node->line, node->col, a,
	                         rs->r->source + node->start,
	                         node->op == KEHU__R_FUNC ? (size_t)node->v
	                                                  : node->len,
	                         c);
}

/* ---- literals and coercion ------------------------------------------- */

static double pow10i(int32_t k)
{
	double x = 1.0;

	while (k-- > 0)
		x *= 10.0;
	return x;
}

static int32_t coerce(resolver *rs, int32_t n, uint8_t to);

/* A copy of node n (its children shared until coerced). */
static int32_t clone(resolver *rs, int32_t n)
{
	kehu__rnode copy = *NODE(rs, n);
	int32_t c = kehu__rnode_add(rs->r, rs->e, copy.op, copy.line,
	                            copy.col);

	if (c >= 0)
		*NODE(rs, c) = copy;
	return c;
}

static int32_t coerce_literal(resolver *rs, int32_t n, uint8_t to)
{
	int32_t c;
	kehu__rnode *lit = NODE(rs, n);

	if (to == KEHU__T_MONEY && lit->a > rs->r->currency_exponent)
		return fail(rs, n, "this amount has more decimals than the "
		                   "currency has");
	if ((c = clone(rs, n)) < 0)
		return -1;
	lit = NODE(rs, c);
	lit->v = to == KEHU__T_MONEY
		? lit->v * pow10i(rs->r->currency_exponent - lit->a)
		: lit->v / pow10i(lit->a);
	lit->a = 0;
	lit->type = to;
	return c;
}

/*
 * Gives an expression of written numbers (type LIT: "2 * 60.00",
 * "-5", "purchases * 1.50") its kind by use: money (literals become
 * exact minor units) or a plain number.  Works on copies: a constant
 * may be used as money in one place and as a number in another.
 */
static int32_t coerce(resolver *rs, int32_t n, uint8_t to)
{
	int32_t c, x, y;
	uint8_t op;

	if (n < 0 || NODE(rs, n)->type != KEHU__T_LIT)
		return n;
	op = NODE(rs, n)->op;
	if (op == KEHU__R_NUM)
		return coerce_literal(rs, n, to);
	x = NODE(rs, n)->a;
	y = NODE(rs, n)->b;
	if (op == KEHU__R_NEG)
		x = coerce(rs, x, to);
	else if (op == KEHU__R_ADD || op == KEHU__R_SUB)
		x = coerce(rs, x, to), y = x < 0 ? -1 : coerce(rs, y, to);
	else if (op == KEHU__R_MUL && NODE(rs, x)->type != KEHU__T_LIT)
		y = coerce(rs, y, to);
	else /* DIV, or MUL with a literal on the left: the left side
	      * (the numerator) takes the kind */
		x = coerce(rs, x, to), y = x < 0 ? -1 : coerce(rs, y, KEHU__T_NUM);
	if (x < 0 || (op != KEHU__R_NEG && y < 0) || (c = clone(rs, n)) < 0)
		return -1;
	NODE(rs, c)->a = x;
	NODE(rs, c)->b = op == KEHU__R_NEG ? NODE(rs, c)->b : y;
	NODE(rs, c)->type = to;
	return c;
}

static int is_numeric(uint8_t t)
{
	return t == KEHU__T_LIT || t == KEHU__T_NUM || t == KEHU__T_MONEY;
}

/* Brings two numeric operands to one kind; returns it or -1. */
static int unify(resolver *rs, int32_t at, int32_t *x, int32_t *y,
                 const char *what)
{
	uint8_t tx = NODE(rs, *x)->type, ty = NODE(rs, *y)->type, to;

	if (!is_numeric(tx) || !is_numeric(ty))
		return fail_types(rs, at, what, tx, ty);
	if (tx == KEHU__T_LIT && ty == KEHU__T_LIT)
		to = KEHU__T_NUM;
	else if (tx != KEHU__T_LIT && ty != KEHU__T_LIT && tx != ty)
		return fail_types(rs, at, what, tx, ty);
	else
		to = tx == KEHU__T_LIT ? ty : tx;
	if ((*x = coerce(rs, *x, to)) < 0 || (*y = coerce(rs, *y, to)) < 0)
		return -1;
	return to;
}

/* Money as a plain number of major units (for log, pow, ...). */
static int32_t as_number(resolver *rs, int32_t n)
{
	int32_t s;

	if (NODE(rs, n)->type == KEHU__T_LIT)
		return coerce(rs, n, KEHU__T_NUM);
	if (NODE(rs, n)->type != KEHU__T_MONEY)
		return n;
	if ((s = kehu__rnode_add(rs->r, rs->e, KEHU__R_SCALE, NODE(rs, n)->line,
	                         NODE(rs, n)->col)) < 0)
		return -1;
	*NODE(rs, s) = *NODE(rs, n);
	NODE(rs, s)->op = KEHU__R_SCALE;
	NODE(rs, s)->type = KEHU__T_NUM;
	NODE(rs, s)->a = n;
	NODE(rs, s)->v = rs->r->money_scale;
	return s;
}

/* ---- operators -------------------------------------------------------- */

/* money / number, money / money, written / money, number / number */
static int div_type(resolver *rs, int32_t n, int32_t *x, int32_t *y,
                    uint8_t tx, uint8_t ty)
{
	if (tx == KEHU__T_MONEY && ty == KEHU__T_MONEY)
		return KEHU__T_NUM;
	if (tx == KEHU__T_MONEY)
		return (*y = coerce(rs, *y, KEHU__T_NUM)) < 0 ? -1
		                                             : KEHU__T_MONEY;
	if (ty == KEHU__T_MONEY) {
		if (tx != KEHU__T_LIT)
			return fail(rs, n, "cannot divide a number by money");
		return (*x = coerce(rs, *x, KEHU__T_MONEY)) < 0 ? -1
		                                                : KEHU__T_NUM;
	}
	if (tx == KEHU__T_LIT)
		return (*y = coerce(rs, *y, KEHU__T_NUM)) < 0 ? -1
		                                             : KEHU__T_LIT;
	if ((*y = coerce(rs, *y, KEHU__T_NUM)) < 0)
		return -1;
	return KEHU__T_NUM;
}

static int mul_type(resolver *rs, int32_t n, int32_t *x, int32_t *y,
                    uint8_t tx, uint8_t ty)
{
	if (tx == KEHU__T_MONEY && ty == KEHU__T_MONEY)
		return fail(rs, n, "cannot multiply money by money");
	if (tx == KEHU__T_MONEY || ty == KEHU__T_MONEY) {
		if ((*x = coerce(rs, *x, KEHU__T_NUM)) < 0 ||
		    (*y = coerce(rs, *y, KEHU__T_NUM)) < 0)
			return -1;
		return KEHU__T_MONEY;
	}
	/* a count times a written amount may still become money */
	return tx == KEHU__T_LIT || ty == KEHU__T_LIT ? KEHU__T_LIT
	                                              : KEHU__T_NUM;
}

static int32_t resolve_arith(resolver *rs, int32_t n)
{
	kehu__rnode *node = NODE(rs, n);
	int32_t x = node->a, y = node->b;
	uint8_t op = node->op, tx, ty;
	int t;

	tx = NODE(rs, x)->type;
	ty = NODE(rs, y)->type;
	if (!is_numeric(tx) || !is_numeric(ty))
		return fail_types(rs, n, "cannot calculate with", tx, ty);
	if (op == KEHU__R_MUL)
		t = mul_type(rs, n, &x, &y, tx, ty);
	else if (op == KEHU__R_DIV)
		t = div_type(rs, n, &x, &y, tx, ty);
	else if ((op == KEHU__R_ADD || op == KEHU__R_SUB) &&
	         tx == KEHU__T_LIT && ty == KEHU__T_LIT)
		t = KEHU__T_LIT;
	else
		t = unify(rs, n, &x, &y, op == KEHU__R_MOD
		                         ? "cannot take the remainder of"
		                         : "cannot add or subtract");
	if (t < 0)
		return -1;
	node = NODE(rs, n);
	node->a = x;
	node->b = y;
	node->type = (uint8_t)t;
	return n;
}

static int32_t resolve_compare(resolver *rs, int32_t n)
{
	kehu__rnode *node = NODE(rs, n);
	int32_t x = node->a, y = node->b;
	uint8_t tx = NODE(rs, x)->type, ty = NODE(rs, y)->type;
	int eq = node->op == KEHU__R_EQ || node->op == KEHU__R_NE;

	if (is_numeric(tx) && is_numeric(ty)) {
		if (unify(rs, n, &x, &y, "cannot compare") < 0)
			return -1;
	} else if (tx != ty) {
		return fail_types(rs, n, "cannot compare", tx, ty);
	} else if (!eq) {
		return fail(rs, n, "text and true/false can only be compared "
		                   "with == or !=");
	} else if (tx == KEHU__T_STR && NODE(rs, x)->op == KEHU__R_ATTR &&
	           NODE(rs, y)->op == KEHU__R_ATTR) {
		/* texts the rules do not name all read as -1: compare the
		 * attributes' bytes instead (see eval.c) */
		NODE(rs, n)->n = 1;
	}
	node = NODE(rs, n);
	node->a = x;
	node->b = y;
	node->type = KEHU__T_BOOL;
	return n;
}

static int32_t resolve_logic(resolver *rs, int32_t n)
{
	kehu__rnode *node = NODE(rs, n);

	if (NODE(rs, node->a)->type != KEHU__T_BOOL ||
	    (node->op != KEHU__R_NOT &&
	     NODE(rs, node->b)->type != KEHU__T_BOOL))
		return fail(rs, n, "'and', 'or' and 'not' need true/false "
		                   "on both sides (a comparison)");
	node->type = KEHU__T_BOOL;
	return n;
}

static int32_t resolve_in(resolver *rs, int32_t n)
{
	kehu__rnode *node = NODE(rs, n);
	int32_t left = node->a, k, item;
	uint8_t t = NODE(rs, left)->type;

	if (t == KEHU__T_LIT)
		t = KEHU__T_NUM;
	if (t != KEHU__T_STR && !is_numeric(t))
		return fail(rs, n, "'in' needs text or a number on its left");
	if ((left = coerce(rs, left, t)) < 0)
		return -1;
	for (k = 0; k < NODE(rs, n)->n; k++) {
		item = rs->r->kids[NODE(rs, n)->b + k];
		if ((NODE(rs, item)->op != KEHU__R_NUM &&
		     NODE(rs, item)->op != KEHU__R_STR))
			return fail(rs, item, "an 'in' list holds written "
			                      "values only");
		if (NODE(rs, item)->type == KEHU__T_LIT)
			item = coerce(rs, item, t);
		if (item < 0)
			return -1;
		if (NODE(rs, item)->type != t)
			return fail_types(rs, item, "an 'in' list mixes",
			                  t, NODE(rs, item)->type);
		rs->r->kids[NODE(rs, n)->b + k] = item;
	}
	node = NODE(rs, n);
	node->a = left;
	node->type = KEHU__T_BOOL;
	return n;
}

/* ---- names ------------------------------------------------------------ */

static int same(const kehu_rules *r, uint32_t s1, size_t l1, uint32_t s2,
                size_t l2)
{
	return l1 == l2 && memcmp(r->source + s1, r->source + s2, l1) == 0;
}

static int32_t find_item(const kehu_rules *r, uint32_t start, size_t len)
{
	size_t i;

	for (i = 0; i < r->nitems; i++)
		if (same(r, r->items[i].name_start, r->items[i].name_len,
		         start, len))
			return (int32_t)i;
	return -1;
}

static int resolve_item(resolver *rs, int32_t item);

static int32_t resolve_field(resolver *rs, int32_t n)
{
	static const char fields[][9] = {"kind", "relation", "status"};
	kehu__rnode *node = NODE(rs, n);
	int i;

	for (i = 0; i < 3; i++) {
		if (strlen(fields[i]) == node->len &&
		    memcmp(rs->r->source + node->start, fields[i],
		           node->len) == 0) {
			node->op = KEHU__R_FIELD;
			node->type = KEHU__T_STR;
			node->a = i;
			return n;
		}
	}
	return fail_name(rs, n, "unknown name '",
	                 "' (not a metric, field, constant, score or "
	                 "classification)");
}

/* ---- value-model functions ---------------------------------------------- */

static int32_t arg(resolver *rs, int32_t n, int k);

/* p_alive and expected_spend read like metrics; the other two are calls */
static int value_name(const char *name, size_t len)
{
	if (len == 7 && memcmp(name, "p_alive", 7) == 0)
		return KEHU__V_P_ALIVE;
	if (len == 14 && memcmp(name, "expected_spend", 14) == 0)
		return KEHU__V_EXPECTED_SPEND;
	return -1;
}

static const char value_names[][19] = {"p_alive", "expected_purchases",
                                       "expected_spend", "clv"};

/*
 * They are evaluated with the db's current models: without them the
 * rule set cannot mean anything, so it does not compile (rather than
 * give a silent 0).
 */
static int32_t resolve_value(resolver *rs, int32_t n, int fn)
{
	const kehu_db *db = rs->r->db;
	int spend = fn == KEHU__V_EXPECTED_SPEND || fn == KEHU__V_CLV;
	char msg[240];
	int k;

	if (!db->purchase_model || (spend && !db->spend_model)) {
		snprintf(msg, sizeof msg, "%s needs the db's value models: "
		         "fit a purchase model (BG/NBD or Pareto/NBD)%s and "
		         "call kehu_db_set_value_models first",
		         value_names[fn],
		         spend ? " and a spend model (Gamma-Gamma)" : "");
		return fail(rs, n, msg);
	}
	for (k = 0; k < NODE(rs, n)->n; k++) {
		int32_t a = arg(rs, n, k);

		if (!is_numeric(NODE(rs, a)->type))
			return fail(rs, a,
			            k ? "the discount rate is a number (0.10 "
			                "for 10% a year)"
			              : "the horizon is a number of days");
		if ((a = as_number(rs, a)) < 0)
			return -1;
		rs->r->kids[NODE(rs, n)->b + k] = a;
	}
	NODE(rs, n)->op = KEHU__R_VALUE;
	NODE(rs, n)->a = fn;
	NODE(rs, n)->type = spend ? KEHU__T_MONEY : KEHU__T_NUM;
	rs->needs |= KEHU__NEEDS_VALUE | (spend ? KEHU__NEEDS_SPEND : 0);
	return n;
}

static int32_t resolve_name(resolver *rs, int32_t n)
{
	kehu__rnode *node = NODE(rs, n);
	int32_t item = find_item(rs->r, node->start, node->len);
	uint8_t type;
	int metric;

	if (item >= 0) {
		kehu__ritem *it;

		if (resolve_item(rs, item) < 0)
			return -1;
		it = &rs->r->items[item];
		rs->needs |= it->needs;
		node = NODE(rs, n);
		if (it->kind == KEHU__ITEM_LET) {
			/* a constant: its value, shown under its name */
			uint32_t start = node->start, len = node->len;

			*node = *NODE(rs, it->expr);
			node->start = start;
			node->len = len;
			return n;
		}
		node->op = KEHU__R_ITEM;
		node->a = item;
		node->type = it->type;
		return n;
	}
	metric = kehu__metric_lookup(rs->r->source + node->start, node->len,
	                             &type);
	if (metric < 0 && (metric = value_name(rs->r->source + node->start,
	                                       node->len)) >= 0) {
		node->n = 0;
		return resolve_value(rs, n, metric);
	}
	if (metric < 0)
		return resolve_field(rs, n);
	node->op = KEHU__R_METRIC;
	node->a = metric;
	node->type = type;
	if (kehu__metric_is_window(metric))
		rs->needs |= KEHU__NEEDS_WINDOWS;
	return n;
}

/* ---- calls ------------------------------------------------------------ */

typedef struct func_def {
	char name[19];
	int8_t id;      /* KEHU__F_* or KEHU__P_* (pop) or -1 attr, -2 tag,
	                   -3 - KEHU__V_* for value functions */
	uint8_t pop;
	uint8_t min_args;
	uint8_t max_args;
} func_def;

static const func_def funcs[] = {
	{"min", KEHU__F_MIN, 0, 2, 255},   {"max", KEHU__F_MAX, 0, 2, 255},
	{"abs", KEHU__F_ABS, 0, 1, 1},     {"clamp", KEHU__F_CLAMP, 0, 3, 3},
	{"round", KEHU__F_ROUND, 0, 1, 2}, {"log", KEHU__F_LOG, 0, 1, 1},
	{"exp", KEHU__F_EXP, 0, 1, 1},     {"pow", KEHU__F_POW, 0, 2, 2},
	{"days", KEHU__F_DAYS, 0, 1, 1},
	{"quantile", KEHU__P_QUANTILE, 1, 2, 2},
	{"ntile", KEHU__P_NTILE, 1, 2, 2}, {"mean", KEHU__P_MEAN, 1, 1, 1},
	{"rank", KEHU__P_RANK, 1, 1, 1},   {"attr", -1, 0, 1, 2},
	{"has_tag", -2, 0, 1, 1},
	{"expected_purchases", -3 - KEHU__V_EXPECTED_PURCHASES, 0, 1, 1},
	{"clv", -3 - KEHU__V_CLV, 0, 2, 2},
};

static int32_t arg(resolver *rs, int32_t n, int k)
{
	return rs->r->kids[NODE(rs, n)->b + k];
}

static int32_t resolve_attr(resolver *rs, int32_t n, int tag)
{
	int32_t name = arg(rs, n, 0), def = -1;
	uint8_t type = KEHU__T_STR;
	kehu__rnode *node;

	if (NODE(rs, name)->op != KEHU__R_STR)
		return fail(rs, name, "write the attribute or tag name in "
		                      "quotes");
	if (!tag && NODE(rs, n)->n == 2) {
		def = arg(rs, n, 1);
		type = NODE(rs, def)->type;
		if (type == KEHU__T_LIT) {
			type = KEHU__T_NUM;
			if ((def = coerce(rs, def, KEHU__T_NUM)) < 0)
				return -1;
		}
		if (type != KEHU__T_STR && type != KEHU__T_NUM)
			return fail(rs, def, "an attribute's default is a "
			                     "number or text");
	}
	rs->needs |= KEHU__NEEDS_RECORD;
	node = NODE(rs, n);
	node->op = tag ? KEHU__R_TAG : KEHU__R_ATTR;
	node->a = (int32_t)NODE(rs, name)->v;
	node->b = def;
	node->type = tag ? KEHU__T_BOOL : type;
	return n;
}

/* The constant parameter of quantile / ntile. */
static int pop_param(resolver *rs, int32_t p, int fn, double *out)
{
	kehu__rnode *node = NODE(rs, p);

	if (node->op != KEHU__R_NUM || node->type != KEHU__T_LIT)
		return fail(rs, p, "write this parameter as a number");
	*out = node->v / pow10i(node->a);
	if (fn == KEHU__P_QUANTILE && (*out < 0 || *out > 1))
		return fail(rs, p, "a quantile is between 0 and 1");
	if (fn == KEHU__P_NTILE &&
	    (*out < 1 || *out > 1000 || *out != floor(*out)))
		return fail(rs, p, "ntile needs a whole number of tiles, "
		                   "1 to 1000");
	return 0;
}

static int32_t resolve_pop(resolver *rs, int32_t n, int fn)
{
	kehu__rpop pop;
	void *items = rs->r->pops;
	int32_t a = arg(rs, n, 0);

	memset(&pop, 0, sizeof pop);
	pop.fn = fn;
	/* the argument's needs were gathered while resolving it */
	pop.needs = rs->arg_needs;
	if (!is_numeric(NODE(rs, a)->type))
		return fail(rs, a, "population functions need a number");
	if ((a = coerce(rs, a, KEHU__T_NUM)) < 0)
		return -1;
	pop.arg = a;
	pop.type = NODE(rs, a)->type;
	if ((fn == KEHU__P_QUANTILE || fn == KEHU__P_NTILE) &&
	    pop_param(rs, arg(rs, n, 1), fn, &pop.param) < 0)
		return -1;
	if (kehu__grow(&rs->r->alloc, &items, &rs->r->pops_cap,
	               rs->r->npops + 1, sizeof pop))
		return kehu__rerror_set(rs->e, 0, 0, "out of memory");
	rs->r->pops = items;
	rs->r->pops[rs->r->npops] = pop;
	NODE(rs, n)->op = KEHU__R_POP;
	NODE(rs, n)->a = (int32_t)rs->r->npops++;
	NODE(rs, n)->type = fn == KEHU__P_QUANTILE || fn == KEHU__P_MEAN
		? pop.type : KEHU__T_NUM;
	return n;
}

static int32_t resolve_numeric_call(resolver *rs, int32_t n,
                                    const func_def *f)
{
	int k, count = NODE(rs, n)->n;
	uint8_t kind = KEHU__T_LIT;

	for (k = 0; k < count; k++) {
		int32_t a = arg(rs, n, k);
		uint8_t t = NODE(rs, a)->type;

		if (!is_numeric(t))
			return fail(rs, a, "this function needs numbers");
		if (f->id >= KEHU__F_LOG ||
		    (f->id == KEHU__F_ROUND && k == 1)) {
			if ((a = as_number(rs, a)) < 0)
				return -1;
		} else if (t != KEHU__T_LIT) {
			if (kind != KEHU__T_LIT && kind != t)
				return fail_types(rs, a, "cannot mix", kind,
				                  t);
			kind = t;
		}
		rs->r->kids[NODE(rs, n)->b + k] = a;
	}
	if (kind == KEHU__T_LIT)
		kind = KEHU__T_NUM;
	for (k = 0; k < count; k++) {
		int32_t a = coerce(rs, arg(rs, n, k), kind);

		if (a < 0)
			return -1;
		rs->r->kids[NODE(rs, n)->b + k] = a;
	}
	NODE(rs, n)->op = KEHU__R_CALL;
	NODE(rs, n)->a = f->id;
	NODE(rs, n)->type = f->id >= KEHU__F_LOG ? KEHU__T_NUM : kind;
	return n;
}

static int32_t resolve_call(resolver *rs, int32_t n)
{
	kehu__rnode *node = NODE(rs, n);
	const char *name = rs->r->source + node->a;
	size_t len = (size_t)node->v, i;
	uint8_t outer;
	int k;

	for (i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
		if (strlen(funcs[i].name) == len &&
		    memcmp(funcs[i].name, name, len) == 0)
			break;
	if (i == sizeof funcs / sizeof funcs[0])
		return fail_name(rs, n, "unknown function '", "'");
	if (node->n < funcs[i].min_args || node->n > funcs[i].max_args)
		return fail_name(rs, n, "wrong number of values for '",
		                 "'");
	outer = rs->needs;
	rs->needs = 0;
	for (k = 0; k < NODE(rs, n)->n; k++) {
		int32_t a = resolve_node(rs, arg(rs, n, k));

		if (a < 0)
			return -1;
		rs->r->kids[NODE(rs, n)->b + k] = a;
	}
	rs->arg_needs = rs->needs;
	rs->needs |= outer;
	if (funcs[i].id == -1 || funcs[i].id == -2)
		return resolve_attr(rs, n, funcs[i].id == -2);
	if (funcs[i].id <= -3)
		return resolve_value(rs, n, -3 - funcs[i].id);
	if (funcs[i].pop)
		return resolve_pop(rs, n, funcs[i].id);
	return resolve_numeric_call(rs, n, &funcs[i]);
}

/* ---- nodes -------------------------------------------------------------- */

static int32_t resolve_node(resolver *rs, int32_t n)
{
	kehu__rnode *node = NODE(rs, n);
	int32_t x;

	switch (node->op) {
	case KEHU__R_NUM:
	case KEHU__R_STR:
		return n;
	case KEHU__R_NAME:
		return resolve_name(rs, n);
	case KEHU__R_FUNC:
		return resolve_call(rs, n);
	case KEHU__R_NEG:
		/* resolving may grow the node array: never hold node across */
		if ((x = resolve_node(rs, node->a)) < 0)
			return -1;
		node = NODE(rs, n);
		node->a = x;
		if (!is_numeric(NODE(rs, node->a)->type))
			return fail(rs, n, "'-' needs a number");
		node->type = NODE(rs, node->a)->type;
		return n;
	case KEHU__R_NOT:
		if ((x = resolve_node(rs, node->a)) < 0)
			return -1;
		NODE(rs, n)->a = x;
		return resolve_logic(rs, n);
	case KEHU__R_IN:
		if ((x = resolve_node(rs, node->a)) < 0)
			return -1;
		NODE(rs, n)->a = x;
		return resolve_in(rs, n);
	default:
		break;
	}
	{
		int32_t y;

		x = resolve_node(rs, node->a);
		if (x < 0 || (y = resolve_node(rs, NODE(rs, n)->b)) < 0)
			return -1;
		NODE(rs, n)->a = x;
		NODE(rs, n)->b = y;
	}
	switch (NODE(rs, n)->op) {
	case KEHU__R_AND:
	case KEHU__R_OR:
		return resolve_logic(rs, n);
	case KEHU__R_EQ: case KEHU__R_NE: case KEHU__R_LT:
	case KEHU__R_LE: case KEHU__R_GT: case KEHU__R_GE:
		return resolve_compare(rs, n);
	default:
		return resolve_arith(rs, n);
	}
}

/* ---- items -------------------------------------------------------------- */

static int push_index(resolver *rs, int32_t **arr, size_t *len, size_t *cap,
                      int32_t v)
{
	void *items = *arr;

	if (kehu__grow(&rs->r->alloc, &items, cap, *len + 1, sizeof v))
		return kehu__rerror_set(rs->e, 0, 0, "out of memory");
	*arr = items;
	(*arr)[(*len)++] = v;
	return 0;
}

static int resolve_classify(resolver *rs, kehu__ritem *it)
{
	int32_t k;

	for (k = 0; k < it->nrules; k++) {
		kehu__rrule *rule = &rs->r->rules[it->first_rule + k];
		int32_t cond;

		if (rule->cond < 0)
			continue;
		if ((cond = resolve_node(rs, rule->cond)) < 0)
			return -1;
		rule = &rs->r->rules[it->first_rule + k];
		rule->cond = cond;
		if (NODE(rs, cond)->type != KEHU__T_BOOL)
			return fail(rs, cond, "a rule's condition must be "
			                      "true or false (a comparison)");
	}
	return 0;
}

static int resolve_item(resolver *rs, int32_t item)
{
	kehu__ritem *it = &rs->r->items[item];
	int32_t expr;
	uint8_t outer;

	if (it->state == 2)
		return 0;
	if (it->state == 1)
		return kehu__rerror_set3(rs->e, it->line, it->col, "'",
		                         rs->r->source + it->name_start,
		                         it->name_len,
		                         "' depends on itself (a cycle "
		                         "between scores or classifications)");
	it->state = 1;
	outer = rs->needs;
	rs->needs = 0;
	if (it->kind == KEHU__ITEM_CLASSIFY) {
		if (resolve_classify(rs, it) < 0)
			return -1;
		it = &rs->r->items[item];
		it->type = KEHU__T_STR;
	} else {
		if ((expr = resolve_node(rs, it->expr)) < 0)
			return -1;
		it = &rs->r->items[item];
		if (it->kind == KEHU__ITEM_SCORE &&
		    (expr = coerce(rs, expr, KEHU__T_NUM)) < 0)
			return -1;
		it = &rs->r->items[item];
		it->expr = expr;
		it->type = NODE(rs, expr)->type;
		if (it->kind == KEHU__ITEM_SCORE && !is_numeric(it->type))
			return fail(rs, expr, "a score must be a number");
	}
	it->state = 2;
	it->needs = rs->needs;
	rs->r->needs |= rs->needs;
	rs->needs = outer | it->needs;
	if (it->kind != KEHU__ITEM_LET)
		return push_index(rs, &rs->r->order, &rs->r->norder,
		                  &rs->r->order_cap, item);
	return 0;
}

static int check_duplicates(resolver *rs)
{
	size_t i, j;

	for (i = 0; i < rs->r->nitems; i++) {
		kehu__ritem *it = &rs->r->items[i];

		for (j = 0; j < i; j++)
			if (same(rs->r, rs->r->items[j].name_start,
			         rs->r->items[j].name_len, it->name_start,
			         it->name_len))
				return kehu__rerror_set3(
					rs->e, it->line, it->col, "the name '",
					rs->r->source + it->name_start,
					it->name_len, "' is used twice");
		/* names are interned: the API hands them out */
		if (kehu__rstring_intern(rs->r, rs->e,
		                         rs->r->source + it->name_start,
		                         it->name_len) < 0)
			return -1;
		if (kehu__metric_lookup(rs->r->source + it->name_start,
		                        it->name_len, &it->type) >= 0 ||
		    value_name(rs->r->source + it->name_start,
		               it->name_len) >= 0)
			return kehu__rerror_set3(
				rs->e, it->line, it->col, "'",
				rs->r->source + it->name_start, it->name_len,
				"' is the name of a metric: choose another");
	}
	return 0;
}

int kehu__rules_resolve(kehu_rules *r, kehu__rerror *e)
{
	resolver rs;
	size_t i;

	memset(&rs, 0, sizeof rs);
	rs.r = r;
	rs.e = e;
	if (check_duplicates(&rs) < 0)
		return -1;
	for (i = 0; i < r->nitems; i++) {
		kehu__ritem *it;

		if (resolve_item(&rs, (int32_t)i) < 0)
			return -1;
		it = &r->items[i];
		if (it->kind == KEHU__ITEM_SCORE) {
			it->public_index = (int32_t)r->nscores;
			if (push_index(&rs, &r->scores, &r->nscores,
			               &r->scores_cap, (int32_t)i) < 0)
				return -1;
		} else if (it->kind == KEHU__ITEM_CLASSIFY) {
			it->public_index = (int32_t)r->nclasses;
			if (push_index(&rs, &r->classes, &r->nclasses,
			               &r->classes_cap, (int32_t)i) < 0)
				return -1;
		}
	}
	return 0;
}
