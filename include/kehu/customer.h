/**
 * @file kehu/customer.h
 * @brief Customers: the parties that buy or may buy.
 *
 * A kehu_customer is a detached, editable copy of a stored customer.
 * Setters change only the copy; kehu_customer_save writes it back,
 * optimistically: if the customer was saved through another handle since
 * this one was read, the save fails with KEHU_ECONFLICT and nothing is
 * lost.  Every call on a handle reports its failure on the handle's db
 * (kehu_errmsg).
 *
 * Limits (each overflow is KEHU_EINVAL with a message naming it):
 * external key 1..256 bytes; display name 0..1024 bytes; tag 1..64
 * bytes, at most 64 tags; attribute name 1..64 bytes, string value at
 * most 4096 bytes, at most 256 attributes.  All strings are UTF-8 and are
 * checked.
 */
#ifndef KEHU_CUSTOMER_H
#define KEHU_CUSTOMER_H

#include "kehu/common.h"

KEHU_BEGIN_DECL

/** @name Limits */
/**@{*/
#define KEHU_MAX_KEY_BYTES 256
#define KEHU_MAX_NAME_BYTES 1024
#define KEHU_MAX_TAG_BYTES 64
#define KEHU_MAX_TAGS 64
#define KEHU_MAX_ATTR_NAME_BYTES 64
#define KEHU_MAX_ATTR_VALUE_BYTES 4096
#define KEHU_MAX_ATTRS 256
/**@}*/

/** @name Kind */
/**@{*/
#define KEHU_KIND_PERSON 1
#define KEHU_KIND_ORGANISATION 2
/**@}*/

/** @name Relation to the business */
/**@{*/
#define KEHU_RELATION_CONSUMER 1
#define KEHU_RELATION_BUSINESS 2
#define KEHU_RELATION_CHANNEL 3
#define KEHU_RELATION_INTERNAL 4
/**@}*/

/** @name Status */
/**@{*/
#define KEHU_STATUS_PROSPECT 1
#define KEHU_STATUS_CUSTOMER 2
/**@}*/

/** @name Attribute types */
/**@{*/
#define KEHU_ATTR_STRING 1
#define KEHU_ATTR_INT 2
#define KEHU_ATTR_NUMBER 3
#define KEHU_ATTR_TIME 4
/**@}*/

/**
 * Called once per customer id, in ascending id order.
 * @return 0 to go on; any other value stops the iteration and is
 *         returned by the foreach call.
 */
typedef int (*kehu_customer_foreach_cb)(kehu_id id, void *user_data);

/** Called once per tag, in the order the tags were added. */
typedef int (*kehu_tag_foreach_cb)(const char *tag, void *user_data);

/** Called once per attribute (name and KEHU_ATTR_* type), in name
 *  order. */
typedef int (*kehu_attr_foreach_cb)(const char *name, int32_t type,
                                    void *user_data);

/**
 * Creates and stores a new customer: kind person, relation consumer,
 * status prospect, no name, no referrer, no tags or attributes.
 *
 * @param[out] out a handle on the new customer; NULL on failure.
 * @param db the db.
 * @param external_key the host's customer code, unique per db; NULL for
 *        none.
 * @return KEHU_OK; KEHU_EINVAL (NULL db/out, bad key); KEHU_EEXIST (key
 *         taken); KEHU_ENOMEM; a storage code.
 * Ownership: free the handle with kehu_customer_free.  Since: 0.1
 */
KEHU_API int kehu_customer_create(kehu_customer **out, kehu_db *db,
                                  const char *external_key);

/**
 * Reads a customer by id.
 *
 * @return KEHU_OK; KEHU_EINVAL; KEHU_ENOTFOUND (no such id, or deleted);
 *         KEHU_ENOMEM; KEHU_ESTORAGE; KEHU_ECORRUPT.
 * Ownership: free with kehu_customer_free.  Since: 0.1
 */
KEHU_API int kehu_customer_lookup(kehu_customer **out, kehu_db *db,
                                  kehu_id id);

/**
 * Reads a customer by external key.
 *
 * @return as kehu_customer_lookup; KEHU_ENOTFOUND names the key.
 * Since: 0.1
 */
KEHU_API int kehu_customer_lookup_key(kehu_customer **out, kehu_db *db,
                                      const char *external_key);

/** Frees a handle (not the stored customer).  NULL is a no-op.
 *  Since: 0.1 */
KEHU_API void kehu_customer_free(kehu_customer *c);

/**
 * Writes the handle's fields back.
 *
 * @return KEHU_OK; KEHU_EINVAL (referrer unknown or the customer itself;
 *         a stored referrer that was deleted since is kept and accepted);
 *         KEHU_ECONFLICT (saved elsewhere since read: lookup again and
 *         redo the change); KEHU_ENOTFOUND (deleted meanwhile); KEHU_EEXIST
 *         (the new external key is taken); KEHU_ENOMEM; a storage code.
 *         On failure nothing is stored and the handle is unchanged.
 * Since: 0.1
 */
KEHU_API int kehu_customer_save(kehu_customer *c);

/**
 * Deletes a customer with its history and metrics.  Its id is never
 * reused.  Handles on it become stale (save gives KEHU_ENOTFOUND).
 *
 * @return KEHU_OK; KEHU_EINVAL; KEHU_ENOTFOUND; KEHU_EBUSY (the customer
 *         is the payer or a member of an account: remove it there
 *         first); KEHU_ENOMEM; a storage code.
 * Since: 0.1
 */
KEHU_API int kehu_customer_delete(kehu_db *db, kehu_id id);

/**
 * Erases a customer's personal data for a data-protection request: the
 * display name, external key, tags and attributes, and the note and
 * attributes of every interaction in its history.  Keeps the id, kind,
 * relation, status, referrer, the interactions' amounts and dates, and
 * the metrics, so totals stay right.  Erasing twice is allowed.
 *
 * @return KEHU_OK; KEHU_EINVAL; KEHU_ENOTFOUND; KEHU_ENOMEM; a storage
 *         code.
 * Since: 0.1
 */
KEHU_API int kehu_customer_erase(kehu_db *db, kehu_id id);

/**
 * Calls @p cb for every live customer in ascending id order.  The
 * callback may read and modify the db (customers created meanwhile are
 * visited too).
 *
 * @return KEHU_OK, KEHU_EINVAL, or the callback's non-zero value.
 * Since: 0.1
 */
KEHU_API int kehu_customer_foreach(kehu_db *db, kehu_customer_foreach_cb cb,
                                   void *user_data);

/** The id.  0 for NULL.  Since: 0.1 */
KEHU_API kehu_id kehu_customer_get_id(const kehu_customer *c);

/**
 * The external key, or NULL when it has none (or was erased).
 * Ownership: valid until @p c is freed or next modified.  Since: 0.1
 */
KEHU_API const char *kehu_customer_get_key(const kehu_customer *c);

/**
 * Changes the external key (NULL removes it).  Uniqueness is checked by
 * kehu_customer_save.
 * @return KEHU_OK; KEHU_EINVAL (length, UTF-8); KEHU_ENOMEM.  Since: 0.1
 */
KEHU_API int kehu_customer_set_key(kehu_customer *c, const char *key);

/**
 * The display name, "" when none.
 * Ownership: valid until @p c is freed or next modified.  Since: 0.1
 */
KEHU_API const char *kehu_customer_get_name(const kehu_customer *c);

/** Sets the display name.  @return KEHU_OK, KEHU_EINVAL, KEHU_ENOMEM.
 *  Since: 0.1 */
KEHU_API int kehu_customer_set_name(kehu_customer *c, const char *name);

/** KEHU_KIND_*; 0 for NULL.  Since: 0.1 */
KEHU_API int32_t kehu_customer_get_kind(const kehu_customer *c);
/** @return KEHU_OK or KEHU_EINVAL (unknown kind).  Since: 0.1 */
KEHU_API int kehu_customer_set_kind(kehu_customer *c, int32_t kind);

/** KEHU_RELATION_*; 0 for NULL.  Since: 0.1 */
KEHU_API int32_t kehu_customer_get_relation(const kehu_customer *c);
/** @return KEHU_OK or KEHU_EINVAL (unknown relation).  Since: 0.1 */
KEHU_API int kehu_customer_set_relation(kehu_customer *c, int32_t relation);

/** KEHU_STATUS_*; 0 for NULL.  Since: 0.1 */
KEHU_API int32_t kehu_customer_get_status(const kehu_customer *c);
/** @return KEHU_OK or KEHU_EINVAL (unknown status).  Since: 0.1 */
KEHU_API int kehu_customer_set_status(kehu_customer *c, int32_t status);

/** The referring customer's id, 0 for none.  Since: 0.1 */
KEHU_API kehu_id kehu_customer_get_referrer(const kehu_customer *c);
/**
 * Sets the referrer (0: none).  It must exist and differ from the
 * customer when saved.  Deleting a customer does not touch the customers
 * it referred: they keep its id as referrer, and saving them with it
 * unchanged succeeds.  @return KEHU_OK or KEHU_EINVAL (negative id).
 * Since: 0.1
 */
KEHU_API int kehu_customer_set_referrer(kehu_customer *c, kehu_id referrer);

/**
 * Adds a tag; adding a tag that is already there does nothing.
 * @return KEHU_OK; KEHU_EINVAL (length, UTF-8, more than KEHU_MAX_TAGS);
 *         KEHU_ENOMEM.  Since: 0.1
 */
KEHU_API int kehu_customer_add_tag(kehu_customer *c, const char *tag);
/** @return KEHU_OK, KEHU_EINVAL or KEHU_ENOTFOUND.  Since: 0.1 */
KEHU_API int kehu_customer_remove_tag(kehu_customer *c, const char *tag);
/** 1 if the customer has the tag, else 0 (also for NULL).  Since: 0.1 */
KEHU_API int kehu_customer_has_tag(const kehu_customer *c, const char *tag);
/** The number of tags.  Since: 0.1 */
KEHU_API size_t kehu_customer_tag_count(const kehu_customer *c);
/**
 * The tag at @p index (0-based, in the order added), NULL out of range.
 * Ownership: valid until @p c is freed or next modified.  Since: 0.1
 */
KEHU_API const char *kehu_customer_get_tag(const kehu_customer *c,
                                           size_t index);
/** Calls @p cb per tag.  @return KEHU_OK, KEHU_EINVAL or the callback's
 *  non-zero value.  Since: 0.1 */
KEHU_API int kehu_customer_foreach_tag(const kehu_customer *c,
                                       kehu_tag_foreach_cb cb,
                                       void *user_data);

/**
 * Sets a string attribute (replacing any value of any type).
 * @return KEHU_OK; KEHU_EINVAL (name or value length, UTF-8, more than
 *         KEHU_MAX_ATTRS); KEHU_ENOMEM.  Since: 0.1
 */
KEHU_API int kehu_customer_set_attr_string(kehu_customer *c, const char *name,
                                           const char *value);
/** Sets an integer attribute.  Errors as set_attr_string.  Since: 0.1 */
KEHU_API int kehu_customer_set_attr_int(kehu_customer *c, const char *name,
                                        int64_t value);
/** Sets a number attribute (finite doubles only: NaN and infinities are
 *  KEHU_EINVAL).  Since: 0.1 */
KEHU_API int kehu_customer_set_attr_number(kehu_customer *c,
                                           const char *name, double value);
/** Sets a time attribute (seconds since the epoch).  Since: 0.1 */
KEHU_API int kehu_customer_set_attr_time(kehu_customer *c, const char *name,
                                         int64_t value);

/**
 * Reads a string attribute.
 * @param[out] out the value; valid until @p c is freed or next modified.
 * @return KEHU_OK; KEHU_ENOTFOUND (no such attribute); KEHU_EINVAL (NULL,
 *         or the attribute has another type: the message says which).
 * Since: 0.1
 */
KEHU_API int kehu_customer_get_attr_string(const kehu_customer *c,
                                           const char *name,
                                           const char **out);
/** Reads an integer attribute.  Errors as get_attr_string.  Since: 0.1 */
KEHU_API int kehu_customer_get_attr_int(const kehu_customer *c,
                                        const char *name, int64_t *out);
/** Reads a number attribute.  Errors as get_attr_string.  Since: 0.1 */
KEHU_API int kehu_customer_get_attr_number(const kehu_customer *c,
                                           const char *name, double *out);
/** Reads a time attribute.  Errors as get_attr_string.  Since: 0.1 */
KEHU_API int kehu_customer_get_attr_time(const kehu_customer *c,
                                         const char *name, int64_t *out);
/** The KEHU_ATTR_* type of an attribute, 0 when absent.  Since: 0.1 */
KEHU_API int32_t kehu_customer_get_attr_type(const kehu_customer *c,
                                             const char *name);
/** @return KEHU_OK, KEHU_EINVAL or KEHU_ENOTFOUND.  Since: 0.1 */
KEHU_API int kehu_customer_remove_attr(kehu_customer *c, const char *name);
/** The number of attributes.  Since: 0.1 */
KEHU_API size_t kehu_customer_attr_count(const kehu_customer *c);
/** Calls @p cb per attribute in name order.  @return KEHU_OK, KEHU_EINVAL
 *  or the callback's non-zero value.  Since: 0.1 */
KEHU_API int kehu_customer_foreach_attr(const kehu_customer *c,
                                        kehu_attr_foreach_cb cb,
                                        void *user_data);

KEHU_END_DECL

#endif /* KEHU_CUSTOMER_H */
