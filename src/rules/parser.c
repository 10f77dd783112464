/*
 * rules/parser: the recursive-descent parser of the rule language
 * (grammar in doc/rules.md).  Builds unresolved nodes: KEHU__R_NAME for
 * names and KEHU__R_FUNC for calls (name span in a and v, arguments in
 * kids).  Nesting is bounded by KEHU_MAX_RULES_DEPTH.
 */
#include "rules/parser.h"

#include <stdio.h>
#include <string.h>

#include "kehu/errors.h"
#include "rules/lexer.h"

/* Height of an expression tree (operators in a chain count too). */
#define MAX_TREE_DEPTH 512

typedef struct parser {
	kehu_rules *r;
	kehu__rerror *e;
	kehu__lexer lx;
	kehu__token tok;
	uint32_t prev_end; /* offset just after the last consumed token */
	int depth;
} parser;

int kehu__rerror_set(kehu__rerror *e, uint32_t line, uint32_t col,
                     const char *msg)
{
	return kehu__rerror_set3(e, line, col, msg, "", 0, "");
}

int kehu__rerror_set3(kehu__rerror *e, uint32_t line, uint32_t col,
                      const char *a, const char *b, size_t blen,
                      const char *c)
{
	if (e->code != 0)
		return -1;
	e->code = KEHU_ECOMPILE;
	e->line = line;
	e->col = col;
	if (blen > 60)
		blen = 60;
	snprintf(e->msg, sizeof e->msg, "%s%.*s%s", a, (int)blen, b, c);
	return -1;
}

static int nomem(kehu__rerror *e)
{
	if (e->code == 0) {
		e->code = KEHU_ENOMEM;
		snprintf(e->msg, sizeof e->msg, "out of memory");
	}
	return -1;
}

static int grow(kehu_rules *r, kehu__rerror *e, void **items, size_t *cap,
                size_t need, size_t size)
{
	if (kehu__grow(&r->alloc, items, cap, need, size))
		return nomem(e);
	return 0;
}

int32_t kehu__rnode_add(kehu_rules *r, kehu__rerror *e, uint8_t op,
                        uint32_t line, uint32_t col)
{
	void *items = r->nodes;
	kehu__rnode *n;

	if (r->nnodes >= INT32_MAX ||
	    grow(r, e, &items, &r->nodes_cap, r->nnodes + 1, sizeof *n))
		return -1;
	r->nodes = items;
	n = &r->nodes[r->nnodes];
	memset(n, 0, sizeof *n);
	n->op = op;
	n->line = line;
	n->col = col;
	return (int32_t)r->nnodes++;
}

int32_t kehu__rkid_add(kehu_rules *r, kehu__rerror *e, int32_t node)
{
	void *items = r->kids;

	if (grow(r, e, &items, &r->kids_cap, r->nkids + 1, sizeof(int32_t)))
		return -1;
	r->kids = items;
	r->kids[r->nkids] = node;
	return (int32_t)r->nkids++;
}

int32_t kehu__rstring_find(const kehu_rules *r, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < r->nstrings; i++)
		if (strlen(r->strings[i]) == len &&
		    memcmp(r->strings[i], s, len) == 0)
			return (int32_t)i;
	return -1;
}

int32_t kehu__rstring_intern(kehu_rules *r, kehu__rerror *e, const char *s,
                             size_t len)
{
	int32_t at = kehu__rstring_find(r, s, len);
	void *items = r->strings;
	char *copy;

	if (at >= 0)
		return at;
	if (grow(r, e, &items, &r->strings_cap, r->nstrings + 1,
	         sizeof(char *)))
		return -1;
	r->strings = items;
	if (!(copy = kehu__strndup(&r->alloc, s, len)))
		return nomem(e);
	r->strings[r->nstrings] = copy;
	return (int32_t)r->nstrings++;
}

/* ---- tokens --------------------------------------------------------- */

static void advance(parser *p)
{
	p->prev_end = (uint32_t)(p->tok.start + p->tok.len - p->r->source);
	kehu__lexer_next(&p->lx, &p->tok);
}

static int fail_at(parser *p, const kehu__token *t, const char *msg)
{
	static const char eof[] = ", found the end of the text";

	if (t->kind == KEHU__TOK_ERROR)
		return kehu__rerror_set(p->e, t->line, t->col, p->lx.error);
	return kehu__rerror_set3(p->e, t->line, t->col, msg, eof,
	                         sizeof eof - 1, "");
}

/* "expected X, found 'tok'" */
static int expected(parser *p, const char *what)
{
	char msg[120];

	if (p->tok.kind == KEHU__TOK_ERROR || p->tok.kind == KEHU__TOK_EOF)
		return fail_at(p, &p->tok, what);
	snprintf(msg, sizeof msg, "%s, found '", what);
	return kehu__rerror_set3(p->e, p->tok.line, p->tok.col, msg,
	                         p->tok.start, p->tok.len, "'");
}

static int accept(parser *p, int kind)
{
	if (p->tok.kind != kind)
		return 0;
	advance(p);
	return 1;
}

static int accept_word(parser *p, const char *word)
{
	if (!kehu__token_is(&p->tok, word))
		return 0;
	advance(p);
	return 1;
}

static int is_keyword(const kehu__token *t)
{
	static const char words[][9] = {"and", "or", "not", "in", "when",
	                                "else", "let", "score", "classify",
	                                "true", "false", "ruleset",
	                                "version"};
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (kehu__token_is(t, words[i]))
			return 1;
	return 0;
}

/* ---- expressions ---------------------------------------------------- */

static int32_t parse_expr(parser *p);

static int32_t node_at(parser *p, uint8_t op, const kehu__token *t)
{
	int32_t n = kehu__rnode_add(p->r, p->e, op, t->line, t->col);

	if (n >= 0)
		p->r->nodes[n].start = (uint32_t)(t->start - p->r->source);
	return n;
}

/* Sets the height of a node with kids (a call or an 'in' list) and
 * bounds it like any chain. */
static int32_t set_list_depth(parser *p, int32_t node, int32_t left)
{
	kehu__rnode *n = &p->r->nodes[node];
	uint16_t depth = left >= 0 ? p->r->nodes[left].depth : 0;
	int k;

	for (k = 0; k < n->n; k++) {
		uint16_t d = p->r->nodes[p->r->kids[n->b + k]].depth;

		if (d > depth)
			depth = d;
	}
	if (depth >= MAX_TREE_DEPTH)
		return kehu__rerror_set(p->e, n->line, n->col,
		                        "this expression is too long: split "
		                        "it with 'let' or 'score'");
	n->depth = (uint16_t)(depth + 1);
	return node;
}

/* Closes the source span of node n at the last consumed token. */
static int32_t close_span(parser *p, int32_t n)
{
	if (n >= 0)
		p->r->nodes[n].len = p->prev_end - p->r->nodes[n].start;
	return n;
}

static int32_t binary(parser *p, uint8_t op, const kehu__token *at,
                      int32_t left, int32_t right)
{
	int32_t n;
	uint32_t start;

	uint16_t depth;

	if (left < 0 || right < 0)
		return -1;
	depth = p->r->nodes[left].depth > p->r->nodes[right].depth
		? p->r->nodes[left].depth : p->r->nodes[right].depth;
	/* a long chain (1 + 1 + ... ) is a deep tree: bound the recursion
	 * of the resolver and the evaluator */
	if (depth >= MAX_TREE_DEPTH)
		return kehu__rerror_set(p->e, at->line, at->col,
		                        "this expression is too long: split "
		                        "it with 'let' or 'score'");
	start = p->r->nodes[left].start;
	if ((n = node_at(p, op, at)) < 0)
		return -1;
	p->r->nodes[n].a = left;
	p->r->nodes[n].b = right;
	p->r->nodes[n].start = start;
	p->r->nodes[n].depth = (uint16_t)(depth + 1);
	return close_span(p, n);
}

/* Parses "expr, expr, ..." up to `close`, appending to kids; returns
 * the first kid index (count in *n). */
static int32_t parse_list(parser *p, int close, uint16_t *n)
{
	int32_t first = (int32_t)p->r->nkids, arg;
	int32_t pending[256];
	int count = 0, i;

	*n = 0;
	if (accept(p, close))
		return first;
	do {
		if (count == 256)
			return expected(p, "at most 256 values");
		if ((arg = parse_expr(p)) < 0)
			return -1;
		pending[count++] = arg;
	} while (accept(p, KEHU__TOK_COMMA));
	if (!accept(p, close))
		return expected(p, close == KEHU__TOK_RPAREN ? "expected ')'"
		                                              : "expected ']'");
	/* kids of one list are contiguous: append after the nested ones */
	first = (int32_t)p->r->nkids;
	for (i = 0; i < count; i++)
		if (kehu__rkid_add(p->r, p->e, pending[i]) < 0)
			return -1;
	*n = (uint16_t)count;
	return first;
}

static int32_t parse_string(parser *p)
{
	char buf[1024];
	size_t i, n = 0;
	int32_t node, id;

	for (i = 1; i + 1 < p->tok.len; i++) {
		char c = p->tok.start[i];

		if (c == '\\')
			c = p->tok.start[++i];
		if (n == sizeof buf)
			return expected(p, "a string of at most 1024 bytes");
		buf[n++] = c;
	}
	if ((node = node_at(p, KEHU__R_STR, &p->tok)) < 0 ||
	    (id = kehu__rstring_intern(p->r, p->e, buf, n)) < 0)
		return -1;
	p->r->nodes[node].type = KEHU__T_STR;
	p->r->nodes[node].v = id;
	advance(p);
	return close_span(p, node);
}

static int32_t parse_number(parser *p)
{
	int32_t node = node_at(p, KEHU__R_NUM, &p->tok);

	if (node < 0)
		return -1;
	if (p->tok.mantissa > (INT64_C(1) << 53))
		return expected(p, "a number of at most 15 digits");
	p->r->nodes[node].type = KEHU__T_LIT;
	p->r->nodes[node].v = (double)p->tok.mantissa;
	p->r->nodes[node].a = p->tok.scale;
	advance(p);
	return close_span(p, node);
}

static int32_t parse_name(parser *p)
{
	kehu__token name = p->tok;
	int32_t node, first;
	uint16_t count;

	if (is_keyword(&name))
		return expected(p, "expected a value");
	advance(p);
	if (!accept(p, KEHU__TOK_LPAREN)) {
		if ((node = node_at(p, KEHU__R_NAME, &name)) < 0)
			return -1;
		return close_span(p, node);
	}
	if ((node = node_at(p, KEHU__R_FUNC, &name)) < 0)
		return -1;
	p->r->nodes[node].a = (int32_t)(name.start - p->r->source);
	p->r->nodes[node].v = (double)name.len;
	/* the node array may move while the arguments are parsed */
	first = parse_list(p, KEHU__TOK_RPAREN, &count);
	if (first < 0)
		return -1;
	p->r->nodes[node].b = first;
	p->r->nodes[node].n = count;
	if (set_list_depth(p, node, -1) < 0)
		return -1;
	return close_span(p, node);
}

static int32_t parse_primary(parser *p)
{
	int32_t node;

	switch (p->tok.kind) {
	case KEHU__TOK_NUMBER: return parse_number(p);
	case KEHU__TOK_STRING: return parse_string(p);
	case KEHU__TOK_LPAREN:
		advance(p);
		node = parse_expr(p);
		if (node >= 0 && !accept(p, KEHU__TOK_RPAREN))
			return expected(p, "expected ')'");
		return node;
	case KEHU__TOK_IDENT:
		if (kehu__token_is(&p->tok, "true") ||
		    kehu__token_is(&p->tok, "false")) {
			if ((node = node_at(p, KEHU__R_NUM, &p->tok)) < 0)
				return -1;
			p->r->nodes[node].type = KEHU__T_BOOL;
			p->r->nodes[node].v = p->tok.start[0] == 't';
			advance(p);
			return close_span(p, node);
		}
		return parse_name(p);
	default:
		return expected(p, "expected a value");
	}
}

static int32_t parse_unary(parser *p)
{
	kehu__token at = p->tok;
	int32_t node, arg;

	if (!accept(p, KEHU__TOK_MINUS))
		return parse_primary(p);
	if (++p->depth > KEHU_MAX_RULES_DEPTH)
		return expected(p, "expressions nest too deep");
	arg = parse_unary(p);
	p->depth--;
	if (arg < 0)
		return -1;
	if (p->r->nodes[arg].op == KEHU__R_NUM &&
	    p->r->nodes[arg].type == KEHU__T_LIT) {
		/* -5 is a written value (usable in 'in' lists) */
		p->r->nodes[arg].v = -p->r->nodes[arg].v;
		p->r->nodes[arg].start = (uint32_t)(at.start - p->r->source);
		p->r->nodes[arg].line = at.line;
		p->r->nodes[arg].col = at.col;
		return close_span(p, arg);
	}
	if ((node = node_at(p, KEHU__R_NEG, &at)) < 0)
		return -1;
	p->r->nodes[node].a = arg;
	p->r->nodes[node].depth = (uint16_t)(p->r->nodes[arg].depth + 1);
	return close_span(p, node);
}

static int32_t parse_product(parser *p)
{
	int32_t left = parse_unary(p);

	while (left >= 0) {
		kehu__token at = p->tok;
		uint8_t op;

		if (accept(p, KEHU__TOK_STAR))
			op = KEHU__R_MUL;
		else if (accept(p, KEHU__TOK_SLASH))
			op = KEHU__R_DIV;
		else if (accept(p, KEHU__TOK_PERCENT))
			op = KEHU__R_MOD;
		else
			break;
		left = binary(p, op, &at, left, parse_unary(p));
	}
	return left;
}

static int32_t parse_sum(parser *p)
{
	int32_t left = parse_product(p);

	while (left >= 0) {
		kehu__token at = p->tok;
		uint8_t op;

		if (accept(p, KEHU__TOK_PLUS))
			op = KEHU__R_ADD;
		else if (accept(p, KEHU__TOK_MINUS))
			op = KEHU__R_SUB;
		else
			break;
		left = binary(p, op, &at, left, parse_product(p));
	}
	return left;
}

static int32_t parse_in(parser *p, int32_t left, const kehu__token *at,
                        int negate)
{
	int32_t node, not_node, first;
	uint32_t start = p->r->nodes[left].start;
	uint16_t count;

	if (!accept(p, KEHU__TOK_LBRACKET))
		return expected(p, "expected '[' after 'in'");
	if ((node = node_at(p, KEHU__R_IN, at)) < 0)
		return -1;
	p->r->nodes[node].a = left;
	p->r->nodes[node].start = start;
	first = parse_list(p, KEHU__TOK_RBRACKET, &count);
	if (first < 0)
		return -1;
	p->r->nodes[node].b = first;
	p->r->nodes[node].n = count;
	if (set_list_depth(p, node, left) < 0)
		return -1;
	close_span(p, node);
	if (!negate)
		return node;
	if ((not_node = node_at(p, KEHU__R_NOT, at)) < 0)
		return -1;
	p->r->nodes[not_node].a = node;
	p->r->nodes[not_node].start = start;
	p->r->nodes[not_node].depth = (uint16_t)(p->r->nodes[node].depth + 1);
	return close_span(p, not_node);
}

static int32_t parse_comparison(parser *p)
{
	static const int toks[] = {KEHU__TOK_EQ, KEHU__TOK_NE, KEHU__TOK_LT,
	                           KEHU__TOK_LE, KEHU__TOK_GT, KEHU__TOK_GE};
	static const uint8_t ops[] = {KEHU__R_EQ, KEHU__R_NE, KEHU__R_LT,
	                              KEHU__R_LE, KEHU__R_GT, KEHU__R_GE};
	int32_t left = parse_sum(p);
	kehu__token at = p->tok;
	size_t i;

	if (left < 0)
		return -1;
	for (i = 0; i < sizeof toks / sizeof toks[0]; i++)
		if (accept(p, toks[i]))
			return binary(p, ops[i], &at, left, parse_sum(p));
	if (accept_word(p, "in"))
		return parse_in(p, left, &at, 0);
	if (kehu__token_is(&p->tok, "not")) {
		advance(p);
		if (!accept_word(p, "in"))
			return expected(p, "expected 'in' after 'not'");
		return parse_in(p, left, &at, 1);
	}
	return left;
}

static int32_t parse_not(parser *p)
{
	kehu__token at = p->tok;
	int32_t node, arg;

	if (!accept_word(p, "not"))
		return parse_comparison(p);
	if (++p->depth > KEHU_MAX_RULES_DEPTH)
		return expected(p, "expressions nest too deep");
	arg = parse_not(p);
	p->depth--;
	if (arg < 0 || (node = node_at(p, KEHU__R_NOT, &at)) < 0)
		return -1;
	p->r->nodes[node].a = arg;
	p->r->nodes[node].depth = (uint16_t)(p->r->nodes[arg].depth + 1);
	return close_span(p, node);
}

static int32_t parse_and(parser *p)
{
	int32_t left = parse_not(p);

	while (left >= 0) {
		kehu__token at = p->tok;

		if (!accept_word(p, "and"))
			break;
		left = binary(p, KEHU__R_AND, &at, left, parse_not(p));
	}
	return left;
}

static int32_t parse_expr(parser *p)
{
	int32_t left;

	if (++p->depth > KEHU_MAX_RULES_DEPTH)
		return expected(p, "expressions nest too deep (at most 64 "
		                   "levels)");
	left = parse_and(p);
	while (left >= 0) {
		kehu__token at = p->tok;

		if (!accept_word(p, "or"))
			break;
		left = binary(p, KEHU__R_OR, &at, left, parse_and(p));
	}
	p->depth--;
	return left;
}

/* ---- items ---------------------------------------------------------- */

static int32_t item_add(parser *p, int kind, const kehu__token *name)
{
	void *items = p->r->items;
	kehu__ritem *it;

	if (p->r->nitems >= KEHU_MAX_RULES_ITEMS + (size_t)p->r->query)
		return expected(p, "at most 256 lets, scores and "
		                   "classifications");
	if (grow(p->r, p->e, &items, &p->r->items_cap, p->r->nitems + 1,
	         sizeof *it))
		return -1;
	p->r->items = items;
	it = &p->r->items[p->r->nitems];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->name_start = (uint32_t)(name->start - p->r->source);
	it->name_len = (uint32_t)name->len;
	it->line = name->line;
	it->col = name->col;
	it->expr = -1;
	return (int32_t)p->r->nitems++;
}

static int expect_name(parser *p, kehu__token *name, const char *what)
{
	*name = p->tok;
	if (p->tok.kind != KEHU__TOK_IDENT || is_keyword(&p->tok))
		return expected(p, what);
	advance(p);
	return 0;
}

static int parse_binding(parser *p, int kind)
{
	kehu__token name;
	int32_t item, expr;

	if (expect_name(p, &name, "expected a name") < 0 ||
	    (item = item_add(p, kind, &name)) < 0)
		return -1;
	if (!accept(p, KEHU__TOK_ASSIGN))
		return expected(p, "expected '='");
	if ((expr = parse_expr(p)) < 0)
		return -1;
	p->r->items[item].expr = expr;
	return 0;
}

static int rule_add(parser *p, const kehu__token *label, int32_t cond)
{
	void *items = p->r->rules;
	kehu__rrule *rule;
	int32_t id;

	if ((id = kehu__rstring_intern(p->r, p->e, label->start,
	                               label->len)) < 0 ||
	    grow(p->r, p->e, &items, &p->r->rules_cap, p->r->nrules + 1,
	         sizeof *rule))
		return -1;
	p->r->rules = items;
	rule = &p->r->rules[p->r->nrules++];
	rule->label = id;
	rule->cond = cond;
	rule->jump = -1; /* built after resolving */
	rule->line = label->line;
	rule->col = label->col;
	return 0;
}

static int parse_classify(parser *p)
{
	kehu__token name, label;
	int32_t item, cond;

	if (expect_name(p, &name, "expected the classification's name") < 0 ||
	    (item = item_add(p, KEHU__ITEM_CLASSIFY, &name)) < 0)
		return -1;
	if (!accept(p, KEHU__TOK_LBRACE))
		return expected(p, "expected '{'");
	p->r->items[item].first_rule = (int32_t)p->r->nrules;
	for (;;) {
		if (p->tok.kind == KEHU__TOK_RBRACE)
			return kehu__rerror_set3(
				p->e, name.line, name.col, "classification '",
				name.start, name.len,
				"' needs a last rule 'LABEL else'");
		if (expect_name(p, &label, "expected a label") < 0)
			return -1;
		if (accept_word(p, "else")) {
			if (rule_add(p, &label, -1) < 0)
				return -1;
			break;
		}
		if (!accept_word(p, "when"))
			return expected(p, "expected 'when' or 'else' after "
			                   "the label");
		if ((cond = parse_expr(p)) < 0 || rule_add(p, &label, cond) < 0)
			return -1;
	}
	p->r->items[item].nrules =
		(int32_t)p->r->nrules - p->r->items[item].first_rule;
	if (!accept(p, KEHU__TOK_RBRACE))
		return expected(p, "expected '}' after the 'else' rule");
	return 0;
}

static int parse_header(parser *p)
{
	kehu__token t;

	if (!accept_word(p, "ruleset"))
		return expected(p, "a rule set starts with 'ruleset \"NAME\"'");
	t = p->tok;
	if (!accept(p, KEHU__TOK_STRING))
		return expected(p, "expected the rule set's name in quotes");
	if (!(p->r->name = kehu__strndup(&p->r->alloc, t.start + 1,
	                                 t.len - 2)))
		return nomem(p->e);
	if (!accept_word(p, "version"))
		return expected(p, "expected 'version'");
	t = p->tok;
	if (!accept(p, KEHU__TOK_NUMBER) || t.scale != 0)
		return kehu__rerror_set(p->e, t.line, t.col,
		                        "the version must be a whole number");
	p->r->version = t.mantissa;
	return 0;
}

int kehu__rules_parse(kehu_rules *r, kehu__rerror *e)
{
	parser p;
	int rc = 0;

	memset(&p, 0, sizeof p);
	p.r = r;
	p.e = e;
	kehu__lexer_init(&p.lx, r->source, r->source_len);
	kehu__lexer_next(&p.lx, &p.tok);
	if (parse_header(&p) < 0)
		return -1;
	while (rc == 0 && p.tok.kind != KEHU__TOK_EOF) {
		if (accept_word(&p, "let"))
			rc = parse_binding(&p, KEHU__ITEM_LET);
		else if (accept_word(&p, "score"))
			rc = parse_binding(&p, KEHU__ITEM_SCORE);
		else if (accept_word(&p, "classify"))
			rc = parse_classify(&p);
		else
			rc = expected(&p, "expected 'let', 'score' or "
			                  "'classify'");
	}
	return rc;
}
