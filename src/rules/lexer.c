/*
 * rules/lexer: hand-written scanner.  Comments run from '#' to the end
 * of the line; strings are double-quoted UTF-8 with \" and \\ escapes;
 * numbers are decimals kept exact as mantissa and scale.
 */
#include "rules/lexer.h"

#include <string.h>

void kehu__lexer_init(kehu__lexer *lx, const char *text, size_t len)
{
	lx->p = text;
	lx->end = text + len;
	lx->line = 1;
	lx->line_start = text;
	lx->error = NULL;
}

int kehu__token_is(const kehu__token *t, const char *word)
{
	return t->kind == KEHU__TOK_IDENT && strlen(word) == t->len &&
	       memcmp(t->start, word, t->len) == 0;
}

static void skip_space(kehu__lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;

		if (c == '\n') {
			lx->line++;
			lx->line_start = ++lx->p;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			lx->p++;
		} else if (c == '#') {
			while (lx->p < lx->end && *lx->p != '\n')
				lx->p++;
		} else {
			return;
		}
	}
}

static int is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void lex_error(kehu__lexer *lx, kehu__token *t, const char *why)
{
	t->kind = KEHU__TOK_ERROR;
	lx->error = why;
}

static void lex_number(kehu__lexer *lx, kehu__token *t)
{
	int64_t m = 0;
	int32_t scale = 0;
	int frac = 0;

	for (; lx->p < lx->end; lx->p++) {
		char c = *lx->p;

		if (c == '_' && !frac)
			continue; /* 1_000_000 */
		if (c == '.' && !frac && lx->p + 1 < lx->end &&
		    is_digit(lx->p[1])) {
			frac = 1;
			continue;
		}
		if (!is_digit(c))
			break;
		if (m > (INT64_MAX - 9) / 10 || scale > 17) {
			lex_error(lx, t, "number is too long");
			return;
		}
		m = m * 10 + (c - '0');
		scale += frac;
	}
	if (lx->p < lx->end && is_ident_start(*lx->p)) {
		lex_error(lx, t, "a number must not run into a name");
		return;
	}
	t->kind = KEHU__TOK_NUMBER;
	t->mantissa = m;
	t->scale = scale;
}

static void lex_string(kehu__lexer *lx, kehu__token *t)
{
	lx->p++; /* opening quote */
	while (lx->p < lx->end && *lx->p != '"') {
		if (*lx->p == '\n') {
			lex_error(lx, t, "string is not closed on its line");
			return;
		}
		if (*lx->p == '\\' && lx->p + 1 < lx->end)
			lx->p++;
		lx->p++;
	}
	if (lx->p >= lx->end) {
		lex_error(lx, t, "string is not closed");
		return;
	}
	lx->p++;
	t->kind = KEHU__TOK_STRING;
}

/* Two-character operators first, then one-character ones. */
static int lex_operator(kehu__lexer *lx, kehu__token *t)
{
	static const char two[][3] = {"==", "!=", "<=", ">="};
	static const int two_kind[] = {KEHU__TOK_EQ, KEHU__TOK_NE,
	                               KEHU__TOK_LE, KEHU__TOK_GE};
	static const char one[] = "(){}[],=+-*/%<>";
	static const int one_kind[] = {
		KEHU__TOK_LPAREN,   KEHU__TOK_RPAREN, KEHU__TOK_LBRACE,
		KEHU__TOK_RBRACE,   KEHU__TOK_LBRACKET, KEHU__TOK_RBRACKET,
		KEHU__TOK_COMMA,    KEHU__TOK_ASSIGN, KEHU__TOK_PLUS,
		KEHU__TOK_MINUS,    KEHU__TOK_STAR,   KEHU__TOK_SLASH,
		KEHU__TOK_PERCENT,  KEHU__TOK_LT,     KEHU__TOK_GT};
	const char *hit;
	size_t i;

	for (i = 0; i < 4; i++) {
		if (lx->end - lx->p >= 2 && lx->p[0] == two[i][0] &&
		    lx->p[1] == two[i][1]) {
			t->kind = two_kind[i];
			lx->p += 2;
			return 1;
		}
	}
	hit = strchr(one, *lx->p);
	if (!hit || !*lx->p)
		return 0;
	t->kind = one_kind[hit - one];
	lx->p++;
	return 1;
}

void kehu__lexer_next(kehu__lexer *lx, kehu__token *t)
{
	skip_space(lx);
	t->start = lx->p;
	t->line = lx->line;
	t->col = (uint32_t)(lx->p - lx->line_start) + 1;
	t->mantissa = 0;
	t->scale = 0;
	if (lx->p >= lx->end) {
		t->kind = KEHU__TOK_EOF;
	} else if (is_ident_start(*lx->p)) {
		while (lx->p < lx->end &&
		       (is_ident_start(*lx->p) || is_digit(*lx->p)))
			lx->p++;
		t->kind = KEHU__TOK_IDENT;
	} else if (is_digit(*lx->p)) {
		lex_number(lx, t);
	} else if (*lx->p == '"') {
		lex_string(lx, t);
	} else if (!lex_operator(lx, t)) {
		lex_error(lx, t, "unexpected character");
	}
	t->len = (size_t)(lx->p - t->start);
}
