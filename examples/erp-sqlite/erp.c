/*
 * examples/erp-sqlite: an ERP-style host with its own SQLite database.
 * libkehu's storage contract is implemented on a `kv` table inside the
 * ERP's database, on the ERP's own connection, so CRM data commits
 * atomically with the ERP's writes: the library's transactions are
 * SQLite savepoints, which nest inside an ERP transaction when there is
 * one and are transactions of their own when there is none.
 *
 * The program creates a small ERP (customers, invoices), mirrors them
 * into the CRM, classifies with the default rule pack, writes the
 * labels back into an ERP table, then posts one invoice whose ERP
 * transaction is rolled back, and checks that the CRM data went with
 * it.
 *
 * usage: kehu-erp-sqlite [ERP.sqlite]   (default: an in-memory db)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "kehu.h"

typedef struct kv {
	sqlite3 *db;
	sqlite3_stmt *get, *put, *del, *scan_from, *scan_range;
	char err[256];
} kv;

static int kv_fail(kv *s)
{
	snprintf(s->err, sizeof s->err, "sqlite: %s", sqlite3_errmsg(s->db));
	return KEHU_ESTORAGE;
}

static int kv_exec(kv *s, const char *sql)
{
	return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK
		? KEHU_OK : kv_fail(s);
}

/* A savepoint nests inside the ERP's BEGIN, or starts a transaction. */
static int kv_begin(void *ud)
{
	return kv_exec(ud, "SAVEPOINT kehu");
}

static int kv_commit(void *ud)
{
	return kv_exec(ud, "RELEASE kehu");
}

static int kv_rollback(void *ud)
{
	kv *s = ud;
	int rc = kv_exec(s, "ROLLBACK TO kehu");

	return rc == KEHU_OK ? kv_exec(s, "RELEASE kehu") : rc;
}

static int kv_get(const void *key, size_t klen, kehu_storage_sink_cb sink,
                  void *ctx, void *ud)
{
	kv *s = ud;
	int rc;

	sqlite3_reset(s->get);
	sqlite3_bind_blob(s->get, 1, key, (int)klen, SQLITE_STATIC);
	rc = sqlite3_step(s->get);
	if (rc == SQLITE_DONE)
		rc = KEHU_ENOTFOUND;
	else if (rc == SQLITE_ROW)
		rc = sink(sqlite3_column_blob(s->get, 0),
		          (size_t)sqlite3_column_bytes(s->get, 0), ctx);
	else
		rc = kv_fail(s);
	sqlite3_reset(s->get);
	return rc;
}

static int kv_put(const void *key, size_t klen, const void *v, size_t vlen,
                  void *ud)
{
	kv *s = ud;
	int rc;

	sqlite3_reset(s->put);
	sqlite3_bind_blob(s->put, 1, key, (int)klen, SQLITE_STATIC);
	/* a zero-length blob, not NULL: values may be empty */
	sqlite3_bind_zeroblob(s->put, 2, 0);
	if (vlen)
		sqlite3_bind_blob(s->put, 2, v, (int)vlen, SQLITE_STATIC);
	rc = sqlite3_step(s->put) == SQLITE_DONE ? KEHU_OK : kv_fail(s);
	sqlite3_reset(s->put);
	return rc;
}

static int kv_del(const void *key, size_t klen, void *ud)
{
	kv *s = ud;
	int rc;

	sqlite3_reset(s->del);
	sqlite3_bind_blob(s->del, 1, key, (int)klen, SQLITE_STATIC);
	rc = sqlite3_step(s->del) == SQLITE_DONE ? KEHU_OK : kv_fail(s);
	sqlite3_reset(s->del);
	return rc;
}

/* BLOBs compare with memcmp, shorter first: the contract's order. */
static int kv_scan(const void *start, size_t slen, const void *end,
                   size_t elen, kehu_storage_visit_cb visit, void *ctx,
                   void *ud)
{
	kv *s = ud;
	sqlite3_stmt *st = end ? s->scan_range : s->scan_from;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_blob(st, 1, start, (int)slen, SQLITE_STATIC);
	if (end)
		sqlite3_bind_blob(st, 2, end, (int)elen, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rc = visit(sqlite3_column_blob(st, 0),
		           (size_t)sqlite3_column_bytes(st, 0),
		           sqlite3_column_blob(st, 1),
		           (size_t)sqlite3_column_bytes(st, 1), ctx);
		if (rc != KEHU_OK) {
			sqlite3_reset(st);
			return rc;
		}
	}
	rc = rc == SQLITE_DONE ? KEHU_OK : kv_fail(s);
	sqlite3_reset(st);
	return rc;
}

static const char *kv_errmsg(void *ud)
{
	return ((kv *)ud)->err;
}

static int kv_prepare(kv *s)
{
	static const char *const sql[5] = {
		"SELECT v FROM kv WHERE k = ?1",
		"INSERT OR REPLACE INTO kv (k, v) VALUES (?1, ?2)",
		"DELETE FROM kv WHERE k = ?1",
		"SELECT k, v FROM kv WHERE k >= ?1 ORDER BY k",
		"SELECT k, v FROM kv WHERE k >= ?1 AND k < ?2 ORDER BY k",
	};
	sqlite3_stmt **st[5] = {&s->get, &s->put, &s->del, &s->scan_from,
	                        &s->scan_range};
	int i;

	for (i = 0; i < 5; i++)
		if (sqlite3_prepare_v2(s->db, sql[i], -1, st[i], NULL) !=
		    SQLITE_OK)
			return kv_fail(s);
	return KEHU_OK;
}

static void kv_finalize(kv *s)
{
	sqlite3_finalize(s->get);
	sqlite3_finalize(s->put);
	sqlite3_finalize(s->del);
	sqlite3_finalize(s->scan_from);
	sqlite3_finalize(s->scan_range);
}

static int open_crm(kehu_db **crm, kv *s)
{
	kehu_db_options o;
	kehu_storage vt;

	memset(&vt, 0, sizeof vt);
	vt.version = KEHU_STORAGE_VERSION;
	vt.user_data = s;
	vt.begin = kv_begin;
	vt.commit = kv_commit;
	vt.rollback = kv_rollback;
	vt.get = kv_get;
	vt.put = kv_put;
	vt.del = kv_del;
	vt.scan = kv_scan;
	vt.errmsg = kv_errmsg;
	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	o.storage = &vt;
	o.utc_offset = 8 * 3600;
	return kehu_db_open(crm, &o);
}

/* ---- the ERP ------------------------------------------------------------ */

static const char erp_schema[] =
	"CREATE TABLE IF NOT EXISTS customer (code TEXT PRIMARY KEY,"
	" name TEXT NOT NULL, kind TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS invoice (id INTEGER PRIMARY KEY,"
	" customer TEXT NOT NULL REFERENCES customer(code),"
	" day TEXT NOT NULL, cents INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS crm_label (customer TEXT NOT NULL,"
	" classification TEXT NOT NULL, label TEXT NOT NULL,"
	" PRIMARY KEY (customer, classification));"
	"CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL)"
	" WITHOUT ROWID;";

static const char erp_data[] =
	"INSERT INTO customer VALUES ('K-100', 'Huaxia Machinery', 'org'),"
	" ('K-200', 'Dongfang Textiles', 'org'),"
	" ('K-300', 'Li Ming', 'person'),"
	" ('K-400', 'Wang Fang', 'person');"
	"INSERT INTO invoice (customer, day, cents) VALUES"
	" ('K-100', '2024-01-15', 3500000), ('K-100', '2024-03-02', 2800000),"
	" ('K-100', '2024-05-20', 1900000), ('K-200', '2023-02-10', 420000),"
	" ('K-200', '2023-03-11', 380000), ('K-300', '2024-06-01', 12900),"
	" ('K-300', '2024-06-18', 8900), ('K-400', '2023-09-09', 55000);";

/* Days since 1970-01-01 of YYYY-MM-DD, at noon Shanghai time. */
static int64_t day_time(const char *d)
{
	int y, m, dd;
	int64_t era, yoe, doy;

	if (sscanf(d, "%d-%d-%d", &y, &m, &dd) != 3)
		return -1;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
	return (era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy -
	        719468) * 86400 + 12 * 3600 - 8 * 3600;
}

static int crm_customer(kehu_db *crm, const char *code, const char *name,
                        const char *kind, kehu_id *id)
{
	kehu_customer *c;
	int rc = kehu_customer_lookup_key(&c, crm, code);

	if (rc == KEHU_ENOTFOUND) {
		if ((rc = kehu_customer_create(&c, crm, code)) != KEHU_OK)
			return rc;
		if (name && ((rc = kehu_customer_set_name(c, name)) ||
		             (rc = kehu_customer_set_kind(
		                  c, !strcmp(kind, "org")
		                         ? KEHU_KIND_ORGANISATION
		                         : KEHU_KIND_PERSON)) ||
		             (rc = kehu_customer_set_status(
		                  c, KEHU_STATUS_CUSTOMER)) ||
		             (rc = kehu_customer_save(c)))) {
			kehu_customer_free(c);
			return rc;
		}
	} else if (rc != KEHU_OK) {
		return rc;
	}
	*id = kehu_customer_get_id(c);
	kehu_customer_free(c);
	return KEHU_OK;
}

static int crm_invoice(kehu_db *crm, const char *code, const char *day,
                       int64_t cents, int64_t invoice_id)
{
	kehu_interaction *ix;
	kehu_id id;
	int rc;

	if ((rc = crm_customer(crm, code, NULL, NULL, &id)) != KEHU_OK ||
	    (rc = kehu_interaction_new(&ix, crm, id, KEHU_IX_PURCHASE,
	                               day_time(day))) != KEHU_OK)
		return rc;
	if ((rc = kehu_interaction_set_amount(ix, cents)) == KEHU_OK &&
	    (rc = kehu_interaction_set_channel(ix, "erp")) == KEHU_OK &&
	    (rc = kehu_interaction_set_attr_int(ix, "invoice",
	                                        invoice_id)) == KEHU_OK)
		rc = kehu_interaction_record(ix);
	kehu_interaction_free(ix);
	return rc;
}

/* Mirrors the ERP's customers and invoices into the CRM, in one ERP
 * transaction (the CRM's commit is a savepoint inside it). */
static int sync_erp(sqlite3 *erp, kehu_db *crm, int *n_out)
{
	sqlite3_stmt *st;
	int rc = KEHU_OK;

	*n_out = 0;
	if (sqlite3_exec(erp, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return KEHU_ESTORAGE;
	if ((rc = kehu_db_begin(crm)) != KEHU_OK)
		goto out;
	sqlite3_prepare_v2(erp, "SELECT code, name, kind FROM customer "
	                   "ORDER BY code", -1, &st, NULL);
	while (rc == KEHU_OK && sqlite3_step(st) == SQLITE_ROW) {
		kehu_id id;

		rc = crm_customer(crm, (const char *)sqlite3_column_text(st, 0),
		                  (const char *)sqlite3_column_text(st, 1),
		                  (const char *)sqlite3_column_text(st, 2),
		                  &id);
	}
	sqlite3_finalize(st);
	sqlite3_prepare_v2(erp, "SELECT customer, day, cents, id FROM "
	                   "invoice ORDER BY id", -1, &st, NULL);
	while (rc == KEHU_OK && sqlite3_step(st) == SQLITE_ROW) {
		rc = crm_invoice(crm, (const char *)sqlite3_column_text(st, 0),
		                 (const char *)sqlite3_column_text(st, 1),
		                 sqlite3_column_int64(st, 2),
		                 sqlite3_column_int64(st, 3));
		(*n_out)++;
	}
	sqlite3_finalize(st);
	if (rc == KEHU_OK)
		rc = kehu_db_commit(crm);
out:
	if (rc != KEHU_OK) {
		if (kehu_db_in_transaction(crm))
			kehu_db_rollback(crm);
		sqlite3_exec(erp, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return sqlite3_exec(erp, "COMMIT", NULL, NULL, NULL) == SQLITE_OK
		? KEHU_OK : KEHU_ESTORAGE;
}

typedef struct writeback {
	kehu_db *crm;
	sqlite3_stmt *ins;
	const kehu_rules *rules;
	int rc;
} writeback;

static int write_labels(kehu_id id, void *user_data)
{
	static const char *const shown[] = {"importance", "lifecycle",
	                                    "value_class"};
	writeback *w = user_data;
	kehu_customer *c;
	char label[64];
	size_t i, len;

	if ((w->rc = kehu_customer_lookup(&c, w->crm, id)) != KEHU_OK)
		return 1;
	for (i = 0; i < 3; i++) {
		w->rc = kehu_customer_get_label(w->crm, id,
		                                kehu_rules_get_name(w->rules),
		                                shown[i], label, sizeof label,
		                                &len);
		if (w->rc != KEHU_OK)
			break;
		sqlite3_reset(w->ins);
		sqlite3_bind_text(w->ins, 1, kehu_customer_get_key(c), -1,
		                  SQLITE_TRANSIENT);
		sqlite3_bind_text(w->ins, 2, shown[i], -1, SQLITE_STATIC);
		sqlite3_bind_text(w->ins, 3, label, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(w->ins) != SQLITE_DONE) {
			w->rc = KEHU_ESTORAGE;
			break;
		}
	}
	kehu_customer_free(c);
	return w->rc != KEHU_OK;
}

static int64_t count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int64_t revenue_of(kehu_db *crm, const char *code)
{
	kehu_customer *c;
	kehu_metrics m;

	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	if (kehu_customer_lookup_key(&c, crm, code) != KEHU_OK)
		return -1;
	if (kehu_metrics_read(&m, crm, kehu_customer_get_id(c), 0) != 0)
		m.revenue = -1;
	kehu_customer_free(c);
	return m.revenue;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : ":memory:";
	const char *src = kehu_rules_default_source();
	const int64_t now = day_time("2024-06-30");
	sqlite3 *erp = NULL;
	kehu_db *crm = NULL;
	kehu_rules *rules = NULL;
	sqlite3_stmt *st;
	writeback w;
	kv s;
	int64_t kv_before, rev_before;
	int rc, n, status = 1;

	memset(&s, 0, sizeof s);
	if (sqlite3_open(path, &erp) != SQLITE_OK ||
	    sqlite3_exec(erp, erp_schema, NULL, NULL, NULL) != SQLITE_OK ||
	    (count_rows(erp, "SELECT count(*) FROM customer") == 0 &&
	     sqlite3_exec(erp, erp_data, NULL, NULL, NULL) != SQLITE_OK)) {
		fprintf(stderr, "erp: %s\n", sqlite3_errmsg(erp));
		sqlite3_close(erp);
		return 1;
	}
	s.db = erp;
	if (kv_prepare(&s) != KEHU_OK ||
	    (rc = open_crm(&crm, &s)) != KEHU_OK)
		goto fail;
	if ((rc = sync_erp(erp, crm, &n)) != KEHU_OK)
		goto fail;
	printf("ERP %s: %lld customers, %d invoices mirrored into the CRM "
	       "(kv table: %lld rows)\n", path,
	       (long long)kehu_db_customer_count(crm), n,
	       (long long)count_rows(erp, "SELECT count(*) FROM kv"));

	/* classify; write the labels back in one ERP transaction */
	if ((rc = kehu_rules_compile(&rules, crm, src, strlen(src))) ||
	    (rc = kehu_rules_classify_all(crm, rules, now, NULL, NULL)))
		goto fail;
	sqlite3_exec(erp, "BEGIN; DELETE FROM crm_label", NULL, NULL, NULL);
	sqlite3_prepare_v2(erp, "INSERT INTO crm_label VALUES (?1, ?2, ?3)",
	                   -1, &w.ins, NULL);
	w.crm = crm;
	w.rules = rules;
	w.rc = KEHU_OK;
	rc = kehu_customer_foreach(crm, write_labels, &w);
	sqlite3_finalize(w.ins);
	if (rc != KEHU_OK || w.rc != KEHU_OK) {
		sqlite3_exec(erp, "ROLLBACK", NULL, NULL, NULL);
		rc = w.rc ? w.rc : rc;
		goto fail;
	}
	sqlite3_exec(erp, "COMMIT", NULL, NULL, NULL);
	sqlite3_prepare_v2(erp, "SELECT customer, group_concat(label, ' ') "
	                   "FROM crm_label GROUP BY customer ORDER BY "
	                   "customer", -1, &st, NULL);
	while (sqlite3_step(st) == SQLITE_ROW)
		printf("  crm_label %s: %s\n", sqlite3_column_text(st, 0),
		       sqlite3_column_text(st, 1));
	sqlite3_finalize(st);

	/* an invoice whose ERP transaction rolls back after the CRM
	 * committed its part: the savepoint goes with the transaction */
	kv_before = count_rows(erp, "SELECT count(*) FROM kv");
	rev_before = revenue_of(crm, "K-300");
	sqlite3_exec(erp, "BEGIN; INSERT INTO invoice (customer, day, cents) "
	             "VALUES ('K-300', '2024-06-29', 99900)", NULL, NULL,
	             NULL);
	if ((rc = crm_invoice(crm, "K-300", "2024-06-29", 99900,
	                      sqlite3_last_insert_rowid(erp))) != KEHU_OK)
		goto fail;
	printf("invoice posted: K-300 revenue %lld -> %lld, kv rows %lld -> "
	       "%lld\n", (long long)rev_before,
	       (long long)revenue_of(crm, "K-300"), (long long)kv_before,
	       (long long)count_rows(erp, "SELECT count(*) FROM kv"));
	sqlite3_exec(erp, "ROLLBACK", NULL, NULL, NULL); /* credit check */
	/* the CRM handle cached the committed savepoint: reopen it */
	kehu_rules_free(rules);
	rules = NULL;
	kehu_db_close(crm);
	crm = NULL;
	if ((rc = open_crm(&crm, &s)) != KEHU_OK)
		goto fail;
	printf("ERP rolled back: K-300 revenue %lld, kv rows %lld, invoices "
	       "%lld\n", (long long)revenue_of(crm, "K-300"),
	       (long long)count_rows(erp, "SELECT count(*) FROM kv"),
	       (long long)count_rows(erp, "SELECT count(*) FROM invoice"));
	if (revenue_of(crm, "K-300") != rev_before ||
	    count_rows(erp, "SELECT count(*) FROM kv") != kv_before) {
		fprintf(stderr, "erp: the rollback left CRM data behind\n");
		goto out;
	}
	printf("ok: the ERP's rollback took the CRM's writes with it\n");
	status = 0;
	goto out;
fail:
	fprintf(stderr, "erp: %s\n", kehu_errmsg(crm));
out:
	kehu_rules_free(rules);
	kehu_db_close(crm);
	kv_finalize(&s);
	sqlite3_close(erp);
	return status;
}
