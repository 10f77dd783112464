/*
 * model/interaction: building an interaction and recording it: one
 * transaction that stores it and updates its customer's and account's
 * metrics and day buckets.
 */
#include "model/interaction.h"

#include <string.h>

#include "codec/keys.h"
#include "core/tuning.h"
#include "model/fields.h"
#include "model/hot.h"
#include "model/metrics.h"

static const char type_names[][16] = {
	"purchase", "refund", "visit", "call", "email", "service_request",
	"complaint", "feedback", "referral", "marketing"};

#define TYPE_COUNT ((int32_t)(sizeof type_names / sizeof type_names[0]))

KEHU_API const char *kehu_interaction_type_name(int32_t type)
{
	return type >= 1 && type <= TYPE_COUNT ? type_names[type - 1] : NULL;
}

KEHU_API int kehu_interaction_type_from_name(const char *name, int32_t *out)
{
	int32_t i;

	if (!name || !out)
		return KEHU_EINVAL;
	for (i = 0; i < TYPE_COUNT; i++) {
		if (strcmp(type_names[i], name) == 0) {
			*out = i + 1;
			return KEHU_OK;
		}
	}
	return KEHU_ENOTFOUND;
}

/* A zeroed handle: the spare one if the db has it. */
static kehu_interaction *handle_new(kehu_db *db)
{
	kehu_interaction *ix = db->spare_interaction;

	if (!KEHU__FAST_PATHS || !ix)
		return kehu__db_handle_new(db, sizeof *ix);
	db->spare_interaction = NULL;
	db->live_handles++;
	memset(ix, 0, sizeof *ix);
	return ix;
}

void kehu__interaction_spare_free(kehu_db *db)
{
	kehu__free(&db->alloc, db->spare_interaction,
	           sizeof *db->spare_interaction);
	db->spare_interaction = NULL;
}

KEHU_API int kehu_interaction_new(kehu_interaction **out, kehu_db *db,
                                  kehu_id customer_id, int32_t type,
                                  int64_t time)
{
	kehu_interaction *ix;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_interaction_new: out is NULL");
	if (customer_id <= 0)
		return kehu__db_errori(db, KEHU_EINVAL, "customer id ",
		                       customer_id, " is not positive");
	if (!kehu_interaction_type_name(type))
		return kehu__db_errori(db, KEHU_EINVAL, "interaction type ",
		                       type, " is unknown");
	if ((rc = kehu__check_time(db, "interaction time", time)) != KEHU_OK)
		return rc;
	if (!(ix = handle_new(db)))
		return KEHU_ENOMEM;
	ix->db = db;
	ix->rec.customer = customer_id;
	ix->rec.type = type;
	ix->rec.time = time;
	*out = ix;
	return kehu__db_ok(db);
}

KEHU_API void kehu_interaction_free(kehu_interaction *ix)
{
	kehu_db *db;

	if (!ix)
		return;
	db = ix->db;
	kehu__interaction_rec_free(&db->alloc, &ix->rec);
	if (KEHU__FAST_PATHS && db->state == KEHU__DB_OPEN &&
	    !db->spare_interaction) {
		db->spare_interaction = ix;
		db->live_handles--;
		return;
	}
	kehu__db_handle_free(db, ix, sizeof *ix);
}

/* First line of every setter: a live handle not yet recorded. */
static int writable(kehu_interaction *ix)
{
	if (!ix)
		return KEHU_EINVAL;
	if (kehu__db_check_child(ix->db) != KEHU_OK)
		return KEHU_EMISUSE;
	if (ix->recorded)
		return kehu__db_error(ix->db, KEHU_EMISUSE,
		                      "the interaction is recorded: "
		                      "interactions are append-only");
	return KEHU_OK;
}

KEHU_API int kehu_interaction_set_account(kehu_interaction *ix,
                                          kehu_id account_id)
{
	int rc = writable(ix);

	if (rc != KEHU_OK)
		return rc;
	if (account_id < 0)
		return kehu__db_errori(ix->db, KEHU_EINVAL, "account id ",
		                       account_id, " is negative");
	ix->rec.account = account_id;
	return kehu__db_ok(ix->db);
}

static int set_money(kehu_interaction *ix, int64_t *field, int64_t v,
                     const char *what)
{
	int rc = writable(ix);

	if (rc != KEHU_OK)
		return rc;
	if (v < 0)
		return kehu__db_error3(ix->db, KEHU_EINVAL, "", what,
		                       " must not be negative (record a refund "
		                       "instead)");
	*field = v;
	return kehu__db_ok(ix->db);
}

KEHU_API int kehu_interaction_set_amount(kehu_interaction *ix,
                                         int64_t amount)
{
	return set_money(ix, ix ? &ix->rec.amount : NULL, amount, "amount");
}

KEHU_API int kehu_interaction_set_cost(kehu_interaction *ix, int64_t cost)
{
	return set_money(ix, ix ? &ix->rec.cost : NULL, cost, "cost");
}

KEHU_API int kehu_interaction_set_channel(kehu_interaction *ix,
                                          const char *channel)
{
	int rc = writable(ix);

	if (rc != KEHU_OK)
		return rc;
	return kehu__set_text(ix->db, &ix->rec.channel, "channel", channel, 0,
	                      KEHU_MAX_CHANNEL_BYTES);
}

KEHU_API int kehu_interaction_set_note(kehu_interaction *ix,
                                       const char *note)
{
	int rc = writable(ix);

	if (rc != KEHU_OK)
		return rc;
	return kehu__set_text(ix->db, &ix->rec.note, "note", note, 0,
	                      KEHU_MAX_NOTE_BYTES);
}

KEHU_API int kehu_interaction_set_satisfaction(kehu_interaction *ix,
                                               int32_t satisfaction)
{
	int rc = writable(ix);

	if (rc != KEHU_OK)
		return rc;
	if (satisfaction < 0 || satisfaction > 5)
		return kehu__db_errori(ix->db, KEHU_EINVAL, "satisfaction ",
		                       satisfaction,
		                       " is outside 1..5 (0: none)");
	ix->rec.satisfaction = satisfaction;
	return kehu__db_ok(ix->db);
}

KEHU_API int kehu_interaction_set_attr_string(kehu_interaction *ix,
                                              const char *name,
                                              const char *value)
{
	int rc = writable(ix);

	return rc ? rc : kehu__attr_set_string(ix->db, &ix->rec.attrs, name,
	                                       value);
}

KEHU_API int kehu_interaction_set_attr_int(kehu_interaction *ix,
                                           const char *name, int64_t value)
{
	int rc = writable(ix);

	return rc ? rc : kehu__attr_set_i64(ix->db, &ix->rec.attrs, name,
	                                    KEHU_ATTR_INT, value);
}

KEHU_API int kehu_interaction_set_attr_number(kehu_interaction *ix,
                                              const char *name, double value)
{
	int rc = writable(ix);

	return rc ? rc : kehu__attr_set_number(ix->db, &ix->rec.attrs, name,
	                                       value);
}

KEHU_API int kehu_interaction_set_attr_time(kehu_interaction *ix,
                                            const char *name, int64_t value)
{
	int rc = writable(ix);

	return rc ? rc : kehu__attr_set_i64(ix->db, &ix->rec.attrs, name,
	                                    KEHU_ATTR_TIME, value);
}

/* ---- record ----------------------------------------------------------- */

static int check_record(kehu_interaction *ix, kehu__hot **cust,
                        kehu__hot **acct)
{
	kehu_db *db = ix->db;
	const kehu__interaction_rec *r = &ix->rec;

	*cust = kehu__hot_find_live(&db->customers, r->customer);
	if (!*cust)
		return kehu__db_errori(db, KEHU_ENOTFOUND, "no customer with id ",
		                       r->customer, "");
	*acct = NULL;
	if (r->account &&
	    !(*acct = kehu__hot_find_live(&db->accounts, r->account)))
		return kehu__db_errori(db, KEHU_ENOTFOUND, "no account with id ",
		                       r->account, "");
	if (r->type == KEHU_IX_FEEDBACK && r->satisfaction == 0)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "feedback needs a satisfaction score 1..5");
	if (r->satisfaction && r->type != KEHU_IX_FEEDBACK &&
	    r->type != KEHU_IX_COMPLAINT)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "only feedback and complaints carry a "
		                      "satisfaction score");
	return KEHU_OK;
}

static int put_bucket(kehu_db *db, int64_t owner,
                      const kehu__metrics_update *u)
{
	if (!u->write_bucket)
		return KEHU_OK;
	kehu__key_day(&db->key, owner, u->day);
	kehu__day_rec_encode(&db->val, &u->bucket);
	return kehu__op_put(db, &db->key, &db->val);
}

static void set_metrics(kehu_db *db, kehu__hot_table *t, kehu__hot *h,
                        const kehu__metrics_update *u)
{
	kehu__hot_touch(db, t, h);
	h->m = u->m;
	h->flags |= KEHU__HOT_METRICS_DIRTY;
}

static int record_stored(kehu_interaction *ix, kehu__hot *cust,
                         const kehu__metrics_update *cu, kehu__hot *acct,
                         const kehu__metrics_update *au)
{
	kehu_db *db = ix->db;
	kehu__interaction_rec *r = &ix->rec;
	int rc;

	kehu__key_interaction(&db->key, r->customer, r->time, r->id);
	kehu__interaction_rec_encode(&db->val, r);
	if ((rc = kehu__op_put(db, &db->key, &db->val)) != KEHU_OK ||
	    (rc = put_bucket(db, r->customer, cu)) != KEHU_OK ||
	    (acct && (rc = put_bucket(db, r->account, au)) != KEHU_OK))
		return rc;
	set_metrics(db, &db->customers, cust, cu);
	if (acct)
		set_metrics(db, &db->accounts, acct, au);
	db->next_id++;
	db->meta_dirty = 1;
	return KEHU_OK;
}

KEHU_API int kehu_interaction_record(kehu_interaction *ix)
{
	kehu__metrics_update cu, au;
	kehu__hot *cust = NULL, *acct = NULL;
	kehu_db *db;
	int rc;

	if ((rc = writable(ix)) != KEHU_OK)
		return rc;
	db = ix->db;
	if ((rc = check_record(ix, &cust, &acct)) != KEHU_OK ||
	    (rc = kehu__metrics_apply(db, ix->rec.customer, &cust->m, &ix->rec,
	                              &cu)) != KEHU_OK ||
	    (acct && (rc = kehu__metrics_apply(db, ix->rec.account, &acct->m,
	                                       &ix->rec, &au)) != KEHU_OK) ||
	    (rc = kehu__hot_reserve(db, &db->customers, 0, 2)) != KEHU_OK)
		return rc;
	ix->rec.id = db->next_id;
	if ((rc = kehu__op_begin(db)) == KEHU_OK)
		rc = kehu__op_end(db, record_stored(ix, cust, &cu, acct, &au));
	if (rc != KEHU_OK) {
		ix->rec.id = 0;
		return rc;
	}
	ix->recorded = 1;
	return KEHU_OK;
}

/* ---- getters ------------------------------------------------------------ */

KEHU_API kehu_id kehu_interaction_get_id(const kehu_interaction *ix)
{
	return ix ? ix->rec.id : 0;
}

KEHU_API kehu_id kehu_interaction_get_customer(const kehu_interaction *ix)
{
	return ix ? ix->rec.customer : 0;
}

KEHU_API kehu_id kehu_interaction_get_account(const kehu_interaction *ix)
{
	return ix ? ix->rec.account : 0;
}

KEHU_API int32_t kehu_interaction_get_type(const kehu_interaction *ix)
{
	return ix ? ix->rec.type : 0;
}

KEHU_API int64_t kehu_interaction_get_time(const kehu_interaction *ix)
{
	return ix ? ix->rec.time : 0;
}

KEHU_API int64_t kehu_interaction_get_amount(const kehu_interaction *ix)
{
	return ix ? ix->rec.amount : 0;
}

KEHU_API int64_t kehu_interaction_get_cost(const kehu_interaction *ix)
{
	return ix ? ix->rec.cost : 0;
}

KEHU_API int32_t kehu_interaction_get_satisfaction(
	const kehu_interaction *ix)
{
	return ix ? ix->rec.satisfaction : 0;
}

KEHU_API const char *kehu_interaction_get_channel(const kehu_interaction *ix)
{
	return ix && ix->rec.channel ? ix->rec.channel : "";
}

KEHU_API const char *kehu_interaction_get_note(const kehu_interaction *ix)
{
	return ix && ix->rec.note ? ix->rec.note : "";
}

KEHU_API int kehu_interaction_get_attr_string(const kehu_interaction *ix,
                                              const char *name,
                                              const char **out)
{
	KEHU__CHECK_HANDLE(ix);
	return kehu__attr_get_string(ix->db, &ix->rec.attrs, name, out);
}

KEHU_API int kehu_interaction_get_attr_int(const kehu_interaction *ix,
                                           const char *name, int64_t *out)
{
	KEHU__CHECK_HANDLE(ix);
	return kehu__attr_get_i64(ix->db, &ix->rec.attrs, name, KEHU_ATTR_INT,
	                          out);
}

KEHU_API int kehu_interaction_get_attr_number(const kehu_interaction *ix,
                                              const char *name, double *out)
{
	KEHU__CHECK_HANDLE(ix);
	return kehu__attr_get_number(ix->db, &ix->rec.attrs, name, out);
}

KEHU_API int kehu_interaction_get_attr_time(const kehu_interaction *ix,
                                            const char *name, int64_t *out)
{
	KEHU__CHECK_HANDLE(ix);
	return kehu__attr_get_i64(ix->db, &ix->rec.attrs, name, KEHU_ATTR_TIME,
	                          out);
}

KEHU_API size_t kehu_interaction_attr_count(const kehu_interaction *ix)
{
	return ix ? ix->rec.attrs.len : 0;
}
