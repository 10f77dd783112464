/*
 * cli/value: `kehu value`: per customer, from the stored value models:
 * P(alive), predicted purchase days over a horizon, expected spend and
 * customer lifetime value; and the computation `report` shares.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char help[] =
"usage: kehu value --db PATH [options]\n"
"\n"
"For every customer with purchases: repeat purchase days x, recency\n"
"t_x and age T (in the model's periods), P(alive), the purchase days\n"
"expected over the horizon, the expected spend per purchase day\n"
"(Gamma-Gamma) and the customer lifetime value: the discounted\n"
"expected margin minus expected cost plus referral value.  Uses the\n"
"models `kehu fit` stored.\n"
"\n"
"options:\n"
"  --db PATH        the db (default $KEHU_DB)\n"
"  --as-of DATE     as of DATE (default: the latest interaction)\n"
"  --model NAME     the stored purchase model (default: bgnbd, else\n"
"                   paretonbd)\n"
"  --spend NAME     the stored spend model (default: gammagamma)\n"
"  --horizon DAYS   prediction horizon (default 365)\n"
"  --discount RATE  annual discount rate (default 0.10)\n"
"  --margin RATE    margin as a fraction of revenue (default: each\n"
"                   customer's own historic margin)\n"
"  --top N          only the N customers of highest value\n"
"  --format F       table (default), csv or json\n"
"\n"
"Exit codes: 0 ok, 1 usage, 2 data error (no model: run kehu fit),\n"
"3 storage error.\n";

static int load(kehu_db *db, const char *name, kehu_model **out)
{
	int rc = kehu_model_load(out, db, name);

	if (rc != KEHU_OK && rc != KEHU_ENOTFOUND)
		return cli_fail(db, rc, name);
	return rc == KEHU_OK ? CLI_OK : CLI_NO_MODEL;
}

#ifdef KEHU_CLI_HAVE_CLV
static int with_clv(kehu_db *db, int64_t now, const cli_value_opts *o,
                    const kehu_model *p, const kehu_model *s,
                    cli_value_row *rows, size_t n)
{
	kehu_clv_options co;
	kehu_clv v;
	size_t i;
	int rc;

	if ((rc = kehu_db_set_value_models(db, p, s)) != KEHU_OK)
		return cli_fail(db, rc, "value models");
	kehu_clv_options_init(&co, KEHU_CLV_OPTIONS_VERSION);
	co.horizon_seconds = o->horizon_days * 86400;
	co.annual_discount_rate = o->discount_rate;
	co.margin_rate = o->margin_rate;
	for (i = 0; i < n; i++) {
		memset(&v, 0, sizeof v);
		v.version = KEHU_CLV_VERSION;
		rc = kehu_customer_clv(&v, db, rows[i].id, now, &co);
		if (rc != KEHU_OK)
			return cli_fail(db, rc, "clv");
		rows[i].clv = v.clv;
	}
	return CLI_OK;
}
#endif

int cli_value_compute(kehu_db *db, int64_t now, const cli_value_opts *o,
                      cli_value_row **rows_out, size_t *n_out)
{
	kehu_model *p = NULL, *s = NULL;
	kehu_id *id = NULL;
	double *x = NULL, *tx = NULL, *T = NULL, *z = NULL, h;
	cli_value_row *rows = NULL;
	size_t n = 0, i;
	int64_t period;
	int rc;

	*rows_out = NULL;
	*n_out = 0;
	if (o->purchase_model)
		rc = load(db, o->purchase_model, &p);
	else if ((rc = load(db, "bgnbd", &p)) == CLI_NO_MODEL)
		rc = load(db, "paretonbd", &p);
	if (rc != CLI_OK)
		return rc;
	if ((rc = load(db, o->spend_model ? o->spend_model : "gammagamma",
	               &s)) == CLI_NO_MODEL)
		rc = CLI_OK;
	if (rc != CLI_OK)
		goto out;
	period = kehu_model_get_period(p);
	rc = kehu_value_summaries(db, now, period, NULL, NULL, NULL, NULL,
	                          NULL, 0, &n);
	if (rc != KEHU_OK && rc != KEHU_EBUFS) {
		rc = cli_fail(db, rc, "summaries");
		goto out;
	}
	id = calloc(n + 1, sizeof *id);
	x = calloc(n + 1, sizeof *x);
	tx = calloc(n + 1, sizeof *tx);
	T = calloc(n + 1, sizeof *T);
	z = calloc(n + 1, sizeof *z);
	rows = calloc(n + 1, sizeof *rows);
	if (!id || !x || !tx || !T || !z || !rows) {
		cli_error("out of memory");
		rc = CLI_STORAGE;
		goto out;
	}
	if (n && (rc = kehu_value_summaries(db, now, period, id, x, tx, T, z,
	                                   n, &n)) != KEHU_OK) {
		rc = cli_fail(db, rc, "summaries");
		goto out;
	}
	h = (double)o->horizon_days * 86400.0 / (double)period;
	for (i = 0; i < n; i++) {
		cli_value_row *r = &rows[i];

		r->id = id[i];
		r->x = x[i];
		r->t_x = tx[i];
		r->T = T[i];
		r->expected_spend = NAN;
		r->clv = NAN;
		if ((rc = kehu_model_p_alive(p, x[i], tx[i], T[i],
		                             &r->p_alive)) != KEHU_OK ||
		    (rc = kehu_model_expected_purchases(
		             p, x[i], tx[i], T[i], h, 0,
		             &r->expected_purchases)) != KEHU_OK ||
		    (s && (rc = kehu_model_expected_spend(
		                  s, x[i], z[i], &r->expected_spend)) != 0)) {
			rc = cli_fail(db, rc, "prediction");
			goto out;
		}
	}
	rc = CLI_OK;
#ifdef KEHU_CLI_HAVE_CLV
	if (s)
		rc = with_clv(db, now, o, p, s, rows, n);
#endif
out:
	if (rc == CLI_OK) {
		*rows_out = rows;
		*n_out = n;
	} else {
		free(rows);
	}
	free(id);
	free(x);
	free(tx);
	free(T);
	free(z);
	kehu_model_free(p);
	kehu_model_free(s);
	return rc;
}

static int by_value(const void *a, const void *b)
{
	const cli_value_row *x = a, *y = b;
	double vx = isnan(x->clv) ? x->expected_purchases : x->clv;
	double vy = isnan(y->clv) ? y->expected_purchases : y->clv;

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void num(char *buf, size_t cap, double v, const char *none)
{
	if (isnan(v))
		snprintf(buf, cap, "%s", none);
	else
		snprintf(buf, cap, "%.2f", v);
}

static int print_rows(kehu_db *db, const cli_value_row *rows, size_t n,
                      const char *format)
{
	size_t i;
	char key[300], spend[32], clv[32];
	int rc;

	if (!strcmp(format, "table"))
		printf("%-16s %6s %8s %8s %8s %10s %9s %10s\n", "customer",
		       "x", "t_x", "T", "p_alive", "purchases", "spend",
		       "clv");
	else if (!strcmp(format, "csv"))
		puts("customer,x,t_x,T,p_alive,expected_purchases,"
		     "expected_spend,clv");
	else
		fputs("[", stdout);
	for (i = 0; i < n; i++) {
		const cli_value_row *r = &rows[i];
		int json = !strcmp(format, "json");

		if ((rc = cli_customer_key(db, r->id, key, sizeof key)))
			return cli_fail(db, rc, "customer");
		num(spend, sizeof spend, r->expected_spend,
		    json ? "null" : "-");
		num(clv, sizeof clv, r->clv, json ? "null" : "-");
		if (!strcmp(format, "table")) {
			printf("%-16s %6.0f %8.2f %8.2f %8.4f %10.4f %9s "
			       "%10s\n", key, r->x, r->t_x, r->T, r->p_alive,
			       r->expected_purchases, spend, clv);
		} else if (!json) {
			printf("%s,%.0f,%.4f,%.4f,%.6f,%.6f,%s,%s\n", key, r->x,
			       r->t_x, r->T, r->p_alive, r->expected_purchases,
			       spend, clv);
		} else {
			printf("%s\n  {\"customer\": ", i ? "," : "");
			cli_json_string(stdout, key);
			printf(", \"x\": %.0f, \"t_x\": %.4f, \"T\": %.4f, "
			       "\"p_alive\": %.6f, \"expected_purchases\": "
			       "%.6f, \"expected_spend\": %s, \"clv\": %s}",
			       r->x, r->t_x, r->T, r->p_alive,
			       r->expected_purchases, spend, clv);
		}
	}
	if (!strcmp(format, "json"))
		fputs("\n]\n", stdout);
	return CLI_OK;
}

int cli_cmd_value(int argc, char **argv)
{
	const char *db_path = NULL, *as_of = NULL, *horizon = NULL,
	           *discount = NULL, *margin = NULL, *top = NULL,
	           *format = "table";
	cli_value_opts o;
	cli_value_row *rows = NULL;
	int64_t now, ntop = -1;
	size_t npos, n = 0;
	char *end;
	cli_db d;
	int rc;
	const cli_opt opts[] = {
		{"db", &db_path, NULL},
		{"as-of", &as_of, NULL},
		{"model", &o.purchase_model, NULL},
		{"spend", &o.spend_model, NULL},
		{"horizon", &horizon, NULL},
		{"discount", &discount, NULL},
		{"margin", &margin, NULL},
		{"top", &top, NULL},
		{"format", &format, NULL},
	};

	memset(&o, 0, sizeof o);
	o.horizon_days = 365;
	o.discount_rate = 0.10;
	o.margin_rate = NAN;
	rc = cli_parse_args(argc, argv, opts, sizeof opts / sizeof opts[0],
	                    NULL, 0, &npos, "value");
	if (rc == CLI_HELP) {
		fputs(help, stdout);
		return CLI_OK;
	}
	if (rc != CLI_OK)
		return rc;
	if ((horizon && (rc = cli_parse_int_opt("value", "horizon", horizon,
	                                        1, 36500,
	                                        &o.horizon_days))) ||
	    (top && (rc = cli_parse_int_opt("value", "top", top, 0,
	                                    INT32_MAX, &ntop))))
		return rc;
	if (discount && ((o.discount_rate = strtod(discount, &end)) < 0 ||
	                 *end || end == discount || !(o.discount_rate < 10))) {
		cli_error("value: --discount wants a rate such as 0.1, not "
		          "'%s'", discount);
		return CLI_USAGE;
	}
	if (margin && ((o.margin_rate = strtod(margin, &end)) < 0 || *end ||
	               end == margin || !(o.margin_rate <= 1))) {
		cli_error("value: --margin wants a fraction 0..1, not '%s'",
		          margin);
		return CLI_USAGE;
	}
	if (strcmp(format, "table") && strcmp(format, "csv") &&
	    strcmp(format, "json")) {
		cli_error("value: --format is table, csv or json, not '%s'",
		          format);
		return CLI_USAGE;
	}
	if ((rc = cli_db_open(&d, db_path, 1, "value")) != CLI_OK ||
	    (rc = cli_as_of(d.db, as_of, &now)) != CLI_OK)
		goto out;
	rc = cli_value_compute(d.db, now, &o, &rows, &n);
	if (rc == CLI_NO_MODEL) {
		cli_error("value: no purchase model in the db (run kehu fit "
		          "--model bgnbd, and --model gammagamma for CLV)");
		rc = CLI_DATA;
	}
	if (rc != CLI_OK)
		goto out;
	if (ntop >= 0) {
		qsort(rows, n, sizeof *rows, by_value);
		if ((size_t)ntop < n)
			n = (size_t)ntop;
	}
	rc = print_rows(d.db, rows, n, format);
out:
	free(rows);
	cli_db_close(&d);
	return rc;
}
