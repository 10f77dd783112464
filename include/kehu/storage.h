/**
 * @file kehu/storage.h
 * @brief The built-in stores and the storage contract (kehu/sys/storage.h).
 */
#ifndef KEHU_STORAGE_H
#define KEHU_STORAGE_H

#include "kehu/common.h"
#include "kehu/sys/alloc.h"
#include "kehu/sys/storage.h"

KEHU_BEGIN_DECL

/**
 * Creates an empty ordered in-memory store (a skip list).
 *
 * A db opened with no storage creates and owns one of these.  Create one
 * yourself to keep the data past kehu_db_close: open a db on it with
 * kehu_storage_memory_get_vtable, close the db, open a new db on the same
 * vtable, and the new db reads back everything the old one committed.
 *
 * @param[out] out the new store; NULL on failure.
 * @param alloc the allocator for every byte the store owns (NULL: libc).
 * @param alloc_user_data passed to @p alloc.
 * @return KEHU_OK, KEHU_EINVAL (@p out NULL), KEHU_ENOMEM.
 * Ownership: the caller frees it with kehu_storage_memory_free, after
 * closing every db that uses it.  Thread: one thread at a time.
 * Since: 0.1
 */
KEHU_API int kehu_storage_memory_new(kehu_storage_memory **out,
                                     kehu_alloc_fn alloc,
                                     void *alloc_user_data);

/**
 * Fills @p out with the vtable of @p mem.  Its close slot does nothing,
 * so the data survives the db; the store still belongs to the caller.
 *
 * @return KEHU_OK or KEHU_EINVAL (a NULL argument).  Since: 0.1
 */
KEHU_API int kehu_storage_memory_get_vtable(kehu_storage_memory *mem,
                                            kehu_storage *out);

/**
 * The number of keys in the store (committed and in-flight).
 *
 * @return the count; 0 for NULL.  Errors: none.  Since: 0.1
 */
KEHU_API uint64_t kehu_storage_memory_count(const kehu_storage_memory *mem);

/**
 * The bytes the store holds from its allocator (keys, values, nodes).
 *
 * @return the byte count; 0 for NULL.  Errors: none.  Since: 0.1
 */
KEHU_API uint64_t kehu_storage_memory_bytes(const kehu_storage_memory *mem);

/**
 * Frees the store and everything in it.  NULL is a no-op.  An open
 * transaction is discarded.
 *
 * Since: 0.1
 */
KEHU_API void kehu_storage_memory_free(kehu_storage_memory *mem);

KEHU_END_DECL

#endif /* KEHU_STORAGE_H */
