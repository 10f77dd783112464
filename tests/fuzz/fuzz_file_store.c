/*
 * tests/fuzz/fuzz_file_store: a libFuzzer target for the file store's
 * journal recovery (src/storage/file.c): the file a host hands the
 * library may be torn by a crash, rotted on disk, or not ours at all.
 *
 * Each input becomes the contents of a file, which is then opened with
 * the file store.  The first byte chooses how:
 *   bit 0  0: the rest is the file, raw;
 *          1: "framed": a valid header, then records built from the
 *          rest (see build_framed) with correct lengths and CRCs, so the
 *          fuzzer reaches the replay and the db's decoders;
 *   bit 1  open read-only;  bit 2  open with KEHU_FILE_SALVAGE.
 * A store that opens is read back fully (a scan, and a get of every key
 * scanned, which must agree), then a db is opened on it, every
 * customer and account is walked through the public API and the
 * default rule pack is evaluated for every customer.  A writable
 * store is then closed and reopened: the reopen must succeed, report no
 * torn tail and no corruption, and hold exactly the keys and values the
 * store held before it was closed.  Nothing may crash or leak.
 *
 * Built as fuzz_file_store (libFuzzer, clang) and fuzz_file_store_replay
 * (any compiler, with replay.c), see meson.build.
 */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kehu.h"
#include "kehu/file_store.h"
#include "storage/file.h"
#include "testutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 INT64_C(1704067200)

static char dir[64];
static char path[96];
static char cpath[112];

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_file_store: %s\n", what);
		abort();
	}
}

static void cleanup(void)
{
	unlink(path);
	unlink(cpath);
	rmdir(dir);
}

static void setup(void)
{
	/* tmpfs when there is one: the file is rewritten every run */
	strcpy(dir, "/dev/shm/kehu-fuzz-fs-XXXXXX");
	if (!mkdtemp(dir)) {
		strcpy(dir, "/tmp/kehu-fuzz-fs-XXXXXX");
		check(mkdtemp(dir) != NULL, "mkdtemp");
	}
	snprintf(path, sizeof path, "%s/db.kehu", dir);
	snprintf(cpath, sizeof cpath, "%s.compact", path);
	atexit(cleanup);
}

/* ---- building the file ---- */

typedef struct out {
	unsigned char *p;
	size_t len, cap;
} out;

static void put(out *o, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (o->len + n > o->cap) {
		size_t cap = (o->len + n) * 2 + 64;
		unsigned char *np = realloc(o->p, cap);

		check(np != NULL, "out of memory");
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void le32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void le64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* One record: length, CRC-32C of the length bytes and the body (flipped
 * when bad), body. */
static void frame(out *o, const unsigned char *body, size_t n, int bad)
{
	unsigned char *tmp = malloc(4 + n);
	unsigned char f[8];

	check(tmp != NULL, "out of memory");
	le32(f, (uint32_t)n);
	memcpy(tmp, f, 4);
	memcpy(tmp + 4, body, n);
	le32(f + 4, kehu__file_crc32c(tmp, 4 + n) ^ (bad ? 1u : 0u));
	free(tmp);
	put(o, f, 8);
	put(o, body, n);
}

/*
 * Framed contents: a valid header, then chunks of the input.  A chunk is
 * a length byte L, then L bytes:
 *   L == 0: the rest of the input is appended raw (a torn tail);
 *   'C' alone: a valid commit of the records since the last one;
 *   'X' then a body: that body with a wrong CRC;
 *   anything else: the L bytes are a record body (type byte first),
 *   framed with a correct CRC.
 * A chunk cut short by the end of the input is a body of what is left.
 */
static void build_framed(out *o, const uint8_t *p, size_t n)
{
	unsigned char h[KEHU__FILE_HDR];
	uint64_t seq = 1, ops = 0, txn_start = KEHU__FILE_HDR;

	memset(h, 0, sizeof h);
	memcpy(h, KEHU__FILE_MAGIC, 8);
	le32(h + 8, KEHU__FILE_FORMAT);
	le32(h + 12, KEHU__FILE_HDR);
	le64(h + 16, 1);
	le32(h + 28, kehu__file_crc32c(h, 28));
	put(o, h, sizeof h);
	while (n > 0) {
		size_t l = p[0];

		p++;
		n--;
		if (l == 0) {
			put(o, p, n);
			return;
		}
		if (l > n)
			l = n;
		if (l == 1 && p[0] == KEHU__FILE_COMMIT) {
			unsigned char c[KEHU__FILE_COMMIT_BODY];

			c[0] = KEHU__FILE_COMMIT;
			le64(c + 1, seq++);
			le64(c + 9, ops);
			le64(c + 17, txn_start);
			frame(o, c, sizeof c, 0);
			ops = 0;
			txn_start = o->len;
		} else if (l > 1 && p[0] == 'X') {
			frame(o, p + 1, l - 1, 1);
		} else if (l > 0) {
			frame(o, p, l, 0);
			ops++;
		}
		p += l;
		n -= l;
	}
}

static void write_file(const uint8_t *p, size_t n)
{
	FILE *f;

	unlink(path);
	unlink(cpath);
	f = fopen(path, "wb");
	check(f != NULL, "create the file");
	check(n == 0 || fwrite(p, 1, n, f) == n, "write the file");
	check(fclose(f) == 0, "close the file");
}

/* ---- reading the store back ---- */

typedef struct scan_ctx {
	out keys;  /* each key: 4-byte length, bytes */
	out dump;  /* each pair: lengths and bytes */
	size_t n;
} scan_ctx;

static int visit(const void *k, size_t kl, const void *v, size_t vl,
                 void *vctx)
{
	scan_ctx *s = vctx;
	unsigned char l[8];

	le32(l, (uint32_t)kl);
	le32(l + 4, (uint32_t)vl);
	put(&s->keys, l, 4);
	put(&s->keys, k, kl);
	put(&s->dump, l, 8);
	put(&s->dump, k, kl);
	put(&s->dump, v, vl);
	s->n++;
	return 0;
}

typedef struct get_ctx {
	const unsigned char *want;
	size_t wlen;
	int same;
} get_ctx;

static int sink(const void *v, size_t vl, void *vctx)
{
	get_ctx *g = vctx;

	g->same = vl == g->wlen && (vl == 0 || memcmp(v, g->want, vl) == 0);
	return KEHU_OK;
}

/* Scans every key, then gets each one: the values must agree.  The
 * caller frees s->keys.p and s->dump.p. */
static void read_all(const kehu_storage *vt, scan_ctx *s)
{
	static const unsigned char first = 0;
	size_t off = 0, doff = 0;

	memset(s, 0, sizeof *s);
	check(vt->scan(&first, 0, NULL, 0, visit, s, vt->user_data) == KEHU_OK,
	      "scan of an open store fails");
	while (off < s->keys.len) {
		uint32_t kl = (uint32_t)s->keys.p[off] |
		              (uint32_t)s->keys.p[off + 1] << 8 |
		              (uint32_t)s->keys.p[off + 2] << 16 |
		              (uint32_t)s->keys.p[off + 3] << 24;
		uint32_t vl = (uint32_t)s->dump.p[doff + 4] |
		              (uint32_t)s->dump.p[doff + 5] << 8 |
		              (uint32_t)s->dump.p[doff + 6] << 16 |
		              (uint32_t)s->dump.p[doff + 7] << 24;
		get_ctx g;

		g.want = s->dump.p + doff + 8 + kl;
		g.wlen = vl;
		g.same = 0;
		check(vt->get(s->keys.p + off + 4, kl, sink, &g,
		              vt->user_data) == KEHU_OK && g.same,
		      "get disagrees with scan");
		off += 4 + kl;
		doff += 8 + kl + vl;
	}
}

typedef struct eval_ctx {
	kehu_db *db;
	const kehu_rules *rules;
} eval_ctx;

static int eval_one(kehu_id id, void *ud)
{
	eval_ctx *e = ud;
	kehu_result *res = NULL;

	if (kehu_rules_evaluate(&res, e->rules, e->db, id, T0) == KEHU_OK)
		check(kehu_result_get_label(res, 0) != NULL, "no label");
	kehu_result_free(res);
	return 0;
}

/* A db on the store, walked through the public API (every customer and
 * account, then the default pack evaluated for every customer and a
 * query); any error code is fine (the records may be garbage), a crash
 * or a leak is not. */
static void walk_db(const kehu_storage *vt)
{
	const char *src = kehu_rules_default_source();
	kehu_db_options o;
	kehu_db *db = NULL;
	kehu_rules *r = NULL;
	test_text t;
	eval_ctx e;

	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	o.storage = vt;
	if (kehu_db_open(&db, &o) == KEHU_OK) {
		memset(&t, 0, sizeof t);
		(void)test_snapshot(db, T0, &t);
		test_text_free(&t);
		if (kehu_rules_compile(&r, db, src, strlen(src)) == KEHU_OK) {
			e.db = db;
			e.rules = r;
			(void)kehu_customer_foreach(db, eval_one, &e);
			(void)kehu_query(db, r, "importance == \"vip\"", T0,
			                 NULL, NULL, NULL);
			kehu_rules_free(r);
		}
	}
	check(kehu_errmsg(db) != NULL, "no message");
	kehu_db_close(db);
}

static int open_store(kehu_storage_file **fs, uint32_t flags)
{
	kehu_file_store_options fo;

	kehu_file_store_options_init(&fo, KEHU_FILE_STORE_OPTIONS_VERSION);
	fo.flags = flags;
	fo.durability = KEHU_FILE_SYNC_OFF;
	return kehu_storage_file_open(fs, path, &fo);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kehu_storage_file *fs = NULL;
	kehu_storage vt;
	scan_ctx before, after;
	uint32_t flags = 0;
	int64_t v;
	int mode, rc;

	if (!dir[0])
		setup();
	if (size > 1 << 20)
		return 0;
	mode = size ? data[0] : 0;
	if (mode & 1) {
		out o;

		memset(&o, 0, sizeof o);
		build_framed(&o, data + 1, size - 1);
		write_file(o.p, o.len);
		free(o.p);
	} else {
		write_file(data + (size > 0), size - (size > 0));
	}
	if (mode & 2)
		flags |= KEHU_FILE_READONLY;
	if (mode & 4)
		flags |= KEHU_FILE_SALVAGE;
	rc = open_store(&fs, flags);
	check(kehu_storage_file_errmsg(fs) != NULL, "no store message");
	if (rc != KEHU_OK) {
		check(rc == KEHU_ECORRUPT || rc == KEHU_ENOMEM ||
		      rc == KEHU_ESTORAGE, "unexpected open code");
		check(kehu_storage_file_get_vtable(fs, &vt) == KEHU_EMISUSE,
		      "a failed store hands out a vtable");
		kehu_storage_file_close(fs);
		return 0;
	}
	check(kehu_storage_file_get_vtable(fs, &vt) == KEHU_OK, "vtable");
	read_all(&vt, &before);
	free(before.keys.p);
	free(before.dump.p);
	walk_db(&vt);
	check(kehu_storage_file_stat(fs, KEHU_FILE_STAT_READONLY, &v) ==
	      KEHU_OK, "stat");
	if (v) {
		kehu_storage_file_close(fs);
		return 0;
	}
	/* what a writable store holds now (the db may have written its
	 * meta record) survives a close and a reopen, with nothing to cut */
	read_all(&vt, &before);
	kehu_storage_file_close(fs);
	rc = open_store(&fs, 0);
	if (rc != KEHU_OK)
		fprintf(stderr, "reopen: %s\n", kehu_storage_file_errmsg(fs));
	check(rc == KEHU_OK, "a store that opened does not reopen");
	check(kehu_storage_file_stat(fs, KEHU_FILE_STAT_TORN_TAILS, &v) ==
	      KEHU_OK && v == 0, "a torn tail after a clean close");
	check(kehu_storage_file_stat(fs, KEHU_FILE_STAT_CORRUPT_OFFSET, &v) ==
	      KEHU_OK && v == -1, "corruption after a clean close");
	check(kehu_storage_file_get_vtable(fs, &vt) == KEHU_OK, "vtable");
	read_all(&vt, &after);
	check(after.dump.len == before.dump.len &&
	      (after.dump.len == 0 ||
	       memcmp(after.dump.p, before.dump.p, after.dump.len) == 0),
	      "the reopened store holds other keys or values");
	free(before.keys.p);
	free(before.dump.p);
	free(after.keys.p);
	free(after.dump.p);
	kehu_storage_file_close(fs);
	return 0;
}
