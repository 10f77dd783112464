/*
 * rules/jumps: rule conditions compiled to jump programs (see
 * program.h, kehu__rjump), built once after a rule set resolves.
 */
#ifndef KEHU_RULES_JUMPS_H
#define KEHU_RULES_JUMPS_H

#include "rules/parser.h"
#include "rules/program.h"

/* Builds r->jumps and sets every rule's entry; -1 and e on no memory. */
int kehu__rjumps_build(kehu_rules *r, kehu__rerror *e);

#endif
