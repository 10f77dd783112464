/*
 * tests/common/scenario: one CRM session cut into steps that each make
 * exactly one change to the db (or none), for the fault-injection tests:
 * a step that fails must leave the db exactly as it was before it.
 */
#ifndef KEHU_TESTS_SCENARIO_H
#define KEHU_TESTS_SCENARIO_H

#include "testutil.h"

typedef struct scenario {
	kehu_db *db;
	kehu_db_options opts; /* to reopen the db */
	kehu_customer *c1;
	kehu_customer *c2;
	kehu_account *acct;
	int64_t c3;
} scenario;

#define SCENARIO_NOW (T0 + 200 * DAY)

/* The number of steps. */
int scenario_steps(void);
/* Runs step i; returns the first failing call's code.  Step 0 opens. */
int scenario_step(scenario *s, int i);
/* Frees the handles and closes the db. */
void scenario_end(scenario *s);

#endif
