/*
 * tests/storage/conformance: storage conformance tests on cmocka.  Test
 * layer: each test gets a fresh store from the factory and checks one
 * rule of kehu/sys/storage.h through the vtable only.
 *
 * The factory reaches the tests as each test's prestate (cmocka 1.1 gives
 * a group setup no input, and the suite keeps no global data).
 */
#include "conformance.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kehu/errors.h"

typedef struct fixture {
	const kehu_conformance_factory *f;
	kehu_storage vt;
} fixture;

/* ---- helpers ---- */

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

static int begin(fixture *fx)
{
	return fx->vt.begin(fx->vt.user_data);
}

static int commit(fixture *fx)
{
	return fx->vt.commit(fx->vt.user_data);
}

static int rollback(fixture *fx)
{
	return fx->vt.rollback(fx->vt.user_data);
}

static int put(fixture *fx, const void *k, size_t kl, const void *v,
               size_t vl)
{
	return fx->vt.put(k, kl, v, vl, fx->vt.user_data);
}

static int put_s(fixture *fx, const char *k, const char *v)
{
	return put(fx, k, strlen(k), v, strlen(v));
}

static int del(fixture *fx, const void *k, size_t kl)
{
	return fx->vt.del(k, kl, fx->vt.user_data);
}

static int del_s(fixture *fx, const char *k)
{
	return del(fx, k, strlen(k));
}

typedef struct got {
	unsigned char *buf;
	size_t len;
	int calls;
	int ret; /* what the sink returns */
} got;

static int got_sink(const void *value, size_t vlen, void *ctx)
{
	got *g = ctx;

	g->calls++;
	free(g->buf);
	g->buf = malloc(vlen + 1);
	if (!g->buf)
		return KEHU_ENOMEM;
	if (vlen > 0)
		memcpy(g->buf, value, vlen);
	g->len = vlen;
	return g->ret;
}

/* get into g (reset first); returns the store's code. */
static int get(fixture *fx, const void *k, size_t kl, got *g)
{
	g->calls = 0;
	g->len = 0;
	return fx->vt.get(k, kl, got_sink, g, fx->vt.user_data);
}

/* Asserts k holds exactly v (vl bytes), with one sink call. */
static void check_get(fixture *fx, const void *k, size_t kl, const void *v,
                      size_t vl)
{
	got g = {NULL, 0, 0, KEHU_OK};

	assert_int_equal(get(fx, k, kl, &g), KEHU_OK);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.len, vl);
	if (vl > 0)
		assert_memory_equal(g.buf, v, vl);
	free(g.buf);
}

static void check_get_s(fixture *fx, const char *k, const char *v)
{
	check_get(fx, k, strlen(k), v, strlen(v));
}

static void check_absent(fixture *fx, const void *k, size_t kl)
{
	got g = {NULL, 0, 0, KEHU_OK};

	assert_int_equal(get(fx, k, kl, &g), KEHU_ENOTFOUND);
	assert_int_equal(g.calls, 0);
	free(g.buf);
}

typedef struct entry {
	unsigned char *k;
	size_t kl;
	unsigned char *v;
	size_t vl;
} entry;

typedef struct list {
	entry *e;
	size_t n;
	size_t cap;
	int stop_at;   /* return stop_ret when n reaches this (0: never) */
	int stop_ret;
} list;

static unsigned char *dup_bytes(const void *p, size_t n)
{
	unsigned char *d = malloc(n + 1);

	if (d && n > 0)
		memcpy(d, p, n);
	return d;
}

static int collect(const void *k, size_t kl, const void *v, size_t vl,
                   void *ctx)
{
	list *l = ctx;
	entry *e;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		entry *ne = realloc(l->e, ncap * sizeof(*ne));

		if (!ne)
			return KEHU_ENOMEM;
		l->e = ne;
		l->cap = ncap;
	}
	e = &l->e[l->n];
	e->k = dup_bytes(k, kl);
	e->v = dup_bytes(v, vl);
	if (!e->k || !e->v) {
		free(e->k);
		free(e->v);
		return KEHU_ENOMEM;
	}
	e->kl = kl;
	e->vl = vl;
	l->n++;
	if (l->stop_at > 0 && l->n == (size_t)l->stop_at)
		return l->stop_ret;
	return KEHU_OK;
}

static void list_free(list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->e[i].k);
		free(l->e[i].v);
	}
	free(l->e);
	memset(l, 0, sizeof(*l));
}

static int bytes_cmp(const unsigned char *a, size_t al,
                     const unsigned char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	if (c != 0)
		return c;
	return (al > bl) - (al < bl);
}

static int scan(fixture *fx, const void *s, size_t sl, const void *e,
                size_t el, list *out)
{
	return fx->vt.scan(s, sl, e, el, collect, out, fx->vt.user_data);
}

/* Full scan into out; asserts success and strictly rising keys. */
static void scan_all(fixture *fx, list *out)
{
	size_t i;

	memset(out, 0, sizeof(*out));
	assert_int_equal(scan(fx, NULL, 0, NULL, 0, out), KEHU_OK);
	for (i = 1; i < out->n; i++)
		assert_true(bytes_cmp(out->e[i - 1].k, out->e[i - 1].kl,
		                      out->e[i].k, out->e[i].kl) < 0);
}

static void assert_lists_equal(const list *a, const list *b)
{
	size_t i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->e[i].kl, b->e[i].kl);
		assert_memory_equal(a->e[i].k, b->e[i].k, a->e[i].kl);
		assert_int_equal(a->e[i].vl, b->e[i].vl);
		if (a->e[i].vl > 0)
			assert_memory_equal(a->e[i].v, b->e[i].v, a->e[i].vl);
	}
}

/* Asserts l's keys are exactly the NUL-terminated strings in want. */
static void assert_keys(const list *l, const char *const *want, size_t n)
{
	size_t i;

	assert_int_equal(l->n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(l->e[i].kl, strlen(want[i]));
		assert_memory_equal(l->e[i].k, want[i], l->e[i].kl);
	}
}

/* Commits a, b, ba, c, d with values "v" + key. */
static void load_abcd(fixture *fx)
{
	static const char *const keys[] = {"d", "ba", "a", "c", "b"};
	char v[8];
	size_t i;

	assert_int_equal(begin(fx), KEHU_OK);
	for (i = 0; i < 5; i++) {
		v[0] = 'v';
		strcpy(v + 1, keys[i]);
		assert_int_equal(put_s(fx, keys[i], v), KEHU_OK);
	}
	assert_int_equal(commit(fx), KEHU_OK);
}

/* ---- fixtures ---- */

static int setup(void **state)
{
	const kehu_conformance_factory *f = *state;
	fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->f = f;
	if (f->open(&fx->vt, f->user_data) != KEHU_OK) {
		free(fx);
		return -1;
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;

	if (fx->vt.close)
		fx->vt.close(fx->vt.user_data);
	if (fx->f->destroy)
		fx->f->destroy(&fx->vt, fx->f->user_data);
	free(fx);
	return 0;
}

/* ---- tests ---- */

/* memcmp order, shorter prefix first, bytes 0x00 and 0xFF unsigned. */
static void test_order_binary(void **state)
{
	fixture *fx = *state;
	/* length-prefixed keys, listed in the expected order */
	static const unsigned char want[][5] = {
		{1, 0x00},
		{2, 0x00, 0x00},
		{3, 0x00, 0x00, 0xFF},
		{2, 0x00, 0x01},
		{1, 0x01},
		{1, 'a'},
		{2, 'a', 0x00},
		{2, 'a', 'b'},
		{3, 'a', 'b', 'c'},
		{2, 'a', 0x7F},
		{2, 'a', 0x80},
		{2, 'a', 0xFF},
		{1, 'b'},
		{1, 0x7F},
		{1, 0x80},
		{1, 0xFF},
		{2, 0xFF, 0x00},
		{2, 0xFF, 0xFF},
		{4, 0xFF, 0xFF, 0xFF, 0xFF},
	};
	const size_t n = sizeof(want) / sizeof(want[0]);
	size_t order[sizeof(want) / sizeof(want[0])];
	rng r = {42};
	list l;
	size_t i;

	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		size_t j = (size_t)(rng_next(&r) % (i + 1));
		size_t t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	assert_int_equal(begin(fx), KEHU_OK);
	for (i = 0; i < n; i++) {
		const unsigned char *k = want[order[i]];

		/* the value is the key's rank, so values travel with keys */
		assert_int_equal(put(fx, k + 1, k[0], &order[i],
		                     sizeof(order[i])), KEHU_OK);
	}
	assert_int_equal(commit(fx), KEHU_OK);
	scan_all(fx, &l);
	assert_int_equal(l.n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(l.e[i].kl, want[i][0]);
		assert_memory_equal(l.e[i].k, want[i] + 1, want[i][0]);
		assert_int_equal(l.e[i].vl, sizeof(size_t));
		assert_memory_equal(l.e[i].v, &i, sizeof(i));
	}
	list_free(&l);
	for (i = 0; i < n; i++)
		check_get(fx, want[i] + 1, want[i][0], &i, sizeof(i));
}

/* Keys of 1 to 40 bytes from three byte values (0x00, 0x80, 0xFF), so
 * that many share long prefixes or are prefixes of others: a store that
 * compares a word at a time must still give memcmp order at every
 * length, and at every offset where two keys first differ. */
#define LONG_KEYS 800
#define LONG_KEY_MAX 40

typedef struct long_key {
	unsigned char k[LONG_KEY_MAX];
	size_t kl;
} long_key;

static int long_key_cmp(const void *pa, const void *pb)
{
	const long_key *a = pa, *b = pb;
	size_t n = a->kl < b->kl ? a->kl : b->kl;
	int c = memcmp(a->k, b->k, n);

	if (c != 0)
		return c;
	return (a->kl > b->kl) - (a->kl < b->kl);
}

static void test_order_long_keys(void **state)
{
	static const unsigned char alphabet[3] = {0x00, 0x80, 0xFF};
	fixture *fx = *state;
	long_key *keys = calloc(LONG_KEYS, sizeof *keys);
	rng r = {7};
	size_t i, j, n = 0;
	list l;

	assert_non_null(keys);
	while (n < LONG_KEYS) {
		long_key *k = &keys[n];

		/* a copy of an earlier key changed at one byte, cut or
		 * grown, or a fresh key: long shared prefixes */
		if (n > 0 && rng_next(&r) % 4 != 0) {
			*k = keys[rng_next(&r) % n];
			k->kl = 1 + (size_t)(rng_next(&r) % LONG_KEY_MAX);
		} else {
			k->kl = 1 + (size_t)(rng_next(&r) % LONG_KEY_MAX);
			memset(k->k, 0, sizeof k->k);
		}
		k->k[rng_next(&r) % k->kl] = alphabet[rng_next(&r) % 3];
		for (j = 0; j < n && long_key_cmp(&keys[j], k) != 0; j++)
			;
		if (j == n)
			n++; /* new: keep it */
	}
	assert_int_equal(begin(fx), KEHU_OK);
	for (i = 0; i < n; i++)
		assert_int_equal(put(fx, keys[i].k, keys[i].kl, keys[i].k,
		                     keys[i].kl), KEHU_OK);
	assert_int_equal(commit(fx), KEHU_OK);
	qsort(keys, n, sizeof *keys, long_key_cmp);
	scan_all(fx, &l);
	assert_int_equal(l.n, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(l.e[i].kl, keys[i].kl);
		assert_memory_equal(l.e[i].k, keys[i].k, keys[i].kl);
		/* each value is its key */
		assert_int_equal(l.e[i].vl, keys[i].kl);
		assert_memory_equal(l.e[i].v, keys[i].k, keys[i].kl);
	}
	list_free(&l);
	for (i = 0; i < n; i++)
		check_get(fx, keys[i].k, keys[i].kl, keys[i].k, keys[i].kl);
	free(keys);
}

static void test_scan_bounds(void **state)
{
	fixture *fx = *state;
	static const char *const all[] = {"a", "b", "ba", "c", "d"};
	list l;

	load_abcd(fx);

	/* start inclusive, end exclusive */
	memset(&l, 0, sizeof(l));
	assert_int_equal(scan(fx, "b", 1, "d", 1, &l), KEHU_OK);
	assert_keys(&l, all + 1, 3);
	list_free(&l);

	/* empty start: from the first key */
	assert_int_equal(scan(fx, NULL, 0, "c", 1, &l), KEHU_OK);
	assert_keys(&l, all, 3);
	list_free(&l);
	assert_int_equal(scan(fx, "", 0, "b", 1, &l), KEHU_OK);
	assert_keys(&l, all, 1);
	list_free(&l);

	/* absent start, NULL end: to the last key */
	assert_int_equal(scan(fx, "bz", 2, NULL, 0, &l), KEHU_OK);
	assert_keys(&l, all + 3, 2);
	list_free(&l);

	/* non-NULL end of length 0 also means to the end */
	assert_int_equal(scan(fx, "c", 1, "", 0, &l), KEHU_OK);
	assert_keys(&l, all + 3, 2);
	list_free(&l);

	/* a prefix as end excludes the longer key, keeps the shorter */
	assert_int_equal(scan(fx, "a", 1, "ba", 2, &l), KEHU_OK);
	assert_keys(&l, all, 2);
	list_free(&l);

	/* a one-key range: [ba, ba\0) */
	assert_int_equal(scan(fx, "ba", 2, "ba\0", 3, &l), KEHU_OK);
	assert_keys(&l, all + 2, 1);
	list_free(&l);

	/* empty range */
	assert_int_equal(scan(fx, "b", 1, "b", 1, &l), KEHU_OK);
	assert_int_equal(l.n, 0);
	list_free(&l);

	/* start > end yields nothing */
	assert_int_equal(scan(fx, "d", 1, "b", 1, &l), KEHU_OK);
	assert_int_equal(l.n, 0);
	list_free(&l);

	/* start past the last key */
	assert_int_equal(scan(fx, "e", 1, NULL, 0, &l), KEHU_OK);
	assert_int_equal(l.n, 0);
	list_free(&l);

	/* end before the first key */
	assert_int_equal(scan(fx, NULL, 0, "0", 1, &l), KEHU_OK);
	assert_int_equal(l.n, 0);
	list_free(&l);

	/* the whole store */
	scan_all(fx, &l);
	assert_keys(&l, all, 5);
	assert_int_equal(l.e[2].vl, 3);
	assert_memory_equal(l.e[2].v, "vba", 3);
	list_free(&l);
}

static void test_scan_stop_early(void **state)
{
	fixture *fx = *state;
	static const char *const all[] = {"a", "b", "ba", "c", "d"};
	list l;

	load_abcd(fx);
	memset(&l, 0, sizeof(l));
	l.stop_at = 3;
	l.stop_ret = 7;
	assert_int_equal(scan(fx, NULL, 0, NULL, 0, &l), 7);
	assert_keys(&l, all, 3);
	list_free(&l);

	/* a negative code comes back unchanged too, after one visit */
	l.stop_at = 1;
	l.stop_ret = KEHU_EUSER;
	assert_int_equal(scan(fx, "b", 1, NULL, 0, &l), KEHU_EUSER);
	assert_keys(&l, all + 1, 1);
	list_free(&l);
}

static void test_get_in_txn(void **state)
{
	fixture *fx = *state;
	got g = {NULL, 0, 0, KEHU_OK};
	list l;

	assert_int_equal(begin(fx), KEHU_OK);
	check_absent(fx, "k", 1);
	assert_int_equal(put_s(fx, "k", "value-1"), KEHU_OK);
	check_get_s(fx, "k", "value-1");
	check_absent(fx, "j", 1);
	check_absent(fx, "kk", 2);
	scan_all(fx, &l);
	assert_int_equal(l.n, 1);
	list_free(&l);

	/* get returns exactly what the sink returned */
	g.ret = 5;
	assert_int_equal(get(fx, "k", 1, &g), 5);
	assert_int_equal(g.calls, 1);
	g.ret = KEHU_EUSER;
	assert_int_equal(get(fx, "k", 1, &g), KEHU_EUSER);
	assert_int_equal(g.calls, 1);
	free(g.buf);

	assert_int_equal(commit(fx), KEHU_OK);
	check_get_s(fx, "k", "value-1");
}

/* get and scan work outside a transaction and see committed data. */
static void test_read_outside_txn(void **state)
{
	fixture *fx = *state;
	list l;

	check_absent(fx, "a", 1);
	scan_all(fx, &l);
	assert_int_equal(l.n, 0);
	list_free(&l);
	load_abcd(fx);
	check_get_s(fx, "ba", "vba");
	check_absent(fx, "bb", 2);
	scan_all(fx, &l);
	assert_int_equal(l.n, 5);
	list_free(&l);
}

static void test_put_replaces(void **state)
{
	fixture *fx = *state;
	list l;

	assert_int_equal(begin(fx), KEHU_OK);
	assert_int_equal(put_s(fx, "k", "first"), KEHU_OK);
	assert_int_equal(put_s(fx, "k", "a much longer second value"),
	                 KEHU_OK);
	check_get_s(fx, "k", "a much longer second value");
	assert_int_equal(commit(fx), KEHU_OK);
	check_get_s(fx, "k", "a much longer second value");

	assert_int_equal(begin(fx), KEHU_OK);
	assert_int_equal(put_s(fx, "k", "3rd"), KEHU_OK);
	check_get_s(fx, "k", "3rd");
	assert_int_equal(commit(fx), KEHU_OK);
	check_get_s(fx, "k", "3rd");

	scan_all(fx, &l);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.e[0].vl, 3);
	assert_memory_equal(l.e[0].v, "3rd", 3);
	list_free(&l);
}

static void test_del_then_get(void **state)
{
	fixture *fx = *state;
	static const char *const rest[] = {"a", "ba", "c", "d"};
	list l;

	load_abcd(fx);
	assert_int_equal(begin(fx), KEHU_OK);
	assert_int_equal(del_s(fx, "b"), KEHU_OK);
	check_absent(fx, "b", 1);
	check_get_s(fx, "ba", "vba");
	scan_all(fx, &l);
	assert_keys(&l, rest, 4);
	list_free(&l);
	assert_int_equal(commit(fx), KEHU_OK);
	check_absent(fx, "b", 1);
	scan_all(fx, &l);
	assert_keys(&l, rest, 4);
	list_free(&l);

	/* put after del in one transaction brings the key back */
	assert_int_equal(begin(fx), KEHU_OK);
	assert_int_equal(del_s(fx, "c"), KEHU_OK);
	assert_int_equal(put_s(fx, "c", "again"), KEHU_OK);
	check_get_s(fx, "c", "again");
	assert_int_equal(commit(fx), KEHU_OK);
	check_get_s(fx, "c", "again");
}

static void test_del_absent(void **state)
{
	fixture *fx = *state;

	load_abcd(fx);
	assert_int_equal(begin(fx), KEHU_OK);
	assert_int_equal(del_s(fx, "nope"), KEHU_ENOTFOUND);
	assert_int_equal(del_s(fx, "bb"), KEHU_ENOTFOUND);
	assert_int_equal(del_s(fx, "b"), KEHU_OK);
	assert_int_equal(del_s(fx, "b"), KEHU_ENOTFOUND);
	assert_int_equal(commit(fx), KEHU_OK);
	check_get_s(fx, "ba", "vba");
	check_get_s(fx, "a", "va");
}

/* The edits both commit and rollback tests apply to a..d. */
static void edit_abcd(fixture *fx)
{
	assert_int_equal(begin(fx), KEHU_OK);
	assert_int_equal(put_s(fx, "a", "replaced, longer than before"),
	                 KEHU_OK);
	assert_int_equal(put_s(fx, "c", ""), KEHU_OK);
	assert_int_equal(del_s(fx, "b"), KEHU_OK);
	assert_int_equal(del_s(fx, "d"), KEHU_OK);
	assert_int_equal(put_s(fx, "d", "new d"), KEHU_OK);
	assert_int_equal(put_s(fx, "aa", "inserted"), KEHU_OK);
	assert_int_equal(put_s(fx, "e", "inserted"), KEHU_OK);
	assert_int_equal(put_s(fx, "e", "inserted twice"), KEHU_OK);
	assert_int_equal(put_s(fx, "f", "inserted then deleted"), KEHU_OK);
	assert_int_equal(del_s(fx, "f"), KEHU_OK);
	assert_int_equal(put_s(fx, "ba", "vba 2"), KEHU_OK);
	assert_int_equal(put_s(fx, "ba", "vba 3"), KEHU_OK);
}

static void test_rollback_discards(void **state)
{
	fixture *fx = *state;
	list before;
	list after;

	load_abcd(fx);
	scan_all(fx, &before);
	edit_abcd(fx);
	assert_int_equal(rollback(fx), KEHU_OK);
	scan_all(fx, &after);
	assert_lists_equal(&before, &after);
	list_free(&after);
	check_get_s(fx, "a", "va");
	check_get_s(fx, "b", "vb");
	check_get_s(fx, "c", "vc");
	check_get_s(fx, "d", "vd");
	check_get_s(fx, "ba", "vba");
	check_absent(fx, "aa", 2);
	check_absent(fx, "e", 1);
	check_absent(fx, "f", 1);

	/* the store works normally after a rollback, and an empty
	 * transaction rolled back changes nothing */
	assert_int_equal(begin(fx), KEHU_OK);
	assert_int_equal(rollback(fx), KEHU_OK);
	edit_abcd(fx);
	assert_int_equal(rollback(fx), KEHU_OK);
	scan_all(fx, &after);
	assert_lists_equal(&before, &after);
	list_free(&after);
	list_free(&before);
}

static void test_commit_keeps(void **state)
{
	fixture *fx = *state;
	static const char *const keys[] = {"a", "aa", "ba", "c", "d", "e"};
	list l;

	load_abcd(fx);
	edit_abcd(fx);
	assert_int_equal(commit(fx), KEHU_OK);
	scan_all(fx, &l);
	assert_keys(&l, keys, 6);
	list_free(&l);
	check_get_s(fx, "a", "replaced, longer than before");
	check_get_s(fx, "aa", "inserted");
	check_get_s(fx, "ba", "vba 3");
	check_get_s(fx, "c", "");
	check_get_s(fx, "d", "new d");
	check_get_s(fx, "e", "inserted twice");
	check_absent(fx, "b", 1);
	check_absent(fx, "f", 1);

	/* a later rollback does not undo the committed transaction */
	assert_int_equal(begin(fx), KEHU_OK);
	assert_int_equal(put_s(fx, "a", "x"), KEHU_OK);
	assert_int_equal(rollback(fx), KEHU_OK);
	check_get_s(fx, "a", "replaced, longer than before");
}

/* ---- random operations against a model ---- */

#define NKEYS 1500
#define MAXV 80

typedef struct mval {
	int present;
	size_t vl;
	unsigned char v[MAXV];
} mval;

/* Key i: big-endian i, then i % 5 bytes that include 0x00 and 0xFF, so
 * memcmp order is index order. */
static size_t model_key(unsigned i, unsigned char *k)
{
	size_t n = 2 + i % 5;
	size_t j;

	k[0] = (unsigned char)(i >> 8);
	k[1] = (unsigned char)i;
	for (j = 2; j < n; j++)
		k[j] = (unsigned char)((i * 37u + j * 101u) % 3 == 0
		                               ? 0x00
		                               : (i % 2 ? 0xFF : i * j));
	return n;
}

static void check_model(fixture *fx, const mval *m)
{
	list l;
	unsigned char k[8];
	size_t i;
	size_t at = 0;

	scan_all(fx, &l);
	for (i = 0; i < NKEYS; i++) {
		size_t kl;

		if (!m[i].present)
			continue;
		assert_true(at < l.n);
		kl = model_key((unsigned)i, k);
		assert_int_equal(l.e[at].kl, kl);
		assert_memory_equal(l.e[at].k, k, kl);
		assert_int_equal(l.e[at].vl, m[i].vl);
		if (m[i].vl > 0)
			assert_memory_equal(l.e[at].v, m[i].v, m[i].vl);
		at++;
	}
	assert_int_equal(at, l.n);
	list_free(&l);
}

static void random_ops(fixture *fx, mval *m, rng *r, int nops)
{
	unsigned char k[8];
	int op;

	for (op = 0; op < nops; op++) {
		uint64_t x = rng_next(r);
		unsigned i = (unsigned)(x % NKEYS);
		unsigned what = (unsigned)((x >> 16) % 10);
		size_t kl = model_key(i, k);

		if (what < 5) {
			mval *v = &m[i];
			size_t j;

			v->vl = (size_t)((x >> 24) % MAXV);
			for (j = 0; j < v->vl; j++)
				v->v[j] = (unsigned char)rng_next(r);
			v->present = 1;
			assert_int_equal(put(fx, k, kl, v->v, v->vl),
			                 KEHU_OK);
		} else if (what < 8) {
			assert_int_equal(del(fx, k, kl),
			                 m[i].present ? KEHU_OK
			                              : KEHU_ENOTFOUND);
			m[i].present = 0;
		} else if (m[i].present) {
			check_get(fx, k, kl, m[i].v, m[i].vl);
		} else {
			check_absent(fx, k, kl);
		}
		if (op % 1000 == 999)
			check_model(fx, m);
	}
}

static void test_random_rollback(void **state)
{
	fixture *fx = *state;
	mval *m = calloc(NKEYS, sizeof(*m));
	mval *saved = malloc(NKEYS * sizeof(*m));
	rng r = {0x2545F4914F6CDD1Du};
	list before;
	list after;

	assert_non_null(m);
	assert_non_null(saved);
	assert_int_equal(begin(fx), KEHU_OK);
	random_ops(fx, m, &r, 2000);
	assert_int_equal(commit(fx), KEHU_OK);
	check_model(fx, m);
	scan_all(fx, &before);
	memcpy(saved, m, NKEYS * sizeof(*m));

	assert_int_equal(begin(fx), KEHU_OK);
	random_ops(fx, m, &r, 5000);
	check_model(fx, m);
	assert_int_equal(rollback(fx), KEHU_OK);
	scan_all(fx, &after);
	assert_lists_equal(&before, &after);
	list_free(&after);
	check_model(fx, saved);

	/* the same again, committed this time */
	memcpy(m, saved, NKEYS * sizeof(*m));
	assert_int_equal(begin(fx), KEHU_OK);
	random_ops(fx, m, &r, 5000);
	assert_int_equal(commit(fx), KEHU_OK);
	check_model(fx, m);

	list_free(&before);
	free(saved);
	free(m);
}

static void test_large_values(void **state)
{
	fixture *fx = *state;
	const size_t big = (size_t)1 << 20;
	unsigned char *v = malloc(big);
	rng r = {7};
	list l;
	size_t i;

	assert_non_null(v);
	for (i = 0; i < big; i++)
		v[i] = (unsigned char)(rng_next(&r) >> 24);
	assert_int_equal(begin(fx), KEHU_OK);
	assert_int_equal(put(fx, "big", 3, v, big), KEHU_OK);
	assert_int_equal(put(fx, "empty", 5, NULL, 0), KEHU_OK);
	assert_int_equal(put(fx, "empty2", 6, "x", 0), KEHU_OK);
	check_get(fx, "big", 3, v, big);
	assert_int_equal(commit(fx), KEHU_OK);
	check_get(fx, "big", 3, v, big);
	check_get(fx, "empty", 5, NULL, 0);
	check_get(fx, "empty2", 6, NULL, 0);

	scan_all(fx, &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.e[0].vl, big);
	assert_memory_equal(l.e[0].v, v, big);
	assert_int_equal(l.e[1].vl, 0);
	assert_int_equal(l.e[2].vl, 0);
	list_free(&l);

	/* swap big and empty, roll back: both come back exactly */
	assert_int_equal(begin(fx), KEHU_OK);
	assert_int_equal(put(fx, "big", 3, NULL, 0), KEHU_OK);
	assert_int_equal(put(fx, "empty", 5, v, big), KEHU_OK);
	check_get(fx, "big", 3, NULL, 0);
	check_get(fx, "empty", 5, v, big);
	assert_int_equal(rollback(fx), KEHU_OK);
	check_get(fx, "big", 3, v, big);
	check_get(fx, "empty", 5, NULL, 0);
	free(v);
}

static void test_empty_key_rejected(void **state)
{
	fixture *fx = *state;
	got g = {NULL, 0, 0, KEHU_OK};
	list l;

	assert_int_equal(begin(fx), KEHU_OK);
	assert_int_equal(put(fx, "x", 0, "v", 1), KEHU_EINVAL);
	assert_int_equal(put(fx, NULL, 0, "v", 1), KEHU_EINVAL);
	assert_int_equal(get(fx, "x", 0, &g), KEHU_EINVAL);
	assert_int_equal(g.calls, 0);
	assert_int_equal(get(fx, NULL, 0, &g), KEHU_EINVAL);
	assert_int_equal(del(fx, "x", 0), KEHU_EINVAL);
	assert_int_equal(del(fx, NULL, 0), KEHU_EINVAL);
	/* nothing was stored, and the transaction still works */
	assert_int_equal(put_s(fx, "x", "v"), KEHU_OK);
	assert_int_equal(commit(fx), KEHU_OK);
	scan_all(fx, &l);
	assert_int_equal(l.n, 1);
	list_free(&l);
	free(g.buf);
}

/* ---- the runner ---- */

#define TEST(fn) \
	cmocka_unit_test_prestate_setup_teardown(fn, setup, teardown, \
	                                         (void *)f)

int kehu_conformance_run(const char *suite_name,
                         const kehu_conformance_factory *f)
{
	const struct CMUnitTest tests[] = {
		TEST(test_order_binary),
		TEST(test_order_long_keys),
		TEST(test_scan_bounds),
		TEST(test_scan_stop_early),
		TEST(test_get_in_txn),
		TEST(test_read_outside_txn),
		TEST(test_put_replaces),
		TEST(test_del_then_get),
		TEST(test_del_absent),
		TEST(test_rollback_discards),
		TEST(test_commit_keeps),
		TEST(test_random_rollback),
		TEST(test_large_values),
		TEST(test_empty_key_rejected),
	};

	if (f == NULL || f->open == NULL)
		return -1;
	return cmocka_run_group_tests_name(suite_name, tests, NULL, NULL);
}
