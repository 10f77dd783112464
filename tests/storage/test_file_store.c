/*
 * tests/storage/test_file_store: the POSIX file store (storage layer)
 * under the conformance suite, and its own promises, mostly through the
 * public db API on top of it: reopen, torn writes at every byte of the
 * last transaction, bit flips, SIGKILLed writers, compaction (also
 * killed midway), the one-writer lock, format versions, read-only and
 * salvage modes, durability modes, allocation failures.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conformance.h"
#include "storage/file.h"
#include "testutil.h"

#define NOW (T0 + 400 * DAY)
#define PATHCAP 512
#define DIRCAP 256 /* leaves room for a file name in PATHCAP */

/* ---- temp directories ---- */

static void tdir_make(char *dir, size_t cap)
{
	const char *base = getenv("TMPDIR");

	snprintf(dir, cap, "%s/kehu-fs-XXXXXX", base && *base ? base : "/tmp");
	assert_non_null(mkdtemp(dir));
}

static void tdir_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATHCAP];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

typedef struct fsfx {
	char dir[DIRCAP];
	char path[DIRCAP + 16];  /* dir/db.kehu */
	char work[DIRCAP + 16];  /* dir/work.kehu */
} fsfx;

static int fx_setup(void **state)
{
	fsfx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	tdir_make(f->dir, sizeof f->dir);
	snprintf(f->path, sizeof f->path, "%s/db.kehu", f->dir);
	snprintf(f->work, sizeof f->work, "%s/work.kehu", f->dir);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	fsfx *f = *state;

	tdir_remove(f->dir);
	free(f);
	return 0;
}

/* ---- files ---- */

static unsigned char *file_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *b;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return b;
}

static void file_write(const char *path, const void *b, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_true(n == 0 || write(fd, b, n) == (ssize_t)n);
	close(fd);
}

static int64_t file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	return (int64_t)st.st_size;
}

static int file_exists(const char *path)
{
	return file_size(path) >= 0;
}

/* ---- store and db helpers ---- */

static int fs_try(kehu_storage_file **out, const char *path, int32_t dur,
                  uint32_t flags)
{
	kehu_file_store_options o;

	kehu_file_store_options_init(&o, KEHU_FILE_STORE_OPTIONS_VERSION);
	o.durability = dur;
	o.flags = flags;
	return kehu_storage_file_open(out, path, &o);
}

static kehu_storage_file *fs_open(const char *path, int32_t dur,
                                  uint32_t flags)
{
	kehu_storage_file *fs;
	int rc = fs_try(&fs, path, dur, flags);

	if (rc != KEHU_OK)
		fail_msg("open %s: %d %s", path, rc,
		         kehu_storage_file_errmsg(fs));
	return fs;
}

static int64_t st(const kehu_storage_file *fs, int32_t which)
{
	int64_t v = -2;

	assert_int_equal(kehu_storage_file_stat(fs, which, &v), KEHU_OK);
	return v;
}

static kehu_db *db_on(kehu_storage_file *fs)
{
	kehu_storage vt;
	kehu_db *db;
	int rc;

	assert_int_equal(kehu_storage_file_get_vtable(fs, &vt), KEHU_OK);
	rc = test_open(&db, NULL, &vt);
	if (rc != KEHU_OK)
		fail_msg("db open: %s", kehu_errmsg(db));
	return db;
}

static void snap(kehu_db *db, test_text *t)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(test_snapshot(db, NOW, t), KEHU_OK);
}

/* Snapshot of the db in the file at path (opened with flags). */
static void snap_file(const char *path, uint32_t flags, test_text *t)
{
	kehu_storage_file *fs = fs_open(path, KEHU_FILE_SYNC_OFF, flags);
	kehu_db *db = db_on(fs);

	snap(db, t);
	kehu_db_close(db);
	kehu_storage_file_close(fs);
}

static void ok(kehu_db *db, int rc)
{
	if (rc != KEHU_OK)
		fail_msg("%d: %s", rc, kehu_errmsg(db));
}

static int64_t add_customer(kehu_db *db, const char *key, const char *name)
{
	kehu_customer *c;
	int64_t id;

	ok(db, kehu_customer_create(&c, db, key));
	ok(db, kehu_customer_set_name(c, name));
	ok(db, kehu_customer_add_tag(c, "retail"));
	ok(db, kehu_customer_set_attr_string(c, "city", "Hangzhou"));
	ok(db, kehu_customer_save(c));
	id = kehu_customer_get_id(c);
	kehu_customer_free(c);
	return id;
}

static void add_ix(kehu_db *db, int64_t cust, int32_t type, int64_t t,
                   int64_t amount)
{
	kehu_interaction *ix;

	ok(db, kehu_interaction_new(&ix, db, cust, type, t));
	ok(db, kehu_interaction_set_amount(ix, amount));
	if (type == KEHU_IX_FEEDBACK)
		ok(db, kehu_interaction_set_satisfaction(ix, 4));
	ok(db, kehu_interaction_set_note(ix, "note"));
	ok(db, kehu_interaction_record(ix));
	kehu_interaction_free(ix);
}

static void rename_customer(kehu_db *db, int64_t id, const char *name)
{
	kehu_customer *c;

	ok(db, kehu_customer_lookup(&c, db, id));
	ok(db, kehu_customer_set_name(c, name));
	ok(db, kehu_customer_save(c));
	kehu_customer_free(c);
}

/* One host transaction of the history: step 0 is the db's creation. */
static void history_step(kehu_db *db, int k)
{
	char key[32];
	char name[48];
	int i;

	ok(db, kehu_db_begin(db));
	if (k == 1) {
		kehu_account *a;

		for (i = 0; i < 8; i++) {
			snprintf(key, sizeof key, "ERP-%d", i);
			snprintf(name, sizeof name, "Customer %d", i);
			add_customer(db, key, name);
		}
		ok(db, kehu_account_create(&a, db, 1));
		ok(db, kehu_account_add_member(a, 2, KEHU_ROLE_USER));
		ok(db, kehu_account_save(a));
		kehu_account_free(a);
	} else {
		for (i = 0; i < 3; i++)
			add_ix(db, 1 + (k * 3 + i) % 8, 1 + (k + i) % 10,
			       T0 + (k * 10 + i) * DAY, 100 * k + i);
		snprintf(name, sizeof name, "Renamed at %d", k);
		rename_customer(db, 1 + k % 8, name);
	}
	ok(db, kehu_db_commit(db));
}

#define NSTEPS 6

/* A file written by NSTEPS host transactions, with the db's snapshot and
 * the file's size after each. */
typedef struct history {
	test_text snap[NSTEPS];
	int64_t size[NSTEPS];
	unsigned char *bytes;
	size_t len;
} history;

static void history_build(const char *path, int32_t dur, history *h)
{
	kehu_storage_file *fs = fs_open(path, dur, 0);
	kehu_db *db = db_on(fs);
	int k;

	for (k = 0; k < NSTEPS; k++) {
		if (k > 0)
			history_step(db, k);
		snap(db, &h->snap[k]);
		h->size[k] = st(fs, KEHU_FILE_STAT_FILE_BYTES);
		assert_int_equal(h->size[k], file_size(path));
	}
	kehu_db_close(db);
	kehu_storage_file_close(fs);
	h->bytes = file_read(path, &h->len);
	assert_int_equal(h->len, h->size[NSTEPS - 1]);
}

static void history_free(history *h)
{
	int k;

	for (k = 0; k < NSTEPS; k++)
		test_text_free(&h->snap[k]);
	free(h->bytes);
}

/* ---- raw store helpers ---- */

static void raw_put(kehu_storage *vt, const char *k, const void *v,
                    size_t vl)
{
	assert_int_equal(vt->put(k, strlen(k), v, vl, vt->user_data), 0);
}

static void raw_commit_kv(kehu_storage *vt, const char *k, const char *v)
{
	assert_int_equal(vt->begin(vt->user_data), KEHU_OK);
	raw_put(vt, k, v, strlen(v));
	assert_int_equal(vt->commit(vt->user_data), KEHU_OK);
}

typedef struct digest {
	uint64_t n;
	uint64_t h;
} digest;

static int digest_visit(const void *k, size_t kl, const void *v, size_t vl,
                        void *ctx)
{
	digest *d = ctx;
	const unsigned char *p;
	size_t i;

	d->n++;
	for (p = k, i = 0; i < kl; i++)
		d->h = (d->h ^ p[i]) * 0x100000001b3u;
	d->h = (d->h ^ 0xFF) * 0x100000001b3u;
	for (p = v, i = 0; i < vl; i++)
		d->h = (d->h ^ p[i]) * 0x100000001b3u;
	d->h = (d->h ^ (uint64_t)vl) * 0x100000001b3u;
	return KEHU_OK;
}

static digest raw_digest(kehu_storage *vt)
{
	digest d = {0, 0xcbf29ce484222325u};

	assert_int_equal(vt->scan(NULL, 0, NULL, 0, digest_visit, &d,
	                          vt->user_data), KEHU_OK);
	return d;
}

static digest file_digest(const char *path, uint32_t flags)
{
	kehu_storage_file *fs = fs_open(path, KEHU_FILE_SYNC_OFF, flags);
	kehu_storage vt;
	digest d;

	kehu_storage_file_get_vtable(fs, &vt);
	d = raw_digest(&vt);
	kehu_storage_file_close(fs);
	return d;
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

static void sleep_us(long us)
{
	struct timespec ts;

	ts.tv_sec = us / 1000000;
	ts.tv_nsec = (us % 1000000) * 1000;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- conformance ---- */

typedef struct conf {
	char dir[DIRCAP];
	char path[DIRCAP + 32];
	int32_t durability;
	int n;
	kehu_storage_file *fs;
} conf;

static int conf_open(kehu_storage *out, void *user_data)
{
	conf *c = user_data;
	int rc;

	snprintf(c->path, sizeof c->path, "%s/conf-%d.kehu", c->dir, c->n++);
	rc = fs_try(&c->fs, c->path, c->durability, 0);
	if (rc != KEHU_OK)
		return rc;
	return kehu_storage_file_get_vtable(c->fs, out);
}

/* Checks that the file reads back exactly what the store held. */
static void conf_destroy(kehu_storage *vt, void *user_data)
{
	conf *c = user_data;
	digest before;
	digest after;

	vt->rollback(vt->user_data); /* a failed test may leave one open */
	before = raw_digest(vt);
	kehu_storage_file_close(c->fs);
	after = file_digest(c->path, 0);
	assert_int_equal(before.n, after.n);
	assert_true(before.h == after.h);
	unlink(c->path);
}

static int run_conformance(const char *name, int32_t durability)
{
	kehu_conformance_factory f;
	conf c;
	int failed;

	memset(&c, 0, sizeof c);
	tdir_make(c.dir, sizeof c.dir);
	c.durability = durability;
	f.open = conf_open;
	f.destroy = conf_destroy;
	f.user_data = &c;
	failed = kehu_conformance_run(name, &f);
	tdir_remove(c.dir);
	return failed;
}

/* ---- API rules ---- */

static void test_api_args(void **state)
{
	fsfx *f = *state;
	kehu_file_store_options o;
	kehu_file_store_options si = KEHU_FILE_STORE_OPTIONS_INIT;
	kehu_storage_file *fs = (kehu_storage_file *)1;
	kehu_storage vt;
	int64_t v;

	assert_int_equal(kehu_file_store_options_init(NULL, 1), KEHU_EINVAL);
	assert_int_equal(kehu_file_store_options_init(&o, 0), KEHU_EINVAL);
	assert_int_equal(kehu_file_store_options_init(&o, 2), KEHU_EINVAL);
	assert_int_equal(kehu_file_store_options_init(&o, 1), KEHU_OK);
	assert_int_equal(o.durability, KEHU_FILE_SYNC_FULL);
	assert_int_equal(o.version, si.version);
	assert_int_equal(o.flags, si.flags);
	assert_int_equal(o.durability, si.durability);
	assert_int_equal(o.sync_every_commits, si.sync_every_commits);
	assert_int_equal(o.sync_every_ms, si.sync_every_ms);
	assert_int_equal(o.compact_garbage_percent,
	                 si.compact_garbage_percent);
	assert_int_equal(o.compact_min_bytes, si.compact_min_bytes);
	assert_null(si.alloc);

	assert_int_equal(kehu_storage_file_open(NULL, f->path, NULL),
	                 KEHU_EINVAL);
	/* a failed open hands the store back, with its reason */
	assert_int_equal(kehu_storage_file_open(&fs, NULL, NULL), KEHU_EINVAL);
	assert_non_null(fs);
	assert_non_null(strstr(kehu_storage_file_errmsg(fs), "path"));
	assert_int_equal(kehu_storage_file_get_vtable(fs, &vt), KEHU_EMISUSE);
	assert_null(vt.begin);
	assert_int_equal(kehu_storage_file_compact(fs), KEHU_EMISUSE);
	assert_int_equal(kehu_storage_file_sync(fs), KEHU_EMISUSE);
	assert_int_equal(st(fs, KEHU_FILE_STAT_CORRUPT_OFFSET), -1);
	kehu_storage_file_close(fs);

	o.durability = 7;
	assert_int_equal(kehu_storage_file_open(&fs, f->path, &o),
	                 KEHU_EINVAL);
	kehu_storage_file_close(fs);
	kehu_file_store_options_init(&o, 1);
	o.flags = 0x100;
	assert_int_equal(kehu_storage_file_open(&fs, f->path, &o),
	                 KEHU_EINVAL);
	kehu_storage_file_close(fs);
	kehu_file_store_options_init(&o, 1);
	o.version = 9;
	assert_int_equal(kehu_storage_file_open(&fs, f->path, &o),
	                 KEHU_EINVAL);
	kehu_storage_file_close(fs);
	assert_false(file_exists(f->path));

	/* a directory is not a store */
	assert_int_equal(kehu_storage_file_open(&fs, f->dir, NULL),
	                 KEHU_EINVAL);
	kehu_storage_file_close(fs);

	assert_string_equal(kehu_storage_file_errmsg(NULL), "out of memory");
	assert_int_equal(kehu_storage_file_stat(NULL, 1, &v), KEHU_EINVAL);
	assert_int_equal(kehu_storage_file_get_vtable(NULL, &vt),
	                 KEHU_EINVAL);
	assert_int_equal(kehu_storage_file_compact(NULL), KEHU_EINVAL);
	assert_int_equal(kehu_storage_file_sync(NULL), KEHU_EINVAL);
	assert_int_equal(kehu_storage_file_export(NULL, f->work),
	                 KEHU_EINVAL);
	kehu_storage_file_close(NULL);

	/* NULL options: full durability, created on demand */
	assert_int_equal(kehu_storage_file_open(&fs, f->path, NULL), KEHU_OK);
	assert_string_equal(kehu_storage_file_errmsg(fs), "not an error");
	assert_int_equal(st(fs, KEHU_FILE_STAT_FILE_BYTES), KEHU__FILE_HDR);
	assert_int_equal(file_size(f->path), KEHU__FILE_HDR);
	assert_int_equal(kehu_storage_file_stat(fs, 0, &v), KEHU_EINVAL);
	assert_int_equal(kehu_storage_file_stat(fs, 99, &v), KEHU_EINVAL);
	assert_int_equal(kehu_storage_file_get_vtable(fs, NULL), KEHU_EINVAL);
	assert_int_equal(kehu_storage_file_get_vtable(fs, &vt), KEHU_OK);
	assert_int_equal(vt.version, KEHU_STORAGE_VERSION);
	assert_null(vt.close);
	assert_int_equal(vt.put("k", 1, "v", 1, vt.user_data), KEHU_EMISUSE);
	assert_non_null(strstr(vt.errmsg(vt.user_data), "transaction"));
	assert_int_equal(vt.commit(vt.user_data), KEHU_EMISUSE);
	assert_int_equal(vt.begin(vt.user_data), KEHU_OK);
	assert_int_equal(vt.begin(vt.user_data), KEHU_EMISUSE);
	assert_int_equal(kehu_storage_file_compact(fs), KEHU_EMISUSE);
	assert_int_equal(kehu_storage_file_export(fs, f->work), KEHU_EMISUSE);
	raw_put(&vt, "k", "v", 1);
	/* an empty transaction writes nothing */
	assert_int_equal(vt.rollback(vt.user_data), KEHU_OK);
	assert_int_equal(vt.begin(vt.user_data), KEHU_OK);
	assert_int_equal(vt.commit(vt.user_data), KEHU_OK);
	assert_int_equal(file_size(f->path), KEHU__FILE_HDR);
	/* an open transaction is discarded at close */
	assert_int_equal(vt.begin(vt.user_data), KEHU_OK);
	raw_put(&vt, "k", "v", 1);
	kehu_storage_file_close(fs);
	assert_int_equal(file_digest(f->path, 0).n, 0);
	assert_int_equal(file_size(f->path), KEHU__FILE_HDR);

	/* MUST_EXIST */
	assert_int_equal(fs_try(&fs, f->work, KEHU_FILE_SYNC_FULL,
	                        KEHU_FILE_MUST_EXIST), KEHU_ENOTFOUND);
	assert_non_null(strstr(kehu_storage_file_errmsg(fs), "work.kehu"));
	kehu_storage_file_close(fs);
	assert_false(file_exists(f->work));
}

/* The db reads back identical after close and reopen, in every mode. */
static void test_reopen_db(void **state)
{
	fsfx *f = *state;
	static const int32_t modes[] = {KEHU_FILE_SYNC_FULL,
	                                KEHU_FILE_SYNC_NORMAL,
	                                KEHU_FILE_SYNC_OFF};
	int m;

	for (m = 0; m < 3; m++) {
		history h;
		test_text t;
		kehu_storage_file *fs;

		unlink(f->path);
		history_build(f->path, modes[m], &h);
		snap_file(f->path, 0, &t);
		assert_string_equal(t.data, h.snap[NSTEPS - 1].data);
		test_text_free(&t);
		fs = fs_open(f->path, modes[m], 0);
		assert_int_equal(st(fs, KEHU_FILE_STAT_RECOVERED), NSTEPS);
		assert_int_equal(st(fs, KEHU_FILE_STAT_TORN_TAILS), 0);
		assert_int_equal(st(fs, KEHU_FILE_STAT_CORRUPT_OFFSET), -1);
		assert_true(st(fs, KEHU_FILE_STAT_KEYS) > 20);
		assert_true(st(fs, KEHU_FILE_STAT_LIVE_BYTES) <
		            st(fs, KEHU_FILE_STAT_FILE_BYTES));
		kehu_storage_file_close(fs);
		history_free(&h);
	}
}

/* Cut the file at every byte of the last transaction: the db is the
 * one after the previous commit, every time. */
static void test_torn_every_byte(void **state)
{
	fsfx *f = *state;
	history h;
	int64_t from;
	int64_t t;

	history_build(f->path, KEHU_FILE_SYNC_FULL, &h);
	from = h.size[NSTEPS - 2];
	assert_true(h.size[NSTEPS - 1] - from > 100);
	for (t = from; t <= h.size[NSTEPS - 1]; t++) {
		int last = t == h.size[NSTEPS - 1];
		kehu_storage_file *fs;
		kehu_db *db;
		test_text s;

		file_write(f->work, h.bytes, (size_t)t);
		fs = fs_open(f->work, KEHU_FILE_SYNC_OFF, 0);
		assert_int_equal(st(fs, KEHU_FILE_STAT_TORN_TAILS),
		                 t > from && !last);
		assert_int_equal(st(fs, KEHU_FILE_STAT_TORN_BYTES),
		                 last ? 0 : t - from);
		assert_int_equal(st(fs, KEHU_FILE_STAT_RECOVERED),
		                 last ? NSTEPS : NSTEPS - 1);
		/* the tail is cut from the file */
		assert_int_equal(file_size(f->work),
		                 last ? h.size[NSTEPS - 1] : from);
		db = db_on(fs);
		snap(db, &s);
		assert_string_equal(s.data, last ? h.snap[NSTEPS - 1].data
		                                 : h.snap[NSTEPS - 2].data);
		test_text_free(&s);
		/* and the store goes on from there */
		if (t % 97 == 0) {
			history_step(db, 2);
			snap(db, &s);
			kehu_db_close(db);
			kehu_storage_file_close(fs);
			fs = fs_open(f->work, KEHU_FILE_SYNC_OFF, 0);
			db = db_on(fs);
			{
				test_text s2;

				snap(db, &s2);
				assert_string_equal(s.data, s2.data);
				test_text_free(&s2);
			}
			test_text_free(&s);
		}
		kehu_db_close(db);
		kehu_storage_file_close(fs);
	}
	/* a read-only open ignores a torn tail and leaves it there */
	file_write(f->work, h.bytes, (size_t)from + 40);
	{
		kehu_storage_file *fs = fs_open(f->work, KEHU_FILE_SYNC_OFF,
		                                KEHU_FILE_READONLY);

		assert_int_equal(st(fs, KEHU_FILE_STAT_TORN_BYTES), 40);
		kehu_storage_file_close(fs);
		assert_int_equal(file_size(f->work), from + 40);
	}
	history_free(&h);
}

/* A transaction larger than the write buffer (a 600 KiB value among
 * small ones), cut at sampled offsets. */
static void test_torn_big_transaction(void **state)
{
	fsfx *f = *state;
	const size_t big = 600 * 1024;
	unsigned char *v = malloc(big);
	kehu_storage_file *fs;
	kehu_storage vt;
	digest before;
	digest after;
	unsigned char *bytes;
	size_t len;
	int64_t from;
	int64_t t;
	char k[16];
	size_t i;

	assert_non_null(v);
	for (i = 0; i < big; i++)
		v[i] = (unsigned char)(i * 7 + i / 251);
	fs = fs_open(f->path, KEHU_FILE_SYNC_NORMAL, 0);
	kehu_storage_file_get_vtable(fs, &vt);
	raw_commit_kv(&vt, "a", "first");
	raw_commit_kv(&vt, "b", "second");
	before = raw_digest(&vt);
	from = st(fs, KEHU_FILE_STAT_FILE_BYTES);
	assert_int_equal(vt.begin(vt.user_data), KEHU_OK);
	for (i = 0; i < 3000; i++) {
		snprintf(k, sizeof k, "k%05zu", i);
		raw_put(&vt, k, v + i, 100);
		if (i == 1500)
			raw_put(&vt, "big", v, big);
	}
	assert_int_equal(vt.del("a", 1, vt.user_data), KEHU_OK);
	assert_int_equal(vt.commit(vt.user_data), KEHU_OK);
	after = raw_digest(&vt);
	kehu_storage_file_close(fs);
	bytes = file_read(f->path, &len);
	for (t = from; t <= (int64_t)len; t += 4099) {
		digest d;

		file_write(f->work, bytes, (size_t)t);
		d = file_digest(f->work, 0);
		assert_int_equal(d.n, before.n);
		assert_true(d.h == before.h);
	}
	for (t = (int64_t)len - 40; t <= (int64_t)len; t++) {
		digest d;
		int last = t == (int64_t)len;

		file_write(f->work, bytes, (size_t)t);
		d = file_digest(f->work, 0);
		assert_int_equal(d.n, last ? after.n : before.n);
		assert_true(d.h == (last ? after.h : before.h));
	}
	free(bytes);
	free(v);
}

/* Flip one bit at sampled offsets: corruption is reported (and salvage
 * gives every transaction before it), or, in the last transaction, the
 * tail is cut; never wrong data. */
static void test_bit_flips(void **state)
{
	fsfx *f = *state;
	history h;
	size_t pos;
	int corrupt = 0;
	int torn = 0;

	history_build(f->path, KEHU_FILE_SYNC_FULL, &h);
	for (pos = 0; pos < h.len; pos += pos < KEHU__FILE_HDR ? 1 : 11) {
		kehu_storage_file *fs;
		test_text s;
		int64_t x;
		int rc;
		int j;

		h.bytes[pos] ^= (unsigned char)(1u << (pos * 5 % 8));
		file_write(f->work, h.bytes, h.len);
		h.bytes[pos] ^= (unsigned char)(1u << (pos * 5 % 8));
		rc = fs_try(&fs, f->work, KEHU_FILE_SYNC_OFF, 0);
		if (rc == KEHU_OK) {
			/* only the last transaction may be cut */
			torn++;
			assert_true((int64_t)pos >= h.size[NSTEPS - 2]);
			assert_int_equal(st(fs, KEHU_FILE_STAT_TORN_TAILS), 1);
			kehu_storage_file_close(fs);
			snap_file(f->work, 0, &s);
			assert_string_equal(s.data, h.snap[NSTEPS - 2].data);
			test_text_free(&s);
			continue;
		}
		corrupt++;
		assert_int_equal(rc, KEHU_ECORRUPT);
		x = st(fs, KEHU_FILE_STAT_CORRUPT_OFFSET);
		assert_true(x >= 0 && x <= (int64_t)pos);
		assert_true((int64_t)pos - x < 2048);
		kehu_storage_file_close(fs);
		/* a failed open leaves the file alone */
		assert_int_equal(file_size(f->work), (int64_t)h.len);
		/* salvage: every transaction that ends before x */
		for (j = NSTEPS - 1; j >= 0 && h.size[j] > x; j--)
			;
		fs = fs_open(f->work, KEHU_FILE_SYNC_OFF, KEHU_FILE_SALVAGE);
		assert_int_equal(st(fs, KEHU_FILE_STAT_READONLY), 1);
		assert_int_equal(st(fs, KEHU_FILE_STAT_CORRUPT_OFFSET), x);
		assert_int_equal(st(fs, KEHU_FILE_STAT_RECOVERED), j + 1);
		if (j < 0) {
			assert_int_equal(st(fs, KEHU_FILE_STAT_KEYS), 0);
			kehu_storage_file_close(fs);
			continue;
		}
		{
			kehu_db *db = db_on(fs);

			snap(db, &s);
			assert_string_equal(s.data, h.snap[j].data);
			test_text_free(&s);
			kehu_db_close(db);
		}
		kehu_storage_file_close(fs);
		assert_int_equal(file_size(f->work), (int64_t)h.len);
	}
	assert_true(corrupt > 100);
	assert_true(torn > 3);
	history_free(&h);
}

/* Salvage, then export the salvaged state into a fresh file. */
static void test_salvage_export(void **state)
{
	fsfx *f = *state;
	history h;
	char out[PATHCAP];
	kehu_storage_file *fs;
	test_text s;
	size_t pos;

	history_build(f->path, KEHU_FILE_SYNC_OFF, &h);
	pos = (size_t)h.size[2] + 5; /* inside transaction 3 */
	h.bytes[pos] ^= 0x10;
	file_write(f->work, h.bytes, h.len);
	assert_int_equal(fs_try(&fs, f->work, KEHU_FILE_SYNC_FULL, 0),
	                 KEHU_ECORRUPT);
	assert_non_null(strstr(kehu_storage_file_errmsg(fs), "checksum"));
	assert_int_equal(st(fs, KEHU_FILE_STAT_CORRUPT_OFFSET), h.size[2]);
	kehu_storage_file_close(fs);

	fs = fs_open(f->work, KEHU_FILE_SYNC_FULL, KEHU_FILE_SALVAGE);
	assert_non_null(strstr(kehu_storage_file_errmsg(fs), "salvaged"));
	{
		kehu_storage vt;

		kehu_storage_file_get_vtable(fs, &vt);
		assert_int_equal(vt.begin(vt.user_data), KEHU_EMISUSE);
		assert_non_null(strstr(vt.errmsg(vt.user_data), "read-only"));
	}
	assert_int_equal(kehu_storage_file_compact(fs), KEHU_EMISUSE);
	snprintf(out, sizeof out, "%s/saved.kehu", f->dir);
	assert_int_equal(kehu_storage_file_export(fs, out), KEHU_OK);
	assert_int_equal(kehu_storage_file_export(fs, out), KEHU_EEXIST);
	kehu_storage_file_close(fs);

	/* the export is a clean, writable store with the salvaged state */
	fs = fs_open(out, KEHU_FILE_SYNC_FULL, KEHU_FILE_MUST_EXIST);
	assert_int_equal(st(fs, KEHU_FILE_STAT_RECOVERED), 1);
	{
		kehu_db *db = db_on(fs);

		snap(db, &s);
		assert_string_equal(s.data, h.snap[2].data);
		test_text_free(&s);
		history_step(db, 3);
		kehu_db_close(db);
	}
	kehu_storage_file_close(fs);
	snap_file(out, 0, &s);
	assert_string_equal(s.data, h.snap[3].data);
	test_text_free(&s);
	history_free(&h);
}

static int64_t fake_clock(void *ud)
{
	return *(int64_t *)ud;
}

/* normal mode: fsync every N commits or N ms (host clock); a crash
 * may lose unsynced commits, so damage there counts as a torn tail,
 * while damage before the last fsync is corruption. */
static void test_normal_mode(void **state)
{
	fsfx *f = *state;
	kehu_file_store_options o;
	kehu_storage_file *fs;
	kehu_storage vt;
	int64_t clk = 1000;
	int64_t end[6];
	unsigned char *b;
	size_t len;
	int i;

	kehu_file_store_options_init(&o, KEHU_FILE_STORE_OPTIONS_VERSION);
	o.durability = KEHU_FILE_SYNC_NORMAL;
	o.sync_every_commits = 5;
	o.sync_every_ms = 100;
	o.clock_ms = fake_clock;
	o.clock_user_data = &clk;
	assert_int_equal(kehu_storage_file_open(&fs, f->path, &o), KEHU_OK);
	kehu_storage_file_get_vtable(fs, &vt);
	for (i = 0; i < 4; i++)
		raw_commit_kv(&vt, "k", "v");
	assert_int_equal(st(fs, KEHU_FILE_STAT_SYNCS), 0);
	assert_int_equal(st(fs, KEHU_FILE_STAT_UNSYNCED), 4);
	raw_commit_kv(&vt, "k", "v");
	assert_int_equal(st(fs, KEHU_FILE_STAT_SYNCS), 1);
	assert_int_equal(st(fs, KEHU_FILE_STAT_UNSYNCED), 0);
	raw_commit_kv(&vt, "k", "v");
	clk += 99;
	raw_commit_kv(&vt, "k", "v");
	assert_int_equal(st(fs, KEHU_FILE_STAT_SYNCS), 1);
	clk += 1;
	raw_commit_kv(&vt, "k", "v");
	assert_int_equal(st(fs, KEHU_FILE_STAT_SYNCS), 2);
	raw_commit_kv(&vt, "k", "v");
	assert_int_equal(kehu_storage_file_sync(fs), KEHU_OK);
	assert_int_equal(st(fs, KEHU_FILE_STAT_SYNCS), 3);
	assert_int_equal(st(fs, KEHU_FILE_STAT_COMMITS), 9);
	kehu_storage_file_close(fs);

	/* no clock: commits only */
	unlink(f->path);
	o.clock_ms = NULL;
	o.sync_every_commits = 1000;
	assert_int_equal(kehu_storage_file_open(&fs, f->path, &o), KEHU_OK);
	kehu_storage_file_get_vtable(fs, &vt);
	end[0] = st(fs, KEHU_FILE_STAT_FILE_BYTES);
	for (i = 1; i < 6; i++) {
		char k[8];

		snprintf(k, sizeof k, "t%d", i);
		raw_commit_kv(&vt, k, "value");
		end[i] = st(fs, KEHU_FILE_STAT_FILE_BYTES);
	}
	assert_int_equal(st(fs, KEHU_FILE_STAT_SYNCS), 0);
	kehu_storage_file_close(fs);
	/* a flip in transaction 2, before any fsync: cut there */
	b = file_read(f->path, &len);
	b[end[1] + 12] ^= 1;
	file_write(f->work, b, len);
	fs = fs_open(f->work, KEHU_FILE_SYNC_NORMAL, 0);
	assert_int_equal(st(fs, KEHU_FILE_STAT_RECOVERED), 1);
	assert_int_equal(st(fs, KEHU_FILE_STAT_TORN_BYTES),
	                 (int64_t)len - end[1]);
	kehu_storage_file_close(fs);
	free(b);

	/* ... but once a later commit knows it was synced: corruption */
	unlink(f->path);
	assert_int_equal(kehu_storage_file_open(&fs, f->path, &o), KEHU_OK);
	kehu_storage_file_get_vtable(fs, &vt);
	end[0] = st(fs, KEHU_FILE_STAT_FILE_BYTES);
	for (i = 1; i < 6; i++) {
		char k[8];

		snprintf(k, sizeof k, "t%d", i);
		raw_commit_kv(&vt, k, "value");
		end[i] = st(fs, KEHU_FILE_STAT_FILE_BYTES);
		if (i == 3)
			assert_int_equal(kehu_storage_file_sync(fs), KEHU_OK);
	}
	kehu_storage_file_close(fs);
	b = file_read(f->path, &len);
	b[end[1] + 12] ^= 1;
	file_write(f->work, b, len);
	assert_int_equal(fs_try(&fs, f->work, KEHU_FILE_SYNC_NORMAL, 0),
	                 KEHU_ECORRUPT);
	assert_int_equal(st(fs, KEHU_FILE_STAT_CORRUPT_OFFSET), end[1]);
	kehu_storage_file_close(fs);
	free(b);
}

/* ---- real crashes ---- */

/* Interactions of the child's transaction j: every fourth one is over
 * 1 MiB (4 KiB notes), so that it spans several writes and a kill can
 * tear it; the others are small. */
static int crash_nix(int64_t j)
{
	return j % 4 == 3 ? 250 : 2;
}

static void crash_child(const char *path, int32_t dur, int wfd)
{
	static char note[4001];
	kehu_storage_file *fs;
	kehu_db *db;
	kehu_storage vt;
	int64_t j;
	char key[32];

	memset(note, 'n', sizeof note - 1);
	if (fs_try(&fs, path, dur, 0) != KEHU_OK)
		_exit(3);
	kehu_storage_file_get_vtable(fs, &vt);
	if (test_open(&db, NULL, &vt) != KEHU_OK)
		_exit(4);
	j = -1; /* "open" */
	if (write(wfd, &j, sizeof j) != (ssize_t)sizeof j)
		_exit(8);
	for (j = kehu_db_customer_count(db);; j++) {
		kehu_customer *c;
		kehu_interaction *ix;
		int64_t id;
		int k;

		snprintf(key, sizeof key, "K%lld", (long long)j);
		if (kehu_db_begin(db) != KEHU_OK ||
		    kehu_customer_create(&c, db, key) != KEHU_OK)
			_exit(5);
		id = kehu_customer_get_id(c);
		kehu_customer_free(c);
		for (k = 0; k < crash_nix(j); k++) {
			if (kehu_interaction_new(&ix, db, id, KEHU_IX_PURCHASE,
			                         T0 + j * 3600 + k) != 0 ||
			    kehu_interaction_set_amount(ix, 100 + k) != 0 ||
			    (crash_nix(j) > 2 &&
			     kehu_interaction_set_note(ix, note) != 0) ||
			    kehu_interaction_record(ix) != 0)
				_exit(6);
			kehu_interaction_free(ix);
		}
		if (kehu_db_commit(db) != KEHU_OK)
			_exit(7);
		if (write(wfd, &j, sizeof j) != (ssize_t)sizeof j)
			_exit(8);
	}
}

static int64_t ix_count(kehu_db *db, int64_t id)
{
	kehu_metrics m;

	kehu_metrics_init(&m, KEHU_METRICS_VERSION);
	ok(db, kehu_metrics_read(&m, db, id, NOW));
	return m.interactions;
}

/* Customer K<j> exists with all its interactions. */
static void check_customer(kehu_db *db, int64_t j)
{
	kehu_customer *c;
	char key[32];

	snprintf(key, sizeof key, "K%lld", (long long)j);
	ok(db, kehu_customer_lookup_key(&c, db, key));
	assert_int_equal(ix_count(db, kehu_customer_get_id(c)),
	                 crash_nix(j));
	kehu_customer_free(c);
}

typedef struct all_ctx {
	kehu_db *db;
	int64_t n;
} all_ctx;

static int check_one(kehu_id id, void *ud)
{
	all_ctx *a = ud;
	kehu_customer *c;

	ok(a->db, kehu_customer_lookup(&c, a->db, id));
	assert_non_null(kehu_customer_get_key(c));
	assert_int_equal(ix_count(a->db, id),
	                 crash_nix(atoll(kehu_customer_get_key(c) + 1)));
	kehu_customer_free(c);
	a->n++;
	return 0;
}

/* A child writes transactions in a loop and reports each commit that
 * returned; it is SIGKILLed at random moments, 200 times.  After each
 * kill: every reported commit is there, no transaction is partial. */
static void test_real_crashes(void **state)
{
	fsfx *f = *state;
	static const int32_t modes[] = {KEHU_FILE_SYNC_FULL,
	                                KEHU_FILE_SYNC_NORMAL,
	                                KEHU_FILE_SYNC_OFF};
	rng r = {0x9E3779B97F4A7C15u};
	int64_t count = 0;
	int64_t reported_total = 0;
	int torn = 0;
	int it;

	/* 200 kills; more (up to 1000) while none has torn a tail yet:
	 * where a kill lands is up to the scheduler, and on a loaded
	 * machine the first 200 may all fall between writes */
	for (it = 0; it < 200 || (torn == 0 && it < 1000); it++) {
		int p[2];
		pid_t pid;
		int status;
		int64_t j;
		int64_t lo = -1;
		int64_t hi = -1;
		kehu_storage_file *fs;
		kehu_db *db;

		/* a fresh file every 20 kills keeps the reopens short */
		if (it % 20 == 0) {
			unlink(f->path);
			count = 0;
		}
		assert_int_equal(pipe(p), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			crash_child(f->path, modes[it % 3], p[1]);
			_exit(9);
		}
		close(p[1]);
		/* a quarter of the kills land anywhere from the fork on
		 * (the child's open and recovery too), the rest while it
		 * commits, half of those after its first commit returned */
		if (it % 4 != 0)
			assert_int_equal(read(p[0], &j, sizeof j), sizeof j);
		if (it % 4 >= 2) {
			assert_int_equal(read(p[0], &j, sizeof j), sizeof j);
			lo = hi = j;
			reported_total++;
		}
		sleep_us((long)(rng_next(&r) % 10000));
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status))
			fail_msg("child exited with %d",
			         WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		while (read(p[0], &j, sizeof j) == (ssize_t)sizeof j) {
			if (j < 0)
				continue;
			if (lo < 0)
				lo = j;
			assert_int_equal(j, hi < 0 ? lo : hi + 1);
			hi = j;
			reported_total++;
		}
		close(p[0]);

		fs = fs_open(f->path, KEHU_FILE_SYNC_OFF, 0);
		torn += (int)st(fs, KEHU_FILE_STAT_TORN_TAILS);
		db = db_on(fs);
		/* every reported commit is there, and at most one more */
		if (hi >= 0) {
			assert_int_equal(lo, count);
			assert_true(kehu_db_customer_count(db) >= hi + 1);
			assert_true(kehu_db_customer_count(db) <= hi + 2);
			for (j = lo; j <= hi; j++)
				check_customer(db, j);
		} else {
			assert_true(kehu_db_customer_count(db) >= count);
			assert_true(kehu_db_customer_count(db) <= count + 1);
		}
		/* no partial transaction: the last one is whole */
		count = kehu_db_customer_count(db);
		if (count > 0)
			check_customer(db, count - 1);
		if (it % 20 == 19) {
			all_ctx a = {db, 0};

			kehu_customer_foreach(db, check_one, &a);
			assert_int_equal(a.n, count);
		}
		kehu_db_close(db);
		kehu_storage_file_close(fs);
	}
	print_message("    %lld commits reported over %d kills; %d torn "
	              "tails cut\n", (long long)reported_total, it, torn);
	assert_true(reported_total >= 100);
	assert_true(torn > 0);
}

/* ---- compaction ---- */

/* 2000 keys written 4 times, a quarter deleted. */
static void garbage_load(kehu_storage *vt)
{
	char k[16];
	unsigned char v[200];
	int round;
	int i;

	for (round = 0; round < 4; round++) {
		assert_int_equal(vt->begin(vt->user_data), KEHU_OK);
		for (i = 0; i < 2000; i++) {
			memset(v, round * 31 + i, sizeof v);
			snprintf(k, sizeof k, "key%05d", i);
			raw_put(vt, k, v, 50 + (size_t)(i % 150));
		}
		assert_int_equal(vt->commit(vt->user_data), KEHU_OK);
	}
	assert_int_equal(vt->begin(vt->user_data), KEHU_OK);
	for (i = 0; i < 2000; i += 4) {
		snprintf(k, sizeof k, "key%05d", i);
		assert_int_equal(vt->del(k, strlen(k), vt->user_data), 0);
	}
	assert_int_equal(vt->commit(vt->user_data), KEHU_OK);
}

static void test_compaction(void **state)
{
	fsfx *f = *state;
	kehu_file_store_options o;
	kehu_storage_file *fs;
	kehu_storage vt;
	digest d;
	int64_t before;
	int64_t live;
	history h;
	test_text s;

	kehu_file_store_options_init(&o, KEHU_FILE_STORE_OPTIONS_VERSION);
	o.compact_garbage_percent = 0;
	assert_int_equal(kehu_storage_file_open(&fs, f->path, &o), KEHU_OK);
	kehu_storage_file_get_vtable(fs, &vt);
	garbage_load(&vt);
	d = raw_digest(&vt);
	before = st(fs, KEHU_FILE_STAT_FILE_BYTES);
	live = st(fs, KEHU_FILE_STAT_LIVE_BYTES);
	assert_true(live < before / 3);
	assert_int_equal(st(fs, KEHU_FILE_STAT_COMPACTIONS), 0);
	assert_int_equal(kehu_storage_file_compact(fs), KEHU_OK);
	assert_int_equal(st(fs, KEHU_FILE_STAT_COMPACTIONS), 1);
	/* live records, a header and one commit record */
	assert_int_equal(st(fs, KEHU_FILE_STAT_FILE_BYTES),
	                 live + KEHU__FILE_FRAME + KEHU__FILE_COMMIT_BODY);
	assert_int_equal(file_size(f->path), st(fs,
	                 KEHU_FILE_STAT_FILE_BYTES));
	assert_true(raw_digest(&vt).h == d.h);
	/* the store goes on writing to the new file */
	raw_commit_kv(&vt, "after", "compaction");
	d = raw_digest(&vt);
	kehu_storage_file_close(fs);
	assert_true(file_digest(f->path, 0).h == d.h);
	{
		char tmp[PATHCAP];

		snprintf(tmp, sizeof tmp, "%s.compact", f->path);
		assert_false(file_exists(tmp));
	}

	/* automatic: garbage over the ratio compacts after a commit */
	unlink(f->path);
	o.compact_garbage_percent = 50;
	o.compact_min_bytes = 64 * 1024;
	assert_int_equal(kehu_storage_file_open(&fs, f->path, &o), KEHU_OK);
	kehu_storage_file_get_vtable(fs, &vt);
	garbage_load(&vt);
	assert_true(st(fs, KEHU_FILE_STAT_COMPACTIONS) >= 1);
	assert_true(st(fs, KEHU_FILE_STAT_FILE_BYTES) <
	            2 * st(fs, KEHU_FILE_STAT_LIVE_BYTES) + 64 * 1024);
	d = raw_digest(&vt);
	kehu_storage_file_close(fs);
	assert_true(file_digest(f->path, 0).h == d.h);

	/* through the db: the same db before and after */
	unlink(f->path);
	history_build(f->path, KEHU_FILE_SYNC_OFF, &h);
	fs = fs_open(f->path, KEHU_FILE_SYNC_FULL, 0);
	assert_int_equal(kehu_storage_file_compact(fs), KEHU_OK);
	{
		kehu_db *db = db_on(fs);

		snap(db, &s);
		assert_string_equal(s.data, h.snap[NSTEPS - 1].data);
		test_text_free(&s);
		kehu_db_close(db);
	}
	kehu_storage_file_close(fs);
	assert_true(file_size(f->path) < h.size[NSTEPS - 1]);
	snap_file(f->path, 0, &s);
	assert_string_equal(s.data, h.snap[NSTEPS - 1].data);
	test_text_free(&s);
	history_free(&h);
}

/* Kill a process at sampled moments of its compaction: the reopened
 * store always has the whole state, from the old file or the new. */
static void test_compaction_crash(void **state)
{
	fsfx *f = *state;
	kehu_file_store_options o;
	kehu_storage_file *fs;
	kehu_storage vt;
	unsigned char *bytes;
	size_t len;
	digest d;
	double t;
	char tmp[PATHCAP];
	rng r = {12345};
	int old_file = 0;
	int new_file = 0;
	int i;

	kehu_file_store_options_init(&o, KEHU_FILE_STORE_OPTIONS_VERSION);
	o.compact_garbage_percent = 0;
	assert_int_equal(kehu_storage_file_open(&fs, f->path, &o), KEHU_OK);
	kehu_storage_file_get_vtable(fs, &vt);
	garbage_load(&vt);
	garbage_load(&vt);
	d = raw_digest(&vt);
	kehu_storage_file_close(fs);
	bytes = file_read(f->path, &len);
	snprintf(tmp, sizeof tmp, "%s%s", f->work, ".compact");

	/* how long a compaction takes here */
	file_write(f->work, bytes, len);
	fs = fs_open(f->work, KEHU_FILE_SYNC_FULL, 0);
	t = now_s();
	assert_int_equal(kehu_storage_file_compact(fs), KEHU_OK);
	t = now_s() - t;
	kehu_storage_file_close(fs);

	for (i = 0; i < 40; i++) {
		int p[2];
		pid_t pid;
		char c;
		digest e;

		file_write(f->work, bytes, len);
		assert_int_equal(pipe(p), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			if (fs_try(&fs, f->work, KEHU_FILE_SYNC_FULL, 0) != 0)
				_exit(3);
			if (write(p[1], "r", 1) != 1)
				_exit(4);
			kehu_storage_file_compact(fs);
			for (;;)
				pause();
		}
		close(p[1]);
		assert_int_equal(read(p[0], &c, 1), 1);
		sleep_us((long)((double)(rng_next(&r) % 1000) / 1000.0 *
		                t * 1.3e6));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(p[0]);
		if (file_size(f->work) == (int64_t)len)
			old_file++;
		else
			new_file++;
		fs = fs_open(f->work, KEHU_FILE_SYNC_FULL, 0);
		assert_int_equal(st(fs, KEHU_FILE_STAT_TORN_TAILS), 0);
		kehu_storage_file_get_vtable(fs, &vt);
		e = raw_digest(&vt);
		assert_int_equal(e.n, d.n);
		assert_true(e.h == d.h);
		kehu_storage_file_close(fs);
		/* the writer's open removed the half-written copy */
		assert_false(file_exists(tmp));
	}
	print_message("    compaction %.1f ms; killed %d times before the "
	              "rename, %d after\n", t * 1e3, old_file, new_file);
	/* a half-written copy left by a crash is ignored */
	file_write(f->work, bytes, len);
	file_write(tmp, bytes, len / 3);
	assert_true(file_digest(f->work, KEHU_FILE_READONLY).h == d.h);
	assert_true(file_exists(tmp));
	assert_true(file_digest(f->work, 0).h == d.h);
	assert_false(file_exists(tmp));
	free(bytes);
}

/* ---- locking ---- */

static void test_two_writers(void **state)
{
	fsfx *f = *state;
	int up[2];
	int down[2];
	pid_t pid;
	char c;
	kehu_storage_file *fs;
	kehu_storage vt;
	int status;

	fs = fs_open(f->path, KEHU_FILE_SYNC_FULL, 0);
	kehu_storage_file_get_vtable(fs, &vt);
	raw_commit_kv(&vt, "k", "v");
	kehu_storage_file_close(fs);

	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(up[0]);
		close(down[1]);
		if (fs_try(&fs, f->path, KEHU_FILE_SYNC_FULL, 0) != KEHU_OK)
			_exit(3);
		if (write(up[1], "w", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(4);
		kehu_storage_file_close(fs);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	assert_int_equal(read(up[0], &c, 1), 1);
	/* the second writer is refused, the file untouched */
	assert_int_equal(fs_try(&fs, f->path, KEHU_FILE_SYNC_FULL, 0),
	                 KEHU_EBUSY);
	assert_non_null(strstr(kehu_storage_file_errmsg(fs),
	                       "another process"));
	kehu_storage_file_close(fs);
	/* a reader is not */
	assert_int_equal(file_digest(f->path, KEHU_FILE_READONLY).n, 1);
	assert_int_equal(write(down[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(up[0]);
	close(down[1]);
	/* once the first one closed, a writer gets in */
	fs = fs_open(f->path, KEHU_FILE_SYNC_FULL, 0);
	kehu_storage_file_close(fs);
}

/* ---- format ---- */

static void test_format_version(void **state)
{
	fsfx *f = *state;
	kehu_storage_file *fs;
	kehu_storage vt;
	unsigned char *b;
	unsigned char *b2;
	size_t len;
	size_t len2;
	uint32_t crc;

	fs = fs_open(f->path, KEHU_FILE_SYNC_OFF, 0);
	kehu_storage_file_get_vtable(fs, &vt);
	raw_commit_kv(&vt, "k", "v");
	kehu_storage_file_close(fs);
	b = file_read(f->path, &len);
	assert_memory_equal(b, KEHU__FILE_MAGIC, 8);
	assert_int_equal(b[8], KEHU__FILE_FORMAT);

	/* a newer version with a valid header: refused, never misread */
	b[8] = 2;
	crc = kehu__file_crc32c(b, 28);
	b[28] = (unsigned char)crc;
	b[29] = (unsigned char)(crc >> 8);
	b[30] = (unsigned char)(crc >> 16);
	b[31] = (unsigned char)(crc >> 24);
	file_write(f->work, b, len);
	assert_int_equal(fs_try(&fs, f->work, KEHU_FILE_SYNC_FULL, 0),
	                 KEHU_ECORRUPT);
	assert_non_null(strstr(kehu_storage_file_errmsg(fs), "newer"));
	kehu_storage_file_close(fs);
	assert_int_equal(fs_try(&fs, f->work, KEHU_FILE_SYNC_FULL,
	                        KEHU_FILE_SALVAGE), KEHU_ECORRUPT);
	kehu_storage_file_close(fs);
	b2 = file_read(f->work, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(b, b2, len);
	free(b2);

	/* CRC-32C check value */
	assert_int_equal(kehu__file_crc32c("123456789", 9), 0xE3069283u);

	/* not ours: refused and left alone */
	file_write(f->work, "hello, this is somebody else's file\n", 36);
	assert_int_equal(fs_try(&fs, f->work, KEHU_FILE_SYNC_FULL, 0),
	                 KEHU_ECORRUPT);
	assert_non_null(strstr(kehu_storage_file_errmsg(fs), "not a libkehu"));
	kehu_storage_file_close(fs);
	assert_int_equal(file_size(f->work), 36);
	file_write(f->work, "abc", 3);
	assert_int_equal(fs_try(&fs, f->work, KEHU_FILE_SYNC_FULL, 0),
	                 KEHU_ECORRUPT);
	kehu_storage_file_close(fs);
	assert_int_equal(file_size(f->work), 3);

	/* a header cut short at creation: a new store */
	file_write(f->work, b, 13);
	fs = fs_open(f->work, KEHU_FILE_SYNC_FULL, 0);
	assert_int_equal(st(fs, KEHU_FILE_STAT_TORN_BYTES), 13);
	assert_int_equal(st(fs, KEHU_FILE_STAT_KEYS), 0);
	kehu_storage_file_close(fs);
	assert_int_equal(file_size(f->work), KEHU__FILE_HDR);
	/* an empty file too */
	file_write(f->work, b, 0);
	fs = fs_open(f->work, KEHU_FILE_SYNC_FULL, KEHU_FILE_MUST_EXIST);
	assert_int_equal(st(fs, KEHU_FILE_STAT_TORN_BYTES), 0);
	kehu_storage_file_close(fs);
	assert_int_equal(file_size(f->work), KEHU__FILE_HDR);
	free(b);
}

static void test_readonly(void **state)
{
	fsfx *f = *state;
	kehu_storage_file *fs;
	kehu_storage vt;
	int64_t size;

	assert_int_equal(fs_try(&fs, f->path, KEHU_FILE_SYNC_FULL,
	                        KEHU_FILE_READONLY), KEHU_ENOTFOUND);
	kehu_storage_file_close(fs);
	assert_false(file_exists(f->path));
	fs = fs_open(f->path, KEHU_FILE_SYNC_FULL, 0);
	kehu_storage_file_get_vtable(fs, &vt);
	raw_commit_kv(&vt, "k", "v");
	kehu_storage_file_close(fs);
	size = file_size(f->path);

	fs = fs_open(f->path, KEHU_FILE_SYNC_FULL, KEHU_FILE_READONLY);
	kehu_storage_file_get_vtable(fs, &vt);
	assert_int_equal(st(fs, KEHU_FILE_STAT_READONLY), 1);
	assert_int_equal(vt.begin(vt.user_data), KEHU_EMISUSE);
	assert_int_equal(kehu_storage_file_sync(fs), KEHU_OK);
	assert_int_equal(kehu_storage_file_compact(fs), KEHU_EMISUSE);
	assert_int_equal(raw_digest(&vt).n, 1);
	kehu_storage_file_close(fs);
	assert_int_equal(file_size(f->path), size);
}

/* A rolled-back transaction that spilled past the write buffer is cut
 * from the file. */
static void test_rollback_cuts(void **state)
{
	fsfx *f = *state;
	kehu_storage_file *fs;
	kehu_storage vt;
	unsigned char v[1000];
	char k[16];
	int64_t size;
	digest d;
	int i;

	memset(v, 'x', sizeof v);
	fs = fs_open(f->path, KEHU_FILE_SYNC_FULL, 0);
	kehu_storage_file_get_vtable(fs, &vt);
	raw_commit_kv(&vt, "a", "1");
	d = raw_digest(&vt);
	size = file_size(f->path);
	assert_int_equal(vt.begin(vt.user_data), KEHU_OK);
	for (i = 0; i < 1000; i++) {
		snprintf(k, sizeof k, "r%d", i);
		raw_put(&vt, k, v, sizeof v);
	}
	assert_true(file_size(f->path) > size + 100000);
	assert_int_equal(vt.rollback(vt.user_data), KEHU_OK);
	assert_int_equal(file_size(f->path), size);
	assert_true(raw_digest(&vt).h == d.h);
	raw_commit_kv(&vt, "b", "2");
	d = raw_digest(&vt);
	kehu_storage_file_close(fs);
	assert_true(file_digest(f->path, 0).h == d.h);
}

/* Every allocation failure in open and in a transaction is ENOMEM,
 * leaks nothing, and leaves the file whole. */
static void test_oom(void **state)
{
	fsfx *f = *state;
	kehu_file_store_options o;
	kehu_storage_file *fs;
	kehu_storage vt;
	test_alloc a;
	digest d;
	long k;
	int rc;

	history h;

	history_build(f->path, KEHU_FILE_SYNC_OFF, &h);
	d = file_digest(f->path, 0);
	kehu_file_store_options_init(&o, KEHU_FILE_STORE_OPTIONS_VERSION);
	o.alloc = test_alloc_fn;
	o.alloc_user_data = &a;
	o.durability = KEHU_FILE_SYNC_OFF;
	for (k = 1;; k++) {
		memset(&a, 0, sizeof a);
		a.armed = 1;
		a.fail_at = k;
		rc = kehu_storage_file_open(&fs, f->path, &o);
		if (rc == KEHU_OK) {
			kehu_storage_file_get_vtable(fs, &vt);
			assert_true(raw_digest(&vt).h == d.h);
		} else {
			assert_int_equal(rc, KEHU_ENOMEM);
		}
		kehu_storage_file_close(fs);
		assert_int_equal(a.live_bytes, 0);
		assert_int_equal(a.bad_osize, 0);
		if (rc == KEHU_OK)
			break;
	}
	assert_true(k > 3);

	for (k = 1; k < 400; k++) {
		char key[16];
		int i;

		memset(&a, 0, sizeof a);
		assert_int_equal(kehu_storage_file_open(&fs, f->path, &o), 0);
		kehu_storage_file_get_vtable(fs, &vt);
		a.armed = 1;
		a.fail_at = k;
		rc = vt.begin(vt.user_data);
		for (i = 0; i < 50 && rc == KEHU_OK; i++) {
			snprintf(key, sizeof key, "oom%d", i);
			rc = vt.put(key, strlen(key), key, strlen(key),
			            vt.user_data);
		}
		if (rc == KEHU_OK)
			rc = vt.commit(vt.user_data);
		else
			vt.rollback(vt.user_data); /* EMISUSE if none */
		a.armed = 0;
		if (rc == KEHU_OK) {
			assert_int_equal(raw_digest(&vt).n, d.n + 50);
		} else {
			assert_int_equal(rc, KEHU_ENOMEM);
			assert_true(raw_digest(&vt).h == d.h);
		}
		kehu_storage_file_close(fs);
		assert_int_equal(a.live_bytes, 0);
		assert_int_equal(a.bad_osize, 0);
		if (rc == KEHU_OK)
			break;
		assert_true(file_digest(f->path, 0).h == d.h);
	}
	assert_true(k < 400);
	history_free(&h);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_api_args),
		T(test_reopen_db),
		T(test_torn_every_byte),
		T(test_torn_big_transaction),
		T(test_bit_flips),
		T(test_salvage_export),
		T(test_normal_mode),
		T(test_real_crashes),
		T(test_compaction),
		T(test_compaction_crash),
		T(test_two_writers),
		T(test_format_version),
		T(test_readonly),
		T(test_rollback_cuts),
		T(test_oom),
	};
	int failed = 0;

	failed += run_conformance("file_store_conformance_full",
	                          KEHU_FILE_SYNC_FULL);
	failed += run_conformance("file_store_conformance_off",
	                          KEHU_FILE_SYNC_OFF);
	failed += cmocka_run_group_tests_name("file_store", tests, NULL, NULL);
	return failed;
}
