/*
 * cli/query: `kehu query`: the customers for which a segment expression
 * holds, one key per line, or their count.
 */
#include <string.h>

#include "cli/cli.h"

static const char help[] =
"usage: kehu query 'EXPR' --db PATH [options]\n"
"\n"
"Prints the key of every customer for which EXPR holds, in id order.\n"
"EXPR is one condition in the rule language (doc/rules.md) and may\n"
"name the rule set's classifications and scores, e.g.\n"
"  kehu query 'importance == \"vip\" and lifecycle == \"at_risk\"'\n"
"\n"
"options:\n"
"  --db PATH      the db (default $KEHU_DB)\n"
"  --rules FILE   the rule set whose names EXPR may use (a file, or\n"
"                 `default`, the default pack; `none`: metrics,\n"
"                 fields, attributes and tags only)\n"
"  --as-of DATE   as of DATE (default: the latest interaction)\n"
"  --count        print only the number of matching customers\n"
"\n"
"Exit codes: 0 ok (also when nothing matches), 1 usage, 2 data error\n"
"(EXPR does not compile), 3 storage error.\n";

typedef struct q_ctx {
	kehu_db *db;
	int rc;
} q_ctx;

static int print_cb(kehu_id id, void *user_data)
{
	q_ctx *q = user_data;
	char key[300];

	if ((q->rc = cli_customer_key(q->db, id, key, sizeof key)))
		return 1;
	puts(key);
	return 0;
}

int cli_cmd_query(int argc, char **argv)
{
	const char *db_path = NULL, *rules_arg = NULL, *as_of = NULL,
	           *expr[1];
	kehu_rules *rules = NULL;
	int count_only = 0, rc;
	int64_t now, n = 0;
	size_t npos;
	cli_db d;
	q_ctx q;
	const cli_opt opts[] = {
		{"db", &db_path, NULL},
		{"rules", &rules_arg, NULL},
		{"as-of", &as_of, NULL},
		{"count", NULL, &count_only},
	};

	rc = cli_parse_args(argc, argv, opts, sizeof opts / sizeof opts[0],
	                    expr, 1, &npos, "query");
	if (rc == CLI_HELP) {
		fputs(help, stdout);
		return CLI_OK;
	}
	if (rc != CLI_OK)
		return rc;
	if (npos != 1) {
		cli_error("query: which expression? (see kehu query --help)");
		return CLI_USAGE;
	}
	if ((rc = cli_db_open(&d, db_path, 1, "query")) != CLI_OK)
		goto out;
	if ((!rules_arg || strcmp(rules_arg, "none") != 0) &&
	    (rc = cli_rules_open(&rules, d.db, rules_arg)) != CLI_OK)
		goto out;
	if ((rc = cli_as_of(d.db, as_of, &now)) != CLI_OK)
		goto out;
	q.db = d.db;
	q.rc = KEHU_OK;
	rc = kehu_query(d.db, rules, expr[0], now,
	                count_only ? NULL : print_cb, &q, &n);
	if (rc != KEHU_OK) {
		if (q.rc != KEHU_OK)
			rc = q.rc;
		rc = rc == KEHU_ECOMPILE
			? (cli_error("query:%s", kehu_errmsg(d.db)), CLI_DATA)
			: cli_fail(d.db, rc, "query");
		goto out;
	}
	if (count_only)
		printf("%lld\n", (long long)n);
	rc = CLI_OK;
out:
	kehu_rules_free(rules);
	cli_db_close(&d);
	return rc;
}
