/*
 * rules/lexer: turns rule text into tokens, with line and column for
 * every token (compile errors point at them).
 */
#ifndef KEHU_RULES_LEXER_H
#define KEHU_RULES_LEXER_H

#include <stddef.h>
#include <stdint.h>

enum {
	KEHU__TOK_EOF,
	KEHU__TOK_IDENT,
	KEHU__TOK_NUMBER,
	KEHU__TOK_STRING,
	KEHU__TOK_LPAREN,
	KEHU__TOK_RPAREN,
	KEHU__TOK_LBRACE,
	KEHU__TOK_RBRACE,
	KEHU__TOK_LBRACKET,
	KEHU__TOK_RBRACKET,
	KEHU__TOK_COMMA,
	KEHU__TOK_ASSIGN, /* = */
	KEHU__TOK_PLUS,
	KEHU__TOK_MINUS,
	KEHU__TOK_STAR,
	KEHU__TOK_SLASH,
	KEHU__TOK_PERCENT,
	KEHU__TOK_EQ,
	KEHU__TOK_NE,
	KEHU__TOK_LT,
	KEHU__TOK_LE,
	KEHU__TOK_GT,
	KEHU__TOK_GE,
	KEHU__TOK_ERROR
};

typedef struct kehu__token {
	int kind;
	const char *start; /* into the source text */
	size_t len;
	uint32_t line;
	uint32_t col;
	/* NUMBER: the value is mantissa / 10^scale, exactly */
	int64_t mantissa;
	int32_t scale;
} kehu__token;

typedef struct kehu__lexer {
	const char *p;
	const char *end;
	uint32_t line;
	const char *line_start;
	const char *error; /* set with KEHU__TOK_ERROR */
} kehu__lexer;

void kehu__lexer_init(kehu__lexer *lx, const char *text, size_t len);
void kehu__lexer_next(kehu__lexer *lx, kehu__token *t);
/* Whether an IDENT token spells `word`. */
int kehu__token_is(const kehu__token *t, const char *word);

#endif
