/*
 * model/db: the db handle: open (and rebuild of the hot state from the
 * store), close, host transactions and the per-mutation transaction.
 */
#include "model/db.h"

#include <string.h>

#include "codec/customer.h"
#include "codec/keys.h"
#include "codec/meta.h"
#include "model/hot.h"
#include "storage/memory.h"

KEHU_API const char *kehu_version(void)
{
	return KEHU_VERSION_STRING;
}

KEHU_API int32_t kehu_version_number(void)
{
	return KEHU_VERSION_NUMBER;
}

KEHU_API size_t kehu_db_hot_bytes_per_customer(void)
{
	return sizeof(kehu__hot);
}

/* ---- errors ------------------------------------------------------- */

int kehu__db_error(kehu_db *db, int code, const char *msg)
{
	return kehu__error_set(&db->err, code, msg);
}

int kehu__db_error3(kehu_db *db, int code, const char *prefix,
                    const char *subject, const char *suffix)
{
	return kehu__error_set3(&db->err, code, prefix, subject, suffix);
}

int kehu__db_errori(kehu_db *db, int code, const char *prefix, int64_t n,
                    const char *suffix)
{
	return kehu__error_seti(&db->err, code, prefix, n, suffix);
}

int kehu__db_nomem(kehu_db *db)
{
	return kehu__error_set(&db->err, KEHU_ENOMEM, "out of memory");
}

int kehu__db_ok(kehu_db *db)
{
	kehu__error_clear(&db->err);
	return KEHU_OK;
}

KEHU_API int kehu_errcode(const kehu_db *db)
{
	if (!db)
		return KEHU_ENOMEM;
	if (db->magic != KEHU__DB_MAGIC)
		return KEHU_EMISUSE;
	return db->err.code;
}

KEHU_API const char *kehu_errmsg(const kehu_db *db)
{
	if (!db)
		return "out of memory";
	if (db->magic != KEHU__DB_MAGIC)
		return "not a valid kehu_db handle";
	if (db->err.code == KEHU_OK)
		return "not an error";
	return db->err.msg[0] ? db->err.msg : kehu_strerror(db->err.code);
}

int kehu__db_check(kehu_db *db)
{
	if (!db || db->magic != KEHU__DB_MAGIC)
		return KEHU_EINVAL;
	if (db->state == KEHU__DB_FAILED)
		return kehu__db_error(db, KEHU_EMISUSE,
		                      "the db failed to open: close it");
	if (db->state != KEHU__DB_OPEN)
		return kehu__db_error(db, KEHU_EMISUSE, "the db is closed");
	return KEHU_OK;
}

int kehu__db_check_child(kehu_db *db)
{
	if (db->state != KEHU__DB_OPEN)
		return kehu__db_error(db, KEHU_EMISUSE,
		                      "the handle's db has been closed");
	return KEHU_OK;
}

void *kehu__db_handle_new(kehu_db *db, size_t size)
{
	void *h = kehu__calloc(&db->alloc, 1, size);

	if (!h) {
		kehu__db_nomem(db);
		return NULL;
	}
	db->live_handles++;
	return h;
}

void kehu__db_handle_free(kehu_db *db, void *handle, size_t size)
{
	kehu__free(&db->alloc, handle, size);
	if (--db->live_handles == 0 && db->state == KEHU__DB_ZOMBIE)
		kehu__db_free(db);
}

/* ---- options ------------------------------------------------------ */

KEHU_API int kehu_db_options_init(kehu_db_options *opts, uint32_t version)
{
	if (!opts || version != KEHU_DB_OPTIONS_VERSION)
		return KEHU_EINVAL;
	opts->version = version;
	opts->alloc = NULL;
	opts->alloc_user_data = NULL;
	opts->storage = NULL;
	opts->utc_offset = KEHU_UNSET;
	opts->currency_exponent = KEHU_UNSET;
	return KEHU_OK;
}

/* ---- transactions ------------------------------------------------- */

static int write_meta(kehu_db *db)
{
	kehu__meta_rec m;

	m.format = KEHU__DATA_FORMAT;
	m.utc_offset = db->utc_offset;
	m.currency_exponent = db->currency_exponent;
	m.next_id = db->next_id;
	kehu__key_meta(&db->key);
	kehu__meta_rec_encode(&db->val, &m);
	if (db->key.failed || db->val.failed)
		return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	return kehu__store_put(&db->store, &db->key, db->val.data,
	                       db->val.len);
}

static int flush_slot(kehu_db *db, kehu__hot *h)
{
	int rc;

	if (!(h->flags & KEHU__HOT_METRICS_DIRTY) ||
	    (h->flags & KEHU__HOT_DELETED))
		return KEHU_OK;
	kehu__key_id(&db->key, KEHU__KEY_METRICS, h->id);
	kehu__metrics_rec_encode(&db->val, &h->m);
	if (db->key.failed || db->val.failed)
		return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	rc = kehu__store_put(&db->store, &db->key, db->val.data, db->val.len);
	return rc;
}

static int flush_table(kehu_db *db, kehu__hot_table *t, size_t from)
{
	size_t i;
	int rc;

	for (i = from; i < t->len; i++)
		if ((rc = flush_slot(db, &t->slots[i])) != KEHU_OK)
			return rc;
	return KEHU_OK;
}

static void clear_dirty(kehu__hot_table *t, size_t from)
{
	size_t i;

	for (i = from; i < t->len; i++)
		t->slots[i].flags &= (uint8_t)~KEHU__HOT_METRICS_DIRTY;
}

/* Writes the metrics of every slot the transaction touched, and meta. */
static int flush(kehu_db *db)
{
	size_t i;
	int rc;

	for (i = 0; i < db->undo_len; i++) {
		kehu__undo *u = &db->undo[i];

		rc = flush_slot(db, &u->table->slots[u->index]);
		if (rc != KEHU_OK)
			return rc;
	}
	if ((rc = flush_table(db, &db->customers,
	                      db->customers_len_at_begin)) != KEHU_OK ||
	    (rc = flush_table(db, &db->accounts,
	                      db->accounts_len_at_begin)) != KEHU_OK)
		return rc;
	if (db->meta_dirty)
		return write_meta(db);
	return KEHU_OK;
}

static void forget_dirty(kehu_db *db)
{
	size_t i;

	for (i = 0; i < db->undo_len; i++) {
		kehu__undo *u = &db->undo[i];

		u->table->slots[u->index].flags &=
			(uint8_t)~KEHU__HOT_METRICS_DIRTY;
	}
	clear_dirty(&db->customers, db->customers_len_at_begin);
	clear_dirty(&db->accounts, db->accounts_len_at_begin);
	kehu__hot_txn_forget(db);
}

static int txn_start(kehu_db *db)
{
	int rc = kehu__store_begin(&db->store);

	if (rc != KEHU_OK)
		return rc;
	db->txn_open = 1;
	kehu__hot_txn_begin(db);
	return KEHU_OK;
}

/* Rolls back store and memory; keeps the error message of the cause. */
static int txn_abort(kehu_db *db, int rc)
{
	kehu__error cause = db->err;

	kehu__store_rollback(&db->store);
	kehu__hot_txn_rollback(db);
	db->txn_open = 0;
	db->host_txn = 0;
	db->err = cause;
	return rc;
}

static int txn_finish(kehu_db *db)
{
	int rc = flush(db);

	if (rc == KEHU_OK)
		rc = kehu__store_commit(&db->store);
	if (rc != KEHU_OK)
		return txn_abort(db, rc);
	forget_dirty(db);
	db->txn_open = 0;
	db->host_txn = 0;
	return KEHU_OK;
}

int kehu__op_begin(kehu_db *db)
{
	db->op_changed = 0;
	if (db->host_txn)
		return KEHU_OK;
	return txn_start(db);
}

int kehu__op_end(kehu_db *db, int rc)
{
	if (rc != KEHU_OK) {
		if (db->txn_open && (!db->host_txn || db->op_changed))
			txn_abort(db, rc);
		return rc;
	}
	if (!db->host_txn)
		rc = txn_finish(db);
	return rc == KEHU_OK ? kehu__db_ok(db) : rc;
}

int kehu__op_put(kehu_db *db, const kehu__buf *key, const kehu__buf *val)
{
	if (key->failed || val->failed)
		return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	db->op_changed = 1;
	return kehu__store_put(&db->store, key, val->data, val->len);
}

int kehu__op_del(kehu_db *db, const kehu__buf *key)
{
	if (key->failed)
		return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	db->op_changed = 1;
	return kehu__store_del(&db->store, key->data, key->len);
}

KEHU_API int kehu_db_begin(kehu_db *db)
{
	int rc = kehu__db_check(db);

	if (rc != KEHU_OK)
		return rc;
	if (db->host_txn)
		return kehu__db_error(db, KEHU_EMISUSE,
		                      "kehu_db_begin: a transaction is already "
		                      "open (they do not nest)");
	if ((rc = txn_start(db)) != KEHU_OK)
		return rc;
	db->host_txn = 1;
	return kehu__db_ok(db);
}

KEHU_API int kehu_db_commit(kehu_db *db)
{
	int rc = kehu__db_check(db);

	if (rc != KEHU_OK)
		return rc;
	if (!db->host_txn)
		return kehu__db_error(db, KEHU_EMISUSE,
		                      "kehu_db_commit: no transaction is open");
	rc = txn_finish(db);
	return rc == KEHU_OK ? kehu__db_ok(db) : rc;
}

KEHU_API int kehu_db_rollback(kehu_db *db)
{
	int rc = kehu__db_check(db);

	if (rc != KEHU_OK)
		return rc;
	if (!db->host_txn)
		return kehu__db_error(db, KEHU_EMISUSE,
		                      "kehu_db_rollback: no transaction is "
		                      "open");
	rc = kehu__store_rollback(&db->store);
	kehu__hot_txn_rollback(db);
	db->txn_open = 0;
	db->host_txn = 0;
	return rc == KEHU_OK ? kehu__db_ok(db) : rc;
}

KEHU_API int kehu_db_in_transaction(const kehu_db *db)
{
	return db && db->magic == KEHU__DB_MAGIC && db->host_txn;
}

/* ---- getters ------------------------------------------------------ */

KEHU_API kehu_alloc_fn kehu_db_allocator(const kehu_db *db,
                                         void **user_data_out)
{
	if (!db || db->magic != KEHU__DB_MAGIC)
		return NULL;
	if (user_data_out)
		*user_data_out = db->alloc.user_data;
	return db->alloc.fn;
}

KEHU_API int32_t kehu_db_get_utc_offset(const kehu_db *db)
{
	return db && db->magic == KEHU__DB_MAGIC ? db->utc_offset : 0;
}

KEHU_API int32_t kehu_db_get_currency_exponent(const kehu_db *db)
{
	return db && db->magic == KEHU__DB_MAGIC ? db->currency_exponent : 0;
}

KEHU_API int64_t kehu_db_customer_count(const kehu_db *db)
{
	return db && db->magic == KEHU__DB_MAGIC ? db->customers.live : 0;
}

KEHU_API int64_t kehu_db_account_count(const kehu_db *db)
{
	return db && db->magic == KEHU__DB_MAGIC ? db->accounts.live : 0;
}
