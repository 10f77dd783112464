/*
 * core/buf: growable byte buffer and fixed-width byte order helpers.
 */
/* a size-optimised build takes its one copy of the inline functions */
#define KEHU__BUF_DEFINE
#include "core/buf.h"

#include <string.h>

void kehu__buf_init(kehu__buf *b, const kehu__allocator *a)
{
	b->alloc = a;
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = 0;
}

void kehu__buf_free(kehu__buf *b)
{
	kehu__free(b->alloc, b->data, b->cap);
	kehu__buf_init(b, b->alloc);
}

void kehu__buf_reset(kehu__buf *b)
{
	b->len = 0;
	b->failed = 0;
}

int kehu__buf_grow_for(kehu__buf *b, size_t n)
{
	void *items = b->data;

	if (b->failed)
		return -1;
	if (n > SIZE_MAX - b->len ||
	    kehu__grow(b->alloc, &items, &b->cap, b->len + n, 1) != 0) {
		b->failed = 1;
		return -1;
	}
	b->data = items;
	return 0;
}

void kehu__buf_put_be64(kehu__buf *b, uint64_t v)
{
	if (kehu__buf_reserve(b, 8) != 0)
		return;
	kehu__store_be64(b->data + b->len, v);
	b->len += 8;
}

void kehu__buf_put_be32(kehu__buf *b, uint32_t v)
{
	uint8_t t[4];

	kehu__store_be32(t, v);
	kehu__buf_put(b, t, 4);
}

void kehu__buf_put_le64(kehu__buf *b, uint64_t v)
{
	uint8_t t[8];
	int i;

	for (i = 0; i < 8; i++) {
		t[i] = (uint8_t)v;
		v >>= 8;
	}
	kehu__buf_put(b, t, 8);
}

uint64_t kehu__load_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

uint32_t kehu__load_be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

uint64_t kehu__load_le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}
