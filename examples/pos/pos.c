/*
 * examples/pos: a firmware-style host, as a till or kiosk would embed
 * libkehu.  No malloc: every byte the library uses comes from a static
 * arena through the db's allocator (lua_Alloc semantics: the library
 * passes the true old size, so the arena keeps no block headers).  No
 * file system: the store is an append-only log in a fixed byte array
 * standing in for a flash page, with a small sorted RAM index; a reboot
 * replays the log up to the last commit record.  The allocator and the
 * store never touch stdio; only main() prints.
 *
 * At the till it records sales, then at checkout classifies the
 * shopper with a small rule set and decides the discount.  Built with
 * -Os; its test prints the text size and the arena's peak use.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kehu.h"

/* ---- the arena: segregated free lists by power-of-two size class ---- */

#define ARENA_BYTES (64u * 1024u)
#define CLASSES 18 /* 16 B .. 2 MiB */

typedef struct arena {
	unsigned char *base;
	size_t size;
	size_t top;       /* bump pointer */
	size_t peak;      /* high-water mark of top */
	size_t in_use;    /* bytes handed out now (rounded to classes) */
	void *free_list[CLASSES];
} arena;

static int size_class(size_t n)
{
	int c = 0;
	size_t s = 16;

	while (s < n && c < CLASSES - 1) {
		s <<= 1;
		c++;
	}
	return s >= n ? c : -1;
}

static void *arena_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	arena *a = ud;
	int oc = ptr ? size_class(osize) : -1;
	int nc;
	void *p;

	if (nsize == 0) {
		if (ptr) {
			/* the first bytes of a free block link the list */
			memcpy(ptr, &a->free_list[oc], sizeof(void *));
			a->free_list[oc] = ptr;
			a->in_use -= (size_t)16 << oc;
		}
		return NULL;
	}
	nc = size_class(nsize);
	if (nc < 0)
		return NULL;
	if (ptr && nc == oc)
		return ptr;
	if (a->free_list[nc]) {
		p = a->free_list[nc];
		memcpy(&a->free_list[nc], p, sizeof(void *));
	} else {
		size_t bytes = (size_t)16 << nc;

		if (a->top + bytes > a->size)
			return NULL; /* the library reports KEHU_ENOMEM */
		p = a->base + a->top;
		a->top += bytes;
		if (a->top > a->peak)
			a->peak = a->top;
	}
	a->in_use += (size_t)16 << nc;
	if (ptr) {
		memcpy(p, ptr, osize < nsize ? osize : nsize);
		arena_alloc(ud, ptr, osize, 0);
	}
	return p;
}

/* ---- the flash log -------------------------------------------------- */

#define FLASH_BYTES (64u * 1024u)
#define MAX_KEYS 1024
#define REC_PUT 1
#define REC_DEL 2
#define REC_COMMIT 3

/* A record: type (1 byte), key length (2), value length (2), key,
 * value.  The log is valid up to `end`; `committed` is the end of the
 * last commit record (what survives a reboot). */
typedef struct flash {
	unsigned char *bytes;
	size_t size;
	size_t end;
	size_t committed;
	size_t tx_start;
	int in_tx;
	/* RAM index: offsets of the live records, sorted by key */
	uint32_t *index;
	size_t nkeys;
	size_t max_keys;
	const char *err;
} flash;

static const unsigned char *rec_key(const flash *f, uint32_t off,
                                    size_t *klen)
{
	*klen = (size_t)f->bytes[off + 1] | (size_t)f->bytes[off + 2] << 8;
	return f->bytes + off + 5;
}

static const unsigned char *rec_val(const flash *f, uint32_t off,
                                    size_t *vlen)
{
	size_t klen = (size_t)f->bytes[off + 1] |
	              (size_t)f->bytes[off + 2] << 8;

	*vlen = (size_t)f->bytes[off + 3] | (size_t)f->bytes[off + 4] << 8;
	return f->bytes + off + 5 + klen;
}

static int keycmp(const void *a, size_t an, const void *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	return c ? c : (an > bn) - (an < bn);
}

/* Compares the key of the record at @p off with @p key. */
static int cmp_at(const flash *f, uint32_t off, const void *key,
                  size_t klen)
{
	size_t rlen;
	const unsigned char *rk = rec_key(f, off, &rlen);

	return keycmp(rk, rlen, key, klen);
}

/* The first index position whose key is >= key. */
static size_t lower_bound(const flash *f, const void *key, size_t klen)
{
	size_t lo = 0, hi = f->nkeys;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cmp_at(f, f->index[mid], key, klen) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int index_apply(flash *f, uint32_t off)
{
	size_t klen, pos;
	const unsigned char *k = rec_key(f, off, &klen);
	int found;

	pos = lower_bound(f, k, klen);
	found = pos < f->nkeys && cmp_at(f, f->index[pos], k, klen) == 0;
	if (f->bytes[off] == REC_PUT) {
		if (found) {
			f->index[pos] = off;
			return KEHU_OK;
		}
		if (f->nkeys == f->max_keys) {
			f->err = "RAM index full";
			return KEHU_ESTORAGE;
		}
		memmove(f->index + pos + 1, f->index + pos,
		        (f->nkeys - pos) * sizeof *f->index);
		f->index[pos] = off;
		f->nkeys++;
	} else if (found) {
		memmove(f->index + pos, f->index + pos + 1,
		        (f->nkeys - pos - 1) * sizeof *f->index);
		f->nkeys--;
	}
	return KEHU_OK;
}

/* Boot: replay the log up to the last commit record. */
static int flash_mount(flash *f)
{
	size_t off = 0, last = 0;

	while (off + 5 <= f->size && f->bytes[off] >= REC_PUT &&
	       f->bytes[off] <= REC_COMMIT) {
		size_t klen, vlen;

		int type = f->bytes[off];

		rec_key(f, (uint32_t)off, &klen);
		rec_val(f, (uint32_t)off, &vlen);
		if (off + 5 + klen + vlen > f->size)
			break;
		off += 5 + klen + vlen;
		if (type == REC_COMMIT)
			last = off;
	}
	f->nkeys = 0;
	for (off = 0; off < last;) {
		size_t klen, vlen;
		int rc;

		rec_key(f, (uint32_t)off, &klen);
		rec_val(f, (uint32_t)off, &vlen);
		if (f->bytes[off] != REC_COMMIT &&
		    (rc = index_apply(f, (uint32_t)off)) != KEHU_OK)
			return rc;
		off += 5 + klen + vlen;
	}
	/* erase the uncommitted tail, as flash firmware would */
	memset(f->bytes + last, 0xFF, f->size - last);
	f->end = f->committed = last;
	return KEHU_OK;
}

static int append(flash *f, int type, const void *k, size_t klen,
                  const void *v, size_t vlen)
{
	unsigned char *p;

	if (klen > 0xFFFF || vlen > 0xFFFF) {
		f->err = "record larger than a flash page allows";
		return KEHU_ESTORAGE;
	}
	if (f->end + 5 + klen + vlen > f->size) {
		f->err = "flash full";
		return KEHU_ESTORAGE;
	}
	p = f->bytes + f->end;
	p[0] = (unsigned char)type;
	p[1] = (unsigned char)(klen & 0xFF);
	p[2] = (unsigned char)(klen >> 8);
	p[3] = (unsigned char)(vlen & 0xFF);
	p[4] = (unsigned char)(vlen >> 8);
	if (klen)
		memcpy(p + 5, k, klen);
	if (vlen)
		memcpy(p + 5 + klen, v, vlen);
	f->end += 5 + klen + vlen;
	return type == REC_COMMIT ? KEHU_OK
	                          : index_apply(f, (uint32_t)(p - f->bytes));
}

static int fl_begin(void *ud)
{
	flash *f = ud;

	f->tx_start = f->end;
	f->in_tx = 1;
	return KEHU_OK;
}

static int fl_commit(void *ud)
{
	flash *f = ud;
	int rc = append(f, REC_COMMIT, NULL, 0, NULL, 0);

	if (rc == KEHU_OK) {
		f->committed = f->end;
		f->in_tx = 0;
	}
	return rc;
}

static int fl_rollback(void *ud)
{
	flash *f = ud;

	/* cut the tail and rebuild the index from the committed log */
	f->in_tx = 0;
	return flash_mount(f);
}

static int fl_get(const void *key, size_t klen, kehu_storage_sink_cb sink,
                  void *ctx, void *ud)
{
	flash *f = ud;
	size_t pos = lower_bound(f, key, klen), vlen;
	const unsigned char *v;

	if (pos == f->nkeys || cmp_at(f, f->index[pos], key, klen) != 0)
		return KEHU_ENOTFOUND;
	v = rec_val(f, f->index[pos], &vlen);
	return sink(v, vlen, ctx);
}

static int fl_put(const void *key, size_t klen, const void *v, size_t vlen,
                  void *ud)
{
	return append(ud, REC_PUT, key, klen, v, vlen);
}

static int fl_del(const void *key, size_t klen, void *ud)
{
	return append(ud, REC_DEL, key, klen, NULL, 0);
}

static int fl_scan(const void *start, size_t slen, const void *end,
                   size_t elen, kehu_storage_visit_cb visit, void *ctx,
                   void *ud)
{
	flash *f = ud;
	size_t pos = lower_bound(f, start, slen);

	for (; pos < f->nkeys; pos++) {
		size_t kl, vl;
		const unsigned char *k = rec_key(f, f->index[pos], &kl);
		const unsigned char *v = rec_val(f, f->index[pos], &vl);
		int rc;

		if (end && keycmp(k, kl, end, elen) >= 0)
			break;
		if ((rc = visit(k, kl, v, vl, ctx)) != KEHU_OK)
			return rc;
	}
	return KEHU_OK;
}

static const char *fl_errmsg(void *ud)
{
	return ((flash *)ud)->err;
}

/* ---- the till -------------------------------------------------------- */

/* max_align_t words: every class block is 16-byte aligned */
static max_align_t arena_words[ARENA_BYTES / sizeof(max_align_t)];
static unsigned char flash_bytes[FLASH_BYTES];
static uint32_t flash_index[MAX_KEYS];

/* Discount rules a store manager edits: percent off at checkout. */
static const char checkout_rules[] =
	"ruleset \"till\" version 1\n"
	"classify checkout {\n"
	"  win_back when purchases >= 3 and days_since_last_purchase >= 60\n"
	"  vip      when revenue_365d >= 500.00 or has_tag(\"staff\")\n"
	"  regular  when purchases_90d >= 3\n"
	"  welcome  when purchases == 0\n"
	"  none     else\n"
	"}\n";

static int discount_percent(const char *label)
{
	if (!strcmp(label, "win_back"))
		return 15;
	if (!strcmp(label, "vip"))
		return 10;
	if (!strcmp(label, "regular"))
		return 5;
	if (!strcmp(label, "welcome"))
		return 5;
	return 0;
}

static int open_db(kehu_db **db, arena *a, flash *f)
{
	kehu_db_options o;
	kehu_storage vt;
	int rc;

	memset(&vt, 0, sizeof vt);
	vt.version = KEHU_STORAGE_VERSION;
	vt.user_data = f;
	vt.begin = fl_begin;
	vt.commit = fl_commit;
	vt.rollback = fl_rollback;
	vt.get = fl_get;
	vt.put = fl_put;
	vt.del = fl_del;
	vt.scan = fl_scan;
	vt.errmsg = fl_errmsg;
	if ((rc = flash_mount(f)) != KEHU_OK)
		return rc;
	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	o.alloc = arena_alloc;
	o.alloc_user_data = a;
	o.storage = &vt;
	o.utc_offset = 8 * 3600; /* the shop is in Shanghai */
	return kehu_db_open(db, &o);
}

/* A card swiped at the till: find or enrol the shopper. */
static int shopper(kehu_db *db, const char *card, kehu_id *id)
{
	kehu_customer *c;
	int rc = kehu_customer_lookup_key(&c, db, card);

	if (rc == KEHU_ENOTFOUND)
		rc = kehu_customer_create(&c, db, card);
	if (rc != KEHU_OK)
		return rc;
	*id = kehu_customer_get_id(c);
	kehu_customer_free(c);
	return KEHU_OK;
}

static int sale(kehu_db *db, const char *card, int64_t t, int64_t cents)
{
	kehu_interaction *ix;
	kehu_id id;
	int rc;

	if ((rc = shopper(db, card, &id)) != KEHU_OK ||
	    (rc = kehu_interaction_new(&ix, db, id, KEHU_IX_PURCHASE, t)))
		return rc;
	if ((rc = kehu_interaction_set_amount(ix, cents)) == KEHU_OK &&
	    (rc = kehu_interaction_set_channel(ix, "till-3")) == KEHU_OK)
		rc = kehu_interaction_record(ix);
	kehu_interaction_free(ix);
	return rc;
}

static int checkout(kehu_db *db, const kehu_rules *rules, const char *card,
                    int64_t now, int64_t basket)
{
	kehu_result *res;
	const char *label;
	kehu_id id;
	int pct, rc;

	if ((rc = shopper(db, card, &id)) != KEHU_OK ||
	    (rc = kehu_rules_evaluate(&res, rules, db, id, now)) != KEHU_OK)
		return rc;
	label = kehu_result_get_label_by_name(res, "checkout");
	pct = discount_percent(label);
	printf("checkout %-6s basket %4lld.%02lld  %-8s -%2d%%  pay "
	       "%4lld.%02lld\n", card, (long long)(basket / 100),
	       (long long)(basket % 100), label, pct,
	       (long long)((basket * (100 - pct) / 100) / 100),
	       (long long)((basket * (100 - pct) / 100) % 100));
	kehu_result_free(res);
	return sale(db, card, now, basket * (100 - pct) / 100);
}

int main(void)
{
	/* 2024-06-01 00:00 Shanghai; the host owns the clock */
	const int64_t day = 86400, t0 = 1717171200 - 8 * 3600;
	static const char *const cards[] = {"4711", "4712", "4713", "4714"};
	arena a;
	flash f;
	kehu_db *db = NULL;
	kehu_rules *rules = NULL;
	int rc, i;

	memset(&a, 0, sizeof a);
	a.base = (unsigned char *)arena_words;
	a.size = sizeof arena_words;
	memset(&f, 0, sizeof f);
	f.bytes = flash_bytes;
	f.size = sizeof flash_bytes;
	f.index = flash_index;
	f.max_keys = MAX_KEYS;
	memset(flash_bytes, 0xFF, sizeof flash_bytes); /* erased flash */

	if ((rc = open_db(&db, &a, &f)) != KEHU_OK)
		goto fail;
	/* a month of sales, one transaction per receipt; 4713 stopped
	 * coming in the winter, 4711 once bought a coffee machine */
	for (i = 0; i < 30; i++)
		if ((rc = sale(db, cards[i % 2], t0 + i * day + 3600,
		               1500 + 700 * (i % 5))) != KEHU_OK)
			goto fail;
	for (i = 0; i < 4; i++)
		if ((rc = sale(db, "4713", t0 - (150 - 7 * i) * day,
		               2500)) != KEHU_OK)
			goto fail;
	if ((rc = sale(db, "4711", t0 - 200 * day, 90000)) != KEHU_OK)
		goto fail;
	printf("recorded 35 sales; flash log %zu of %u bytes, %zu keys\n",
	       f.committed, FLASH_BYTES, f.nkeys);

	/* power cut: the RAM is gone, the flash log stays */
	kehu_db_close(db);
	db = NULL;
	memset(flash_index, 0, sizeof flash_index);
	if ((rc = open_db(&db, &a, &f)) != KEHU_OK)
		goto fail;
	printf("rebooted: %lld customers back from flash\n",
	       (long long)kehu_db_customer_count(db));

	if ((rc = kehu_rules_compile(&rules, db, checkout_rules,
	                             sizeof checkout_rules - 1)) != KEHU_OK)
		goto fail;
	for (i = 0; i < 4; i++)
		if ((rc = checkout(db, rules, cards[i], t0 + 31 * day,
		                   4990)) != KEHU_OK)
			goto fail;
	kehu_rules_free(rules);
	kehu_db_close(db);
	printf("arena: peak %zu of %u bytes, %zu in use after close\n",
	       a.peak, ARENA_BYTES, a.in_use);
	return a.in_use == 0 ? 0 : 1;
fail:
	fprintf(stderr, "pos: %s\n", kehu_errmsg(db));
	kehu_rules_free(rules);
	kehu_db_close(db);
	return 1;
}
