/*
 * codec/customer: encoding of customer records.  Field numbers:
 * 1 id, 2 rev, 3 kind, 4 relation, 5 status, 6 referrer, 7 flags,
 * 8 external key, 9 name, 10 tag (repeated), 11 attribute (repeated).
 */
#include "codec/customer.h"

#include <string.h>

#include "codec/record.h"
#include "core/tuning.h"
#include "kehu/errors.h"

void kehu__customer_rec_encode(kehu__buf *b, const kehu__customer_rec *c)
{
	size_t i;

	kehu__buf_reset(b);
	kehu__rec_begin(b);
	kehu__rec_i64(b, 1, c->id);
	kehu__rec_u64(b, 2, c->rev);
	kehu__rec_u64(b, 3, (uint64_t)c->kind);
	kehu__rec_u64(b, 4, (uint64_t)c->relation);
	kehu__rec_u64(b, 5, (uint64_t)c->status);
	kehu__rec_i64(b, 6, c->referrer);
	kehu__rec_u64(b, 7, c->flags);
	if (c->key)
		kehu__rec_str(b, 8, c->key);
	if (c->name)
		kehu__rec_str(b, 9, c->name);
	for (i = 0; i < c->tags.len; i++)
		kehu__rec_str(b, 10, c->tags.items[i]);
	kehu__attrs_encode(b, 11, &c->attrs);
}

typedef struct decode_ctx {
	const kehu__allocator *al;
	kehu__customer_rec *c;
	unsigned sections; /* KEHU__CUSTOMER_HAS_*: scalar decoding */
} decode_ctx;

static int scalar_field(const kehu__rec_field *f, void *vctx)
{
	decode_ctx *ctx = vctx;
	kehu__customer_rec *c = ctx->c;

	if (f->number <= 7 && f->wire != KEHU__WIRE_VARINT)
		return KEHU_ECORRUPT;
	switch (f->number) {
	case 1: c->id = kehu__rec_as_i64(f); break;
	case 2: c->rev = (uint32_t)f->u; break;
	case 3: c->kind = (int32_t)f->u; break;
	case 4: c->relation = (int32_t)f->u; break;
	case 5: c->status = (int32_t)f->u; break;
	case 6: c->referrer = kehu__rec_as_i64(f); break;
	case 7: c->flags = (uint32_t)f->u; break;
	case 10: ctx->sections |= KEHU__CUSTOMER_HAS_TAGS; break;
	case 11: ctx->sections |= KEHU__CUSTOMER_HAS_ATTRS; break;
	default: break;
	}
	return KEHU_OK;
}

static int full_field(const kehu__rec_field *f, void *vctx)
{
	decode_ctx *ctx = vctx;
	kehu__customer_rec *c = ctx->c;

	if (f->number >= 8 && f->number <= 11 && f->wire != KEHU__WIRE_BYTES)
		return KEHU_ECORRUPT;
	switch (f->number) {
	case 8: return kehu__rec_take_string(ctx->al, &c->key, f);
	case 9: return kehu__rec_take_string(ctx->al, &c->name, f);
	case 10:
		if (memchr(f->bytes, 0, f->len)) /* see rec_take_string */
			return KEHU_ECORRUPT;
		return kehu__strlist_push(ctx->al, &c->tags,
		                          (const char *)f->bytes, f->len);
	case 11:
		return kehu__attrs_decode_one(ctx->al, &c->attrs, f->bytes,
		                              f->len);
	default: return scalar_field(f, vctx);
	}
}

int kehu__customer_rec_decode(const kehu__allocator *al,
                              kehu__customer_rec *c, const void *p,
                              size_t n)
{
	decode_ctx ctx = {al, c, 0};
	int ret = kehu__rec_decode(p, n, full_field, &ctx);

	if (ret != KEHU_OK)
		kehu__customer_rec_free(al, c);
	return ret;
}

int kehu__customer_rec_decode_scalars(kehu__customer_rec *c, const void *p,
                                      size_t n, unsigned *sections)
{
	decode_ctx ctx = {NULL, c, 0};
	int rc = kehu__rec_decode(p, n, scalar_field, &ctx);

	if (sections)
		*sections = ctx.sections;
	return rc;
}

unsigned kehu__customer_rec_sections(const kehu__customer_rec *c)
{
	return (c->tags.len ? KEHU__CUSTOMER_HAS_TAGS : 0u) |
	       (c->attrs.len ? KEHU__CUSTOMER_HAS_ATTRS : 0u);
}

void kehu__customer_rec_free(const kehu__allocator *al,
                             kehu__customer_rec *c)
{
	kehu__strfree(al, c->key);
	kehu__strfree(al, c->name);
	kehu__strlist_free(al, &c->tags);
	kehu__attrs_free(al, &c->attrs);
	c->key = NULL;
	c->name = NULL;
}

typedef struct find_ctx {
	const char *name;
	size_t len;
	int found;
	kehu__attr_view *view;
} find_ctx;

static int attr_part(const kehu__rec_field *f, void *vctx)
{
	find_ctx *ctx = vctx;

	switch (f->number) {
	case 1:
		ctx->found = f->wire == KEHU__WIRE_BYTES && f->len == ctx->len &&
		             memcmp(f->bytes, ctx->name, f->len) == 0;
		break;
	case 2: ctx->view->type = (int32_t)f->u; break;
	case 3: ctx->view->i = kehu__rec_as_i64(f); break;
	case 4: ctx->view->d = kehu__rec_as_f64(f); break;
	case 5:
		if (f->wire != KEHU__WIRE_BYTES)
			return KEHU_ECORRUPT; /* a text that is not one */
		ctx->view->s = (const char *)f->bytes;
		ctx->view->slen = f->len;
		break;
	default: break;
	}
	return KEHU_OK;
}

static int attr_field(const kehu__rec_field *f, void *vctx)
{
	find_ctx *ctx = vctx;

	if (f->number != 11 || f->wire != KEHU__WIRE_BYTES)
		return KEHU_OK;
	memset(ctx->view, 0, sizeof *ctx->view);
	ctx->found = 0;
	if (kehu__rec_decode_nested(f->bytes, f->len, attr_part, ctx) !=
	    KEHU_OK)
		return KEHU_ECORRUPT;
	return ctx->found ? 1 : KEHU_OK;
}

int kehu__customer_rec_find_attr(const void *p, size_t n, const char *name,
                                 kehu__attr_view *out)
{
	find_ctx ctx = {name, strlen(name), 0, out};

	return kehu__rec_decode(p, n, attr_field, &ctx) == 1;
}

static int tag_field(const kehu__rec_field *f, void *vctx)
{
	find_ctx *ctx = vctx;

	return f->number == 10 && f->wire == KEHU__WIRE_BYTES &&
	       f->len == ctx->len && memcmp(f->bytes, ctx->name, f->len) == 0;
}

int kehu__customer_rec_has_tag(const void *p, size_t n, const char *tag)
{
	find_ctx ctx = {tag, strlen(tag), 0, NULL};

	return kehu__rec_decode(p, n, tag_field, &ctx) == 1;
}

#if KEHU__FAST_PATHS /* only the rule evaluator's index calls it */
typedef struct each_ctx {
	kehu__customer_section_fn fn;
	void *user;
	const char *name; /* the attribute being decoded; NULL: unnamed */
	size_t len;
	kehu__attr_view view;
} each_ctx;

/* An attribute entry's name and value, read as attr_part reads them but
 * keeping the name, then given to fn. */
static int section_attr(each_ctx *ctx, const kehu__rec_field *entry)
{
	kehu__rec_reader r;
	kehu__rec_field f;
	int rc;

	memset(&ctx->view, 0, sizeof ctx->view);
	ctx->name = NULL;
	ctx->len = 0;
	kehu__rec_open_nested(&r, entry->bytes, entry->len);
	while ((rc = kehu__rec_next(&r, &f)) == 1) {
		switch (f.number) {
		case 1:
			ctx->name = f.wire == KEHU__WIRE_BYTES
				? (const char *)f.bytes : NULL;
			ctx->len = f.len;
			break;
		case 2: ctx->view.type = (int32_t)f.u; break;
		case 3: ctx->view.i = kehu__rec_as_i64(&f); break;
		case 4: ctx->view.d = kehu__rec_as_f64(&f); break;
		case 5:
			if (f.wire != KEHU__WIRE_BYTES)
				return KEHU_ECORRUPT; /* as attr_part */
			ctx->view.s = (const char *)f.bytes;
			ctx->view.slen = f.len;
			break;
		default: break;
		}
	}
	if (rc < 0)
		return KEHU_ECORRUPT;
	return ctx->fn(ctx->user, ctx->name, ctx->len, &ctx->view);
}

/* A loop over the fields rather than kehu__rec_decode's callback: the
 * rule evaluator indexes a record per customer that has sections, and
 * most fields (the scalars) are passed over. */
int kehu__customer_rec_each_section(const void *p, size_t n,
                                    kehu__customer_section_fn fn,
                                    void *user)
{
	kehu__rec_reader r;
	kehu__rec_field f;
	each_ctx ctx;
	int rc, ret;

	if (kehu__rec_open(&r, p, n) != 0)
		return KEHU_ECORRUPT;
	ctx.fn = fn;
	ctx.user = user;
	while ((rc = kehu__rec_next(&r, &f)) == 1) {
		if (f.wire != KEHU__WIRE_BYTES)
			continue;
		if (f.number == 10)
			ret = fn(user, (const char *)f.bytes, f.len, NULL);
		else if (f.number == 11)
			ret = section_attr(&ctx, &f);
		else
			continue;
		if (ret != KEHU_OK)
			return ret;
	}
	return rc < 0 ? KEHU_ECORRUPT : KEHU_OK;
}
#endif
