/*
 * model/history: iterating one customer's interactions in (time, id)
 * order, a page of store entries at a time: one range scan of that
 * customer's 'I' keys per page.
 */
#include <string.h>

#include "codec/keys.h"
#include "model/hot.h"
#include "model/interaction.h"
#include "model/page.h"

#define HISTORY_PAGE 64

struct kehu_history {
	kehu_db *db;
	kehu__page page;
	size_t pos;
	kehu__buf end;
	kehu_interaction current;
};

KEHU_API void kehu_history_free(kehu_history *h)
{
	kehu_db *db;

	if (!h)
		return;
	db = h->db;
	kehu__page_free(&h->page, &db->alloc);
	kehu__buf_free(&h->end);
	kehu__interaction_rec_free(&db->alloc, &h->current.rec);
	kehu__db_handle_free(db, h, sizeof *h);
}

static int history_range(kehu_history *h, kehu_id customer, int64_t from,
                         int64_t to, kehu_id after_id)
{
	kehu_db *db = h->db;

	/* the smallest key after (from, after_id): that key and a zero
	 * byte (after_id + 1 would overflow for INT64_MAX) */
	kehu__key_interaction(&db->key, customer, from, after_id);
	if (after_id)
		kehu__buf_put_u8(&db->key, 0);
	kehu__key_interaction(&h->end, customer, to, 0);
	if (db->key.failed || h->end.failed ||
	    kehu__page_start(&h->page, db->key.data, db->key.len) != KEHU_OK)
		return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	return KEHU_OK;
}

KEHU_API int kehu_history_new(kehu_history **out, kehu_db *db,
                              kehu_id customer_id, int64_t from_time,
                              int64_t to_time, kehu_id after_id)
{
	kehu_history *h;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_history_new: out is NULL");
	if (from_time < 0 || from_time > to_time || after_id < 0)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_history_new: need 0 <= from_time <= "
		                      "to_time and after_id >= 0");
	if (!kehu__hot_find_live(&db->customers, customer_id))
		return kehu__db_errori(db, KEHU_ENOTFOUND, "no customer with id ",
		                       customer_id, "");
	if (!(h = kehu__db_handle_new(db, sizeof *h)))
		return KEHU_ENOMEM;
	h->db = db;
	h->current.db = db;
	h->current.recorded = 1;
	kehu__page_init(&h->page, &db->alloc);
	kehu__buf_init(&h->end, &db->alloc);
	if ((rc = history_range(h, customer_id, from_time, to_time,
	                        after_id)) != KEHU_OK) {
		kehu_history_free(h);
		return rc;
	}
	*out = h;
	return kehu__db_ok(db);
}

KEHU_API int kehu_history_next(kehu_history *h, const kehu_interaction **out)
{
	kehu_db *db;
	int rc;

	KEHU__CHECK_HANDLE(h);
	db = h->db;
	if (!out)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_history_next: out is NULL");
	*out = NULL;
	if (h->pos == h->page.len) {
		rc = kehu__page_next(db, &h->page, h->end.data, h->end.len,
		                     HISTORY_PAGE);
		if (rc != KEHU_OK)
			return rc;
		h->pos = 0;
		if (h->page.len == 0)
			return kehu__db_error(db, KEHU_ITEROVER, "no more items");
	}
	kehu__interaction_rec_free(&db->alloc, &h->current.rec);
	memset(&h->current.rec, 0, sizeof h->current.rec);
	rc = kehu__interaction_rec_decode(&db->alloc, &h->current.rec,
	                                  kehu__page_val(&h->page, h->pos),
	                                  h->page.entries[h->pos].vlen);
	if (rc == KEHU_ENOMEM)
		return kehu__db_error(db, rc, "out of memory");
	if (rc != KEHU_OK)
		return kehu__db_error(db, rc,
		                      "an interaction record does not decode");
	h->pos++;
	*out = &h->current;
	return kehu__db_ok(db);
}
