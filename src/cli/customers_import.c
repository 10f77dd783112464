/*
 * cli/customers_import: `kehu customers import`: customer master data
 * from CSV.  Known columns (key, name, kind, relation, status, tags,
 * referrer) set the customer's fields; every other column is an
 * attribute, typed from its text or from a ":int", ":number", ":time"
 * or ":string" suffix on its header.  Existing customers are updated.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/csv.h"
#include "cli/import.h"

enum { F_KEY, F_NAME, F_KIND, F_RELATION, F_STATUS, F_TAGS, F_REFERRER,
       F_ATTR };

enum { T_AUTO, T_STRING, T_INT, T_NUMBER, T_TIME };

typedef struct column {
	int role;
	int type;
	char name[KEHU_MAX_ATTR_NAME_BYTES + 1];
} column;

typedef struct cimporter {
	kehu_db *db;
	cli_reader r;
	const char *name;
	FILE *err;
	column *cols;
	size_t ncols;
} cimporter;

static void bad(cimporter *im, const char *fmt, ...) CLI_PRINTF(2, 3);

static void bad(cimporter *im, const char *fmt, ...)
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

static void lower(char *dst, const char *s, size_t n, size_t cap)
{
	size_t i;

	for (i = 0; i < n && i < cap - 1; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[i] = '\0';
}

static int map_header(cimporter *im)
{
	static const char roles[F_ATTR][10] = {
		"key", "name", "kind", "relation", "status", "tags",
		"referrer"};
	static const char types[5][8] = {"", "string", "int", "number",
	                                 "time"};
	size_t i, k;
	int have_key = 0;

	if (!(im->cols = calloc(im->r.nf, sizeof *im->cols)))
		return CLI_STORAGE;
	im->ncols = im->r.nf;
	for (i = 0; i < im->r.nf; i++) {
		column *c = &im->cols[i];
		char h[KEHU_MAX_ATTR_NAME_BYTES + 16], *colon;

		if (im->r.f[i].n > KEHU_MAX_ATTR_NAME_BYTES + 8) {
			bad(im, "a column header is longer than 64 bytes");
			return CLI_DATA;
		}
		memcpy(h, im->r.f[i].p, im->r.f[i].n + 1);
		c->role = F_ATTR;
		c->type = T_AUTO;
		if ((colon = strchr(h, ':')) != NULL) {
			char t[16];

			lower(t, colon + 1, strlen(colon + 1), sizeof t);
			*colon = '\0';
			for (k = 1; k < 5 && strcmp(t, types[k]); k++)
				;
			if (k == 5) {
				bad(im, "column %s: unknown type '%s' (string, "
				    "int, number, time)", h, colon + 1);
				return CLI_DATA;
			}
			c->type = (int)k;
		}
		if (!*h || strlen(h) > KEHU_MAX_ATTR_NAME_BYTES) {
			bad(im, "a column header has no name");
			return CLI_DATA;
		}
		strcpy(c->name, h);
		lower(h, c->name, strlen(c->name), sizeof h);
		if (c->type == T_AUTO)
			for (k = 0; k < F_ATTR; k++)
				if (!strcmp(h, roles[k]) ||
				    (k == F_KEY && (!strcmp(h, "customer") ||
				                    !strcmp(h, "customer_id"))))
					c->role = (int)k;
		if (c->role == F_KEY)
			have_key = 1;
	}
	if (!have_key) {
		bad(im, "the header names no key column");
		return CLI_DATA;
	}
	return CLI_OK;
}

static int named(const char *s, const char *const *names, int n,
                 const int32_t *values, int32_t *out)
{
	char low[32];
	int i;

	lower(low, s, strlen(s), sizeof low);
	for (i = 0; i < n; i++)
		if (!strcmp(low, names[i])) {
			*out = values[i];
			return 0;
		}
	return -1;
}

static int is_int(const char *s)
{
	size_t i = s[0] == '-' ? 1 : 0, n = strlen(s);

	if (i == n || n - i > 18)
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Sets one attribute from text.  0, 1 (bad value: reported) or a
 * library code. */
static int set_attr(cimporter *im, kehu_customer *c, const column *col,
                    const char *v)
{
	int type = col->type;
	int64_t t;
	double d;
	char *end;

	if (type == T_AUTO) {
		if (is_int(v))
			type = T_INT;
		else if (!cli_parse_time(v, strlen(v),
		                         kehu_db_get_utc_offset(im->db), &t))
			type = T_TIME;
		else if ((d = strtod(v, &end), *end == '\0' && end != v &&
		          isfinite(d) && strspn(v, "+-0123456789.eE") ==
		                             strlen(v)))
			type = T_NUMBER;
		else
			type = T_STRING;
	}
	switch (type) {
	case T_INT:
		errno = 0;
		t = strtoll(v, &end, 10);
		if (errno || *end || end == v)
			break;
		return kehu_customer_set_attr_int(c, col->name, t);
	case T_NUMBER:
		d = strtod(v, &end);
		if (*end || end == v || !isfinite(d))
			break;
		return kehu_customer_set_attr_number(c, col->name, d);
	case T_TIME:
		if (cli_parse_time(v, strlen(v),
		                   kehu_db_get_utc_offset(im->db), &t))
			break;
		return kehu_customer_set_attr_time(c, col->name, t);
	default:
		return kehu_customer_set_attr_string(c, col->name, v);
	}
	bad(im, "%s: '%s' does not fit the column's type", col->name, v);
	return 1;
}

static int set_field(cimporter *im, kehu_customer *c, const column *col,
                     const char *v)
{
	static const char *const kinds[] = {"person", "organisation",
	                                    "organization", "company"};
	static const int32_t kind_v[] = {KEHU_KIND_PERSON,
	                                 KEHU_KIND_ORGANISATION,
	                                 KEHU_KIND_ORGANISATION,
	                                 KEHU_KIND_ORGANISATION};
	static const char *const rels[] = {"consumer", "business", "channel",
	                                   "internal"};
	static const int32_t rel_v[] = {
		KEHU_RELATION_CONSUMER, KEHU_RELATION_BUSINESS,
		KEHU_RELATION_CHANNEL, KEHU_RELATION_INTERNAL};
	static const char *const stats[] = {"prospect", "customer"};
	static const int32_t stat_v[] = {KEHU_STATUS_PROSPECT,
	                                 KEHU_STATUS_CUSTOMER};
	int32_t x;
	kehu_id ref;
	kehu_customer *r;
	int rc;

	switch (col->role) {
	case F_NAME:
		return kehu_customer_set_name(c, v);
	case F_KIND:
		if (named(v, kinds, 4, kind_v, &x))
			break;
		return kehu_customer_set_kind(c, x);
	case F_RELATION:
		if (named(v, rels, 4, rel_v, &x))
			break;
		return kehu_customer_set_relation(c, x);
	case F_STATUS:
		if (named(v, stats, 2, stat_v, &x))
			break;
		return kehu_customer_set_status(c, x);
	case F_TAGS: {
		const char *p = v;

		while (*p) {
			char tag[KEHU_MAX_TAG_BYTES + 1];
			size_t n = strcspn(p, ";|");
			size_t b = 0;

			while (b < n && p[b] == ' ')
				b++;
			while (n > b && p[n - 1] == ' ')
				n--;
			if (n - b > KEHU_MAX_TAG_BYTES) {
				bad(im, "tag '%.*s' longer than 64 bytes",
				    (int)n, p);
				return 1;
			}
			if (n > b) {
				memcpy(tag, p + b, n - b);
				tag[n - b] = '\0';
				if ((rc = kehu_customer_add_tag(c, tag)))
					return rc;
			}
			p += strcspn(p, ";|");
			if (*p)
				p++;
		}
		return KEHU_OK;
	}
	case F_REFERRER:
		rc = kehu_customer_lookup_key(&r, im->db, v);
		if (rc != KEHU_OK)
			return rc;
		ref = kehu_customer_get_id(r);
		kehu_customer_free(r);
		return kehu_customer_set_referrer(c, ref);
	default:
		return set_attr(im, c, col, v);
	}
	bad(im, "%s: unknown value '%s'", col->name, v);
	return 1;
}

/* 0 done, 1 bad row (reported), negative: a storage code. */
static int import_row(cimporter *im, long *created)
{
	kehu_customer *c = NULL;
	const char *key = NULL;
	size_t i;
	int rc, isnew = 0;

	for (i = 0; i < im->ncols && i < im->r.nf; i++)
		if (im->cols[i].role == F_KEY)
			key = im->r.f[i].p;
	if (!key || !*key) {
		bad(im, "no key");
		return 1;
	}
	rc = kehu_customer_lookup_key(&c, im->db, key);
	if (rc == KEHU_ENOTFOUND) {
		rc = kehu_customer_create(&c, im->db, key);
		isnew = 1;
	}
	for (i = 0; rc == KEHU_OK && i < im->ncols && i < im->r.nf; i++) {
		const char *v = im->r.f[i].p;

		if (im->cols[i].role == F_KEY || !*v)
			continue;
		rc = set_field(im, c, &im->cols[i], v);
	}
	if (rc == KEHU_OK)
		rc = kehu_customer_save(c);
	if (rc != KEHU_OK && rc != 1 && cli_exit_code(rc) != CLI_STORAGE)
		bad(im, "%s: %s", key, kehu_errmsg(im->db));
	/* A bad row leaves no customer behind: the one it created goes. */
	if (rc != KEHU_OK && isnew && c) {
		int drc = kehu_customer_delete(im->db,
		                               kehu_customer_get_id(c));

		if (drc != KEHU_OK && cli_exit_code(drc) == CLI_STORAGE)
			rc = drc;
	}
	kehu_customer_free(c);
	if (rc == 1 || (rc != KEHU_OK && cli_exit_code(rc) != CLI_STORAGE))
		return 1;
	if (rc != KEHU_OK)
		return rc;
	*created += isnew;
	return 0;
}

int kehu_cli_customers_import_buffer(kehu_db *db, const char *buf,
                                     size_t len, const char *name,
                                     char delimiter, int strict,
                                     FILE *err,
                                     kehu_cli_import_stats *stats)
{
	cimporter im;
	int got, rc = CLI_OK, header = 0;

	memset(stats, 0, sizeof *stats);
	memset(&im, 0, sizeof im);
	im.db = db;
	im.name = name ? name : "-";
	im.err = err;
	if (!delimiter)
		delimiter = cli_guess_delimiter(buf, len);
	cli_reader_init(&im.r, buf, len, delimiter ? delimiter : ',');
	if ((rc = kehu_db_begin(db)) != KEHU_OK)
		goto storage;
	while ((got = cli_reader_next(&im.r)) != 0) {
		if (got == -2) {
			rc = KEHU_ENOMEM;
			goto storage;
		}
		if (!header) {
			header = 1;
			if (got < 0) {
				bad(&im, "%s", im.r.why);
				rc = CLI_DATA;
				goto fail;
			}
			if ((rc = map_header(&im)) != CLI_OK)
				goto fail;
			continue;
		}
		rc = got < 0 ? (bad(&im, "%s", im.r.why), 1)
		             : import_row(&im, &stats->customers);
		if (rc < 0)
			goto storage;
		if (rc > 0) {
			stats->bad++;
			if (strict) {
				stats->customers = 0;
				rc = CLI_DATA;
				goto fail;
			}
			continue;
		}
		stats->rows++;
	}
	if (!header) {
		if (err)
			fprintf(err, "%s: empty file: no header row\n",
			        im.name);
		rc = CLI_DATA;
		goto fail;
	}
	if ((rc = kehu_db_commit(db)) != KEHU_OK)
		goto storage;
	rc = CLI_OK;
	goto out;
storage:
	if (err)
		fprintf(err, "%s:%ld: %s\n", im.name, im.r.line,
		        rc == KEHU_ENOMEM ? "out of memory" : kehu_errmsg(db));
	rc = CLI_STORAGE;
fail:
	if (kehu_db_in_transaction(db))
		kehu_db_rollback(db);
	stats->rows = 0;
out:
	cli_reader_free(&im.r);
	free(im.cols);
	return rc;
}
