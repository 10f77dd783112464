/*
 * cli/import_cmd: the `kehu import` and `kehu customers import`
 * commands: options, reading the file, the progress line on a terminal
 * and the closing counts.  The parsing is in import.c and
 * customers_import.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/import.h"

static const char import_help[] =
"usage: kehu import FILE --db PATH [options]\n"
"\n"
"Records the purchases and other interactions of FILE: CSV with a\n"
"header row, or whitespace-separated columns like CDNOW's\n"
"(customer ... date count amount).  Customers are created on first\n"
"sight, keyed by the customer column.  Dates: YYYY-MM-DD, YYYYMMDD or\n"
"ISO 8601 with a time; amounts with '.' or ',' as the decimal mark.\n"
"\n"
"options:\n"
"  --db PATH          the db (file store; default $KEHU_DB; :memory:)\n"
"  --format F         auto (default), csv or ws (whitespace)\n"
"  --delimiter C      CSV delimiter (default: guessed: , ; or tab)\n"
"  --customer COL     customer column (default: customer, customer_id,\n"
"                     key or id; whitespace format: a number, 1)\n"
"  --date COL         date column (default: date, time, ...; ws: third\n"
"                     from last)\n"
"  --amount COL       amount column (default: amount, value, sales, ...;\n"
"                     ws: the last)\n"
"  --type COL         interaction type column (purchase, refund, visit,\n"
"                     call, email, service_request, complaint, feedback,\n"
"                     referral, marketing; default column: type; rows\n"
"                     without one are purchases)\n"
"  --cost COL, --account COL, --satisfaction COL, --channel COL\n"
"                     optional columns (default names: cost, account,\n"
"                     satisfaction, channel); an account is named, and\n"
"                     created with the row's customer as payer\n"
"  --strict           stop at the first bad row, writing nothing\n"
"  --batch N          rows per transaction (default 10000)\n"
"\n"
"Bad rows are reported as FILE:LINE: reason and skipped (counted at\n"
"the end).  Exit codes: 0 ok, 1 usage, 2 data error (--strict and a\n"
"bad row, no header), 3 storage error.\n";

static const char customers_help[] =
"usage: kehu customers import FILE --db PATH [--strict]\n"
"\n"
"Creates or updates customers from CSV master data.  Columns: key\n"
"(required; also customer or customer_id), name, kind (person,\n"
"organisation), relation (consumer, business, channel, internal),\n"
"status (prospect, customer), tags (separated by ; or |), referrer\n"
"(the referring customer's key).  Every other column is an attribute,\n"
"typed from its text (integer, number, date, else string) or from a\n"
"suffix on its header: credit_limit:int, rating:string, since:time,\n"
"share:number.  Empty cells are left alone.\n"
"\n"
"options:\n"
"  --db PATH       the db (default $KEHU_DB; :memory:)\n"
"  --delimiter C   CSV delimiter (default: guessed)\n"
"  --strict        stop at the first bad row, writing nothing\n"
"\n"
"Exit codes: 0 ok, 1 usage, 2 data error, 3 storage error.\n";

typedef struct progress {
	struct timespec start;
	int shown;
} progress;

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void show_progress(size_t done, size_t total, long rows,
                          void *user_data)
{
	progress *p = user_data;
	double s = since(&p->start);

	fprintf(stderr, "\rkehu import: %ld rows, %.0f rows/s, %3.0f%%", rows,
	        s > 0 ? (double)rows / s : 0.0,
	        total ? 100.0 * (double)done / (double)total : 100.0);
	p->shown = 1;
}

static int one_char(const char *cmd, const char *s, char *out)
{
	if (!s) {
		*out = 0;
		return CLI_OK;
	}
	if (!strcmp(s, "\\t") || !strcmp(s, "tab")) {
		*out = '\t';
		return CLI_OK;
	}
	if (strlen(s) != 1 || s[0] == '"' || s[0] == '\n') {
		cli_error("%s: --delimiter wants one character, not '%s'",
		          cmd, s);
		return CLI_USAGE;
	}
	*out = s[0];
	return CLI_OK;
}

int cli_cmd_import(int argc, char **argv)
{
	const char *db_path = NULL, *format = NULL, *delim = NULL,
	           *batch = NULL, *file[1];
	kehu_cli_import_options o;
	kehu_cli_import_stats st;
	int strict = 0, rc;
	size_t npos, len;
	int64_t nbatch = 10000;
	char *buf;
	progress pr;
	cli_db d;
	const cli_opt opts[] = {
		{"db", &db_path, NULL},
		{"format", &format, NULL},
		{"delimiter", &delim, NULL},
		{"customer", &o.col_customer, NULL},
		{"date", &o.col_date, NULL},
		{"amount", &o.col_amount, NULL},
		{"type", &o.col_type, NULL},
		{"cost", &o.col_cost, NULL},
		{"account", &o.col_account, NULL},
		{"satisfaction", &o.col_satisfaction, NULL},
		{"channel", &o.col_channel, NULL},
		{"batch", &batch, NULL},
		{"strict", NULL, &strict},
	};

	memset(&o, 0, sizeof o);
	rc = cli_parse_args(argc, argv, opts, sizeof opts / sizeof opts[0],
	                    file, 1, &npos, "import");
	if (rc == CLI_HELP) {
		fputs(import_help, stdout);
		return CLI_OK;
	}
	if (rc != CLI_OK)
		return rc;
	if (npos != 1) {
		cli_error("import: which file? (see kehu import --help)");
		return CLI_USAGE;
	}
	if (!format || !strcmp(format, "auto")) {
		o.format = KEHU_CLI_FORMAT_AUTO;
	} else if (!strcmp(format, "csv")) {
		o.format = KEHU_CLI_FORMAT_CSV;
	} else if (!strcmp(format, "ws") || !strcmp(format, "whitespace")) {
		o.format = KEHU_CLI_FORMAT_WS;
	} else {
		cli_error("import: --format is auto, csv or ws, not '%s'",
		          format);
		return CLI_USAGE;
	}
	if ((rc = one_char("import", delim, &o.delimiter)) != CLI_OK)
		return rc;
	if (batch && (rc = cli_parse_int_opt("import", "batch", batch, 1,
	                                     1000000, &nbatch)) != CLI_OK)
		return rc;
	if ((rc = cli_read_file(file[0], &buf, &len)) != CLI_OK)
		return rc;
	if ((rc = cli_db_open(&d, db_path, 0, "import")) != CLI_OK) {
		cli_db_close(&d);
		free(buf);
		return rc;
	}
	o.name = file[0];
	o.strict = strict;
	o.batch_rows = (long)nbatch;
	o.err = stderr;
	memset(&pr, 0, sizeof pr);
	if (isatty(2)) {
		clock_gettime(CLOCK_MONOTONIC, &pr.start);
		o.progress = show_progress;
		o.user_data = &pr;
	}
	rc = kehu_cli_import_buffer(d.db, buf, len, &o, &st);
	if (pr.shown)
		fputc('\n', stderr);
	if (rc == CLI_OK) {
		printf("%s: %ld interactions recorded, %ld new customers, "
		       "%ld new accounts; %ld bad row%s skipped\n", file[0],
		       st.rows, st.customers, st.accounts, st.bad,
		       st.bad == 1 ? "" : "s");
		if (st.bad)
			cli_error("%s: %ld bad row%s skipped", file[0],
			          st.bad, st.bad == 1 ? "" : "s");
	} else if (strict && st.bad) {
		cli_error("%s: stopped at the first bad row (--strict): "
		          "nothing imported", file[0]);
	}
	cli_db_close(&d);
	free(buf);
	return rc;
}

int cli_cmd_customers(int argc, char **argv)
{
	const char *db_path = NULL, *delim = NULL, *pos[2];
	kehu_cli_import_stats st;
	int strict = 0, rc;
	size_t npos, len;
	char *buf, dc;
	cli_db d;
	const cli_opt opts[] = {
		{"db", &db_path, NULL},
		{"delimiter", &delim, NULL},
		{"strict", NULL, &strict},
	};

	rc = cli_parse_args(argc, argv, opts, sizeof opts / sizeof opts[0],
	                    pos, 2, &npos, "customers");
	if (rc == CLI_HELP) {
		fputs(customers_help, stdout);
		return CLI_OK;
	}
	if (rc != CLI_OK)
		return rc;
	if (npos != 2 || strcmp(pos[0], "import") != 0) {
		cli_error("customers: usage: kehu customers import FILE "
		          "--db PATH (see kehu customers --help)");
		return CLI_USAGE;
	}
	if ((rc = one_char("customers", delim, &dc)) != CLI_OK)
		return rc;
	if ((rc = cli_read_file(pos[1], &buf, &len)) != CLI_OK)
		return rc;
	if ((rc = cli_db_open(&d, db_path, 0, "customers")) != CLI_OK) {
		cli_db_close(&d);
		free(buf);
		return rc;
	}
	rc = kehu_cli_customers_import_buffer(d.db, buf, len, pos[1], dc,
	                                      strict, stderr, &st);
	if (rc == CLI_OK) {
		printf("%s: %ld customers imported (%ld new); %ld bad row%s "
		       "skipped\n", pos[1], st.rows, st.customers, st.bad,
		       st.bad == 1 ? "" : "s");
		if (st.bad)
			cli_error("%s: %ld bad row%s skipped", pos[1], st.bad,
			          st.bad == 1 ? "" : "s");
	} else if (strict && st.bad) {
		cli_error("%s: stopped at the first bad row (--strict): "
		          "nothing imported", pos[1]);
	}
	cli_db_close(&d);
	free(buf);
	return rc;
}
