/*
 * codec/labels: what classify-all stores per customer and rule set
 * ('L' customer-id ruleset-name): each classification's label and each
 * score's value; and stored rule sets ('R' name): their text.
 */
#ifndef KEHU_CODEC_LABELS_H
#define KEHU_CODEC_LABELS_H

#include "core/buf.h"

void kehu__labels_begin(kehu__buf *b);
void kehu__labels_add_label(kehu__buf *b, const char *name,
                            const char *label);
void kehu__labels_add_score(kehu__buf *b, const char *name, double value);
/* A score pair from its bytes as kehu__labels_add_score(b, name, 0)
 * writes them but the value's last 8 (the prefix, computed once) and
 * the value: the same bytes, without encoding the name again. */
#define KEHU__LABELS_SCORE_VALUE_BYTES 8
void kehu__labels_add_score_after(kehu__buf *b, const void *prefix,
                                  size_t len, double value);

/* Finds a classification's label: KEHU_OK (label bytes, not
 * NUL-terminated), KEHU_ENOTFOUND, KEHU_ECORRUPT. */
int kehu__labels_find_label(const void *p, size_t n, const char *name,
                            const char **label, size_t *len);
int kehu__labels_find_score(const void *p, size_t n, const char *name,
                            double *value);

void kehu__ruleset_rec_encode(kehu__buf *b, const char *name,
                              int64_t version, const char *source,
                              size_t len);
/* The stored text (bytes inside p). */
int kehu__ruleset_rec_decode(const void *p, size_t n, const char **source,
                             size_t *len);

#endif
