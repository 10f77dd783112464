/*
 * model/open: kehu_db_open and kehu_db_close: taking the store, checking
 * the meta record, and rebuilding the hot state by scanning the store.
 */
#include <string.h>

#include "codec/account.h"
#include "codec/customer.h"
#include "codec/keys.h"
#include "codec/meta.h"
#include "model/db.h"
#include "model/hot.h"
#include "model/interaction.h"
#include "storage/memory.h"

#define MAX_UTC_OFFSET 64800
#define MAX_CURRENCY_EXPONENT 6

static int check_options(kehu_db *db, const kehu_db_options *o)
{
	if (o->version != KEHU_DB_OPTIONS_VERSION)
		return kehu__db_errori(db, KEHU_EINVAL,
		                       "kehu_db_open: options version ",
		                       (int64_t)o->version,
		                       " is unknown (use kehu_db_options_init)");
	if (o->utc_offset != KEHU_UNSET &&
	    (o->utc_offset < -MAX_UTC_OFFSET || o->utc_offset > MAX_UTC_OFFSET))
		return kehu__db_errori(db, KEHU_EINVAL,
		                       "kehu_db_open: utc_offset ",
		                       o->utc_offset,
		                       " is outside -64800..64800 seconds");
	if (o->currency_exponent != KEHU_UNSET &&
	    (o->currency_exponent < 0 ||
	     o->currency_exponent > MAX_CURRENCY_EXPONENT))
		return kehu__db_errori(db, KEHU_EINVAL,
		                       "kehu_db_open: currency_exponent ",
		                       o->currency_exponent,
		                       " is outside 0..6");
	return KEHU_OK;
}

static int new_db_meta(kehu_db *db, const kehu_db_options *o)
{
	kehu__meta_rec m;
	int rc;

	db->utc_offset = o->utc_offset == KEHU_UNSET ? 0 : o->utc_offset;
	db->currency_exponent =
		o->currency_exponent == KEHU_UNSET ? 2 : o->currency_exponent;
	db->next_id = 1;
	m.format = KEHU__DATA_FORMAT;
	m.utc_offset = db->utc_offset;
	m.currency_exponent = db->currency_exponent;
	m.next_id = db->next_id;
	kehu__key_meta(&db->key);
	kehu__meta_rec_encode(&db->val, &m);
	if ((rc = kehu__op_begin(db)) != KEHU_OK)
		return rc;
	return kehu__op_end(db, kehu__op_put(db, &db->key, &db->val));
}

static int load_meta(kehu_db *db, const kehu_db_options *o)
{
	kehu__meta_rec m;
	int rc;

	kehu__key_meta(&db->key);
	if (db->key.failed)
		return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	rc = kehu__store_get(&db->store, &db->key, &db->val);
	if (rc == KEHU_ENOTFOUND)
		return new_db_meta(db, o);
	if (rc != KEHU_OK)
		return rc;
	if (kehu__meta_rec_decode(&m, db->val.data, db->val.len) != KEHU_OK ||
	    m.next_id < 1)
		return kehu__db_error(db, KEHU_ECORRUPT,
		                      "the db's meta record does not decode");
	if (m.format > KEHU__DATA_FORMAT)
		return kehu__db_errori(db, KEHU_ECORRUPT,
		                       "the db was written in data format ",
		                       m.format,
		                       ", newer than this library reads (1)");
	if (o->utc_offset != KEHU_UNSET && o->utc_offset != m.utc_offset)
		return kehu__db_errori(db, KEHU_EINVAL,
		                       "kehu_db_open: utc_offset differs from "
		                       "the db's (", m.utc_offset, ")");
	if (o->currency_exponent != KEHU_UNSET &&
	    o->currency_exponent != m.currency_exponent)
		return kehu__db_errori(db, KEHU_EINVAL,
		                       "kehu_db_open: currency_exponent "
		                       "differs from the db's (",
		                       m.currency_exponent, ")");
	db->utc_offset = m.utc_offset;
	db->currency_exponent = m.currency_exponent;
	db->next_id = m.next_id;
	return KEHU_OK;
}

/* ---- rebuild ------------------------------------------------------ */

typedef struct rebuild_ctx {
	kehu_db *db;
	kehu__hot_table *table;
	int rc;
} rebuild_ctx;

static int rebuild_fail(rebuild_ctx *ctx, int code, const char *what,
                        int64_t id)
{
	if (code == KEHU_ENOMEM)
		ctx->rc = kehu__db_error(ctx->db, code, "out of memory");
	else
		ctx->rc = kehu__db_errori(ctx->db, code, what, id,
		                          " does not decode");
	return 1; /* stop the scan */
}

static int add_slot(rebuild_ctx *ctx, int64_t id, uint32_t rev)
{
	kehu__hot *h;

	if (id <= 0 || id >= ctx->db->next_id ||
	    (ctx->table->len &&
	     ctx->table->slots[ctx->table->len - 1].id >= id))
		return rebuild_fail(ctx, KEHU_ECORRUPT, "record of id ", id);
	if (kehu__hot_reserve(ctx->db, ctx->table, 1, 0) != KEHU_OK)
		return rebuild_fail(ctx, KEHU_ENOMEM, "", 0);
	h = kehu__hot_append(ctx->db, ctx->table, id);
	h->rev = rev;
	h->epoch = 0;
	return 0;
}

static int visit_customer(const void *key, size_t klen, const void *val,
                          size_t vlen, void *vctx)
{
	rebuild_ctx *ctx = vctx;
	kehu__customer_rec c;
	int64_t id = 0;
	unsigned sections = 0;

	memset(&c, 0, sizeof c);
	if (kehu__key_parse_id(key, klen, &id) != 0 ||
	    kehu__customer_rec_decode_scalars(&c, val, vlen, &sections) !=
	            KEHU_OK ||
	    c.id != id)
		return rebuild_fail(ctx, KEHU_ECORRUPT, "customer ", id);
	if (add_slot(ctx, id, c.rev))
		return 1;
	ctx->table->slots[ctx->table->len - 1].kind = (uint8_t)c.kind;
	ctx->table->slots[ctx->table->len - 1].relation = (uint8_t)c.relation;
	ctx->table->slots[ctx->table->len - 1].status = (uint8_t)c.status;
	kehu__hot_set_sections(&ctx->table->slots[ctx->table->len - 1],
	                       sections);
	return 0;
}

static int visit_account(const void *key, size_t klen, const void *val,
                         size_t vlen, void *vctx)
{
	rebuild_ctx *ctx = vctx;
	kehu__account_rec a;
	int64_t id = 0;
	int rc;

	memset(&a, 0, sizeof a);
	if (kehu__key_parse_id(key, klen, &id) != 0)
		return rebuild_fail(ctx, KEHU_ECORRUPT, "account ", id);
	rc = kehu__account_rec_decode(&ctx->db->alloc, &a, val, vlen);
	if (rc != KEHU_OK || a.id != id) {
		kehu__account_rec_free(&ctx->db->alloc, &a);
		return rebuild_fail(ctx, rc == KEHU_OK ? KEHU_ECORRUPT : rc,
		                    "account ", id);
	}
	kehu__account_rec_free(&ctx->db->alloc, &a);
	return add_slot(ctx, id, a.rev);
}

static int visit_metrics(const void *key, size_t klen, const void *val,
                         size_t vlen, void *vctx)
{
	rebuild_ctx *ctx = vctx;
	kehu__hot *h;
	int64_t id = 0;

	if (kehu__key_parse_id(key, klen, &id) != 0)
		return rebuild_fail(ctx, KEHU_ECORRUPT, "metrics of ", id);
	h = kehu__hot_find(&ctx->db->customers, id);
	if (!h)
		h = kehu__hot_find(&ctx->db->accounts, id);
	if (!h)
		return 0; /* an owner deleted by a newer library: ignore */
	if (kehu__metrics_rec_decode(&h->m, val, vlen) != KEHU_OK)
		return rebuild_fail(ctx, KEHU_ECORRUPT, "metrics of ", id);
	return 0;
}

static int scan_prefix(kehu_db *db, uint8_t prefix, kehu__hot_table *t,
                       kehu_storage_visit_cb visit)
{
	uint8_t start = prefix, end = (uint8_t)(prefix + 1);
	rebuild_ctx ctx;
	int rc;

	ctx.db = db;
	ctx.table = t;
	ctx.rc = KEHU_OK;
	rc = kehu__store_scan(&db->store, &start, 1, &end, 1, visit, &ctx);
	if (rc == 1)
		return ctx.rc;
	return rc;
}

static int rebuild(kehu_db *db)
{
	int rc;

	if ((rc = scan_prefix(db, KEHU__KEY_CUSTOMER, &db->customers,
	                      visit_customer)) != KEHU_OK ||
	    (rc = scan_prefix(db, KEHU__KEY_ACCOUNT, &db->accounts,
	                      visit_account)) != KEHU_OK ||
	    (rc = scan_prefix(db, KEHU__KEY_METRICS, NULL, visit_metrics)) !=
	            KEHU_OK)
		return rc;
	return KEHU_OK;
}

/* ---- open and close ----------------------------------------------- */

static int take_storage(kehu_db *db, const kehu_db_options *o)
{
	kehu_storage owned;
	int rc;

	if (o->storage)
		return kehu__store_init(&db->store, o->storage, &db->err);
	rc = kehu__storage_memory_new_owned(&owned, db->alloc.fn,
	                                    db->alloc.user_data);
	if (rc != KEHU_OK)
		return kehu__db_error(db, rc, "cannot create the memory store");
	return kehu__store_init(&db->store, &owned, &db->err);
}

static int open_db(kehu_db *db, const kehu_db_options *o)
{
	int rc;

	if ((rc = check_options(db, o)) != KEHU_OK ||
	    (rc = take_storage(db, o)) != KEHU_OK ||
	    (rc = load_meta(db, o)) != KEHU_OK ||
	    (rc = rebuild(db)) != KEHU_OK)
		return rc;
	return kehu__db_ok(db);
}

KEHU_API int kehu_db_open(kehu_db **out, const kehu_db_options *opts)
{
	kehu_db_options defaults;
	kehu_alloc_fn fn;
	void *ud;
	kehu_db *db;
	int rc;

	if (!out)
		return KEHU_EINVAL;
	*out = NULL;
	kehu_db_options_init(&defaults, KEHU_DB_OPTIONS_VERSION);
	if (!opts)
		opts = &defaults;
	fn = opts->version >= 1 && opts->alloc ? opts->alloc
	                                       : kehu_alloc_default;
	ud = opts->version >= 1 && opts->alloc ? opts->alloc_user_data : NULL;
	db = fn(ud, NULL, 0, sizeof *db);
	if (!db)
		return KEHU_ENOMEM;
	memset(db, 0, sizeof *db);
	db->magic = KEHU__DB_MAGIC;
	db->state = KEHU__DB_OPEN;
	db->alloc.fn = fn;
	db->alloc.user_data = ud;
	kehu__buf_init(&db->key, &db->alloc);
	kehu__buf_init(&db->key2, &db->alloc);
	kehu__buf_init(&db->val, &db->alloc);
	*out = db;
	rc = open_db(db, opts);
	if (rc != KEHU_OK)
		db->state = KEHU__DB_FAILED;
	return rc;
}

void kehu__db_free(kehu_db *db)
{
	kehu__allocator a = db->alloc;

	kehu__hot_table_free(db, &db->customers);
	kehu__hot_table_free(db, &db->accounts);
	kehu__free(&a, db->undo, db->undo_cap * sizeof *db->undo);
	kehu_model_free(db->purchase_model);
	kehu_model_free(db->spend_model);
	kehu__buf_free(&db->key);
	kehu__buf_free(&db->key2);
	kehu__buf_free(&db->val);
	kehu__interaction_spare_free(db);
	db->magic = 0;
	kehu__free(&a, db, sizeof *db);
}

KEHU_API void kehu_db_close(kehu_db *db)
{
	if (!db || db->magic != KEHU__DB_MAGIC ||
	    db->state == KEHU__DB_ZOMBIE)
		return;
	if (db->txn_open) {
		kehu__store_rollback(&db->store);
		kehu__hot_txn_rollback(db);
		db->txn_open = 0;
		db->host_txn = 0;
	}
	kehu__store_close(&db->store);
	db->state = KEHU__DB_ZOMBIE;
	if (db->live_handles == 0)
		kehu__db_free(db);
}
