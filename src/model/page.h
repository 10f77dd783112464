/*
 * model/page: reads a key range of the store one page at a time.  A page
 * copies up to `max` entries out of the store, so the caller may change
 * the store (delete, rewrite) between pages, and memory stays bounded
 * however long a customer's history is.
 */
#ifndef KEHU_MODEL_PAGE_H
#define KEHU_MODEL_PAGE_H

#include "model/db.h"

typedef struct kehu__page_entry {
	size_t key_off;
	size_t klen;
	size_t val_off;
	size_t vlen;
} kehu__page_entry;

typedef struct kehu__page {
	kehu__buf bytes;      /* keys and values, back to back */
	kehu__page_entry *entries;
	size_t len;
	size_t cap;
	kehu__buf next_start; /* where the following page starts */
	int done;             /* the range has no more entries */
} kehu__page;

void kehu__page_init(kehu__page *p, const kehu__allocator *a);
void kehu__page_free(kehu__page *p, const kehu__allocator *a);
/* Starts the range [start, end). */
int kehu__page_start(kehu__page *p, const void *start, size_t slen);
/* Reads the next page of at most max entries into p. */
int kehu__page_next(kehu_db *db, kehu__page *p, const void *end,
                    size_t elen, size_t max);
const uint8_t *kehu__page_key(const kehu__page *p, size_t i);
const uint8_t *kehu__page_val(const kehu__page *p, size_t i);

/* Deletes every key in [start, end), a page at a time. */
int kehu__delete_range(kehu_db *db, const kehu__buf *start,
                       const kehu__buf *end);

#endif
