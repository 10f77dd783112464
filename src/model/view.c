/*
 * model/view: read-only access to customers for the rule engine.
 */
#include "model/view.h"

#include "codec/keys.h"
#include "core/caltime.h"
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

int kehu__view_seq_begin(kehu_db *db, kehu__view_seq *seq, int64_t now)
{
	uint8_t start = KEHU__KEY_DAY;

	kehu__page_init(&seq->page, &db->alloc);
	seq->pos = 0;
	seq->today = kehu__day_of(now, db->utc_offset);
	if (kehu__page_start(&seq->page, &start, 1) != KEHU_OK)
		return kehu__db_nomem(db);
	return KEHU_OK;
}

void kehu__view_seq_end(kehu_db *db, kehu__view_seq *seq)
{
	kehu__page_free(&seq->page, &db->alloc);
}

/* The owner id of the current bucket, loading pages as needed; -1 at
 * the end of the 'D' keys. */
static int seq_owner(kehu_db *db, kehu__view_seq *seq, int64_t *owner)
{
	uint8_t end = KEHU__KEY_DAY + 1;
	int rc;

	if (seq->pos == seq->page.len) {
		if ((rc = kehu__page_next(db, &seq->page, &end, 1, 512)))
			return rc;
		seq->pos = 0;
		if (seq->page.len == 0) {
			*owner = -1;
			return KEHU_OK;
		}
	}
	if (seq->page.entries[seq->pos].klen != 13)
		return kehu__db_error(db, KEHU_ECORRUPT,
		                      "a day bucket key does not decode");
	*owner = (int64_t)kehu__load_be64(kehu__page_key(&seq->page,
	                                                 seq->pos) + 1);
	return KEHU_OK;
}

int kehu__view_seq_metrics(kehu_db *db, kehu__view_seq *seq, size_t index,
                           int64_t now, kehu_metrics *out)
{
	const kehu__hot *h = &db->customers.slots[index];
	int64_t owner = -1;
	int rc;

	if ((rc = kehu__metrics_of_slot(db, h, now, 0, out)) != KEHU_OK)
		return rc;
	/* quiet for a year: its buckets (if any) are skipped unread by the
	 * next customer's call */
	if (h->m.last_contact < 0 ||
	    kehu__day_of(h->m.last_contact, db->utc_offset) < seq->today - 364)
		return KEHU_OK;
	for (;;) {
		const kehu__page_entry *e;

		if ((rc = seq_owner(db, seq, &owner)) != KEHU_OK)
			return rc;
		if (owner < 0 || owner > h->id)
			return KEHU_OK;
		e = &seq->page.entries[seq->pos++];
		if (owner < h->id)
			continue; /* an account's, or a deleted customer's */
		if (kehu__metrics_add_day(out, seq->today,
		                          kehu__page_key(&seq->page,
		                                         seq->pos - 1),
		                          e->klen,
		                          kehu__page_val(&seq->page,
		                                         seq->pos - 1),
		                          e->vlen) != KEHU_OK)
			return kehu__db_errori(db, KEHU_ECORRUPT,
			                       "a day bucket of ", h->id,
			                       " does not decode");
	}
}

int kehu__view_record_bytes(kehu_db *db, kehu_id id, kehu__buf *buf)
{
	int rc;

	kehu__key_id(&db->key, KEHU__KEY_CUSTOMER, id);
	if (db->key.failed)
		return kehu__db_nomem(db);
	rc = kehu__store_get(&db->store, &db->key, buf);
	if (rc == KEHU_ENOTFOUND)
		return kehu__db_errori(db, KEHU_ECORRUPT, "customer ", id,
		                       " is indexed but not stored");
	return rc;
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
