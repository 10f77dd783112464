/*
 * cli/classify: `kehu classify`: classify-all with a rule set, then
 * every customer's labels and scores as a table, CSV or JSON, or with
 * --summary the count and revenue share of each label.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char help[] =
"usage: kehu classify --db PATH [options]\n"
"\n"
"Classifies every customer with a rule set (stored labels and scores,\n"
"as kehu_rules_classify_all) and prints each customer's labels and\n"
"scores.  The rule set is also saved in the db under its name.\n"
"\n"
"options:\n"
"  --db PATH        the db (default $KEHU_DB)\n"
"  --rules FILE     a rule set file, or `default` (the default pack)\n"
"  --as-of DATE     classify as of DATE (default: the latest\n"
"                   interaction in the db)\n"
"  --format F       table (default), csv or json\n"
"  --summary        per classification: customers and revenue share of\n"
"                   each label, instead of one line per customer\n"
"\n"
"Exit codes: 0 ok, 1 usage, 2 data error (rules do not compile),\n"
"3 storage error.\n";

enum { FMT_TABLE, FMT_CSV, FMT_JSON };

typedef struct out_ctx {
	kehu_db *db;
	const kehu_rules *rules;
	int fmt;
	int pass;    /* 0: measure widths (table), 1: print */
	size_t *w;   /* column widths: key, labels, scores */
	int first;
	int rc;
} out_ctx;

static void csv_cell(const char *s)
{
	if (strpbrk(s, ",\"\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
}

static void cell(out_ctx *c, size_t col, const char *s, int last)
{
	size_t n = strlen(s);

	if (c->pass == 0) {
		if (n > c->w[col])
			c->w[col] = n;
		return;
	}
	if (c->fmt == FMT_CSV) {
		csv_cell(s);
		putchar(last ? '\n' : ',');
	} else {
		printf("%-*s%s", last ? 0 : (int)c->w[col], s,
		       last ? "\n" : "  ");
	}
}

static int row_cb(kehu_id id, void *user_data)
{
	out_ctx *c = user_data;
	const char *set = kehu_rules_get_name(c->rules);
	size_t nc = kehu_rules_classification_count(c->rules);
	size_t ns = kehu_rules_score_count(c->rules), k, len;
	char key[300], label[128], num[64];
	double v;
	int rc;

	if ((rc = cli_customer_key(c->db, id, key, sizeof key)) != KEHU_OK)
		goto fail;
	if (c->fmt == FMT_JSON) {
		printf("%s\n    {\"customer\": ", c->first ? "" : ",");
		cli_json_string(stdout, key);
		printf(", \"id\": %lld, \"labels\": {", (long long)id);
		c->first = 0;
	} else {
		cell(c, 0, key, nc + ns == 0);
	}
	for (k = 0; k < nc; k++) {
		const char *name = kehu_rules_classification_name(c->rules, k);

		rc = kehu_customer_get_label(c->db, id, set, name, label,
		                             sizeof label, &len);
		if (rc == KEHU_ENOTFOUND)
			strcpy(label, "-");
		else if (rc != KEHU_OK)
			goto fail;
		if (c->fmt == FMT_JSON) {
			printf("%s", k ? ", " : "");
			cli_json_string(stdout, name);
			fputs(": ", stdout);
			cli_json_string(stdout, label);
		} else {
			cell(c, 1 + k, label, k + 1 == nc && ns == 0);
		}
	}
	if (c->fmt == FMT_JSON)
		fputs("}, \"scores\": {", stdout);
	for (k = 0; k < ns; k++) {
		const char *name = kehu_rules_score_name(c->rules, k);

		rc = kehu_customer_get_score(c->db, id, set, name, &v);
		if (rc != KEHU_OK && rc != KEHU_ENOTFOUND)
			goto fail;
		if (rc == KEHU_ENOTFOUND || !isfinite(v))
			strcpy(num, c->fmt == FMT_JSON ? "null" : "-");
		else
			snprintf(num, sizeof num, "%.10g", v);
		if (c->fmt == FMT_JSON) {
			printf("%s", k ? ", " : "");
			cli_json_string(stdout, name);
			printf(": %s", num);
		} else {
			cell(c, 1 + nc + k, num, k + 1 == ns);
		}
	}
	if (c->fmt == FMT_JSON)
		fputs("}}", stdout);
	return 0;
fail:
	c->rc = rc;
	return 1;
}

static int print_rows(kehu_db *db, const kehu_rules *rules, int fmt,
                      int64_t now)
{
	size_t nc = kehu_rules_classification_count(rules);
	size_t ns = kehu_rules_score_count(rules), k;
	char date[16];
	out_ctx c;
	int rc = CLI_OK;

	memset(&c, 0, sizeof c);
	c.db = db;
	c.rules = rules;
	c.fmt = fmt;
	c.first = 1;
	if (!(c.w = calloc(1 + nc + ns, sizeof *c.w))) {
		cli_error("out of memory");
		return CLI_STORAGE;
	}
	if (fmt == FMT_JSON) {
		cli_format_date(date, sizeof date, now,
		                kehu_db_get_utc_offset(db));
		fputs("{\"ruleset\": ", stdout);
		cli_json_string(stdout, kehu_rules_get_name(rules));
		printf(", \"as_of\": \"%s\", \"customers\": [", date);
		c.pass = 1;
	} else {
		/* the header is measured and printed like a row */
		for (c.pass = fmt == FMT_CSV; c.pass < 2; c.pass++) {
			cell(&c, 0, "customer", nc + ns == 0);
			for (k = 0; k < nc; k++)
				cell(&c, 1 + k,
				     kehu_rules_classification_name(rules, k),
				     k + 1 == nc && ns == 0);
			for (k = 0; k < ns; k++)
				cell(&c, 1 + nc + k,
				     kehu_rules_score_name(rules, k),
				     k + 1 == ns);
			if (c.pass == 0 &&
			    kehu_customer_foreach(db, row_cb, &c) != KEHU_OK)
				break;
		}
		c.pass = 1;
	}
	if (c.rc == KEHU_OK &&
	    kehu_customer_foreach(db, row_cb, &c) != KEHU_OK)
		rc = cli_fail(db, c.rc, "labels");
	else if (c.rc != KEHU_OK)
		rc = cli_fail(db, c.rc, "labels");
	if (fmt == FMT_JSON)
		fputs("\n]}\n", stdout);
	free(c.w);
	return rc;
}

static double share(int64_t part, int64_t all)
{
	return all ? 100.0 * (double)part / (double)all : 0.0;
}

static void print_summary(const cli_tally *t, size_t n, int fmt,
                          int32_t exp)
{
	size_t k, i;
	char money[48];

	if (fmt == FMT_JSON)
		fputs("{", stdout);
	if (fmt == FMT_CSV)
		puts("classification,label,customers,customer_share,revenue,"
		     "revenue_share");
	for (k = 0; k < n; k++) {
		if (fmt == FMT_TABLE)
			printf("%s%s\n  %-20s %9s %7s %14s %7s\n",
			       k ? "\n" : "", t[k].name, "label",
			       "customers", "share", "revenue", "share");
		if (fmt == FMT_JSON) {
			printf("%s\n  ", k ? "," : "");
			cli_json_string(stdout, t[k].name);
			fputs(": [", stdout);
		}
		for (i = 0; i < t[k].n; i++) {
			const cli_tally_row *r = &t[k].rows[i];

			cli_format_money(money, sizeof money, r->revenue, exp);
			if (fmt == FMT_TABLE) {
				printf("  %-20s %9lld %6.1f%% %14s %6.1f%%\n",
				       r->label, (long long)r->customers,
				       share(r->customers, t[k].customers),
				       money, share(r->revenue, t[k].revenue));
			} else if (fmt == FMT_CSV) {
				printf("%s,%s,%lld,%.4f,%s,%.4f\n", t[k].name,
				       r->label, (long long)r->customers,
				       share(r->customers, t[k].customers) /
				               100,
				       money,
				       share(r->revenue, t[k].revenue) / 100);
			} else {
				printf("%s\n    {\"label\": ", i ? "," : "");
				cli_json_string(stdout, r->label);
				printf(", \"customers\": %lld, \"revenue\": "
				       "%s, \"revenue_share\": %.4f}",
				       (long long)r->customers, money,
				       share(r->revenue, t[k].revenue) / 100);
			}
		}
		if (fmt == FMT_JSON)
			fputs("]", stdout);
	}
	if (fmt == FMT_JSON)
		fputs("\n}\n", stdout);
}

int cli_cmd_classify(int argc, char **argv)
{
	const char *db_path = NULL, *rules_arg = NULL, *as_of = NULL,
	           *format = NULL;
	int summary = 0, fmt = FMT_TABLE, rc;
	kehu_rules *rules = NULL;
	cli_tally *tallies = NULL;
	size_t npos, n;
	int64_t now;
	cli_db d;
	const cli_opt opts[] = {
		{"db", &db_path, NULL},
		{"rules", &rules_arg, NULL},
		{"as-of", &as_of, NULL},
		{"format", &format, NULL},
		{"summary", NULL, &summary},
	};

	rc = cli_parse_args(argc, argv, opts, sizeof opts / sizeof opts[0],
	                    NULL, 0, &npos, "classify");
	if (rc == CLI_HELP) {
		fputs(help, stdout);
		return CLI_OK;
	}
	if (rc != CLI_OK)
		return rc;
	if (format && !strcmp(format, "csv")) {
		fmt = FMT_CSV;
	} else if (format && !strcmp(format, "json")) {
		fmt = FMT_JSON;
	} else if (format && strcmp(format, "table") != 0) {
		cli_error("classify: --format is table, csv or json, not '%s'",
		          format);
		return CLI_USAGE;
	}
	if ((rc = cli_db_open(&d, db_path, 1, "classify")) != CLI_OK)
		goto out;
	if ((rc = cli_rules_open(&rules, d.db, rules_arg)) != CLI_OK ||
	    (rc = cli_as_of(d.db, as_of, &now)) != CLI_OK)
		goto out;
	if ((rc = kehu_rules_save(d.db, rules)) != KEHU_OK) {
		rc = cli_fail(d.db, rc, "saving the rule set");
		goto out;
	}
	n = kehu_rules_classification_count(rules);
	if (summary && !(tallies = calloc(n ? n : 1, sizeof *tallies))) {
		cli_error("out of memory");
		rc = CLI_STORAGE;
		goto out;
	}
	if ((rc = cli_classify(d.db, rules, now, tallies)) != CLI_OK)
		goto out;
	if (summary) {
		print_summary(tallies, n, fmt,
		              kehu_db_get_currency_exponent(d.db));
		cli_tallies_free(tallies, n);
	} else {
		rc = print_rows(d.db, rules, fmt, now);
	}
out:
	free(tallies);
	kehu_rules_free(rules);
	cli_db_close(&d);
	return rc;
}
