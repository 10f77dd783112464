/*
 * model/page: paged range reads over the store.
 */
#include "model/page.h"

#include <string.h>

void kehu__page_init(kehu__page *p, const kehu__allocator *a)
{
	memset(p, 0, sizeof *p);
	kehu__buf_init(&p->bytes, a);
	kehu__buf_init(&p->next_start, a);
}

void kehu__page_free(kehu__page *p, const kehu__allocator *a)
{
	kehu__buf_free(&p->bytes);
	kehu__buf_free(&p->next_start);
	kehu__free(a, p->entries, p->cap * sizeof *p->entries);
	p->entries = NULL;
	p->cap = 0;
	p->len = 0;
}

int kehu__page_start(kehu__page *p, const void *start, size_t slen)
{
	kehu__buf_reset(&p->next_start);
	kehu__buf_put(&p->next_start, start, slen);
	p->done = 0;
	p->len = 0;
	return p->next_start.failed ? KEHU_ENOMEM : KEHU_OK;
}

typedef struct collect_ctx {
	kehu__page *page;
	const kehu__allocator *alloc;
	size_t max;
	int rc;
} collect_ctx;

static int collect(const void *key, size_t klen, const void *val,
                   size_t vlen, void *vctx)
{
	collect_ctx *ctx = vctx;
	kehu__page *p = ctx->page;
	kehu__page_entry *e;
	void *items = p->entries;

	if (p->len == ctx->max)
		return 2; /* page full; more entries follow */
	if (kehu__grow(ctx->alloc, &items, &p->cap, p->len + 1,
	               sizeof *p->entries)) {
		ctx->rc = KEHU_ENOMEM;
		return 1;
	}
	p->entries = items;
	e = &p->entries[p->len];
	e->key_off = p->bytes.len;
	e->klen = klen;
	kehu__buf_put(&p->bytes, key, klen);
	e->val_off = p->bytes.len;
	e->vlen = vlen;
	kehu__buf_put(&p->bytes, val, vlen);
	if (p->bytes.failed) {
		ctx->rc = KEHU_ENOMEM;
		return 1;
	}
	p->len++;
	return 0;
}

int kehu__page_next(kehu_db *db, kehu__page *p, const void *end,
                    size_t elen, size_t max)
{
	collect_ctx ctx;
	int rc;

	p->len = 0;
	kehu__buf_reset(&p->bytes);
	if (p->done)
		return KEHU_OK;
	ctx.page = p;
	ctx.alloc = &db->alloc;
	ctx.max = max;
	ctx.rc = KEHU_OK;
	rc = kehu__store_scan(&db->store, p->next_start.data,
	                      p->next_start.len, end, elen, collect, &ctx);
	if (rc == 1)
		return kehu__db_error(db, ctx.rc, "out of memory");
	if (rc != KEHU_OK && rc != 2)
		return rc;
	p->done = rc != 2;
	if (p->len > 0) {
		const kehu__page_entry *last = &p->entries[p->len - 1];

		/* the smallest key after the last one: append a zero byte */
		kehu__buf_reset(&p->next_start);
		kehu__buf_put(&p->next_start, p->bytes.data + last->key_off,
		              last->klen);
		kehu__buf_put_u8(&p->next_start, 0);
		if (p->next_start.failed)
			return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	}
	return KEHU_OK;
}

const uint8_t *kehu__page_key(const kehu__page *p, size_t i)
{
	return p->bytes.data + p->entries[i].key_off;
}

const uint8_t *kehu__page_val(const kehu__page *p, size_t i)
{
	return p->bytes.data + p->entries[i].val_off;
}

int kehu__delete_range(kehu_db *db, const kehu__buf *start,
                       const kehu__buf *end)
{
	kehu__page page;
	size_t i;
	int rc;

	kehu__page_init(&page, &db->alloc);
	rc = kehu__page_start(&page, start->data, start->len);
	while (rc == KEHU_OK) {
		rc = kehu__page_next(db, &page, end->data, end->len, 256);
		if (rc != KEHU_OK || page.len == 0)
			break;
		for (i = 0; i < page.len && rc == KEHU_OK; i++) {
			db->op_changed = 1;
			rc = kehu__store_del(&db->store, kehu__page_key(&page, i),
			                     page.entries[i].klen);
		}
	}
	kehu__page_free(&page, &db->alloc);
	if (rc == KEHU_ENOMEM)
		kehu__db_error(db, rc, "out of memory");
	return rc;
}
