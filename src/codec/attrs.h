/*
 * codec/attrs: typed attribute lists and string lists, the two
 * variable-size parts that customers and interactions share, with their
 * encoding.  Attribute lists are kept sorted by name (binary search, and
 * a deterministic encoding).
 */
#ifndef KEHU_CODEC_ATTRS_H
#define KEHU_CODEC_ATTRS_H

#include <stddef.h>
#include <stdint.h>

#include "core/alloc.h"
#include "core/buf.h"

typedef struct kehu__attr {
	char *name;
	int32_t type; /* KEHU_ATTR_* */
	union {
		int64_t i; /* INT and TIME */
		double d;  /* NUMBER */
		char *s;   /* STRING */
	} v;
} kehu__attr;

typedef struct kehu__attrs {
	kehu__attr *items;
	size_t len;
	size_t cap;
} kehu__attrs;

typedef struct kehu__strlist {
	char **items;
	size_t len;
	size_t cap;
} kehu__strlist;

/* Index of name, or -1; *pos_out gets the insertion point. */
long kehu__attrs_find(const kehu__attrs *a, const char *name,
                      size_t *pos_out);
/* Replaces or inserts a copy of `value` (name and string copied);
 * KEHU_ENOMEM leaves the list as it was. */
int kehu__attrs_set(const kehu__allocator *al, kehu__attrs *a,
                    const kehu__attr *value);
/* Removes the attribute at index i. */
void kehu__attrs_remove_at(const kehu__allocator *al, kehu__attrs *a,
                           size_t i);
void kehu__attrs_free(const kehu__allocator *al, kehu__attrs *a);
/* Deep copy into an empty dst; KEHU_ENOMEM leaves dst empty. */
int kehu__attrs_copy(const kehu__allocator *al, kehu__attrs *dst,
                     const kehu__attrs *src);
void kehu__attrs_encode(kehu__buf *b, uint32_t field, const kehu__attrs *a);
/* Adds one attribute from its nested record; KEHU_ECORRUPT or
 * KEHU_ENOMEM. */
int kehu__attrs_decode_one(const kehu__allocator *al, kehu__attrs *a,
                           const uint8_t *p, size_t n);

long kehu__strlist_find(const kehu__strlist *l, const char *s);
int kehu__strlist_push(const kehu__allocator *al, kehu__strlist *l,
                       const char *s, size_t len);
void kehu__strlist_remove_at(const kehu__allocator *al, kehu__strlist *l,
                             size_t i);
void kehu__strlist_free(const kehu__allocator *al, kehu__strlist *l);
int kehu__strlist_copy(const kehu__allocator *al, kehu__strlist *dst,
                       const kehu__strlist *src);

#endif
