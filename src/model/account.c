/*
 * model/account: accounts: a payer and members in roles, saved
 * optimistically, with a reverse index ('P' customer account) so that a
 * customer who still belongs to an account cannot be deleted.
 */
#include <string.h>

#include "codec/account.h"
#include "codec/keys.h"
#include "model/fields.h"
#include "model/hot.h"
#include "model/page.h"

struct kehu_account {
	kehu_db *db;
	kehu__account_rec rec;
};

KEHU_API void kehu_account_free(kehu_account *a)
{
	kehu_db *db;

	if (!a)
		return;
	db = a->db;
	kehu__account_rec_free(&db->alloc, &a->rec);
	kehu__db_handle_free(db, a, sizeof *a);
}

static long member_index(const kehu__account_rec *r, int64_t customer)
{
	size_t i;

	for (i = 0; i < r->nmembers; i++)
		if (r->members[i].customer == customer)
			return (long)i;
	return -1;
}

static int push_member(kehu_db *db, kehu__account_rec *r, int64_t customer,
                       int32_t role)
{
	void *items = r->members;

	if (kehu__grow(&db->alloc, &items, &r->members_cap, r->nmembers + 1,
	               sizeof *r->members))
		return kehu__db_nomem(db);
	r->members = items;
	r->members[r->nmembers].customer = customer;
	r->members[r->nmembers].role = role;
	r->nmembers++;
	return KEHU_OK;
}

static int put_record(kehu_db *db, const kehu__account_rec *r)
{
	kehu__key_id(&db->key, KEHU__KEY_ACCOUNT, r->id);
	kehu__account_rec_encode(&db->val, r);
	return kehu__op_put(db, &db->key, &db->val);
}

static int put_membership(kehu_db *db, int64_t customer, int64_t account)
{
	kehu__key_membership(&db->key, customer, account);
	kehu__buf_reset(&db->val);
	return kehu__op_put(db, &db->key, &db->val);
}

static int del_membership(kehu_db *db, int64_t customer, int64_t account)
{
	kehu__key_membership(&db->key, customer, account);
	return kehu__op_del(db, &db->key);
}

static int create_stored(kehu_db *db, kehu_account *a)
{
	kehu__hot *h;
	int rc;

	if ((rc = put_record(db, &a->rec)) != KEHU_OK ||
	    (rc = put_membership(db, a->rec.payer, a->rec.id)) != KEHU_OK)
		return rc;
	h = kehu__hot_append(db, &db->accounts, a->rec.id);
	h->rev = a->rec.rev;
	db->next_id++;
	db->meta_dirty = 1;
	return KEHU_OK;
}

KEHU_API int kehu_account_create(kehu_account **out, kehu_db *db,
                                 kehu_id payer_id)
{
	kehu_account *a;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_account_create: out is NULL");
	if (payer_id <= 0)
		return kehu__db_errori(db, KEHU_EINVAL, "payer id ", payer_id,
		                       " is not positive");
	if (!kehu__hot_find_live(&db->customers, payer_id))
		return kehu__db_errori(db, KEHU_ENOTFOUND, "payer ", payer_id,
		                       " is not a customer");
	if (!(a = kehu__db_handle_new(db, sizeof *a)))
		return KEHU_ENOMEM;
	a->db = db;
	a->rec.id = db->next_id;
	a->rec.rev = 1;
	a->rec.payer = payer_id;
	if ((rc = push_member(db, &a->rec, payer_id, KEHU_ROLE_PAYER)) ||
	    (rc = kehu__hot_reserve(db, &db->accounts, 1, 0))) {
		kehu_account_free(a);
		return rc;
	}
	if ((rc = kehu__op_begin(db)) == KEHU_OK)
		rc = kehu__op_end(db, create_stored(db, a));
	if (rc != KEHU_OK) {
		kehu_account_free(a);
		return rc;
	}
	*out = a;
	return KEHU_OK;
}

static int read_record(kehu_db *db, int64_t id, kehu__account_rec *r)
{
	int rc;

	memset(r, 0, sizeof *r);
	kehu__key_id(&db->key, KEHU__KEY_ACCOUNT, id);
	if (db->key.failed)
		return kehu__db_nomem(db);
	rc = kehu__store_get(&db->store, &db->key, &db->val);
	if (rc == KEHU_ENOTFOUND)
		return kehu__db_errori(db, KEHU_ECORRUPT, "account ", id,
		                       " is indexed but not stored");
	if (rc != KEHU_OK)
		return rc;
	rc = kehu__account_rec_decode(&db->alloc, r, db->val.data,
	                              db->val.len);
	if (rc == KEHU_ENOMEM)
		return kehu__db_nomem(db);
	if (rc != KEHU_OK || r->id != id) {
		kehu__account_rec_free(&db->alloc, r);
		return kehu__db_errori(db, KEHU_ECORRUPT, "account ", id,
		                       ": stored record does not decode");
	}
	return KEHU_OK;
}

KEHU_API int kehu_account_lookup(kehu_account **out, kehu_db *db,
                                 kehu_id id)
{
	kehu_account *a;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_account_lookup: out is NULL");
	if (!kehu__hot_find_live(&db->accounts, id))
		return kehu__db_errori(db, KEHU_ENOTFOUND, "no account with id ",
		                       id, "");
	if (!(a = kehu__db_handle_new(db, sizeof *a)))
		return KEHU_ENOMEM;
	a->db = db;
	if ((rc = read_record(db, id, &a->rec)) != KEHU_OK) {
		kehu_account_free(a);
		return rc;
	}
	*out = a;
	return kehu__db_ok(db);
}

/* ---- save ------------------------------------------------------------- */

static int check_save(kehu_account *a, kehu__hot **slot)
{
	kehu_db *db = a->db;
	size_t i;

	*slot = kehu__hot_find_live(&db->accounts, a->rec.id);
	if (!*slot)
		return kehu__db_errori(db, KEHU_ENOTFOUND, "account ", a->rec.id,
		                       " was deleted");
	if ((*slot)->rev != a->rec.rev)
		return kehu__db_errori(db, KEHU_ECONFLICT, "account ", a->rec.id,
		                       " was saved through another handle: "
		                       "look it up again");
	for (i = 0; i < a->rec.nmembers; i++)
		if (!kehu__hot_find_live(&db->customers,
		                         a->rec.members[i].customer))
			return kehu__db_errori(db, KEHU_ENOTFOUND, "member ",
			                       a->rec.members[i].customer,
			                       " is not a customer");
	return KEHU_OK;
}

/* Moves the reverse index from the stored members to the new ones. */
static int sync_memberships(kehu_db *db, const kehu__account_rec *old,
                            const kehu__account_rec *now)
{
	size_t i;
	int rc;

	for (i = 0; i < old->nmembers; i++)
		if (member_index(now, old->members[i].customer) < 0 &&
		    (rc = del_membership(db, old->members[i].customer,
		                         now->id)) != KEHU_OK)
			return rc;
	for (i = 0; i < now->nmembers; i++)
		if (member_index(old, now->members[i].customer) < 0 &&
		    (rc = put_membership(db, now->members[i].customer,
		                         now->id)) != KEHU_OK)
			return rc;
	return KEHU_OK;
}

static int save_stored(kehu_account *a, const kehu__account_rec *old,
                       kehu__hot *h)
{
	kehu_db *db = a->db;
	int rc;

	a->rec.rev++;
	rc = put_record(db, &a->rec);
	a->rec.rev--;
	if (rc != KEHU_OK || (rc = sync_memberships(db, old, &a->rec)))
		return rc;
	kehu__hot_touch(db, &db->accounts, h);
	h->rev = a->rec.rev + 1;
	return KEHU_OK;
}

KEHU_API int kehu_account_save(kehu_account *a)
{
	kehu__account_rec old;
	kehu__hot *h;
	kehu_db *db;
	int rc;

	KEHU__CHECK_HANDLE(a);
	db = a->db;
	if ((rc = check_save(a, &h)) != KEHU_OK ||
	    (rc = kehu__hot_reserve(db, &db->accounts, 0, 1)) != KEHU_OK ||
	    (rc = read_record(db, a->rec.id, &old)) != KEHU_OK)
		return rc;
	if ((rc = kehu__op_begin(db)) == KEHU_OK)
		rc = kehu__op_end(db, save_stored(a, &old, h));
	kehu__account_rec_free(&db->alloc, &old);
	if (rc == KEHU_OK)
		a->rec.rev++;
	return rc;
}

static int delete_stored(kehu_db *db, const kehu__account_rec *r,
                         kehu__hot *h)
{
	kehu__buf end;
	size_t i;
	int rc;

	kehu__key_id(&db->key, KEHU__KEY_ACCOUNT, r->id);
	if ((rc = kehu__op_del(db, &db->key)) != KEHU_OK)
		return rc;
	kehu__key_id(&db->key, KEHU__KEY_METRICS, r->id);
	if ((rc = kehu__op_del(db, &db->key)) != KEHU_OK)
		return rc;
	for (i = 0; i < r->nmembers; i++)
		if ((rc = del_membership(db, r->members[i].customer, r->id)))
			return rc;
	kehu__buf_init(&end, &db->alloc);
	kehu__key_id(&db->key2, KEHU__KEY_DAY, r->id);
	kehu__key_id(&end, KEHU__KEY_DAY, r->id + 1);
	rc = end.failed ? kehu__db_nomem(db) : kehu__delete_range(db, &db->key2, &end);
	kehu__buf_free(&end);
	if (rc != KEHU_OK)
		return rc;
	kehu__hot_touch(db, &db->accounts, h);
	h->flags |= KEHU__HOT_DELETED;
	db->accounts.live--;
	return KEHU_OK;
}

KEHU_API int kehu_account_delete(kehu_db *db, kehu_id id)
{
	kehu__account_rec r;
	kehu__hot *h;
	int rc;

	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!(h = kehu__hot_find_live(&db->accounts, id)))
		return kehu__db_errori(db, KEHU_ENOTFOUND, "no account with id ",
		                       id, "");
	if ((rc = kehu__hot_reserve(db, &db->accounts, 0, 1)) != KEHU_OK ||
	    (rc = read_record(db, id, &r)) != KEHU_OK)
		return rc;
	if ((rc = kehu__op_begin(db)) == KEHU_OK)
		rc = kehu__op_end(db, delete_stored(db, &r, h));
	kehu__account_rec_free(&db->alloc, &r);
	return rc;
}

KEHU_API int kehu_account_foreach(kehu_db *db, kehu_account_foreach_cb cb,
                                  void *user_data)
{
	int rc = kehu__db_check(db);

	if (rc != KEHU_OK)
		return rc;
	return kehu__hot_foreach(db, &db->accounts, "kehu_account_foreach", cb,
	                         user_data);
}

/* ---- fields ----------------------------------------------------------- */

KEHU_API kehu_id kehu_account_get_id(const kehu_account *a)
{
	return a ? a->rec.id : 0;
}

KEHU_API const char *kehu_account_get_name(const kehu_account *a)
{
	return a && a->rec.name ? a->rec.name : "";
}

KEHU_API int kehu_account_set_name(kehu_account *a, const char *name)
{
	KEHU__CHECK_HANDLE(a);
	if (!name)
		return kehu__db_error(a->db, KEHU_EINVAL, "name is NULL");
	return kehu__set_text(a->db, &a->rec.name, "name",
	                      name[0] ? name : NULL, 0, KEHU_MAX_NAME_BYTES);
}

KEHU_API kehu_id kehu_account_get_payer(const kehu_account *a)
{
	return a ? a->rec.payer : 0;
}

KEHU_API int kehu_account_set_payer(kehu_account *a, kehu_id customer_id)
{
	long old, now;
	int rc;

	KEHU__CHECK_HANDLE(a);
	if (customer_id <= 0)
		return kehu__db_errori(a->db, KEHU_EINVAL, "payer id ",
		                       customer_id, " is not positive");
	now = member_index(&a->rec, customer_id);
	if (now < 0) {
		if (a->rec.nmembers >= KEHU_MAX_MEMBERS)
			return kehu__db_errori(a->db, KEHU_EINVAL, "more than ",
			                       KEHU_MAX_MEMBERS, " members");
		if ((rc = push_member(a->db, &a->rec, customer_id,
		                      KEHU_ROLE_PAYER)) != KEHU_OK)
			return rc;
	} else {
		a->rec.members[now].role = KEHU_ROLE_PAYER;
	}
	old = member_index(&a->rec, a->rec.payer);
	if (a->rec.payer != customer_id && old >= 0 &&
	    a->rec.members[old].role == KEHU_ROLE_PAYER)
		a->rec.members[old].role = KEHU_ROLE_USER;
	a->rec.payer = customer_id;
	return kehu__db_ok(a->db);
}

KEHU_API int kehu_account_add_member(kehu_account *a, kehu_id customer_id,
                                     int32_t role)
{
	int rc;

	KEHU__CHECK_HANDLE(a);
	if (customer_id <= 0 || role < KEHU_ROLE_PAYER ||
	    role > KEHU_ROLE_INFLUENCER)
		return kehu__db_errori(a->db, KEHU_EINVAL, "member ",
		                       customer_id,
		                       ": id must be positive and role 1..4");
	/* one member holds the payer role, the payer: else set_payer and
	 * remove_member would disagree about who pays */
	if (role == KEHU_ROLE_PAYER)
		return kehu__db_errori(a->db, KEHU_EINVAL, "member ",
		                       customer_id,
		                       ": the payer role is given by "
		                       "kehu_account_set_payer");
	if (member_index(&a->rec, customer_id) >= 0)
		return kehu__db_errori(a->db, KEHU_EEXIST, "customer ",
		                       customer_id, " is already a member");
	if (a->rec.nmembers >= KEHU_MAX_MEMBERS)
		return kehu__db_errori(a->db, KEHU_EINVAL, "more than ",
		                       KEHU_MAX_MEMBERS, " members");
	if ((rc = push_member(a->db, &a->rec, customer_id, role)) != KEHU_OK)
		return rc;
	return kehu__db_ok(a->db);
}

KEHU_API int kehu_account_remove_member(kehu_account *a,
                                        kehu_id customer_id)
{
	long at;

	KEHU__CHECK_HANDLE(a);
	at = member_index(&a->rec, customer_id);
	if (at < 0)
		return kehu__db_errori(a->db, KEHU_ENOTFOUND, "customer ",
		                       customer_id, " is not a member");
	if (customer_id == a->rec.payer)
		return kehu__db_errori(a->db, KEHU_EBUSY, "customer ",
		                       customer_id,
		                       " is the payer: set another payer first");
	memmove(&a->rec.members[at], &a->rec.members[at + 1],
	        (a->rec.nmembers - (size_t)at - 1) * sizeof *a->rec.members);
	a->rec.nmembers--;
	return kehu__db_ok(a->db);
}

KEHU_API int32_t kehu_account_get_member_role(const kehu_account *a,
                                              kehu_id customer_id)
{
	long at = a ? member_index(&a->rec, customer_id) : -1;

	return at < 0 ? 0 : a->rec.members[at].role;
}

KEHU_API size_t kehu_account_member_count(const kehu_account *a)
{
	return a ? a->rec.nmembers : 0;
}

KEHU_API int kehu_account_foreach_member(const kehu_account *a,
                                         kehu_member_foreach_cb cb,
                                         void *user_data)
{
	size_t i;
	int rc;

	KEHU__CHECK_HANDLE(a);
	if (!cb)
		return kehu__db_error(a->db, KEHU_EINVAL,
		                      "kehu_account_foreach_member: cb is "
		                      "NULL");
	kehu__db_ok(a->db);
	for (i = 0; i < a->rec.nmembers; i++)
		if ((rc = cb(a->rec.members[i].customer,
		             a->rec.members[i].role, user_data)) != 0)
			return rc;
	return KEHU_OK;
}
