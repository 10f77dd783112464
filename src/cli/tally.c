/*
 * cli/tally: runs classify-all and counts the stored labels per
 * classification with the customers' revenue: what `classify --summary`,
 * `report` and `demo` print.
 */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

typedef struct tally_ctx {
	kehu_db *db;
	const kehu_rules *rules;
	cli_tally *t;
	size_t n;
	int64_t now;
	int rc;
} tally_ctx;

static int add(cli_tally *t, const char *label, const kehu_metrics *m)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->rows[i].label, label))
			break;
	if (i == t->n) {
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 8;
			cli_tally_row *r = realloc(t->rows, cap * sizeof *r);

			if (!r)
				return KEHU_ENOMEM;
			t->rows = r;
			t->cap = cap;
		}
		memset(&t->rows[i], 0, sizeof t->rows[i]);
		snprintf(t->rows[i].label, sizeof t->rows[i].label, "%s",
		         label);
		t->n++;
	}
	t->rows[i].customers++;
	t->rows[i].revenue += m->revenue;
	t->rows[i].revenue_365d += m->revenue_365d;
	t->customers++;
	t->revenue += m->revenue;
	return KEHU_OK;
}

static int tally_cb(kehu_id id, void *user_data)
{
	tally_ctx *c = user_data;
	const char *set = kehu_rules_get_name(c->rules);
	kehu_metrics m;
	char label[128];
	size_t k, len;
	int rc;

	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	if ((rc = kehu_metrics_read(&m, c->db, id, c->now)) != KEHU_OK)
		goto fail;
	for (k = 0; k < c->n; k++) {
		rc = kehu_customer_get_label(c->db, id, set, c->t[k].name,
		                             label, sizeof label, &len);
		if (rc == KEHU_ENOTFOUND)
			continue; /* outside the segment */
		if (rc == KEHU_EBUFS)
			strcpy(label, "(long label)");
		else if (rc != KEHU_OK)
			goto fail;
		if ((rc = add(&c->t[k], label, &m)) != KEHU_OK)
			goto fail;
	}
	return 0;
fail:
	c->rc = rc;
	return 1;
}

static int by_count(const void *a, const void *b)
{
	const cli_tally_row *x = a, *y = b;

	if (x->customers != y->customers)
		return x->customers > y->customers ? -1 : 1;
	return strcmp(x->label, y->label);
}

int cli_classify(kehu_db *db, const kehu_rules *rules, int64_t now,
                 cli_tally *tallies)
{
	int64_t done = 0;
	tally_ctx c;
	size_t k;
	int rc;

	rc = kehu_rules_classify_all(db, rules, now, NULL, &done);
	if (rc != KEHU_OK)
		return cli_fail(db, rc, "classify");
	if (!tallies)
		return CLI_OK;
	c.db = db;
	c.rules = rules;
	c.now = now;
	c.t = tallies;
	c.n = kehu_rules_classification_count(rules);
	c.rc = KEHU_OK;
	for (k = 0; k < c.n; k++) {
		memset(&tallies[k], 0, sizeof tallies[k]);
		tallies[k].name = kehu_rules_classification_name(rules, k);
	}
	if (kehu_customer_foreach(db, tally_cb, &c) != KEHU_OK) {
		cli_tallies_free(tallies, c.n);
		return c.rc == KEHU_ENOMEM ? (cli_error("out of memory"),
		                              CLI_STORAGE)
		                           : cli_fail(db, c.rc, "labels");
	}
	for (k = 0; k < c.n; k++)
		qsort(tallies[k].rows, tallies[k].n, sizeof *tallies[k].rows,
		      by_count);
	return CLI_OK;
}

void cli_tallies_free(cli_tally *tallies, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		free(tallies[k].rows);
		tallies[k].rows = NULL;
		tallies[k].n = tallies[k].cap = 0;
	}
}
