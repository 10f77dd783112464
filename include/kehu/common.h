/**
 * @file kehu/common.h
 * @brief Export macro, C/C++ guards and the opaque handle types.
 *
 * Every public header includes this one first.  It pulls in only
 * <stdint.h> and <stddef.h> so that it compiles as C99 and as C++.
 */
#ifndef KEHU_COMMON_H
#define KEHU_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define KEHU_BEGIN_DECL extern "C" {
#define KEHU_END_DECL }
#else
#define KEHU_BEGIN_DECL
#define KEHU_END_DECL
#endif

/*
 * KEHU_API marks every exported function, on its declaration and its
 * definition.  The library is built with -fvisibility=hidden, so nothing
 * else leaves the shared object.  Define KEHU_STATIC when linking the
 * static library on Windows.
 */
#if defined(_WIN32) && !defined(KEHU_STATIC)
#ifdef KEHU_BUILDING
#define KEHU_API __declspec(dllexport)
#else
#define KEHU_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define KEHU_API __attribute__((visibility("default")))
#else
#define KEHU_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#define KEHU_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define KEHU_DEPRECATED(msg)
#endif

KEHU_BEGIN_DECL

/** A database: the root handle.  See kehu/db.h. */
typedef struct kehu_db kehu_db;
/** A customer loaded from a db (a detached, editable copy). */
typedef struct kehu_customer kehu_customer;
/** An account loaded from a db (a detached, editable copy). */
typedef struct kehu_account kehu_account;
/** One interaction: being built, or read back from a customer's history. */
typedef struct kehu_interaction kehu_interaction;
/** An iterator over one customer's interaction history. */
typedef struct kehu_history kehu_history;
/** The built-in ordered in-memory store.  See kehu/storage.h. */
typedef struct kehu_storage_memory kehu_storage_memory;

/** A library id: customers, accounts and interactions share one
 *  sequence per db; ids start at 1 and are never reused. */
typedef int64_t kehu_id;

KEHU_END_DECL

#endif /* KEHU_COMMON_H */
