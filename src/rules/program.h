/*
 * rules/program: the compiled form of a rule set, shared by the
 * compiler (which builds it), the evaluator and the explainer.
 *
 * A flat expression tree: nodes in one array, children by index, names
 * resolved to metric slots, item slots, attribute names and interned
 * strings.  Every value is a double: numbers, money (in minor units, so
 * sums of money stay exact), booleans (0/1) and strings (the index of an
 * interned string; -1 for a string the rule set does not know).
 */
#ifndef KEHU_RULES_PROGRAM_H
#define KEHU_RULES_PROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "core/alloc.h"
#include "kehu/rules.h"

/* value types */
enum {
	KEHU__T_LIT,   /* a numeric literal: becomes NUM or MONEY by use */
	KEHU__T_NUM,
	KEHU__T_MONEY,
	KEHU__T_BOOL,
	KEHU__T_STR
};

/* node operations */
enum {
	KEHU__R_NUM,    /* v */
	KEHU__R_STR,    /* v = string id */
	KEHU__R_METRIC, /* a = metric id */
	KEHU__R_ITEM,   /* a = item index */
	KEHU__R_ATTR,   /* a = name string id, b = default node */
	KEHU__R_TAG,    /* a = tag string id */
	KEHU__R_FIELD,  /* a = field id */
	KEHU__R_ADD, KEHU__R_SUB, KEHU__R_MUL, KEHU__R_DIV, KEHU__R_MOD,
	KEHU__R_NEG,
	KEHU__R_EQ, KEHU__R_NE, KEHU__R_LT, KEHU__R_LE, KEHU__R_GT,
	KEHU__R_GE,
	KEHU__R_AND, KEHU__R_OR, KEHU__R_NOT,
	KEHU__R_IN,     /* a = left, kids[b .. b+n) = list */
	KEHU__R_CALL,   /* a = function id, kids[b .. b+n) = arguments */
	KEHU__R_POP,    /* a = population index */
	KEHU__R_SCALE,  /* a = child; v = divisor (money -> major units) */
	KEHU__R_VALUE,  /* a = KEHU__V_*, kids[b .. b+n) = arguments */
	KEHU__R_NAME,   /* parse time only: unresolved name */
	KEHU__R_FUNC    /* parse time only: unresolved call */
};

/* functions of KEHU__R_CALL */
enum {
	KEHU__F_MIN, KEHU__F_MAX, KEHU__F_ABS, KEHU__F_CLAMP, KEHU__F_ROUND,
	KEHU__F_LOG, KEHU__F_EXP, KEHU__F_POW, KEHU__F_DAYS
};

/* value-model functions (the db's current models) */
enum {
	KEHU__V_P_ALIVE,            /* p_alive */
	KEHU__V_EXPECTED_PURCHASES, /* expected_purchases(days) */
	KEHU__V_EXPECTED_SPEND,     /* expected_spend: money */
	KEHU__V_CLV                 /* clv(days, annual rate): money */
};

/* population functions */
enum { KEHU__P_QUANTILE, KEHU__P_NTILE, KEHU__P_MEAN, KEHU__P_RANK };

/* customer fields */
enum { KEHU__FIELD_KIND, KEHU__FIELD_RELATION, KEHU__FIELD_STATUS };

typedef struct kehu__rnode {
	uint8_t op;
	uint8_t type;
	uint16_t n;       /* kids count (IN, CALL, FUNC) */
	uint16_t depth;   /* height of the subtree (bounded: recursion) */
	int32_t a;
	int32_t b;
	double v;
	uint32_t line;
	uint32_t col;
	uint32_t start;   /* source span, for explanations */
	uint32_t len;
} kehu__rnode;

/*
 * A rule's condition as a jump program (rules/jumps.c): each step
 * compares two operands and goes on to the step on_true or on_false, or
 * leaves with KEHU__J_TRUE or KEHU__J_FALSE.  `test` is the comparison
 * (KEHU__J_LT below).
 */
enum {
	KEHU__J_METRIC, /* a metric: a = metric id */
	KEHU__J_ITEM,   /* an earlier score or classification: item index */
	KEHU__J_CONST,  /* the right operand only: k */
	KEHU__J_NODE,   /* anything else: the node's value */
	KEHU__J_FIELD,  /* a customer field: its node */
	KEHU__J_RECORD  /* has_tag, or attr with a constant default: its
	                   node, whose v is its value without a record */
};
#define KEHU__J_TRUE (-1)
#define KEHU__J_FALSE (-2)

/* step tests: x < y, x <= y, x == y, x > y, x >= y (`!=` is `==` with
 * its exits swapped, which gives true for a NaN as `!=` does) */
enum { KEHU__J_LT, KEHU__J_LE, KEHU__J_EQ, KEHU__J_GT, KEHU__J_GE };

typedef struct kehu__rjump {
	uint8_t test;     /* KEHU__J_LT .. KEHU__J_GE */
	uint8_t left;     /* KEHU__J_*, never CONST */
	uint8_t right;    /* KEHU__J_* */
	int32_t a;        /* left operand */
	int32_t b;        /* right operand, unless CONST */
	int32_t on_true;  /* next step, or KEHU__J_TRUE / KEHU__J_FALSE */
	int32_t on_false;
	double k;         /* right operand when CONST */
} kehu__rjump;

enum { KEHU__ITEM_LET, KEHU__ITEM_SCORE, KEHU__ITEM_CLASSIFY };

typedef struct kehu__rrule {
	int32_t label; /* string id */
	int32_t cond;  /* node, -1 for else */
	int32_t jump;  /* the condition's entry in jumps, -1 for else */
	uint32_t line;
	uint32_t col;
} kehu__rrule;

typedef struct kehu__ritem {
	int kind;
	uint32_t name_start;
	uint32_t name_len;
	uint32_t line;
	uint32_t col;
	int32_t expr;      /* LET, SCORE */
	int32_t first_rule; /* CLASSIFY: rules[first_rule .. +nrules) */
	int32_t nrules;
	uint8_t type;
	uint8_t state;     /* compile: 0 new, 1 resolving, 2 done */
	int32_t public_index; /* index among scores or classifications */
	uint8_t needs;     /* KEHU__NEEDS_*: what evaluating it reads */
} kehu__ritem;

/* What evaluating an expression reads besides the hot metrics. */
#define KEHU__NEEDS_WINDOWS 1u /* day buckets: trailing windows */
#define KEHU__NEEDS_RECORD 2u  /* the customer record: attributes, tags */
#define KEHU__NEEDS_VALUE 4u   /* the purchase history and value models */
#define KEHU__NEEDS_SPEND 8u   /* ... and the spend model too */

typedef struct kehu__rpop {
	int fn;        /* KEHU__P_* */
	int32_t arg;   /* node evaluated per customer in the pre-pass */
	double param;  /* q of quantile, n of ntile */
	uint8_t type;
	uint8_t needs;    /* KEHU__NEEDS_* of its argument */
} kehu__rpop;

struct kehu_rules {
	kehu__allocator alloc;
	const void *db;   /* the db it was compiled against */
	char *source;     /* a copy of the text (names, explanations) */
	size_t source_len;
	char *name;
	int64_t version;
	int32_t currency_exponent;
	double money_scale; /* 10^currency_exponent */

	kehu__rnode *nodes;
	size_t nnodes, nodes_cap;
	int32_t *kids;
	size_t nkids, kids_cap;
	kehu__ritem *items;
	size_t nitems, items_cap;
	kehu__rrule *rules;
	size_t nrules, rules_cap;
	char **strings;   /* interned, NUL-terminated */
	size_t nstrings, strings_cap;
	kehu__rpop *pops;
	size_t npops, pops_cap;
	kehu__rjump *jumps; /* every rule's condition (rules/jumps.c) */
	size_t njumps, jumps_cap;

	/* public views, in declaration order */
	int32_t *scores;  /* item indices */
	size_t nscores, scores_cap;
	int32_t *classes;
	size_t nclasses, classes_cap;
	int32_t *order;   /* scores and classifications, dependencies first */
	size_t norder, order_cap;

	uint8_t needs;    /* KEHU__NEEDS_* of the whole rule set */
	int query;        /* compiled for a query: one more item allowed */
};

/* Metric ids: the kehu_metrics fields the language names. */
int kehu__metric_lookup(const char *name, size_t len, uint8_t *type);
const char *kehu__metric_name(int id);
int kehu__metric_is_window(int id);
/* Where metric `id` lives in kehu_metrics, and how it reads. */
#define KEHU__METRIC_DOUBLE 1u        /* a double field (else int64) */
#define KEHU__METRIC_WINDOW 2u        /* a trailing window */
#define KEHU__METRIC_DAYS_PURCHASE 4u /* days since a purchase */
#define KEHU__METRIC_DAYS_CONTACT 8u  /* days since a contact */
void kehu__metric_field(int id, uint16_t *offset, uint8_t *flags);
#define KEHU__METRIC_COUNT 30

#endif
