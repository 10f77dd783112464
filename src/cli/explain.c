/*
 * cli/explain: `kehu explain`: why the rule engine gave a customer its
 * label, one comparison per line, for one classification or all.
 */
#include <string.h>

#include "cli/cli.h"

static const char help[] =
"usage: kehu explain CUSTOMER --db PATH [options]\n"
"\n"
"Explains, rule by rule, why CUSTOMER (an external key, or #ID) gets\n"
"its label: every comparison evaluated on the way with the values of\n"
"both sides, then the label.\n"
"\n"
"options:\n"
"  --db PATH              the db (default $KEHU_DB)\n"
"  --classification NAME  only this classification (default: all)\n"
"  --rules FILE           a rule set file, or `default`\n"
"  --as-of DATE           as of DATE (default: the latest interaction)\n"
"\n"
"Exit codes: 0 ok, 1 usage, 2 data error (unknown customer or\n"
"classification), 3 storage error.\n";

static int explain_one(kehu_db *db, const kehu_rules *rules, kehu_id id,
                       int64_t now, const char *name)
{
	kehu_explain *ex;
	int rc = kehu_rules_explain(&ex, rules, db, id, now, name);

	if (rc != KEHU_OK)
		return cli_fail(db, rc, name);
	printf("%s: %s\n", name, kehu_explain_label(ex));
	{
		const char *t = kehu_explain_text(ex);

		while (*t) {
			size_t n = strcspn(t, "\n");

			printf("  %.*s\n", (int)n, t);
			t += n;
			if (*t)
				t++;
		}
	}
	kehu_explain_free(ex);
	return CLI_OK;
}

int cli_cmd_explain(int argc, char **argv)
{
	const char *db_path = NULL, *rules_arg = NULL, *as_of = NULL,
	           *only = NULL, *who[1];
	kehu_rules *rules = NULL;
	size_t npos, k;
	char date[16];
	int64_t now;
	kehu_id id;
	cli_db d;
	int rc;
	const cli_opt opts[] = {
		{"db", &db_path, NULL},
		{"rules", &rules_arg, NULL},
		{"as-of", &as_of, NULL},
		{"classification", &only, NULL},
	};

	rc = cli_parse_args(argc, argv, opts, sizeof opts / sizeof opts[0],
	                    who, 1, &npos, "explain");
	if (rc == CLI_HELP) {
		fputs(help, stdout);
		return CLI_OK;
	}
	if (rc != CLI_OK)
		return rc;
	if (npos != 1) {
		cli_error("explain: which customer? (see kehu explain --help)");
		return CLI_USAGE;
	}
	if ((rc = cli_db_open(&d, db_path, 1, "explain")) != CLI_OK ||
	    (rc = cli_rules_open(&rules, d.db, rules_arg)) != CLI_OK ||
	    (rc = cli_as_of(d.db, as_of, &now)) != CLI_OK ||
	    (rc = cli_customer_find(d.db, who[0], &id)) != CLI_OK)
		goto out;
	cli_format_date(date, sizeof date, now, kehu_db_get_utc_offset(d.db));
	printf("customer %s, rule set \"%s\", as of %s\n", who[0],
	       kehu_rules_get_name(rules), date);
	if (only) {
		rc = explain_one(d.db, rules, id, now, only);
		goto out;
	}
	for (k = 0; rc == CLI_OK &&
	            k < kehu_rules_classification_count(rules); k++)
		rc = explain_one(d.db, rules, id, now,
		                 kehu_rules_classification_name(rules, k));
out:
	kehu_rules_free(rules);
	cli_db_close(&d);
	return rc;
}
