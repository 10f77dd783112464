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

static int decode_member(const kehu__allocator *al, kehu__account_rec *a,
                         const kehu__rec_field *outer)
{
	kehu__rec_reader r;
	kehu__rec_field f;
	kehu__member mem = {0, 0};
	int rc;

	if (outer->wire != KEHU__WIRE_BYTES)
		return KEHU_ECORRUPT;
	kehu__rec_open_nested(&r, outer->bytes, outer->len);
	while ((rc = kehu__rec_next(&r, &f)) == 1) {
		if (f.wire != KEHU__WIRE_VARINT)
			continue;
		if (f.number == 1)
			mem.customer = kehu__rec_as_i64(&f);
		else if (f.number == 2)
			mem.role = (int32_t)f.u;
	}
	if (rc < 0 || mem.customer <= 0)
		return KEHU_ECORRUPT;
	return push_member(al, a, &mem);
}

static int account_field(const kehu__allocator *al, kehu__account_rec *a,
                         const kehu__rec_field *f)
{
	if (f->number >= 1 && f->number <= 3 && f->wire != KEHU__WIRE_VARINT)
		return KEHU_ECORRUPT;
	switch (f->number) {
	case 1: a->id = kehu__rec_as_i64(f); return KEHU_OK;
	case 2: a->rev = (uint32_t)f->u; return KEHU_OK;
	case 3: a->payer = kehu__rec_as_i64(f); return KEHU_OK;
	case 4:
		if (f->wire != KEHU__WIRE_BYTES || a->name)
			return KEHU_ECORRUPT;
		a->name = kehu__strndup(al, (const char *)f->bytes, f->len);
		return a->name ? KEHU_OK : KEHU_ENOMEM;
	case 5: return decode_member(al, a, f);
	default: return KEHU_OK;
	}
}

int kehu__account_rec_decode(const kehu__allocator *al, kehu__account_rec *a,
                             const void *p, size_t n)
{
	kehu__rec_reader r;
	kehu__rec_field f;
	int rc = 0, ret = KEHU_OK;

	if (kehu__rec_open(&r, p, n) != 0)
		return KEHU_ECORRUPT;
	while (ret == KEHU_OK && (rc = kehu__rec_next(&r, &f)) == 1)
		ret = account_field(al, a, &f);
	if (ret == KEHU_OK && rc < 0)
		ret = KEHU_ECORRUPT;
	if (ret != KEHU_OK)
		kehu__account_rec_free(al, a);
	return ret;
}

int kehu__account_rec_copy(const kehu__allocator *al, kehu__account_rec *dst,
                           const kehu__account_rec *src)
{
	size_t i;

	*dst = *src;
	dst->name = NULL;
	dst->members = NULL;
	dst->nmembers = 0;
	dst->members_cap = 0;
	if (src->name) {
		dst->name = kehu__strndup(al, src->name, strlen(src->name));
		if (!dst->name)
			return KEHU_ENOMEM;
	}
	for (i = 0; i < src->nmembers; i++) {
		if (push_member(al, dst, &src->members[i]) != KEHU_OK) {
			kehu__account_rec_free(al, dst);
			return KEHU_ENOMEM;
		}
	}
	return KEHU_OK;
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
