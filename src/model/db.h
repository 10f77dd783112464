/*
 * model/db: the db handle's private layout, shared by the model files.
 *
 * In-memory ("hot") state: two tables of kehu__hot slots, customers and
 * accounts, each sorted by id (ids only grow, so creation appends).  A
 * transaction keeps an undo log of the slots it touched (saved once per
 * transaction, tagged by epoch) so that a rollback restores the hot state
 * exactly; metrics of touched slots are written to the store at commit.
 */
#ifndef KEHU_MODEL_DB_H
#define KEHU_MODEL_DB_H

#include "codec/metrics.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "kehu.h"
#include "storage/store.h"

#define KEHU__DB_MAGIC 0x6B656875u /* "kehu" */

#define KEHU__DB_OPEN 1
#define KEHU__DB_FAILED 2 /* open failed: only errmsg and close work */
#define KEHU__DB_ZOMBIE 3 /* closed, waiting for its handles */

#define KEHU__HOT_DELETED 1u
#define KEHU__HOT_METRICS_DIRTY 2u
#define KEHU__HOT_HAS_TAGS 4u  /* clear: the record has no tags */
#define KEHU__HOT_HAS_ATTRS 8u /* clear: the record has no attributes */

/* Per customer or account: what classification reads, from RAM. */
typedef struct kehu__hot {
	int64_t id;
	kehu__metrics_rec m;
	uint32_t rev;   /* record revision, for optimistic saves */
	uint32_t epoch; /* transaction that last saved an undo copy */
	uint8_t kind;
	uint8_t relation;
	uint8_t status;
	uint8_t flags;
} kehu__hot;

typedef struct kehu__hot_table {
	kehu__hot *slots;
	size_t len;
	size_t cap;
	int64_t live; /* slots not deleted */
} kehu__hot_table;

typedef struct kehu__undo {
	kehu__hot_table *table;
	size_t index;
	kehu__hot saved;
} kehu__undo;

struct kehu_db {
	uint32_t magic;
	int state;
	kehu__allocator alloc;
	kehu__error err;
	kehu__store store;
	int32_t utc_offset;
	int32_t currency_exponent;
	int64_t next_id;
	kehu__hot_table customers;
	kehu__hot_table accounts;
	size_t live_handles;
	/* a freed interaction handle, kept for the next kehu_interaction_new
	 * (a POS feed makes and frees one per purchase); not counted live */
	struct kehu_interaction *spare_interaction;

	/* transaction state */
	int host_txn;    /* kehu_db_begin is open */
	int txn_open;    /* a storage transaction is open */
	int op_changed;  /* the running mutation changed store or memory */
	int meta_dirty;  /* next_id moved: write the meta record */
	uint32_t epoch;
	kehu__undo *undo;
	size_t undo_len;
	size_t undo_cap;
	size_t customers_len_at_begin;
	size_t accounts_len_at_begin;
	int64_t customers_live_at_begin;
	int64_t accounts_live_at_begin;
	int64_t next_id_at_begin;

	/* the current value models (kehu_db_set_value_models); owned */
	kehu_model *purchase_model;
	kehu_model *spend_model;

	/* scratch buffers for keys and values (no allocation per call) */
	kehu__buf key;
	kehu__buf key2;
	kehu__buf val;
};

/* Entry armor: a live, open db; sets the error and returns it if not. */
int kehu__db_check(kehu_db *db);
/* For handles: db must be open (not zombie). */
int kehu__db_check_child(kehu_db *db);
/* A zeroed handle of `size` bytes that keeps the db alive (zombie
 * close); NULL on OOM with the db's error set. */
void *kehu__db_handle_new(kehu_db *db, size_t size);
/* Frees a handle; frees a zombie db once its last handle goes. */
void kehu__db_handle_free(kehu_db *db, void *handle, size_t size);
/* Releases the db's memory (store already closed). */
void kehu__db_free(kehu_db *db);

/* First line of every call on a handle (customer, account, ...): the
 * handle must exist and its db must still be open. */
#define KEHU__CHECK_HANDLE(h)                                 \
	do {                                                  \
		if (!(h))                                     \
			return KEHU_EINVAL;                   \
		if (kehu__db_check_child((h)->db) != KEHU_OK) \
			return KEHU_EMISUSE;                  \
	} while (0)

/* Error helpers writing to db->err. */
int kehu__db_error(kehu_db *db, int code, const char *msg);
int kehu__db_error3(kehu_db *db, int code, const char *prefix,
                    const char *subject, const char *suffix);
int kehu__db_errori(kehu_db *db, int code, const char *prefix, int64_t n,
                    const char *suffix);
int kehu__db_ok(kehu_db *db);
/* KEHU_ENOMEM with the message "out of memory". */
int kehu__db_nomem(kehu_db *db);

/*
 * One mutation: kehu__op_begin opens a storage transaction unless the
 * host has one; kehu__op_end(db, rc) commits (after writing dirty
 * metrics) or, on failure, rolls back everything if the mutation had
 * changed anything (op_changed) or ran in its own transaction.  Returns
 * the final code.
 */
int kehu__op_begin(kehu_db *db);
int kehu__op_end(kehu_db *db, int rc);

/* Store calls that mark the op as changed. */
int kehu__op_put(kehu_db *db, const kehu__buf *key, const kehu__buf *val);
int kehu__op_del(kehu_db *db, const kehu__buf *key);

#endif
