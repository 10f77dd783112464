/*
 * tests/common/testutil: fault injection and comparison helpers shared
 * by the unit tests: a counting allocator that fails the k-th
 * allocation, a store wrapper that fails the k-th storage call, and a
 * canonical text dump of a whole db through the public API.
 */
#ifndef KEHU_TESTS_TESTUTIL_H
#define KEHU_TESTS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "kehu.h"

/* ---- counting, failing allocator ---- */
typedef struct test_alloc {
	size_t live_bytes;   /* handed out, not yet freed */
	long live_blocks;
	long count;          /* allocations (nsize > 0) while armed */
	long fail_at;        /* fail allocation number fail_at; 0: never */
	long failures;
	long bad_osize;      /* frees/reallocs that passed a wrong osize */
	int armed;           /* counting and failing only while armed */
} test_alloc;

void *test_alloc_fn(void *ud, void *ptr, size_t osize, size_t nsize);

/* ---- store wrapper that fails the k-th call ---- */
typedef struct test_faulty {
	kehu_storage inner;
	long count;   /* storage calls while armed */
	long fail_at; /* fail call number fail_at with fail_code; 0: never */
	int fail_code;
	long failures;
	int armed;
	int closed;   /* times close was called */
} test_faulty;

/* Fills out with a vtable that forwards to f->inner. */
void test_faulty_vtable(test_faulty *f, kehu_storage *out);

/* ---- snapshot ---- */
typedef struct test_text {
	char *data;
	size_t len;
	size_t cap;
} test_text;

/* Appends a canonical dump of every customer (fields, tags, attributes,
 * metrics as of `now`, history) and account to t.  Returns KEHU_OK or the
 * first failing call's code. */
int test_snapshot(kehu_db *db, int64_t now, test_text *t);
void test_text_free(test_text *t);

/* Opens a db with the given allocator (NULL: default) and storage. */
int test_open(kehu_db **out, test_alloc *a, const kehu_storage *st);

/* ---- cmocka fixture: a fresh db on a counting allocator ---- */
typedef struct test_fx {
	test_alloc a;
	kehu_db *db;
} test_fx;

/* Opens f->db (memory store); the teardown closes it and fails the test
 * on leaked bytes or a wrong osize. */
int test_fx_setup(void **state);
int test_fx_teardown(void **state);
/* Fails the test unless kehu_errmsg(db) contains needle. */
void assert_msg_has(kehu_db *db, const char *needle);

/* A new customer (no key) / account paid by payer; their ids. */
kehu_id test_new_customer(kehu_db *db);
kehu_id test_new_account(kehu_db *db, kehu_id payer);
/* Fails the test unless every field of two metrics structs is equal. */
void test_assert_metrics_equal(const kehu_metrics *x, const kehu_metrics *y);

/* 2024-01-01T00:00:00Z and a day. */
#define T0 INT64_C(1704067200)
#define DAY INT64_C(86400)

#endif
