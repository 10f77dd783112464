/*
 * storage/memory: the built-in ordered in-memory store (a skip list with
 * an undo log), private entry points for the db layer.
 */
#ifndef KEHU_STORAGE_MEMORY_H
#define KEHU_STORAGE_MEMORY_H

#include "kehu/storage.h"

/*
 * Creates an empty memory store and fills *out with its vtable.  Unlike
 * kehu_storage_memory_get_vtable, the close slot frees the store: this is
 * the store a db opened with no storage owns.  alloc NULL means
 * kehu_alloc_default.  Returns KEHU_OK, KEHU_EINVAL (out NULL) or
 * KEHU_ENOMEM (then *out is zeroed).
 */
int kehu__storage_memory_new_owned(kehu_storage *out, kehu_alloc_fn alloc,
                                   void *alloc_user_data);

#endif
