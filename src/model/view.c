/*
 * model/view: read-only access to customers for the rule engine.
 */
#include "model/view.h"

#include "codec/keys.h"
#include "model/db.h"
#include "model/hot.h"
#include "model/metrics.h"

size_t kehu__view_slots(const kehu_db *db)
{
	return db->customers.len;
}

int kehu__view_at(const kehu_db *db, size_t index, kehu__view *v)
{
	const kehu__hot *h = &db->customers.slots[index];

	v->id = h->id;
	v->kind = h->kind;
	v->relation = h->relation;
	v->status = h->status;
	return h->flags & KEHU__HOT_DELETED ? -1 : 0;
}

long kehu__view_find(kehu_db *db, kehu_id id)
{
	const kehu__hot *h = kehu__hot_find_live(&db->customers, id);

	return h ? (long)(h - db->customers.slots) : -1;
}

int kehu__view_metrics(kehu_db *db, size_t index, int64_t now, int windows,
                       kehu_metrics *out)
{
	return kehu__metrics_of_slot(db, &db->customers.slots[index], now,
	                             windows, out);
}

int kehu__view_record(kehu_db *db, kehu_id id, kehu__customer_rec *rec)
{
	int rc;

	kehu__key_id(&db->key, KEHU__KEY_CUSTOMER, id);
	if (db->key.failed)
		return kehu__db_nomem(db);
	rc = kehu__store_get(&db->store, &db->key, &db->val);
	if (rc == KEHU_ENOTFOUND)
		return kehu__db_errori(db, KEHU_ECORRUPT, "customer ", id,
		                       " is indexed but not stored");
	if (rc != KEHU_OK)
		return rc;
	rc = kehu__customer_rec_decode(&db->alloc, rec, db->val.data,
	                               db->val.len);
	if (rc == KEHU_ENOMEM)
		return kehu__db_nomem(db);
	if (rc != KEHU_OK)
		return kehu__db_errori(db, rc, "customer ", id,
		                       ": stored record does not decode");
	return KEHU_OK;
}

const kehu__allocator *kehu__view_allocator(const kehu_db *db)
{
	return &db->alloc;
}
