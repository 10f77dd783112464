/*
 * codec/account: encoding of account records.  Fields: 1 id, 2 rev,
 * 3 payer, 4 name, 5 member (repeated nested: 1 customer, 2 role).
 */
#include "codec/account.h"

#include <string.h>

#include "codec/record.h"
#include "kehu/errors.h"

void kehu__account_rec_encode(kehu__buf *b, const kehu__account_rec *a)
{
	kehu__buf m;
	size_t i;

	kehu__buf_reset(b);
	kehu__rec_begin(b);
	kehu__rec_i64(b, 1, a->id);
	kehu__rec_u64(b, 2, a->rev);
	kehu__rec_i64(b, 3, a->payer);
	if (a->name)
		kehu__rec_str(b, 4, a->name);
	kehu__buf_init(&m, b->alloc);
	for (i = 0; i < a->nmembers; i++) {
		kehu__buf_reset(&m);
		kehu__rec_i64(&m, 1, a->members[i].customer);
		kehu__rec_u64(&m, 2, (uint64_t)a->members[i].role);
		if (m.failed)
			b->failed = 1;
		else
			kehu__rec_bytes(b, 5, m.data, m.len);
	}
	kehu__buf_free(&m);
}

static int push_member(const kehu__allocator *al, kehu__account_rec *a,
                       const kehu__member *mem)
{
	void *items = a->members;

	if (kehu__grow(al, &items, &a->members_cap, a->nmembers + 1,
	               sizeof *a->members))
		return KEHU_ENOMEM;
	a->members = items;
	a->members[a->nmembers++] = *mem;
	return KEHU_OK;
}

typedef struct decode_ctx {
	const kehu__allocator *al;
	kehu__account_rec *a;
	kehu__member member;
} decode_ctx;

static int member_field(const kehu__rec_field *f, void *vctx)
{
	kehu__member *m = &((decode_ctx *)vctx)->member;

	if (f->number > 2)
		return KEHU_OK;
	if (f->wire != KEHU__WIRE_VARINT)
		return KEHU_ECORRUPT;
	if (f->number == 1)
		m->customer = kehu__rec_as_i64(f);
	else if (f->number == 2)
		m->role = (int32_t)f->u;
	return KEHU_OK;
}

static int decode_member(decode_ctx *ctx, const kehu__rec_field *outer)
{
	int rc;

	if (outer->wire != KEHU__WIRE_BYTES)
		return KEHU_ECORRUPT;
	ctx->member.customer = 0;
	ctx->member.role = 0;
	rc = kehu__rec_decode_nested(outer->bytes, outer->len, member_field,
	                             ctx);
	if (rc != KEHU_OK || ctx->member.customer <= 0)
		return KEHU_ECORRUPT;
	return push_member(ctx->al, ctx->a, &ctx->member);
}

static int account_field(const kehu__rec_field *f, void *vctx)
{
	decode_ctx *ctx = vctx;
	kehu__account_rec *a = ctx->a;

	if (f->number >= 1 && f->number <= 3 && f->wire != KEHU__WIRE_VARINT)
		return KEHU_ECORRUPT;
	switch (f->number) {
	case 1: a->id = kehu__rec_as_i64(f); return KEHU_OK;
	case 2: a->rev = (uint32_t)f->u; return KEHU_OK;
	case 3: a->payer = kehu__rec_as_i64(f); return KEHU_OK;
	case 4: return kehu__rec_take_string(ctx->al, &a->name, f);
	case 5: return decode_member(ctx, f);
	default: return KEHU_OK;
	}
}

int kehu__account_rec_decode(const kehu__allocator *al, kehu__account_rec *a,
                             const void *p, size_t n)
{
	decode_ctx ctx;
	int ret;

	ctx.al = al;
	ctx.a = a;
	ret = kehu__rec_decode(p, n, account_field, &ctx);
	if (ret != KEHU_OK)
		kehu__account_rec_free(al, a);
	return ret;
}

void kehu__account_rec_free(const kehu__allocator *al, kehu__account_rec *a)
{
	kehu__strfree(al, a->name);
	kehu__free(al, a->members, a->members_cap * sizeof *a->members);
	a->name = NULL;
	a->members = NULL;
	a->nmembers = 0;
	a->members_cap = 0;
}
