/*
 * cli/report: `kehu report`: the one-page summary: customers by
 * lifecycle, importance and RFM segment, revenue concentration, revenue
 * at risk, the top 10 customers by value; as text, and with --html as a
 * self-contained page with inline-SVG bar charts (no script, no
 * external file).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const char help[] =
"usage: kehu report --db PATH [options]\n"
"\n"
"Classifies every customer (labels stored, as kehu classify) and\n"
"prints a one-page summary: customers by lifecycle, importance and RFM\n"
"segment with their revenue share, revenue concentration (the share of\n"
"the top 20% of buyers), revenue at risk (last-365-day revenue of\n"
"customers whose lifecycle is at_risk) and the top 10 customers by\n"
"CLV (by predicted purchases without a spend model, by revenue without\n"
"any model: see kehu fit).\n"
"\n"
"options:\n"
"  --db PATH      the db (default $KEHU_DB)\n"
"  --rules FILE   a rule set file, or `default` (the default pack)\n"
"  --as-of DATE   as of DATE (default: the latest interaction)\n"
"  --html FILE    also write the report as a self-contained HTML page\n"
"\n"
"Exit codes: 0 ok, 1 usage, 2 data error, 3 storage error (also when\n"
"the HTML file cannot be written).\n";

/* The classifications shown, when the rule set has them. */
static const char shown[3][16] = {"lifecycle", "importance",
                                  "rfm_segment"};

typedef struct top_row {
	kehu_id id;
	char key[300];
	int64_t revenue;
	double p_alive, purchases, clv;
} top_row;

typedef struct report {
	kehu_db *db;
	const char *db_path;
	char date[16];
	int32_t exp;
	int64_t customers, buyers, top_n;
	int64_t revenue, revenue_365d, top_revenue;
	int64_t at_risk_revenue, at_risk_customers;
	cli_tally *t;
	size_t nt;
	size_t show[3];
	size_t nshow;
	top_row top[10];
	size_t ntop;
	int rank_by; /* 0 revenue, 1 predicted purchases, 2 CLV */
	int64_t *rev;
	size_t nrev, caprev;
	int64_t now;
	int rc;
} report;

static const char rank_titles[3][24] = {"revenue", "predicted purchases",
                                        "CLV"};

static int collect(kehu_id id, void *user_data)
{
	report *r = user_data;
	kehu_metrics m;

	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	if ((r->rc = kehu_metrics_read(&m, r->db, id, r->now)) != KEHU_OK)
		return 1;
	r->customers++;
	r->revenue += m.revenue;
	r->revenue_365d += m.revenue_365d;
	if (m.purchases > 0) {
		if (r->nrev == r->caprev) {
			size_t cap = r->caprev ? r->caprev * 2 : 1024;
			int64_t *p = realloc(r->rev, cap * sizeof *p);

			if (!p) {
				r->rc = KEHU_ENOMEM;
				return 1;
			}
			r->rev = p;
			r->caprev = cap;
		}
		r->rev[r->nrev++] = m.revenue;
		r->buyers++;
	}
	return 0;
}

static int desc64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x > y ? -1 : x < y;
}

static int top_by_revenue(kehu_id id, void *user_data)
{
	report *r = user_data;
	kehu_metrics m;
	size_t i;

	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	if ((r->rc = kehu_metrics_read(&m, r->db, id, r->now)) != KEHU_OK)
		return 1;
	if (m.purchases == 0)
		return 0;
	for (i = r->ntop < 10 ? r->ntop++ : 10;
	     i > 0 && r->top[i - 1].revenue < m.revenue; i--)
		if (i < 10)
			r->top[i] = r->top[i - 1];
	if (i < 10) {
		memset(&r->top[i], 0, sizeof r->top[i]);
		r->top[i].id = id;
		r->top[i].revenue = m.revenue;
		r->top[i].p_alive = r->top[i].purchases = NAN;
		r->top[i].clv = NAN;
	}
	return 0;
}

static int cmp_value(const void *a, const void *b)
{
	const cli_value_row *x = a, *y = b;
	double vx = isnan(x->clv) ? x->expected_purchases : x->clv;
	double vy = isnan(y->clv) ? y->expected_purchases : y->clv;

	if (vx != vy)
		return vx > vy ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int fill_top(report *r, int64_t now)
{
	cli_value_opts o;
	cli_value_row *rows;
	size_t n, i;
	int rc;

	memset(&o, 0, sizeof o);
	o.horizon_days = 365;
	o.discount_rate = 0.10;
	o.margin_rate = NAN;
	rc = cli_value_compute(r->db, now, &o, &rows, &n);
	if (rc == CLI_NO_MODEL) {
		r->rank_by = 0;
		r->rc = KEHU_OK;
		if (kehu_customer_foreach(r->db, top_by_revenue, r) != 0)
			return cli_fail(r->db, r->rc, "report");
	} else if (rc != CLI_OK) {
		return rc;
	} else {
		qsort(rows, n, sizeof *rows, cmp_value);
		r->rank_by = n && !isnan(rows[0].clv) ? 2 : 1;
		for (i = 0; i < n && i < 10; i++) {
			kehu_metrics m;

			kehu_metrics_init(&m, KEHU_METRICS_VERSION);
			if ((rc = kehu_metrics_read(&m, r->db, rows[i].id,
			                            now)) != KEHU_OK) {
				free(rows);
				return cli_fail(r->db, rc, "report");
			}
			r->top[i].id = rows[i].id;
			r->top[i].revenue = m.revenue;
			r->top[i].p_alive = rows[i].p_alive;
			r->top[i].purchases = rows[i].expected_purchases;
			r->top[i].clv = rows[i].clv;
		}
		r->ntop = i;
		free(rows);
	}
	for (i = 0; i < r->ntop; i++)
		if ((rc = cli_customer_key(r->db, r->top[i].id, r->top[i].key,
		                           sizeof r->top[i].key)) != KEHU_OK)
			return cli_fail(r->db, rc, "report");
	return CLI_OK;
}

static double pct(int64_t part, int64_t all)
{
	return all ? 100.0 * (double)part / (double)all : 0.0;
}

static const char *money(const report *r, char *buf, size_t cap,
                         int64_t v)
{
	cli_format_money(buf, cap, v, r->exp);
	return buf;
}

static void num(char *buf, size_t cap, double v)
{
	if (isnan(v))
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%.2f", v);
}

static void print_text(const report *r, FILE *f)
{
	char a[48], b[48];
	size_t k, i;

	fprintf(f, "libkehu report: %lld customers (%lld with purchases), "
	        "as of %s\n", (long long)r->customers, (long long)r->buyers,
	        r->date);
	fprintf(f, "revenue %s, of which %s in the last 365 days\n",
	        money(r, a, sizeof a, r->revenue),
	        money(r, b, sizeof b, r->revenue_365d));
	fprintf(f, "revenue concentration: the top 20%% of buyers (%lld) "
	        "bring %.1f%% of revenue\n", (long long)r->top_n,
	        pct(r->top_revenue, r->revenue));
	fprintf(f, "revenue at risk: %s (last 365 days) from %lld at_risk "
	        "customers\n", money(r, a, sizeof a, r->at_risk_revenue),
	        (long long)r->at_risk_customers);
	for (k = 0; k < r->nshow; k++) {
		const cli_tally *t = &r->t[r->show[k]];

		fprintf(f, "\n%-20s %9s %7s %9s\n", t->name, "customers",
		        "share", "revenue");
		for (i = 0; i < t->n; i++)
			fprintf(f, "  %-18s %9lld %6.1f%% %8.1f%%\n",
			        t->rows[i].label,
			        (long long)t->rows[i].customers,
			        pct(t->rows[i].customers, t->customers),
			        pct(t->rows[i].revenue, t->revenue));
	}
	fprintf(f, "\ntop %zu customers by %s\n", r->ntop,
	        rank_titles[r->rank_by]);
	if (r->ntop)
		fprintf(f, "  %-16s %12s %8s %10s %12s\n", "customer",
		        "revenue", "p_alive", "purchases", "clv");
	for (i = 0; i < r->ntop; i++) {
		char p[32], e[32], c[32];

		num(p, sizeof p, r->top[i].p_alive);
		num(e, sizeof e, r->top[i].purchases);
		num(c, sizeof c, r->top[i].clv);
		fprintf(f, "  %-16s %12s %8s %10s %12s\n", r->top[i].key,
		        money(r, a, sizeof a, r->top[i].revenue), p, e, c);
	}
	if (r->rank_by == 0)
		fprintf(f, "  (no value model in the db: kehu fit --model "
		        "bgnbd and --model gammagamma give CLV)\n");
#ifndef KEHU_CLI_HAVE_CLV
	else
		fprintf(f, "  (this build has no CLV: ranked by predicted "
		        "purchases over 365 days)\n");
#endif
}

static void html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s, f);
	}
}

static const char css[] =
"body{font-family:sans-serif;max-width:60em;margin:2em auto;"
"color:#222}\n"
"h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}\n"
"table{border-collapse:collapse}td,th{padding:2px 10px;"
"text-align:right}td:first-child,th:first-child{text-align:left}\n"
"th{border-bottom:1px solid #999}.fig{font-size:1.2em}\n";

/* A horizontal bar chart of a tally's customer shares. */
static void html_bars(FILE *f, const cli_tally *t)
{
	size_t i;
	int64_t max = 1;

	for (i = 0; i < t->n; i++)
		if (t->rows[i].customers > max)
			max = t->rows[i].customers;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" "
	        "height=\"%zu\" role=\"img\" aria-label=\"", t->n * 24 + 8);
	html_text(f, t->name);
	fputs("\">\n", f);
	for (i = 0; i < t->n; i++) {
		const cli_tally_row *r = &t->rows[i];
		double w = 400.0 * (double)r->customers / (double)max;

		fprintf(f, "<text x=\"150\" y=\"%zu\" text-anchor=\"end\" "
		        "font-size=\"13\">", i * 24 + 20);
		html_text(f, r->label);
		fprintf(f, "</text><rect x=\"158\" y=\"%zu\" width=\"%.1f\" "
		        "height=\"18\" fill=\"#4a7ab5\"/>", i * 24 + 6, w);
		fprintf(f, "<text x=\"%.1f\" y=\"%zu\" font-size=\"12\">"
		        "%lld (%.1f%%)</text>\n", 164 + w, i * 24 + 20,
		        (long long)r->customers,
		        pct(r->customers, t->customers));
	}
	fputs("</svg>\n", f);
}

static int write_html(const report *r, const char *path)
{
	FILE *f = fopen(path, "w");
	char a[48], b[48];
	double share;
	size_t k, i;

	if (!f) {
		cli_error("report: cannot write %s", path);
		return CLI_STORAGE;
	}
	share = pct(r->top_revenue, r->revenue);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	        "<meta charset=\"utf-8\">\n<title>libkehu report, as of %s"
	        "</title>\n<style>\n%s</style>\n</head>\n<body>\n"
	        "<h1>libkehu report, as of %s</h1>\n", r->date, css, r->date);
	fprintf(f, "<p class=\"fig\">%lld customers, %lld with purchases; "
	        "revenue %s (last 365 days: %s)</p>\n",
	        (long long)r->customers, (long long)r->buyers,
	        money(r, a, sizeof a, r->revenue),
	        money(r, b, sizeof b, r->revenue_365d));
	fprintf(f, "<h2>Revenue concentration</h2>\n<p>The top 20%% of "
	        "buyers (%lld) bring %.1f%% of revenue.</p>\n",
	        (long long)r->top_n, share);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" "
	        "height=\"40\" role=\"img\" aria-label=\"concentration\">"
	        "<rect x=\"0\" y=\"4\" width=\"%.1f\" height=\"24\" "
	        "fill=\"#c0504d\"/><rect x=\"%.1f\" y=\"4\" width=\"%.1f\" "
	        "height=\"24\" fill=\"#9bbb59\"/><text x=\"6\" y=\"21\" "
	        "font-size=\"13\" fill=\"#fff\">top 20%%: %.1f%%</text>"
	        "</svg>\n", 6.4 * share, 6.4 * share, 640 - 6.4 * share,
	        share);
	fprintf(f, "<h2>Revenue at risk</h2>\n<p>%s over the last 365 days "
	        "from %lld customers whose lifecycle is at_risk.</p>\n",
	        money(r, a, sizeof a, r->at_risk_revenue),
	        (long long)r->at_risk_customers);
	for (k = 0; k < r->nshow; k++) {
		const cli_tally *t = &r->t[r->show[k]];

		fputs("<h2>Customers by ", f);
		html_text(f, t->name);
		fputs("</h2>\n", f);
		html_bars(f, t);
		fputs("<table>\n<tr><th>label</th><th>customers</th>"
		      "<th>share</th><th>revenue share</th></tr>\n", f);
		for (i = 0; i < t->n; i++) {
			fputs("<tr><td>", f);
			html_text(f, t->rows[i].label);
			fprintf(f, "</td><td>%lld</td><td>%.1f%%</td>"
			        "<td>%.1f%%</td></tr>\n",
			        (long long)t->rows[i].customers,
			        pct(t->rows[i].customers, t->customers),
			        pct(t->rows[i].revenue, t->revenue));
		}
		fputs("</table>\n", f);
	}
	fprintf(f, "<h2>Top %zu customers by %s</h2>\n<table>\n<tr><th>"
	        "customer</th><th>revenue</th><th>P(alive)</th><th>"
	        "purchases (365 days)</th><th>CLV</th></tr>\n", r->ntop,
	        rank_titles[r->rank_by]);
	for (i = 0; i < r->ntop; i++) {
		char p[32], e[32], c[32];

		num(p, sizeof p, r->top[i].p_alive);
		num(e, sizeof e, r->top[i].purchases);
		num(c, sizeof c, r->top[i].clv);
		fputs("<tr><td>", f);
		html_text(f, r->top[i].key);
		fprintf(f, "</td><td>%s</td><td>%s</td><td>%s</td><td>%s"
		        "</td></tr>\n", money(r, a, sizeof a,
		                              r->top[i].revenue), p, e, c);
	}
	fprintf(f, "</table>\n<p><small>libkehu %s</small></p>\n"
	        "</body>\n</html>\n", kehu_version());
	if (fclose(f) != 0) {
		cli_error("report: cannot write %s", path);
		return CLI_STORAGE;
	}
	return CLI_OK;
}

int cli_report(kehu_db *db, const kehu_rules *rules, int64_t now,
               const char *html)
{
	report r;
	size_t k, i, j;
	int rc;

	memset(&r, 0, sizeof r);
	r.db = db;
	r.now = now;
	r.exp = kehu_db_get_currency_exponent(db);
	cli_format_date(r.date, sizeof r.date, now,
	                kehu_db_get_utc_offset(db));
	r.nt = kehu_rules_classification_count(rules);
	if (!(r.t = calloc(r.nt ? r.nt : 1, sizeof *r.t))) {
		cli_error("out of memory");
		return CLI_STORAGE;
	}
	if ((rc = cli_classify(db, rules, now, r.t)) != CLI_OK)
		goto out;
	for (j = 0; j < 3; j++)
		for (k = 0; k < r.nt; k++)
			if (!strcmp(r.t[k].name, shown[j]))
				r.show[r.nshow++] = k;
	for (k = 0; r.nshow == 0 && k < r.nt && k < 3; k++)
		r.show[k] = k;
	if (r.nshow == 0)
		r.nshow = r.nt < 3 ? r.nt : 3;
	for (k = 0; k < r.nt; k++)
		if (!strcmp(r.t[k].name, "lifecycle"))
			for (i = 0; i < r.t[k].n; i++)
				if (!strcmp(r.t[k].rows[i].label, "at_risk")) {
					r.at_risk_revenue =
						r.t[k].rows[i].revenue_365d;
					r.at_risk_customers =
						r.t[k].rows[i].customers;
				}
	if (kehu_customer_foreach(db, collect, &r) != KEHU_OK) {
		rc = r.rc == KEHU_ENOMEM ? (cli_error("out of memory"),
		                            CLI_STORAGE)
		                         : cli_fail(db, r.rc, "report");
		goto out;
	}
	qsort(r.rev, r.nrev, sizeof *r.rev, desc64);
	r.top_n = ((int64_t)r.nrev + 4) / 5;
	for (i = 0; i < (size_t)r.top_n; i++)
		r.top_revenue += r.rev[i];
	if ((rc = fill_top(&r, now)) != CLI_OK)
		goto out;
	print_text(&r, stdout);
	if (html && (rc = write_html(&r, html)) == CLI_OK)
		printf("\nwrote %s\n", html);
out:
	cli_tallies_free(r.t, r.nt);
	free(r.t);
	free(r.rev);
	return rc;
}

int cli_cmd_report(int argc, char **argv)
{
	const char *db_path = NULL, *rules_arg = NULL, *as_of = NULL,
	           *html = NULL;
	kehu_rules *rules = NULL;
	int64_t now;
	size_t npos;
	cli_db d;
	int rc;
	const cli_opt opts[] = {
		{"db", &db_path, NULL},
		{"rules", &rules_arg, NULL},
		{"as-of", &as_of, NULL},
		{"html", &html, NULL},
	};

	rc = cli_parse_args(argc, argv, opts, sizeof opts / sizeof opts[0],
	                    NULL, 0, &npos, "report");
	if (rc == CLI_HELP) {
		fputs(help, stdout);
		return CLI_OK;
	}
	if (rc != CLI_OK)
		return rc;
	if ((rc = cli_db_open(&d, db_path, 1, "report")) == CLI_OK &&
	    (rc = cli_rules_open(&rules, d.db, rules_arg)) == CLI_OK &&
	    (rc = cli_as_of(d.db, as_of, &now)) == CLI_OK)
		rc = cli_report(d.db, rules, now, html);
	kehu_rules_free(rules);
	cli_db_close(&d);
	return rc;
}
