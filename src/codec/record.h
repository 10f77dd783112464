/*
 * codec/record: the tagged-field encoding every stored value uses.
 *
 * A record is one format byte (KEHU__REC_FORMAT) then fields.  A field is
 * a varint tag (number << 3 | wire) and a payload: wire 0 a varint
 * (signed values zigzag-encoded), wire 1 eight little-endian bytes (a
 * double), wire 2 a varint length then that many bytes (a string or a
 * nested record without the format byte).  A reader skips field numbers
 * it does not know, so an older library reads a newer record.  A record
 * whose format byte is newer than the library knows is refused.
 */
#ifndef KEHU_CODEC_RECORD_H
#define KEHU_CODEC_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define KEHU__REC_FORMAT 1

#define KEHU__WIRE_VARINT 0
#define KEHU__WIRE_F64 1
#define KEHU__WIRE_BYTES 2

void kehu__rec_begin(kehu__buf *b);
void kehu__rec_u64(kehu__buf *b, uint32_t field, uint64_t v);
void kehu__rec_i64(kehu__buf *b, uint32_t field, int64_t v);
void kehu__rec_f64(kehu__buf *b, uint32_t field, double v);
void kehu__rec_bytes(kehu__buf *b, uint32_t field, const void *p, size_t n);
void kehu__rec_str(kehu__buf *b, uint32_t field, const char *s);
/* A nested record written in place: the field's header for `len` bytes,
 * which the caller then appends (sizes from the two functions below). */
void kehu__rec_nested_begin(kehu__buf *b, uint32_t field, size_t len);
size_t kehu__rec_bytes_size(uint32_t field, size_t n);
size_t kehu__rec_f64_size(uint32_t field);

/*
 * Varint fields written straight into room reserved once: an encoder of
 * several integer fields calls kehu__rec_start (it resets b, reserves
 * the format byte and KEHU__REC_VARINT_ROOM bytes a field, writes the
 * format byte and returns where the fields go, or NULL with b->failed
 * set), then writes each field's tag and value at p with the _at
 * writers (each returns the end), then kehu__rec_end (b's length ends
 * at p).  Inline in a build for speed (every recorded purchase writes
 * nine fields), one copy in record.c in a build for size.
 */
#define KEHU__REC_VARINT_ROOM 15 /* a tag of up to 5 bytes, a value of 10 */

static inline void kehu__rec_end(kehu__buf *b, const uint8_t *p)
{
	b->len = (size_t)(p - b->data);
}

/* zigzag: small negative numbers stay short */
static inline uint64_t kehu__zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
}

#if defined(__OPTIMIZE_SIZE__)
uint8_t *kehu__rec_start(kehu__buf *b, size_t varint_fields);
uint8_t *kehu__rec_u64_at(uint8_t *p, uint32_t field, uint64_t v);
uint8_t *kehu__rec_i64_at(uint8_t *p, uint32_t field, int64_t v);
#endif
#if !defined(__OPTIMIZE_SIZE__) || defined(KEHU__REC_DEFINE)
#if defined(__OPTIMIZE_SIZE__)
#define KEHU__REC_FN
#else
#define KEHU__REC_FN static inline
#endif

KEHU__REC_FN uint8_t *kehu__rec_start(kehu__buf *b, size_t varint_fields)
{
	kehu__buf_reset(b);
	if (kehu__buf_reserve(b, 1 + varint_fields *
	                                 KEHU__REC_VARINT_ROOM) != 0)
		return NULL;
	b->data[0] = KEHU__REC_FORMAT;
	return b->data + 1;
}

KEHU__REC_FN uint8_t *kehu__rec_u64_at(uint8_t *p, uint32_t field,
                                       uint64_t v)
{
	p = kehu__varint_at(p, (uint64_t)field << 3 | KEHU__WIRE_VARINT);
	return kehu__varint_at(p, v);
}

KEHU__REC_FN uint8_t *kehu__rec_i64_at(uint8_t *p, uint32_t field,
                                       int64_t v)
{
	return kehu__rec_u64_at(p, field, kehu__zigzag(v));
}
#endif

typedef struct kehu__rec_reader {
	const uint8_t *p;
	const uint8_t *end;
} kehu__rec_reader;

typedef struct kehu__rec_field {
	uint32_t number;
	int wire;
	uint64_t u;        /* wire 0: raw varint; wire 1: the 8 bytes */
	const uint8_t *bytes; /* wire 2 */
	size_t len;        /* wire 2 */
} kehu__rec_field;

/* Starts reading a whole record; -1 when the format byte is missing or
 * newer than KEHU__REC_FORMAT. */
int kehu__rec_open(kehu__rec_reader *r, const void *p, size_t n);
/* Starts reading a nested record (no format byte). */
void kehu__rec_open_nested(kehu__rec_reader *r, const void *p, size_t n);
/* A varint at *p of more than one byte: 0, *out and *p past it, or -1
 * when it runs past end or overflows 64 bits. */
int kehu__rec_long_varint(const uint8_t **p, const uint8_t *end,
                          uint64_t *out);

/* A varint at *p, as kehu__rec_long_varint; field tags, kinds, lengths
 * and small counts take one byte, read in place. */
static inline int kehu__rec_varint(const uint8_t **p, const uint8_t *end,
                                   uint64_t *out)
{
	const uint8_t *q = *p;

	if (q < end && *q < 0x80) {
		*out = *q;
		*p = q + 1;
		return 0;
	}
	return kehu__rec_long_varint(p, end, out);
}

/* 1: a field was read; 0: end of record; -1: malformed.  Inline, as
 * every decoder's loop: run per field of every record read.  It works on
 * local copies of the reader's pointers, which byte reads would
 * otherwise make the compiler load again after every store. */
static inline int kehu__rec_next(kehu__rec_reader *r, kehu__rec_field *f)
{
	const uint8_t *p = r->p, *end = r->end;
	uint64_t tag, v;

	if (p == end)
		return 0;
	if (kehu__rec_varint(&p, end, &tag) != 0 || (tag >> 3) > UINT32_MAX)
		return -1;
	/* every member set, whatever the wire: a reader that takes a field
	 * of the wrong kind reads zeros, never stale bytes */
	f->u = 0;
	f->bytes = NULL;
	f->len = 0;
	switch (tag & 7) {
	case KEHU__WIRE_VARINT:
		if (kehu__rec_varint(&p, end, &v) != 0)
			return -1;
		f->u = v;
		break;
	case KEHU__WIRE_F64:
		if (end - p < 8)
			return -1;
		f->u = kehu__load_le64(p);
		p += 8;
		break;
	case KEHU__WIRE_BYTES:
		if (kehu__rec_varint(&p, end, &v) != 0 ||
		    v > (uint64_t)(end - p))
			return -1;
		f->bytes = p;
		f->len = (size_t)v;
		p += v;
		break;
	default:
		return -1;
	}
	f->number = (uint32_t)(tag >> 3);
	f->wire = (int)(tag & 7);
	r->p = p;
	return 1;
}

int64_t kehu__rec_as_i64(const kehu__rec_field *f);

/* Called per field by kehu__rec_decode; returns KEHU_OK to go on. */
typedef int (*kehu__rec_field_fn)(const kehu__rec_field *f, void *ctx);
/* Reads a whole record (nested: without the format byte), calling fn for
 * every field; KEHU_ECORRUPT for malformed bytes or a newer format, else
 * the first non-OK value of fn. */
int kehu__rec_decode(const void *p, size_t n, kehu__rec_field_fn fn,
                     void *ctx);
int kehu__rec_decode_nested(const void *p, size_t n, kehu__rec_field_fn fn,
                            void *ctx);
/* Copies a bytes field into *dst as a string; a second copy of a
 * singular field (*dst already set), another wire type or a NUL byte
 * inside is KEHU_ECORRUPT. */
int kehu__rec_take_string(const kehu__allocator *al, char **dst,
                          const kehu__rec_field *f);
double kehu__rec_as_f64(const kehu__rec_field *f);

#endif
