/**
 * @file kehu/errors.h
 * @brief Error codes and how to read the message behind them.
 *
 * Every function that can fail returns an int: KEHU_OK (0) or one of the
 * negative codes below.  Codes are never renumbered or reused; new ones
 * are appended.  The text of the last failure on a db is
 * kehu_errmsg(db); it names the argument, key or id that was wrong.
 */
#ifndef KEHU_ERRORS_H
#define KEHU_ERRORS_H

#include "kehu/common.h"

KEHU_BEGIN_DECL

#define KEHU_OK 0         /**< Success. */
#define KEHU_ERROR -1     /**< Unspecified failure. */
#define KEHU_ENOMEM -2    /**< The allocator returned NULL; nothing changed. */
#define KEHU_EINVAL -3    /**< A bad argument (NULL, range, UTF-8, limit). */
#define KEHU_EMISUSE -4   /**< A call out of order (e.g. commit without
                               begin, a handle used after its db closed). */
#define KEHU_ENOTFOUND -5 /**< No such id, key, tag or attribute. */
#define KEHU_EEXIST -6    /**< The external key (or member) already exists. */
#define KEHU_EBUFS -7     /**< The caller's buffer is too small. */
#define KEHU_ERANGE -8    /**< A sum would overflow int64; nothing changed. */
#define KEHU_EBUSY -9     /**< Still referenced (e.g. a customer that is
                               member of an account), or locked. */
#define KEHU_ESTORAGE -10 /**< The storage failed; the transaction was
                               rolled back. */
#define KEHU_ECORRUPT -11 /**< A stored record could not be decoded. */
#define KEHU_ECONFLICT -12 /**< The handle is stale: the object was saved
                                through another handle since it was read. */
#define KEHU_EUSER -13    /**< Returned only by host callbacks, passed on. */
#define KEHU_ITEROVER -14 /**< An iterator has no more items (not a
                               failure). */
#define KEHU_ECOMPILE -15 /**< A rule text does not compile; kehu_errmsg
                               says where (line:column) and why. */

/** Kept for symmetry with the design text: KEHU_EEXIST. */
#define KEHU_EEXISTS KEHU_EEXIST

/**
 * A static English description of an error code.
 *
 * @param code a KEHU_* code (unknown codes give "unknown error").
 * @return a static string, never NULL.
 * Ownership: static.  Errors: none.  Thread: any.  Since: 0.1
 */
KEHU_API const char *kehu_strerror(int code);

/**
 * The code of the last failed call on @p db (KEHU_OK after a success).
 *
 * @param db the db, may be NULL (then KEHU_ENOMEM: a NULL db is what
 *        kehu_db_open leaves when it could not allocate the handle).
 * @return a KEHU_* code.  Errors: none.  Thread: the db's thread.
 * Since: 0.1
 */
KEHU_API int kehu_errcode(const kehu_db *db);

/**
 * The message of the last call on @p db: UTF-8, names the argument, id or
 * key at fault; "not an error" after a success.
 *
 * Calls on handles that belong to the db (customers, accounts, ...) set
 * the db's message too.
 *
 * @param db the db, may be NULL ("out of memory").
 * @return never NULL.
 * Ownership: owned by the db, valid until the next call on the db or one
 * of its handles.  Errors: none.  Thread: the db's thread.  Since: 0.1
 */
KEHU_API const char *kehu_errmsg(const kehu_db *db);

KEHU_END_DECL

#endif /* KEHU_ERRORS_H */
