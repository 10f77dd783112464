/*
 * model/customer_fields: reading and editing the fields, tags and
 * attributes of a customer handle (in memory until kehu_customer_save).
 */
#include <string.h>

#include "model/customer.h"
#include "model/fields.h"

KEHU_API kehu_id kehu_customer_get_id(const kehu_customer *c)
{
	return c ? c->rec.id : 0;
}

KEHU_API const char *kehu_customer_get_key(const kehu_customer *c)
{
	return c ? c->rec.key : NULL;
}

KEHU_API int kehu_customer_set_key(kehu_customer *c, const char *key)
{
	KEHU__CHECK_HANDLE(c);
	return kehu__set_text(c->db, &c->rec.key, "external key", key, 1,
	                      KEHU_MAX_KEY_BYTES);
}

KEHU_API const char *kehu_customer_get_name(const kehu_customer *c)
{
	return c && c->rec.name ? c->rec.name : "";
}

KEHU_API int kehu_customer_set_name(kehu_customer *c, const char *name)
{
	KEHU__CHECK_HANDLE(c);
	if (!name)
		return kehu__db_error(c->db, KEHU_EINVAL, "name is NULL");
	return kehu__set_text(c->db, &c->rec.name, "name", name[0] ? name : NULL,
	                      0, KEHU_MAX_NAME_BYTES);
}

/* Sets *field to v when lo <= v <= hi. */
static int set_enum(kehu_customer *c, int32_t *field, int32_t v, int32_t hi,
                    const char *what)
{
	KEHU__CHECK_HANDLE(c);
	if (v < 1 || v > hi)
		return kehu__db_errori(c->db, KEHU_EINVAL, what, v,
		                       " is not a known value");
	*field = v;
	return kehu__db_ok(c->db);
}

KEHU_API int32_t kehu_customer_get_kind(const kehu_customer *c)
{
	return c ? c->rec.kind : 0;
}

KEHU_API int kehu_customer_set_kind(kehu_customer *c, int32_t kind)
{
	return set_enum(c, c ? &c->rec.kind : NULL, kind,
	                KEHU_KIND_ORGANISATION, "kind ");
}

KEHU_API int32_t kehu_customer_get_relation(const kehu_customer *c)
{
	return c ? c->rec.relation : 0;
}

KEHU_API int kehu_customer_set_relation(kehu_customer *c, int32_t relation)
{
	return set_enum(c, c ? &c->rec.relation : NULL, relation,
	                KEHU_RELATION_INTERNAL, "relation ");
}

KEHU_API int32_t kehu_customer_get_status(const kehu_customer *c)
{
	return c ? c->rec.status : 0;
}

KEHU_API int kehu_customer_set_status(kehu_customer *c, int32_t status)
{
	return set_enum(c, c ? &c->rec.status : NULL, status,
	                KEHU_STATUS_CUSTOMER, "status ");
}

KEHU_API kehu_id kehu_customer_get_referrer(const kehu_customer *c)
{
	return c ? c->rec.referrer : 0;
}

KEHU_API int kehu_customer_set_referrer(kehu_customer *c, kehu_id referrer)
{
	KEHU__CHECK_HANDLE(c);
	if (referrer < 0)
		return kehu__db_errori(c->db, KEHU_EINVAL, "referrer id ",
		                       referrer, " is negative");
	c->rec.referrer = referrer;
	return kehu__db_ok(c->db);
}

/* ---- tags ----------------------------------------------------------- */

KEHU_API int kehu_customer_add_tag(kehu_customer *c, const char *tag)
{
	int rc;

	KEHU__CHECK_HANDLE(c);
	if ((rc = kehu__check_text(c->db, "tag", tag, 1,
	                           KEHU_MAX_TAG_BYTES)) != KEHU_OK)
		return rc;
	if (kehu__strlist_find(&c->rec.tags, tag) >= 0)
		return kehu__db_ok(c->db);
	if (c->rec.tags.len >= KEHU_MAX_TAGS)
		return kehu__db_errori(c->db, KEHU_EINVAL, "more than ",
		                       KEHU_MAX_TAGS, " tags");
	if (kehu__strlist_push(&c->db->alloc, &c->rec.tags, tag,
	                       strlen(tag)) != KEHU_OK)
		return kehu__db_error(c->db, KEHU_ENOMEM, "out of memory");
	return kehu__db_ok(c->db);
}

KEHU_API int kehu_customer_remove_tag(kehu_customer *c, const char *tag)
{
	long at;

	KEHU__CHECK_HANDLE(c);
	if (!tag)
		return kehu__db_error(c->db, KEHU_EINVAL, "tag is NULL");
	at = kehu__strlist_find(&c->rec.tags, tag);
	if (at < 0)
		return kehu__db_error3(c->db, KEHU_ENOTFOUND, "no tag '", tag,
		                       "'");
	kehu__strlist_remove_at(&c->db->alloc, &c->rec.tags, (size_t)at);
	return kehu__db_ok(c->db);
}

KEHU_API int kehu_customer_has_tag(const kehu_customer *c, const char *tag)
{
	return c && tag && kehu__strlist_find(&c->rec.tags, tag) >= 0;
}

KEHU_API size_t kehu_customer_tag_count(const kehu_customer *c)
{
	return c ? c->rec.tags.len : 0;
}

KEHU_API const char *kehu_customer_get_tag(const kehu_customer *c,
                                           size_t index)
{
	return c && index < c->rec.tags.len ? c->rec.tags.items[index] : NULL;
}

KEHU_API int kehu_customer_foreach_tag(const kehu_customer *c,
                                       kehu_tag_foreach_cb cb,
                                       void *user_data)
{
	size_t i;
	int rc;

	KEHU__CHECK_HANDLE(c);
	if (!cb)
		return kehu__db_error(c->db, KEHU_EINVAL,
		                      "kehu_customer_foreach_tag: cb is NULL");
	kehu__db_ok(c->db);
	for (i = 0; i < c->rec.tags.len; i++)
		if ((rc = cb(c->rec.tags.items[i], user_data)) != 0)
			return rc;
	return KEHU_OK;
}

/* ---- attributes ------------------------------------------------------ */

KEHU_API int kehu_customer_set_attr_string(kehu_customer *c, const char *name,
                                           const char *value)
{
	KEHU__CHECK_HANDLE(c);
	return kehu__attr_set_string(c->db, &c->rec.attrs, name, value);
}

KEHU_API int kehu_customer_set_attr_int(kehu_customer *c, const char *name,
                                        int64_t value)
{
	KEHU__CHECK_HANDLE(c);
	return kehu__attr_set_i64(c->db, &c->rec.attrs, name, KEHU_ATTR_INT,
	                          value);
}

KEHU_API int kehu_customer_set_attr_number(kehu_customer *c,
                                           const char *name, double value)
{
	KEHU__CHECK_HANDLE(c);
	return kehu__attr_set_number(c->db, &c->rec.attrs, name, value);
}

KEHU_API int kehu_customer_set_attr_time(kehu_customer *c, const char *name,
                                         int64_t value)
{
	KEHU__CHECK_HANDLE(c);
	return kehu__attr_set_i64(c->db, &c->rec.attrs, name, KEHU_ATTR_TIME,
	                          value);
}

KEHU_API int kehu_customer_get_attr_string(const kehu_customer *c,
                                           const char *name,
                                           const char **out)
{
	KEHU__CHECK_HANDLE(c);
	return kehu__attr_get_string(c->db, &c->rec.attrs, name, out);
}

KEHU_API int kehu_customer_get_attr_int(const kehu_customer *c,
                                        const char *name, int64_t *out)
{
	KEHU__CHECK_HANDLE(c);
	return kehu__attr_get_i64(c->db, &c->rec.attrs, name, KEHU_ATTR_INT,
	                          out);
}

KEHU_API int kehu_customer_get_attr_number(const kehu_customer *c,
                                           const char *name, double *out)
{
	KEHU__CHECK_HANDLE(c);
	return kehu__attr_get_number(c->db, &c->rec.attrs, name, out);
}

KEHU_API int kehu_customer_get_attr_time(const kehu_customer *c,
                                         const char *name, int64_t *out)
{
	KEHU__CHECK_HANDLE(c);
	return kehu__attr_get_i64(c->db, &c->rec.attrs, name, KEHU_ATTR_TIME,
	                          out);
}

KEHU_API int32_t kehu_customer_get_attr_type(const kehu_customer *c,
                                             const char *name)
{
	return c ? kehu__attr_type(&c->rec.attrs, name) : 0;
}

KEHU_API int kehu_customer_remove_attr(kehu_customer *c, const char *name)
{
	KEHU__CHECK_HANDLE(c);
	return kehu__attr_remove(c->db, &c->rec.attrs, name);
}

KEHU_API size_t kehu_customer_attr_count(const kehu_customer *c)
{
	return c ? c->rec.attrs.len : 0;
}

KEHU_API int kehu_customer_foreach_attr(const kehu_customer *c,
                                        kehu_attr_foreach_cb cb,
                                        void *user_data)
{
	size_t i;
	int rc;

	KEHU__CHECK_HANDLE(c);
	if (!cb)
		return kehu__db_error(c->db, KEHU_EINVAL,
		                      "kehu_customer_foreach_attr: cb is NULL");
	kehu__db_ok(c->db);
	for (i = 0; i < c->rec.attrs.len; i++)
		if ((rc = cb(c->rec.attrs.items[i].name,
		             c->rec.attrs.items[i].type, user_data)) != 0)
			return rc;
	return KEHU_OK;
}
