/*
 * cli/cli: what every `kehu` command shares (host layer, public API
 * only): exit codes, the option parser, opening the db named by --db or
 * KEHU_DB, rule sets from a file or the default pack, the default
 * "as of" time, money and time formatting, one-line errors.
 */
#ifndef KEHU_CLI_H
#define KEHU_CLI_H

#include <stdio.h>

#include "kehu.h"

/* Exit codes, documented in `kehu --help`. */
#define CLI_OK 0
#define CLI_USAGE 1
#define CLI_DATA 2
#define CLI_STORAGE 3
/* Internal: --help was asked for (exit 0 after printing it). */
#define CLI_HELP (-1)

#if defined(__GNUC__) || defined(__clang__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* One line on stderr: "kehu: <text>". */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/* The exit code a library error code maps to: storage-side failures
 * (KEHU_ESTORAGE, KEHU_ECORRUPT, KEHU_EBUSY, KEHU_ENOMEM) give
 * CLI_STORAGE, everything else CLI_DATA. */
int cli_exit_code(int kehu_rc);

/* Prints "kehu: <what>: <kehu_errmsg(db)>" and returns the exit code. */
int cli_fail(kehu_db *db, int rc, const char *what);

/* ---- options ---------------------------------------------------------- */

/* One option of a command: "--name VALUE" (or "--name=VALUE") stores
 * VALUE in *value; a flag (value NULL) sets *flag to 1. */
typedef struct cli_opt {
	const char *name;
	const char **value;
	int *flag;
} cli_opt;

/*
 * Parses argv[1..] of a command against @p opts; the other arguments
 * are positional, stored in pos[0..max_pos).  Prints the usage error
 * itself.  Returns CLI_OK, CLI_HELP (--help or -h) or CLI_USAGE.
 */
int cli_parse_args(int argc, char **argv, const cli_opt *opts, size_t n,
                   const char **pos, size_t max_pos, size_t *npos,
                   const char *cmd);

/* Parses an int64 option value in [lo, hi]; CLI_OK or CLI_USAGE. */
int cli_parse_int_opt(const char *cmd, const char *name, const char *s,
                      int64_t lo, int64_t hi, int64_t *out);

/* ---- the db ----------------------------------------------------------- */

typedef struct cli_db {
	kehu_storage_file *fs;
	kehu_db *db;
	const char *path;
} cli_db;

/*
 * Opens the db at @p path (NULL: $KEHU_DB; ":memory:" for a private
 * in-memory store).  @p must_exist refuses to create a missing file
 * (commands that only read).  Returns an exit code; prints the error.
 */
int cli_db_open(cli_db *d, const char *path, int must_exist,
                const char *cmd);

/* Closes what cli_db_open opened (also after a failed open). */
void cli_db_close(cli_db *d);

/* ---- rules, times, money ---------------------------------------------- */

/* Compiles the rule set named by @p arg: NULL or "default" is the
 * default pack, anything else a file.  Returns an exit code. */
int cli_rules_open(kehu_rules **out, kehu_db *db, const char *arg);

/*
 * The time commands classify and value "as of": @p arg parsed as a date
 * (see cli_parse_time), or, when NULL, the time of the latest
 * interaction in the db (so that a file of old purchases is judged as
 * of its own end, not of today); 0 for an empty db.
 */
int cli_as_of(kehu_db *db, const char *arg, int64_t *out);

/*
 * Parses a date or time: YYYYMMDD, YYYY-MM-DD (noon local time: the
 * middle of the db's local day), YYYY-MM-DD[T ]HH:MM[:SS[.frac]] in
 * local time, or the same followed by Z or +HH:MM / -HH:MM.  Years
 * 1970..9999.  @p n bytes of @p s.  Returns 0 or -1.
 */
int cli_parse_time(const char *s, size_t n, int32_t utc_offset,
                   int64_t *out);

/*
 * Parses a non-negative decimal amount into minor units of a currency
 * with @p exponent decimals: "1234.5", "1234,50", "1.234,50",
 * "1,234.50".  A mark that occurs once is the decimal mark; one that
 * occurs several times groups digits; with both, the last is the
 * decimal mark.  Surrounding blanks allowed.
 * Returns 0, or -1 with a reason in *why.
 */
int cli_parse_amount(const char *s, size_t n, int32_t exponent,
                     int64_t *out, const char **why);

/* Formats minor units as a decimal number with @p exponent decimals. */
void cli_format_money(char *buf, size_t cap, int64_t minor,
                      int32_t exponent);

/* Formats a time as YYYY-MM-DD in the db's local time. */
void cli_format_date(char *buf, size_t cap, int64_t t, int32_t utc_offset);

/* Writes @p s as a JSON string literal. */
void cli_json_string(FILE *f, const char *s);

/* Reads a whole file into a malloc'd buffer (NUL-terminated).  Returns
 * an exit code and prints the error. */
int cli_read_file(const char *path, char **buf_out, size_t *len_out);

/* The customer named on the command line: its external key, or "#ID". */
int cli_customer_find(kehu_db *db, const char *arg, kehu_id *out);

/* The customer's external key, or "#ID" when it has none.  Returns a
 * library code. */
int cli_customer_key(kehu_db *db, kehu_id id, char *buf, size_t cap);

/* ---- labels ------------------------------------------------------------ */

/* Per classification: how many customers got each label, and their
 * revenue (lifetime and trailing 365 days, minor units). */
typedef struct cli_tally_row {
	char label[128];
	int64_t customers;
	int64_t revenue;
	int64_t revenue_365d;
} cli_tally_row;

typedef struct cli_tally {
	const char *name;
	cli_tally_row *rows;
	size_t n;
	size_t cap;
	int64_t customers;
	int64_t revenue;
} cli_tally;

/*
 * Runs classify-all of @p rules as of @p now (labels stored in the db)
 * and, when @p tallies is not NULL, counts the stored labels of every
 * classification of @p rules into tallies[0..classification_count),
 * each sorted by customers, most first.  Returns an exit code.
 */
int cli_classify(kehu_db *db, const kehu_rules *rules, int64_t now,
                 cli_tally *tallies);

/* Frees what cli_classify put into @p tallies. */
void cli_tallies_free(cli_tally *tallies, size_t n);

/* ---- value ------------------------------------------------------------- */

/* What the value models predict for one customer (major units). */
typedef struct cli_value_row {
	kehu_id id;
	double x, t_x, T;
	double p_alive;
	double expected_purchases;
	double expected_spend; /* NAN without a spend model */
	double clv;            /* NAN without CLV (no spend model) */
} cli_value_row;

typedef struct cli_value_opts {
	const char *purchase_model; /* stored name; NULL: bgnbd, else
	                               paretonbd */
	const char *spend_model;    /* NULL: gammagamma */
	int64_t horizon_days;       /* 365 */
	double discount_rate;       /* per 365 days, 0.10 */
	double margin_rate;         /* NAN: each customer's own */
} cli_value_opts;

/* Exit code of cli_value_compute when no purchase model is stored. */
#define CLI_NO_MODEL (-2)

/*
 * Predictions for every customer with a purchase on or before @p now,
 * in id order, with the db's stored models.  *rows_out is malloc'd.
 * Returns an exit code (printed), or CLI_NO_MODEL (not printed).
 */
int cli_value_compute(kehu_db *db, int64_t now, const cli_value_opts *o,
                      cli_value_row **rows_out, size_t *n_out);

/* Fits model @p kind ("bgnbd", "paretonbd", "gammagamma") as of @p end
 * in periods of @p period seconds, saves it as @p name (NULL: @p kind)
 * and prints it (@p verbose: every parameter).  Returns an exit code. */
int cli_fit_model(kehu_db *db, const char *kind, int64_t end,
                  int64_t period, const char *name, int verbose);

/* Classifies as of @p now and prints the report (and writes it as HTML
 * to @p html unless NULL).  Returns an exit code. */
int cli_report(kehu_db *db, const kehu_rules *rules, int64_t now,
               const char *html);

/* ---- commands (argv[0] is the command's name) --------------------------- */

int cli_cmd_import(int argc, char **argv);
int cli_cmd_customers(int argc, char **argv);
int cli_cmd_classify(int argc, char **argv);
int cli_cmd_explain(int argc, char **argv);
int cli_cmd_fit(int argc, char **argv);
int cli_cmd_value(int argc, char **argv);
int cli_cmd_query(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_demo(int argc, char **argv);

#endif /* KEHU_CLI_H */
