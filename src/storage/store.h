/*
 * storage/store: the library's side of the storage contract.  Wraps the
 * host's vtable: checks it at open, normalises the codes a slot returns
 * (garbage from a raising ctypes callback becomes KEHU_ESTORAGE), copies
 * values out of the store's buffers, and writes the error message.
 * Moves bytes only; knows nothing of customers.
 */
#ifndef KEHU_STORAGE_STORE_H
#define KEHU_STORAGE_STORE_H

#include "core/buf.h"
#include "core/error.h"
#include "kehu/sys/storage.h"

typedef struct kehu__store {
	kehu_storage vt;
	kehu__error *err;
	int open;   /* close slot still owed */
	int in_txn; /* a storage transaction is open */
} kehu__store;

/* Copies the vtable (only the slots of its version) and checks it;
 * KEHU_EINVAL with a message naming the version or the missing slot. */
int kehu__store_init(kehu__store *s, const kehu_storage *vt,
                     kehu__error *err);
/* Calls the close slot once. */
void kehu__store_close(kehu__store *s);

int kehu__store_begin(kehu__store *s);
int kehu__store_commit(kehu__store *s);
/* Always ends the transaction, even when the slot fails. */
int kehu__store_rollback(kehu__store *s);
/* Copies the value into out (reset first); KEHU_ENOTFOUND quietly (no
 * message: absence is often expected). */
int kehu__store_get(kehu__store *s, const kehu__buf *key, kehu__buf *out);
int kehu__store_put(kehu__store *s, const kehu__buf *key, const void *val,
                    size_t vlen);
/* Absent keys are not an error. */
int kehu__store_del(kehu__store *s, const void *key, size_t klen);
/* Scan [start, end); a positive value from visit stops the scan and is
 * returned as is. */
int kehu__store_scan(kehu__store *s, const void *start, size_t slen,
                     const void *end, size_t elen,
                     kehu_storage_visit_cb visit, void *ctx);

#endif
