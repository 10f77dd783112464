/*
 * tests/fuzz/fuzz_rules: a libFuzzer target for the rule engine.
 *
 * Each input is rule text.  It is compiled against one db (opened once,
 * with a few varied customers); a rule set that compiles is evaluated
 * for every customer, every label and score is read, every
 * classification is explained (text and structured view), and a query
 * naming its first classification runs over the db.  The input is also
 * run as a query expression (up to its first NUL byte).  None of it may
 * crash, leak or hang; nothing writes to the db, so every input sees the
 * same db.
 *
 * Built two ways (tests/fuzz/meson.build):
 * - fuzz_rules (clang only): -fsanitize=fuzzer,address,undefined;
 *   libFuzzer provides main().
 * - fuzz_rules_replay (any compiler): with replay.c's main(), which
 *   feeds each file named on the command line, or every file of a named
 *   directory, to LLVMFuzzerTestOneInput.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kehu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */
#define DAY INT64_C(86400)
#define NCUST 4

static kehu_db *db;
static kehu_id ids[NCUST];

static void die(const char *what)
{
	fprintf(stderr, "fuzz_rules setup: %s failed: %s\n", what,
	        db ? kehu_errmsg(db) : "(no db)");
	abort();
}

static void record(kehu_id id, int32_t type, int64_t t, int64_t amount,
                   int32_t satisfaction)
{
	kehu_interaction *ix = NULL;

	if (kehu_interaction_new(&ix, db, id, type, t) != KEHU_OK ||
	    (amount && kehu_interaction_set_amount(ix, amount) != KEHU_OK) ||
	    (satisfaction &&
	     kehu_interaction_set_satisfaction(ix, satisfaction) != KEHU_OK) ||
	    kehu_interaction_set_cost(ix, amount / 3) != KEHU_OK ||
	    kehu_interaction_record(ix) != KEHU_OK)
		die("record");
	kehu_interaction_free(ix);
}

static void close_db(void)
{
	kehu_db_close(db);
	db = NULL;
}

/* Four customers: a rich business customer with attributes and tags, a
 * buyer with a refund and a complaint, an organisation prospect with
 * nothing, and a customer with only future-dated activity. */
static void setup(void)
{
	kehu_customer *c = NULL;
	int i;

	if (kehu_db_open(&db, NULL) != KEHU_OK)
		die("kehu_db_open");
	for (i = 0; i < NCUST; i++) {
		if (kehu_customer_create(&c, db, NULL) != KEHU_OK)
			die("kehu_customer_create");
		ids[i] = kehu_customer_get_id(c);
		switch (i) {
		case 0:
			if (kehu_customer_set_relation(c, KEHU_RELATION_BUSINESS) ||
			    kehu_customer_set_status(c, KEHU_STATUS_CUSTOMER) ||
			    kehu_customer_set_attr_string(c, "rating", "AAA") ||
			    kehu_customer_set_attr_int(c, "n", 5) ||
			    kehu_customer_set_attr_number(c, "x", 2.5) ||
			    kehu_customer_set_attr_time(c, "since", T0) ||
			    kehu_customer_add_tag(c, "vip") ||
			    kehu_customer_add_tag(c, "x"))
				die("customer 0");
			break;
		case 2:
			if (kehu_customer_set_kind(c, KEHU_KIND_ORGANISATION) ||
			    kehu_customer_set_attr_string(c, "rating", "B"))
				die("customer 2");
			break;
		default:
			break;
		}
		if (kehu_customer_save(c) != KEHU_OK)
			die("kehu_customer_save");
		kehu_customer_free(c);
	}
	record(ids[0], KEHU_IX_PURCHASE, T0 - 400 * DAY, 1250000, 0);
	record(ids[0], KEHU_IX_PURCHASE, T0 - 20 * DAY, 6120000, 0);
	record(ids[0], KEHU_IX_FEEDBACK, T0 - 10 * DAY, 0, 5);
	record(ids[0], KEHU_IX_REFERRAL, T0 - 5 * DAY, 0, 0);
	record(ids[1], KEHU_IX_PURCHASE, T0 - 100 * DAY, 1999, 0);
	record(ids[1], KEHU_IX_REFUND, T0 - 99 * DAY, 500, 0);
	record(ids[1], KEHU_IX_COMPLAINT, T0 - 2 * DAY, 0, 1);
	record(ids[3], KEHU_IX_PURCHASE, T0 + 30 * DAY, 100, 0);
	atexit(close_db);
}

/* Reads everything an explanation offers. */
static void walk_explain(const kehu_explain *ex, unsigned *sink)
{
	size_t i, k, n = kehu_explain_rule_count(ex);
	const char *text = kehu_explain_text(ex);
	const char *label = kehu_explain_label(ex);
	const char *last = NULL;

	if (!text || !label)
		abort();
	*sink += (unsigned)strlen(text) + (unsigned)strlen(label);
	for (i = 0; i < n; i++) {
		const char *rl = NULL;
		int32_t fired = 0, line = 0;
		size_t count = 0;

		if (kehu_explain_rule(ex, i, &rl, &fired, &line, &count) !=
		    KEHU_OK || !rl)
			abort();
		last = rl;
		/* only the last rule tried fired */
		if ((fired != 0) != (i + 1 == n))
			abort();
		for (k = 0; k < count; k++) {
			const char *ct = NULL;
			double l, r;
			int32_t res;

			if (kehu_explain_comparison(ex, i, k, &ct, &l, &r,
			                            &res) != KEHU_OK ||
			    !ct)
				abort();
			*sink += (unsigned)strlen(ct) + (unsigned)res;
		}
		if (kehu_explain_comparison(ex, i, count, NULL, NULL, NULL,
		                            NULL) != KEHU_EINVAL)
			abort();
	}
	/* the rule that fired, last, gave the label */
	if (!last || strcmp(label, last) != 0)
		abort();
}

static int count_cb(kehu_id id, void *ud)
{
	(void)id;
	(*(unsigned *)ud)++;
	return 0;
}

static void run_rules(const kehu_rules *r, unsigned *sink)
{
	size_t nc = kehu_rules_classification_count(r);
	size_t ns = kehu_rules_score_count(r);
	static const int64_t nows[] = {T0, T0 + 400 * DAY};
	size_t t, i, k;

	for (t = 0; t < sizeof nows / sizeof nows[0]; t++) {
		for (i = 0; i < NCUST; i++) {
			kehu_result *res = NULL;

			if (kehu_rules_evaluate(&res, r, db, ids[i], nows[t]) !=
			    KEHU_OK)
				abort(); /* evaluation never fails on data */
			for (k = 0; k < nc; k++) {
				const char *name =
					kehu_rules_classification_name(r, k);
				const char *label = kehu_result_get_label(res, k);
				kehu_explain *ex = NULL;

				if (!name || !label ||
				    kehu_result_get_label_by_name(res, name) !=
				            label)
					abort();
				if (t == 0) {
					if (kehu_rules_explain(&ex, r, db, ids[i],
					                       nows[t], name) !=
					    KEHU_OK)
						abort();
					/* explain agrees with evaluate */
					if (strcmp(kehu_explain_label(ex), label))
						abort();
					walk_explain(ex, sink);
					kehu_explain_free(ex);
				}
			}
			for (k = 0; k < ns; k++) {
				double v = kehu_result_get_score(res, k);

				if (v != v) /* NaN: scores are always defined */
					abort();
				*sink += v > 0;
			}
			kehu_result_free(res);
		}
	}
	if (nc) {
		const char *name = kehu_rules_classification_name(r, 0);
		char *expr = malloc(strlen(name) + 8);
		int64_t n = 0;
		int rc;

		if (!expr)
			return;
		sprintf(expr, "%s != \"\"", name);
		rc = kehu_query(db, r, expr, T0, count_cb, sink, &n);
		free(expr);
		/* the query is one more item, named kehu_query_: a rule set
		 * with the most items allowed, or an item of that name,
		 * cannot take it (known limitations) */
		if (rc == KEHU_ECOMPILE &&
		    (strstr(kehu_errmsg(db), "at most 256") ||
		     strstr(kehu_errmsg(db), "kehu_query_")))
			return;
		if (rc != KEHU_OK || n != NCUST)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kehu_rules *r = NULL;
	unsigned sink = 0;
	char *expr;
	int rc;

	if (!db)
		setup();
	rc = kehu_rules_compile(&r, db, (const char *)data, size);
	if (rc == KEHU_OK) {
		if (!r || !kehu_rules_get_name(r))
			abort();
		run_rules(r, &sink);
		kehu_rules_free(r);
	} else if (r || (rc != KEHU_ECOMPILE && rc != KEHU_EINVAL) ||
	           !kehu_errmsg(db)) {
		abort();
	}
	/* the input as a query expression over metrics and fields */
	if (size <= 4096 && (expr = malloc(size + 1)) != NULL) {
		int64_t n = 0;

		memcpy(expr, data, size);
		expr[size] = '\0';
		rc = kehu_query(db, NULL, expr, T0, count_cb, &sink, &n);
		if (rc != KEHU_OK && rc != KEHU_ECOMPILE)
			abort();
		free(expr);
	}
	return sink == 0xdeadbeef; /* keep the reads */
}
