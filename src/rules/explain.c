/*
 * rules/explain: why a classification gave its label: the rules tried in
 * order, and every comparison on the way with the values of both sides,
 * as structured data and as text.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/db.h"
#include "model/fields.h"
#include "model/view.h"
#include "rules/parser.h"
#include "rules/population.h"

typedef struct tried_rule {
	int32_t rule;     /* index into r->rules */
	int fired;
	size_t first;     /* comparisons[first .. first + count) */
	size_t count;
} tried_rule;

struct kehu_explain {
	kehu_db *db;
	const kehu_rules *r;
	tried_rule *tried; /* one per rule of the classification, at most */
	size_t ntried;
	size_t tried_cap;
	kehu__rtrace trace;
	char texts[64][96];  /* each comparison's source text */
	kehu__buf text;
	const char *label;
};

KEHU_API void kehu_explain_free(kehu_explain *ex)
{
	if (!ex)
		return;
	kehu__free(&ex->db->alloc, ex->tried,
	           ex->tried_cap * sizeof *ex->tried);
	kehu__buf_free(&ex->text);
	kehu__db_handle_free(ex->db, ex, sizeof *ex);
}

static const char *string_of(const kehu_rules *r, double id)
{
	return id >= 0 && (size_t)id < r->nstrings ? r->strings[(size_t)id]
	                                           : "(text the rules do not name)";
}

/* A value as the user wrote it: money with the currency's decimals. */
static void format_value(const kehu_rules *r, uint8_t type, double v,
                         char *out, size_t cap)
{
	if (type == KEHU__T_STR)
		snprintf(out, cap, "\"%s\"", string_of(r, v));
	else if (type == KEHU__T_BOOL)
		snprintf(out, cap, "%s", v != 0 ? "true" : "false");
	else if (isinf(v))
		snprintf(out, cap, "never");
	else if (type == KEHU__T_MONEY)
		snprintf(out, cap, "%.*f", (int)r->currency_exponent,
		         v / r->money_scale);
	else
		snprintf(out, cap, "%.10g", v);
}

/* "revenue_365d (61200.00)", or just "50000.00" for a written value. */
static void format_operand(kehu__buf *b, const kehu_rules *r, int32_t node,
                           double v)
{
	const kehu__rnode *n = &r->nodes[node];
	const char *src = r->source + n->start;
	char value[64];

	format_value(r, n->type, v, value, sizeof value);
	kehu__buf_put(b, src, n->len);
	if (!((n->op == KEHU__R_NUM || n->op == KEHU__R_STR) &&
	      (src[0] == '"' || src[0] == '-' || (src[0] >= '0' &&
	                                          src[0] <= '9')))) {
		kehu__buf_put(b, " (", 2);
		kehu__buf_put(b, value, strlen(value));
		kehu__buf_put(b, ")", 1);
	}
}

static const char *op_text(uint8_t op)
{
	switch (op) {
	case KEHU__R_EQ: return " == ";
	case KEHU__R_NE: return " != ";
	case KEHU__R_LT: return " < ";
	case KEHU__R_LE: return " <= ";
	case KEHU__R_GT: return " > ";
	default: return " >= ";
	}
}

static void write_text(kehu_explain *ex)
{
	const kehu_rules *r = ex->r;
	size_t i, k;

	kehu__buf_reset(&ex->text);
	for (i = 0; i < ex->ntried; i++) {
		const tried_rule *t = &ex->tried[i];
		const char *label = r->strings[r->rules[t->rule].label];

		if (r->rules[t->rule].cond < 0) {
			kehu__buf_put(&ex->text, label, strlen(label));
			kehu__buf_put(&ex->text, ": else -> true\n", 15);
			continue;
		}
		for (k = t->first; k < t->first + t->count; k++) {
			const kehu__rtrace_entry *e = &ex->trace.entries[k];
			const kehu__rnode *n = &r->nodes[e->node];

			kehu__buf_put(&ex->text, label, strlen(label));
			kehu__buf_put(&ex->text, ": ", 2);
			format_operand(&ex->text, r, n->a, e->left);
			kehu__buf_put(&ex->text, op_text(n->op),
			              strlen(op_text(n->op)));
			format_operand(&ex->text, r, n->b, e->right);
			kehu__buf_put(&ex->text, e->result ? " -> true\n"
			                                   : " -> false\n",
			              e->result ? 9 : 10);
		}
		if (t->count == 0) {
			kehu__buf_put(&ex->text, label, strlen(label));
			kehu__buf_put(&ex->text, t->fired ? ": -> true\n"
			                                  : ": -> false\n",
			              t->fired ? 10 : 11);
		}
	}
	kehu__buf_put(&ex->text, "=> ", 3);
	kehu__buf_put(&ex->text, ex->label, strlen(ex->label));
	kehu__buf_put_u8(&ex->text, 0);
}

static void trace_rules(kehu_explain *ex, kehu__reval *ctx,
                        const kehu__ritem *it)
{
	int32_t k;

	ctx->trace = &ex->trace;
	for (k = 0; k < it->nrules; k++) {
		const kehu__rrule *rule = &ex->r->rules[it->first_rule + k];
		tried_rule *t;

		t = &ex->tried[ex->ntried++];

		t->rule = it->first_rule + k;
		t->first = ex->trace.len;
		t->fired = rule->cond < 0 ||
		           kehu__reval_node(ctx, rule->cond) != 0;
		t->count = ex->trace.len - t->first;
		if (t->fired) {
			ex->label = ex->r->strings[rule->label];
			break;
		}
	}
	ctx->trace = NULL;
}

static int explain_slot(kehu_explain *ex, kehu_db *db, size_t slot,
                        int64_t now, const kehu__ritem *it, double *items)
{
	kehu__rpopdata pop;
	kehu__buf rec;
	kehu__reval ctx;
	int rc = kehu__rpop_compute(db, ex->r, now, &pop);

	if (rc != KEHU_OK)
		return rc;
	kehu__buf_init(&rec, &db->alloc);
	memset(&ctx, 0, sizeof ctx);
	ctx.items = items;
	rc = kehu__reval_prepare(db, ex->r, &pop, slot, now, ex->r->needs,
	                         NULL, &ctx, &rec);
	if (rc == KEHU_OK) {
		kehu__reval_items(&ctx);
		trace_rules(ex, &ctx, it);
	}
	kehu__buf_free(&rec);
	kehu__rpop_free(db, ex->r, &pop);
	return rc;
}

static int32_t find_class(const kehu_rules *r, const char *name)
{
	size_t i;

	for (i = 0; name && i < r->nclasses; i++)
		if (strcmp(kehu_rules_classification_name(r, i), name) == 0)
			return r->classes[i];
	return -1;
}

KEHU_API int kehu_rules_explain(kehu_explain **out, const kehu_rules *rules,
                                kehu_db *db, kehu_id customer_id,
                                int64_t now, const char *classification)
{
	kehu_explain *ex;
	double *items;
	int32_t item;
	long slot;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out || !rules || rules->db != db)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_rules_explain: out and rules (of "
		                      "this db) are required");
	if ((item = find_class(rules, classification)) < 0)
		return kehu__db_error3(db, KEHU_ENOTFOUND,
		                       "no classification named '",
		                       classification ? classification : "",
		                       "'");
	if ((rc = kehu__check_time(db, "now", now)) != KEHU_OK)
		return rc;
	if ((slot = kehu__view_find(db, customer_id)) < 0)
		return kehu__db_errori(db, KEHU_ENOTFOUND,
		                       "no customer with id ", customer_id, "");
	if (!(ex = kehu__db_handle_new(db, sizeof *ex)))
		return KEHU_ENOMEM;
	ex->db = db;
	ex->r = rules;
	kehu__buf_init(&ex->text, &db->alloc);
	ex->tried_cap = (size_t)rules->items[item].nrules;
	if (!(ex->tried = kehu__calloc(&db->alloc, ex->tried_cap,
	                               sizeof *ex->tried))) {
		ex->tried_cap = 0;
		kehu_explain_free(ex);
		return kehu__db_nomem(db);
	}
	items = kehu__calloc(&db->alloc, rules->nitems + 1, sizeof *items);
	rc = items ? explain_slot(ex, db, (size_t)slot, now,
	                          &rules->items[item], items)
	           : kehu__db_nomem(db);
	kehu__free(&db->alloc, items, (rules->nitems + 1) * sizeof *items);
	if (rc == KEHU_OK) {
		write_text(ex);
		if (ex->text.failed)
			rc = kehu__db_nomem(db);
	}
	if (rc != KEHU_OK) {
		kehu_explain_free(ex);
		return rc;
	}
	*out = ex;
	return kehu__db_ok(db);
}

KEHU_API const char *kehu_explain_text(const kehu_explain *ex)
{
	return ex ? (const char *)ex->text.data : NULL;
}

KEHU_API const char *kehu_explain_label(const kehu_explain *ex)
{
	return ex ? ex->label : NULL;
}

KEHU_API size_t kehu_explain_rule_count(const kehu_explain *ex)
{
	return ex ? ex->ntried : 0;
}

KEHU_API int kehu_explain_rule(const kehu_explain *ex, size_t index,
                               const char **label_out, int32_t *fired_out,
                               int32_t *line_out, size_t *comparisons_out)
{
	const kehu__rrule *rule;

	if (!ex || index >= ex->ntried)
		return KEHU_EINVAL;
	rule = &ex->r->rules[ex->tried[index].rule];
	if (label_out)
		*label_out = ex->r->strings[rule->label];
	if (fired_out)
		*fired_out = ex->tried[index].fired;
	if (line_out)
		*line_out = (int32_t)rule->line;
	if (comparisons_out)
		*comparisons_out = ex->tried[index].count;
	return KEHU_OK;
}

static double public_value(const kehu_rules *r, int32_t node, double v)
{
	uint8_t t = r->nodes[node].type;

	if (t == KEHU__T_STR)
		return -1;
	return t == KEHU__T_MONEY ? v / r->money_scale : v;
}

KEHU_API int kehu_explain_comparison(const kehu_explain *ex, size_t index,
                                     size_t k, const char **text_out,
                                     double *left_out, double *right_out,
                                     int32_t *result_out)
{
	const kehu__rtrace_entry *e;
	const kehu__rnode *n;
	kehu_explain *mex = (kehu_explain *)ex;
	size_t at;

	if (!ex || index >= ex->ntried || k >= ex->tried[index].count)
		return KEHU_EINVAL;
	at = ex->tried[index].first + k;
	e = &ex->trace.entries[at];
	n = &ex->r->nodes[e->node];
	/* the source text of the comparison, cut to the buffer */
	snprintf(mex->texts[at], sizeof mex->texts[at], "%.*s",
	         (int)(n->len < 95 ? n->len : 95), ex->r->source + n->start);
	if (text_out)
		*text_out = ex->texts[at];
	if (left_out)
		*left_out = public_value(ex->r, n->a, e->left);
	if (right_out)
		*right_out = public_value(ex->r, n->b, e->right);
	if (result_out)
		*result_out = e->result;
	return KEHU_OK;
}
