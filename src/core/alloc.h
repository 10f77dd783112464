/*
 * core/alloc: the allocator every byte of the library goes through.
 *
 * A kehu__allocator is a lua_Alloc function and its user pointer; each db
 * owns one.  The helpers keep the true old size so arena hosts need no
 * block headers.
 */
#ifndef KEHU_CORE_ALLOC_H
#define KEHU_CORE_ALLOC_H

#include "kehu/sys/alloc.h"

typedef struct kehu__allocator {
	kehu_alloc_fn fn;
	void *user_data;
} kehu__allocator;

/* NULL on failure or when n is 0. */
void *kehu__malloc(const kehu__allocator *a, size_t n);
/* Zero-filled. */
void *kehu__calloc(const kehu__allocator *a, size_t count, size_t size);
/* Grows or shrinks p from osize to nsize; on failure returns NULL and p
 * is untouched. */
void *kehu__realloc(const kehu__allocator *a, void *p, size_t osize,
                    size_t nsize);
void kehu__free(const kehu__allocator *a, void *p, size_t osize);

/* Copies len bytes and a terminating NUL; NULL on failure. */
char *kehu__strndup(const kehu__allocator *a, const char *s, size_t len);
/* Frees a string made by kehu__strndup (NULL ok). */
void kehu__strfree(const kehu__allocator *a, char *s);

/*
 * Makes room for at least `need` elements of `elem` bytes in *items
 * (capacity *cap), doubling.  Returns 0 or -1 (overflow or OOM; nothing
 * changed).
 */
int kehu__grow(const kehu__allocator *a, void **items, size_t *cap,
               size_t need, size_t elem);

#endif
