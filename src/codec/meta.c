/*
 * codec/meta: encoding of the meta record.  Fields: 1 format,
 * 2 utc_offset, 3 currency_exponent, 4 next_id.
 */
#include "codec/meta.h"

#include <string.h>

#include "codec/record.h"
#include "kehu/errors.h"

void kehu__meta_rec_encode(kehu__buf *b, const kehu__meta_rec *m)
{
	kehu__buf_reset(b);
	kehu__rec_begin(b);
	kehu__rec_u64(b, 1, m->format);
	kehu__rec_i64(b, 2, m->utc_offset);
	kehu__rec_i64(b, 3, m->currency_exponent);
	kehu__rec_i64(b, 4, m->next_id);
}

static int meta_field(const kehu__rec_field *f, void *ctx)
{
	kehu__meta_rec *m = ctx;

	if (f->number > 4)
		return KEHU_OK;
	if (f->wire != KEHU__WIRE_VARINT)
		return KEHU_ECORRUPT;
	if (f->number == 1)
		m->format = f->u > UINT32_MAX ? UINT32_MAX : (uint32_t)f->u;
	else if (f->number == 2)
		m->utc_offset = (int32_t)kehu__rec_as_i64(f);
	else if (f->number == 3)
		m->currency_exponent = (int32_t)kehu__rec_as_i64(f);
	else
		m->next_id = kehu__rec_as_i64(f);
	return KEHU_OK;
}

int kehu__meta_rec_decode(kehu__meta_rec *m, const void *p, size_t n)
{
	memset(m, 0, sizeof *m);
	return kehu__rec_decode(p, n, meta_field, m);
}
