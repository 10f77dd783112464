/*
 * storage/memory: the built-in ordered in-memory store.  Storage layer,
 * below the db; it implements the kehu_storage contract.
 *
 * A skip list (p = 1/4) ordered by memcmp, the shorter key first when it
 * is a prefix.  A node is one block: header, forward pointers, key and,
 * for a small value, the value ("inline").  A larger value gets its own
 * block, and so does a new value while an undo entry still owns the old
 * inline one.
 *
 * Writes happen in place; an undo log says how to revert each one: one
 * word per write (the node, tagged with the kind), plus the old value of
 * a replace in a second array.  A new value that fits where the old one
 * lies inline is written there, the old bytes copied to the log's arena
 * first: rewriting a record of the same size (labels, metrics) then
 * allocates nothing, where a block per write and a free per commit used
 * to cost more than the rest of classifying (a build for size keeps to
 * the blocks: core/tuning.h).  Room in both is reserved before anything
 * changes, so a failed allocation leaves the store exactly as it was, and
 * rollback never allocates.  A bulk load costs 8 log bytes per key.
 *
 * A finger (the predecessor path of the last key sought) makes a key
 * just after the previous one cost O(log d), d the distance between the
 * two, instead of O(log n): bulk loads come in ascending runs.  A second
 * finger keeps the path before that: recording an interaction writes two
 * ascending runs at once (the interaction and its day bucket, far apart
 * in key order), and each run keeps its own finger.
 *
 * No static writable data: the PRNG state lives in the store.
 */
#include "storage/memory.h"

#include <string.h>

#include "core/tuning.h"
#include "kehu/errors.h"

#define MAX_LEVEL 24
#define INLINE_MAX 256     /* values up to this many bytes live inline */
#define UNDO_KEEP 64       /* log entries kept allocated between txns */
#define STORE_MAGIC 0x6b656875u
#define RNG_SEED 0x9e3779b97f4a7c15u

/* The inline area holds a value that an undo entry still owns. */
#define F_SAVED 1u

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define PREFETCH(p) ((void)0)
#endif

typedef struct node {
	unsigned char *val; /* NULL when vlen is 0 */
	size_t vlen;
	uint32_t klen;
	uint16_t icap;      /* inline area size; 0 for none */
	uint8_t level;      /* number of forward pointers */
	uint8_t flags;
	struct node *next[]; /* then the key, then the inline area */
} node;

/* Undo kinds, kept in the low bits of the node pointer (a node holds
 * pointers, so the allocator aligns it to at least 4). */
#define U_INSERT 0u
#define U_REPLACE 1u
#define U_DELETE 2u
#define U_MASK 3u

/* The value a U_REPLACE took the place of, in the same order: v, or
 * (v NULL, vlen > 0) bytes at arena + off that lay inline. */
typedef struct saved {
	unsigned char *v;
	size_t vlen;
	size_t off;
} saved;

struct kehu_storage_memory {
	uint32_t magic;
	int in_txn;
	kehu_alloc_fn alloc;
	void *alloc_user_data;
	uint64_t rng;
	uint64_t count;
	/* The store struct, nodes (with keys and inline values) and value
	 * blocks; not the undo log, which lives only during a txn. */
	uint64_t bytes;
	int level;            /* levels in use, 1..MAX_LEVEL */
	node *head;
	uintptr_t *log;       /* node | kind, one per write */
	size_t nlog;
	size_t caplog;
	saved *sv;            /* old values, one per U_REPLACE */
	size_t nsv;
	size_t capsv;
	unsigned char *arena; /* old inline values overwritten in place */
	size_t narena;
	size_t caparena;
	const char *errmsg;   /* a string literal, or NULL */
	/* finger[i]: the last node at level i before the last key sought;
	 * always the head at levels >= level.  alt[]: the same for an
	 * earlier key (all head: none).  Both point into paths[], so that
	 * swapping them is swapping two pointers. */
	node **finger;
	node **alt;
	/* 1: alt[0] is at or below finger[0], known since both were below
	 * the last key sought (pick_finger need not compare the two) */
	int alt_below;
	node *paths[2][MAX_LEVEL];
};

/* ---- allocation ---- */

static void *mem_alloc(kehu_storage_memory *s, size_t n)
{
	return s->alloc(s->alloc_user_data, NULL, 0, n);
}

static void mem_free(kehu_storage_memory *s, void *p, size_t n)
{
	if (p)
		s->alloc(s->alloc_user_data, p, n, 0);
}

static size_t node_size(unsigned level, size_t klen, size_t icap)
{
	return sizeof(node) + level * sizeof(node *) + klen + icap;
}

static size_t node_bytes(const node *n)
{
	return node_size(n->level, n->klen, n->icap);
}

static unsigned char *node_key(const node *n)
{
	return (unsigned char *)(n->next + n->level);
}

static unsigned char *node_inl(const node *n)
{
	return node_key(n) + n->klen;
}

/* A separate value block can never point into the node's own block, so
 * this tells an inline value from a separate one. */
static int is_inline(const node *n, const unsigned char *v)
{
	return n->icap > 0 && v == node_inl(n);
}

static void free_val(kehu_storage_memory *s, node *n, unsigned char *v,
                     size_t vlen)
{
	if (v != NULL && !is_inline(n, v)) {
		mem_free(s, v, vlen);
		s->bytes -= vlen;
	}
}

static void free_node(kehu_storage_memory *s, node *n)
{
	size_t sz = node_bytes(n);

	free_val(s, n, n->val, n->vlen);
	mem_free(s, n, sz);
	s->bytes -= sz;
}

static int fail(kehu_storage_memory *s, int code, const char *msg)
{
	s->errmsg = msg;
	return code;
}

/* ---- ordering and search ---- */

/* Big-endian load: comparing these words compares the bytes in memcmp
 * order.  memcpy keeps it alignment-safe; compilers make it one load. */
static uint64_t load_be64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#elif !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__
	v = (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 |
	    (uint64_t)p[2] << 40 | (uint64_t)p[3] << 32 |
	    (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
	    (uint64_t)p[6] << 8 | (uint64_t)p[7];
#endif
	return v;
}

/* memcmp order (the shorter key first when it is a prefix), comparing
 * from byte i on, where the two keys are known to agree before i: eight
 * bytes at a step instead of a call to memcmp (keys are 9 to 25 bytes
 * long, mostly).  node_lt decides most comparisons before calling it. */
static int key_cmp_from(const unsigned char *a, size_t alen,
                        const unsigned char *b, size_t blen, size_t i)
{
	size_t n = alen < blen ? alen : blen;

	for (; i + 8 <= n; i += 8) {
		uint64_t x = load_be64(a + i), y = load_be64(b + i);

		if (x != y)
			return x < y ? -1 : 1;
	}
	for (; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return (alen > blen) - (alen < blen);
}

static int key_cmp(const unsigned char *a, size_t alen,
                   const unsigned char *b, size_t blen)
{
	return key_cmp_from(a, alen, b, blen, 0);
}

/* The search's question, asked ~9 times per put: most keys differ in
 * their first 16 bytes (kind, owner, time; a day bucket's 13 are all
 * it has), decided here inline. */
static inline int node_lt(const node *x, const unsigned char *k,
                          size_t klen)
{
	const unsigned char *a = node_key(x);
	size_t n = x->klen < klen ? x->klen : klen;
	uint64_t p, q;

	if (KEHU__FAST_PATHS && n >= 8) {
		p = load_be64(a);
		q = load_be64(k);
		if (p != q)
			return p < q;
		if (n < 16) {
			/* the 8 bytes ending at n (they overlap the first
			 * word, which is equal) decide the rest */
			p = load_be64(a + n - 8);
			q = load_be64(k + n - 8);
			if (p != q)
				return p < q;
			return x->klen < klen;
		}
		p = load_be64(a + 8);
		q = load_be64(k + 8);
		if (p != q)
			return p < q;
		return key_cmp_from(a, x->klen, k, klen, 16) < 0;
	}
	return key_cmp_from(a, x->klen, k, klen, 0) < 0;
}

static int node_eq(const node *x, const unsigned char *k, size_t klen)
{
	const unsigned char *a = node_key(x);
	uint64_t p, q;

	if (x->klen != klen)
		return 0;
	if (KEHU__FAST_PATHS && klen >= 8) {
		/* a put's successor is mostly another key of the same
		 * length: its last word (an id, a day) tells them apart */
		memcpy(&p, a + klen - 8, 8);
		memcpy(&q, k + klen - 8, 8);
		if (p != q)
			return 0;
	}
	return memcmp(a, k, klen) == 0;
}

/* A hint to start loading a node we may compare next: the search is
 * bound by cache misses, and independent misses can overlap. */
static void prefetch(const node *n)
{
#if defined(__GNUC__) || defined(__clang__)
	__builtin_prefetch(n);
#else
	(void)n;
#endif
}

/* The climb's loads do not depend on each other: start them together. */
static void prefetch_climb(node *const *f, int top)
{
	int i;

	for (i = 0; i < top && i < 4; i++)
		prefetch(f[i]->next[i]);
}

static void alt_reset(kehu_storage_memory *s)
{
	int i;

	for (i = 0; i < MAX_LEVEL; i++)
		s->alt[i] = s->head;
}

/* Swaps the two fingers: the one left behind stays a valid path. */
static void alt_swap(kehu_storage_memory *s)
{
	node **t = s->finger;

	s->finger = s->alt;
	s->alt = t;
}

/* Starts the search for k from whichever finger is the nearer below it:
 * alt[] when finger[] is past k, or alt[] is below k and after finger[].
 * Costs one or two key comparisons (up to three in a build for size,
 * which compares the fingers instead of keeping alt_below).  Returns 1
 * when the finger picked is below k (the head is below every key), 0
 * when it is past k. */
static int pick_finger(kehu_storage_memory *s, const unsigned char *k,
                       size_t klen)
{
	node *f = s->finger[0];
	node *a = s->alt[0];
	int f_below = f == s->head || node_lt(f, k, klen);
	int a_nearer;

	if (a == s->head || !node_lt(a, k, klen)) {
		/* alt is no help; when finger[] must restart from the head
		 * anyway, keep its path as alt[] (the newer of the two) */
		if (KEHU__FAST_PATHS)
			s->alt_below = 0;
		if (f_below)
			return 1;
		alt_swap(s);
		return a == s->head;
	}
	if (KEHU__FAST_PATHS)
		a_nearer = !f_below || !s->alt_below;
	else
		a_nearer = !f_below || f == s->head ||
		           node_lt(f, node_key(a), a->klen);
	if (a_nearer)
		alt_swap(s);
	/* both were below k: the finger left behind is at or below the new
	 * finger's node */
	if (KEHU__FAST_PATHS)
		s->alt_below = f_below;
	return 1;
}

/*
 * Sets finger[] to the predecessors of k at every level and returns the
 * first node >= k (or NULL).
 *
 * Invariant: finger[] is the predecessor path of some key K.  If
 * finger[0] < k then every finger[i] < k, and if finger[i] is still the
 * predecessor of k at level i, so is finger[j] at every j > i (a node
 * between finger[j] and k would also sit at level i, between finger[i]
 * and k).  So climb from level 0 to the first level that is still right,
 * then walk down.  Once a walk has moved, the node reached is >= K and
 * thus past every stale finger below it.
 */
static node *seek(kehu_storage_memory *s, const unsigned char *k,
                  size_t klen)
{
	int below = pick_finger(s, k, klen);
	node **f = s->finger;
	node *x = s->head;
	node *y;
	node *stop = NULL; /* known to be >= k: not compared again */
	int top = s->level;
	int i = 0;
	int moved = 0;

	if (below) {
		prefetch_climb(f, top);
		while (i < top && (y = f[i]->next[i]) != NULL &&
		       node_lt(y, k, klen))
			i++;
		if (KEHU__FAST_PATHS && i < top)
			stop = f[i]->next[i];
		if (KEHU__FAST_PATHS && i > 0) {
			/* the climb found this one < k: start past it */
			x = f[i - 1]->next[i - 1];
			moved = 1;
		}
	} else {
		for (i = 0; i < top; i++)
			f[i] = s->head;
	}
	while (i-- > 0) {
		if (!moved)
			x = f[i];
		for (;;) {
			/* where the walk one level down would start */
			if (i > 0)
				prefetch(x->next[i - 1]);
			y = x->next[i];
			if (y == NULL || y == stop || !node_lt(y, k, klen))
				break;
			x = y;
			moved = 1;
		}
		if (KEHU__FAST_PATHS)
			stop = y;
		f[i] = x;
	}
	return f[0]->next[0];
}

static unsigned random_level(kehu_storage_memory *s)
{
	uint64_t r = s->rng;
	unsigned level = 1;

	r ^= r << 13;
	r ^= r >> 7;
	r ^= r << 17;
	s->rng = r;
	r >>= 16;
	while ((r & 3u) == 0 && level < MAX_LEVEL) {
		level++;
		r >>= 2;
	}
	return level;
}

/* Links n after the finger (which seek left at n's key).  alt[] stays
 * a valid path unless n lands right after one of its nodes (then n may
 * sit between that node and alt's key): such a rare alt[] is dropped. */
static void link_node(kehu_storage_memory *s, node *n)
{
	unsigned i;
	int stale = 0;

	if ((int)n->level > s->level)
		s->level = n->level; /* finger[] is the head up there */
	for (i = 0; i < n->level; i++) {
		stale |= s->alt[i] == s->finger[i];
		n->next[i] = s->finger[i]->next[i];
		s->finger[i]->next[i] = n;
	}
	if (stale)
		alt_reset(s);
	s->count++;
}

/* Unlinks n (finger[] is its path).  alt[] must not keep pointing at
 * it: n may be freed. */
static void unlink_node(kehu_storage_memory *s, node *n)
{
	unsigned i;
	int stale = 0;

	for (i = 0; i < n->level; i++) {
		stale |= s->alt[i] == n;
		s->finger[i]->next[i] = n->next[i];
	}
	if (stale)
		alt_reset(s);
	s->count--;
}

/* ---- the undo log ---- */

/* Makes room for one more element of elem bytes in *arr (capacity *cap,
 * n used).  Nothing changes on failure. */
static int reserve(kehu_storage_memory *s, void **arr, size_t *cap,
                   size_t n, size_t elem)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return KEHU_OK;
	ncap = *cap ? *cap * 2 : UNDO_KEEP;
	if (ncap > SIZE_MAX / elem)
		return KEHU_ENOMEM;
	p = s->alloc(s->alloc_user_data, *arr, *cap * elem, ncap * elem);
	if (!p)
		return KEHU_ENOMEM;
	*arr = p;
	*cap = ncap;
	return KEHU_OK;
}

static int log_reserve(kehu_storage_memory *s)
{
	void *p = s->log;
	int rc = reserve(s, &p, &s->caplog, s->nlog, sizeof(*s->log));

	s->log = p;
	return rc;
}

static int sv_reserve(kehu_storage_memory *s)
{
	void *p = s->sv;
	int rc = reserve(s, &p, &s->capsv, s->nsv, sizeof(*s->sv));

	s->sv = p;
	return rc;
}

static void log_push(kehu_storage_memory *s, node *n, unsigned kind)
{
	s->log[s->nlog++] = (uintptr_t)n | kind;
}

static node *log_node(uintptr_t tn)
{
	return (node *)(tn & ~(uintptr_t)U_MASK);
}

static void txn_end(kehu_storage_memory *s)
{
	s->nlog = 0;
	s->nsv = 0;
	if (s->caplog > UNDO_KEEP) {
		mem_free(s, s->log, s->caplog * sizeof(*s->log));
		s->log = NULL;
		s->caplog = 0;
	}
	if (s->capsv > UNDO_KEEP) {
		mem_free(s, s->sv, s->capsv * sizeof(*s->sv));
		s->sv = NULL;
		s->capsv = 0;
	}
	/* the arena grows by doubling within a txn; none is kept */
	mem_free(s, s->arena, s->caparena);
	s->arena = NULL;
	s->narena = 0;
	s->caparena = 0;
	s->in_txn = 0;
}

/* Reverts the whole log, newest first.  Never allocates. */
static void undo_all(kehu_storage_memory *s)
{
	size_t i = s->nlog;
	size_t j = s->nsv;

	while (i-- > 0) {
		node *n = log_node(s->log[i]);
		saved *o;

		switch (s->log[i] & U_MASK) {
		case U_INSERT:
			seek(s, node_key(n), n->klen);
			unlink_node(s, n);
			free_node(s, n);
			break;
		case U_REPLACE:
			o = &s->sv[--j];
			free_val(s, n, n->val, n->vlen);
			if (!o->v && o->vlen > 0) { /* back in place */
				memcpy(node_inl(n), s->arena + o->off, o->vlen);
				n->val = node_inl(n);
				n->vlen = o->vlen;
				break;
			}
			n->val = o->v;
			n->vlen = o->vlen;
			if (is_inline(n, o->v))
				n->flags &= (uint8_t)~F_SAVED;
			break;
		default: /* U_DELETE */
			seek(s, node_key(n), n->klen);
			link_node(s, n);
			break;
		}
	}
	txn_end(s);
}

/* Drops what the log kept, oldest first: a node's replaces come before
 * its delete, which frees it. */
static void forget_all(kehu_storage_memory *s)
{
	size_t i;
	size_t j = 0;

	for (i = 0; i < s->nlog; i++) {
		node *n = log_node(s->log[i]);
		saved *o;

		switch (s->log[i] & U_MASK) {
		case U_REPLACE:
			o = &s->sv[j++];
			if (!o->v)
				break; /* nothing, or bytes in the arena */
			if (is_inline(n, o->v))
				n->flags &= (uint8_t)~F_SAVED;
			else
				free_val(s, n, o->v, o->vlen);
			break;
		case U_DELETE:
			free_node(s, n);
			break;
		default:
			break;
		}
	}
	txn_end(s);
}

/* ---- the vtable slots ---- */

static kehu_storage_memory *store_of(void *user_data)
{
	kehu_storage_memory *s = user_data;

	if (s == NULL || s->magic != STORE_MAGIC)
		return NULL;
	return s;
}

static int m_begin(void *user_data)
{
	kehu_storage_memory *s = store_of(user_data);

	if (!s)
		return KEHU_EMISUSE;
	if (s->in_txn)
		return fail(s, KEHU_EMISUSE, "transaction already open");
	s->in_txn = 1;
	s->nlog = 0;
	return KEHU_OK;
}

static int m_commit(void *user_data)
{
	kehu_storage_memory *s = store_of(user_data);

	if (!s)
		return KEHU_EMISUSE;
	if (!s->in_txn)
		return fail(s, KEHU_EMISUSE, "commit without a transaction");
	forget_all(s);
	return KEHU_OK;
}

static int m_rollback(void *user_data)
{
	kehu_storage_memory *s = store_of(user_data);

	if (!s)
		return KEHU_EMISUSE;
	if (!s->in_txn)
		return fail(s, KEHU_EMISUSE, "rollback without a transaction");
	undo_all(s);
	return KEHU_OK;
}

static int m_get(const void *key, size_t klen, kehu_storage_sink_cb sink,
                 void *sink_ctx, void *user_data)
{
	kehu_storage_memory *s = store_of(user_data);
	node *x;

	if (!s)
		return KEHU_EMISUSE;
	if (key == NULL || klen == 0)
		return fail(s, KEHU_EINVAL, "empty key");
	if (sink == NULL)
		return fail(s, KEHU_EINVAL, "no sink");
	x = seek(s, key, klen);
	if (x == NULL || !node_eq(x, key, klen))
		return KEHU_ENOTFOUND;
	return sink(x->val, x->vlen, sink_ctx);
}

/* Room for n more arena bytes. */
static int arena_reserve(kehu_storage_memory *s, size_t n)
{
	size_t ncap = s->caparena ? s->caparena : 4096;
	void *p;

	if (n <= s->caparena - s->narena)
		return KEHU_OK;
	while (ncap - s->narena < n) {
		if (ncap > SIZE_MAX / 2)
			return KEHU_ENOMEM;
		ncap *= 2;
	}
	p = s->alloc(s->alloc_user_data, s->arena, s->caparena, ncap);
	if (!p)
		return KEHU_ENOMEM;
	s->arena = p;
	s->caparena = ncap;
	return KEHU_OK;
}

/* A replace of an inline value by one that fits there: the old bytes to
 * the arena, the new ones in their place. */
static int replace_in_place(kehu_storage_memory *s, node *n,
                            const void *value, size_t vlen)
{
	saved *o;

	if (sv_reserve(s) != KEHU_OK || arena_reserve(s, n->vlen) != KEHU_OK)
		return fail(s, KEHU_ENOMEM, "out of memory");
	o = &s->sv[s->nsv++];
	o->v = NULL;
	o->vlen = n->vlen;
	o->off = s->narena;
	memcpy(s->arena + s->narena, n->val, n->vlen);
	s->narena += n->vlen;
	log_push(s, n, U_REPLACE);
	if (vlen > 0)
		memmove(node_inl(n), value, vlen);
	n->val = vlen > 0 ? node_inl(n) : NULL;
	n->vlen = vlen;
	return KEHU_OK;
}

static int replace(kehu_storage_memory *s, node *n, const void *value,
                   size_t vlen)
{
	unsigned char *v = NULL;
	int sep = 0;

	if (KEHU__FAST_PATHS && n->vlen > 0 && vlen <= n->icap &&
	    is_inline(n, n->val))
		return replace_in_place(s, n, value, vlen);
	if (sv_reserve(s) != KEHU_OK)
		return fail(s, KEHU_ENOMEM, "out of memory");
	if (vlen > 0) {
		if (vlen <= n->icap && !is_inline(n, n->val) &&
		    !(n->flags & F_SAVED)) {
			v = node_inl(n); /* the inline area is free again */
		} else {
			v = mem_alloc(s, vlen);
			if (!v)
				return fail(s, KEHU_ENOMEM, "out of memory");
			sep = 1;
		}
		memcpy(v, value, vlen);
	}
	if (is_inline(n, n->val))
		n->flags |= F_SAVED;
	log_push(s, n, U_REPLACE);
	s->sv[s->nsv].v = n->val;
	s->sv[s->nsv].vlen = n->vlen;
	s->sv[s->nsv].off = 0;
	s->nsv++;
	n->val = v;
	n->vlen = vlen;
	if (sep)
		s->bytes += vlen;
	return KEHU_OK;
}

static int insert(kehu_storage_memory *s, const void *key, size_t klen,
                  const void *value, size_t vlen)
{
	unsigned level = random_level(s);
	size_t icap = vlen <= INLINE_MAX ? vlen : 0;
	size_t sz;
	unsigned char *v = NULL;
	node *n;

	if (klen > SIZE_MAX - node_size(MAX_LEVEL, 0, INLINE_MAX))
		return fail(s, KEHU_ENOMEM, "out of memory");
	sz = node_size(level, klen, icap);
	n = mem_alloc(s, sz);
	if (!n)
		return fail(s, KEHU_ENOMEM, "out of memory");
	n->level = (uint8_t)level;
	n->klen = (uint32_t)klen;
	n->icap = (uint16_t)icap;
	n->flags = 0;
	if (icap > 0) {
		v = node_inl(n);
	} else if (vlen > 0) {
		v = mem_alloc(s, vlen);
		if (!v) {
			mem_free(s, n, sz);
			return fail(s, KEHU_ENOMEM, "out of memory");
		}
		s->bytes += vlen;
	}
	memcpy(node_key(n), key, klen);
	if (vlen > 0)
		memcpy(v, value, vlen);
	n->val = v;
	n->vlen = vlen;
	s->bytes += sz;
	link_node(s, n);
	log_push(s, n, U_INSERT);
	return KEHU_OK;
}

static int m_put(const void *key, size_t klen, const void *value,
                 size_t vlen, void *user_data)
{
	kehu_storage_memory *s = store_of(user_data);
	node *x;
	int rc;

	if (!s)
		return KEHU_EMISUSE;
	if (key == NULL || klen == 0)
		return fail(s, KEHU_EINVAL, "empty key");
	if (klen > UINT32_MAX)
		return fail(s, KEHU_EINVAL, "key too long");
	if (value == NULL && vlen > 0)
		return fail(s, KEHU_EINVAL, "NULL value");
	if (!s->in_txn)
		return fail(s, KEHU_EMISUSE, "put outside a transaction");
	rc = log_reserve(s);
	if (rc != KEHU_OK)
		return fail(s, rc, "out of memory");
	x = seek(s, key, klen);
	if (x != NULL && node_eq(x, key, klen))
		return replace(s, x, value, vlen);
	return insert(s, key, klen, value, vlen);
}

static int m_del(const void *key, size_t klen, void *user_data)
{
	kehu_storage_memory *s = store_of(user_data);
	node *x;
	int rc;

	if (!s)
		return KEHU_EMISUSE;
	if (key == NULL || klen == 0)
		return fail(s, KEHU_EINVAL, "empty key");
	if (!s->in_txn)
		return fail(s, KEHU_EMISUSE, "del outside a transaction");
	x = seek(s, key, klen);
	if (x == NULL || !node_eq(x, key, klen))
		return KEHU_ENOTFOUND;
	rc = log_reserve(s);
	if (rc != KEHU_OK)
		return fail(s, rc, "out of memory");
	unlink_node(s, x);
	log_push(s, x, U_DELETE);
	return KEHU_OK;
}

static int m_scan(const void *start, size_t slen, const void *end,
                  size_t elen, kehu_storage_visit_cb visit, void *visit_ctx,
                  void *user_data)
{
	kehu_storage_memory *s = store_of(user_data);
	node *x;
	int rc;

	if (!s)
		return KEHU_EMISUSE;
	if (visit == NULL || (start == NULL && slen > 0))
		return fail(s, KEHU_EINVAL, "bad scan arguments");
	if (end == NULL)
		elen = 0;
	x = slen > 0 ? seek(s, start, slen) : s->head->next[0];
	for (; x != NULL; x = x->next[0]) {
		if (elen > 0 && key_cmp(node_key(x), x->klen, end, elen) >= 0)
			break;
		/* the nodes ahead are rarely in cache (classifying scans
		 * every customer's days): ask for the one after the next
		 * while the visitor works; the next was asked for a visit
		 * ago */
		if (x->next[0] != NULL)
			PREFETCH(x->next[0]->next[0]);
		rc = visit(node_key(x), x->klen, x->val, x->vlen, visit_ctx);
		if (rc != KEHU_OK)
			return rc;
	}
	return KEHU_OK;
}

static const char *m_errmsg(void *user_data)
{
	kehu_storage_memory *s = store_of(user_data);

	return s ? s->errmsg : NULL;
}

static void m_close_owned(void *user_data)
{
	kehu_storage_memory_free(store_of(user_data));
}

static void fill_vtable(kehu_storage_memory *s, kehu_storage *out,
                        int owned)
{
	memset(out, 0, sizeof(*out));
	out->version = KEHU_STORAGE_VERSION;
	out->user_data = s;
	out->begin = m_begin;
	out->commit = m_commit;
	out->rollback = m_rollback;
	out->get = m_get;
	out->put = m_put;
	out->del = m_del;
	out->scan = m_scan;
	out->close = owned ? m_close_owned : NULL;
	out->errmsg = m_errmsg;
}

/* ---- public entry points ---- */

KEHU_API int kehu_storage_memory_new(kehu_storage_memory **out,
                                     kehu_alloc_fn alloc,
                                     void *alloc_user_data)
{
	kehu_storage_memory *s;
	size_t hsz = node_size(MAX_LEVEL, 0, 0);
	int i;

	if (out == NULL)
		return KEHU_EINVAL;
	*out = NULL;
	if (alloc == NULL)
		alloc = kehu_alloc_default;
	s = alloc(alloc_user_data, NULL, 0, sizeof(*s));
	if (!s)
		return KEHU_ENOMEM;
	memset(s, 0, sizeof(*s));
	s->alloc = alloc;
	s->alloc_user_data = alloc_user_data;
	s->head = mem_alloc(s, hsz);
	if (!s->head) {
		mem_free(s, s, sizeof(*s));
		return KEHU_ENOMEM;
	}
	memset(s->head, 0, hsz);
	s->head->level = MAX_LEVEL;
	s->level = 1;
	s->rng = RNG_SEED;
	s->bytes = sizeof(*s) + hsz;
	s->finger = s->paths[0];
	s->alt = s->paths[1];
	for (i = 0; i < MAX_LEVEL; i++)
		s->finger[i] = s->head;
	alt_reset(s);
	s->magic = STORE_MAGIC;
	*out = s;
	return KEHU_OK;
}

KEHU_API int kehu_storage_memory_get_vtable(kehu_storage_memory *mem,
                                            kehu_storage *out)
{
	if (out == NULL)
		return KEHU_EINVAL;
	if (store_of(mem) == NULL) {
		memset(out, 0, sizeof(*out));
		return KEHU_EINVAL;
	}
	fill_vtable(mem, out, 0);
	return KEHU_OK;
}

int kehu__storage_memory_new_owned(kehu_storage *out, kehu_alloc_fn alloc,
                                   void *alloc_user_data)
{
	kehu_storage_memory *s;
	int rc;

	if (out == NULL)
		return KEHU_EINVAL;
	memset(out, 0, sizeof(*out));
	rc = kehu_storage_memory_new(&s, alloc, alloc_user_data);
	if (rc != KEHU_OK)
		return rc;
	fill_vtable(s, out, 1);
	return KEHU_OK;
}

KEHU_API uint64_t kehu_storage_memory_count(const kehu_storage_memory *mem)
{
	if (mem == NULL || mem->magic != STORE_MAGIC)
		return 0;
	return mem->count;
}

KEHU_API uint64_t kehu_storage_memory_bytes(const kehu_storage_memory *mem)
{
	if (mem == NULL || mem->magic != STORE_MAGIC)
		return 0;
	return mem->bytes;
}

KEHU_API void kehu_storage_memory_free(kehu_storage_memory *mem)
{
	node *x;
	node *next;

	if (store_of(mem) == NULL)
		return;
	if (mem->in_txn)
		undo_all(mem);
	for (x = mem->head->next[0]; x != NULL; x = next) {
		next = x->next[0];
		free_node(mem, x);
	}
	mem_free(mem, mem->log, mem->caplog * sizeof(*mem->log));
	mem_free(mem, mem->sv, mem->capsv * sizeof(*mem->sv));
	mem_free(mem, mem->arena, mem->caparena);
	mem_free(mem, mem->head, node_size(MAX_LEVEL, 0, 0));
	mem->magic = 0;
	mem_free(mem, mem, sizeof(*mem));
}
