/*
 * tests/fuzz/fuzz_api: a libFuzzer target that turns bytes into a
 * sequence of public calls and checks the db's invariants after each.
 *
 * The first byte picks the store (the memory store, or the file store in
 * a temporary directory) and the db's UTC offset; every later byte
 * starts one step: create a customer (with or without an external key),
 * set or remove attributes, add or remove tags, set fields, record an
 * interaction (any type, back-dated or not, with or without amount,
 * cost, satisfaction, note and attributes), classify all with the
 * default pack, erase or delete a customer, advance "now", begin /
 * commit / roll back a host transaction, compact the file store, reopen
 * the db over the same store (and, for the file store, the store too).
 * Calls may fail on bad arguments, but only with the documented codes.
 *
 * After every step, for every live customer: the metrics as of now
 * equal a recomputation from its history (kehu_history_*), field by
 * field.  After classify-all, each stored label equals what
 * kehu_rules_evaluate gives.  After erase, no personal data is left.  A
 * reopen reads back everything equal: the snapshot of testutil.c (every
 * field, tag, attribute, metric and interaction) and every stored label.
 * The db's allocator checks sizes and that a closed db leaves no block.
 *
 * Built as fuzz_api (libFuzzer, clang) and fuzz_api_replay (any
 * compiler, with replay.c), see meson.build.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kehu.h"
#include "testutil.h"
#ifdef KEHU_FUZZ_FILE_STORE
#include "kehu/file_store.h"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXC 12        /* customers tracked per input */
#define MAXSTEPS 96

#define FAIL(what) fail_at(__LINE__, what)

static void fail_at(int line, const char *what)
{
	fprintf(stderr, "fuzz_api:%d: %s\n", line, what);
	abort();
}

#define CHECK(cond) do { if (!(cond)) FAIL(#cond); } while (0)

/* ---- input ---- */

typedef struct in {
	const uint8_t *p;
	size_t n;
} in;

static unsigned u8(in *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

static uint32_t u32(in *r)
{
	uint32_t v = u8(r);

	v |= (uint32_t)u8(r) << 8;
	v |= (uint32_t)u8(r) << 16;
	return v | (uint32_t)u8(r) << 24;
}

/* ---- state ---- */

typedef struct st {
	int file;            /* store kind: 1 file store */
	kehu_storage_memory *mem;
#ifdef KEHU_FUZZ_FILE_STORE
	kehu_storage_file *fs;
#endif
	kehu_storage vt;
	test_alloc a;
	kehu_db *db;
	kehu_rules *rules;
	int32_t utc_offset;
	int64_t now;
	kehu_id ids[MAXC];
	size_t nids;
	int untracked;       /* customers created past MAXC */
	int classified;      /* labels are fresh: nothing changed since */
} st;

static char dir[64];
static char path[96];

#ifdef KEHU_FUZZ_FILE_STORE
static void remove_files(void)
{
	char c[112];

	snprintf(c, sizeof c, "%s.compact", path);
	unlink(path);
	unlink(c);
}

static void cleanup(void)
{
	remove_files();
	rmdir(dir);
}

static void file_open(st *s)
{
	kehu_file_store_options fo;

	kehu_file_store_options_init(&fo, KEHU_FILE_STORE_OPTIONS_VERSION);
	fo.durability = KEHU_FILE_SYNC_OFF;
	if (kehu_storage_file_open(&s->fs, path, &fo) != KEHU_OK) {
		fprintf(stderr, "%s\n", kehu_storage_file_errmsg(s->fs));
		FAIL("file store open");
	}
	CHECK(kehu_storage_file_get_vtable(s->fs, &s->vt) == KEHU_OK);
}
#endif

static void db_open(st *s, int32_t utc_offset)
{
	kehu_db_options o;
	const char *src = kehu_rules_default_source();

	kehu_db_options_init(&o, KEHU_DB_OPTIONS_VERSION);
	o.alloc = test_alloc_fn;
	o.alloc_user_data = &s->a;
	o.storage = &s->vt;
	o.utc_offset = utc_offset;
	if (kehu_db_open(&s->db, &o) != KEHU_OK) {
		fprintf(stderr, "%s\n", kehu_errmsg(s->db));
		FAIL("db open");
	}
	CHECK(kehu_rules_compile(&s->rules, s->db, src, strlen(src)) ==
	      KEHU_OK);
}

static void db_close(st *s)
{
	kehu_rules_free(s->rules);
	s->rules = NULL;
	kehu_db_close(s->db);
	s->db = NULL;
	CHECK(s->a.live_blocks == 0 && s->a.live_bytes == 0);
	CHECK(s->a.bad_osize == 0);
}

/* ---- recomputing metrics from the history ---- */

static int64_t floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t day_of(const st *s, int64_t t)
{
	return floordiv(t + s->utc_offset, 86400);
}

/* year * 12 + month - 1 of a day number (H. Hinnant's civil_from_days) */
static int64_t month_of(int64_t z)
{
	int64_t era, doe, yoe, y, doy, mp, m;

	z += 719468;
	era = floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	m = mp < 10 ? mp + 3 : mp - 9;
	return (y + (m <= 2)) * 12 + m - 1;
}

#define MAXIX 4096

typedef struct ixv {
	int64_t t, amount, cost, id;
	int32_t type, sat;
} ixv;

static int in_list(const int64_t *v, size_t n, int64_t x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static void add(int64_t *sum, int64_t v)
{
	CHECK(!__builtin_add_overflow(*sum, v, sum));
}

static void recompute(const st *s, const ixv *x, size_t n, kehu_metrics *m)
{
	static int64_t days[MAXIX], months[MAXIX], wdays[3][MAXIX];
	static const int64_t spans[3] = {30, 90, 365};
	size_t nd = 0, nm = 0, nw[3] = {0, 0, 0}, i;
	int64_t today = day_of(s, s->now), sat_sum = 0, last_sat_t = -1;
	int64_t *wrev[3], *wpur[3], *wcx[3];
	int k;

	kehu_metrics_init(m, KEHU_METRICS_VERSION);
	m->first_purchase = m->last_purchase = m->last_contact = -1;
	wrev[0] = &m->revenue_30d;
	wrev[1] = &m->revenue_90d;
	wrev[2] = &m->revenue_365d;
	wpur[0] = &m->purchases_30d;
	wpur[1] = &m->purchases_90d;
	wpur[2] = &m->purchases_365d;
	wcx[0] = &m->complaints_30d;
	wcx[1] = &m->complaints_90d;
	wcx[2] = &m->complaints_365d;
	for (i = 0; i < n; i++) {
		int64_t d = day_of(s, x[i].t), age = today - d;

		m->interactions++;
		add(&m->cost, x[i].cost);
		if (x[i].t > m->last_contact)
			m->last_contact = x[i].t;
		if (x[i].sat) {
			m->satisfaction_count++;
			sat_sum += x[i].sat;
			if (x[i].t >= last_sat_t) {
				last_sat_t = x[i].t;
				m->last_satisfaction = x[i].sat;
			}
		}
		switch (x[i].type) {
		case KEHU_IX_PURCHASE:
			m->orders++;
			add(&m->sales, x[i].amount);
			if (m->first_purchase < 0 || x[i].t < m->first_purchase)
				m->first_purchase = x[i].t;
			if (x[i].t > m->last_purchase)
				m->last_purchase = x[i].t;
			if (!in_list(days, nd, d))
				days[nd++] = d;
			if (!in_list(months, nm, month_of(d)))
				months[nm++] = month_of(d);
			for (k = 0; k < 3; k++) {
				if (age < 0 || age >= spans[k])
					continue;
				*wrev[k] += x[i].amount;
				if (!in_list(wdays[k], nw[k], d))
					wdays[k][nw[k]++] = d;
			}
			break;
		case KEHU_IX_REFUND:
			add(&m->refunds, x[i].amount);
			for (k = 0; k < 3; k++)
				if (age >= 0 && age < spans[k])
					*wrev[k] -= x[i].amount;
			break;
		case KEHU_IX_COMPLAINT:
			m->complaints++;
			for (k = 0; k < 3; k++)
				if (age >= 0 && age < spans[k])
					(*wcx[k])++;
			break;
		case KEHU_IX_REFERRAL:
			m->referrals++;
			break;
		default:
			break;
		}
	}
	m->purchases = (int64_t)nd;
	m->months_active = (int64_t)nm;
	for (k = 0; k < 3; k++)
		*wpur[k] = (int64_t)nw[k];
	m->revenue = m->sales - m->refunds;
	CHECK(!__builtin_sub_overflow(m->revenue, m->cost, &m->margin));
	m->average_order_value =
		m->orders ? (double)m->sales / (double)m->orders : 0.0;
	m->average_satisfaction = m->satisfaction_count
		? (double)sat_sum / (double)m->satisfaction_count : 0.0;
	m->days_since_first_purchase =
		m->first_purchase < 0 ? -1 : today - day_of(s, m->first_purchase);
	m->days_since_last_purchase =
		m->last_purchase < 0 ? -1 : today - day_of(s, m->last_purchase);
	m->days_since_last_contact =
		m->last_contact < 0 ? -1 : today - day_of(s, m->last_contact);
}

static void metrics_equal(const kehu_metrics *x, const kehu_metrics *y)
{
#define EQ(f) do { if (x->f != y->f) { \
	fprintf(stderr, #f ": library %.17g, history %.17g\n", \
	        (double)x->f, (double)y->f); FAIL("metrics differ"); } \
	} while (0)
	EQ(first_purchase); EQ(last_purchase); EQ(last_contact);
	EQ(interactions); EQ(purchases); EQ(orders); EQ(sales);
	EQ(refunds); EQ(revenue); EQ(cost); EQ(margin);
	EQ(average_order_value); EQ(complaints); EQ(satisfaction_count);
	EQ(average_satisfaction); EQ(last_satisfaction); EQ(referrals);
	EQ(months_active); EQ(days_since_first_purchase);
	EQ(days_since_last_purchase); EQ(days_since_last_contact);
	EQ(revenue_30d); EQ(revenue_90d); EQ(revenue_365d);
	EQ(purchases_30d); EQ(purchases_90d); EQ(purchases_365d);
	EQ(complaints_30d); EQ(complaints_90d); EQ(complaints_365d);
#undef EQ
}

/* The customer's whole history, checked to come in (time, id) order;
 * also read again in pages of one to check resuming. */
static size_t history(st *s, kehu_id id, ixv *x)
{
	kehu_history *h = NULL;
	const kehu_interaction *ix;
	size_t n = 0, i;
	int rc;

	CHECK(kehu_history_new(&h, s->db, id, 0, INT64_MAX, 0) == KEHU_OK);
	while ((rc = kehu_history_next(h, &ix)) == KEHU_OK) {
		CHECK(n < MAXIX);
		x[n].t = kehu_interaction_get_time(ix);
		x[n].id = kehu_interaction_get_id(ix);
		x[n].type = kehu_interaction_get_type(ix);
		x[n].amount = kehu_interaction_get_amount(ix);
		x[n].cost = kehu_interaction_get_cost(ix);
		x[n].sat = kehu_interaction_get_satisfaction(ix);
		CHECK(kehu_interaction_get_customer(ix) == id);
		CHECK(n == 0 || x[n - 1].t < x[n].t ||
		      (x[n - 1].t == x[n].t && x[n - 1].id < x[n].id));
		n++;
	}
	CHECK(rc == KEHU_ITEROVER);
	kehu_history_free(h);
	/* resume after each one: the next is the one after it */
	for (i = 0; i + 1 < n && i < 8; i++) {
		CHECK(kehu_history_new(&h, s->db, id, x[i].t, INT64_MAX,
		                       x[i].id) == KEHU_OK);
		CHECK(kehu_history_next(h, &ix) == KEHU_OK);
		CHECK(kehu_interaction_get_id(ix) == x[i + 1].id);
		kehu_history_free(h);
	}
	return n;
}

static int is_live(st *s, kehu_id id)
{
	kehu_customer *c = NULL;
	int rc = kehu_customer_lookup(&c, s->db, id);

	CHECK(rc == KEHU_OK || rc == KEHU_ENOTFOUND);
	kehu_customer_free(c);
	return rc == KEHU_OK;
}

static void check_metrics(st *s)
{
	static ixv x[MAXIX];
	kehu_metrics lib, re;
	size_t i, n;
	int64_t live = 0;

	for (i = 0; i < s->nids; i++) {
		if (is_live(s, s->ids[i]))
			live++;
	}
	if (!s->untracked)
		CHECK(kehu_db_customer_count(s->db) == live);
	for (i = 0; i < s->nids; i++) {
		if (!is_live(s, s->ids[i])) {
			kehu_metrics_init(&lib, KEHU_METRICS_VERSION);
			CHECK(kehu_metrics_read(&lib, s->db, s->ids[i], s->now) ==
			      KEHU_ENOTFOUND);
			continue;
		}
		n = history(s, s->ids[i], x);
		kehu_metrics_init(&lib, KEHU_METRICS_VERSION);
		CHECK(kehu_metrics_read(&lib, s->db, s->ids[i], s->now) ==
		      KEHU_OK);
		recompute(s, x, n, &re);
		metrics_equal(&lib, &re);
	}
}

/* Every stored label of the tracked customers, as text. */
static void labels_text(st *s, test_text *t)
{
	size_t i, k, nc = kehu_rules_classification_count(s->rules);
	const char *rs = kehu_rules_get_name(s->rules);
	char buf[128], line[256];

	for (i = 0; i < s->nids; i++) {
		for (k = 0; k < nc; k++) {
			const char *cn = kehu_rules_classification_name(s->rules,
			                                                k);
			size_t len = 0;
			int rc = kehu_customer_get_label(s->db, s->ids[i], rs, cn,
			                                 buf, sizeof buf, &len);

			CHECK(rc == KEHU_OK || rc == KEHU_ENOTFOUND);
			snprintf(line, sizeof line, "%" PRId64 " %s=%s\n",
			         s->ids[i], cn, rc == KEHU_OK ? buf : "-");
			if (t->len + strlen(line) + 1 > t->cap) {
				char *nd = realloc(t->data, t->cap = t->cap * 2 +
				                   strlen(line) + 1024);

				CHECK(nd != NULL);
				t->data = nd;
			}
			memcpy(t->data + t->len, line, strlen(line) + 1);
			t->len += strlen(line);
		}
	}
}

static int count_cb(kehu_id id, void *ud)
{
	(void)id;
	(*(int64_t *)ud)++;
	return 0;
}

/* Right after classify-all: the stored labels are the evaluated ones,
 * and a query selects the customers evaluation labels so. */
static void check_labels(st *s)
{
	size_t i, k, nc = kehu_rules_classification_count(s->rules);
	const char *rs = kehu_rules_get_name(s->rules);
	char buf[128];
	int64_t vip = 0, n = 0, all = 0;

	CHECK(kehu_query(s->db, s->rules, "importance == \"vip\"", s->now,
	                 count_cb, &n, NULL) == KEHU_OK);
	CHECK(kehu_query(s->db, NULL, "interactions >= 0", s->now, NULL,
	                 NULL, &all) == KEHU_OK);
	CHECK(all == kehu_db_customer_count(s->db));
	for (i = 0; i < s->nids; i++) {
		kehu_result *res = NULL;

		if (!is_live(s, s->ids[i]))
			continue;
		CHECK(kehu_rules_evaluate(&res, s->rules, s->db, s->ids[i],
		                          s->now) == KEHU_OK);
		vip += strcmp(kehu_result_get_label_by_name(res, "importance"),
		              "vip") == 0;
		for (k = 0; k < nc; k++) {
			const char *cn = kehu_rules_classification_name(s->rules,
			                                                k);
			size_t len = 0;

			CHECK(kehu_customer_get_label(s->db, s->ids[i], rs, cn,
			                              buf, sizeof buf, &len) ==
			      KEHU_OK);
			CHECK(strcmp(buf, kehu_result_get_label(res, k)) == 0);
		}
		kehu_result_free(res);
	}
	if (!s->untracked)
		CHECK(vip == n);
}

/* ---- steps ---- */

static const char attr_names[][16] = {
	"intent", "share_of_wallet", "upcoming_volume", "rating", "x", "",
};
static const char tag_names[][8] = {"vip", "b2b", "x", "", "\xff"};

static kehu_id pick(st *s, in *r)
{
	unsigned v = u8(r);

	/* now and then an id nobody has */
	if (s->nids == 0 || v == 255)
		return (kehu_id)v + 1000000;
	return s->ids[v % s->nids];
}

/* The codes a step may return besides KEHU_OK. */
static void ok_or(int rc, int a, int b, int c)
{
	if (rc != KEHU_OK && rc != a && rc != b && rc != c) {
		fprintf(stderr, "code %d (%s)\n", rc, kehu_strerror(rc));
		FAIL("unexpected code");
	}
}

static void step_create(st *s, in *r)
{
	kehu_customer *c = NULL;
	char key[8];
	unsigned v = u8(r);
	int rc;

	snprintf(key, sizeof key, "k%u", v % 16);
	rc = kehu_customer_create(&c, s->db, (v & 0x80) ? key : NULL);
	ok_or(rc, KEHU_EEXIST, KEHU_OK, KEHU_OK);
	if (rc != KEHU_OK)
		return;
	/* a rolled-back create's id is handed out again */
	if (in_list(s->ids, s->nids, kehu_customer_get_id(c)))
		;
	else if (s->nids < MAXC)
		s->ids[s->nids++] = kehu_customer_get_id(c);
	else
		s->untracked = 1;
	kehu_customer_free(c);
}

/* Attributes, tags and fields in one handle, then saved. */
static void step_edit(st *s, in *r, unsigned what)
{
	kehu_customer *c = NULL;
	unsigned v = u8(r), w = u8(r);
	const char *an = attr_names[v % (sizeof attr_names /
	                                 sizeof attr_names[0])];
	const char *tn = tag_names[w % (sizeof tag_names /
	                                sizeof tag_names[0])];
	char key[8];
	int rc = kehu_customer_lookup(&c, s->db, pick(s, r));

	ok_or(rc, KEHU_ENOTFOUND, KEHU_OK, KEHU_OK);
	if (rc != KEHU_OK)
		return;
	switch (what) {
	case 0:
		switch (w & 7) {
		case 0: rc = kehu_customer_set_attr_string(c, an, tn); break;
		case 1: rc = kehu_customer_set_attr_int(c, an, (int64_t)u32(r) -
		                                        (int64_t)u32(r)); break;
		case 2: rc = kehu_customer_set_attr_number(c, an,
		                                           (double)u32(r) / 7);
		        break;
		case 3: rc = kehu_customer_set_attr_time(c, an, s->now); break;
		default: rc = kehu_customer_remove_attr(c, an); break;
		}
		ok_or(rc, KEHU_EINVAL, KEHU_ENOTFOUND, KEHU_OK);
		break;
	case 1:
		rc = (v & 1) ? kehu_customer_add_tag(c, tn)
		             : kehu_customer_remove_tag(c, tn);
		ok_or(rc, KEHU_EINVAL, KEHU_ENOTFOUND, KEHU_EEXIST);
		break;
	default:
		snprintf(key, sizeof key, "k%u", v % 16);
		switch (w & 7) {
		case 0: rc = kehu_customer_set_name(c, tn); break;
		case 1: rc = kehu_customer_set_kind(c, (int32_t)(v % 4)); break;
		case 2: rc = kehu_customer_set_relation(c, (int32_t)(v % 6));
		        break;
		case 3: rc = kehu_customer_set_status(c, (int32_t)(v % 4)); break;
		case 4: rc = kehu_customer_set_referrer(c, pick(s, r)); break;
		case 5: rc = kehu_customer_set_key(c, (v & 1) ? key : NULL);
		        break;
		default: rc = kehu_customer_set_name(c, an); break;
		}
		ok_or(rc, KEHU_EINVAL, KEHU_ENOTFOUND, KEHU_OK);
		break;
	}
	rc = kehu_customer_save(c);
	ok_or(rc, KEHU_EEXIST, KEHU_EINVAL, KEHU_ENOTFOUND);
	kehu_customer_free(c);
}

static void step_record(st *s, in *r)
{
	kehu_interaction *ix = NULL;
	kehu_id id = pick(s, r);
	unsigned type = u8(r) % 12, flags = u8(r);
	int64_t t = s->now, amount = 0;
	int rc;

	/* back-dated by up to ~2 years, or a little in the future */
	if (flags & 1)
		t -= (int64_t)(u8(r) | u8(r) << 8) % 800 * 86400;
	if (flags & 2)
		t += (int64_t)u8(r) * 3600 - 7 * 86400;
	if (flags & 4)
		t += (int64_t)(u8(r) * 337);
	rc = kehu_interaction_new(&ix, s->db, id, (int32_t)type, t);
	ok_or(rc, KEHU_EINVAL, KEHU_ENOTFOUND, KEHU_OK);
	if (rc != KEHU_OK)
		return;
	if (flags & 8) {
		amount = (int64_t)u32(r);
		if (flags & 0x80) /* near the top: the overflow checks */
			amount = INT64_MAX - (int64_t)u8(r);
	}
	ok_or(kehu_interaction_set_amount(ix, amount), KEHU_EINVAL, 0, 0);
	if (flags & 16)
		ok_or(kehu_interaction_set_cost(ix, (int64_t)u8(r) * 100),
		      KEHU_EINVAL, 0, 0);
	if ((flags & 32) || type == KEHU_IX_FEEDBACK)
		ok_or(kehu_interaction_set_satisfaction(ix,
		                                        (int32_t)(u8(r) % 7)),
		      KEHU_EINVAL, 0, 0);
	if (flags & 64) {
		ok_or(kehu_interaction_set_note(ix, "a note with PII"),
		      KEHU_EINVAL, 0, 0);
		ok_or(kehu_interaction_set_attr_string(ix, "who", "someone"),
		      KEHU_EINVAL, 0, 0);
	}
	rc = kehu_interaction_record(ix);
	ok_or(rc, KEHU_EINVAL, KEHU_ENOTFOUND, KEHU_ERANGE);
	kehu_interaction_free(ix);
}

static void step_classify(st *s)
{
	int64_t n = -1;
	int rc = kehu_rules_classify_all(s->db, s->rules, s->now, NULL, &n);

	if (kehu_db_in_transaction(s->db)) {
		CHECK(rc == KEHU_EMISUSE);
		return;
	}
	CHECK(rc == KEHU_OK);
	CHECK(n == kehu_db_customer_count(s->db));
	check_labels(s);
}

static int no_attr(const char *name, int32_t type, void *ud)
{
	(void)name;
	(void)type;
	(void)ud;
	FAIL("an attribute survived erase");
	return 1;
}

static void step_erase(st *s, in *r)
{
	kehu_id id = pick(s, r);
	int rc = kehu_customer_erase(s->db, id);
	kehu_customer *c = NULL;
	kehu_history *h = NULL;
	const kehu_interaction *ix;

	ok_or(rc, KEHU_ENOTFOUND, KEHU_OK, KEHU_OK);
	if (rc != KEHU_OK)
		return;
	CHECK(kehu_customer_lookup(&c, s->db, id) == KEHU_OK);
	CHECK(kehu_customer_get_key(c) == NULL);
	CHECK(kehu_customer_get_name(c) != NULL &&
	      kehu_customer_get_name(c)[0] == '\0');
	CHECK(kehu_customer_tag_count(c) == 0);
	CHECK(kehu_customer_attr_count(c) == 0);
	CHECK(kehu_customer_foreach_attr(c, no_attr, NULL) == KEHU_OK);
	kehu_customer_free(c);
	CHECK(kehu_history_new(&h, s->db, id, 0, INT64_MAX, 0) == KEHU_OK);
	while ((rc = kehu_history_next(h, &ix)) == KEHU_OK) {
		CHECK(kehu_interaction_get_note(ix)[0] == '\0');
		CHECK(kehu_interaction_attr_count(ix) == 0);
	}
	CHECK(rc == KEHU_ITEROVER);
	kehu_history_free(h);
}

static void snapshot(st *s, test_text *t)
{
	memset(t, 0, sizeof *t);
	CHECK(test_snapshot(s->db, s->now, t) == KEHU_OK);
	labels_text(s, t);
}

static void step_reopen(st *s, in *r)
{
	test_text before, after;
	unsigned v = u8(r);

	if (kehu_db_in_transaction(s->db)) /* closing rolls it back */
		CHECK(kehu_db_commit(s->db) == KEHU_OK);
	snapshot(s, &before);
	db_close(s);
#ifdef KEHU_FUZZ_FILE_STORE
	if (s->file && (v & 1)) {
		kehu_storage_file_close(s->fs);
		file_open(s);
	}
#endif
	(void)v;
	db_open(s, KEHU_UNSET);
	snapshot(s, &after);
	if (before.len != after.len ||
	    memcmp(before.data, after.data, before.len) != 0) {
		fprintf(stderr, "before:\n%s\nafter:\n%s\n", before.data,
		        after.data);
		FAIL("reopen reads back something else");
	}
	test_text_free(&before);
	test_text_free(&after);
}

static void step(st *s, in *r)
{
	unsigned op = u8(r) % 16;
	int rc;

	switch (op) {
	case 0: case 1: step_create(s, r); break;
	case 2: step_edit(s, r, 0); break;
	case 3: step_edit(s, r, 1); break;
	case 4: step_edit(s, r, 2); break;
	case 5: case 6: case 7: step_record(s, r); break;
	case 8: step_classify(s); break;
	case 9: step_erase(s, r); break;
	case 10:
		rc = kehu_customer_delete(s->db, pick(s, r));
		ok_or(rc, KEHU_ENOTFOUND, KEHU_OK, KEHU_OK);
		break;
	case 11:
		s->now += (int64_t)u8(r) * 86400 + (int64_t)u8(r) * 337;
		break;
	case 12:
		rc = kehu_db_begin(s->db);
		ok_or(rc, KEHU_EMISUSE, KEHU_OK, KEHU_OK);
		break;
	case 13:
		if (kehu_db_in_transaction(s->db))
			CHECK(((u8(r) & 1) ? kehu_db_commit(s->db)
			                   : kehu_db_rollback(s->db)) == KEHU_OK);
		else
			CHECK(kehu_db_commit(s->db) == KEHU_EMISUSE);
		break;
	case 14:
#ifdef KEHU_FUZZ_FILE_STORE
		if (s->file && !kehu_db_in_transaction(s->db))
			CHECK(kehu_storage_file_compact(s->fs) == KEHU_OK);
#endif
		break;
	default:
		step_reopen(s, r);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int32_t offsets[4] = {0, 28800, -18000, 64800};
	st s;
	in r;
	unsigned first;
	int i;

	memset(&s, 0, sizeof s);
	r.p = data;
	r.n = size;
	first = u8(&r);
	s.utc_offset = offsets[first & 3];
	s.now = INT64_C(1704067200) + (int64_t)((first >> 3) & 7) * 86400 * 50;
#ifdef KEHU_FUZZ_FILE_STORE
	s.file = (first & 4) != 0;
	if (s.file) {
		if (!dir[0]) {
			/* tmpfs when there is one */
			strcpy(dir, "/dev/shm/kehu-fuzz-api-XXXXXX");
			if (!mkdtemp(dir)) {
				strcpy(dir, "/tmp/kehu-fuzz-api-XXXXXX");
				CHECK(mkdtemp(dir) != NULL);
			}
			snprintf(path, sizeof path, "%s/db.kehu", dir);
			atexit(cleanup);
		}
		remove_files();
		file_open(&s);
	}
#endif
	if (!s.file) {
		CHECK(kehu_storage_memory_new(&s.mem, NULL, NULL) == KEHU_OK);
		CHECK(kehu_storage_memory_get_vtable(s.mem, &s.vt) == KEHU_OK);
	}
	db_open(&s, s.utc_offset);
	for (i = 0; i < MAXSTEPS && r.n > 0; i++) {
		step(&s, &r);
		check_metrics(&s);
	}
	db_close(&s);
#ifdef KEHU_FUZZ_FILE_STORE
	kehu_storage_file_close(s.fs);
#endif
	kehu_storage_memory_free(s.mem);
	(void)dir;
	(void)path;
	return 0;
}
