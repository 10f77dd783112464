/*
 * codec/attrs: attribute and string lists: storage in memory and their
 * nested-record encoding (name = 1, type = 2, int/time = 3, number = 4,
 * string = 5).
 */
#include "codec/attrs.h"

#include <string.h>

#include "codec/record.h"
#include "core/tuning.h"
#include "kehu/customer.h"
#include "kehu/errors.h"

long kehu__attrs_find(const kehu__attrs *a, const char *name,
                      size_t *pos_out)
{
	size_t lo = 0, hi = a->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(a->items[mid].name, name);

		if (c == 0) {
			if (pos_out)
				*pos_out = mid;
			return (long)mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pos_out)
		*pos_out = lo;
	return -1;
}

static void attr_clear(const kehu__allocator *al, kehu__attr *at)
{
	kehu__strfree(al, at->name);
	if (at->type == KEHU_ATTR_STRING)
		kehu__strfree(al, at->v.s);
}

int kehu__attrs_set(const kehu__allocator *al, kehu__attrs *a,
                    const kehu__attr *value)
{
	kehu__attr fresh = *value;
	size_t pos;
	long at = kehu__attrs_find(a, value->name, &pos);
	void *items = a->items;

	fresh.name = kehu__strndup(al, value->name, strlen(value->name));
	if (!fresh.name)
		return KEHU_ENOMEM;
	if (value->type == KEHU_ATTR_STRING) {
		fresh.v.s = kehu__strndup(al, value->v.s, strlen(value->v.s));
		if (!fresh.v.s) {
			kehu__strfree(al, fresh.name);
			return KEHU_ENOMEM;
		}
	}
	if (at >= 0) {
		attr_clear(al, &a->items[at]);
		a->items[at] = fresh;
		return KEHU_OK;
	}
	if (kehu__grow(al, &items, &a->cap, a->len + 1, sizeof *a->items)) {
		attr_clear(al, &fresh);
		return KEHU_ENOMEM;
	}
	a->items = items;
	memmove(&a->items[pos + 1], &a->items[pos],
	        (a->len - pos) * sizeof *a->items);
	a->items[pos] = fresh;
	a->len++;
	return KEHU_OK;
}

void kehu__attrs_remove_at(const kehu__allocator *al, kehu__attrs *a,
                           size_t i)
{
	attr_clear(al, &a->items[i]);
	memmove(&a->items[i], &a->items[i + 1],
	        (a->len - i - 1) * sizeof *a->items);
	a->len--;
}

void kehu__attrs_free(const kehu__allocator *al, kehu__attrs *a)
{
	size_t i;

	for (i = 0; i < a->len; i++)
		attr_clear(al, &a->items[i]);
	kehu__free(al, a->items, a->cap * sizeof *a->items);
	memset(a, 0, sizeof *a);
}

int kehu__attrs_copy(const kehu__allocator *al, kehu__attrs *dst,
                     const kehu__attrs *src)
{
	size_t i;

	for (i = 0; i < src->len; i++) {
		if (kehu__attrs_set(al, dst, &src->items[i]) != KEHU_OK) {
			kehu__attrs_free(al, dst);
			return KEHU_ENOMEM;
		}
	}
	return KEHU_OK;
}

void kehu__attrs_encode(kehu__buf *b, uint32_t field, const kehu__attrs *a)
{
	kehu__buf nested;
	size_t i;

	if (KEHU__FAST_PATHS && a->len == 0)
		return; /* most records: skip the scratch buffer */
	kehu__buf_init(&nested, b->alloc);
	for (i = 0; i < a->len; i++) {
		const kehu__attr *at = &a->items[i];

		kehu__buf_reset(&nested);
		kehu__rec_str(&nested, 1, at->name);
		kehu__rec_u64(&nested, 2, (uint64_t)at->type);
		if (at->type == KEHU_ATTR_STRING)
			kehu__rec_str(&nested, 5, at->v.s);
		else if (at->type == KEHU_ATTR_NUMBER)
			kehu__rec_f64(&nested, 4, at->v.d);
		else
			kehu__rec_i64(&nested, 3, at->v.i);
		if (nested.failed)
			b->failed = 1;
		else
			kehu__rec_bytes(b, field, nested.data, nested.len);
	}
	kehu__buf_free(&nested);
}

typedef struct decode_ctx {
	const kehu__allocator *al;
	kehu__attr at;
	char *name;
	char *str;
} decode_ctx;

/* Reads one field of an attribute record. */
static int decode_attr_field(const kehu__rec_field *f, void *vctx)
{
	decode_ctx *ctx = vctx;
	kehu__attr *at = &ctx->at;

	switch (f->number) {
	case 1: return kehu__rec_take_string(ctx->al, &ctx->name, f);
	case 5: return kehu__rec_take_string(ctx->al, &ctx->str, f);
	case 2:
		if (f->wire != KEHU__WIRE_VARINT || f->u > KEHU_ATTR_TIME)
			return KEHU_ECORRUPT;
		at->type = (int32_t)f->u;
		return KEHU_OK;
	case 3:
		if (f->wire != KEHU__WIRE_VARINT)
			return KEHU_ECORRUPT;
		at->v.i = kehu__rec_as_i64(f);
		return KEHU_OK;
	case 4:
		if (f->wire != KEHU__WIRE_F64)
			return KEHU_ECORRUPT;
		at->v.d = kehu__rec_as_f64(f);
		return KEHU_OK;
	default:
		return KEHU_OK; /* a field from a newer library */
	}
}

int kehu__attrs_decode_one(const kehu__allocator *al, kehu__attrs *a,
                           const uint8_t *p, size_t n)
{
	decode_ctx ctx;
	int ret;

	memset(&ctx, 0, sizeof ctx);
	ctx.al = al;
	ret = kehu__rec_decode_nested(p, n, decode_attr_field, &ctx);
	if (ret == KEHU_OK &&
	    (!ctx.name || ctx.at.type < KEHU_ATTR_STRING ||
	     (ctx.at.type == KEHU_ATTR_STRING && !ctx.str)))
		ret = KEHU_ECORRUPT;
	if (ret == KEHU_OK) {
		ctx.at.name = ctx.name;
		if (ctx.at.type == KEHU_ATTR_STRING)
			ctx.at.v.s = ctx.str;
		ret = kehu__attrs_set(al, a, &ctx.at);
	}
	kehu__strfree(al, ctx.name);
	kehu__strfree(al, ctx.str);
	return ret;
}

long kehu__strlist_find(const kehu__strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if (strcmp(l->items[i], s) == 0)
			return (long)i;
	return -1;
}

int kehu__strlist_push(const kehu__allocator *al, kehu__strlist *l,
                       const char *s, size_t len)
{
	void *items = l->items;
	char *copy;

	if (kehu__grow(al, &items, &l->cap, l->len + 1, sizeof *l->items))
		return KEHU_ENOMEM;
	l->items = items;
	copy = kehu__strndup(al, s, len);
	if (!copy)
		return KEHU_ENOMEM;
	l->items[l->len++] = copy;
	return KEHU_OK;
}

void kehu__strlist_remove_at(const kehu__allocator *al, kehu__strlist *l,
                             size_t i)
{
	kehu__strfree(al, l->items[i]);
	memmove(&l->items[i], &l->items[i + 1],
	        (l->len - i - 1) * sizeof *l->items);
	l->len--;
}

void kehu__strlist_free(const kehu__allocator *al, kehu__strlist *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		kehu__strfree(al, l->items[i]);
	kehu__free(al, l->items, l->cap * sizeof *l->items);
	memset(l, 0, sizeof *l);
}

int kehu__strlist_copy(const kehu__allocator *al, kehu__strlist *dst,
                       const kehu__strlist *src)
{
	size_t i;

	for (i = 0; i < src->len; i++) {
		if (kehu__strlist_push(al, dst, src->items[i],
		                       strlen(src->items[i])) != KEHU_OK) {
			kehu__strlist_free(al, dst);
			return KEHU_ENOMEM;
		}
	}
	return KEHU_OK;
}
