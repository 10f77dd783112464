/*
 * codec/record: writer and reader of tagged-field records (see
 * record.h for the byte layout).
 */
/* a size-optimised build takes its one copy of the inline writers */
#define KEHU__REC_DEFINE
#include "codec/record.h"

#include <string.h>

#include "core/tuning.h"
#include "kehu/errors.h"

static void put_tag(kehu__buf *b, uint32_t field, int wire)
{
	kehu__buf_put_varint(b, ((uint64_t)field << 3) | (uint64_t)wire);
}

void kehu__rec_begin(kehu__buf *b)
{
	kehu__buf_put_u8(b, KEHU__REC_FORMAT);
}

void kehu__rec_u64(kehu__buf *b, uint32_t field, uint64_t v)
{
	if (kehu__buf_reserve(b, KEHU__REC_VARINT_ROOM) != 0)
		return;
	b->len = (size_t)(kehu__rec_u64_at(b->data + b->len, field, v) -
	                  b->data);
}

void kehu__rec_i64(kehu__buf *b, uint32_t field, int64_t v)
{
	kehu__rec_u64(b, field, kehu__zigzag(v));
}

void kehu__rec_f64(kehu__buf *b, uint32_t field, double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof u);
	put_tag(b, field, KEHU__WIRE_F64);
	kehu__buf_put_le64(b, u);
}

void kehu__rec_bytes(kehu__buf *b, uint32_t field, const void *p, size_t n)
{
	put_tag(b, field, KEHU__WIRE_BYTES);
	kehu__buf_put_varint(b, n);
	kehu__buf_put(b, p, n);
}

void kehu__rec_nested_begin(kehu__buf *b, uint32_t field, size_t len)
{
	put_tag(b, field, KEHU__WIRE_BYTES);
	kehu__buf_put_varint(b, len);
}

static size_t varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

size_t kehu__rec_bytes_size(uint32_t field, size_t n)
{
	return varint_size((uint64_t)field << 3) + varint_size(n) + n;
}

size_t kehu__rec_f64_size(uint32_t field)
{
	return varint_size((uint64_t)field << 3) + 8;
}

void kehu__rec_str(kehu__buf *b, uint32_t field, const char *s)
{
	kehu__rec_bytes(b, field, s, strlen(s));
}

int kehu__rec_open(kehu__rec_reader *r, const void *p, size_t n)
{
	const uint8_t *bytes = p;

	if (n < 1 || bytes[0] == 0 || bytes[0] > KEHU__REC_FORMAT)
		return -1;
	kehu__rec_open_nested(r, bytes + 1, n - 1);
	return 0;
}

void kehu__rec_open_nested(kehu__rec_reader *r, const void *p, size_t n)
{
	r->p = p;
	r->end = r->p + n;
}

int kehu__rec_long_varint(const uint8_t **p, const uint8_t *end,
                          uint64_t *out)
{
	const uint8_t *q = *p;
	uint64_t v = 0;
	unsigned shift = 0;

	/* two and three bytes (amounts of a day, ids) without the loop */
	if (KEHU__FAST_PATHS && end - q >= 3 && (q[0] & 0x80)) {
		if (!(q[1] & 0x80)) {
			*out = (uint64_t)(q[0] & 0x7F) | (uint64_t)q[1] << 7;
			*p = q + 2;
			return 0;
		}
		if (!(q[2] & 0x80)) {
			*out = (uint64_t)(q[0] & 0x7F) |
			       (uint64_t)(q[1] & 0x7F) << 7 |
			       (uint64_t)q[2] << 14;
			*p = q + 3;
			return 0;
		}
	}
	while (q < end) {
		uint8_t c = *q++;

		if (shift == 63 && c > 1)
			return -1;
		v |= (uint64_t)(c & 0x7F) << shift;
		if (!(c & 0x80)) {
			*out = v;
			*p = q;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return -1;
	}
	return -1;
}

int64_t kehu__rec_as_i64(const kehu__rec_field *f)
{
	return (int64_t)(f->u >> 1) ^ -(int64_t)(f->u & 1);
}

double kehu__rec_as_f64(const kehu__rec_field *f)
{
	double d;

	memcpy(&d, &f->u, sizeof d);
	return d;
}

static int decode_all(kehu__rec_reader *r, kehu__rec_field_fn fn, void *ctx)
{
	kehu__rec_field f;
	int rc, ret = KEHU_OK;

	while ((rc = kehu__rec_next(r, &f)) == 1)
		if ((ret = fn(&f, ctx)) != KEHU_OK)
			return ret;
	return rc < 0 ? KEHU_ECORRUPT : KEHU_OK;
}

int kehu__rec_decode(const void *p, size_t n, kehu__rec_field_fn fn,
                     void *ctx)
{
	kehu__rec_reader r;

	if (kehu__rec_open(&r, p, n) != 0)
		return KEHU_ECORRUPT;
	return decode_all(&r, fn, ctx);
}

int kehu__rec_decode_nested(const void *p, size_t n, kehu__rec_field_fn fn,
                            void *ctx)
{
	kehu__rec_reader r;

	kehu__rec_open_nested(&r, p, n);
	return decode_all(&r, fn, ctx);
}

int kehu__rec_take_string(const kehu__allocator *al, char **dst,
                          const kehu__rec_field *f)
{
	/* the library never writes a NUL into a string, and one inside
	 * would make the string's freed size (strlen) differ */
	if (f->wire != KEHU__WIRE_BYTES || *dst ||
	    memchr(f->bytes, 0, f->len))
		return KEHU_ECORRUPT;
	*dst = kehu__strndup(al, (const char *)f->bytes, f->len);
	return *dst ? KEHU_OK : KEHU_ENOMEM;
}
