/*
 * model/customer: customers: create, lookup, save (optimistic), delete,
 * erase (PII removal), iteration, and the fields of a handle.
 */
#include "model/customer.h"

#include <string.h>

#include "codec/interaction.h"
#include "codec/keys.h"
#include "model/fields.h"
#include "model/hot.h"
#include "model/page.h"

KEHU_API void kehu_customer_free(kehu_customer *c)
{
	kehu_db *db;

	if (!c)
		return;
	db = c->db;
	kehu__customer_rec_free(&db->alloc, &c->rec);
	kehu__strfree(&db->alloc, c->stored_key);
	kehu__db_handle_free(db, c, sizeof *c);
}

/* Writes the 'K' index entry key -> id. */
static int put_key_index(kehu_db *db, const char *key, int64_t id)
{
	kehu__key_extkey(&db->key, key);
	kehu__buf_reset(&db->val);
	kehu__buf_put_be64(&db->val, (uint64_t)id);
	return kehu__op_put(db, &db->key, &db->val);
}

static int key_taken(kehu_db *db, const char *key)
{
	int rc;

	kehu__key_extkey(&db->key, key);
	if (db->key.failed)
		return kehu__db_nomem(db);
	rc = kehu__store_get(&db->store, &db->key, &db->val);
	if (rc == KEHU_OK)
		return kehu__db_error3(db, KEHU_EEXIST, "external key '", key,
		                       "' is already taken");
	return rc == KEHU_ENOTFOUND ? KEHU_OK : rc;
}

/* What the hot state mirrors of a customer's record. */
static void set_hot_fields(kehu__hot *h, const kehu__customer_rec *r)
{
	h->kind = (uint8_t)r->kind;
	h->relation = (uint8_t)r->relation;
	h->status = (uint8_t)r->status;
	kehu__hot_set_sections(h, kehu__customer_rec_sections(r));
}

static int create_stored(kehu_db *db, kehu_customer *c)
{
	kehu__hot *h;
	int rc;

	kehu__key_id(&db->key, KEHU__KEY_CUSTOMER, c->rec.id);
	kehu__customer_rec_encode(&db->val, &c->rec);
	if ((rc = kehu__op_put(db, &db->key, &db->val)) != KEHU_OK)
		return rc;
	if (c->rec.key &&
	    (rc = put_key_index(db, c->rec.key, c->rec.id)) != KEHU_OK)
		return rc;
	h = kehu__hot_append(db, &db->customers, c->rec.id);
	h->rev = c->rec.rev;
	set_hot_fields(h, &c->rec);
	db->next_id++;
	db->meta_dirty = 1;
	return KEHU_OK;
}

KEHU_API int kehu_customer_create(kehu_customer **out, kehu_db *db,
                                  const char *external_key)
{
	kehu_customer *c;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_customer_create: out is NULL");
	if (external_key &&
	    ((rc = kehu__check_text(db, "external key", external_key, 1,
	                            KEHU_MAX_KEY_BYTES)) != KEHU_OK ||
	     (rc = key_taken(db, external_key)) != KEHU_OK))
		return rc;
	if (!(c = kehu__db_handle_new(db, sizeof *c)))
		return KEHU_ENOMEM;
	c->db = db;
	c->rec.id = db->next_id;
	c->rec.rev = 1;
	c->rec.kind = KEHU_KIND_PERSON;
	c->rec.relation = KEHU_RELATION_CONSUMER;
	c->rec.status = KEHU_STATUS_PROSPECT;
	if ((external_key &&
	     (!(c->rec.key = kehu__strndup(&db->alloc, external_key,
	                                   strlen(external_key))) ||
	      !(c->stored_key = kehu__strndup(&db->alloc, external_key,
	                                      strlen(external_key))))) ||
	    kehu__hot_reserve(db, &db->customers, 1, 0) != KEHU_OK) {
		kehu_customer_free(c);
		return kehu__db_nomem(db);
	}
	if ((rc = kehu__op_begin(db)) == KEHU_OK)
		rc = kehu__op_end(db, create_stored(db, c));
	if (rc != KEHU_OK) {
		kehu_customer_free(c);
		return rc;
	}
	*out = c;
	return KEHU_OK;
}

static int load(kehu_db *db, kehu_customer *c, int64_t id)
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
	rc = kehu__customer_rec_decode(&db->alloc, &c->rec, db->val.data,
	                               db->val.len);
	if (rc == KEHU_ENOMEM)
		return kehu__db_nomem(db);
	if (rc != KEHU_OK || c->rec.id != id)
		return kehu__db_errori(db, KEHU_ECORRUPT, "customer ", id,
		                       ": stored record does not decode");
	if (c->rec.key && !(c->stored_key = kehu__strndup(
	                           &db->alloc, c->rec.key, strlen(c->rec.key))))
		return kehu__db_nomem(db);
	return KEHU_OK;
}

KEHU_API int kehu_customer_lookup(kehu_customer **out, kehu_db *db,
                                  kehu_id id)
{
	kehu_customer *c;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_customer_lookup: out is NULL");
	if (!kehu__hot_find_live(&db->customers, id))
		return kehu__db_errori(db, KEHU_ENOTFOUND, "no customer with id ",
		                       id, "");
	if (!(c = kehu__db_handle_new(db, sizeof *c)))
		return KEHU_ENOMEM;
	c->db = db;
	if ((rc = load(db, c, id)) != KEHU_OK) {
		kehu_customer_free(c);
		return rc;
	}
	*out = c;
	return kehu__db_ok(db);
}

KEHU_API int kehu_customer_lookup_key(kehu_customer **out, kehu_db *db,
                                      const char *external_key)
{
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_customer_lookup_key: out is NULL");
	if ((rc = kehu__check_text(db, "external key", external_key, 1,
	                           KEHU_MAX_KEY_BYTES)) != KEHU_OK)
		return rc;
	kehu__key_extkey(&db->key, external_key);
	if (db->key.failed)
		return kehu__db_nomem(db);
	rc = kehu__store_get(&db->store, &db->key, &db->val);
	if (rc == KEHU_ENOTFOUND)
		return kehu__db_error3(db, rc, "no customer with external key '",
		                       external_key, "'");
	if (rc != KEHU_OK)
		return rc;
	if (db->val.len != 8)
		return kehu__db_error3(db, KEHU_ECORRUPT, "key index entry '",
		                       external_key, "' does not decode");
	return kehu_customer_lookup(out, db,
	                            (kehu_id)kehu__load_be64(db->val.data));
}

/* ---- save ----------------------------------------------------------- */

static int key_changed(const kehu_customer *c)
{
	if (!c->rec.key || !c->stored_key)
		return c->rec.key != c->stored_key;
	return strcmp(c->rec.key, c->stored_key) != 0;
}

/*
 * The referrer must be another live customer, except when it is the one
 * already stored: a referrer deleted after it was saved stays as history
 * and must not make the customers it referred unsaveable.  Only that
 * rare case reads the stored record.
 */
static int check_referrer(kehu_customer *c)
{
	kehu_db *db = c->db;
	int64_t ref = c->rec.referrer;
	kehu__customer_rec stored;
	int rc;

	if (ref == 0 ||
	    (ref != c->rec.id && kehu__hot_find_live(&db->customers, ref)))
		return KEHU_OK;
	if (ref != c->rec.id) {
		kehu__key_id(&db->key, KEHU__KEY_CUSTOMER, c->rec.id);
		if (db->key.failed)
			return kehu__db_nomem(db);
		rc = kehu__store_get(&db->store, &db->key, &db->val);
		if (rc != KEHU_OK && rc != KEHU_ENOTFOUND)
			return rc;
		memset(&stored, 0, sizeof stored);
		if (rc == KEHU_OK &&
		    kehu__customer_rec_decode_scalars(&stored, db->val.data,
		                                      db->val.len, NULL) ==
		            KEHU_OK &&
		    stored.referrer == ref)
			return KEHU_OK;
	}
	return kehu__db_errori(db, KEHU_EINVAL, "referrer ", ref,
	                       " is not another existing customer");
}

static int check_save(kehu_customer *c, kehu__hot **slot)
{
	kehu_db *db = c->db;
	int rc;

	*slot = kehu__hot_find_live(&db->customers, c->rec.id);
	if (!*slot)
		return kehu__db_errori(db, KEHU_ENOTFOUND, "customer ",
		                       c->rec.id, " was deleted");
	if ((*slot)->rev != c->rec.rev)
		return kehu__db_errori(db, KEHU_ECONFLICT, "customer ",
		                       c->rec.id,
		                       " was saved through another handle: "
		                       "look it up again");
	if ((rc = check_referrer(c)) != KEHU_OK)
		return rc;
	if (key_changed(c) && c->rec.key)
		return key_taken(db, c->rec.key);
	return KEHU_OK;
}

static int save_stored(kehu_customer *c, kehu__hot *h)
{
	kehu_db *db = c->db;
	int rc;

	c->rec.rev++;
	kehu__key_id(&db->key, KEHU__KEY_CUSTOMER, c->rec.id);
	kehu__customer_rec_encode(&db->val, &c->rec);
	c->rec.rev--;
	if ((rc = kehu__op_put(db, &db->key, &db->val)) != KEHU_OK)
		return rc;
	if (key_changed(c)) {
		if (c->stored_key) {
			kehu__key_extkey(&db->key, c->stored_key);
			if ((rc = kehu__op_del(db, &db->key)) != KEHU_OK)
				return rc;
		}
		if (c->rec.key &&
		    (rc = put_key_index(db, c->rec.key, c->rec.id)) != KEHU_OK)
			return rc;
	}
	kehu__hot_touch(db, &db->customers, h);
	h->rev = c->rec.rev + 1;
	set_hot_fields(h, &c->rec);
	return KEHU_OK;
}

KEHU_API int kehu_customer_save(kehu_customer *c)
{
	kehu_db *db;
	kehu__hot *h;
	char *new_stored = NULL;
	int rc;

	KEHU__CHECK_HANDLE(c);
	db = c->db;
	if ((rc = check_save(c, &h)) != KEHU_OK)
		return rc;
	if (c->rec.key && !(new_stored = kehu__strndup(&db->alloc, c->rec.key,
	                                                strlen(c->rec.key))))
		return kehu__db_nomem(db);
	if (kehu__hot_reserve(db, &db->customers, 0, 1) != KEHU_OK) {
		kehu__strfree(&db->alloc, new_stored);
		return KEHU_ENOMEM;
	}
	if ((rc = kehu__op_begin(db)) == KEHU_OK)
		rc = kehu__op_end(db, save_stored(c, h));
	if (rc != KEHU_OK) {
		kehu__strfree(&db->alloc, new_stored);
		return rc;
	}
	c->rec.rev++;
	kehu__strfree(&db->alloc, c->stored_key);
	c->stored_key = new_stored;
	return KEHU_OK;
}

/* ---- delete and erase ---------------------------------------------- */

static int in_accounts(kehu_db *db, int64_t id)
{
	kehu__page page;
	int rc;

	kehu__key_id(&db->key, KEHU__KEY_MEMBERSHIP, id);
	kehu__key_id(&db->key2, KEHU__KEY_MEMBERSHIP, id + 1);
	if (db->key.failed || db->key2.failed)
		return kehu__db_nomem(db);
	kehu__page_init(&page, &db->alloc);
	rc = kehu__page_start(&page, db->key.data, db->key.len);
	if (rc == KEHU_OK)
		rc = kehu__page_next(db, &page, db->key2.data, db->key2.len, 1);
	if (rc == KEHU_OK && page.len > 0)
		rc = kehu__db_errori(db, KEHU_EBUSY, "customer ", id,
		                     " belongs to an account: remove it there "
		                     "first");
	kehu__page_free(&page, &db->alloc);
	return rc == KEHU_ENOMEM ? kehu__db_nomem(db) : rc;
}

/* Deletes the keys prefix+id+... of one owner. */
static int delete_owned(kehu_db *db, uint8_t prefix, int64_t id)
{
	kehu__buf start, end;
	int rc;

	kehu__buf_init(&start, &db->alloc);
	kehu__buf_init(&end, &db->alloc);
	kehu__key_id(&start, prefix, id);
	kehu__key_id(&end, prefix, id + 1);
	if (start.failed || end.failed)
		rc = kehu__db_nomem(db);
	else
		rc = kehu__delete_range(db, &start, &end);
	kehu__buf_free(&start);
	kehu__buf_free(&end);
	return rc;
}

static int delete_stored(kehu_db *db, kehu_customer *c, kehu__hot *h)
{
	int rc;

	/* c is set whenever begin_on succeeds; the analyzer does not see
	 * that kehu__db_errori (model/db.c) returns its non-zero code.
	 * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
	kehu__key_id(&db->key, KEHU__KEY_CUSTOMER, c->rec.id);
	if ((rc = kehu__op_del(db, &db->key)) != KEHU_OK)
		return rc;
	if (c->rec.key) {
		kehu__key_extkey(&db->key, c->rec.key);
		if ((rc = kehu__op_del(db, &db->key)) != KEHU_OK)
			return rc;
	}
	kehu__key_id(&db->key, KEHU__KEY_METRICS, c->rec.id);
	if ((rc = kehu__op_del(db, &db->key)) != KEHU_OK ||
	    (rc = delete_owned(db, KEHU__KEY_INTERACTION, c->rec.id)) !=
	            KEHU_OK ||
	    (rc = delete_owned(db, KEHU__KEY_DAY, c->rec.id)) != KEHU_OK ||
	    (rc = delete_owned(db, KEHU__KEY_LABELS, c->rec.id)) != KEHU_OK)
		return rc;
	kehu__hot_touch(db, &db->customers, h);
	h->flags |= KEHU__HOT_DELETED;
	db->customers.live--;
	return KEHU_OK;
}

/* Looks up a live customer for delete/erase, with the reservation. */
static int begin_on(kehu_db *db, kehu_id id, kehu_customer **c,
                    kehu__hot **h)
{
	int rc;

	if ((rc = kehu_customer_lookup(c, db, id)) != KEHU_OK)
		return rc;
	*h = kehu__hot_find_live(&db->customers, id);
	if (kehu__hot_reserve(db, &db->customers, 0, 1) != KEHU_OK) {
		kehu_customer_free(*c);
		return KEHU_ENOMEM;
	}
	return KEHU_OK;
}

KEHU_API int kehu_customer_delete(kehu_db *db, kehu_id id)
{
	kehu_customer *c;
	kehu__hot *h;
	int rc;

	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if ((rc = begin_on(db, id, &c, &h)) != KEHU_OK)
		return rc;
	if ((rc = in_accounts(db, id)) == KEHU_OK &&
	    (rc = kehu__op_begin(db)) == KEHU_OK)
		rc = kehu__op_end(db, delete_stored(db, c, h));
	kehu_customer_free(c);
	return rc;
}

/* Rewrites one page of a history without notes and attributes. */
static int erase_page(kehu_db *db, const kehu__page *page)
{
	kehu__interaction_rec ix;
	kehu__buf key;
	size_t i;
	int rc = KEHU_OK;

	kehu__buf_init(&key, &db->alloc);
	for (i = 0; i < page->len && rc == KEHU_OK; i++) {
		memset(&ix, 0, sizeof ix);
		rc = kehu__interaction_rec_decode(&db->alloc, &ix,
		                                  kehu__page_val(page, i),
		                                  page->entries[i].vlen);
		if (rc != KEHU_OK) {
			rc = rc == KEHU_ENOMEM ? kehu__db_nomem(db)
			     : kehu__db_error(db, rc, "an interaction record "
			                              "does not decode");
			break;
		}
		if (ix.note || ix.attrs.len) {
			kehu__strfree(&db->alloc, ix.note);
			ix.note = NULL;
			kehu__attrs_free(&db->alloc, &ix.attrs);
			kehu__buf_reset(&key);
			kehu__buf_put(&key, kehu__page_key(page, i),
			              page->entries[i].klen);
			kehu__interaction_rec_encode(&db->val, &ix);
			rc = kehu__op_put(db, &key, &db->val);
		}
		kehu__interaction_rec_free(&db->alloc, &ix);
	}
	kehu__buf_free(&key);
	return rc;
}

static int erase_history(kehu_db *db, int64_t id)
{
	kehu__page page;
	kehu__buf end;
	int rc;

	kehu__page_init(&page, &db->alloc);
	kehu__buf_init(&end, &db->alloc);
	kehu__key_id(&db->key, KEHU__KEY_INTERACTION, id);
	kehu__key_id(&end, KEHU__KEY_INTERACTION, id + 1);
	rc = db->key.failed || end.failed
	             ? kehu__db_nomem(db)
	             : kehu__page_start(&page, db->key.data, db->key.len);
	while (rc == KEHU_OK) {
		rc = kehu__page_next(db, &page, end.data, end.len, 128);
		if (rc != KEHU_OK || page.len == 0)
			break;
		rc = erase_page(db, &page);
	}
	kehu__page_free(&page, &db->alloc);
	kehu__buf_free(&end);
	return rc == KEHU_ENOMEM ? kehu__db_nomem(db) : rc;
}

static int erase_stored(kehu_db *db, kehu_customer *c, kehu__hot *h)
{
	int rc;

	/* as in delete_stored:
	 * NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
	if (c->rec.key) {
		kehu__key_extkey(&db->key, c->rec.key);
		if ((rc = kehu__op_del(db, &db->key)) != KEHU_OK)
			return rc;
	}
	kehu__customer_rec_free(&db->alloc, &c->rec);
	c->rec.flags |= KEHU__CUSTOMER_ERASED;
	c->rec.rev++;
	kehu__key_id(&db->key, KEHU__KEY_CUSTOMER, c->rec.id);
	kehu__customer_rec_encode(&db->val, &c->rec);
	if ((rc = kehu__op_put(db, &db->key, &db->val)) != KEHU_OK ||
	    (rc = erase_history(db, c->rec.id)) != KEHU_OK)
		return rc;
	kehu__hot_touch(db, &db->customers, h);
	h->rev = c->rec.rev;
	kehu__hot_set_sections(h, 0);
	return KEHU_OK;
}

KEHU_API int kehu_customer_erase(kehu_db *db, kehu_id id)
{
	kehu_customer *c;
	kehu__hot *h;
	int rc;

	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if ((rc = begin_on(db, id, &c, &h)) != KEHU_OK)
		return rc;
	if ((rc = kehu__op_begin(db)) == KEHU_OK)
		rc = kehu__op_end(db, erase_stored(db, c, h));
	kehu_customer_free(c);
	return rc;
}

KEHU_API int kehu_customer_foreach(kehu_db *db, kehu_customer_foreach_cb cb,
                                   void *user_data)
{
	int rc = kehu__db_check(db);

	if (rc != KEHU_OK)
		return rc;
	return kehu__hot_foreach(db, &db->customers, "kehu_customer_foreach", cb,
	                         user_data);
}
