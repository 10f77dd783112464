/*
 * model/fields: argument checks and the typed-attribute and tag
 * operations that customers and interactions share.  Every check writes
 * a message naming the argument to the db.
 */
#ifndef KEHU_MODEL_FIELDS_H
#define KEHU_MODEL_FIELDS_H

#include "codec/attrs.h"
#include "model/db.h"

/* s must be non-NULL UTF-8 of min..max bytes; `what` names it. */
int kehu__check_text(kehu_db *db, const char *what, const char *s,
                     size_t min, size_t max);
/* Time within 1970-01-01 .. 9999-12-31. */
int kehu__check_time(kehu_db *db, const char *what, int64_t t);
/* Replaces *dst with a copy of s (NULL clears). */
int kehu__set_text(kehu_db *db, char **dst, const char *what, const char *s,
                   size_t min, size_t max);

/* Attribute operations, with checks and messages; `owner` names the
 * object in messages ("customer", "interaction"). */
int kehu__attr_set(kehu_db *db, kehu__attrs *a, const kehu__attr *value);
int kehu__attr_get(kehu_db *db, const kehu__attrs *a, const char *name,
                   int32_t type, const kehu__attr **out);
int kehu__attr_remove(kehu_db *db, kehu__attrs *a, const char *name);
int32_t kehu__attr_type(const kehu__attrs *a, const char *name);

#endif
