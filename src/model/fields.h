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

/* Typed front ends of kehu__attr_set/kehu__attr_get for the public
 * setters and getters; `type` is KEHU_ATTR_INT or KEHU_ATTR_TIME for the
 * int64 ones.  A NULL out is KEHU_EINVAL with the db's message set. */
int kehu__attr_set_string(kehu_db *db, kehu__attrs *a, const char *name,
                          const char *value);
int kehu__attr_set_i64(kehu_db *db, kehu__attrs *a, const char *name,
                       int32_t type, int64_t value);
int kehu__attr_set_number(kehu_db *db, kehu__attrs *a, const char *name,
                          double value);
int kehu__attr_get_string(kehu_db *db, const kehu__attrs *a,
                          const char *name, const char **out);
int kehu__attr_get_i64(kehu_db *db, const kehu__attrs *a, const char *name,
                       int32_t type, int64_t *out);
int kehu__attr_get_number(kehu_db *db, const kehu__attrs *a,
                          const char *name, double *out);

#endif
