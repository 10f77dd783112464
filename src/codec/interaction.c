/*
 * codec/interaction: encoding of interaction records.  Fields: 1 id,
 * 2 customer, 3 account, 4 time, 5 amount, 6 cost, 7 type,
 * 8 satisfaction, 9 channel, 10 note, 11 attribute (repeated).
 */
#include "codec/interaction.h"

#include "codec/record.h"
#include "core/tuning.h"
#include "kehu/errors.h"

void kehu__interaction_rec_encode(kehu__buf *b,
                                  const kehu__interaction_rec *ix)
{
	/* fields 1..8 after one check for room */
	uint8_t *p = kehu__rec_start(b, 8);

	if (!p)
		return;
	p = kehu__rec_i64_at(p, 1, ix->id);
	p = kehu__rec_i64_at(p, 2, ix->customer);
	if (ix->account)
		p = kehu__rec_i64_at(p, 3, ix->account);
	p = kehu__rec_i64_at(p, 4, ix->time);
	if (ix->amount)
		p = kehu__rec_i64_at(p, 5, ix->amount);
	if (ix->cost)
		p = kehu__rec_i64_at(p, 6, ix->cost);
	p = kehu__rec_u64_at(p, 7, (uint64_t)ix->type);
	if (ix->satisfaction)
		p = kehu__rec_u64_at(p, 8, (uint64_t)ix->satisfaction);
	kehu__rec_end(b, p);
	if (ix->channel)
		kehu__rec_str(b, 9, ix->channel);
	if (ix->note)
		kehu__rec_str(b, 10, ix->note);
	kehu__attrs_encode(b, 11, &ix->attrs);
}

typedef struct decode_ctx {
	const kehu__allocator *al;
	kehu__interaction_rec *ix;
} decode_ctx;

static int ix_field(const kehu__rec_field *f, void *vctx)
{
	decode_ctx *ctx = vctx;
	kehu__interaction_rec *ix = ctx->ix;

	if (f->number >= 1 && f->number <= 8 && f->wire != KEHU__WIRE_VARINT)
		return KEHU_ECORRUPT;
	switch (f->number) {
	case 1: ix->id = kehu__rec_as_i64(f); break;
	case 2: ix->customer = kehu__rec_as_i64(f); break;
	case 3: ix->account = kehu__rec_as_i64(f); break;
	case 4: ix->time = kehu__rec_as_i64(f); break;
	case 5: ix->amount = kehu__rec_as_i64(f); break;
	case 6: ix->cost = kehu__rec_as_i64(f); break;
	case 7: ix->type = (int32_t)f->u; break;
	case 8: ix->satisfaction = (int32_t)f->u; break;
	case 9: return kehu__rec_take_string(ctx->al, &ix->channel, f);
	case 10: return kehu__rec_take_string(ctx->al, &ix->note, f);
	case 11:
		if (f->wire != KEHU__WIRE_BYTES)
			return KEHU_ECORRUPT;
		return kehu__attrs_decode_one(ctx->al, &ix->attrs, f->bytes,
		                              f->len);
	default: break;
	}
	return KEHU_OK;
}

int kehu__interaction_rec_decode(const kehu__allocator *al,
                                 kehu__interaction_rec *ix, const void *p,
                                 size_t n)
{
	decode_ctx ctx = {al, ix};
	int ret = kehu__rec_decode(p, n, ix_field, &ctx);

	if (ret != KEHU_OK)
		kehu__interaction_rec_free(al, ix);
	return ret;
}

void kehu__interaction_rec_free(const kehu__allocator *al,
                                kehu__interaction_rec *ix)
{
	/* most records own no memory: a purchase with an amount */
	if (KEHU__FAST_PATHS && !ix->channel && !ix->note && !ix->attrs.items)
		return;
	kehu__strfree(al, ix->channel);
	kehu__strfree(al, ix->note);
	kehu__attrs_free(al, &ix->attrs);
	ix->channel = NULL;
	ix->note = NULL;
}
