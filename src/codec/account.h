/*
 * codec/account: an account's stored record ('A' id).
 */
#ifndef KEHU_CODEC_ACCOUNT_H
#define KEHU_CODEC_ACCOUNT_H

#include "core/alloc.h"
#include "core/buf.h"

typedef struct kehu__member {
	int64_t customer;
	int32_t role;
} kehu__member;

typedef struct kehu__account_rec {
	int64_t id;
	uint32_t rev;
	int64_t payer;
	char *name; /* NULL: none */
	kehu__member *members;
	size_t nmembers;
	size_t members_cap;
} kehu__account_rec;

void kehu__account_rec_encode(kehu__buf *b, const kehu__account_rec *a);
/* Into a zeroed rec; KEHU_ECORRUPT or KEHU_ENOMEM (rec freed). */
int kehu__account_rec_decode(const kehu__allocator *al, kehu__account_rec *a,
                             const void *p, size_t n);
void kehu__account_rec_free(const kehu__allocator *al, kehu__account_rec *a);

#endif
