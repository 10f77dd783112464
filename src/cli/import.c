/*
 * cli/import: `kehu import`'s engine: rows of a purchase or interaction
 * file become customers (created on first sight), accounts (by name)
 * and recorded interactions, one transaction per batch.  A bad row is
 * reported as FILE:LINE: reason and skipped, or, strict, stops the
 * import with the whole transaction rolled back.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/csv.h"
#include "cli/import.h"

enum { C_CUSTOMER, C_DATE, C_AMOUNT, C_TYPE, C_COST, C_ACCOUNT,
       C_SATISFACTION, C_CHANNEL, C_COUNT };

/* Header names recognised when no column is named (first match wins). */
static const char default_names[C_COUNT][6][16] = {
	{"customer", "customer_id", "customer_key", "key", "id", ""},
	{"date", "time", "timestamp", "order_date", "datetime", ""},
	{"amount", "value", "dollar_value", "sales", "revenue", "total"},
	{"type", "", "", "", "", ""},
	{"cost", "", "", "", "", ""},
	{"account", "", "", "", "", ""},
	{"satisfaction", "", "", "", "", ""},
	{"channel", "", "", "", "", ""},
};

static const char option_names[C_COUNT][16] = {
	"customer", "date", "amount", "type", "cost", "account",
	"satisfaction", "channel"};

typedef struct account_entry {
	char *name;
	kehu_id id;
} account_entry;

typedef struct importer {
	kehu_db *db;
	const kehu_cli_import_options *o;
	kehu_cli_import_stats *st;
	const char *name;
	FILE *err;
	cli_reader r;
	/* Column index per field; -1 absent.  Whitespace format: a
	 * negative value -k counts from the end (-1 the last). */
	long col[C_COUNT];
	int have[C_COUNT];
	int ws;
	int32_t exponent;
	int32_t utc;
	char last_key[KEHU_MAX_KEY_BYTES + 1];
	kehu_id last_id;
	int last_is_customer;
	account_entry *acc;
	size_t nacc;
	size_t acc_cap;
} importer;

static void bad_row(importer *im, const char *fmt, ...) CLI_PRINTF(2, 3);

static void bad_row(importer *im, const char *fmt, ...)
{
	va_list ap;

	if (!im->err)
		return;
	fprintf(im->err, "%s:%ld: ", im->name, im->r.line);
	va_start(ap, fmt);
	vfprintf(im->err, fmt, ap);
	va_end(ap);
	fputc('\n', im->err);
}

static int is_storage(int rc)
{
	return cli_exit_code(rc) == CLI_STORAGE;
}

static int name_eq(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b), i;

	while (an > 0 && (a[an - 1] == ' ' || a[an - 1] == '\r'))
		an--;
	while (an > 0 && *a == ' ') {
		a++;
		an--;
	}
	if (an != bn)
		return 0;
	for (i = 0; i < an; i++)
		if (tolower((unsigned char)a[i]) !=
		    tolower((unsigned char)b[i]))
			return 0;
	return 1;
}

static int map_header(importer *im)
{
	const char *given[C_COUNT];
	size_t k, i, j;

	given[C_CUSTOMER] = im->o->col_customer;
	given[C_DATE] = im->o->col_date;
	given[C_AMOUNT] = im->o->col_amount;
	given[C_TYPE] = im->o->col_type;
	given[C_COST] = im->o->col_cost;
	given[C_ACCOUNT] = im->o->col_account;
	given[C_SATISFACTION] = im->o->col_satisfaction;
	given[C_CHANNEL] = im->o->col_channel;
	for (k = 0; k < C_COUNT; k++) {
		im->col[k] = -1;
		for (i = 0; i < im->r.nf && im->col[k] < 0; i++) {
			const cli_field *f = &im->r.f[i];

			if (given[k]) {
				if (name_eq(f->p, f->n, given[k]))
					im->col[k] = (long)i;
				continue;
			}
			for (j = 0; j < 6 && default_names[k][j][0]; j++)
				if (name_eq(f->p, f->n, default_names[k][j]))
					im->col[k] = (long)i;
		}
		if (given[k] && im->col[k] < 0) {
			if (im->err)
				fprintf(im->err, "%s:%ld: no column '%s' "
				        "(--%s) in the header\n", im->name,
				        im->r.line, given[k],
				        option_names[k]);
			return CLI_DATA;
		}
		im->have[k] = im->col[k] >= 0;
	}
	if (!im->have[C_CUSTOMER] || !im->have[C_DATE] ||
	    (!im->have[C_AMOUNT] && !im->have[C_TYPE])) {
		if (im->err)
			fprintf(im->err, "%s:%ld: the header names no %s "
			        "column (name it with --%s)\n", im->name,
			        im->r.line,
			        !im->have[C_CUSTOMER] ? "customer"
			        : !im->have[C_DATE] ? "date" : "amount",
			        !im->have[C_CUSTOMER] ? "customer"
			        : !im->have[C_DATE] ? "date" : "amount");
		return CLI_DATA;
	}
	return CLI_OK;
}

static int ws_column(importer *im, int k, const char *spec, long dflt)
{
	char *end;
	long v;

	im->have[k] = 1;
	im->col[k] = dflt;
	if (!spec)
		return CLI_OK;
	v = strtol(spec, &end, 10);
	if (end == spec || *end || v < 1 || v > 1000) {
		if (im->err)
			fprintf(im->err, "%s: --%s: the whitespace format "
			        "names columns by number (1, 2, ...), not "
			        "'%s'\n", im->name, option_names[k], spec);
		return CLI_USAGE;
	}
	im->col[k] = v - 1;
	return CLI_OK;
}

static int setup_ws(importer *im)
{
	const kehu_cli_import_options *o = im->o;
	int rc;

	if (o->col_type || o->col_cost || o->col_account ||
	    o->col_satisfaction || o->col_channel) {
		if (im->err)
			fprintf(im->err, "%s: the whitespace format has "
			        "customer, date and amount columns only\n",
			        im->name);
		return CLI_USAGE;
	}
	if ((rc = ws_column(im, C_CUSTOMER, o->col_customer, 0)) ||
	    (rc = ws_column(im, C_DATE, o->col_date, -3)) ||
	    (rc = ws_column(im, C_AMOUNT, o->col_amount, -1)))
		return rc;
	im->have[C_TYPE] = im->have[C_COST] = im->have[C_ACCOUNT] = 0;
	im->have[C_SATISFACTION] = im->have[C_CHANNEL] = 0;
	return CLI_OK;
}

/* The field of column k in the current row, or NULL when the row is
 * too short (*short_row set) or the column is absent. */
static const cli_field *field(importer *im, int k, int *short_row)
{
	long i = im->col[k];

	if (!im->have[k])
		return NULL;
	if (i < 0)
		i += (long)im->r.nf;
	if (i < 0 || (size_t)i >= im->r.nf) {
		*short_row = 1;
		return NULL;
	}
	return &im->r.f[i];
}

static int customer_id(importer *im, const char *key, int purchase,
                       kehu_id *out)
{
	kehu_customer *c;
	int rc;

	if (im->last_id && !strcmp(key, im->last_key) &&
	    (!purchase || im->last_is_customer)) {
		*out = im->last_id;
		return KEHU_OK;
	}
	rc = kehu_customer_lookup_key(&c, im->db, key);
	if (rc == KEHU_ENOTFOUND) {
		rc = kehu_customer_create(&c, im->db, key);
		if (rc == KEHU_OK)
			im->st->customers++;
	}
	if (rc != KEHU_OK)
		return rc;
	if (purchase &&
	    kehu_customer_get_status(c) != KEHU_STATUS_CUSTOMER &&
	    ((rc = kehu_customer_set_status(c, KEHU_STATUS_CUSTOMER)) ||
	     (rc = kehu_customer_save(c)))) {
		kehu_customer_free(c);
		return rc;
	}
	*out = kehu_customer_get_id(c);
	im->last_is_customer =
		kehu_customer_get_status(c) == KEHU_STATUS_CUSTOMER;
	kehu_customer_free(c);
	/* key fits: the library accepted it (<= KEHU_MAX_KEY_BYTES). */
	strcpy(im->last_key, key);
	im->last_id = *out;
	return KEHU_OK;
}

/* Accounts have no key: the file names them, and that name is matched
 * against the accounts' names (read once, then kept in a table). */
static int load_account(kehu_id id, void *user_data)
{
	importer *im = user_data;
	kehu_account *a;
	int rc = kehu_account_lookup(&a, im->db, id);

	if (rc != KEHU_OK)
		return rc;
	if (im->nacc == im->acc_cap) {
		size_t cap = im->acc_cap ? im->acc_cap * 2 : 16;
		account_entry *e = realloc(im->acc, cap * sizeof *e);

		if (!e) {
			kehu_account_free(a);
			return KEHU_ENOMEM;
		}
		im->acc = e;
		im->acc_cap = cap;
	}
	im->acc[im->nacc].name = malloc(strlen(kehu_account_get_name(a)) + 1);
	if (!im->acc[im->nacc].name) {
		kehu_account_free(a);
		return KEHU_ENOMEM;
	}
	strcpy(im->acc[im->nacc].name, kehu_account_get_name(a));
	im->acc[im->nacc].id = id;
	im->nacc++;
	kehu_account_free(a);
	return 0;
}

static int account_id(importer *im, const char *name, kehu_id customer,
                      kehu_id *out)
{
	kehu_account *a;
	size_t i;
	int rc;

	for (i = 0; i < im->nacc; i++)
		if (!strcmp(im->acc[i].name, name))
			break;
	if (i == im->nacc) {
		if ((rc = kehu_account_create(&a, im->db, customer)))
			return rc;
		if ((rc = kehu_account_set_name(a, name)) ||
		    (rc = kehu_account_save(a))) {
			/* no nameless account stays behind a bad name */
			int drc = kehu_account_delete(im->db,
			                              kehu_account_get_id(a));

			kehu_account_free(a);
			return is_storage(drc) ? drc : rc;
		}
		rc = load_account(kehu_account_get_id(a), im);
		kehu_account_free(a);
		if (rc)
			return rc;
		im->st->accounts++;
		*out = im->acc[i].id;
		return KEHU_OK;
	}
	*out = im->acc[i].id;
	if ((rc = kehu_account_lookup(&a, im->db, *out)))
		return rc;
	if (!kehu_account_get_member_role(a, customer) &&
	    ((rc = kehu_account_add_member(a, customer, KEHU_ROLE_USER)) ||
	     (rc = kehu_account_save(a)))) {
		kehu_account_free(a);
		return rc;
	}
	kehu_account_free(a);
	return KEHU_OK;
}

/* Returns 0 (recorded), 1 (bad row, reported) or a negative storage
 * code. */
static int import_row(importer *im)
{
	const cli_field *fc, *fd, *fa, *ft, *fco, *facc, *fs, *fch;
	int short_row = 0, rc;
	int32_t type = KEHU_IX_PURCHASE;
	int64_t t, amount = 0, cost = 0, sat = 0;
	kehu_id cid, aid = 0;
	kehu_interaction *ix;
	const char *why;

	fc = field(im, C_CUSTOMER, &short_row);
	fd = field(im, C_DATE, &short_row);
	fa = field(im, C_AMOUNT, &short_row);
	ft = field(im, C_TYPE, &short_row);
	fco = field(im, C_COST, &short_row);
	facc = field(im, C_ACCOUNT, &short_row);
	fs = field(im, C_SATISFACTION, &short_row);
	fch = field(im, C_CHANNEL, &short_row);
	if (short_row) {
		bad_row(im, "%s", "too few columns");
		return 1;
	}
	if (!fc->n) {
		bad_row(im, "%s", "no customer");
		return 1;
	}
	if (fc->n > KEHU_MAX_KEY_BYTES) {
		bad_row(im, "%s", "customer key longer than 256 bytes");
		return 1;
	}
	if (cli_parse_time(fd->p, fd->n, im->utc, &t)) {
		bad_row(im, "bad date '%s'", fd->p);
		return 1;
	}
	if (ft && ft->n) {
		char low[32];
		size_t i;

		for (i = 0; i < ft->n && i < sizeof low - 1; i++)
			low[i] = (char)tolower((unsigned char)ft->p[i]);
		low[i] = '\0';
		if (ft->n >= sizeof low ||
		    kehu_interaction_type_from_name(low, &type) != KEHU_OK) {
			bad_row(im, "unknown interaction type '%s'", ft->p);
			return 1;
		}
	}
	if (fa && fa->n) {
		if (cli_parse_amount(fa->p, fa->n, im->exponent, &amount,
		                     &why)) {
			bad_row(im, "amount '%s': %s", fa->p, why);
			return 1;
		}
	} else if (type == KEHU_IX_PURCHASE || type == KEHU_IX_REFUND) {
		bad_row(im, "%s", "no amount");
		return 1;
	}
	if (fco && fco->n &&
	    cli_parse_amount(fco->p, fco->n, im->exponent, &cost, &why)) {
		bad_row(im, "cost '%s': %s", fco->p, why);
		return 1;
	}
	if (fs && fs->n) {
		char *end;

		sat = strtol(fs->p, &end, 10);
		if (*end || end == fs->p || sat < 1 || sat > 5) {
			bad_row(im, "satisfaction '%s' is not 1..5", fs->p);
			return 1;
		}
		if (type != KEHU_IX_FEEDBACK && type != KEHU_IX_COMPLAINT) {
			bad_row(im, "%s", "only feedback and complaints carry "
			        "a satisfaction");
			return 1;
		}
	} else if (type == KEHU_IX_FEEDBACK) {
		bad_row(im, "%s", "feedback without a satisfaction score");
		return 1;
	}
	if (fch && fch->n > KEHU_MAX_CHANNEL_BYTES) {
		bad_row(im, "%s", "channel longer than 64 bytes");
		return 1;
	}
	rc = customer_id(im, fc->p, type == KEHU_IX_PURCHASE, &cid);
	if (rc == KEHU_OK && facc && facc->n)
		rc = account_id(im, facc->p, cid, &aid);
	if (rc == KEHU_OK)
		rc = kehu_interaction_new(&ix, im->db, cid, type, t);
	if (rc != KEHU_OK) {
		if (is_storage(rc))
			return rc;
		bad_row(im, "%s", kehu_errmsg(im->db));
		return 1;
	}
	if ((rc = kehu_interaction_set_amount(ix, amount)) == KEHU_OK &&
	    (rc = kehu_interaction_set_cost(ix, cost)) == KEHU_OK &&
	    (!aid || (rc = kehu_interaction_set_account(ix, aid)) == 0) &&
	    (!sat || (rc = kehu_interaction_set_satisfaction(
	                   ix, (int32_t)sat)) == KEHU_OK) &&
	    (!fch || !fch->n ||
	     (rc = kehu_interaction_set_channel(ix, fch->p)) == KEHU_OK))
		rc = kehu_interaction_record(ix);
	kehu_interaction_free(ix);
	if (rc != KEHU_OK) {
		if (is_storage(rc))
			return rc;
		bad_row(im, "%s", kehu_errmsg(im->db));
		return 1;
	}
	im->st->rows++;
	return 0;
}

static int storage_fail(importer *im, int rc)
{
	if (im->err)
		fprintf(im->err, "%s:%ld: %s\n", im->name, im->r.line,
		        kehu_errmsg(im->db));
	if (kehu_db_in_transaction(im->db))
		kehu_db_rollback(im->db);
	return cli_exit_code(rc);
}

static int run(importer *im, size_t len)
{
	long batch = im->o->batch_rows > 0 ? im->o->batch_rows : 10000;
	long in_batch = 0, seen = 0;
	int rc, got, header_done = 0;

	if ((rc = kehu_db_begin(im->db)) != KEHU_OK)
		return storage_fail(im, rc);
	while ((got = cli_reader_next(&im->r)) != 0) {
		if (got == -2) {
			if (im->err)
				fprintf(im->err, "%s: out of memory\n",
				        im->name);
			kehu_db_rollback(im->db);
			return CLI_STORAGE;
		}
		if (!header_done && !im->ws) {
			header_done = 1;
			if (got < 0 || (rc = map_header(im)) != CLI_OK) {
				if (got < 0 && im->err)
					fprintf(im->err, "%s:%ld: %s\n",
					        im->name, im->r.line,
					        im->r.why);
				kehu_db_rollback(im->db);
				return got < 0 ? CLI_DATA : rc;
			}
			continue;
		}
		if (got < 0) {
			bad_row(im, "%s", im->r.why);
			rc = 1;
		} else if (!header_done && im->ws) {
			int short_row = 0;
			const cli_field *fd;
			int64_t t;

			/* A first line whose date is not a date is a
			 * header (CDNOW_master.txt has one). */
			header_done = 1;
			fd = field(im, C_DATE, &short_row);
			if (!fd || cli_parse_time(fd->p, fd->n, im->utc, &t))
				continue;
			rc = import_row(im);
		} else {
			rc = import_row(im);
		}
		if (rc < 0)
			return storage_fail(im, rc);
		if (rc > 0) {
			im->st->bad++;
			if (im->o->strict) {
				kehu_db_rollback(im->db);
				im->st->rows = 0;
				im->st->customers = im->st->accounts = 0;
				return CLI_DATA;
			}
		}
		if (++seen % 4096 == 0 && im->o->progress)
			im->o->progress(im->r.pos, len, im->st->rows,
			                im->o->user_data);
		if (!im->o->strict && ++in_batch >= batch) {
			in_batch = 0;
			if ((rc = kehu_db_commit(im->db)) != KEHU_OK ||
			    (rc = kehu_db_begin(im->db)) != KEHU_OK)
				return storage_fail(im, rc);
		}
	}
	if (!header_done && !im->ws) {
		if (im->err)
			fprintf(im->err, "%s: empty file: no header row\n",
			        im->name);
		kehu_db_rollback(im->db);
		return CLI_DATA;
	}
	if ((rc = kehu_db_commit(im->db)) != KEHU_OK)
		return storage_fail(im, rc);
	if (im->o->progress)
		im->o->progress(len, len, im->st->rows, im->o->user_data);
	return CLI_OK;
}

int kehu_cli_import_buffer(kehu_db *db, const char *buf, size_t len,
                           const kehu_cli_import_options *opts,
                           kehu_cli_import_stats *stats)
{
	importer im;
	char delim;
	size_t i;
	int rc;

	memset(stats, 0, sizeof *stats);
	memset(&im, 0, sizeof im);
	im.db = db;
	im.o = opts;
	im.st = stats;
	im.name = opts->name ? opts->name : "-";
	im.err = opts->err;
	im.exponent = kehu_db_get_currency_exponent(db);
	im.utc = kehu_db_get_utc_offset(db);
	delim = opts->delimiter;
	if (opts->format == KEHU_CLI_FORMAT_WS) {
		delim = 0;
	} else if (!delim) {
		delim = cli_guess_delimiter(buf, len);
		if (!delim && opts->format == KEHU_CLI_FORMAT_CSV)
			delim = ',';
	}
	im.ws = delim == 0;
	if (im.ws && (rc = setup_ws(&im)) != CLI_OK)
		return rc;
	if ((rc = kehu_account_foreach(db, load_account, &im)) != KEHU_OK) {
		rc = storage_fail(&im, rc);
		goto out;
	}
	cli_reader_init(&im.r, buf, len, delim);
	rc = run(&im, len);
out:
	cli_reader_free(&im.r);
	for (i = 0; i < im.nacc; i++)
		free(im.acc[i].name);
	free(im.acc);
	return rc;
}
