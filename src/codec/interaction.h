/*
 * codec/interaction: an interaction's stored record ('I' customer time
 * id).
 */
#ifndef KEHU_CODEC_INTERACTION_H
#define KEHU_CODEC_INTERACTION_H

#include "codec/attrs.h"

typedef struct kehu__interaction_rec {
	int64_t id;
	int64_t customer;
	int64_t account;
	int64_t time;
	int64_t amount;
	int64_t cost;
	int32_t type;
	int32_t satisfaction;
	char *channel; /* NULL: none */
	char *note;    /* NULL: none */
	kehu__attrs attrs;
} kehu__interaction_rec;

void kehu__interaction_rec_encode(kehu__buf *b,
                                  const kehu__interaction_rec *ix);
/* Into a zeroed rec; KEHU_ECORRUPT or KEHU_ENOMEM (rec freed). */
int kehu__interaction_rec_decode(const kehu__allocator *al,
                                 kehu__interaction_rec *ix, const void *p,
                                 size_t n);
void kehu__interaction_rec_free(const kehu__allocator *al,
                                kehu__interaction_rec *ix);

#endif
