/*
 * model/hot: the in-memory tables of customers and accounts (sorted by
 * id) and the undo log that makes their changes transactional.
 */
#ifndef KEHU_MODEL_HOT_H
#define KEHU_MODEL_HOT_H

#include "model/db.h"

/* The live or deleted slot of id, or NULL. */
kehu__hot *kehu__hot_find(kehu__hot_table *t, int64_t id);
/* The live slot of id, or NULL. */
kehu__hot *kehu__hot_find_live(kehu__hot_table *t, int64_t id);
/* Makes room for one more slot and `undo` more undo entries, so that the
 * changes that follow cannot fail. */
int kehu__hot_reserve(kehu_db *db, kehu__hot_table *t, size_t slots,
                      size_t undo);
/* Appends a slot (id larger than all); room reserved before. */
kehu__hot *kehu__hot_append(kehu_db *db, kehu__hot_table *t, int64_t id);
/* Saves the slot's pre-transaction copy once; room reserved before.
 * Call before every change to a slot. */
/* Sets h's KEHU__HOT_HAS_* from a record's KEHU__CUSTOMER_HAS_*. */
void kehu__hot_set_sections(kehu__hot *h, unsigned sections);
void kehu__hot_touch(kehu_db *db, kehu__hot_table *t, kehu__hot *slot);
void kehu__hot_table_free(kehu_db *db, kehu__hot_table *t);
/* The foreach of customers and accounts: calls cb(id) for every live
 * slot in id order, by index (cb may create objects: the table moves);
 * `what` names the API call in messages. */
int kehu__hot_foreach(kehu_db *db, kehu__hot_table *t, const char *what,
                      int (*cb)(kehu_id id, void *user_data),
                      void *user_data);

/* Transaction bookkeeping. */
void kehu__hot_txn_begin(kehu_db *db);
void kehu__hot_txn_rollback(kehu_db *db);
void kehu__hot_txn_forget(kehu_db *db);

#endif
