/*
 * cli/fit: `kehu fit`: fits a buy-till-you-die or spend model on the
 * db's purchases up to a calibration end, stores it by name, prints its
 * parameters and how the fit went.
 */
#include <math.h>
#include <string.h>

#include "cli/cli.h"

static const char help[] =
"usage: kehu fit --db PATH --model MODEL [options]\n"
"\n"
"Fits MODEL by maximum likelihood on every customer's purchase days up\n"
"to the calibration end, saves it in the db (under the model's name,\n"
"or --name) for `kehu value` and `kehu report`, and prints its\n"
"parameters, log-likelihood and convergence.\n"
"\n"
"models: bgnbd (BG/NBD), paretonbd (Pareto/NBD): purchase counts;\n"
"        gammagamma (Gamma-Gamma): spend per purchase day.\n"
"\n"
"options:\n"
"  --db PATH               the db (default $KEHU_DB)\n"
"  --model MODEL           bgnbd, paretonbd or gammagamma\n"
"  --calibration-end DATE  last day of the data fitted on (default:\n"
"                          the latest interaction in the db)\n"
"  --period UNIT           weeks (default) or days: the time unit of\n"
"                          the model's parameters\n"
"  --name NAME            store under NAME (default: the model's name)\n"
"\n"
"Exit codes: 0 ok, 1 usage, 2 data error (nothing to fit), 3 storage\n"
"error.\n";

static const char kinds[3][12] = {"bgnbd", "paretonbd", "gammagamma"};
static const char titles[3][12] = {"BG/NBD", "Pareto/NBD", "Gamma-Gamma"};

int cli_fit_model(kehu_db *db, const char *kind, int64_t end,
                  int64_t period, const char *name, int verbose)
{
	kehu_model *m;
	const char *warn;
	char date[16];
	size_t k, n = 0, i;
	int rc;

	for (k = 0; k < 3 && strcmp(kind, kinds[k]); k++)
		;
	if (k == 3) {
		cli_error("fit: --model is bgnbd, paretonbd or gammagamma, "
		          "not '%s'", kind);
		return CLI_USAGE;
	}
	rc = kehu_value_summaries(db, end, period, NULL, NULL, NULL, NULL,
	                          NULL, 0, &n);
	if (rc != KEHU_OK && rc != KEHU_EBUFS)
		return cli_fail(db, rc, "fit");
	rc = kehu_model_fit(&m, db, (int32_t)k + 1, end, period);
	if (rc != KEHU_OK)
		return cli_fail(db, rc, "fit");
	if ((rc = kehu_model_save(db, m, name ? name : kind)) != KEHU_OK) {
		kehu_model_free(m);
		return cli_fail(db, rc, "saving the model");
	}
	cli_format_date(date, sizeof date, end, kehu_db_get_utc_offset(db));
	if (verbose) {
		printf("%s (%s) on %s%zu customers, calibration end %s, "
		       "period %lld days\n", kinds[k], titles[k],
		       k == 2 ? "the repeat buyers among " : "", n, date,
		       (long long)(period / 86400));
		for (i = 0; i < kehu_model_param_count(m); i++)
			printf("  %-8s %12.6f\n", kehu_model_param_name(m, i),
			       kehu_model_get_param(m, i));
		printf("  log-likelihood %.4f\n", kehu_model_get_loglik(m));
		printf("  iterations %d, converged %s\n",
		       (int)kehu_model_get_iterations(m),
		       kehu_model_get_converged(m) ? "yes" : "NO");
	} else {
		printf("fitted %s on %s%zu customers (log-likelihood %.2f, "
		       "%s)\n", titles[k],
		       k == 2 ? "the repeat buyers among " : "", n,
		       kehu_model_get_loglik(m),
		       kehu_model_get_converged(m) ? "converged"
		                                   : "NOT converged");
	}
	if ((warn = kehu_model_get_warning(m, NULL)) != NULL)
		printf("  warning: %s\n", warn);
	if (verbose)
		printf("saved as \"%s\"\n", name ? name : kind);
	kehu_model_free(m);
	return CLI_OK;
}

int cli_cmd_fit(int argc, char **argv)
{
	const char *db_path = NULL, *model = NULL, *end_arg = NULL,
	           *period_arg = NULL, *name = NULL;
	int64_t end, period = INT64_C(604800); /* a week */
	size_t npos;
	cli_db d;
	int rc;
	const cli_opt opts[] = {
		{"db", &db_path, NULL},
		{"model", &model, NULL},
		{"calibration-end", &end_arg, NULL},
		{"period", &period_arg, NULL},
		{"name", &name, NULL},
	};

	rc = cli_parse_args(argc, argv, opts, sizeof opts / sizeof opts[0],
	                    NULL, 0, &npos, "fit");
	if (rc == CLI_HELP) {
		fputs(help, stdout);
		return CLI_OK;
	}
	if (rc != CLI_OK)
		return rc;
	if (!model) {
		cli_error("fit: which model? --model bgnbd, paretonbd or "
		          "gammagamma");
		return CLI_USAGE;
	}
	if (period_arg && !strcmp(period_arg, "days")) {
		period = INT64_C(86400);
	} else if (period_arg && strcmp(period_arg, "weeks") != 0) {
		cli_error("fit: --period is weeks or days, not '%s'",
		          period_arg);
		return CLI_USAGE;
	}
	if ((rc = cli_db_open(&d, db_path, 1, "fit")) == CLI_OK &&
	    (rc = cli_as_of(d.db, end_arg, &end)) == CLI_OK)
		rc = cli_fit_model(d.db, model, end, period, name, 1);
	cli_db_close(&d);
	return rc;
}
