/**
 * @file kehu/db.h
 * @brief The db handle: open, close, options and host transactions.
 *
 * Threading contract: one db is used by one thread at a time (the host
 * locks if it shares one); distinct dbs are independent and may be used
 * from distinct threads at once.  The library keeps no global state,
 * starts no threads, takes no locks and never reads the clock: every
 * time is passed in by the caller, as int64 seconds since the Unix epoch.
 * Callbacks run on the calling thread.
 *
 * Everything made from a db (customer, account, interaction and history
 * handles, rule sets, results, explanations, models) belongs to it: use
 * them on the thread that holds the db at that moment.  A store
 * (memory or file) belongs to one db at a time, and to that db's
 * thread; the allocator passed in the options is called only from the
 * thread running a call on the db, so a per-db allocator needs no lock.
 * The functions that take no handle (kehu_strerror, kehu_version,
 * kehu_version_number, kehu_rules_default_source, the
 * kehu_*_options_init functions) may be called from any thread at any
 * time.  tests/model/test_threads.c runs 8 threads with 8 dbs under
 * ThreadSanitizer in CI.
 */
#ifndef KEHU_DB_H
#define KEHU_DB_H

#include "kehu/common.h"
#include "kehu/sys/alloc.h"
#include "kehu/sys/storage.h"

KEHU_BEGIN_DECL

/** The options layout this header describes. */
#define KEHU_DB_OPTIONS_VERSION 1

/** "Not set": take the value stored in the db, or the default. */
#define KEHU_UNSET INT32_MIN

/**
 * Options of kehu_db_open.  Fill with kehu_db_options_init, then set the
 * fields you need.  The library reads only the fields of the version the
 * struct was initialised with.
 */
typedef struct kehu_db_options {
	/** KEHU_DB_OPTIONS_VERSION, set by kehu_db_options_init. */
	uint32_t version;
	/** Allocator for every byte the db owns; NULL: libc. */
	kehu_alloc_fn alloc;
	/** Passed to @ref alloc. */
	void *alloc_user_data;
	/** The store; NULL: a private in-memory store, freed at close.  The
	 *  struct is copied at open. */
	const kehu_storage *storage;
	/** Seconds east of UTC at which days and months turn
	 *  (-64800..64800, e.g. 28800 for Shanghai).  KEHU_UNSET: the value
	 *  the db was created with, else 0.  A set value that differs from
	 *  the stored one fails the open with KEHU_EINVAL. */
	int32_t utc_offset;
	/** Digits of the currency's minor unit (0..6, e.g. 2: amounts are
	 *  cents).  KEHU_UNSET: the stored value, else 2.  Checked like
	 *  @ref utc_offset. */
	int32_t currency_exponent;
} kehu_db_options;

/** Static initialiser equivalent to kehu_db_options_init. */
#define KEHU_DB_OPTIONS_INIT \
	{ KEHU_DB_OPTIONS_VERSION, NULL, NULL, NULL, KEHU_UNSET, KEHU_UNSET }

/**
 * Fills @p opts with the defaults of layout @p version.
 *
 * @param[out] opts the struct to fill (only the fields of @p version are
 *        written).
 * @param version KEHU_DB_OPTIONS_VERSION.
 * @return KEHU_OK, or KEHU_EINVAL for NULL or an unknown version.
 * Thread: any.  Since: 0.1
 */
KEHU_API int kehu_db_options_init(kehu_db_options *opts, uint32_t version);

/**
 * Opens a db on a store, rebuilding its in-memory state (customer and
 * account metrics, id sequence) by scanning the store.
 *
 * Like sqlite3_open, the handle is handed back even when the open fails
 * (except when the handle itself cannot be allocated: then *out is NULL
 * and the return is KEHU_ENOMEM), so kehu_errmsg can say why; the caller
 * closes it in every case.  A failed db accepts only kehu_errcode,
 * kehu_errmsg and kehu_db_close.  The store's close slot is called
 * exactly once: at kehu_db_close, also after a failed open.
 *
 * @param[out] out the db (see above).
 * @param opts options, or NULL for all defaults.
 * @return KEHU_OK; KEHU_EINVAL (bad option, storage vtable version or
 *         missing slot, options that contradict the stored ones);
 *         KEHU_ENOMEM; KEHU_ESTORAGE; KEHU_ECORRUPT (a stored record
 *         does not decode, or was written by a newer format).
 * Ownership: the caller closes the db with kehu_db_close.
 * Thread: any; the db then belongs to one thread at a time.  Since: 0.1
 */
KEHU_API int kehu_db_open(kehu_db **out, const kehu_db_options *opts);

/**
 * Closes the db: rolls back an open host transaction, closes the store.
 * NULL is a no-op.  If customer, account, interaction or history handles
 * of this db are still alive, the release is deferred until the last one
 * is freed; until then those handles answer KEHU_EMISUSE.
 *
 * Since: 0.1
 */
KEHU_API void kehu_db_close(kehu_db *db);

/**
 * Starts a host transaction: every mutation until kehu_db_commit is one
 * storage transaction (a bulk import commits once).  Without one, every
 * mutation is its own transaction.
 *
 * If a mutation inside the transaction fails before it changed anything
 * (bad argument, out of memory while preparing, conflict), the
 * transaction goes on.  If the storage fails, the library rolls the whole
 * transaction back, restores its in-memory state to kehu_db_begin and
 * ends the transaction: the failing call returns KEHU_ESTORAGE (or the
 * store's code) and kehu_db_in_transaction returns 0.
 *
 * @return KEHU_OK; KEHU_EINVAL (NULL); KEHU_EMISUSE (already in one; the
 *         transactions do not nest); KEHU_ENOMEM; a storage code.
 * Since: 0.1
 */
KEHU_API int kehu_db_begin(kehu_db *db);

/**
 * Commits the host transaction.
 *
 * @return KEHU_OK; KEHU_EMISUSE (none open); KEHU_ENOMEM or a storage
 *         code: then the transaction was rolled back as by
 *         kehu_db_rollback, and has ended.
 * Since: 0.1
 */
KEHU_API int kehu_db_commit(kehu_db *db);

/**
 * Rolls the host transaction back: the store and the in-memory state
 * return to kehu_db_begin.  Handles read during the transaction keep
 * their contents (and are stale if they saw rolled-back saves).
 *
 * @return KEHU_OK; KEHU_EMISUSE (none open); a storage code from the
 *         store's rollback (the in-memory state is restored anyway).
 * Since: 0.1
 */
KEHU_API int kehu_db_rollback(kehu_db *db);

/**
 * Whether a host transaction is open.
 *
 * @return 1 or 0 (0 for NULL).  Errors: none.  Since: 0.1
 */
KEHU_API int kehu_db_in_transaction(const kehu_db *db);

/**
 * The db's allocator (the one passed at open, or the default).
 *
 * @param[out] user_data_out receives the allocator's user pointer; may be
 *        NULL.
 * @return the allocator; NULL for a NULL db.  Since: 0.1
 */
KEHU_API kehu_alloc_fn kehu_db_allocator(const kehu_db *db,
                                         void **user_data_out);

/**
 * The UTC offset (seconds) the db counts days and months in.
 * @return the offset; 0 for NULL.  Since: 0.1
 */
KEHU_API int32_t kehu_db_get_utc_offset(const kehu_db *db);

/**
 * The currency exponent: amounts are in units of 10^-exponent.
 * @return the exponent; 0 for NULL.  Since: 0.1
 */
KEHU_API int32_t kehu_db_get_currency_exponent(const kehu_db *db);

/**
 * The number of live (not deleted) customers.
 * @return the count; 0 for NULL.  Since: 0.1
 */
KEHU_API int64_t kehu_db_customer_count(const kehu_db *db);

/**
 * The number of live accounts.
 * @return the count; 0 for NULL.  Since: 0.1
 */
KEHU_API int64_t kehu_db_account_count(const kehu_db *db);

/**
 * Bytes of in-memory ("hot") state one customer costs: the fixed record
 * the library keeps per customer to classify from RAM, strings excluded.
 *
 * @return the size in bytes.  Since: 0.1
 */
KEHU_API size_t kehu_db_hot_bytes_per_customer(void);

KEHU_END_DECL

#endif /* KEHU_DB_H */
