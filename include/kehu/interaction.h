/**
 * @file kehu/interaction.h
 * @brief Interactions: dated events between the business and a customer,
 *        and a customer's history.
 *
 * Interactions are append-only: build one with kehu_interaction_new and
 * the setters, then kehu_interaction_record stores it and updates the
 * metrics of its customer (and of its account, if set) in the same
 * transaction.  A correction is a new interaction (a refund).
 *
 * Amount and cost are int64 minor units of the db's currency, never
 * negative: a refund carries the refunded amount as a positive number.
 * Limits: channel 0..64 bytes, note 0..4096 bytes, attributes as for
 * customers (kehu/customer.h).
 */
#ifndef KEHU_INTERACTION_H
#define KEHU_INTERACTION_H

#include "kehu/common.h"

KEHU_BEGIN_DECL

/** @name Interaction types */
/**@{*/
#define KEHU_IX_PURCHASE 1        /**< amount: what the customer paid */
#define KEHU_IX_REFUND 2          /**< amount: what was paid back */
#define KEHU_IX_VISIT 3
#define KEHU_IX_CALL 4
#define KEHU_IX_EMAIL 5
#define KEHU_IX_SERVICE_REQUEST 6
#define KEHU_IX_COMPLAINT 7
#define KEHU_IX_FEEDBACK 8        /**< requires a satisfaction 1..5 */
#define KEHU_IX_REFERRAL 9        /**< the customer referred someone */
#define KEHU_IX_MARKETING 10      /**< a marketing touch */
/**@}*/

#define KEHU_MAX_CHANNEL_BYTES 64
#define KEHU_MAX_NOTE_BYTES 4096

/**
 * The name of a type ("purchase", "refund", "visit", "call", "email",
 * "service_request", "complaint", "feedback", "referral", "marketing").
 * @return a static string, NULL for an unknown type.  Since: 0.1
 */
KEHU_API const char *kehu_interaction_type_name(int32_t type);

/**
 * The type of a name (as kehu_interaction_type_name gives).
 * @return KEHU_OK, KEHU_EINVAL (NULL) or KEHU_ENOTFOUND.  Since: 0.1
 */
KEHU_API int kehu_interaction_type_from_name(const char *name,
                                             int32_t *out);

/**
 * Starts a new interaction (not yet stored).
 *
 * @param[out] out the new handle; NULL on failure.
 * @param customer_id the customer; checked when recorded.
 * @param type a KEHU_IX_* type.
 * @param time when it happened: 0 (1970-01-01) .. 253402300799
 *        (9999-12-31T23:59:59Z).
 * @return KEHU_OK; KEHU_EINVAL (NULL, unknown type, time out of range,
 *         customer id not positive); KEHU_ENOMEM.
 * Ownership: free with kehu_interaction_free.  Since: 0.1
 */
KEHU_API int kehu_interaction_new(kehu_interaction **out, kehu_db *db,
                                  kehu_id customer_id, int32_t type,
                                  int64_t time);

/** Frees a handle.  NULL is a no-op.  Since: 0.1 */
KEHU_API void kehu_interaction_free(kehu_interaction *ix);

/** Sets the account (0: none); checked when recorded.
 *  @return KEHU_OK, KEHU_EINVAL, KEHU_EMISUSE (already recorded).
 *  Since: 0.1 */
KEHU_API int kehu_interaction_set_account(kehu_interaction *ix,
                                          kehu_id account_id);
/** Sets the amount (>= 0).  Errors as set_account.  Since: 0.1 */
KEHU_API int kehu_interaction_set_amount(kehu_interaction *ix,
                                         int64_t amount);
/** Sets the cost to the business (>= 0).  Since: 0.1 */
KEHU_API int kehu_interaction_set_cost(kehu_interaction *ix, int64_t cost);
/** Sets the channel ("store", "web", ...).  Since: 0.1 */
KEHU_API int kehu_interaction_set_channel(kehu_interaction *ix,
                                          const char *channel);
/** Sets the satisfaction score: 1..5, or 0 for none.  Only feedback and
 *  complaints carry one; feedback requires it.  Since: 0.1 */
KEHU_API int kehu_interaction_set_satisfaction(kehu_interaction *ix,
                                               int32_t satisfaction);
/** Sets a free-text note (PII: erased by kehu_customer_erase).
 *  Since: 0.1 */
KEHU_API int kehu_interaction_set_note(kehu_interaction *ix,
                                       const char *note);
/** Sets a string attribute.  Limits as customers'.  Since: 0.1 */
KEHU_API int kehu_interaction_set_attr_string(kehu_interaction *ix,
                                              const char *name,
                                              const char *value);
/** Sets an integer attribute.  Since: 0.1 */
KEHU_API int kehu_interaction_set_attr_int(kehu_interaction *ix,
                                           const char *name, int64_t value);
/** Sets a number attribute (finite).  Since: 0.1 */
KEHU_API int kehu_interaction_set_attr_number(kehu_interaction *ix,
                                              const char *name,
                                              double value);
/** Sets a time attribute.  Since: 0.1 */
KEHU_API int kehu_interaction_set_attr_time(kehu_interaction *ix,
                                            const char *name, int64_t value);

/**
 * Stores the interaction and updates the metrics of its customer and
 * account, in one transaction.  Assigns the id.
 *
 * @return KEHU_OK; KEHU_EINVAL (feedback without satisfaction, satisfaction
 *         on another type); KEHU_ENOTFOUND (customer or account unknown);
 *         KEHU_ERANGE (a metric sum would overflow int64: nothing
 *         recorded); KEHU_EMISUSE (recorded already); KEHU_ENOMEM; a
 *         storage code.
 * Since: 0.1
 */
KEHU_API int kehu_interaction_record(kehu_interaction *ix);

/**
 * Records @p n interactions given as columns (one element per row; the
 * bulk path for feeds and for bindings that hold arrays): customer id,
 * KEHU_IX_* type and time, and optionally amount and cost (NULL: 0).
 * Feedback needs a satisfaction score, so it is not accepted here.
 * Every row is checked before the first is recorded: a bad row (its
 * index is in kehu_errmsg) changes nothing.  The batch is one
 * transaction: the call's own, or the host's when kehu_db_begin is open
 * (then a failure after the checks, such as an overflow or a storage
 * error, rolls the host's transaction back and ends it, so that no
 * part of the batch stays).
 *
 * @param[out] recorded_out rows recorded (n or 0; may be NULL).
 * @return KEHU_OK; KEHU_EINVAL (NULL column with n > 0, unknown type,
 *         feedback, time out of range, negative amount or cost);
 *         KEHU_ENOTFOUND (customer); KEHU_ERANGE (a sum would overflow);
 *         KEHU_ENOMEM; a storage code.
 * Since: 0.1
 */
KEHU_API int kehu_interaction_record_many(kehu_db *db, size_t n,
                                          const kehu_id *customers,
                                          const int32_t *types,
                                          const int64_t *times,
                                          const int64_t *amounts,
                                          const int64_t *costs,
                                          size_t *recorded_out);

/** The id (0 until recorded).  Since: 0.1 */
KEHU_API kehu_id kehu_interaction_get_id(const kehu_interaction *ix);
/** The customer id.  Since: 0.1 */
KEHU_API kehu_id kehu_interaction_get_customer(const kehu_interaction *ix);
/** The account id, 0 for none.  Since: 0.1 */
KEHU_API kehu_id kehu_interaction_get_account(const kehu_interaction *ix);
/** The KEHU_IX_* type.  Since: 0.1 */
KEHU_API int32_t kehu_interaction_get_type(const kehu_interaction *ix);
/** The time.  Since: 0.1 */
KEHU_API int64_t kehu_interaction_get_time(const kehu_interaction *ix);
/** The amount.  Since: 0.1 */
KEHU_API int64_t kehu_interaction_get_amount(const kehu_interaction *ix);
/** The cost.  Since: 0.1 */
KEHU_API int64_t kehu_interaction_get_cost(const kehu_interaction *ix);
/** The satisfaction (0: none).  Since: 0.1 */
KEHU_API int32_t kehu_interaction_get_satisfaction(
	const kehu_interaction *ix);
/** The channel, "" for none.  Valid until @p ix is freed or next
 *  modified.  Since: 0.1 */
KEHU_API const char *kehu_interaction_get_channel(const kehu_interaction *ix);
/** The note, "" for none.  Valid until @p ix is freed or next modified.
 *  Since: 0.1 */
KEHU_API const char *kehu_interaction_get_note(const kehu_interaction *ix);
/** Reads a string attribute; errors as kehu_customer_get_attr_string.
 *  Since: 0.1 */
KEHU_API int kehu_interaction_get_attr_string(const kehu_interaction *ix,
                                              const char *name,
                                              const char **out);
/** Reads an integer attribute.  Since: 0.1 */
KEHU_API int kehu_interaction_get_attr_int(const kehu_interaction *ix,
                                           const char *name, int64_t *out);
/** Reads a number attribute.  Since: 0.1 */
KEHU_API int kehu_interaction_get_attr_number(const kehu_interaction *ix,
                                              const char *name, double *out);
/** Reads a time attribute.  Since: 0.1 */
KEHU_API int kehu_interaction_get_attr_time(const kehu_interaction *ix,
                                            const char *name, int64_t *out);
/** The number of attributes.  Since: 0.1 */
KEHU_API size_t kehu_interaction_attr_count(const kehu_interaction *ix);

/**
 * Opens an iterator over a customer's history: the interactions with
 * @p from_time <= time < @p to_time, in (time, id) order.  It reads the
 * store one page at a time (one range scan of that customer's keys per
 * page, never a scan of all interactions).
 *
 * To resume paging later, pass the time of the last interaction seen as
 * @p from_time and its id as @p after_id: the iteration starts after it.
 * @p after_id 0 starts at @p from_time.
 *
 * @return KEHU_OK; KEHU_EINVAL (NULL, from_time > to_time);
 *         KEHU_ENOTFOUND (no such customer); KEHU_ENOMEM.
 * Ownership: free with kehu_history_free.  Since: 0.1
 */
KEHU_API int kehu_history_new(kehu_history **out, kehu_db *db,
                              kehu_id customer_id, int64_t from_time,
                              int64_t to_time, kehu_id after_id);

/**
 * The next interaction.
 *
 * @param[out] out the interaction: valid until the next call on @p h or
 *        kehu_history_free.
 * @return KEHU_OK; KEHU_ITEROVER (no more); KEHU_EINVAL; KEHU_ENOMEM;
 *         KEHU_ESTORAGE; KEHU_ECORRUPT.
 * Since: 0.1
 */
KEHU_API int kehu_history_next(kehu_history *h,
                               const kehu_interaction **out);

/** Frees the iterator.  NULL is a no-op.  Since: 0.1 */
KEHU_API void kehu_history_free(kehu_history *h);

KEHU_END_DECL

#endif /* KEHU_INTERACTION_H */
