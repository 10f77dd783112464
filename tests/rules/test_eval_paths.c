/*
 * tests/rules/test_eval_paths: the fast paths of evaluating a rule set
 * over a population give what evaluating one customer gives.  Converting
 * only the metrics a rule set reads equals converting them all
 * (kehu__metrics_to_values, the definition); classify-all and queries
 * (one evaluation context per run, windows read in batches) store and
 * count what kehu_rules_evaluate and kehu_rules_explain give customer by
 * customer, over several batches with accounts and deleted customers in
 * between; a query callback that changes a later customer sees it
 * evaluated on its new data; population functions order values as a
 * comparison sort by (value, id) does; rules that read tags and
 * attributes skip the records the hot state says have none, and that
 * knowledge follows saves, rollbacks, erasure and a reopen.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/eval.h"
#include "rules/program.h"
#include "testutil.h"

#define OK(x) assert_int_equal((x), KEHU_OK)

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * UINT64_C(2685821657736338717);
}

static kehu_rules *compile(kehu_db *db, const char *text)
{
	kehu_rules *r = NULL;

	if (kehu_rules_compile(&r, db, text, strlen(text)) != KEHU_OK)
		fail_msg("compile: %s", kehu_errmsg(db));
	return r;
}

static void record(kehu_db *db, kehu_id cust, kehu_id acct, int32_t type,
                   int64_t t, int64_t amount, int32_t sat)
{
	kehu_interaction *ix;

	OK(kehu_interaction_new(&ix, db, cust, type, t));
	if (acct > 0)
		OK(kehu_interaction_set_account(ix, acct));
	if (amount)
		OK(kehu_interaction_set_amount(ix, amount));
	if (sat)
		OK(kehu_interaction_set_satisfaction(ix, sat));
	OK(kehu_interaction_record(ix));
	kehu_interaction_free(ix);
}

/* ---- metrics converted per rule set -------------------------------------- */

/* set_metrics of a context planned for every metric equals the full
 * conversion on m, metric by metric (bit for bit: HUGE_VAL included). */
static void check_conversion(const kehu__reval *planned,
                             const kehu_metrics *m)
{
	kehu__reval ctx = *planned;
	double all[KEHU__METRIC_COUNT];
	int i;

	kehu__reval_set_metrics(&ctx, m);
	kehu__metrics_to_values(m, all);
	for (i = 0; i < KEHU__METRIC_COUNT; i++)
		if (memcmp(&ctx.metrics[i], &all[i], sizeof all[i]) != 0)
			fail_msg("metric %s: %g, want %g", kehu__metric_name(i),
			         ctx.metrics[i], all[i]);
}

static void test_plan_matches_full_conversion(void **state)
{
	test_fx *f = *state;
	char text[4096];
	size_t len;
	kehu_rules *r;
	kehu__reval ctx;
	kehu_metrics m;
	double items[KEHU__METRIC_COUNT + 2];
	unsigned char *p = (unsigned char *)&m;
	int i;

	len = (size_t)snprintf(text, sizeof text,
	                       "ruleset \"all\" version 1\n");
	for (i = 0; i < KEHU__METRIC_COUNT; i++)
		len += (size_t)snprintf(text + len, sizeof text - len,
		                        "score s%d = %s\n", i,
		                        kehu__metric_name(i));
	assert_true(len < sizeof text);
	r = compile(f->db, text);
	kehu__reval_begin(&ctx, r, items);
	/* every metric known: a plan converting each once */
	assert_int_equal(ctx.plan, 1);
	assert_int_equal(ctx.nused, KEHU__METRIC_COUNT);

	/* none, some and odd values, with and without purchases and
	 * contacts (days since "never" are infinite) */
	OK(kehu_metrics_init(&m, KEHU_METRICS_VERSION));
	m.first_purchase = m.last_purchase = m.last_contact = -1;
	m.days_since_first_purchase = m.days_since_last_purchase = -1;
	m.days_since_last_contact = -1;
	check_conversion(&ctx, &m);
	for (i = 0; i < 64; i++) {
		size_t k;

		OK(kehu_metrics_init(&m, KEHU_METRICS_VERSION));
		for (k = sizeof m.version; k < sizeof m; k++)
			p[k] = (unsigned char)(k * 37 + (size_t)i * 11);
		m.average_order_value = 1234.5 + i;
		m.average_satisfaction = i / 7.0;
		m.first_purchase = i % 2 ? -1 : 1000 + i;
		m.last_contact = i % 3 ? 5000 : -1;
		m.days_since_last_purchase = -i;
		check_conversion(&ctx, &m);
	}
	kehu_rules_free(r);

	/* a rule set reading two metrics converts two */
	r = compile(f->db, "ruleset \"two\" version 1\n"
	                   "score a = revenue_365d + revenue_365d\n"
	                   "classify c { x when days_since_last_contact > 3\n"
	                   "  y else }\n");
	kehu__reval_begin(&ctx, r, items);
	assert_int_equal(ctx.plan, 1);
	assert_int_equal(ctx.nused, 2);
	kehu_rules_free(r);
}

/* ---- classify-all and queries against one-customer evaluation ------------ */

#define NOW (T0 + 800 * DAY)

/* n customers in random shape; an account after every 50th; every 19th
 * (not a payer) deleted at the end.  Ids of the live ones in ids. */
static size_t populate(kehu_db *db, int n, kehu_id *ids)
{
	uint64_t rnd = 424242;
	kehu_id acct = 0;
	size_t live = 0;
	int c, k;

	OK(kehu_db_begin(db));
	for (c = 0; c < n; c++) {
		kehu_id id = test_new_customer(db);
		int count = (int)(next_random(&rnd) % 8);

		ids[c] = id;
		if (c % 50 == 0)
			acct = test_new_account(db, id);
		for (k = 0; k < count; k++) {
			uint64_t r = next_random(&rnd);
			int64_t t = NOW - (int64_t)(r % 700) * DAY -
			            (int64_t)((r >> 10) % (uint64_t)DAY);
			int64_t amount = 500 + (int64_t)((r >> 30) % 300000);

			switch ((r >> 50) % 6) {
			case 0: case 1: case 2:
				record(db, id, r % 5 ? 0 : acct,
				       KEHU_IX_PURCHASE, t, amount, 0);
				break;
			case 3:
				record(db, id, 0, KEHU_IX_REFUND, t,
				       amount / 4, 0);
				break;
			case 4:
				record(db, id, 0, KEHU_IX_COMPLAINT, t, 0,
				       1 + (int32_t)(r % 5));
				break;
			default:
				record(db, id, 0, KEHU_IX_FEEDBACK, t, 0,
				       1 + (int32_t)(r % 5));
			}
		}
	}
	OK(kehu_db_commit(db));
	for (c = 0; c < n; c++) {
		if (c % 19 == 7 && c % 50 != 0)
			OK(kehu_customer_delete(db, ids[c]));
		else
			ids[live++] = ids[c];
	}
	return live;
}

static void assert_label(kehu_db *db, kehu_id id, const char *ruleset,
                         const char *cls, const char *want)
{
	char buf[64];
	size_t len;

	OK(kehu_customer_get_label(db, id, ruleset, cls, buf, sizeof buf,
	                           &len));
	if (strcmp(buf, want) != 0)
		fail_msg("customer %lld %s: %s, want %s", (long long)id, cls,
		         buf, want);
}

/* The classifications of the default pack without its population
 * functions (those make each kehu_rules_evaluate a pre-pass). */
static const char PACK[] =
	"ruleset \"paths\" version 1\n"
	"let vip_revenue_365d = 1500.00\n"
	"classify importance {\n"
	"  vip       when revenue_365d >= vip_revenue_365d\n"
	"  important when revenue_365d >= 500.00 or revenue_90d >= 300.00\n"
	"  ordinary  else\n"
	"}\n"
	"classify loyalty {\n"
	"  potential  when purchases == 0\n"
	"  loyal      when days_since_first_purchase >= 365\n"
	"                  and purchases_365d >= 2\n"
	"  regular    when purchases >= 3\n"
	"  occasional else\n"
	"}\n"
	"classify lifecycle {\n"
	"  churned      when purchases > 0\n"
	"                    and days_since_last_purchase >= 365\n"
	"  dissatisfied when complaints_90d > 0\n"
	"                    or (satisfaction_count > 0\n"
	"                        and last_satisfaction <= 2)\n"
	"  new          when purchases == 0 or days_since_first_purchase < 90\n"
	"  at_risk      when days_since_last_purchase >= 180\n"
	"  loyal        when loyalty == \"loyal\"\n"
	"  active       else\n"
	"}\n"
	"score spend_30d = revenue_30d + 0.5 * revenue_90d\n"
	"score aov = average_order_value\n"
	"score quiet = min(days_since_last_contact, 10000)\n";

static void test_classify_matches_evaluate(void **state)
{
	test_fx *f = *state;
	static kehu_id ids[1300];
	kehu_rules *r = compile(f->db, PACK);
	kehu_classify_options o;
	int64_t classified = 0, vips = 0, q = -1;
	size_t n = populate(f->db, 1300, ids), i, k;

	OK(kehu_classify_options_init(&o, KEHU_CLASSIFY_OPTIONS_VERSION));
	o.batch_size = 300; /* not a multiple of the window batch */
	OK(kehu_rules_classify_all(f->db, r, NOW, &o, &classified));
	assert_int_equal(classified, (int64_t)n);
	for (i = 0; i < n; i++) {
		kehu_result *res = NULL;

		OK(kehu_rules_evaluate(&res, r, f->db, ids[i], NOW));
		for (k = 0; k < kehu_rules_classification_count(r); k++)
			assert_label(f->db, ids[i], "paths",
			             kehu_rules_classification_name(r, k),
			             kehu_result_get_label(res, k));
		for (k = 0; k < kehu_rules_score_count(r); k++) {
			double v = NAN;

			OK(kehu_customer_get_score(f->db, ids[i], "paths",
			                           kehu_rules_score_name(r, k),
			                           &v));
			assert_true(v == kehu_result_get_score(res, k));
		}
		vips += strcmp(kehu_result_get_label(res, 0), "vip") == 0;
		if (i % 97 == 0) {
			/* explaining converts every metric: same label */
			kehu_explain *ex = NULL;

			OK(kehu_rules_explain(&ex, r, f->db, ids[i], NOW,
			                      "lifecycle"));
			assert_string_equal(kehu_explain_label(ex),
			                    kehu_result_get_label(res, 2));
			kehu_explain_free(ex);
		}
		kehu_result_free(res);
	}
	OK(kehu_query(f->db, r, "importance == \"vip\"", NOW, NULL, NULL, &q));
	assert_int_equal(q, vips);
	assert_true(vips > 10 && vips < (int64_t)n);
	kehu_rules_free(r);
}

/* A query's callback records a purchase for a customer further on: the
 * query sees it (its window batch was read before the change). */
typedef struct change_ctx {
	kehu_db *db;
	kehu_id target;
	int calls;
} change_ctx;

static int change_later(kehu_id id, void *ud)
{
	change_ctx *c = ud;

	(void)id;
	if (c->calls++ == 0)
		record(c->db, c->target, 0, KEHU_IX_PURCHASE, NOW - 2 * DAY,
		       90000, 0);
	return 0;
}

static void check_query_sees_change(kehu_db *db, int host_txn)
{
	kehu_id ids[40];
	change_ctx c;
	int64_t count = -1, before = -1;
	int i;

	for (i = 0; i < 40; i++) {
		ids[i] = test_new_customer(db);
		record(db, ids[i], 0, KEHU_IX_PURCHASE, NOW - (i + 1) * DAY,
		       i % 4 == 0 ? 80000 : 100, 0);
	}
	OK(kehu_query(db, NULL, "revenue_90d >= 800.00", NOW, NULL, NULL,
	              &before));
	c.db = db;
	c.target = ids[33]; /* 100 before, 90100 after */
	c.calls = 0;
	if (host_txn)
		OK(kehu_db_begin(db));
	OK(kehu_query(db, NULL, "revenue_90d >= 800.00", NOW, change_later,
	              &c, &count));
	if (host_txn)
		OK(kehu_db_commit(db));
	assert_int_equal(count, before + 1);
	assert_int_equal(c.calls, before + 1);
}

static void test_query_sees_callback_changes(void **state)
{
	test_fx *f = *state;

	check_query_sees_change(f->db, 0);
	check_query_sees_change(f->db, 1);
}

/* ---- population functions --------------------------------------------- */

typedef struct ref_sample {
	double v;
	kehu_id id;
	size_t index;
} ref_sample;

static int ref_ascending(const void *pa, const void *pb)
{
	const ref_sample *a = pa, *b = pb;

	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static int ref_descending(const void *pa, const void *pb)
{
	const ref_sample *a = pa, *b = pb;

	if (a->v != b->v)
		return a->v > b->v ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

static double stored_score(kehu_db *db, kehu_id id, const char *score)
{
	double v = NAN;

	OK(kehu_customer_get_score(db, id, "pop", score, &v));
	return v;
}

/* ntile, rank and quantile over values with many ties, both zeros,
 * negatives, extremes and (days since no purchase) infinities, against
 * a comparison sort by (value, id). */
static void test_population_order(void **state)
{
	static const double pool[] = {0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 1e300,
	                              -1e300, 5e-324, -5e-324, 42.0, 42.0,
	                              1e-3, 7.0, 1e15, -1e15};
	enum { N = 700 };
	test_fx *f = *state;
	static kehu_id ids[N];
	static double x[N], sign[N], days[N];
	static ref_sample ref[N];
	kehu_rules *r = compile(f->db,
		"ruleset \"pop\" version 1\n"
		"score t7 = ntile(attr(\"x\", 0) * attr(\"s\", 1), 300)\n"
		"score t3 = ntile(days_since_last_purchase, 3)\n"
		"score rk = rank(attr(\"x\", 0))\n"
		"score q = quantile(attr(\"x\", 0), 0.37)\n");
	uint64_t rnd = 99;
	size_t n = 0, i;
	int64_t classified = 0;
	int c;

	for (c = 0; c < N; c++) {
		kehu_customer *cu;
		uint64_t v = next_random(&rnd);

		OK(kehu_customer_create(&cu, f->db, NULL));
		x[c] = v % 5 == 0 ? (double)(int64_t)(v % 1000) - 500.0
		                  : pool[(v >> 8) % (sizeof pool /
		                                     sizeof pool[0])];
		OK(kehu_customer_set_attr_number(cu, "x", x[c]));
		/* s = -1 turns the zeros into -0 (which ties with 0) */
		sign[c] = v >> 40 & 1 ? -1.0 : 1.0;
		OK(kehu_customer_set_attr_number(cu, "s", sign[c]));
		OK(kehu_customer_save(cu));
		ids[c] = kehu_customer_get_id(cu);
		kehu_customer_free(cu);
		days[c] = HUGE_VAL;
		if (v % 3) {
			days[c] = (double)((v >> 20) % 50);
			record(f->db, ids[c], 0, KEHU_IX_PURCHASE,
			       NOW - (int64_t)days[c] * DAY, 100, 0);
		}
	}
	for (c = 0; c < N; c += 11)
		OK(kehu_customer_delete(f->db, ids[c]));
	OK(kehu_rules_classify_all(f->db, r, NOW, NULL, &classified));
	for (c = 0; c < N; c++) {
		if (c % 11 == 0)
			continue;
		ref[n].v = x[c] * sign[c];
		ref[n].id = ids[c];
		ref[n].index = (size_t)c;
		n++;
	}
	assert_int_equal(classified, (int64_t)n);
	qsort(ref, n, sizeof ref[0], ref_ascending);
	for (i = 0; i < n; i++)
		assert_true(stored_score(f->db, ref[i].id, "t7") ==
		            floor((double)i * 300 / (double)n) + 1);
	for (i = 0; i < n; i++)
		ref[i].v = x[ref[i].index];
	qsort(ref, n, sizeof ref[0], ref_ascending);
	assert_true(stored_score(f->db, ref[0].id, "q") ==
	            ref[(size_t)ceil(0.37 * (double)n) - 1].v);
	qsort(ref, n, sizeof ref[0], ref_descending);
	for (i = 0; i < n; i++)
		assert_true(stored_score(f->db, ref[i].id, "rk") ==
		            (double)i + 1);
	for (i = 0; i < n; i++)
		ref[i].v = days[ref[i].index];
	qsort(ref, n, sizeof ref[0], ref_ascending);
	for (i = 0; i < n; i++)
		assert_true(stored_score(f->db, ref[i].id, "t3") ==
		            floor((double)i * 3 / (double)n) + 1);
	kehu_rules_free(r);
}

/* ---- records without tags or attributes are not read ------------------ */

static const char SECTIONS[] =
	"ruleset \"sections\" version 1\n"
	"classify tagged { yes when has_tag(\"vip\") no else }\n"
	"classify tier { high when attr(\"tier\", 0) >= 2 low else }\n";

/* The label of each customer by evaluating it, and the counts of the
 * two queries, against what the customers hold. */
static void check_sections(kehu_db *db, const kehu_id *ids,
                           const int *tag, const int *tier, int n)
{
	kehu_rules *r = compile(db, SECTIONS);
	int64_t tags = -1, tiers = -1, want_tags = 0, want_tiers = 0;
	int i;

	for (i = 0; i < n; i++) {
		kehu_result *res = NULL;

		OK(kehu_rules_evaluate(&res, r, db, ids[i], T0));
		assert_string_equal(kehu_result_get_label_by_name(res, "tagged"),
		                    tag[i] ? "yes" : "no");
		assert_string_equal(kehu_result_get_label_by_name(res, "tier"),
		                    tier[i] ? "high" : "low");
		kehu_result_free(res);
		want_tags += tag[i];
		want_tiers += tier[i];
	}
	OK(kehu_query(db, r, "tagged == \"yes\"", T0, NULL, NULL, &tags));
	OK(kehu_query(db, r, "tier == \"high\"", T0, NULL, NULL, &tiers));
	assert_int_equal(tags, want_tags);
	assert_int_equal(tiers, want_tiers);
	kehu_rules_free(r);
}

static void edit(kehu_db *db, kehu_id id, const char *add_tag,
                 const char *remove_tag, int64_t tier, int remove_tier)
{
	kehu_customer *c;

	OK(kehu_customer_lookup(&c, db, id));
	if (add_tag)
		OK(kehu_customer_add_tag(c, add_tag));
	if (remove_tag)
		OK(kehu_customer_remove_tag(c, remove_tag));
	if (tier)
		OK(kehu_customer_set_attr_int(c, "tier", tier));
	if (remove_tier)
		OK(kehu_customer_remove_attr(c, "tier"));
	OK(kehu_customer_save(c));
	kehu_customer_free(c);
}

static void test_record_sections(void **state)
{
	kehu_storage_memory *mem;
	kehu_storage vt;
	kehu_db *db;
	kehu_id ids[8];
	int tag[8] = {1, 0}, tier[8] = {0, 1};
	int i;

	(void)state;
	OK(kehu_storage_memory_new(&mem, NULL, NULL));
	OK(kehu_storage_memory_get_vtable(mem, &vt));
	OK(test_open(&db, NULL, &vt));
	for (i = 0; i < 8; i++)
		ids[i] = test_new_customer(db);
	edit(db, ids[0], "vip", NULL, 0, 0); /* a tag only */
	edit(db, ids[1], NULL, NULL, 3, 0);  /* an attribute only */
	edit(db, ids[2], "other", NULL, 1, 0); /* both; neither matches */
	edit(db, ids[3], "vip", NULL, 0, 0);
	edit(db, ids[3], NULL, "vip", 0, 0); /* tag added, then removed */
	edit(db, ids[4], NULL, NULL, 5, 0);
	edit(db, ids[4], NULL, NULL, 0, 1); /* attribute set, removed */
	OK(kehu_db_begin(db));
	edit(db, ids[5], "vip", NULL, 0, 0);
	check_sections(db, ids, (int[8]){1, 0, 0, 0, 0, 1}, tier, 8);
	OK(kehu_db_rollback(db)); /* ids[5] has no tag again */
	edit(db, ids[6], NULL, NULL, 2, 0);
	OK(kehu_db_begin(db));
	edit(db, ids[6], NULL, NULL, 0, 1);
	check_sections(db, ids, tag, tier, 8);
	OK(kehu_db_rollback(db)); /* ids[6] has its attribute again */
	tier[6] = 1;
	edit(db, ids[7], "vip", NULL, 2, 0);
	OK(kehu_customer_erase(db, ids[7])); /* erased: neither */
	check_sections(db, ids, tag, tier, 8);
	kehu_db_close(db);
	OK(test_open(&db, NULL, &vt)); /* the hot state rebuilt */
	check_sections(db, ids, tag, tier, 8);
	kehu_db_close(db);
	kehu_storage_memory_free(mem);
}

/* Tags and attributes read through the per-customer index (up to
 * KEHU__REVAL_INDEXED of each) and, past it, from the record itself,
 * give the same values; several lookups in one rule set agree. */
static const char INDEXED[] =
	"ruleset \"indexed\" version 1\n"
	"score n = attr(\"n\", 0) + attr(\"x\", 0) + attr(\"a19\", 0)\n"
	"score first = attr(\"a0\", -1)\n"
	"classify tier { gold when attr(\"tier\", \"none\") == \"gold\"\n"
	"  none when attr(\"tier\", \"none\") == \"none\" other else }\n"
	"classify tagged { both when has_tag(\"vip\") and has_tag(\"t19\")\n"
	"  vip when has_tag(\"vip\") t0 when has_tag(\"t0\") no else }\n";

static void check_indexed(kehu_db *db, const kehu_rules *r, kehu_id id,
                          double n, double first, const char *tier,
                          const char *tagged)
{
	kehu_result *res = NULL;

	OK(kehu_rules_evaluate(&res, r, db, id, T0));
	assert_true(kehu_result_get_score_by_name(res, "n") == n);
	assert_true(kehu_result_get_score_by_name(res, "first") == first);
	assert_string_equal(kehu_result_get_label_by_name(res, "tier"), tier);
	assert_string_equal(kehu_result_get_label_by_name(res, "tagged"),
	                    tagged);
	kehu_result_free(res);
}

static void test_record_index(void **state)
{
	test_fx *f = *state;
	kehu_id few = test_new_customer(f->db), many = test_new_customer(f->db);
	kehu_customer *c;
	kehu_rules *r;
	int64_t count = -1;
	char name[16];
	int i;

	OK(kehu_customer_lookup(&c, f->db, few));
	OK(kehu_customer_set_attr_string(c, "tier", "gold"));
	OK(kehu_customer_set_attr_int(c, "n", 5));
	OK(kehu_customer_set_attr_number(c, "x", 2.5));
	OK(kehu_customer_add_tag(c, "vip"));
	OK(kehu_customer_save(c));
	kehu_customer_free(c);
	OK(kehu_customer_lookup(&c, f->db, many)); /* more than indexed */
	for (i = 0; i < KEHU__REVAL_INDEXED + 4; i++) {
		snprintf(name, sizeof name, "a%d", i);
		OK(kehu_customer_set_attr_int(c, name, i + 100));
		snprintf(name, sizeof name, "t%d", i);
		OK(kehu_customer_add_tag(c, name));
	}
	OK(kehu_customer_set_attr_string(c, "tier", "silver"));
	OK(kehu_customer_add_tag(c, "vip"));
	OK(kehu_customer_save(c));
	kehu_customer_free(c);

	r = compile(f->db, INDEXED);
	check_indexed(f->db, r, few, 7.5, -1, "gold", "vip");
	check_indexed(f->db, r, many, 119, 100, "other", "both");
	OK(kehu_query(f->db, r, "tier == \"gold\" or tagged == \"both\"", T0,
	              NULL, NULL, &count));
	assert_int_equal(count, 2);
	kehu_rules_free(r);
}

/* Records read a batch at a time (model/view.c): dense ones with one
 * scan, sparse ones alone, one saved since its batch was read alone
 * again; every way gives what evaluating each customer gives. */
static const char LEVELS[] =
	"ruleset \"lv\" version 1\n"
	"classify lv { hi when attr(\"level\", 0) >= 300 or has_tag(\"t\")\n"
	"  lo else }\n";

typedef struct level_ctx {
	kehu_db *db;
	kehu_id target; /* a "hi" customer further on, made "lo" */
	int calls;
} level_ctx;

static void set_level(kehu_db *db, kehu_id id, int64_t level)
{
	kehu_customer *c;

	OK(kehu_customer_lookup(&c, db, id));
	OK(kehu_customer_set_attr_int(c, "level", level));
	OK(kehu_customer_save(c));
	kehu_customer_free(c);
}

static int lower_later(kehu_id id, void *ud)
{
	level_ctx *c = ud;

	(void)id;
	if (c->calls++ == 0)
		set_level(c->db, c->target, 1);
	return 0;
}

static int64_t count_evaluated(kehu_db *db, const kehu_rules *r,
                               const kehu_id *ids, int n)
{
	int64_t hi = 0;
	int i;

	for (i = 0; i < n; i++) {
		kehu_result *res = NULL;

		OK(kehu_rules_evaluate(&res, r, db, ids[i], T0));
		hi += strcmp(kehu_result_get_label(res, 0), "hi") == 0;
		kehu_result_free(res);
	}
	return hi;
}

static void test_records_read_in_batches(void **state)
{
	enum { N = 1300 };
	test_fx *f = *state;
	kehu_id *ids = malloc(N * sizeof *ids);
	level_ctx c;
	kehu_rules *r;
	int64_t count = -1, expected;
	int i;

	assert_non_null(ids);
	for (i = 0; i < N; i++) {
		/* dense (every 3rd) in the first 700, then every 97th */
		int dense = i < 700;

		ids[i] = test_new_customer(f->db);
		if (dense ? i % 3 == 0 : i % 97 == 0)
			set_level(f->db, ids[i], i % 600);
		if (dense && i % 7 == 0) {
			kehu_customer *cu;

			OK(kehu_customer_lookup(&cu, f->db, ids[i]));
			OK(kehu_customer_add_tag(cu, i % 14 ? "s" : "t"));
			OK(kehu_customer_save(cu));
			kehu_customer_free(cu);
		}
	}
	r = compile(f->db, LEVELS);
	expected = count_evaluated(f->db, r, ids, N);
	assert_true(expected > 100);
	OK(kehu_query(f->db, r, "lv == \"hi\"", T0, NULL, NULL, &count));
	assert_int_equal(count, expected);

	/* customers 399 and 402 (levels 399 and 402, no "t" tag) are made
	 * "lo" by the first callback, after their batch was read: in the
	 * host's transaction (the batch stays, the record changed) and in
	 * one of their own */
	c.db = f->db;
	c.target = ids[399];
	c.calls = 0;
	OK(kehu_db_begin(f->db));
	OK(kehu_query(f->db, r, "lv == \"hi\"", T0, lower_later, &c,
	              &count));
	OK(kehu_db_commit(f->db));
	assert_int_equal(count, expected - 1);
	c.target = ids[402];
	c.calls = 0;
	OK(kehu_query(f->db, r, "lv == \"hi\"", T0, lower_later, &c,
	              &count));
	assert_int_equal(count, expected - 2);
	assert_int_equal(count_evaluated(f->db, r, ids, N), expected - 2);
	kehu_rules_free(r);
	free(ids);
}

/* ---- jump programs against the expression tree ------------------------ */

/* A random condition of comparisons joined by and, or, not. */
static void random_condition(char *out, size_t cap, uint64_t *rnd,
                             int depth)
{
	/* numbers, the attributes read in place without a record (constant
	 * defaults) and through the walk (not constant) */
	static const char *const numbers[] = {
		"purchases", "days_since_last_purchase", "complaints_90d",
		"attr(\"level\", -1)", "attr(\"level\", 0)",
		"attr(\"level\", purchases)", "revenue"};
	/* leaves that are already true or false */
	static const char *const booleans[] = {
		"has_tag(\"vip\")", "status == \"customer\"",
		"status != \"prospect\"",
		"attr(\"tier\", \"none\") == \"gold\"",
		"attr(\"tier\") != \"\"", "attr(\"tier\") == attr(\"t2\")"};
	static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};
	static const char *const values[] = {"0", "1", "2", "30", "100.00"};
	char a[512], b[512];
	uint64_t pick = next_random(rnd) % (depth > 3 ? 1 : 4);

	if (pick == 0) {
		uint64_t m = next_random(rnd) % 13;

		if (m >= 7)
			snprintf(out, cap, "%s", booleans[m - 7]);
		else
			snprintf(out, cap, "%s %s %s", numbers[m],
			         ops[next_random(rnd) % 6],
			         m == 6 ? values[4]
			                : values[next_random(rnd) % 4]);
		return;
	}
	random_condition(a, sizeof a, rnd, depth + 1);
	if (pick == 3) {
		snprintf(out, cap, "not (%s)", a);
		return;
	}
	random_condition(b, sizeof b, rnd, depth + 1);
	snprintf(out, cap, "(%s) %s (%s)", a, pick == 1 ? "and" : "or", b);
}

/* Labels from the jump programs (evaluate) equal labels from walking
 * the tree (explain), rule by rule, for random conditions. */
static void test_jumps_match_tree(void **state)
{
	test_fx *f = *state;
	kehu_id ids[12];
	uint64_t rnd = 12345;
	char cond[3][2048], text[8192];
	int round, i;

	for (i = 0; i < 12; i++) {
		ids[i] = test_new_customer(f->db);
		if (i % 3 != 0)
			record(f->db, ids[i], 0, KEHU_IX_PURCHASE,
			       T0 - (i * 20 + 1) * DAY, i * 3000, 0);
		if (i % 4 == 1)
			record(f->db, ids[i], 0, KEHU_IX_COMPLAINT,
			       T0 - 5 * DAY, 0, 0);
		if (i % 5 == 2 || i % 4 == 3) {
			kehu_customer *c;

			OK(kehu_customer_lookup(&c, f->db, ids[i]));
			if (i % 5 == 2)
				OK(kehu_customer_add_tag(c, "vip"));
			if (i % 4 == 3) {
				OK(kehu_customer_set_attr_int(c, "level",
				                              i % 3));
				OK(kehu_customer_set_attr_string(
					c, "tier", i % 8 == 3 ? "gold" : "x"));
				OK(kehu_customer_set_attr_string(c, "t2",
				                                 "gold"));
			}
			OK(kehu_customer_save(c));
			kehu_customer_free(c);
		}
	}
	for (round = 0; round < 150; round++) {
		kehu_rules *r;

		for (i = 0; i < 3; i++)
			random_condition(cond[i], sizeof cond[i], &rnd, 0);
		snprintf(text, sizeof text,
		         "ruleset \"j\" version 1\nclassify c {\n"
		         " a when %s\n b when %s\n c when %s\n d else\n}\n",
		         cond[0], cond[1], cond[2]);
		r = compile(f->db, text);
		for (i = 0; i < 12; i++) {
			kehu_result *res = NULL;
			kehu_explain *ex = NULL;

			OK(kehu_rules_evaluate(&res, r, f->db, ids[i], T0));
			OK(kehu_rules_explain(&ex, r, f->db, ids[i], T0, "c"));
			if (strcmp(kehu_result_get_label(res, 0),
			           kehu_explain_label(ex)) != 0)
				fail_msg("%s\ncustomer %d: %s, tree %s", text, i,
				         kehu_result_get_label(res, 0),
				         kehu_explain_label(ex));
			kehu_explain_free(ex);
			kehu_result_free(res);
		}
		kehu_rules_free(r);
	}
}

/* Population functions of population functions: their pre-passes run
 * after those they read (the others share one pass). */
static void test_population_of_population(void **state)
{
	static const char text[] =
		"ruleset \"pp\" version 1\n"
		"score r = rank(revenue)\n"
		"score half = quantile(r, 0.5)\n"
		"score tiles = mean(ntile(revenue, 5))\n"
		"score f = ntile(purchases, 2)\n"
		"classify side { upper when r <= quantile(r, 0.5) lower else }\n";
	test_fx *f = *state;
	kehu_id ids[10];
	kehu_rules *r;
	int64_t upper = -1;
	int i;

	for (i = 0; i < 10; i++) {
		ids[i] = test_new_customer(f->db);
		record(f->db, ids[i], 0, KEHU_IX_PURCHASE, T0 - DAY,
		       (i + 1) * 10000, 0);
	}
	r = compile(f->db, text);
	for (i = 0; i < 10; i++) {
		kehu_result *res = NULL;

		OK(kehu_rules_evaluate(&res, r, f->db, ids[i], T0));
		/* rank 1 is the largest revenue: customer 9 */
		assert_true(kehu_result_get_score_by_name(res, "r") == 10 - i);
		assert_true(kehu_result_get_score_by_name(res, "half") == 5);
		assert_true(kehu_result_get_score_by_name(res, "tiles") == 3);
		assert_string_equal(kehu_result_get_label_by_name(res, "side"),
		                    i >= 5 ? "upper" : "lower");
		kehu_result_free(res);
	}
	OK(kehu_query(f->db, r, "side == \"upper\"", T0, NULL, NULL, &upper));
	assert_int_equal(upper, 5);
	kehu_rules_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_plan_matches_full_conversion, test_fx_setup,
			test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_classify_matches_evaluate,
		                                test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_query_sees_callback_changes, test_fx_setup,
			test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_population_order,
		                                test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test(test_record_sections),
		cmocka_unit_test_setup_teardown(test_record_index,
		                                test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_records_read_in_batches,
		                                test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_population_of_population,
		                                test_fx_setup,
		                                test_fx_teardown),
		cmocka_unit_test_setup_teardown(test_jumps_match_tree,
		                                test_fx_setup,
		                                test_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
