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

int kehu__meta_rec_decode(kehu__meta_rec *m, const void *p, size_t n)
{
	kehu__rec_reader r;
	kehu__rec_field f;
	int rc;

	memset(m, 0, sizeof *m);
	if (kehu__rec_open(&r, p, n) != 0)
		return KEHU_ECORRUPT;
	while ((rc = kehu__rec_next(&r, &f)) == 1) {
		if (f.number > 4)
			continue;
		if (f.wire != KEHU__WIRE_VARINT)
			return KEHU_ECORRUPT;
		if (f.number == 1)
			m->format = f.u > UINT32_MAX ? UINT32_MAX : (uint32_t)f.u;
		else if (f.number == 2)
			m->utc_offset = (int32_t)kehu__rec_as_i64(&f);
		else if (f.number == 3)
			m->currency_exponent = (int32_t)kehu__rec_as_i64(&f);
		else
			m->next_id = kehu__rec_as_i64(&f);
	}
	return rc < 0 ? KEHU_ECORRUPT : KEHU_OK;
}
