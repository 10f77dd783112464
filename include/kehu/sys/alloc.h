/**
 * @file kehu/sys/alloc.h
 * @brief The host allocator (Lua's lua_Alloc contract).
 */
#ifndef KEHU_SYS_ALLOC_H
#define KEHU_SYS_ALLOC_H

#include "kehu/common.h"

KEHU_BEGIN_DECL

/**
 * The allocator a db (and a memory store) uses for every byte it owns.
 *
 * Exactly lua_Alloc: when @p nsize is 0, free @p ptr (which may be NULL)
 * and return NULL; otherwise behave like realloc(ptr, nsize) and return
 * NULL only on failure, leaving @p ptr untouched.  @p osize is always the
 * true size of the block at @p ptr (0 when @p ptr is NULL), so an arena
 * needs no block headers.
 *
 * @param user_data the pointer given with the allocator.
 * Thread: called on the db's thread only.  Since: 0.1
 */
typedef void *(*kehu_alloc_fn)(void *user_data, void *ptr, size_t osize,
                               size_t nsize);

/**
 * The default allocator (libc realloc/free), for hosts that wrap it.
 *
 * Since: 0.1
 */
KEHU_API void *kehu_alloc_default(void *user_data, void *ptr, size_t osize,
                                  size_t nsize);

KEHU_END_DECL

#endif /* KEHU_SYS_ALLOC_H */
