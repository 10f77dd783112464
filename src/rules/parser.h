/*
 * rules/parser: recursive descent from tokens to the rule set's items
 * and unresolved expression nodes (names and calls stay as written; the
 * resolver gives them meaning and types).
 */
#ifndef KEHU_RULES_PARSER_H
#define KEHU_RULES_PARSER_H

#include "rules/program.h"

typedef struct kehu__rerror {
	uint32_t line;
	uint32_t col;
	char msg[200];
	int code; /* KEHU_ECOMPILE or KEHU_ENOMEM */
} kehu__rerror;

/* Sets the first error only; returns -1 for `return fail(...)`. */
int kehu__rerror_set(kehu__rerror *e, uint32_t line, uint32_t col,
                     const char *msg);
int kehu__rerror_set3(kehu__rerror *e, uint32_t line, uint32_t col,
                      const char *a, const char *b, size_t blen,
                      const char *c);

/* Node, kid, string and item storage of a kehu_rules under construction;
 * each returns the new index or -1 (and sets ENOMEM in e). */
int32_t kehu__rnode_add(kehu_rules *r, kehu__rerror *e, uint8_t op,
                        uint32_t line, uint32_t col);
int32_t kehu__rkid_add(kehu_rules *r, kehu__rerror *e, int32_t node);
int32_t kehu__rstring_intern(kehu_rules *r, kehu__rerror *e, const char *s,
                             size_t len);
/* The id of an interned string, or -1. */
int32_t kehu__rstring_find(const kehu_rules *r, const char *s, size_t len);

/* Parses the whole text into r (items, rules, nodes). */
int kehu__rules_parse(kehu_rules *r, kehu__rerror *e);

/* Compiles text into *out without reporting; e says why it failed. */
int kehu__rules_compile_e(kehu_rules **out, kehu_db *db, const char *text,
                          size_t len, int query, kehu__rerror *e);
/* Reports e on the db as KEHU_ECOMPILE "LINE:COL: msg" (lines counted
 * from line0 + 1) or KEHU_ENOMEM. */
int kehu__rules_report(kehu_db *db, const kehu__rerror *e, uint32_t line0);

#endif
