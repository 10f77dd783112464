/*
 * codec/labels: label records (field 1: nested {1 name, 2 label}, field
 * 2: nested {1 name, 2 value as f64}) and rule set records (1 name,
 * 2 version, 3 source text).
 */
#include "codec/labels.h"

#include <string.h>

#include "codec/record.h"
#include "core/tuning.h"
#include "kehu/errors.h"

void kehu__labels_begin(kehu__buf *b)
{
	kehu__buf_reset(b);
	kehu__rec_begin(b);
}

/* Appends field `field` holding a nested {1: name, 2: value}, written
 * in place (classify-all writes one per classification and score of
 * every customer: no buffer of its own). */
static void add_pair(kehu__buf *b, uint32_t field, const char *name,
                     const char *label, const double *value)
{
	size_t nlen = strlen(name), llen = label ? strlen(label) : 0;

	kehu__rec_nested_begin(b, field,
	                       kehu__rec_bytes_size(1, nlen) +
	                       (value ? kehu__rec_f64_size(2)
	                              : kehu__rec_bytes_size(2, llen)));
	kehu__rec_bytes(b, 1, name, nlen);
	if (value)
		kehu__rec_f64(b, 2, *value);
	else
		kehu__rec_bytes(b, 2, label, llen);
}

void kehu__labels_add_label(kehu__buf *b, const char *name,
                            const char *label)
{
	add_pair(b, 1, name, label, NULL);
}

void kehu__labels_add_score(kehu__buf *b, const char *name, double value)
{
	add_pair(b, 2, name, NULL, &value);
}

#if KEHU__FAST_PATHS /* only classify-all's pre-encoded pairs call it */
void kehu__labels_add_score_after(kehu__buf *b, const void *prefix,
                                  size_t len, double value)
{
	uint64_t u;

	memcpy(&u, &value, sizeof u);
	kehu__buf_put(b, prefix, len);
	kehu__buf_put_le64(b, u); /* as kehu__rec_f64 */
}
#endif

typedef struct find_ctx {
	uint32_t field;
	const char *name;
	int found;
	kehu__rec_field value;
} find_ctx;

static int pair_field(const kehu__rec_field *f, void *vctx)
{
	find_ctx *ctx = vctx;

	if (f->number == 1)
		ctx->found = f->wire == KEHU__WIRE_BYTES &&
		             f->len == strlen(ctx->name) &&
		             memcmp(f->bytes, ctx->name, f->len) == 0;
	else if (f->number == 2 && ctx->found)
		ctx->value = *f;
	return KEHU_OK;
}

static int outer_field(const kehu__rec_field *f, void *vctx)
{
	find_ctx *ctx = vctx;
	int rc;

	if (f->number != ctx->field)
		return KEHU_OK;
	if (f->wire != KEHU__WIRE_BYTES)
		return KEHU_ECORRUPT;
	ctx->found = 0;
	rc = kehu__rec_decode_nested(f->bytes, f->len, pair_field, ctx);
	if (rc != KEHU_OK)
		return rc;
	return ctx->found ? 1 : KEHU_OK; /* 1: stop, found */
}

static int find(const void *p, size_t n, uint32_t field, const char *name,
                kehu__rec_field *value)
{
	find_ctx ctx;
	int rc;

	memset(&ctx, 0, sizeof ctx);
	ctx.field = field;
	ctx.name = name;
	rc = kehu__rec_decode(p, n, outer_field, &ctx);
	if (rc == 1) {
		*value = ctx.value;
		return KEHU_OK;
	}
	return rc == KEHU_OK ? KEHU_ENOTFOUND : rc;
}

int kehu__labels_find_label(const void *p, size_t n, const char *name,
                            const char **label, size_t *len)
{
	kehu__rec_field v;
	int rc = find(p, n, 1, name, &v);

	if (rc != KEHU_OK)
		return rc;
	if (v.wire != KEHU__WIRE_BYTES)
		return KEHU_ECORRUPT;
	*label = (const char *)v.bytes;
	*len = v.len;
	return KEHU_OK;
}

int kehu__labels_find_score(const void *p, size_t n, const char *name,
                            double *value)
{
	kehu__rec_field v;
	int rc = find(p, n, 2, name, &v);

	if (rc != KEHU_OK)
		return rc;
	if (v.wire != KEHU__WIRE_F64)
		return KEHU_ECORRUPT;
	*value = kehu__rec_as_f64(&v);
	return KEHU_OK;
}

void kehu__ruleset_rec_encode(kehu__buf *b, const char *name,
                              int64_t version, const char *source,
                              size_t len)
{
	kehu__buf_reset(b);
	kehu__rec_begin(b);
	kehu__rec_str(b, 1, name);
	kehu__rec_i64(b, 2, version);
	kehu__rec_bytes(b, 3, source, len);
}

typedef struct source_ctx {
	const char *source;
	size_t len;
} source_ctx;

static int source_field(const kehu__rec_field *f, void *vctx)
{
	source_ctx *ctx = vctx;

	if (f->number == 3) {
		if (f->wire != KEHU__WIRE_BYTES)
			return KEHU_ECORRUPT;
		ctx->source = (const char *)f->bytes;
		ctx->len = f->len;
	}
	return KEHU_OK;
}

int kehu__ruleset_rec_decode(const void *p, size_t n, const char **source,
                             size_t *len)
{
	source_ctx ctx = {NULL, 0};
	int rc = kehu__rec_decode(p, n, source_field, &ctx);

	if (rc != KEHU_OK)
		return rc;
	if (!ctx.source)
		return KEHU_ECORRUPT;
	*source = ctx.source;
	*len = ctx.len;
	return KEHU_OK;
}
