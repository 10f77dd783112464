/*
 * codec/customer: a customer's stored record ('C' id) and its encoding.
 */
#ifndef KEHU_CODEC_CUSTOMER_H
#define KEHU_CODEC_CUSTOMER_H

#include "codec/attrs.h"

#define KEHU__CUSTOMER_ERASED 1u

typedef struct kehu__customer_rec {
	int64_t id;
	uint32_t rev; /* bumped by every save: optimistic concurrency */
	int32_t kind;
	int32_t relation;
	int32_t status;
	int64_t referrer;
	uint32_t flags;
	char *key;  /* NULL: none */
	char *name; /* NULL: none */
	kehu__strlist tags;
	kehu__attrs attrs;
} kehu__customer_rec;

void kehu__customer_rec_encode(kehu__buf *b, const kehu__customer_rec *c);
/* Full decode into a zeroed rec; KEHU_ECORRUPT or KEHU_ENOMEM (the rec
 * is then freed). */
int kehu__customer_rec_decode(const kehu__allocator *al,
                              kehu__customer_rec *c, const void *p,
                              size_t n);
/* What a record carries besides its scalars (the hot state keeps it, so
 * rules that read tags or attributes skip the records that have none). */
#define KEHU__CUSTOMER_HAS_TAGS 1u
#define KEHU__CUSTOMER_HAS_ATTRS 2u

/* Scalars only (no allocation): for rebuilding hot state at open;
 * *sections (when not NULL) gets the record's KEHU__CUSTOMER_HAS_*. */
int kehu__customer_rec_decode_scalars(kehu__customer_rec *c, const void *p,
                                      size_t n, unsigned *sections);
/* KEHU__CUSTOMER_HAS_* of a decoded record. */
unsigned kehu__customer_rec_sections(const kehu__customer_rec *c);
/* An attribute read in place from an encoded record (no allocation):
 * strings point into the record bytes. */
typedef struct kehu__attr_view {
	int32_t type;
	int64_t i;
	double d;
	const char *s;
	size_t slen;
} kehu__attr_view;

/* 1 and *out when the record has attribute `name`, 0 when not. */
int kehu__customer_rec_find_attr(const void *p, size_t n, const char *name,
                                 kehu__attr_view *out);
/* Each tag (attr NULL) and attribute of an encoded record in order, read
 * in place as kehu__customer_rec_has_tag and _find_attr read them (an
 * attribute's name is NULL when it has none), until fn returns non-zero
 * (returned).  KEHU_ECORRUPT when the record does not decode: fn may
 * have seen part of it. */
typedef int (*kehu__customer_section_fn)(void *user, const char *name,
                                         size_t len,
                                         const kehu__attr_view *attr);
int kehu__customer_rec_each_section(const void *p, size_t n,
                                    kehu__customer_section_fn fn,
                                    void *user);
/* 1 when the record carries tag `tag`, else 0. */
int kehu__customer_rec_has_tag(const void *p, size_t n, const char *tag);

void kehu__customer_rec_free(const kehu__allocator *al,
                             kehu__customer_rec *c);

#endif
