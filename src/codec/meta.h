/*
 * codec/meta: the db meta record ('Z' "meta"): what the db was created
 * with and the id sequence.
 */
#ifndef KEHU_CODEC_META_H
#define KEHU_CODEC_META_H

#include "core/buf.h"

typedef struct kehu__meta_rec {
	uint32_t format; /* data layout version; newer ones are refused */
	int32_t utc_offset;
	int32_t currency_exponent;
	int64_t next_id;
} kehu__meta_rec;

#define KEHU__DATA_FORMAT 1

void kehu__meta_rec_encode(kehu__buf *b, const kehu__meta_rec *m);
int kehu__meta_rec_decode(kehu__meta_rec *m, const void *p, size_t n);

#endif
