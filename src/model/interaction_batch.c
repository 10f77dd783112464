/*
 * model/interaction_batch: recording columns of interactions in one
 * call (a POS day file, a Python array): every row is checked before
 * the first is recorded, and the batch is one transaction.
 */
#include <string.h>

#include "model/fields.h"
#include "model/hot.h"
#include "model/interaction.h"

static int check_row(kehu_db *db, size_t i, kehu_id customer, int32_t type,
                     int64_t time, int64_t amount, int64_t cost)
{
	if (!kehu__hot_find_live(&db->customers, customer))
		return kehu__db_errori(db, KEHU_ENOTFOUND, "row ", (int64_t)i,
		                       ": no such customer");
	if (!kehu_interaction_type_name(type) || type == KEHU_IX_FEEDBACK)
		return kehu__db_errori(db, KEHU_EINVAL, "row ", (int64_t)i,
		                       ": unknown type, or feedback (it needs "
		                       "a satisfaction score: record it alone)");
	if (kehu__check_time(db, "interaction time", time) != KEHU_OK)
		return kehu__db_errori(db, KEHU_EINVAL, "row ", (int64_t)i,
		                       ": time out of range");
	if (amount < 0 || cost < 0)
		return kehu__db_errori(db, KEHU_EINVAL, "row ", (int64_t)i,
		                       ": negative amount or cost (record a "
		                       "refund instead)");
	return KEHU_OK;
}

static int record_rows(kehu_db *db, size_t n, const kehu_id *customers,
                       const int32_t *types, const int64_t *times,
                       const int64_t *amounts, const int64_t *costs,
                       size_t *done)
{
	kehu_interaction ix;
	int rc = KEHU_OK;

	memset(&ix, 0, sizeof ix);
	ix.db = db;
	for (*done = 0; rc == KEHU_OK && *done < n; (*done)++) {
		size_t i = *done;

		memset(&ix.rec, 0, sizeof ix.rec);
		ix.recorded = 0;
		ix.rec.customer = customers[i];
		ix.rec.type = types[i];
		ix.rec.time = times[i];
		ix.rec.amount = amounts ? amounts[i] : 0;
		ix.rec.cost = costs ? costs[i] : 0;
		if ((rc = kehu_interaction_record(&ix)) != KEHU_OK)
			break;
	}
	return rc;
}

KEHU_API int kehu_interaction_record_many(kehu_db *db, size_t n,
                                          const kehu_id *customers,
                                          const int32_t *types,
                                          const int64_t *times,
                                          const int64_t *amounts,
                                          const int64_t *costs,
                                          size_t *recorded_out)
{
	size_t i, done = 0;
	int rc, own;

	if (recorded_out)
		*recorded_out = 0;
	if ((rc = kehu__db_check(db)) != KEHU_OK)
		return rc;
	if (n && (!customers || !types || !times))
		return kehu__db_error(db, KEHU_EINVAL,
		                      "kehu_interaction_record_many: customers, "
		                      "types and times are required");
	for (i = 0; i < n; i++)
		if ((rc = check_row(db, i, customers[i], types[i], times[i],
		                    amounts ? amounts[i] : 0,
		                    costs ? costs[i] : 0)) != KEHU_OK)
			return rc;
	own = !kehu_db_in_transaction(db);
	if (own && (rc = kehu_db_begin(db)) != KEHU_OK)
		return rc;
	rc = record_rows(db, n, customers, types, times, amounts, costs,
	                 &done);
	if (rc != KEHU_OK) {
		/* all or nothing: rows before the failure go too */
		if (kehu_db_in_transaction(db))
			kehu_db_rollback(db);
		return kehu__db_errori(db, rc, "the batch failed at row ",
		                       (int64_t)done, " and was rolled back "
		                       "with its transaction");
	}
	if (own && (rc = kehu_db_commit(db)) != KEHU_OK)
		return rc;
	if (recorded_out)
		*recorded_out = n;
	return kehu__db_ok(db);
}
