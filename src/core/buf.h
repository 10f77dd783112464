/*
 * core/buf: a growable byte buffer with a sticky failure flag, so that an
 * encoder writes many fields and checks for OOM once at the end.
 */
#ifndef KEHU_CORE_BUF_H
#define KEHU_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"

typedef struct kehu__buf {
	const kehu__allocator *alloc;
	uint8_t *data;
	size_t len;
	size_t cap;
	int failed; /* an allocation failed: contents are incomplete */
} kehu__buf;

void kehu__buf_init(kehu__buf *b, const kehu__allocator *a);
void kehu__buf_free(kehu__buf *b);
/* Keeps the memory, forgets the contents and the failure. */
void kehu__buf_reset(kehu__buf *b);
/* The slow path of kehu__buf_reserve: grows the buffer. */
int kehu__buf_grow_for(kehu__buf *b, size_t n);

/*
 * The encoders call these for every tag, value and key part.  A build
 * for speed inlines them, so that the common case (room enough) is a
 * compare and a copy, not three calls across files (a third of an
 * ingest's instructions before); a build for size (-Os: firmware,
 * where .text is counted) keeps one copy of each, in buf.c.
 */
#if defined(__OPTIMIZE_SIZE__)
int kehu__buf_reserve(kehu__buf *b, size_t n);
void kehu__buf_put(kehu__buf *b, const void *p, size_t n);
void kehu__buf_put_u8(kehu__buf *b, uint8_t v);
void kehu__buf_put_varint(kehu__buf *b, uint64_t v);
#endif

/* Writes v as a varint at p, which has room for it (up to 10 bytes);
 * returns the end.  For writers that reserve once for several fields. */
static inline uint8_t *kehu__varint_at(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

#if !defined(__OPTIMIZE_SIZE__) || defined(KEHU__BUF_DEFINE)
#if defined(__OPTIMIZE_SIZE__)
#define KEHU__BUF_FN
#else
#define KEHU__BUF_FN static inline
#endif

/* Ensures room for n more bytes; 0 or -1 (and sets failed). */
KEHU__BUF_FN int kehu__buf_reserve(kehu__buf *b, size_t n)
{
	if (!b->failed && n <= b->cap - b->len)
		return 0;
	return kehu__buf_grow_for(b, n);
}

KEHU__BUF_FN void kehu__buf_put(kehu__buf *b, const void *p, size_t n)
{
	if (n == 0 || kehu__buf_reserve(b, n) != 0)
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

KEHU__BUF_FN void kehu__buf_put_u8(kehu__buf *b, uint8_t v)
{
	if (kehu__buf_reserve(b, 1) != 0)
		return;
	b->data[b->len++] = v;
}

KEHU__BUF_FN void kehu__buf_put_varint(kehu__buf *b, uint64_t v)
{
	if (kehu__buf_reserve(b, 10) != 0)
		return;
	b->len = (size_t)(kehu__varint_at(b->data + b->len, v) - b->data);
}
#endif

/* v big-endian at p: one byte swap and one store where the compiler
 * has them (gcc 12 does not merge eight shifted byte stores). */
static inline void kehu__store_be64(uint8_t *p, uint64_t v)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
	memcpy(p, &v, sizeof v);
#else
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
#endif
}

/* v big-endian at p (a day number in a key). */
static inline void kehu__store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Big-endian, so that byte order is numeric order inside keys. */
void kehu__buf_put_be64(kehu__buf *b, uint64_t v);
void kehu__buf_put_be32(kehu__buf *b, uint32_t v);
void kehu__buf_put_le64(kehu__buf *b, uint64_t v);

uint64_t kehu__load_be64(const uint8_t *p);
uint32_t kehu__load_be32(const uint8_t *p);
uint64_t kehu__load_le64(const uint8_t *p);

#endif
