/*
 * model/hot: sorted slot tables and their undo log.
 */
#include "model/hot.h"

#include "codec/customer.h"
#include "core/tuning.h"

#include <string.h>

/* Ids in a table rise by at least one a slot, so id's slot lies at most
 * id - (the first id) slots in.  Customers created in a row (an import)
 * have consecutive ids, and then that bound is the slot itself: one load
 * where the search took some 17, the last few of them cache misses in a
 * large table.  Ids taken by interactions in between, or slots dropped
 * at reopen, make it a bound of the search instead. */
kehu__hot *kehu__hot_find(kehu__hot_table *t, int64_t id)
{
	size_t lo = 0, hi = t->len;
	uint64_t most;

	if (hi == 0 || id < t->slots[0].id)
		return NULL;
	most = (uint64_t)id - (uint64_t)t->slots[0].id;
	if (most < hi) {
		if (t->slots[most].id == id)
			return &t->slots[most];
		hi = (size_t)most;
	}

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->slots[mid].id == id)
			return &t->slots[mid];
		if (t->slots[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

kehu__hot *kehu__hot_find_live(kehu__hot_table *t, int64_t id)
{
	kehu__hot *h = kehu__hot_find(t, id);

	return h && !(h->flags & KEHU__HOT_DELETED) ? h : NULL;
}

int kehu__hot_reserve(kehu_db *db, kehu__hot_table *t, size_t slots,
                      size_t undo)
{
	void *items = t->slots;

	/* every interaction recorded asks: mostly there is room */
	if (KEHU__FAST_PATHS && t->len + slots <= t->cap &&
	    db->undo_len + undo <= db->undo_cap)
		return KEHU_OK;
	if (kehu__grow(&db->alloc, &items, &t->cap, t->len + slots,
	               sizeof *t->slots))
		return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	t->slots = items;
	items = db->undo;
	if (kehu__grow(&db->alloc, &items, &db->undo_cap, db->undo_len + undo,
	               sizeof *db->undo))
		return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	db->undo = items;
	return KEHU_OK;
}

kehu__hot *kehu__hot_append(kehu_db *db, kehu__hot_table *t, int64_t id)
{
	kehu__hot *h = &t->slots[t->len++];

	memset(h, 0, sizeof *h);
	h->id = id;
	h->epoch = db->epoch; /* new in this transaction: nothing to undo */
	kehu__metrics_rec_empty(&h->m);
	t->live++;
	db->op_changed = 1;
	return h;
}

void kehu__hot_touch(kehu_db *db, kehu__hot_table *t, kehu__hot *slot)
{
	kehu__undo *u;

	db->op_changed = 1;
	if (slot->epoch == db->epoch)
		return;
	u = &db->undo[db->undo_len++];
	u->table = t;
	u->index = (size_t)(slot - t->slots);
	u->saved = *slot;
	slot->epoch = db->epoch;
}

void kehu__hot_table_free(kehu_db *db, kehu__hot_table *t)
{
	kehu__free(&db->alloc, t->slots, t->cap * sizeof *t->slots);
	memset(t, 0, sizeof *t);
}

static void reset_epochs(kehu__hot_table *t)
{
	size_t i;

	for (i = 0; i < t->len; i++)
		t->slots[i].epoch = 0;
}

void kehu__hot_txn_begin(kehu_db *db)
{
	if (++db->epoch == 0) {
		/* wrapped after 2^32 transactions: no slot may look touched */
		reset_epochs(&db->customers);
		reset_epochs(&db->accounts);
		db->epoch = 1;
	}
	db->undo_len = 0;
	db->customers_len_at_begin = db->customers.len;
	db->accounts_len_at_begin = db->accounts.len;
	db->customers_live_at_begin = db->customers.live;
	db->accounts_live_at_begin = db->accounts.live;
	db->next_id_at_begin = db->next_id;
	db->meta_dirty = 0;
}

void kehu__hot_txn_rollback(kehu_db *db)
{
	while (db->undo_len > 0) {
		kehu__undo *u = &db->undo[--db->undo_len];

		u->table->slots[u->index] = u->saved;
	}
	db->customers.len = db->customers_len_at_begin;
	db->accounts.len = db->accounts_len_at_begin;
	db->customers.live = db->customers_live_at_begin;
	db->accounts.live = db->accounts_live_at_begin;
	db->next_id = db->next_id_at_begin;
	db->meta_dirty = 0;
}

void kehu__hot_txn_forget(kehu_db *db)
{
	db->undo_len = 0;
	db->meta_dirty = 0;
}

int kehu__hot_foreach(kehu_db *db, kehu__hot_table *t, const char *what,
                      int (*cb)(kehu_id id, void *user_data),
                      void *user_data)
{
	size_t i;
	int rc;

	if (!cb)
		return kehu__db_error3(db, KEHU_EINVAL, "", what,
		                       ": cb is NULL");
	kehu__db_ok(db);
	for (i = 0; i < t->len; i++) {
		if (t->slots[i].flags & KEHU__HOT_DELETED)
			continue;
		if ((rc = cb(t->slots[i].id, user_data)) != 0)
			return rc;
	}
	return KEHU_OK;
}

void kehu__hot_set_sections(kehu__hot *h, unsigned sections)
{
	h->flags &= (uint8_t)~(KEHU__HOT_HAS_TAGS | KEHU__HOT_HAS_ATTRS);
	if (sections & KEHU__CUSTOMER_HAS_TAGS)
		h->flags |= KEHU__HOT_HAS_TAGS;
	if (sections & KEHU__CUSTOMER_HAS_ATTRS)
		h->flags |= KEHU__HOT_HAS_ATTRS;
}
