/*
 * model/fields: argument checks and shared attribute operations.
 */
#include "model/fields.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/caltime.h"
#include "core/utf8.h"

/* strnlen is POSIX, not C11. */
static size_t bounded_length(const char *s, size_t cap)
{
	size_t n = 0;

	while (n < cap && s[n])
		n++;
	return n;
}

int kehu__check_text(kehu_db *db, const char *what, const char *s,
                     size_t min, size_t max)
{
	size_t n;

	if (!s)
		return kehu__db_error3(db, KEHU_EINVAL, "", what,
		                       " must not be NULL");
	n = bounded_length(s, max + 1);
	if (n < min)
		return kehu__db_error3(db, KEHU_EINVAL, "", what,
		                       " must not be empty");
	if (n > max) {
		char prefix[96];

		snprintf(prefix, sizeof prefix, "%s is longer than ", what);
		return kehu__db_errori(db, KEHU_EINVAL, prefix, (int64_t)max,
		                       " bytes");
	}
	if (!kehu__utf8_valid(s, n))
		return kehu__db_error3(db, KEHU_EINVAL, "", what,
		                       " is not valid UTF-8");
	return KEHU_OK;
}

int kehu__check_time(kehu_db *db, const char *what, int64_t t)
{
	if (t < KEHU__TIME_MIN || t > KEHU__TIME_MAX)
		return kehu__db_error3(db, KEHU_EINVAL, "", what,
		                       " is outside 1970-01-01..9999-12-31");
	return KEHU_OK;
}

int kehu__set_text(kehu_db *db, char **dst, const char *what, const char *s,
                   size_t min, size_t max)
{
	char *copy = NULL;
	int rc;

	if (s) {
		if ((rc = kehu__check_text(db, what, s, min, max)) != KEHU_OK)
			return rc;
		copy = kehu__strndup(&db->alloc, s, strlen(s));
		if (!copy)
			return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	}
	kehu__strfree(&db->alloc, *dst);
	*dst = copy;
	return kehu__db_ok(db);
}

int kehu__attr_set(kehu_db *db, kehu__attrs *a, const kehu__attr *value)
{
	int rc = kehu__check_text(db, "attribute name", value->name, 1,
	                          KEHU_MAX_ATTR_NAME_BYTES);

	if (rc != KEHU_OK)
		return rc;
	if (value->type == KEHU_ATTR_STRING &&
	    (rc = kehu__check_text(db, "attribute value", value->v.s, 0,
	                           KEHU_MAX_ATTR_VALUE_BYTES)) != KEHU_OK)
		return rc;
	if (value->type == KEHU_ATTR_NUMBER && !isfinite(value->v.d))
		return kehu__db_error3(db, KEHU_EINVAL, "attribute '",
		                       value->name,
		                       "': number must be finite");
	if (kehu__attrs_find(a, value->name, NULL) < 0 &&
	    a->len >= KEHU_MAX_ATTRS)
		return kehu__db_errori(db, KEHU_EINVAL, "more than ",
		                       KEHU_MAX_ATTRS, " attributes");
	if (kehu__attrs_set(&db->alloc, a, value) != KEHU_OK)
		return kehu__db_error(db, KEHU_ENOMEM, "out of memory");
	return kehu__db_ok(db);
}

static const char *type_name(int32_t type)
{
	switch (type) {
	case KEHU_ATTR_STRING: return "' is a string";
	case KEHU_ATTR_INT: return "' is an int";
	case KEHU_ATTR_NUMBER: return "' is a number";
	default: return "' is a time";
	}
}

int kehu__attr_get(kehu_db *db, const kehu__attrs *a, const char *name,
                   int32_t type, const kehu__attr **out)
{
	long at;

	if (!name || !out)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "attribute name and out must not be "
		                      "NULL");
	at = kehu__attrs_find(a, name, NULL);
	if (at < 0)
		return kehu__db_error3(db, KEHU_ENOTFOUND, "no attribute '",
		                       name, "'");
	if (a->items[at].type != type)
		return kehu__db_error3(db, KEHU_EINVAL, "attribute '", name,
		                       type_name(a->items[at].type));
	*out = &a->items[at];
	return kehu__db_ok(db);
}

int kehu__attr_remove(kehu_db *db, kehu__attrs *a, const char *name)
{
	long at;

	if (!name)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "attribute name must not be NULL");
	at = kehu__attrs_find(a, name, NULL);
	if (at < 0)
		return kehu__db_error3(db, KEHU_ENOTFOUND, "no attribute '",
		                       name, "'");
	kehu__attrs_remove_at(&db->alloc, a, (size_t)at);
	return kehu__db_ok(db);
}

int32_t kehu__attr_type(const kehu__attrs *a, const char *name)
{
	long at;

	if (!name)
		return 0;
	at = kehu__attrs_find(a, name, NULL);
	return at < 0 ? 0 : a->items[at].type;
}

int kehu__attr_set_string(kehu_db *db, kehu__attrs *a, const char *name,
                          const char *value)
{
	kehu__attr at;

	at.name = (char *)name;
	at.type = KEHU_ATTR_STRING;
	at.v.s = (char *)value;
	return kehu__attr_set(db, a, &at);
}

int kehu__attr_set_i64(kehu_db *db, kehu__attrs *a, const char *name,
                       int32_t type, int64_t value)
{
	kehu__attr at;

	at.name = (char *)name;
	at.type = type;
	at.v.i = value;
	return kehu__attr_set(db, a, &at);
}

int kehu__attr_set_number(kehu_db *db, kehu__attrs *a, const char *name,
                          double value)
{
	kehu__attr at;

	at.name = (char *)name;
	at.type = KEHU_ATTR_NUMBER;
	at.v.d = value;
	return kehu__attr_set(db, a, &at);
}

/* Finds the attribute for a typed getter; dst is the caller's out. */
static int typed_get(kehu_db *db, const kehu__attrs *a, const char *name,
                     int32_t type, const void *dst, const kehu__attr **at)
{
	if (!dst)
		return kehu__db_error(db, KEHU_EINVAL,
		                      "attribute out must not be NULL");
	return kehu__attr_get(db, a, name, type, at);
}

/* The typed getters read `at` when typed_get returns KEHU_OK, which
 * sets it; clang-tidy's analyzer does not see that kehu__db_error
 * (model/db.c) returns its non-zero code, hence the NOLINTs. */
int kehu__attr_get_string(kehu_db *db, const kehu__attrs *a,
                          const char *name, const char **out)
{
	const kehu__attr *at;
	int rc = typed_get(db, a, name, KEHU_ATTR_STRING, out, &at);

	if (rc == KEHU_OK)
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		*out = at->v.s;
	return rc;
}

int kehu__attr_get_i64(kehu_db *db, const kehu__attrs *a, const char *name,
                       int32_t type, int64_t *out)
{
	const kehu__attr *at;
	int rc = typed_get(db, a, name, type, out, &at);

	if (rc == KEHU_OK)
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		*out = at->v.i;
	return rc;
}

int kehu__attr_get_number(kehu_db *db, const kehu__attrs *a,
                          const char *name, double *out)
{
	const kehu__attr *at;
	int rc = typed_get(db, a, name, KEHU_ATTR_NUMBER, out, &at);

	if (rc == KEHU_OK)
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		*out = at->v.d;
	return rc;
}
