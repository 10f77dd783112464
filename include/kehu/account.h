/**
 * @file kehu/account.h
 * @brief Accounts: ongoing commercial relationships, with a payer and
 *        members in roles.
 *
 * A company that buys a car for its manager: the company is the payer,
 * the manager a user.  Like customers, a kehu_account is a detached copy
 * saved optimistically (KEHU_ECONFLICT on a stale handle).  An account
 * has its own metrics (kehu/metrics.h), fed by interactions recorded with
 * its id.  Limits: name 0..1024 bytes, at most 1024 members.
 */
#ifndef KEHU_ACCOUNT_H
#define KEHU_ACCOUNT_H

#include "kehu/common.h"

KEHU_BEGIN_DECL

/** @name Member roles */
/**@{*/
#define KEHU_ROLE_PAYER 1
#define KEHU_ROLE_USER 2
#define KEHU_ROLE_DECISION_MAKER 3
#define KEHU_ROLE_INFLUENCER 4
/**@}*/

#define KEHU_MAX_MEMBERS 1024

/** Called per account id in ascending order.  Non-zero stops and is
 *  returned. */
typedef int (*kehu_account_foreach_cb)(kehu_id id, void *user_data);

/** Called per member in the order added.  Non-zero stops and is
 *  returned. */
typedef int (*kehu_member_foreach_cb)(kehu_id customer_id, int32_t role,
                                      void *user_data);

/**
 * Creates and stores an account paid by @p payer_id; the payer also
 * becomes its first member, with role KEHU_ROLE_PAYER.
 *
 * @return KEHU_OK; KEHU_EINVAL (NULL, payer id not positive);
 *         KEHU_ENOTFOUND (no such customer); KEHU_ENOMEM; a storage code.
 * Ownership: free with kehu_account_free.  Since: 0.1
 */
KEHU_API int kehu_account_create(kehu_account **out, kehu_db *db,
                                 kehu_id payer_id);

/** Reads an account.  @return KEHU_OK, KEHU_EINVAL, KEHU_ENOTFOUND,
 *  KEHU_ENOMEM, KEHU_ESTORAGE, KEHU_ECORRUPT.  Since: 0.1 */
KEHU_API int kehu_account_lookup(kehu_account **out, kehu_db *db,
                                 kehu_id id);

/** Frees a handle.  NULL is a no-op.  Since: 0.1 */
KEHU_API void kehu_account_free(kehu_account *a);

/**
 * Writes the handle back.
 * @return KEHU_OK; KEHU_ENOTFOUND (account deleted, or a member/payer
 *         customer no longer exists); KEHU_ECONFLICT; KEHU_ENOMEM; a
 *         storage code.  On failure nothing is stored.
 * Since: 0.1
 */
KEHU_API int kehu_account_save(kehu_account *a);

/** Deletes an account and its metrics (interactions stay in the
 *  customers' histories).  @return KEHU_OK, KEHU_EINVAL, KEHU_ENOTFOUND,
 *  KEHU_ENOMEM, a storage code.  Since: 0.1 */
KEHU_API int kehu_account_delete(kehu_db *db, kehu_id id);

/** Calls @p cb for every live account in ascending id order.
 *  Since: 0.1 */
KEHU_API int kehu_account_foreach(kehu_db *db, kehu_account_foreach_cb cb,
                                  void *user_data);

/** The id; 0 for NULL.  Since: 0.1 */
KEHU_API kehu_id kehu_account_get_id(const kehu_account *a);
/** The name, "" for none.  Valid until @p a is freed or next modified.
 *  Since: 0.1 */
KEHU_API const char *kehu_account_get_name(const kehu_account *a);
/** Sets the name.  @return KEHU_OK, KEHU_EINVAL, KEHU_ENOMEM.
 *  Since: 0.1 */
KEHU_API int kehu_account_set_name(kehu_account *a, const char *name);
/** The paying customer.  Since: 0.1 */
KEHU_API kehu_id kehu_account_get_payer(const kehu_account *a);
/**
 * Changes the payer (checked at save).  The new payer becomes a member
 * with role KEHU_ROLE_PAYER if it was not a member; the old payer stays
 * a member with role KEHU_ROLE_USER.
 * @return KEHU_OK, KEHU_EINVAL, KEHU_ENOMEM.  Since: 0.1
 */
KEHU_API int kehu_account_set_payer(kehu_account *a, kehu_id customer_id);

/**
 * Adds a member (checked at save).  @p role is KEHU_ROLE_USER,
 * KEHU_ROLE_DECISION_MAKER or KEHU_ROLE_INFLUENCER: only the payer holds
 * KEHU_ROLE_PAYER, given by kehu_account_set_payer.
 * @return KEHU_OK; KEHU_EINVAL (bad role or id, too many); KEHU_EEXIST
 *         (already a member: change its role by removing and adding);
 *         KEHU_ENOMEM.  Since: 0.1
 */
KEHU_API int kehu_account_add_member(kehu_account *a, kehu_id customer_id,
                                     int32_t role);
/** Removes a member.  @return KEHU_OK, KEHU_EINVAL, KEHU_ENOTFOUND,
 *  KEHU_EBUSY (the payer: set another payer first).  Since: 0.1 */
KEHU_API int kehu_account_remove_member(kehu_account *a,
                                        kehu_id customer_id);
/** The role of a member, 0 if not a member.  Since: 0.1 */
KEHU_API int32_t kehu_account_get_member_role(const kehu_account *a,
                                              kehu_id customer_id);
/** The number of members.  Since: 0.1 */
KEHU_API size_t kehu_account_member_count(const kehu_account *a);
/** Calls @p cb per member.  @return KEHU_OK, KEHU_EINVAL or the
 *  callback's non-zero value.  Since: 0.1 */
KEHU_API int kehu_account_foreach_member(const kehu_account *a,
                                         kehu_member_foreach_cb cb,
                                         void *user_data);

KEHU_END_DECL

#endif /* KEHU_ACCOUNT_H */
