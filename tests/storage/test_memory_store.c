/*
 * tests/storage/test_memory_store: the memory store (storage layer) under
 * the conformance suite, plus its own rules: transaction misuse, byte
 * accounting, allocation failure at every point, leaks, and size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conformance.h"
#include "core/tuning.h"
#include "kehu/errors.h"
#include "kehu/storage.h"
#include "storage/memory.h"

/* ---- a counting allocator that can fail the k-th allocation ---- */

typedef struct talloc {
	size_t live;      /* bytes handed out and not yet freed */
	long nallocs;     /* calls with nsize > 0 */
	long fail_at;     /* fail call number fail_at (0: never) */
	long nfailed;
	long bad_osize;   /* calls whose osize was not the true size */
} talloc;

#define HDR 16 /* keeps the caller's block 16-byte aligned */

static void *talloc_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
	talloc *t = ud;
	unsigned char *base = ptr ? (unsigned char *)ptr - HDR : NULL;
	size_t truesize = 0;
	unsigned char *nb;

	if (base)
		memcpy(&truesize, base, sizeof(truesize));
	if (truesize != (ptr ? osize : 0))
		t->bad_osize++;
	if (nsize == 0) {
		if (base) {
			t->live -= truesize;
			free(base);
		}
		return NULL;
	}
	t->nallocs++;
	if (t->fail_at > 0 && t->nallocs == t->fail_at) {
		t->nfailed++;
		return NULL;
	}
	nb = realloc(base, nsize + HDR);
	if (!nb)
		return NULL;
	memcpy(nb, &nsize, sizeof(nsize));
	t->live = t->live - truesize + nsize;
	return nb + HDR;
}

/* ---- conformance factories ---- */

static int open_plain(kehu_storage *out, void *user_data)
{
	kehu_storage_memory *m;
	int rc = kehu_storage_memory_new(&m, talloc_fn, user_data);

	if (rc != KEHU_OK)
		return rc;
	return kehu_storage_memory_get_vtable(m, out);
}

static void destroy_plain(kehu_storage *vt, void *user_data)
{
	talloc *t = user_data;

	kehu_storage_memory_free(vt->user_data);
	assert_int_equal(t->live, 0);
	assert_int_equal(t->bad_osize, 0);
}

static int open_owned(kehu_storage *out, void *user_data)
{
	return kehu__storage_memory_new_owned(out, talloc_fn, user_data);
}

static void destroy_owned(kehu_storage *vt, void *user_data)
{
	talloc *t = user_data;

	(void)vt; /* close already freed it */
	assert_int_equal(t->live, 0);
	assert_int_equal(t->bad_osize, 0);
}

static int open_default(kehu_storage *out, void *user_data)
{
	(void)user_data;
	return kehu__storage_memory_new_owned(out, NULL, NULL);
}

static void destroy_default(kehu_storage *vt, void *user_data)
{
	(void)vt;
	(void)user_data;
}

/* ---- helpers ---- */

typedef struct fx {
	talloc t;
	kehu_storage_memory *m;
	kehu_storage vt;
} fx;

static int fx_setup(void **state)
{
	fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	if (kehu_storage_memory_new(&f->m, talloc_fn, &f->t) != KEHU_OK ||
	    kehu_storage_memory_get_vtable(f->m, &f->vt) != KEHU_OK) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	fx *f = *state;

	kehu_storage_memory_free(f->m);
	assert_int_equal(f->t.live, 0);
	assert_int_equal(f->t.bad_osize, 0);
	free(f);
	return 0;
}

static int vput(kehu_storage *vt, const void *k, size_t kl, const void *v,
                size_t vl)
{
	return vt->put(k, kl, v, vl, vt->user_data);
}

/* Fails the test unless key k holds the string want. */
static int sink_equals(const void *v, size_t vl, void *ctx)
{
	const char *want = ctx;

	return vl == strlen(want) && memcmp(v, want, vl) == 0 ? KEHU_OK
	                                                      : KEHU_ERROR;
}

static void assert_value(kehu_storage *vt, void *ud, const char *k,
                         const char *want)
{
	assert_int_equal(vt->get(k, strlen(k), sink_equals, (void *)want, ud),
	                 KEHU_OK);
}

static int vdel(kehu_storage *vt, const void *k, size_t kl)
{
	return vt->del(k, kl, vt->user_data);
}

typedef struct rng {
	uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
	uint64_t x = r->s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	r->s = x;
	return x;
}

static int count_cb(const void *k, size_t kl, const void *v, size_t vl,
                    void *ctx)
{
	(void)k;
	(void)kl;
	(void)v;
	(void)vl;
	(*(size_t *)ctx)++;
	return KEHU_OK;
}

static int sink_nop(const void *v, size_t vl, void *ctx)
{
	(void)v;
	(void)vl;
	(void)ctx;
	return KEHU_OK;
}

/* ---- memory-store rules ---- */

static void test_api_args(void **state)
{
	fx *f = *state;
	kehu_storage vt;
	kehu_storage_memory *m = (kehu_storage_memory *)1;

	(void)f;
	assert_int_equal(kehu_storage_memory_new(NULL, NULL, NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_storage_memory_get_vtable(NULL, &vt),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_storage_memory_get_vtable(f->m, NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu__storage_memory_new_owned(NULL, NULL, NULL),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_storage_memory_count(NULL), 0);
	assert_int_equal(kehu_storage_memory_bytes(NULL), 0);
	kehu_storage_memory_free(NULL);

	/* the default allocator works too */
	assert_int_equal(kehu_storage_memory_new(&m, NULL, NULL), KEHU_OK);
	assert_non_null(m);
	assert_int_equal(kehu_storage_memory_get_vtable(m, &vt), KEHU_OK);
	assert_int_equal(vt.version, KEHU_STORAGE_VERSION);
	assert_null(vt.close);
	assert_int_equal(vt.begin(vt.user_data), KEHU_OK);
	assert_int_equal(vput(&vt, "k", 1, "v", 1), KEHU_OK);
	assert_int_equal(vt.commit(vt.user_data), KEHU_OK);
	assert_int_equal(kehu_storage_memory_count(m), 1);
	kehu_storage_memory_free(m);

	/* a failed new leaves NULL */
	f->t.fail_at = f->t.nallocs + 1;
	m = (kehu_storage_memory *)1;
	assert_int_equal(kehu_storage_memory_new(&m, talloc_fn, &f->t),
	                 KEHU_ENOMEM);
	assert_null(m);
	f->t.fail_at = f->t.nallocs + 2; /* the head block */
	assert_int_equal(kehu_storage_memory_new(&m, talloc_fn, &f->t),
	                 KEHU_ENOMEM);
	assert_null(m);
	memset(&vt, 0xAB, sizeof(vt));
	f->t.fail_at = f->t.nallocs + 1;
	assert_int_equal(kehu__storage_memory_new_owned(&vt, talloc_fn,
	                                                &f->t),
	                 KEHU_ENOMEM);
	assert_null(vt.user_data);
	f->t.fail_at = 0;
}

static void test_misuse(void **state)
{
	fx *f = *state;
	kehu_storage *vt = &f->vt;
	void *ud = vt->user_data;

	assert_int_equal(vput(vt, "k", 1, "v", 1), KEHU_EMISUSE);
	assert_non_null(vt->errmsg(ud));
	assert_int_equal(vdel(vt, "k", 1), KEHU_EMISUSE);
	assert_int_equal(vt->commit(ud), KEHU_EMISUSE);
	assert_int_equal(vt->rollback(ud), KEHU_EMISUSE);
	assert_int_equal(kehu_storage_memory_count(f->m), 0);

	assert_int_equal(vt->begin(ud), KEHU_OK);
	assert_int_equal(vt->begin(ud), KEHU_EMISUSE);
	/* still in the first transaction */
	assert_int_equal(vput(vt, "k", 1, "v", 1), KEHU_OK);
	assert_int_equal(vt->commit(ud), KEHU_OK);
	assert_int_equal(vt->commit(ud), KEHU_EMISUSE);
	assert_int_equal(vt->rollback(ud), KEHU_EMISUSE);
	assert_int_equal(vdel(vt, "k", 1), KEHU_EMISUSE);
	assert_int_equal(kehu_storage_memory_count(f->m), 1);

	/* bad arguments */
	assert_int_equal(vt->begin(ud), KEHU_OK);
	assert_int_equal(vput(vt, "k", 1, NULL, 3), KEHU_EINVAL);
	assert_int_equal(vt->get("k", 1, NULL, NULL, ud), KEHU_EINVAL);
	assert_int_equal(vt->scan(NULL, 0, NULL, 0, NULL, NULL, ud),
	                 KEHU_EINVAL);
	assert_int_equal(vt->scan(NULL, 2, NULL, 0, count_cb, NULL, ud),
	                 KEHU_EINVAL);
	assert_int_equal(vt->rollback(ud), KEHU_OK);

	/* a bad user_data is refused */
	assert_int_equal(vt->begin(NULL), KEHU_EMISUSE);
	assert_null(vt->errmsg(NULL));
}

/* Inline and separate values, replaced both ways, then rolled back. */
static void test_accounting(void **state)
{
	fx *f = *state;
	kehu_storage *vt = &f->vt;
	void *ud = vt->user_data;
	unsigned char big[5000];
	uint64_t c0;
	uint64_t b0;
	uint64_t b1;
	size_t live;
	char k[16];
	int i;

	memset(big, 'x', sizeof(big));
	assert_int_equal(vt->begin(ud), KEHU_OK);
	for (i = 0; i < 300; i++) {
		size_t vl = (size_t)(i % 3 == 0 ? 1000 + i : i % 50);

		snprintf(k, sizeof(k), "key%05d", i);
		assert_int_equal(vput(vt, k, strlen(k), big, vl), KEHU_OK);
	}
	assert_int_equal(vt->commit(ud), KEHU_OK);
	c0 = kehu_storage_memory_count(f->m);
	b0 = kehu_storage_memory_bytes(f->m);
	assert_int_equal(c0, 300);
	assert_true(b0 > 300 * 8);
	/* everything live is counted except a small kept undo log */
	assert_true(f->t.live >= b0);
	assert_true(f->t.live - b0 <= 64 * 32);

	for (int round = 0; round < 3; round++) {
		assert_int_equal(vt->begin(ud), KEHU_OK);
		for (i = 0; i < 400; i++) {
			size_t vl = (size_t)((i * 7 + round) % 4 == 0
			                             ? 3000
			                             : (i * 13) % 200);

			snprintf(k, sizeof(k), "key%05d", (i * 3) % 450);
			if (i % 5 == 4) {
				int rc = vdel(vt, k, strlen(k));

				assert_true(rc == KEHU_OK ||
				            rc == KEHU_ENOTFOUND);
			} else {
				assert_int_equal(vput(vt, k, strlen(k), big,
				                      vl),
				                 KEHU_OK);
			}
		}
		assert_int_not_equal(kehu_storage_memory_bytes(f->m), b0);
		assert_int_equal(vt->rollback(ud), KEHU_OK);
		assert_int_equal(kehu_storage_memory_count(f->m), c0);
		assert_int_equal(kehu_storage_memory_bytes(f->m), b0);
		assert_true(f->t.live - b0 <= 64 * 32);
	}

	/* a small value replaced by ones that fit its inline area: written
	 * in place (the old bytes kept only for the transaction), so
	 * steady replacing neither grows the store nor allocates; a build
	 * for size (core/tuning.h) gives each new value a block, as long
	 * as an undo entry owns the inline one */
	assert_int_equal(vt->begin(ud), KEHU_OK);
	assert_int_equal(vput(vt, "small", 5, "0123456789", 10), KEHU_OK);
	assert_int_equal(vt->commit(ud), KEHU_OK);
	b1 = kehu_storage_memory_bytes(f->m);
	assert_int_equal(vt->begin(ud), KEHU_OK);
	assert_int_equal(vput(vt, "small", 5, "abcdefghij", 10), KEHU_OK);
	assert_int_equal(vt->commit(ud), KEHU_OK);
	assert_int_equal(kehu_storage_memory_bytes(f->m),
	                 KEHU__FAST_PATHS ? b1 : b1 + 10);
	live = f->t.live;
	assert_int_equal(vt->begin(ud), KEHU_OK);
	assert_int_equal(vput(vt, "small", 5, "ABCDEFGHIJ", 10), KEHU_OK);
	assert_int_equal(vput(vt, "small", 5, "xyz", 3), KEHU_OK);
	assert_int_equal(vput(vt, "small", 5, "9876543210", 10), KEHU_OK);
	assert_int_equal(vt->commit(ud), KEHU_OK);
	if (KEHU__FAST_PATHS) {
		assert_int_equal(kehu_storage_memory_bytes(f->m), b1);
		assert_int_equal(f->t.live, live);
	}
	b1 = kehu_storage_memory_bytes(f->m);
	/* ... and a rollback through in-place and separate values puts
	 * back the value before it */
	assert_int_equal(vt->begin(ud), KEHU_OK);
	assert_int_equal(vput(vt, "small", 5, "short", 5), KEHU_OK);
	assert_int_equal(vput(vt, "small", 5, big, 500), KEHU_OK);
	assert_int_equal(vput(vt, "small", 5, "tiny", 4), KEHU_OK);
	assert_int_equal(vput(vt, "small", 5, "ten bytes!", 10), KEHU_OK);
	assert_int_equal(vt->rollback(ud), KEHU_OK);
	assert_int_equal(kehu_storage_memory_bytes(f->m), b1);
	assert_value(vt, ud, "small", "9876543210");
	assert_int_equal(vt->begin(ud), KEHU_OK);
	assert_int_equal(vdel(vt, "small", 5), KEHU_OK);
	assert_int_equal(vt->commit(ud), KEHU_OK);

	/* commit of deletes gives the bytes back */
	assert_int_equal(vt->begin(ud), KEHU_OK);
	for (i = 0; i < 300; i++) {
		snprintf(k, sizeof(k), "key%05d", i);
		assert_int_equal(vdel(vt, k, strlen(k)), KEHU_OK);
	}
	assert_int_equal(kehu_storage_memory_count(f->m), 0);
	assert_int_equal(kehu_storage_memory_bytes(f->m), b0);
	assert_int_equal(vt->commit(ud), KEHU_OK);
	b1 = kehu_storage_memory_bytes(f->m);
	assert_true(b1 < 1024);
	assert_true(f->t.live - b1 <= 64 * 32);
}

/* Freeing a store with a transaction open discards it without leaks. */
static void test_free_in_txn(void **state)
{
	talloc t;
	kehu_storage_memory *m;
	kehu_storage vt;
	unsigned char v[400];
	int i;

	(void)state;
	memset(&t, 0, sizeof(t));
	memset(v, 'v', sizeof(v));
	assert_int_equal(kehu_storage_memory_new(&m, talloc_fn, &t),
	                 KEHU_OK);
	assert_int_equal(kehu_storage_memory_get_vtable(m, &vt), KEHU_OK);
	assert_int_equal(vt.begin(vt.user_data), KEHU_OK);
	for (i = 0; i < 100; i++)
		assert_int_equal(vput(&vt, &i, sizeof(i), v,
		                      (size_t)(i * 4)), KEHU_OK);
	assert_int_equal(vt.commit(vt.user_data), KEHU_OK);
	assert_int_equal(vt.begin(vt.user_data), KEHU_OK);
	for (i = 0; i < 200; i += 2) {
		assert_int_equal(vput(&vt, &i, sizeof(i), v, 300), KEHU_OK);
		assert_int_equal(vdel(&vt, &(int){i + 1}, sizeof(int)),
		                 i + 1 < 100 ? KEHU_OK : KEHU_ENOTFOUND);
	}
	kehu_storage_memory_free(m);
	assert_int_equal(t.live, 0);
	assert_int_equal(t.bad_osize, 0);
}

/* ---- allocation failure at every point ---- */

/* ---- a model of the store's contents, and ops on both ---- */

/* Key i's presence and value; values are stored vmax bytes apart. */
typedef struct model {
	int n;
	size_t vmax;
	unsigned char *present;
	size_t *vl;
	unsigned char *v;
} model;

static void model_init(model *md, int n, size_t vmax)
{
	md->n = n;
	md->vmax = vmax;
	md->present = calloc((size_t)n, 1);
	md->vl = calloc((size_t)n, sizeof(size_t));
	md->v = calloc((size_t)n, vmax);
	assert_non_null(md->present);
	assert_non_null(md->vl);
	assert_non_null(md->v);
}

static void model_copy(model *to, const model *from)
{
	memcpy(to->present, from->present, (size_t)from->n);
	memcpy(to->vl, from->vl, (size_t)from->n * sizeof(size_t));
	memcpy(to->v, from->v, (size_t)from->n * from->vmax);
}

static void model_free(model *md)
{
	free(md->present);
	free(md->vl);
	free(md->v);
}

static const unsigned char *model_value(const model *md, int i)
{
	return md->v + (size_t)i * md->vmax;
}

enum { OP_PUT, OP_DEL, OP_GET };

/* Runs op on key i (bytes k) in the store and the model: the model
 * changes only on success, a del or get must find what the model says.
 * Returns the store's code, a del's or get's expected ENOTFOUND as OK. */
static int model_apply(kehu_storage *vt, model *md, int op, int i,
                       const unsigned char *k, size_t kl,
                       const unsigned char *v, size_t vl)
{
	int rc;

	if (op == OP_PUT) {
		rc = vput(vt, k, kl, v, vl);
		if (rc == KEHU_OK) {
			md->present[i] = 1;
			md->vl[i] = vl;
			memcpy(md->v + (size_t)i * md->vmax, v, vl);
		}
		return rc;
	}
	if (op == OP_DEL) {
		rc = vdel(vt, k, kl);
		if (rc == KEHU_ENOTFOUND) {
			assert_false(md->present[i]);
			return KEHU_OK;
		}
		if (rc == KEHU_OK) {
			assert_true(md->present[i]);
			md->present[i] = 0;
		}
		return rc;
	}
	rc = vt->get(k, kl, sink_nop, NULL, vt->user_data);
	assert_int_equal(rc, md->present[i] ? KEHU_OK : KEHU_ENOTFOUND);
	return KEHU_OK;
}

#define FK 40
#define FV 300 /* crosses the inline limit */

static size_t fkey(int i, unsigned char *k)
{
	size_t n = 1 + (size_t)(i % 4);

	memset(k, 0, 8);
	k[0] = (unsigned char)(i * 5);
	if (n > 1)
		k[1] = (unsigned char)(i % 3 == 0 ? 0xFF : 0x00);
	return n;
}

typedef struct walk {
	const model *r;
	int at;
	int bad;
} walk;

static int walk_cb(const void *k, size_t kl, const void *v, size_t vl,
                   void *ctx)
{
	walk *w = ctx;
	unsigned char want[8];

	while (w->at < FK && !w->r->present[w->at])
		w->at++;
	if (w->at >= FK)
		return w->bad = 1;
	if (kl != fkey(w->at, want) || memcmp(k, want, kl) != 0 ||
	    vl != w->r->vl[w->at] ||
	    (vl > 0 && memcmp(v, model_value(w->r, w->at), vl) != 0))
		w->bad = 1;
	w->at++;
	return w->bad;
}

/* The store holds exactly what r says (keys k(i) sort by i * 5). */
static void check_ref(kehu_storage *vt, const kehu_storage_memory *m,
                      const model *r)
{
	walk w = {r, 0, 0};
	uint64_t n = 0;
	int i;

	assert_int_equal(vt->scan(NULL, 0, NULL, 0, walk_cb, &w,
	                          vt->user_data),
	                 KEHU_OK);
	assert_int_equal(w.bad, 0);
	for (i = w.at; i < FK; i++)
		assert_false(r->present[i]);
	for (i = 0; i < FK; i++)
		n += (uint64_t)r->present[i];
	assert_int_equal(kehu_storage_memory_count(m), n);
}

/*
 * Runs a fixed scenario: a load transaction, then ~50 mixed ops.  Each
 * call must return what the reference expects or KEHU_ENOMEM, and after
 * an ENOMEM nothing may have changed.  With rollback_on_fail, the first
 * ENOMEM rolls the transaction back (as the library does) and ends the
 * scenario.
 */
static void fail_scenario(kehu_storage *vt, kehu_storage_memory *m,
                          int rollback_on_fail)
{
	model ref;
	model at_begin;
	model *r = &ref;
	void *ud = vt->user_data;
	rng g = {0x1234567u};
	unsigned char k[8];
	int txn;
	int op;

	model_init(r, FK, FV);
	model_init(&at_begin, FK, FV);
	for (txn = 0; txn < 2; txn++) {
		int nops = txn == 0 ? 20 : 50;

		model_copy(&at_begin, r);
		assert_int_equal(vt->begin(ud), KEHU_OK);
		for (op = 0; op < nops; op++) {
			uint64_t x = rng_next(&g);
			int i = (int)(x % FK);
			unsigned what = txn == 0 ? 0 : (unsigned)(x >> 8) % 10;
			size_t kl = fkey(i, k);
			uint64_t bytes = kehu_storage_memory_bytes(m);
			unsigned char v[FV];
			size_t vl = (size_t)(x >> 20) % FV;
			size_t j;
			int rc;

			for (j = 0; j < vl; j++)
				v[j] = (unsigned char)(x >> (j % 40));
			rc = model_apply(vt, r, what < 5   ? OP_PUT
			                        : what < 8 ? OP_DEL
			                                   : OP_GET,
			                 i, k, kl, v, vl);
			if (rc == KEHU_ENOMEM) {
				assert_int_equal(
				        kehu_storage_memory_bytes(m), bytes);
				check_ref(vt, m, r);
				if (rollback_on_fail) {
					assert_int_equal(vt->rollback(ud),
					                 KEHU_OK);
					check_ref(vt, m, &at_begin);
					goto done;
				}
			} else {
				assert_int_equal(rc, KEHU_OK);
			}
		}
		assert_int_equal(vt->commit(ud), KEHU_OK);
		check_ref(vt, m, r);
	}
done:
	model_free(&at_begin);
	model_free(r);
}

static void test_failing_allocator(void **state)
{
	int mode;

	(void)state;
	for (mode = 0; mode < 2; mode++) {
		long k;

		for (k = 1;; k++) {
			talloc t;
			kehu_storage_memory *m = NULL;
			kehu_storage vt;
			int rc;

			memset(&t, 0, sizeof(t));
			t.fail_at = k;
			rc = kehu_storage_memory_new(&m, talloc_fn, &t);
			if (rc == KEHU_OK) {
				assert_int_equal(
				        kehu_storage_memory_get_vtable(m, &vt),
				        KEHU_OK);
				fail_scenario(&vt, m, mode);
				kehu_storage_memory_free(m);
			} else {
				assert_int_equal(rc, KEHU_ENOMEM);
				assert_null(m);
			}
			assert_int_equal(t.live, 0);
			assert_int_equal(t.bad_osize, 0);
			if (t.nfailed == 0)
				break; /* the scenario ran without failing */
			assert_true(k < 100000);
		}
		/* the scenario did allocate, and each point was hit */
		assert_true(k > 40);
	}
}

/* ---- many keys against a model, rolled back and failing ---- */

#define MKEY 400 /* longest key: some far longer than a node's usual */
#define MV 700   /* longest value: likewise */

/* Distinct keys with shared prefixes of 0 to 60 bytes ('p'), every 50th
 * one of 300, and tails of 0 to 6 bytes: neighbours in key order that
 * share prefixes of every length. */
static size_t mkey(int i, unsigned char *k)
{
	size_t pre = i % 50 == 0 ? 300 : (size_t)(i % 4) * 20;
	size_t tail = (size_t)(i % 7);

	memset(k, 'p', pre);
	k[pre] = (unsigned char)(i >> 8);
	k[pre + 1] = (unsigned char)i;
	memset(k + pre + 2, 'z', tail);
	return pre + 2 + tail;
}

typedef struct mscan {
	unsigned char prev[MKEY];
	size_t prevlen;
	uint64_t n;
	int bad;
} mscan;

static int mscan_cb(const void *k, size_t kl, const void *v, size_t vl,
                    void *ctx)
{
	mscan *c = ctx;
	size_t n = kl < c->prevlen ? kl : c->prevlen;
	int cmp = memcmp(c->prev, k, n);

	(void)v;
	(void)vl;
	if (c->n > 0 && (cmp > 0 || (cmp == 0 && c->prevlen >= kl)))
		c->bad = 1;
	memcpy(c->prev, k, kl);
	c->prevlen = kl;
	c->n++;
	return KEHU_OK;
}

typedef struct mwant {
	const unsigned char *v;
	size_t vl;
} mwant;

static int sink_mwant(const void *v, size_t vl, void *ctx)
{
	const mwant *w = ctx;

	return vl == w->vl && (vl == 0 || memcmp(v, w->v, vl) == 0)
	               ? KEHU_OK
	               : KEHU_ERROR;
}

/* The store holds exactly the model: every key's value, the count, and
 * a scan in strictly ascending order over as many keys. */
static void model_check(kehu_storage *vt, const kehu_storage_memory *m,
                        const model *md)
{
	mscan *c = calloc(1, sizeof(*c));
	unsigned char k[MKEY];
	uint64_t n = 0;
	int i;

	assert_non_null(c);
	for (i = 0; i < md->n; i++) {
		size_t kl = mkey(i, k);
		mwant w = {model_value(md, i), md->vl[i]};

		n += md->present[i];
		assert_int_equal(vt->get(k, kl, sink_mwant, &w, vt->user_data),
		                 md->present[i] ? KEHU_OK : KEHU_ENOTFOUND);
	}
	assert_int_equal(kehu_storage_memory_count(m), n);
	assert_int_equal(vt->scan(NULL, 0, NULL, 0, mscan_cb, c,
	                          vt->user_data),
	                 KEHU_OK);
	assert_int_equal(c->bad, 0);
	assert_int_equal(c->n, n);
	free(c);
}

/* One random op on the store and the model: put (mostly values under
 * 120 bytes, now and then one up to MV-1), del or get. */
static int model_op(kehu_storage *vt, model *md, rng *g)
{
	uint64_t x = rng_next(g);
	int i = (int)(x % (uint64_t)md->n);
	unsigned what = (unsigned)(x >> 20) % 20;
	unsigned char k[MKEY];
	unsigned char v[MV];
	size_t kl = mkey(i, k);
	size_t vl = (size_t)(x >> 32) % (what == 0 ? MV : 120);
	size_t j;

	for (j = 0; j < vl; j++)
		v[j] = (unsigned char)(x >> (j % 48) ^ j);
	return model_apply(vt, md, what < 11   ? OP_PUT
	                           : what < 16 ? OP_DEL
	                                       : OP_GET,
	                   i, k, kl, v, vl);
}

/*
 * ntxn transactions of nops random ops over nkeys keys; every third one
 * after the first rolls back, the others commit.  After a rollback the
 * store holds what it held at begin, down to its byte count.  An
 * ENOMEM must change nothing, and the transaction is then rolled back,
 * as the library does.  Returns the failures seen.
 */
static int model_scenario(kehu_storage *vt, kehu_storage_memory *m,
                          int nkeys, int ntxn, int nops, int check_each)
{
	void *ud = vt->user_data;
	model md;
	model at_begin;
	rng g = {0xfeed5eedu};
	int failures = 0;
	int txn;
	int op;

	model_init(&md, nkeys, MV);
	model_init(&at_begin, nkeys, MV);
	for (txn = 0; txn < ntxn; txn++) {
		uint64_t bytes0 = kehu_storage_memory_bytes(m);
		int rollback = txn > 0 && txn % 3 == 0;

		model_copy(&at_begin, &md);
		assert_int_equal(vt->begin(ud), KEHU_OK);
		for (op = 0; op < nops; op++) {
			uint64_t bytes = kehu_storage_memory_bytes(m);
			int rc = model_op(vt, &md, &g);

			if (rc == KEHU_ENOMEM) {
				failures++;
				assert_int_equal(kehu_storage_memory_bytes(m),
				                 bytes);
				model_check(vt, m, &md);
				rollback = 1;
				break;
			}
			assert_int_equal(rc, KEHU_OK);
		}
		if (check_each)
			model_check(vt, m, &md);
		if (rollback) {
			assert_int_equal(vt->rollback(ud), KEHU_OK);
			model_copy(&md, &at_begin);
			assert_int_equal(kehu_storage_memory_bytes(m), bytes0);
		} else {
			assert_int_equal(vt->commit(ud), KEHU_OK);
		}
		model_check(vt, m, &md);
	}
	model_free(&at_begin);
	model_free(&md);
	return failures;
}

static void test_many_keys_model(void **state)
{
	fx *f = *state;

	assert_int_equal(model_scenario(&f->vt, f->m, 3000, 12, 4000, 1), 0);
	/* every key deleted: the count and bytes of an empty store */
	{
		kehu_storage_memory *e;
		kehu_storage *vt = &f->vt;
		unsigned char k[MKEY];
		int i;

		assert_int_equal(vt->begin(vt->user_data), KEHU_OK);
		for (i = 0; i < 3000; i++) {
			int rc = vdel(vt, k, mkey(i, k));

			assert_true(rc == KEHU_OK || rc == KEHU_ENOTFOUND);
		}
		assert_int_equal(vt->commit(vt->user_data), KEHU_OK);
		assert_int_equal(kehu_storage_memory_new(&e, NULL, NULL),
		                 KEHU_OK);
		assert_int_equal(kehu_storage_memory_count(f->m), 0);
		assert_int_equal(kehu_storage_memory_bytes(f->m),
		                 kehu_storage_memory_bytes(e));
		kehu_storage_memory_free(e);
	}
}

/* The db's pattern when recording: rounds over the customers, each
 * writing two keys far apart in key order (an interaction and its day
 * bucket), so a store that remembers where it last wrote is asked to
 * remember two places. */
#define NRC 20000

static void test_two_runs_in_rounds(void **state)
{
	fx *f = *state;
	kehu_storage *vt = &f->vt;
	void *ud = vt->user_data;
	mscan *c = calloc(1, sizeof(*c));
	unsigned char k[16];
	unsigned char v[40];
	uint32_t cu;
	uint32_t r;
	int run;

	assert_non_null(c);
	memset(v, 'v', sizeof(v));
	assert_int_equal(vt->begin(ud), KEHU_OK);
	for (r = 0; r < 12; r++) {
		for (cu = 0; cu < NRC; cu++) {
			for (run = 0; run < 2; run++) {
				k[0] = run ? 'I' : 'D';
				k[1] = (unsigned char)(cu >> 24);
				k[2] = (unsigned char)(cu >> 16);
				k[3] = (unsigned char)(cu >> 8);
				k[4] = (unsigned char)cu;
				k[5] = (unsigned char)r;
				assert_int_equal(vput(vt, k, 6, v,
				                      run ? 30 : 12),
				                 KEHU_OK);
			}
		}
		if (r == 5) { /* half of it rolled back, then done again */
			assert_int_equal(vt->commit(ud), KEHU_OK);
			assert_int_equal(vt->begin(ud), KEHU_OK);
		}
	}
	assert_int_equal(vt->rollback(ud), KEHU_OK);
	assert_int_equal(kehu_storage_memory_count(f->m), 6 * NRC * 2);
	assert_int_equal(vt->scan(NULL, 0, NULL, 0, mscan_cb, c, ud),
	                 KEHU_OK);
	assert_int_equal(c->bad, 0);
	assert_int_equal(c->n, 6 * NRC * 2);
	for (cu = 0; cu < NRC; cu += 7) {
		k[0] = 'I';
		k[1] = (unsigned char)(cu >> 24);
		k[2] = (unsigned char)(cu >> 16);
		k[3] = (unsigned char)(cu >> 8);
		k[4] = (unsigned char)cu;
		for (r = 0; r < 12; r++) {
			k[5] = (unsigned char)r;
			assert_int_equal(vt->get(k, 6, sink_nop, NULL, ud),
			                 r < 6 ? KEHU_OK : KEHU_ENOTFOUND);
		}
	}
	free(c);
}

/* Allocation failure at every point of a scenario of many keys and
 * transactions, some rolled back. */
static void test_many_keys_failing_allocator(void **state)
{
	long k;
	int failures = 0;

	(void)state;
	for (k = 1;; k++) {
		talloc t;
		kehu_storage_memory *m = NULL;
		kehu_storage vt;

		memset(&t, 0, sizeof(t));
		t.fail_at = k;
		if (kehu_storage_memory_new(&m, talloc_fn, &t) == KEHU_OK) {
			assert_int_equal(kehu_storage_memory_get_vtable(m, &vt),
			                 KEHU_OK);
			failures += model_scenario(&vt, m, 400, 6, 300, 0);
			kehu_storage_memory_free(m);
		}
		assert_int_equal(t.live, 0);
		assert_int_equal(t.bad_osize, 0);
		if (t.nfailed == 0)
			break;
		assert_true(k < 100000);
	}
	assert_true(k > 30);
	assert_true(failures > 20);
}

/* ---- size ---- */

#define BIGN 200000

typedef struct order_check {
	uint32_t next;
	int bad;
} order_check;

static int order_cb(const void *k, size_t kl, const void *v, size_t vl,
                    void *ctx)
{
	order_check *c = ctx;
	const unsigned char *p = k;
	uint32_t id;

	if (kl != 6 + (c->next % 11) || p[0] != 'K' || vl != 20) {
		c->bad = 1;
		return 1;
	}
	id = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 |
	     (uint32_t)p[3] << 8 | p[4];
	if (id != c->next || memcmp(v, p, 5) != 0) {
		c->bad = 1;
		return 1;
	}
	c->next++;
	return KEHU_OK;
}

static size_t big_key(uint32_t id, unsigned char *k)
{
	size_t n = 6 + id % 11;

	k[0] = 'K';
	k[1] = (unsigned char)(id >> 24);
	k[2] = (unsigned char)(id >> 16);
	k[3] = (unsigned char)(id >> 8);
	k[4] = (unsigned char)id;
	memset(k + 5, (int)(id & 0xFF), n - 5);
	return n;
}

static void test_200k_ordered_scan(void **state)
{
	fx *f = *state;
	kehu_storage *vt = &f->vt;
	void *ud = vt->user_data;
	uint32_t *perm = malloc(BIGN * sizeof(*perm));
	rng g = {99};
	order_check c = {0, 0};
	unsigned char k[32];
	unsigned char v[20];
	uint32_t i;

	assert_non_null(perm);
	for (i = 0; i < BIGN; i++)
		perm[i] = i;
	for (i = BIGN - 1; i > 0; i--) {
		uint32_t j = (uint32_t)(rng_next(&g) % (i + 1));
		uint32_t t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	assert_int_equal(vt->begin(ud), KEHU_OK);
	for (i = 0; i < BIGN; i++) {
		size_t kl = big_key(perm[i], k);

		memset(v, 0, sizeof(v));
		memcpy(v, k, 5);
		assert_int_equal(vput(vt, k, kl, v, sizeof(v)), KEHU_OK);
	}
	assert_int_equal(vt->commit(ud), KEHU_OK);
	assert_int_equal(kehu_storage_memory_count(f->m), BIGN);
	assert_int_equal(vt->scan(NULL, 0, NULL, 0, order_cb, &c, ud),
	                 KEHU_OK);
	assert_int_equal(c.bad, 0);
	assert_int_equal(c.next, BIGN);

	/* a range from the middle */
	c.next = 123456;
	{
		unsigned char e[32];
		size_t sl = big_key(123456, k);
		size_t el = big_key(123500, e);

		assert_int_equal(vt->scan(k, sl, e, el, order_cb, &c, ud),
		                 KEHU_OK);
	}
	assert_int_equal(c.bad, 0);
	assert_int_equal(c.next, 123500);
	free(perm);
}

/* ---- main ---- */

int main(void)
{
	talloc t1;
	talloc t2;
	const kehu_conformance_factory plain = {open_plain, destroy_plain,
	                                        &t1};
	const kehu_conformance_factory owned = {open_owned, destroy_owned,
	                                        &t2};
	const kehu_conformance_factory dflt = {open_default, destroy_default,
	                                       NULL};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_api_args, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_misuse, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(test_accounting, fx_setup,
		                                fx_teardown),
		cmocka_unit_test(test_free_in_txn),
		cmocka_unit_test(test_failing_allocator),
		cmocka_unit_test_setup_teardown(test_many_keys_model, fx_setup,
		                                fx_teardown),
		cmocka_unit_test(test_many_keys_failing_allocator),
		cmocka_unit_test_setup_teardown(test_two_runs_in_rounds,
		                                fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_200k_ordered_scan,
		                                fx_setup, fx_teardown),
	};
	int failed = 0;

	memset(&t1, 0, sizeof(t1));
	memset(&t2, 0, sizeof(t2));
	failed += kehu_conformance_run("memory store (caller-owned)", &plain);
	failed += kehu_conformance_run("memory store (db-owned)", &owned);
	failed += kehu_conformance_run("memory store (libc allocator)",
	                               &dflt);
	failed += cmocka_run_group_tests_name("memory store", tests, NULL,
	                                      NULL);
	return failed == 0 ? 0 : 1;
}
