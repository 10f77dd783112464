/*
 * cli/demo: `kehu demo`: the README's first command.  Imports the
 * bundled demo data (customers, then CDNOW-derived interactions) into a
 * temporary file-store db, fits the value models, classifies with the
 * default pack and prints the report.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/import.h"

#ifndef KEHU_CLI_DATA_DIR
#define KEHU_CLI_DATA_DIR ""
#endif
#ifndef KEHU_CLI_SOURCE_DATA_DIR
#define KEHU_CLI_SOURCE_DATA_DIR ""
#endif

static const char help[] =
"usage: kehu demo [options]\n"
"\n"
"Runs the whole tool on the bundled demo data: imports made-up\n"
"customer master data and a few thousand purchases, complaints and\n"
"feedback derived from CDNOW (1997-98) into a temporary file-store db,\n"
"fits BG/NBD and Gamma-Gamma, classifies everyone with the default\n"
"rule pack and prints the report.  The db is removed at the end.\n"
"\n"
"options:\n"
"  --db PATH     keep the db at PATH (then explore it: kehu query,\n"
"                kehu explain, ...)\n"
"  --html FILE   also write the report as HTML\n"
"  --data DIR    the demo data directory (default: $KEHU_DEMO_DATA,\n"
"                the installed copy, or the source tree's\n"
"                examples/data)\n"
"\n"
"Exit codes: 0 ok, 2 the demo data is missing, 3 storage error.\n";

/* The models' time unit: weeks, as the CDNOW literature fits them. */
#define WEEK_SECONDS INT64_C(604800)

static const char customers_file[] = "demo_customers.csv";
static const char purchases_file[] = "demo_interactions.csv";

static int exists(const char *dir, const char *file)
{
	char path[4096];

	snprintf(path, sizeof path, "%s/%s", dir, file);
	return access(path, R_OK) == 0;
}

static const char *find_data(const char *given)
{
	const char *c[4];
	size_t i;

	c[0] = given;
	c[1] = getenv("KEHU_DEMO_DATA");
	c[2] = KEHU_CLI_DATA_DIR;
	c[3] = KEHU_CLI_SOURCE_DATA_DIR;
	for (i = given ? 0 : 1; i < 4; i++) {
		if (c[i] && *c[i] && exists(c[i], purchases_file) &&
		    exists(c[i], customers_file))
			return c[i];
		if (given)
			break;
	}
	return NULL;
}

static int import_file(kehu_db *db, const char *dir, const char *file,
                       int customers)
{
	char path[4096], *buf;
	kehu_cli_import_stats st;
	kehu_cli_import_options o;
	size_t len;
	int rc;

	snprintf(path, sizeof path, "%s/%s", dir, file);
	if ((rc = cli_read_file(path, &buf, &len)) != CLI_OK)
		return rc;
	if (customers) {
		rc = kehu_cli_customers_import_buffer(db, buf, len, path, 0, 1,
		                                      stderr, &st);
		if (rc == CLI_OK)
			printf("imported %ld customers from %s\n", st.rows,
			       file);
	} else {
		memset(&o, 0, sizeof o);
		o.name = path;
		o.strict = 1;
		o.err = stderr;
		rc = kehu_cli_import_buffer(db, buf, len, &o, &st);
		if (rc == CLI_OK)
			printf("imported %ld interactions from %s (%ld new "
			       "customers)\n", st.rows, file, st.customers);
	}
	free(buf);
	return rc;
}

int cli_cmd_demo(int argc, char **argv)
{
	const char *db_path = NULL, *html = NULL, *data = NULL, *dir;
	char tmp[4096] = "", path[4200];
	kehu_rules *rules = NULL;
	const char *t;
	int64_t now;
	size_t npos;
	cli_db d;
	int rc;
	const cli_opt opts[] = {
		{"db", &db_path, NULL},
		{"html", &html, NULL},
		{"data", &data, NULL},
	};

	memset(&d, 0, sizeof d);
	rc = cli_parse_args(argc, argv, opts, sizeof opts / sizeof opts[0],
	                    NULL, 0, &npos, "demo");
	if (rc == CLI_HELP) {
		fputs(help, stdout);
		return CLI_OK;
	}
	if (rc != CLI_OK)
		return rc;
	if (!(dir = find_data(data))) {
		cli_error("demo: no demo data (%s and %s) found%s%s; give "
		          "--data DIR or set KEHU_DEMO_DATA", customers_file,
		          purchases_file, data ? " in " : "",
		          data ? data : "");
		return CLI_DATA;
	}
	if (!db_path) {
		t = getenv("TMPDIR");
		snprintf(tmp, sizeof tmp, "%s/kehu-demo-XXXXXX",
		         t && *t ? t : "/tmp");
		if (!mkdtemp(tmp)) {
			cli_error("demo: cannot create a directory in %s",
			          t && *t ? t : "/tmp");
			return CLI_STORAGE;
		}
		snprintf(path, sizeof path, "%s/demo.kehu", tmp);
		db_path = path;
	}
	printf("libkehu %s demo: a file-store db at %s\n", kehu_version(),
	       db_path);
	if ((rc = cli_db_open(&d, db_path, 0, "demo")) != CLI_OK ||
	    (rc = import_file(d.db, dir, customers_file, 1)) != CLI_OK ||
	    (rc = import_file(d.db, dir, purchases_file, 0)) != CLI_OK ||
	    (rc = cli_as_of(d.db, NULL, &now)) != CLI_OK ||
	    (rc = cli_fit_model(d.db, "bgnbd", now, WEEK_SECONDS, NULL,
	                        0)) ||
	    (rc = cli_fit_model(d.db, "gammagamma", now, WEEK_SECONDS, NULL,
	                        0)) ||
	    (rc = cli_rules_open(&rules, d.db, NULL)) != CLI_OK)
		goto out;
	printf("classifying with the default rule pack \"%s\"\n\n",
	       kehu_rules_get_name(rules));
	rc = cli_report(d.db, rules, now, html);
	if (rc == CLI_OK && !tmp[0])
		printf("\nthe db stays at %s: try\n"
		       "  kehu query --db %s 'lifecycle == \"at_risk\" and "
		       "importance != \"ordinary\"'\n"
		       "  kehu explain --db %s CD00004\n", db_path, db_path,
		       db_path);
out:
	kehu_rules_free(rules);
	cli_db_close(&d);
	if (tmp[0]) {
		unlink(path);
		rmdir(tmp);
	}
	return rc;
}
