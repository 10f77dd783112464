/**
 * @file kehu/sys/storage.h
 * @brief The storage contract: the vtable a host fills to persist a db.
 *
 * The host gives an ordered key-value store with transactions; the
 * library owns the key layout and the value encoding (doc/storage.md).
 * Any store fits: a `kv(k BLOB PRIMARY KEY, v BLOB)` table in the host's
 * SQLite, LMDB, flash pages, or the built-in stores of kehu/storage.h.
 *
 * Rules every store follows (the conformance suite in tests/storage
 * checks them):
 *  - Keys are non-empty byte strings ordered by memcmp, a shorter key
 *    first when it is a prefix of a longer one.  Values may be empty.
 *  - The library brackets every mutation with begin ... commit (or
 *    rollback).  Transactions do not nest.  Inside one, get and scan see
 *    the transaction's own puts and dels.  rollback discards every put and
 *    del since begin.  get and scan may also be called outside a
 *    transaction (the library does so while opening).
 *  - Buffers passed to a slot are the caller's and valid only during the
 *    call: a store copies what it keeps.  Buffers a store passes to a sink
 *    or visit callback are the store's and valid only during that call.
 *  - A slot returns KEHU_OK or a negative KEHU_E* code.  Any other value
 *    (a ctypes callback that raised returns garbage) counts as
 *    KEHU_ESTORAGE.  When put, del, get or scan fail inside a transaction
 *    the library calls rollback; when commit fails the library calls
 *    rollback too, and a store must then leave nothing of the transaction
 *    applied.
 *  - During a scan the library makes no other call on the store.
 *
 * Since: 0.1
 */
#ifndef KEHU_SYS_STORAGE_H
#define KEHU_SYS_STORAGE_H

#include "kehu/common.h"

KEHU_BEGIN_DECL

/** The vtable version this header describes. */
#define KEHU_STORAGE_VERSION 1

/**
 * Receives the value found by get.
 *
 * @param value the value bytes (NULL allowed when @p vlen is 0), valid
 *        only during the call.
 * @param ctx the @p sink_ctx given to get.
 * @return KEHU_OK, or a code the store must return from get unchanged.
 */
typedef int (*kehu_storage_sink_cb)(const void *value, size_t vlen,
                                    void *ctx);

/**
 * Receives one entry of a scan, in key order.
 *
 * @return KEHU_OK to go on; any other value stops the scan, and the store
 *         returns that value from scan unchanged (a positive value is a
 *         "stop early", not an error).
 */
typedef int (*kehu_storage_visit_cb)(const void *key, size_t klen,
                                     const void *value, size_t vlen,
                                     void *ctx);

/**
 * A store: the version, the host's pointer, then the slots.
 *
 * The library copies this struct when the db opens and never writes to
 * it.  Slots added in a later version are called only when the struct's
 * version is at least that version and the slot is not NULL.
 */
typedef struct kehu_storage {
	/** KEHU_STORAGE_VERSION (1) for this layout; 0 or newer versions the
	 *  library does not know give KEHU_EINVAL at open. */
	uint32_t version;
	/** Passed as the last argument of every slot. */
	void *user_data;

	/** Required.  Starts a transaction. */
	int (*begin)(void *user_data);
	/** Required.  Makes the transaction's changes durable (as durable as
	 *  the store promises) and ends it.  On failure nothing of it stays. */
	int (*commit)(void *user_data);
	/** Required.  Discards the transaction's changes and ends it. */
	int (*rollback)(void *user_data);
	/** Required.  Looks @p key up; calls @p sink exactly once with the
	 *  value and returns what it returned, or returns KEHU_ENOTFOUND
	 *  without calling it. */
	int (*get)(const void *key, size_t klen, kehu_storage_sink_cb sink,
	           void *sink_ctx, void *user_data);
	/** Required.  Inserts or replaces @p key. */
	int (*put)(const void *key, size_t klen, const void *value,
	           size_t vlen, void *user_data);
	/** Required.  Removes @p key; KEHU_ENOTFOUND if absent (the library
	 *  treats that as success). */
	int (*del)(const void *key, size_t klen, void *user_data);
	/** Required.  Calls @p visit for every key k with start <= k < end in
	 *  key order; @p end NULL (elen 0) means "to the last key". */
	int (*scan)(const void *start, size_t slen, const void *end,
	            size_t elen, kehu_storage_visit_cb visit, void *visit_ctx,
	            void *user_data);
	/** Optional: if NULL, nothing is called.  Called exactly once when the
	 *  db closes, or when kehu_db_open fails after taking the store. */
	void (*close)(void *user_data);
	/** Optional: if NULL, the library's message names only the slot and
	 *  the code.  The store's message for its last failure, or NULL;
	 *  valid until the next call on the store. */
	const char *(*errmsg)(void *user_data);
} kehu_storage;

KEHU_END_DECL

#endif /* KEHU_SYS_STORAGE_H */
