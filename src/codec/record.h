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
/* 1: a field was read; 0: end of record; -1: malformed. */
int kehu__rec_next(kehu__rec_reader *r, kehu__rec_field *f);

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
