/*
 * rules/resolve: gives the parsed nodes their meaning: names become
 * metrics, items, fields and constants; calls become functions,
 * attributes, tags and population functions; every node gets a type;
 * numeric literals become exact money or plain numbers by use; items
 * are ordered so that dependencies come first (a cycle is an error).
 */
#ifndef KEHU_RULES_RESOLVE_H
#define KEHU_RULES_RESOLVE_H

#include "rules/parser.h"

int kehu__rules_resolve(kehu_rules *r, kehu__rerror *e);

#endif
