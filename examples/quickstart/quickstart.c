/*
 * examples/quickstart: a small complete host.  Reads purchase rows in
 * CDNOW's whitespace format (master-id sample-id YYYYMMDD cds dollars),
 * creates one customer per id, records every purchase in one host
 * transaction into the crash-safe file store, prints the metrics the
 * library keeps, and classifies everyone with the default rule pack.
 *
 * usage: kehu-quickstart FILE [AS-OF-YYYYMMDD] [DB-PATH]
 *   without DB-PATH the db lives in a temporary directory, removed at
 *   the end.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kehu.h"

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* "19970101" -> noon UTC of that day; -1 if malformed. */
static int64_t parse_date(const char *s)
{
	long v;
	char *end;

	if (strlen(s) != 8)
		return -1;
	v = strtol(s, &end, 10);
	if (*end || v < 19700101)
		return -1;
	return days_from_civil(v / 10000, v / 100 % 100, v % 100) * 86400 +
	       43200;
}

/* "29.33" -> 2933 (exact, no floating point); -1 if malformed. */
static int64_t parse_cents(const char *s)
{
	int64_t whole = 0, frac = 0;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		whole = whole * 10 + (*s - '0');
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && digits < 2; s++, digits++)
			frac = frac * 10 + (*s - '0');
	if (*s || digits == 1)
		return digits == 1 && !*s ? whole * 100 + frac * 10 : -1;
	return whole * 100 + frac;
}

static int fail(kehu_db *db, const char *what)
{
	fprintf(stderr, "kehu-quickstart: %s: %s\n", what, kehu_errmsg(db));
	return 1;
}

static int record_row(kehu_db *db, const char *id, int64_t t, int64_t cents)
{
	char key[40];
	kehu_customer *c;
	kehu_interaction *ix;
	int64_t cid;
	int rc;

	snprintf(key, sizeof key, "CDNOW-%s", id);
	rc = kehu_customer_lookup_key(&c, db, key);
	if (rc == KEHU_ENOTFOUND)
		rc = kehu_customer_create(&c, db, key);
	if (rc != KEHU_OK)
		return rc;
	if (kehu_customer_get_status(c) != KEHU_STATUS_CUSTOMER &&
	    ((rc = kehu_customer_set_status(c, KEHU_STATUS_CUSTOMER)) ||
	     (rc = kehu_customer_save(c)))) {
		kehu_customer_free(c);
		return rc;
	}
	cid = kehu_customer_get_id(c);
	kehu_customer_free(c);
	if ((rc = kehu_interaction_new(&ix, db, cid, KEHU_IX_PURCHASE, t)))
		return rc;
	if ((rc = kehu_interaction_set_amount(ix, cents)) == KEHU_OK &&
	    (rc = kehu_interaction_set_channel(ix, "web")) == KEHU_OK)
		rc = kehu_interaction_record(ix);
	kehu_interaction_free(ix);
	return rc;
}

static int import(kehu_db *db, const char *path, long *rows, long *bad)
{
	char line[256], id[32], date[16], dollars[32], sample[32];
	FILE *f = fopen(path, "r");
	int cds, rc = KEHU_OK;
	long lineno = 0;

	if (!f) {
		perror(path);
		return KEHU_EINVAL;
	}
	if ((rc = kehu_db_begin(db)) != KEHU_OK)
		goto out;
	while (fgets(line, sizeof line, f)) {
		int64_t t, cents;

		lineno++;
		if (sscanf(line, "%31s %31s %15s %d %31s", id, sample, date,
		           &cds, dollars) != 5 ||
		    (t = parse_date(date)) < 0 ||
		    (cents = parse_cents(dollars)) < 0) {
			fprintf(stderr, "%s:%ld: not a purchase row\n", path,
			        lineno);
			(*bad)++;
			continue;
		}
		if ((rc = record_row(db, id, t, cents)) != KEHU_OK) {
			fprintf(stderr, "%s:%ld: %s\n", path, lineno,
			        kehu_errmsg(db));
			goto out;
		}
		(*rows)++;
	}
	rc = kehu_db_commit(db);
out:
	if (rc != KEHU_OK && kehu_db_in_transaction(db))
		kehu_db_rollback(db);
	fclose(f);
	return rc;
}

typedef struct top {
	int64_t id[10];
	int64_t revenue[10];
	int n;
	kehu_db *db;
} top;

static int rank_customer(kehu_id id, void *user_data)
{
	top *t = user_data;
	kehu_metrics m;
	int i;

	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	if (kehu_metrics_read(&m, t->db, id, 0) != KEHU_OK)
		return 1;
	for (i = t->n < 10 ? t->n++ : 10; i > 0 && t->revenue[i - 1] <
	                                          m.revenue; i--) {
		if (i < 10) {
			t->id[i] = t->id[i - 1];
			t->revenue[i] = t->revenue[i - 1];
		}
	}
	if (i < 10) {
		t->id[i] = id;
		t->revenue[i] = m.revenue;
	}
	return 0;
}

static void print_top(kehu_db *db, const top *t, int64_t as_of)
{
	int i;

	printf("\n%-14s %9s %6s %9s %7s %10s %10s\n", "customer", "revenue",
	       "days", "orders", "months", "since-last", "rev-365d");
	for (i = 0; i < t->n; i++) {
		kehu_customer *c;
		kehu_metrics m;

		kehu_metrics_init(&m, KEHU_METRICS_VERSION);
		if (kehu_metrics_read(&m, db, t->id[i], as_of) != KEHU_OK ||
		    kehu_customer_lookup(&c, db, t->id[i]) != KEHU_OK)
			continue;
		printf("%-14s %6" PRId64 ".%02" PRId64 " %6" PRId64
		       " %9" PRId64 " %7" PRId64 " %10" PRId64 " %7" PRId64
		       ".%02" PRId64 "\n",
		       kehu_customer_get_key(c), m.revenue / 100,
		       m.revenue % 100, m.purchases, m.orders, m.months_active,
		       m.days_since_last_purchase, m.revenue_365d / 100,
		       m.revenue_365d % 100);
		kehu_customer_free(c);
	}
}

/* Prints how many customers each label of the default pack has. */
static int print_classes(kehu_db *db, int64_t as_of)
{
	const char *src = kehu_rules_default_source();
	static const char *const shown[] = {"importance", "lifecycle",
	                                    "rfm_segment"};
	kehu_rules *rules;
	size_t i;
	int rc = kehu_rules_compile(&rules, db, src, strlen(src));

	if (rc != KEHU_OK)
		return fail(db, "rules");
	printf("\ndefault rule pack \"%s\":\n", kehu_rules_get_name(rules));
	for (i = 0; i < sizeof shown / sizeof shown[0]; i++) {
		const char *label[] = {"vip", "important", "ordinary", "new",
		                       "active", "silent", "at_risk", "churned",
		                       "loyal", "champions", "loyal_customers",
		                       "lost", "hibernating"};
		size_t k;

		printf("  %-12s", shown[i]);
		for (k = 0; k < sizeof label / sizeof label[0]; k++) {
			char expr[96];
			int64_t n = 0;

			snprintf(expr, sizeof expr, "%s == \"%s\"", shown[i],
			         label[k]);
			if (kehu_query(db, rules, expr, as_of, NULL, NULL,
			               &n) == KEHU_OK && n > 0)
				printf(" %s=%lld", label[k], (long long)n);
		}
		printf("\n");
	}
	kehu_rules_free(rules);
	return 0;
}

/* Opens the file store at path and a db on it. */
static int open_db(const char *path, kehu_storage_file **fs, kehu_db **db)
{
	kehu_storage vt;
	kehu_db_options o;
	int rc = kehu_storage_file_open(fs, path, NULL);

	if (rc != KEHU_OK) {
		fprintf(stderr, "kehu-quickstart: %s: %s\n", path,
		        kehu_storage_file_errmsg(*fs));
		return 1;
	}
	kehu_storage_file_get_vtable(*fs, &vt);
	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	o.storage = &vt;
	if (kehu_db_open(db, &o) != KEHU_OK)
		return fail(*db, "open");
	return 0;
}

int main(int argc, char **argv)
{
	int64_t as_of = argc > 2 ? parse_date(argv[2]) : parse_date("19980701");
	long rows = 0, bad = 0;
	char dir[] = "/tmp/kehu-quickstart-XXXXXX", path[64];
	const char *dbpath = argc > 3 ? argv[3] : NULL;
	kehu_storage_file *fs = NULL;
	kehu_db *db = NULL;
	top t;
	int status = 1;

	if (argc < 2 || as_of < 0) {
		fprintf(stderr, "usage: kehu-quickstart FILE [AS-OF-YYYYMMDD] "
		                "[DB-PATH]\n");
		return 2;
	}
	if (!dbpath) {
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			return 1;
		}
		snprintf(path, sizeof path, "%s/demo.kehu", dir);
		dbpath = path;
	}
	if (open_db(dbpath, &fs, &db) != 0)
		goto out;
	printf("libkehu %s: importing %s into the file store %s\n",
	       kehu_version(), argv[1], dbpath);
	if (import(db, argv[1], &rows, &bad) != KEHU_OK)
		goto out;
	printf("%ld purchases recorded for %" PRId64 " customers "
	       "(%ld rows skipped); hot state %zu bytes per customer\n",
	       rows, kehu_db_customer_count(db), bad,
	       kehu_db_hot_bytes_per_customer());
	memset(&t, 0, sizeof t);
	t.db = db;
	if (kehu_customer_foreach(db, rank_customer, &t) != KEHU_OK) {
		fail(db, "metrics");
		goto out;
	}
	printf("top %d customers by revenue, metrics as of %s:", t.n,
	       argc > 2 ? argv[2] : "19980701");
	print_top(db, &t, as_of);
	status = print_classes(db, as_of);
out:
	kehu_db_close(db);
	kehu_storage_file_close(fs);
	if (dbpath == path) {
		unlink(path);
		rmdir(dir);
	}
	return status;
}
