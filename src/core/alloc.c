/*
 * core/alloc: the default libc allocator and the helpers over a host's
 * lua_Alloc-style function.
 */
#include "core/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/tuning.h"

KEHU_API void *kehu_alloc_default(void *user_data, void *ptr, size_t osize,
                                  size_t nsize)
{
	(void)user_data;
	(void)osize;
	if (nsize == 0) {
		free(ptr);
		return NULL;
	}
	/* realloc(NULL, n) is a malloc behind a few more checks; new
	 * blocks (store nodes, handles) are most calls */
	if (KEHU__FAST_PATHS && !ptr)
		return malloc(nsize);
	return realloc(ptr, nsize);
}

void *kehu__malloc(const kehu__allocator *a, size_t n)
{
	if (n == 0)
		return NULL;
	return a->fn(a->user_data, NULL, 0, n);
}

void *kehu__calloc(const kehu__allocator *a, size_t count, size_t size)
{
	void *p;

	if (count == 0 || size == 0 || count > SIZE_MAX / size)
		return NULL;
	p = kehu__malloc(a, count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

void *kehu__realloc(const kehu__allocator *a, void *p, size_t osize,
                    size_t nsize)
{
	if (nsize == 0)
		return NULL;
	return a->fn(a->user_data, p, p ? osize : 0, nsize);
}

void kehu__free(const kehu__allocator *a, void *p, size_t osize)
{
	if (p)
		a->fn(a->user_data, p, osize, 0);
}

char *kehu__strndup(const kehu__allocator *a, const char *s, size_t len)
{
	char *d;

	if (len == SIZE_MAX)
		return NULL;
	d = kehu__malloc(a, len + 1);
	if (!d)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

void kehu__strfree(const kehu__allocator *a, char *s)
{
	if (s)
		kehu__free(a, s, strlen(s) + 1);
}

int kehu__grow(const kehu__allocator *a, void **items, size_t *cap,
               size_t need, size_t elem)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 4;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		return -1;
	p = kehu__realloc(a, *items, *cap * elem, ncap * elem);
	if (!p)
		return -1;
	*items = p;
	*cap = ncap;
	return 0;
}
