/*
 * rules/store: rule sets stored in the db by name ('R' name -> text), so
 * a POS loads what the ERP wrote; and the labels and scores classify-all
 * stores per customer ('L' customer ruleset).
 */
#include <string.h>

#include "codec/keys.h"
#include "codec/labels.h"
#include "model/db.h"
#include "rules/program.h"

KEHU_API int kehu_rules_save(kehu_db *db, const kehu_rules *r)
{
	int rc;

	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!r || r->db != db)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_rules_save: rules of this db are "
		                      "required");
	kehu__key_ruleset(&db->key, r->name);
	kehu__ruleset_rec_encode(&db->val, r->name, r->version, r->source,
	                         r->source_len);
	if ((rc = kehu__op_begin(db)) != KEHU_OK)
		return rc;
	return kehu__op_end(db, kehu__op_put(db, &db->key, &db->val));
}

KEHU_API int kehu_rules_load(kehu_rules **out, kehu_db *db,
                             const char *name)
{
	const char *source;
	size_t len;
	int rc;

	if (out)
		*out = NULL;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!out || !name)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_rules_load: out and name are "
		                      "required");
	kehu__key_ruleset(&db->key, name);
	if (db->key.failed)
		return kehu__db_nomem(db);
	rc = kehu__store_get(&db->store, &db->key, &db->val);
	if (rc == KEHU_ENOTFOUND)
		return kehu__db_error3(db, rc, "no rule set named '", name,
		                       "' is stored");
	if (rc != KEHU_OK)
		return rc;
	if (kehu__ruleset_rec_decode(db->val.data, db->val.len, &source,
	                             &len) != KEHU_OK)
		return kehu__db_error3(db, KEHU_ECORRUPT, "stored rule set '",
		                       name, "' does not decode");
	/* compile from a copy: db->val is reused while compiling */
	{
		kehu__buf copy;

		kehu__buf_init(&copy, &db->alloc);
		kehu__buf_put(&copy, source, len);
		rc = copy.failed ? kehu__db_nomem(db)
		                 : kehu_rules_compile(out, db,
		                                      (const char *)copy.data,
		                                      len);
		kehu__buf_free(&copy);
	}
	return rc;
}

/* The stored labels record of a customer for a rule set, into db->val. */
static int read_labels(kehu_db *db, kehu_id id, const char *ruleset)
{
	int rc;

	kehu__key_labels(&db->key, id, ruleset);
	if (db->key.failed)
		return kehu__db_nomem(db);
	rc = kehu__store_get(&db->store, &db->key, &db->val);
	if (rc == KEHU_ENOTFOUND)
		return kehu__db_errori(db, rc, "customer ", id,
		                       " was not classified by that rule set");
	return rc;
}

KEHU_API int kehu_customer_get_label(kehu_db *db, kehu_id customer_id,
                                     const char *ruleset,
                                     const char *classification, char *buf,
                                     size_t cap, size_t *len_out)
{
	const char *label;
	size_t len;
	int rc;

	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!ruleset || !classification || (!buf && cap))
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_customer_get_label: ruleset and "
		                      "classification are required");
	if ((rc = read_labels(db, customer_id, ruleset)) != KEHU_OK)
		return rc;
	rc = kehu__labels_find_label(db->val.data, db->val.len,
	                             classification, &label, &len);
	if (rc == KEHU_ENOTFOUND)
		return kehu__db_error3(db, rc, "no stored classification '",
		                       classification, "'");
	if (rc != KEHU_OK)
		return kehu__db_error(db, rc, "a labels record does not decode");
	if (len_out)
		*len_out = len + 1;
	if (cap <= len)
		return kehu__db_error(db, KEHU_EBUFS,
		                      "the buffer is too small for the label");
	memcpy(buf, label, len);
	buf[len] = '\0';
	return kehu__db_ok(db);
}

KEHU_API int kehu_customer_get_score(kehu_db *db, kehu_id customer_id,
                                     const char *ruleset, const char *score,
                                     double *out)
{
	int rc;

	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (!ruleset || !score || !out)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_customer_get_score: ruleset, score "
		                      "and out are required");
	if ((rc = read_labels(db, customer_id, ruleset)) != KEHU_OK)
		return rc;
	rc = kehu__labels_find_score(db->val.data, db->val.len, score, out);
	if (rc == KEHU_ENOTFOUND)
		return kehu__db_error3(db, rc, "no stored score '", score, "'");
	if (rc != KEHU_OK)
		return kehu__db_error(db, rc, "a labels record does not decode");
	return kehu__db_ok(db);
}
