/*
 * tests/storage/conformance: the storage conformance suite (cmocka) that
 * any kehu_storage implementation runs to check the rules written in
 * kehu/sys/storage.h.  Test layer.
 */
#ifndef KEHU_TESTS_STORAGE_CONFORMANCE_H
#define KEHU_TESTS_STORAGE_CONFORMANCE_H

#include "kehu/sys/storage.h"

/* How the suite gets a fresh store for each test. */
typedef struct kehu_conformance_factory {
	/* Creates a fresh empty store into *out; returns KEHU_OK. */
	int (*open)(kehu_storage *out, void *user_data);
	/* Destroys it (after vt->close was called, if not NULL). */
	void (*destroy)(kehu_storage *vt, void *user_data);
	void *user_data;
} kehu_conformance_factory;

/*
 * Runs every conformance test on stores made by f, as one cmocka group
 * named suite_name.  Returns cmocka's count of failed tests (0: pass).
 */
int kehu_conformance_run(const char *suite_name,
                         const kehu_conformance_factory *f);

#endif
